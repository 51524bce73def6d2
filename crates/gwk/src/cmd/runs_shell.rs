//! `gwk runs shell RUN JOB`: a shell (bash, else sh) in a new container
//! with the job's world: its image, environment (secrets included, read
//! again as for `gwk run`: they are never stored), `/inputs` read-only from
//! the data the job saw, and `/outputs` as a copy of what it left, so
//! nothing done in the shell changes the run's records. `--command CMD`
//! runs one command there instead. The container carries gwk's labels and
//! is removed when the shell ends (`gwk gc` removes it if gwk died).

use crate::planning::{PlanArgs, prepare};
use anyhow::{Context, Result, bail};
use gwk_run::datasets::DatasetStore;
use gwk_run::docker::{
    BindMount, ContainerSpec, Control, Engine, GpuRequest, LABEL_HOME, LABEL_JOB, LABEL_RUN,
    OutputStream, PullPolicy, owner_labels,
};
use gwk_run::job::{ActionSpec, InputSource, JobSpec};
use gwk_run::redact::{Redactor, StoreKey};
use gwk_run::rundir::{RunDir, RunRecord};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// The label that marks a shell's container (besides the run's labels).
pub const LABEL_SHELL: &str = "gwk.shell";

/// Where the job's script is in the shell (as in the job's container).
const SCRIPT_PATH: &str = "/.gwk/script";

/// Starts bash when the image has it, else sh.
const SHELL: &str = "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi";

#[derive(clap::Args, Clone)]
pub struct Args {
    /// A run id, a unique prefix of one, or `last`.
    pub id: String,
    /// The job whose world the shell gets.
    pub job: String,
    /// Run this command (with `sh -c`) instead of an interactive shell; its
    /// exit status is gwk's.
    #[arg(long, value_name = "CMD")]
    pub command: Option<String>,
    /// The workflow file (default: the run's, as it was named).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub plan: PlanArgs,
    /// The network of the container (default: the engine's default bridge).
    #[arg(long, value_name = "NAME")]
    pub network: Option<String>,
    /// The Docker engine (default: $DOCKER_HOST, else unix:///var/run/docker.sock).
    #[arg(long, value_name = "URL")]
    pub docker_host: Option<String>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let home = crate::cmd::gwk_home()?;
    let dir = crate::cmd::runs::find_run(&home, &args.id)?;
    let record = dir.read_record()?;
    if record.job(&args.job).is_none() {
        bail!("run {} has no job `{}`", record.id, args.job);
    }
    let file = args
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(&record.file));
    let store = DatasetStore::new(&home);
    let Some(prepared) = prepare(&file, &args.plan, &store)? else {
        return Ok(ExitCode::from(1));
    };
    if !prepared.plan.missing.is_empty() {
        let names: Vec<String> = prepared
            .plan
            .missing
            .iter()
            .map(|m| format!("{:?} `{}`", m.kind, m.name))
            .collect();
        bail!(
            "cannot open a shell for {}: the workflow lacks {} (give them as for gwk run)",
            args.job,
            names.join(", ")
        );
    }
    let selected = crate::run_input::select(&prepared.plan, std::slice::from_ref(&args.job))?;
    let input = crate::run_input::build(
        &prepared.plan,
        &prepared.secrets,
        &selected,
        &file.display().to_string(),
        "",
    )?;
    let job = input
        .jobs
        .iter()
        .find(|j| j.name == args.job)
        .context("the job is not in the plan")?
        .clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let code = rt.block_on(open(
        &home,
        &dir,
        &record,
        &job,
        &input.secret_values,
        &args,
    ))?;
    rt.shutdown_background();
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}

/// `gwk run --shell-on-failure`: the shell in the job that just failed,
/// from inside the run (on its runtime, which waits meanwhile).
pub fn open_in_run(
    home: &Path,
    run_id: &str,
    job: &JobSpec,
    secrets: &[String],
    network: Option<String>,
    docker_host: Option<String>,
) -> Result<i64> {
    let dir = RunDir::open(home, run_id).with_context(|| format!("run {run_id} has no record"))?;
    let record = dir.read_record()?;
    let args = Args {
        id: run_id.to_string(),
        job: job.name.clone(),
        command: None,
        file: None,
        plan: PlanArgs::default(),
        network,
        docker_host,
    };
    tokio::runtime::Handle::current().block_on(open(home, &dir, &record, job, secrets, &args))
}

/// Opens the shell (or runs `--command`); the exit code of what ran.
async fn open(
    home: &Path,
    dir: &RunDir,
    record: &RunRecord,
    job: &JobSpec,
    secrets: &[String],
    args: &Args,
) -> Result<i64> {
    let ActionSpec::Container {
        image,
        entrypoint,
        cmd,
    } = &job.action
    else {
        bail!(
            "job `{}` runs no container (it is a host action: git-checkout, s3-download or create-model): there is no world to open a shell in",
            job.name
        );
    };
    let engine = Engine::connect(args.docker_host.as_deref()).await?;
    engine
        .ensure_image(image, PullPolicy::Missing, &mut |_| {})
        .await?;
    let redactor = Redactor::new(secrets);
    warn_if_changed(home, &engine, record, job, &redactor).await;

    // The scratch directory: the copy of the outputs, string inputs, the
    // script. Removed when the shell ends.
    let shells = home.join("shells");
    std::fs::create_dir_all(&shells)
        .with_context(|| format!("cannot create {}", shells.display()))?;
    let scratch = tempfile::Builder::new()
        .prefix("shell-")
        .tempdir_in(&shells)
        .with_context(|| format!("cannot create a directory under {}", shells.display()))?;
    let outputs = scratch.path().join("outputs");
    let left = dir.job_outputs(&job.name);
    if left.is_dir() {
        gwk_run::fsutil::copy_tree(&left, &outputs)
            .with_context(|| format!("cannot copy {}", left.display()))?;
    }
    std::fs::create_dir_all(&outputs)?;
    for o in &job.outputs {
        if !matches!(o.kind, gwk_run::job::OutputKind::String) {
            std::fs::create_dir_all(outputs.join(&o.name))?;
        }
    }
    let mut binds = vec![BindMount {
        source: outputs.display().to_string(),
        target: "/outputs".into(),
        read_only: false,
    }];
    binds.extend(input_binds(home, record, job, scratch.path())?);
    let script = match entrypoint.as_deref() {
        Some([a, b, c, s]) if cmd.is_none() && [a, b, c] == gwk_spec::plan::SCRIPT_SHELL => {
            let p = scratch.path().join("script");
            std::fs::write(&p, s)?;
            binds.push(BindMount {
                source: p.display().to_string(),
                target: SCRIPT_PATH.into(),
                read_only: true,
            });
            true
        }
        _ => false,
    };
    let mut env: Vec<String> = job.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    env.push(format!("GWK_RUN_ID={}", record.id));
    env.push(format!("GWK_JOB_NAME={}", job.name));
    let name = format!(
        "gwk-shell-{}",
        gwk_run::ids::container_name(&record.id, &job.name)
            .trim_start_matches("gwk-")
            .chars()
            .take(80)
            .collect::<String>()
    ) + "-"
        + &gwk_run::ids::random_hex(3);
    let entry = match &args.command {
        Some(c) => vec!["sh".to_string(), "-c".into(), c.clone()],
        None => vec!["sh".to_string(), "-c".into(), SHELL.into()],
    };
    let spec = ContainerSpec {
        name,
        image: image.clone(),
        entrypoint: Some(entry),
        cmd: None,
        env,
        labels: HashMap::from([
            (LABEL_RUN.to_string(), record.id.clone()),
            (LABEL_JOB.to_string(), job.name.clone()),
            (LABEL_HOME.to_string(), gwk_run::gc::home_label(home)),
            (LABEL_SHELL.to_string(), "1".to_string()),
        ])
        .into_iter()
        .chain(owner_labels())
        .collect(),
        binds,
        gpus: GpuRequest::None,
        network: args.network.clone(),
        memory: job.memory_bytes,
    };
    let code = match &args.command {
        Some(_) => {
            // Output masked as a job's log is: a script's output is no
            // place for a secret.
            let sink = Arc::new(move |s: OutputStream, line: &str| {
                let line = redactor.redact_line(line);
                match s {
                    OutputStream::Stdout => println!("{line}"),
                    OutputStream::Stderr => eprintln!("{line}"),
                }
            });
            let (tx, rx) = tokio::sync::watch::channel(Control::Run);
            let signals = tokio::spawn(async move {
                stop_signal().await;
                let _ = tx.send(Control::Kill);
            });
            let ran = engine.run_container(&spec, sink, None, rx).await;
            signals.abort();
            engine.finish_removals().await;
            ran?.exit_code
        }
        None => {
            eprintln!(
                "gwk: a shell in job `{}` of run {} (image {image}): /inputs read-only, /outputs a copy of what the job left{}; exit the shell to end it",
                job.name,
                record.id,
                if script {
                    format!(", the job's script in {SCRIPT_PATH} (bash -e {SCRIPT_PATH} runs it)")
                } else {
                    String::new()
                }
            );
            engine.run_interactive(&spec, stop_signal()).await?
        }
    };
    drop(scratch);
    Ok(code)
}

/// Resolves at Ctrl-C (when it reaches gwk), SIGTERM or SIGHUP.
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).ok();
    let mut hup = signal(SignalKind::hangup()).ok();
    async fn next(s: Option<&mut tokio::signal::unix::Signal>) {
        match s {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    }
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = next(term.as_mut()) => {}
        () = next(hup.as_mut()) => {}
    }
}

/// The job's inputs as it saw them, read-only: other jobs' outputs from
/// the run's record, dataset versions from the store, strings as files.
fn input_binds(
    home: &Path,
    record: &RunRecord,
    job: &JobSpec,
    scratch: &Path,
) -> Result<Vec<BindMount>> {
    let store = DatasetStore::new(home);
    let mut out = Vec::new();
    for i in &job.inputs {
        let source = match &i.source {
            InputSource::String { value } => {
                let d = scratch.join("inputs");
                std::fs::create_dir_all(&d)?;
                let f = d.join(&i.name);
                std::fs::write(&f, value)?;
                f
            }
            InputSource::Dataset { dataset, version } => {
                dataset_the_job_read(&store, record, job, &i.name, dataset, version)?
            }
            InputSource::JobOutput { job: from, output } => {
                let o = record
                    .job(from)
                    .and_then(|j| j.outputs.iter().find(|o| &o.name == output))
                    .with_context(|| {
                        format!(
                            "input `{}`: job `{from}` left no output `{output}` in run {}",
                            i.name, record.id
                        )
                    })?;
                PathBuf::from(&o.path)
            }
        };
        if !source.exists() {
            bail!("input `{}`: {} is gone", i.name, source.display());
        }
        out.push(BindMount {
            source: source.display().to_string(),
            target: format!("/inputs/{}", i.name),
            read_only: true,
        });
    }
    Ok(out)
}

/// The dataset version a job read: the one the workflow names now, unless
/// the run's record holds another content hash for the input (`latest`
/// moved since): then the version with that hash.
fn dataset_the_job_read(
    store: &DatasetStore,
    record: &RunRecord,
    job: &JobSpec,
    input: &str,
    dataset: &str,
    version: &str,
) -> Result<PathBuf> {
    let now = store
        .resolve(&format!("{dataset}:{version}"))
        .with_context(|| format!("input `{input}`"))?;
    let Some(seen) = record
        .job(&job.name)
        .and_then(|j| j.key_parts.as_ref())
        .and_then(|k| k.inputs.get(input))
    else {
        return Ok(now.path);
    };
    if store
        .version_info(dataset, &now.id)
        .is_ok_and(|v| &v.hash == seen)
    {
        return Ok(now.path);
    }
    let then = store
        .versions(dataset)
        .unwrap_or_default()
        .into_iter()
        .find(|v| &v.hash == seen)
        .with_context(|| {
            format!(
                "input `{input}`: the version of dataset {dataset} that job `{}` read (content {seen}) is no longer in the store",
                job.name
            )
        })?;
    Ok(store.resolve(&format!("{dataset}:{}", then.id))?.path)
}

/// Says on stderr when the job, as the workflow defines it now, differs
/// from the job that ran (the shell gets the job as it is now).
async fn warn_if_changed(
    home: &Path,
    engine: &Engine,
    record: &RunRecord,
    job: &JobSpec,
    redactor: &Redactor,
) {
    let Some(old) = record.job(&job.name).and_then(|j| j.key_parts.clone()) else {
        return;
    };
    let Ok(key) = StoreKey::load_or_create(home) else {
        return;
    };
    let mut ids = HashMap::new();
    if let Some(image) = job.action.image()
        && let Ok(Some(id)) = engine.image_id(image).await
    {
        ids.insert(image.to_string(), id);
    }
    let store = DatasetStore::new(home);
    let now = gwk_run::why::KeyRecord::of(
        job,
        &ids,
        |i| match &i.source {
            InputSource::String { value } => Some(format!(
                "sha256:{}",
                gwk_run::fsutil::sha256_hex(value.as_bytes())
            )),
            InputSource::Dataset { dataset, version } => {
                store.version_info(dataset, version).ok().map(|v| v.hash)
            }
            InputSource::JobOutput { job, output } => record
                .job(job)?
                .outputs
                .iter()
                .find(|o| &o.name == output)
                .map(|o| o.hash.clone()),
        },
        redactor,
        &key,
    );
    // The inputs are those the job read, whatever the workflow says now.
    let changes: Vec<_> = gwk_run::why::diff(&old, &now)
        .into_iter()
        .filter(|c| !matches!(c, gwk_run::why::Change::Input { .. }))
        .collect();
    if !changes.is_empty() {
        eprintln!(
            "gwk: warning: the workflow changed since run {}: {} (the shell gets the job as it is now; see gwk runs why)",
            record.id,
            gwk_run::why::Change::summary(&changes)
        );
    }
}
