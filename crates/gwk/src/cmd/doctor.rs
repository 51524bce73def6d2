//! `gwk doctor`: can this machine run workflows? The Docker engine, gwk's
//! state directory, git, and whether GPU jobs can start.

use anyhow::Result;
use gwk_run::{Engine, EngineError};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The Docker engine (default: $DOCKER_HOST, else unix:///var/run/docker.sock).
    #[arg(long, value_name = "URL")]
    pub docker_host: Option<String>,
    /// The image to probe GPU support with (default: any image on the host).
    #[arg(long)]
    pub image: Option<String>,
    /// Fail (exit 1) when GPU jobs cannot start, not only warn.
    #[arg(long)]
    pub gpu: bool,
}

/// One line of the report.
struct Check {
    ok: Option<bool>,
    what: String,
    detail: String,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let checks = rt.block_on(checks(&args));
    let mut failed = false;
    for c in &checks {
        let mark = match c.ok {
            Some(true) => "ok  ",
            Some(false) => "FAIL",
            None => "warn",
        };
        println!("{mark}  {}", c.what);
        // A detail that is an error whose message starts with the check's
        // own title (`GPU jobs cannot start…: it has no…`) says it once.
        let detail = c
            .detail
            .strip_prefix(c.what.as_str())
            .and_then(|rest| rest.strip_prefix(": "))
            .unwrap_or(&c.detail);
        for l in detail.lines() {
            println!("      {l}");
        }
        failed |= c.ok == Some(false);
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn checks(args: &Args) -> Vec<Check> {
    let mut out = Vec::new();
    match gwk_project::home::gwk_home() {
        Some(home) => {
            let writable = std::fs::create_dir_all(&home).is_ok() && tempfile_in(&home);
            out.push(Check {
                ok: Some(writable),
                what: format!("state directory {} (GWK_HOME)", home.display()),
                detail: if writable {
                    String::new()
                } else {
                    "not writable: set GWK_HOME to a directory you may write".into()
                },
            });
        }
        None => out.push(Check {
            ok: Some(false),
            what: "state directory".into(),
            detail: "neither GWK_HOME nor HOME is set".into(),
        }),
    }
    let git = std::process::Command::new("git").arg("--version").output();
    out.push(match git {
        Ok(o) if o.status.success() => Check {
            ok: Some(true),
            what: String::from_utf8_lossy(&o.stdout).trim().to_string(),
            detail: String::new(),
        },
        _ => Check {
            ok: None,
            what: "git not found".into(),
            detail: "git-checkout@v1 jobs need `git` on PATH".into(),
        },
    });
    let engine = match Engine::connect(args.docker_host.as_deref()).await {
        Ok(e) => e,
        Err(e) => {
            out.push(Check {
                ok: Some(false),
                what: "Docker engine".into(),
                detail: e.to_string(),
            });
            return out;
        }
    };
    match engine.info().await {
        Ok(i) => out.push(Check {
            ok: Some(true),
            what: format!(
                "Docker engine {} (API {}) at {}",
                i.server_version, i.api_version, i.host
            ),
            detail: format!(
                "{}{}{}",
                i.os,
                i.cpus.map(|c| format!(", {c} CPUs")).unwrap_or_default(),
                i.memory_bytes
                    .map(|m| format!(", {:.1} GiB", m as f64 / (1u64 << 30) as f64))
                    .unwrap_or_default()
            ),
        }),
        Err(e) => {
            out.push(Check {
                ok: Some(false),
                what: "Docker engine".into(),
                detail: e.to_string(),
            });
            return out;
        }
    }
    out.push(gpu_check(&engine, args).await);
    out
}

fn tempfile_in(dir: &std::path::Path) -> bool {
    let p = dir.join(format!(".doctor-{}", std::process::id()));
    let ok = std::fs::write(&p, b"x").is_ok();
    let _ = std::fs::remove_file(&p);
    ok
}

async fn gpu_check(engine: &Engine, args: &Args) -> Check {
    let fail = if args.gpu { Some(false) } else { None };
    let host_gpus = gwk_run::gpu::discover();
    let gpus_line = match &host_gpus {
        Some(ids) => format!("nvidia-smi lists GPUs {}", ids.join(",")),
        None => "nvidia-smi is not on this machine (GPU ids will not be known; GPU jobs run one at a time unless --gpus lists them)".into(),
    };
    let image = match &args.image {
        Some(i) => Some(i.clone()),
        None => engine.any_local_image().await,
    };
    let Some(image) = image else {
        return Check {
            ok: fail,
            what: "GPU jobs: unknown".into(),
            detail: format!(
                "no image on this host to probe with; pull one or pass --image\n{gpus_line}"
            ),
        };
    };
    let home = gwk_project::home::gwk_home().unwrap_or_default();
    match engine
        .probe_gpu(&image, &gwk_run::gc::home_label(&home))
        .await
    {
        Ok(()) => Check {
            ok: Some(true),
            what: "GPU jobs can start (a container with a GPU request started)".into(),
            detail: gpus_line,
        },
        Err(e @ EngineError::NoGpuSupport { .. }) => Check {
            ok: fail,
            what: "GPU jobs cannot start on this Docker engine".into(),
            detail: format!("{e}\n{gpus_line}"),
        },
        Err(e) => Check {
            ok: fail,
            what: format!("GPU probe with {image} failed"),
            detail: e.to_string(),
        },
    }
}
