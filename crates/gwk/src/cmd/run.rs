//! `gwk run FILE`: run a workflow on the local Docker engine.

use crate::cmd::check::Color;
use crate::planning::{PlanArgs, prepare};
use crate::run_input;
use crate::run_view::{HumanView, summary};
use anyhow::Result;
use gwk_run::datasets::DatasetStore;
use gwk_run::docker::{Control, PullPolicy};
use gwk_run::events::{EventSink, RunStatus};
use gwk_run::gpu::GpuPolicy;
use gwk_run::runner::{RunError, RunOptions};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Exit status of a cancelled run (128 + SIGINT), as shells report Ctrl-C.
const EXIT_CANCELLED: u8 = 130;

#[derive(clap::Args, Clone)]
pub struct Args {
    /// The workflow file (with --resume: default the resumed run's file).
    #[arg(required_unless_present = "resume")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Run only this job and the jobs it needs (repeatable).
    #[arg(long = "job", value_name = "NAME")]
    pub jobs: Vec<String>,
    /// Jobs running at once (default: the number of CPUs).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub parallel: Option<u32>,
    /// The host's GPUs: `auto` (ask nvidia-smi), `none` (run GPU jobs
    /// without GPUs), or device ids such as `0,1,2,3`.
    #[arg(long, value_name = "auto|none|IDS", default_value = "auto")]
    pub gpus: GpuPolicy,
    /// When to pull images.
    #[arg(long, value_enum, default_value = "missing")]
    pub pull: PullArg,
    /// After a failure, go on with every job that does not depend on it.
    #[arg(long)]
    pub keep_going: bool,
    /// Stop the whole run after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Print no job output, only failures and the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// The network of job containers (`none` to cut them off; default:
    /// the engine's default bridge).
    #[arg(long, value_name = "NAME")]
    pub network: Option<String>,
    /// The Docker engine (default: $DOCKER_HOST, else unix:///var/run/docker.sock).
    #[arg(long, value_name = "URL")]
    pub docker_host: Option<String>,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Color,
    /// Run again the jobs of run ID that failed, were skipped or were
    /// cancelled; reuse the outputs of those that succeeded (after checking
    /// their content hashes).
    #[arg(long, value_name = "ID")]
    pub resume: Option<String>,
    /// Do not use the job cache (jobs whose inputs and settings did not
    /// change run again).
    #[arg(long)]
    pub no_cache: bool,
    /// Print events instead of the human view: `json` writes one JSON
    /// object per line on stdout (docs/events.md).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub events: Option<EventsFormat>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EventsFormat {
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PullArg {
    Missing,
    Always,
    Never,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let home = crate::cmd::gwk_home()?;
    let resume = match &args.resume {
        Some(id) => {
            let dir = crate::cmd::runs::find_run(&home, id)?;
            if let Some(pid) = dir.live_owner() {
                anyhow::bail!("run {} is still running (gwk pid {pid})", dir.id);
            }
            Some(dir.read_record()?)
        }
        None => None,
    };
    let file = match (&args.file, &resume) {
        (Some(f), _) => f.clone(),
        (None, Some(r)) => PathBuf::from(&r.file),
        (None, None) => unreachable!("clap requires FILE without --resume"),
    };
    run_file(&file, &args, home, resume)
}

/// Plans and runs one workflow file (also `gwk trigger`'s way in).
pub fn run_file(
    file: &std::path::Path,
    args: &Args,
    home: PathBuf,
    resume: Option<gwk_run::rundir::RunRecord>,
) -> Result<ExitCode> {
    let store = DatasetStore::new(&home);
    let Some(prepared) = prepare(file, &args.plan, &store)? else {
        return Ok(ExitCode::from(1));
    };
    let plan = &prepared.plan;
    if !plan.missing.is_empty() {
        eprintln!("gwk: cannot run {}: the run lacks", file.display());
        for m in &plan.missing {
            let jobs = if m.jobs.is_empty() {
                String::new()
            } else {
                format!(" (read by {})", m.jobs.join(", "))
            };
            eprintln!("  - {:?} `{}`{jobs}: {}", m.kind, m.name, m.hint);
        }
        return Ok(ExitCode::from(2));
    }
    let selected = run_input::select(plan, &args.jobs)?;
    let spec_text = std::fs::read_to_string(file).unwrap_or_default();
    let input = run_input::build(
        plan,
        &prepared.secrets,
        &selected,
        &file.display().to_string(),
        &spec_text,
    )?;
    let mut opts = RunOptions::new(home);
    if let Some(p) = args.parallel {
        opts.parallel = p as usize;
    }
    opts.gpus = args.gpus.clone();
    opts.pull = match args.pull {
        PullArg::Missing => PullPolicy::Missing,
        PullArg::Always => PullPolicy::Always,
        PullArg::Never => PullPolicy::Never,
    };
    opts.keep_going = args.keep_going;
    opts.timeout = args.timeout.map(Duration::from_secs);
    opts.network = args.network.clone();
    opts.docker_host = args.docker_host.clone();
    opts.cache = !args.no_cache;
    // gwk.toml `[run] no-cache = ["Job", ...]`: jobs that never use the cache.
    if let Some(v) = prepared.config.run.get("no-cache") {
        let bad = || anyhow::anyhow!("gwk.toml: `[run] no-cache` must be a list of job names");
        for x in v.as_array().ok_or_else(bad)? {
            opts.no_cache_jobs
                .insert(x.as_str().ok_or_else(bad)?.to_string());
        }
    }
    opts.resume = resume;

    let tty = std::io::stderr().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => tty && std::env::var_os("NO_COLOR").is_none(),
    };
    let names: Vec<String> = input.jobs.iter().map(|j| j.name.clone()).collect();
    let json = args.events == Some(EventsFormat::Json);
    let view = Arc::new(HumanView::new(
        &names,
        tty && !json,
        color,
        args.quiet || json,
    ));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(async {
        let (tx, rx) = tokio::sync::watch::channel(Control::Run);
        let sink: Arc<dyn EventSink> = if json {
            Arc::new(crate::events_json::JsonEvents)
        } else {
            view.clone()
        };
        tokio::spawn(async move {
            // First Ctrl-C: stop the containers (10 s grace) and clean up.
            // Second: kill them at once. The runner says so, as a
            // `warning` event (on stdout with --events json).
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(Control::Stop);
                if tokio::signal::ctrl_c().await.is_ok() {
                    let _ = tx.send(Control::Kill);
                }
            }
        });
        gwk_run::run(input, opts, sink, rx).await
    });
    view.finish();
    // The signal task may still wait for a Ctrl-C: do not wait for it.
    rt.shutdown_background();
    let summary_ = match result {
        Ok(s) => s,
        Err(RunError::Cancelled) => {
            eprintln!("gwk: {}: cancelled before the run started", file.display());
            return Ok(ExitCode::from(EXIT_CANCELLED));
        }
        Err(RunError::Refused(m)) => {
            eprintln!("gwk: cannot run {}: {m}", file.display());
            return Ok(ExitCode::from(2));
        }
        Err(e) => {
            eprintln!("gwk: cannot run {}: {e}", file.display());
            return Ok(ExitCode::from(2));
        }
    };
    let record = &summary_.record;
    if json {
        return Ok(exit_code(record.status));
    }
    println!();
    print!("{}", summary(record));
    let datasets: Vec<String> = record
        .jobs
        .iter()
        .flat_map(|j| j.outputs.iter())
        .filter_map(|o| Some(format!("{}:{}", o.dataset.as_ref()?, o.version.as_ref()?)))
        .collect();
    if !datasets.is_empty() {
        println!("new dataset versions: {}", datasets.join(", "));
    }
    println!(
        "run {} {} in {:.1}s ({})",
        summary_.run_id,
        record.status.as_str(),
        record.duration_secs.unwrap_or(0.0),
        summary_.run_dir.display()
    );
    Ok(exit_code(record.status))
}

fn exit_code(status: RunStatus) -> ExitCode {
    match status {
        RunStatus::Succeeded => ExitCode::SUCCESS,
        RunStatus::Cancelled => ExitCode::from(EXIT_CANCELLED),
        _ => ExitCode::from(1),
    }
}
