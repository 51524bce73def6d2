//! `gwk run FILE`: run a workflow on the local Docker engine.

use crate::cmd::check::Color;
use crate::planning::{PlanArgs, prepare};
use crate::run_input;
use crate::run_view::{Detached, HumanView, Screen, summary};
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

/// Exit status of a cancelled run (128 + SIGINT), as shells report Ctrl-C
/// (also when SIGTERM or SIGHUP cancelled it).
const EXIT_CANCELLED: u8 = 130;

/// Resolves at the next Ctrl-C, SIGTERM or SIGHUP: a CI cancel, `kill`,
/// `timeout` or a closed terminal stop a run as Ctrl-C does.
async fn stop_signal(
    term: &mut Option<tokio::signal::unix::Signal>,
    hup: &mut Option<tokio::signal::unix::Signal>,
) {
    async fn next(s: &mut Option<tokio::signal::unix::Signal>) {
        let received = match s {
            Some(s) => s.recv().await.is_some(),
            None => false,
        };
        if !received {
            std::future::pending::<()>().await;
        }
    }
    tokio::select! {
        r = tokio::signal::ctrl_c() => {
            if r.is_err() {
                std::future::pending::<()>().await;
            }
        }
        () = next(term) => {}
        () = next(hup) => {}
    }
}

/// Refuses a secret too short to be masked: masking a one-character value
/// would replace every occurrence of that character in every log line.
fn check_secret_values(secrets: &gwk_spec::plan::Secrets) -> Result<()> {
    for name in secrets.names() {
        if let Some(v) = secrets.get(name)
            && v.chars().count() < 2
        {
            anyhow::bail!(
                "secret `{name}` is {}: a secret needs at least 2 characters (gwk masks secret values in every log line, and a value this short cannot be told from ordinary text); give it its real value",
                if v.is_empty() {
                    "empty"
                } else {
                    "one character long"
                }
            );
        }
    }
    Ok(())
}

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
    /// Set by `gwk trigger` (not an option): the pushed ref, for the record.
    #[arg(skip)]
    pub triggered_by: Option<String>,
    /// Do not use the job cache (jobs whose inputs and settings did not
    /// change run again).
    #[arg(long)]
    pub no_cache: bool,
    /// Print events instead of the human view: `json` writes one JSON
    /// object per line on stdout (docs/events.md).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub events: Option<EventsFormat>,
    /// At the first job that fails, open a shell in its world (as `gwk runs
    /// shell`) on this terminal; the run waits until the shell ends.
    #[arg(long)]
    pub shell_on_failure: bool,
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
    if let Some(r) = &prepared.deleted_ref {
        eprintln!(
            "gwk: cannot run {}: the event file's push deleted {r}; there is no commit to run",
            file.display()
        );
        return Ok(ExitCode::from(2));
    }
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
    check_secret_values(&prepared.secrets)?;
    let selected = run_input::select(plan, &args.jobs)?;
    let spec_text = std::fs::read_to_string(file).unwrap_or_default();
    let input = run_input::build(
        plan,
        &prepared.secrets,
        &selected,
        &file.display().to_string(),
        &spec_text,
    )?;
    // The dataset versions the run reads cannot be removed while it runs
    // (`gwk datasets rm` refuses them until the hold is dropped).
    let held: Vec<(String, String)> = input
        .jobs
        .iter()
        .flat_map(|j| &j.inputs)
        .filter_map(|i| match &i.source {
            gwk_run::job::InputSource::Dataset { dataset, version } => store
                .resolve(&format!("{dataset}:{version}"))
                .ok()
                .map(|v| (v.dataset, v.id)),
            _ => None,
        })
        .collect();
    let _hold = store.hold(&held)?;
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
    opts.triggered_by = args.triggered_by.clone();
    // gwk.toml `[run] log-limit = "100MB"`: output kept in each job's log.
    if let Some(v) = prepared.config.run.get("log-limit") {
        let text = v
            .as_integer()
            .map(|n| n.to_string())
            .or_else(|| v.as_str().map(str::to_string))
            .unwrap_or_default();
        opts.log_limit = parse_size(&text)
            .ok_or_else(|| anyhow::anyhow!("gwk.toml: `[run] log-limit` must be a size such as \"100MB\", \"2GiB\" or a number of bytes (at least 1KB)"))?;
    }

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
        &input.secret_values,
    ));
    // The screen is fed by a thread of its own: a reader that does not
    // keep up never holds up the run (run_view.rs).
    let screen: Arc<dyn Screen> = if json {
        Arc::new(crate::events_json::JsonEvents)
    } else {
        view.clone()
    };
    let detached = Arc::new(Detached::new(screen));
    if args.shell_on_failure {
        if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
            let (home, jobs, secrets) = (
                opts.home.clone(),
                input.jobs.clone(),
                input.secret_values.clone(),
            );
            let (network, docker_host, view) =
                (args.network.clone(), args.docker_host.clone(), view.clone());
            opts.on_failure = Some(gwk_run::FailureHook(Arc::new(
                move |run: &str, job: &str| {
                    let Some(spec) = jobs.iter().find(|j| j.name == job) else {
                        return;
                    };
                    let opened = view.suspend(|| {
                    eprintln!("gwk: job `{job}` failed; opening a shell in its world (--shell-on-failure); the run waits");
                    crate::cmd::runs_shell::open_in_run(
                        &home,
                        run,
                        spec,
                        &secrets,
                        network.clone(),
                        docker_host.clone(),
                    )
                });
                    if let Err(e) = opened {
                        eprintln!("gwk: cannot open a shell in job `{job}`: {e:#}");
                    }
                },
            )));
        } else {
            eprintln!(
                "gwk: warning: --shell-on-failure needs a terminal (stdin and stdout); no shell will open"
            );
        }
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(async {
        let (tx, rx) = tokio::sync::watch::channel(Control::Run);
        let sink: Arc<dyn EventSink> = detached.clone();
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).ok();
        let mut hup = signal(SignalKind::hangup()).ok();
        tokio::spawn(async move {
            // First Ctrl-C (or SIGTERM, SIGHUP): stop the containers (10 s
            // grace) and clean up. Second: kill them at once. The runner
            // says so, as a `warning` event (on stdout with --events json).
            stop_signal(&mut term, &mut hup).await;
            let _ = tx.send(Control::Stop);
            stop_signal(&mut term, &mut hup).await;
            let _ = tx.send(Control::Kill);
        });
        gwk_run::run(input, opts, sink, rx).await
    });
    detached.close();
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

/// A size from gwk.toml: a number of bytes, or a number with a unit
/// (`KB`, `MB`, `GB`: powers of 1000; `KiB`, `MiB`, `GiB`: of 1024). At
/// least 1 KB.
pub fn parse_size(text: &str) -> Option<u64> {
    let s = text.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" | "k" => 1000,
        "mb" | "m" => 1000 * 1000,
        "gb" | "g" => 1000 * 1000 * 1000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult).filter(|&n| n >= 1000)
}

fn exit_code(status: RunStatus) -> ExitCode {
    match status {
        RunStatus::Succeeded => ExitCode::SUCCESS,
        RunStatus::Cancelled => ExitCode::from(EXIT_CANCELLED),
        _ => ExitCode::from(1),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_have_units_and_a_floor() {
        use super::parse_size;
        assert_eq!(parse_size("100MB"), Some(100_000_000));
        assert_eq!(parse_size("2 GiB"), Some(2 << 30));
        assert_eq!(parse_size("5000"), Some(5000));
        assert_eq!(parse_size("10"), None, "below 1 KB");
        assert_eq!(parse_size("1TB"), None);
        assert_eq!(parse_size("MB"), None);
    }
}
