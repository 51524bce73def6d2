//! `gwk gc [--dry-run]`: remove what runs left behind when gwk died.

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
}

pub fn run(args: Args) -> Result<ExitCode> {
    let home = crate::cmd::gwk_home()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let host = args.docker_host.as_deref();
        let l = gwk_run::gc::find(&home, host).await;
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
