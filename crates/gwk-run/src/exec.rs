//! Running one job: mounts, environment, the action itself, then its
//! outputs checked and kept (a dataset version committed only now).

use crate::datasets::{DatasetStore, Staging, VersionSource};
use crate::docker::{
    BindMount, ContainerSpec, Control, Engine, GpuRequest, LABEL_JOB, LABEL_RUN, OutputStream,
    StopReason,
};
use crate::events::{Event, EventSink, JobStatus};
use crate::fsutil;
use crate::git;
use crate::gpu::Grant;
use crate::ids;
use crate::job::{ActionSpec, InputSource, JobSpec, OutputKind};
use crate::redact::Redactor;
use crate::rundir::{OutputRecord, RunDir};
use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// The largest string output gwk accepts (Gradient passed strings as
/// parameters; a big file belongs in a volume or dataset).
pub const MAX_STRING_OUTPUT: u64 = 1024 * 1024;

/// What every job of a run shares.
pub(crate) struct Ctx {
    pub engine: Option<Engine>,
    pub store: DatasetStore,
    pub dir: RunDir,
    pub redactor: Redactor,
    pub sink: Arc<dyn EventSink>,
    pub events_file: Mutex<Option<fs::File>>,
    pub network: Option<String>,
    /// Outputs of finished jobs, by (job, output).
    pub produced: Mutex<HashMap<(String, String), OutputRecord>>,
}

impl Ctx {
    /// Sends an event to the caller and appends it to the run's
    /// `events.jsonl`. Text that may carry a secret is masked by the
    /// caller before this point.
    pub fn emit(&self, event: Event) {
        if let Ok(mut f) = self.events_file.lock()
            && let Some(f) = f.as_mut()
            && let Ok(mut line) = serde_json::to_vec(&event)
        {
            line.push(b'\n');
            let _ = f.write_all(&line);
        }
        self.sink.emit(&event);
    }
}

/// How one job ended.
#[derive(Debug)]
pub(crate) struct JobOutcome {
    pub status: JobStatus,
    pub exit_code: Option<i64>,
    pub message: Option<String>,
    pub outputs: Vec<OutputRecord>,
    pub container: Option<String>,
}

impl JobOutcome {
    fn failed(message: String) -> JobOutcome {
        JobOutcome {
            status: JobStatus::Failed,
            exit_code: None,
            message: Some(message),
            outputs: Vec::new(),
            container: None,
        }
    }
}

/// Where each output is written on the host during the job.
struct OutputPlaces {
    /// Host directory mounted at `/outputs`.
    root: PathBuf,
    /// Dataset outputs: their staging directories, by output name.
    staging: HashMap<String, Staging>,
}

impl OutputPlaces {
    fn host_path(&self, name: &str) -> PathBuf {
        match self.staging.get(name) {
            Some(s) => s.path.clone(),
            None => self.root.join(name),
        }
    }
}

pub(crate) async fn run_job(
    ctx: Arc<Ctx>,
    job: JobSpec,
    grant: Grant,
    deadline: Option<Instant>,
    control: watch::Receiver<Control>,
) -> JobOutcome {
    let job_dir = ctx.dir.job_dir(&job.name);
    let places = match prepare_outputs(&ctx, &job) {
        Ok(p) => p,
        Err(e) => return JobOutcome::failed(ctx.redactor.redact(&e)),
    };
    let log = match JobLog::open(&ctx, &job.name) {
        Ok(l) => Arc::new(l),
        Err(e) => {
            discard(&ctx.store, places);
            return JobOutcome::failed(e);
        }
    };
    let mut outcome = match &job.action {
        ActionSpec::Container { .. } => {
            run_container_job(&ctx, &job, &places, &grant, log.clone(), deadline, control).await
        }
        ActionSpec::GitCheckout {
            url,
            git_ref,
            path,
            username,
            password,
        } => {
            let dest = match checkout_dest(&job, &places, path.as_deref()) {
                Ok(d) => d,
                Err(e) => {
                    discard(&ctx.store, places);
                    return JobOutcome::failed(e);
                }
            };
            let _ = fs::create_dir_all(&dest);
            let c = git::Checkout {
                url,
                git_ref: git_ref.as_deref(),
                username: username.as_deref(),
                password: password.as_deref(),
                dest: &dest,
                scratch: &job_dir,
            };
            let l = log.clone();
            let line = move |s: &str| l.line(OutputStream::Stderr, s);
            let work = git::checkout(&c, &line);
            let mut control = control;
            let far = Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600);
            tokio::select! {
                r = work => match r {
                    Ok(()) => JobOutcome { status: JobStatus::Succeeded, exit_code: Some(0), message: None, outputs: Vec::new(), container: None },
                    Err(e) => JobOutcome::failed(ctx.redactor.redact(&e.0)),
                },
                _ = tokio::time::sleep_until(deadline.unwrap_or(far)), if deadline.is_some() => JobOutcome {
                    status: JobStatus::TimedOut, exit_code: None, message: Some("timed out during git checkout".into()), outputs: Vec::new(), container: None,
                },
                _ = async { while control.changed().await.is_ok() { if *control.borrow() != Control::Run { return; } } std::future::pending::<()>().await } => JobOutcome {
                    status: JobStatus::Cancelled, exit_code: None, message: Some("cancelled".into()), outputs: Vec::new(), container: None,
                },
            }
        }
        ActionSpec::Unsupported { reason, .. } => JobOutcome::failed(reason.clone()),
    };
    log.flush();
    if outcome.status == JobStatus::Succeeded {
        match collect_outputs(&ctx, &job, places) {
            Ok(outputs) => outcome.outputs = outputs,
            Err(e) => {
                outcome.status = JobStatus::Failed;
                outcome.message = Some(ctx.redactor.redact(&e));
            }
        }
    } else {
        discard(&ctx.store, places);
    }
    outcome
}

fn discard(store: &DatasetStore, places: OutputPlaces) {
    for (_, s) in places.staging {
        store.discard(s);
    }
}

fn prepare_outputs(ctx: &Ctx, job: &JobSpec) -> Result<OutputPlaces, String> {
    let root = ctx.dir.job_outputs(&job.name);
    fs::create_dir_all(&root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    let mut places = OutputPlaces {
        root: root.clone(),
        staging: HashMap::new(),
    };
    for o in &job.outputs {
        match &o.kind {
            OutputKind::Volume => {
                let p = root.join(&o.name);
                if let Err(e) = fs::create_dir_all(&p) {
                    discard(&ctx.store, places);
                    return Err(format!("cannot create {}: {e}", p.display()));
                }
            }
            OutputKind::String => {}
            OutputKind::Dataset { dataset } => match ctx.store.stage(dataset) {
                Ok(s) => {
                    places.staging.insert(o.name.clone(), s);
                }
                Err(e) => {
                    discard(&ctx.store, places);
                    return Err(e.to_string());
                }
            },
        }
    }
    Ok(places)
}

/// The host directory a git checkout writes to.
fn checkout_dest(
    job: &JobSpec,
    places: &OutputPlaces,
    path: Option<&str>,
) -> Result<PathBuf, String> {
    let dirs: Vec<&str> = job
        .outputs
        .iter()
        .filter(|o| !matches!(o.kind, OutputKind::String))
        .map(|o| o.name.as_str())
        .collect();
    match path {
        None => match dirs.as_slice() {
            [one] => Ok(places.host_path(one)),
            [] => Err("git-checkout@v1 needs a volume or dataset output to clone into".into()),
            _ => {
                Err("git-checkout@v1 with several outputs needs `path` (e.g. /outputs/repo)".into())
            }
        },
        Some(p) => {
            let rest = p.trim_start_matches("/outputs/").trim_start_matches('/');
            let mut parts = rest.splitn(2, '/');
            let name = parts.next().unwrap_or("");
            if !dirs.contains(&name) {
                return Err(format!(
                    "git-checkout@v1 `path: {p}` is not under an output of the job (/outputs/<name>)"
                ));
            }
            let sub = parts.next().unwrap_or("");
            if sub.split('/').any(|c| c == "..") {
                return Err(format!("git-checkout@v1 `path: {p}` leaves its output"));
            }
            Ok(places.host_path(name).join(sub))
        }
    }
}

async fn run_container_job(
    ctx: &Ctx,
    job: &JobSpec,
    places: &OutputPlaces,
    grant: &Grant,
    log: Arc<JobLog>,
    deadline: Option<Instant>,
    control: watch::Receiver<Control>,
) -> JobOutcome {
    let ActionSpec::Container {
        image,
        entrypoint,
        cmd,
    } = &job.action
    else {
        unreachable!("called for container actions only")
    };
    let Some(engine) = ctx.engine.as_ref() else {
        return JobOutcome::failed("no Docker engine".into());
    };
    let mut binds = vec![BindMount {
        source: places.root.display().to_string(),
        target: "/outputs".into(),
        read_only: false,
    }];
    for (name, s) in &places.staging {
        binds.push(BindMount {
            source: s.path.display().to_string(),
            target: format!("/outputs/{name}"),
            read_only: false,
        });
    }
    match input_binds(ctx, job) {
        Ok(b) => binds.extend(b),
        Err(e) => return JobOutcome::failed(e),
    }
    let mut env: Vec<String> = job.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    env.push(format!("GWK_RUN_ID={}", ctx.dir.id));
    env.push(format!("GWK_JOB_NAME={}", job.name));
    let name = ids::container_name(&ctx.dir.id, &job.name);
    let spec = ContainerSpec {
        name: name.clone(),
        image: image.clone(),
        entrypoint: entrypoint.clone(),
        cmd: cmd.clone(),
        env,
        labels: HashMap::from([
            (LABEL_RUN.to_string(), ctx.dir.id.clone()),
            (LABEL_JOB.to_string(), job.name.clone()),
        ]),
        binds,
        gpus: match grant {
            Grant::Nothing => GpuRequest::None,
            Grant::Count(n) => GpuRequest::Count(*n),
            Grant::Devices(d) => GpuRequest::Devices(d.clone()),
        },
        network: ctx.network.clone(),
    };
    let l = log.clone();
    let sink = Arc::new(move |s: OutputStream, line: &str| l.line(s, line));
    match engine.run_container(&spec, sink, deadline, control).await {
        Err(e) => JobOutcome {
            container: Some(name),
            ..JobOutcome::failed(ctx.redactor.redact(&e.to_string()))
        },
        Ok(exit) => {
            let (status, message) = match exit.stopped {
                Some(StopReason::Cancelled) => {
                    (JobStatus::Cancelled, Some("cancelled".to_string()))
                }
                Some(StopReason::Timeout) => (
                    JobStatus::TimedOut,
                    Some(format!("timed out; stopped (exit code {})", exit.exit_code)),
                ),
                None if exit.oom_killed => (
                    JobStatus::Failed,
                    Some("killed: out of memory (OOM)".to_string()),
                ),
                None if exit.exit_code != 0 => (
                    JobStatus::Failed,
                    Some(format!("exit code {}", exit.exit_code)),
                ),
                None => (JobStatus::Succeeded, None),
            };
            JobOutcome {
                status,
                exit_code: Some(exit.exit_code),
                message,
                outputs: Vec::new(),
                container: Some(name),
            }
        }
    }
}

fn input_binds(ctx: &Ctx, job: &JobSpec) -> Result<Vec<BindMount>, String> {
    let mut out = Vec::new();
    for input in &job.inputs {
        let source = match &input.source {
            InputSource::String { value } => {
                let dir = ctx.dir.job_dir(&job.name).join("inputs");
                fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let f = dir.join(&input.name);
                fs::write(&f, value).map_err(|e| format!("cannot write {}: {e}", f.display()))?;
                f
            }
            InputSource::Dataset { dataset, version } => {
                ctx.store
                    .resolve(&format!("{dataset}:{version}"))
                    .map_err(|e| format!("input `{}`: {e}", input.name))?
                    .path
            }
            InputSource::JobOutput { job: from, output } => {
                let produced = ctx.produced.lock().expect("lock");
                let rec = produced
                    .get(&(from.clone(), output.clone()))
                    .ok_or_else(|| {
                        format!(
                            "input `{}`: job `{from}` left no output `{output}`",
                            input.name
                        )
                    })?;
                PathBuf::from(&rec.path)
            }
        };
        out.push(BindMount {
            source: source.display().to_string(),
            target: format!("/inputs/{}", input.name),
            read_only: true,
        });
    }
    Ok(out)
}

/// Checks and keeps a succeeded job's outputs; commits its datasets.
fn collect_outputs(
    ctx: &Ctx,
    job: &JobSpec,
    mut places: OutputPlaces,
) -> Result<Vec<OutputRecord>, String> {
    // Check everything before committing anything: a job whose string
    // output is wrong adds no dataset version.
    if let Err(e) = check_string_outputs(job, &places.root) {
        discard(&ctx.store, places);
        return Err(e);
    }
    let mut records = Vec::new();
    for o in &job.outputs {
        let record = match &o.kind {
            OutputKind::String => {
                let p = places.root.join(&o.name);
                let bytes =
                    fs::read(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
                let value = ctx.redactor.redact(&String::from_utf8_lossy(&bytes));
                OutputRecord {
                    name: o.name.clone(),
                    kind: "string".into(),
                    path: p.display().to_string(),
                    hash: format!("sha256:{}", fsutil::sha256_hex(&bytes)),
                    value: Some(value),
                    ..Default::default()
                }
            }
            OutputKind::Volume => {
                let p = places.root.join(&o.name);
                let summary = fsutil::hash_tree(&p)
                    .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
                OutputRecord {
                    name: o.name.clone(),
                    kind: "volume".into(),
                    path: p.display().to_string(),
                    hash: summary.hash,
                    ..Default::default()
                }
            }
            OutputKind::Dataset { dataset } => {
                let staging = places
                    .staging
                    .remove(&o.name)
                    .expect("staged before the job");
                let info = ctx
                    .store
                    .commit(
                        staging,
                        VersionSource {
                            run: Some(ctx.dir.id.clone()),
                            job: Some(job.name.clone()),
                            output: Some(o.name.clone()),
                            imported_from: None,
                        },
                    )
                    .map_err(|e| e.to_string())?;
                let path = ctx
                    .store
                    .root()
                    .join(dataset)
                    .join("versions")
                    .join(&info.id);
                OutputRecord {
                    name: o.name.clone(),
                    kind: "dataset".into(),
                    path: path.display().to_string(),
                    hash: info.hash,
                    dataset: Some(dataset.clone()),
                    version: Some(info.id),
                    value: None,
                }
            }
        };
        ctx.emit(Event::OutputCommitted {
            job: job.name.clone(),
            output: record.name.clone(),
            kind: o.kind.as_str(),
            dataset: record.dataset.clone(),
            version: record.version.clone(),
            value: record.value.clone(),
            hash: record.hash.clone(),
        });
        records.push(record);
    }
    Ok(records)
}

/// A job's log: each line masked, saved to `jobs/<job>/log` and sent as an
/// event.
pub(crate) struct JobLog {
    ctx: Arc<Ctx>,
    job: String,
    file: Mutex<std::io::BufWriter<fs::File>>,
}

impl JobLog {
    fn open(ctx: &Arc<Ctx>, job: &str) -> Result<JobLog, String> {
        let path = ctx.dir.job_log(job);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        Ok(JobLog {
            ctx: ctx.clone(),
            job: job.to_string(),
            file: Mutex::new(std::io::BufWriter::new(file)),
        })
    }

    fn line(&self, stream: OutputStream, line: &str) {
        let line = self.ctx.redactor.redact(line);
        if let Ok(mut f) = self.file.lock() {
            let _ = writeln!(f, "{line}");
        }
        self.ctx.emit(Event::Log {
            job: self.job.clone(),
            stream: match stream {
                OutputStream::Stdout => "stdout",
                OutputStream::Stderr => "stderr",
            },
            line,
        });
    }

    fn flush(&self) {
        if let Ok(mut f) = self.file.lock() {
            let _ = f.flush();
        }
    }
}

fn check_string_outputs(job: &JobSpec, root: &Path) -> Result<(), String> {
    for o in &job.outputs {
        if let OutputKind::String = o.kind {
            let p = root.join(&o.name);
            let meta = fs::symlink_metadata(&p).map_err(|_| {
                format!(
                    "the job wrote no string output: /outputs/{} is missing",
                    o.name
                )
            })?;
            if !meta.is_file() {
                return Err(format!(
                    "string output /outputs/{} is not a regular file",
                    o.name
                ));
            }
            if meta.len() > MAX_STRING_OUTPUT {
                return Err(format!(
                    "string output /outputs/{} is {} bytes; a string output may hold at most 1 MiB (use a volume or dataset output for files)",
                    o.name,
                    meta.len()
                ));
            }
        }
    }
    Ok(())
}
