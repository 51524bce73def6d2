//! `gwk export argo FILE [-o OUT] [--submit]`

use crate::planning::{PlanArgs, prepare_without_secrets};
use anyhow::{Context, Result, bail};
use gwk_argo::Settings;
use gwk_spec::plan::NoStore;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub target: Target,
}

#[derive(clap::Subcommand)]
pub enum Target {
    /// Write an Argo Workflows `Workflow` manifest of a workflow file (see
    /// docs/argo.md).
    Argo(ArgoArgs),
}

#[derive(clap::Args)]
pub struct ArgoArgs {
    /// The workflow file.
    pub file: PathBuf,
    /// Write the manifest to OUT (default: standard output). OUT is
    /// replaced whole or not at all.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// yaml or json (default: json when OUT ends in `.json`, else yaml).
    #[arg(long, value_enum)]
    pub format: Option<ManifestFormat>,
    /// Submit the workflow with `argo submit` (or `kubectl create`, when
    /// only kubectl is installed) and print the name of the workflow.
    #[arg(long)]
    pub submit: bool,
    /// The value of a workflow string input (repeatable); without it, the
    /// file's default.
    #[arg(long = "input", value_name = "NAME=VALUE", value_parser = pair)]
    pub inputs: Vec<(String, String)>,
    /// Read dataset REF (`name`, `name:version`, `name:tag`) for dataset
    /// input NAME (a workflow input, or `JOB.INPUT` for a job's inline
    /// input; repeatable).
    #[arg(long = "dataset", value_name = "NAME=REF", value_parser = pair)]
    pub datasets: Vec<(String, String)>,
    /// The default of `context.event.github.url` (default: the file's
    /// `context` block, else the git remote `origin`).
    #[arg(long, value_name = "URL")]
    pub github_url: Option<String>,
    /// The default of `context.event.github.ref` (default: the file's
    /// `context` block, else the commit of HEAD).
    #[arg(long, value_name = "REF")]
    pub github_ref: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ManifestFormat {
    Yaml,
    Json,
}

fn pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not NAME=VALUE")),
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.target {
        Target::Argo(a) => argo(a),
    }
}

fn argo(args: ArgoArgs) -> Result<ExitCode> {
    // Find the submitter before anything is written: a refusal leaves no
    // file behind.
    let submitter = if args.submit {
        Some(Submitter::find()?)
    } else {
        None
    };
    let plan_args = PlanArgs {
        inputs: args.inputs.clone(),
        datasets: args.datasets.clone(),
        github_url: args.github_url.clone(),
        github_ref: args.github_ref.clone(),
        ..PlanArgs::default()
    };
    // Datasets live in the cluster's artifact repository, not the local
    // store: the export resolves no version. Secrets live in the cluster
    // too: the manifest refers to them by name, so no value is read.
    let Some(prepared) = prepare_without_secrets(&args.file, &plan_args, &NoStore)? else {
        return Ok(ExitCode::from(1));
    };
    let settings = Settings::from_table(&prepared.config.argo)
        .context("gwk.toml cannot be used for the export")?;
    let wf = prepared
        .analysis
        .workflow
        .as_ref()
        .expect("a prepared file holds a workflow");
    let source = gwk_argo::Source {
        name: args
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path: args.file.display().to_string(),
        container_registries: wf
            .defaults
            .container_registries
            .iter()
            .map(|r| r.value.clone())
            .collect(),
    };
    let export = match gwk_argo::export(&prepared.plan, &source, &settings) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("gwk: cannot export {}: {e}", args.file.display());
            return Ok(ExitCode::from(1));
        }
    };
    for note in &export.notes {
        eprintln!("note: {note}");
    }
    let format = args.format.unwrap_or(match &args.output {
        Some(p)
            if p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json")) =>
        {
            ManifestFormat::Json
        }
        _ => ManifestFormat::Yaml,
    });
    let text = match format {
        ManifestFormat::Yaml => gwk_argo::to_yaml(&export.workflow),
        ManifestFormat::Json => gwk_argo::to_json(&export.workflow),
    };

    match (&args.output, submitter) {
        (Some(out), submitter) => {
            write_atomically(out, &text)?;
            if let Some(s) = submitter {
                println!("{}", s.submit(out, settings.namespace.as_deref())?);
            }
        }
        (None, Some(s)) => {
            // Submit from a temporary file, removed when done.
            let suffix = match format {
                ManifestFormat::Yaml => ".yaml",
                ManifestFormat::Json => ".json",
            };
            let mut tmp = tempfile::Builder::new()
                .prefix("gwk-argo-")
                .suffix(suffix)
                .tempfile()
                .context("cannot create a temporary file for the manifest")?;
            tmp.write_all(text.as_bytes())
                .and_then(|()| tmp.flush())
                .context("cannot write the manifest to a temporary file")?;
            println!("{}", s.submit(tmp.path(), settings.namespace.as_deref())?);
        }
        (None, None) => {
            // A closed pipe (`gwk export argo f | head`) is not an error.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `text` to a temporary file beside `out`, then renames it over
/// `out`: readers see the old file or the whole new one, never half.
fn write_atomically(out: &Path, text: &str) -> Result<()> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".gwk-export-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", out.display()))?;
    tmp.persist(out)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", out.display()))?;
    Ok(())
}

/// The program that submits a manifest to the cluster.
enum Submitter {
    Argo(PathBuf),
    Kubectl(PathBuf),
}

impl Submitter {
    /// `argo` when on PATH, else `kubectl`.
    fn find() -> Result<Submitter> {
        if let Ok(p) = which::which("argo") {
            return Ok(Submitter::Argo(p));
        }
        if let Ok(p) = which::which("kubectl") {
            return Ok(Submitter::Kubectl(p));
        }
        bail!(
            "--submit needs the Argo Workflows CLI (`argo`) or `kubectl` on PATH, and neither is there.\n\
             Install one (the `argo` binary from the Argo Workflows releases, or kubectl from your \
             Kubernetes distribution), or write the manifest with `-o FILE` and submit it elsewhere \
             with `argo submit FILE` or `kubectl create -f FILE`."
        )
    }

    /// Submits `path`; returns the new workflow's name.
    fn submit(&self, path: &Path, namespace: Option<&str>) -> Result<String> {
        let (program, mut cmd) = match self {
            Submitter::Argo(p) => {
                let mut c = Command::new(p);
                c.arg("submit").arg(path).args(["--output", "name"]);
                ("argo submit", c)
            }
            // `create`, not `apply`: the manifest has a generateName.
            Submitter::Kubectl(p) => {
                let mut c = Command::new(p);
                c.arg("create")
                    .arg("-f")
                    .arg(path)
                    .args(["--output", "name"]);
                ("kubectl create", c)
            }
        };
        if let Some(ns) = namespace {
            cmd.args(["--namespace", ns]);
        }
        let out = cmd
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("cannot run {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} failed ({}); the manifest was not submitted",
                out.status
            );
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let name = stdout.trim();
        // kubectl prints `workflow.argoproj.io/NAME`.
        let name = name.rsplit('/').next().unwrap_or(name);
        if name.is_empty() {
            bail!("{program} printed no workflow name");
        }
        Ok(name.to_string())
    }
}
