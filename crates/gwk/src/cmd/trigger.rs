//! `gwk trigger --ref REF`: run every workflow under `.gradient/workflows/`
//! whose `on.github` trigger matches a push of REF — what Gradient did on a
//! push to GitHub. `gwk hooks install` calls it from a git pre-push hook.

use crate::cmd::run::{self as run_cmd};
use crate::discover::workflow_files;
use crate::planning::prepare;
use anyhow::{Context, Result};
use gwk_run::datasets::DatasetStore;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The pushed ref: `refs/heads/main`, `refs/tags/v1` (a bare name is a
    /// branch). Repeatable. Default: the checked-out branch, as for `gwk
    /// plan --event push`.
    #[arg(long = "ref", value_name = "REF")]
    pub refs: Vec<String>,
    /// A GitHub push event payload (the JSON GitHub sends) instead of
    /// --ref: its ref, commit and repository URL (docs/cli.md).
    #[arg(long = "event-file", value_name = "FILE", conflicts_with = "refs")]
    pub event_file: Option<std::path::PathBuf>,
    /// Only list the workflows that would run.
    #[arg(long)]
    pub dry_run: bool,
    /// Options for each run, as `gwk run` takes them, after `--`
    /// (e.g. `-- --quiet --secret TOKEN=...`).
    #[arg(last = true, value_name = "RUN OPTIONS")]
    pub run_options: Vec<String>,
}

/// `gwk run`'s options, parsed on their own.
#[derive(clap::Parser)]
#[command(name = "gwk trigger --")]
struct RunOptions {
    #[command(flatten)]
    args: run_cmd::Args,
}

pub fn run(mut args: Args) -> Result<ExitCode> {
    if args.refs.is_empty() && args.event_file.is_none() {
        let here = std::env::current_dir()?;
        args.refs.push(
            crate::planning::checked_out_branch(&here).context(
                "gwk trigger needs --ref REF: no branch is checked out here to default to",
            )?,
        );
    }
    let home = crate::cmd::gwk_home()?;
    let store = DatasetStore::new(&home);
    let files = workflow_files(&[])?;
    let base = {
        use clap::Parser;
        let argv = ["gwk-run", "-"]
            .into_iter()
            .map(String::from)
            .chain(args.run_options.iter().cloned());
        RunOptions::try_parse_from(argv)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .args
    };
    let mut worst = ExitCode::SUCCESS;
    let mut ran = 0;
    // With an event file, one push: the ref it names.
    let refs = match &args.event_file {
        Some(f) => vec![crate::event_file::PushPayload::read(f)?.git_ref],
        None => args.refs.clone(),
    };
    for git_ref in &refs {
        for file in &files {
            let mut run_args = base.clone();
            run_args.file = Some(file.clone());
            match &args.event_file {
                Some(f) => run_args.plan.event_file = Some(f.clone()),
                None => run_args.plan.git_ref = Some(git_ref.clone()),
            }
            // The same evaluation `gwk plan --event push --ref REF` shows.
            let Some(prepared) = prepare(file, &run_args.plan, &store)? else {
                eprintln!("gwk: {} has errors; not run", file.display());
                worst = ExitCode::from(1);
                continue;
            };
            let t = &prepared.plan.trigger;
            if t.starts != Some(true) {
                println!(
                    "{}: not triggered by {git_ref} ({})",
                    file.display(),
                    t.reason
                );
                continue;
            }
            println!("{}: triggered by {git_ref} ({})", file.display(), t.reason);
            ran += 1;
            if args.dry_run {
                continue;
            }
            run_args.triggered_by = Some(git_ref.clone());
            let code = run_cmd::run_file(file, &run_args, home.clone(), None)?;
            if code != ExitCode::SUCCESS {
                worst = code;
            }
        }
    }
    if ran == 0 {
        println!(
            "no workflow under .gradient/workflows/ is triggered by {}",
            refs.join(", ")
        );
    }
    Ok(worst)
}
