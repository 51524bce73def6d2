//! `gwk gc [--dry-run]`: remove what runs left behind when gwk died, and
//! the finished runs the retention settings let go.

use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// List what would be removed, remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The Docker engine (default: $DOCKER_HOST, else unix:///var/run/docker.sock).
    #[arg(long, value_name = "URL")]
    pub docker_host: Option<String>,
    /// Keep the newest N finished runs, remove the older ones (default:
    /// gwk.toml `[run] keep-runs`, else keep all).
    #[arg(long, value_name = "N")]
    pub keep_runs: Option<usize>,
    /// Remove finished runs started more than DAYS days ago (default:
    /// gwk.toml `[run] keep-days`, else keep all).
    #[arg(long, value_name = "DAYS")]
    pub keep_days: Option<u64>,
}

/// The retention settings: the options, else the nearest gwk.toml's
/// `[run] keep-runs` and `keep-days`.
fn retention(args: &Args) -> Result<gwk_run::gc::Retention> {
    let mut r = gwk_run::gc::Retention {
        keep_runs: args.keep_runs,
        keep_days: args.keep_days,
    };
    let config = std::env::current_dir()
        .ok()
        .and_then(|d| crate::discover::find_upward(&d));
    if let Some(path) = config {
        let c = crate::discover::load(&path)?;
        let number = |key: &str| -> Result<Option<u64>> {
            match c.run.get(key) {
                None => Ok(None),
                Some(v) => match v.as_integer().and_then(|n| u64::try_from(n).ok()) {
                    Some(n) => Ok(Some(n)),
                    None => anyhow::bail!(
                        "{}: `[run] {key}` must be a whole number, not {v}",
                        path.display()
                    ),
                },
            }
        };
        if r.keep_runs.is_none() {
            r.keep_runs = number("keep-runs")?.map(|n| n as usize);
        }
        if r.keep_days.is_none() {
            r.keep_days = number("keep-days")?;
        }
    }
    Ok(r)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let home = crate::cmd::gwk_home()?;
    let retention = retention(&args)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let host = args.docker_host.as_deref();
        let mut l = gwk_run::gc::find(&home, host).await;
        l.expired_runs = gwk_run::gc::expired_runs(&home, &retention);
        if let Some(e) = &l.engine_error {
            eprintln!("gwk: containers not checked: {e}");
        }
        let verb = if args.dry_run {
            "would remove"
        } else {
            "removing"
        };
        for (name, run) in &l.containers {
            if run == gwk_run::docker::PROBE_RUN {
                println!("{verb} container {name} (a GPU probe whose gwk is gone)");
            } else {
                println!("{verb} container {name} (run {run} is not running)");
            }
        }
        for p in &l.commits {
            println!(
                "{} interrupted dataset commit {}",
                if args.dry_run {
                    "would finish or undo"
                } else {
                    "finishing or undoing"
                },
                p.display()
            );
        }
        for p in &l.staging {
            println!("{verb} abandoned staging directory {}", p.display());
        }
        for p in &l.temporaries {
            println!(
                "{verb} temporary file of a gwk that is gone {}",
                p.display()
            );
        }
        for p in &l.orphan_meta {
            println!(
                "{verb} dataset metadata without its version {}",
                p.display()
            );
        }
        for id in &l.stale_runs {
            println!(
                "{} run {id}: recorded as running, but its gwk is gone",
                if args.dry_run {
                    "would mark cancelled"
                } else {
                    "marking cancelled"
                }
            );
        }
        for id in &l.expired_runs {
            println!("{verb} run {id} (beyond the retention settings)");
        }
        if l.is_empty() {
            println!("nothing to clean up");
        }
        if args.dry_run {
            return Ok(ExitCode::SUCCESS);
        }
        let errors = gwk_run::gc::remove(&home, host, &l).await;
        for e in &errors {
            eprintln!("gwk: {e}");
        }
        Ok(if errors.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    })
}
