//! Running one job: mounts, environment, the action itself, then its
//! outputs checked and kept (a dataset version committed only now).

use crate::cache::{self, Cache, CacheEntry};
use crate::datasets::{DatasetStore, Staging, VersionSource};
use crate::docker::{
    BindMount, ContainerSpec, Control, Engine, GpuRequest, LABEL_HOME, LABEL_JOB, LABEL_RUN,
    OutputStream, StopReason, owner_labels,
};
use crate::events::{Event, EventSink, JobStatus};
use crate::fsutil;
use crate::git;
use crate::gpu::Grant;
use crate::ids;
use crate::job::{ActionSpec, InputSource, JobSpec, OutputKind, OutputSpec};
use crate::models::{self, ModelStore};
use crate::redact::{Redactor, StoreKey};
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

/// The output of a job kept in its log by default: 100 MiB (gwk.toml
/// `[run] log-limit`); beyond it the first and last halves are kept.
pub const DEFAULT_LOG_LIMIT: u64 = 100 << 20;

/// What every job of a run shares.
pub(crate) struct Ctx {
    pub engine: Option<Engine>,
    pub store: DatasetStore,
    pub dir: RunDir,
    pub redactor: Redactor,
    pub sink: Arc<dyn EventSink>,
    pub events_file: Mutex<Option<fs::File>>,
    pub network: Option<String>,
    /// The job cache; `None` with `--no-cache`.
    pub cache: Option<Cache>,
    pub models: ModelStore,
    /// The `gwk.home` label of this run's containers.
    pub home_label: String,
    /// Image ids (`sha256:...`) by image reference, for cache keys.
    pub image_ids: HashMap<String, String>,
    /// Outputs of finished jobs, by (job, output).
    pub produced: Mutex<HashMap<(String, String), OutputRecord>>,
    /// Bytes of output kept in each job's log.
    pub log_limit: u64,
}

impl Ctx {
    /// Sends an event to the caller and appends it to the run's
    /// `events.jsonl` — but for `log` events: job output is kept once, in
    /// the job's log file. Text that may carry a secret is masked by the
    /// caller before this point.
    pub fn emit(&self, event: Event) {
        if !matches!(event, Event::Log { .. })
            && let Ok(mut f) = self.events_file.lock()
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
    pub cache_key: Option<String>,
}

impl JobOutcome {
    pub(crate) fn failed(message: String) -> JobOutcome {
        JobOutcome {
            status: JobStatus::Failed,
            exit_code: None,
            message: Some(message),
            outputs: Vec::new(),
            container: None,
            cache_key: None,
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

/// What may spare a job from running.
#[derive(Clone, Debug, Default)]
pub(crate) struct Reuse {
    /// `--resume`: the run resumed and the outputs its job left there.
    pub resume: Option<(String, Vec<OutputRecord>)>,
    /// The job's key (cache.rs), when it is known; kept in the record.
    pub key: Option<String>,
    /// Whether the job cache applies to the job (looked up, then stored).
    pub use_cache: bool,
}

pub(crate) async fn run_job(
    ctx: Arc<Ctx>,
    job: JobSpec,
    grant: Grant,
    deadline: Option<Instant>,
    control: watch::Receiver<Control>,
    reuse: Reuse,
) -> JobOutcome {
    let mut outcome = run_fresh(&ctx, &job, grant, deadline, control).await;
    if outcome.status == JobStatus::Succeeded
        && reuse.use_cache
        && let (Some(key), Some(cache)) = (&reuse.key, &ctx.cache)
    {
        let _ = cache.store(&CacheEntry {
            key: key.clone(),
            run: ctx.dir.id.clone(),
            job: job.name.clone(),
            created: crate::events::now(),
            outputs: outcome.outputs.clone(),
        });
    }
    outcome.cache_key = reuse.key;
    outcome
}

/// The outputs of an earlier run of the job, restored when intact.
pub(crate) fn try_reuse(ctx: &Ctx, job: &JobSpec, reuse: &Reuse) -> Option<JobOutcome> {
    let (outputs, message) = if let Some((run, outputs)) = &reuse.resume
        && cache::outputs_intact(outputs)
    {
        (outputs.clone(), format!("reused from run {run}"))
    } else if reuse.use_cache
        && let (Some(key), Some(cache)) = (&reuse.key, &ctx.cache)
        && let Some(entry) = cache.lookup(key)
        && cache::outputs_intact(&entry.outputs)
    {
        (
            entry.outputs,
            format!("cached: same as job {} of run {}", entry.job, entry.run),
        )
    } else {
        return None;
    };
    // Every declared output must be there (the declaration may have changed).
    if job.outputs.iter().any(|o| {
        !outputs
            .iter()
            .any(|r| r.name == o.name && r.kind == o.kind.as_str())
    }) {
        return None;
    }
    let root = ctx.dir.job_outputs(&job.name);
    let mut restored = Vec::new();
    for o in outputs {
        let mut r = o.clone();
        if o.kind != "dataset" {
            let to = root.join(&o.name);
            if fs::create_dir_all(&root).is_err()
                || fsutil::copy_tree(Path::new(&o.path), &to).is_err()
            {
                let _ = fs::remove_dir_all(&root);
                return None;
            }
            r.path = to.display().to_string();
        }
        ctx.emit(Event::OutputCommitted {
            job: job.name.clone(),
            output: r.name.clone(),
            kind: match r.kind.as_str() {
                "string" => "string",
                "dataset" => "dataset",
                _ => "volume",
            },
            dataset: r.dataset.clone(),
            version: r.version.clone(),
            value: r.value.clone(),
            hash: r.hash.clone(),
        });
        restored.push(r);
    }
    Some(JobOutcome {
        status: JobStatus::Cached,
        exit_code: None,
        message: Some(message),
        outputs: restored,
        container: None,
        cache_key: reuse.key.clone(),
    })
}

async fn run_fresh(
    ctx: &Arc<Ctx>,
    job: &JobSpec,
    grant: Grant,
    deadline: Option<Instant>,
    control: watch::Receiver<Control>,
) -> JobOutcome {
    let job_dir = ctx.dir.job_dir(&job.name);
    let places = match prepare_outputs(ctx, job) {
        Ok(p) => p,
        Err(e) => return JobOutcome::failed(ctx.redactor.redact(&e)),
    };
    let log = match JobLog::open(ctx, &job.name) {
        Ok(l) => Arc::new(l),
        Err(e) => {
            discard(&ctx.store, places);
            return JobOutcome::failed(e);
        }
    };
    let flusher = log.spawn_flusher();
    let l = log.clone();
    let line = move |s: &str| l.line(OutputStream::Stderr, s);
    let mut outcome = match &job.action {
        ActionSpec::Container { .. } => {
            run_container_job(ctx, job, &places, &grant, log.clone(), deadline, control).await
        }
        ActionSpec::GitCheckout {
            url,
            git_ref,
            path,
            username,
            password,
        } => match output_dest(job, &places, path.as_deref(), "git-checkout@v1") {
            Err(e) => JobOutcome::failed(e),
            Ok(dest) => {
                let _ = fs::create_dir_all(&dest);
                let c = git::Checkout {
                    url,
                    git_ref: git_ref.as_deref(),
                    username: username.as_deref(),
                    password: password.as_deref(),
                    dest: &dest,
                    scratch: &job_dir,
                };
                let work = async { git::checkout(&c, &line).await.map_err(|e| e.0) };
                host_action(ctx, work, deadline, control).await
            }
        },
        ActionSpec::CreateModel { name, model_type } => {
            let work = async {
                create_model(
                    ctx,
                    job,
                    &places,
                    name.as_deref(),
                    model_type.as_deref(),
                    &line,
                )
            };
            host_action(ctx, work, deadline, control).await
        }
        ActionSpec::S3Download {
            url,
            region,
            endpoint,
            access_key,
            secret_access_key,
            path,
        } => match output_dest(job, &places, path.as_deref(), "s3-download@v1") {
            Err(e) => JobOutcome::failed(e),
            Ok(dest) => {
                let req = crate::s3::Download {
                    url,
                    region: region.as_deref(),
                    endpoint: endpoint.as_deref(),
                    access_key: access_key.as_deref(),
                    secret_access_key: secret_access_key.as_deref(),
                    dest: &dest,
                };
                let work = crate::s3::download(&req, &line);
                host_action(ctx, work, deadline, control).await
            }
        },
        ActionSpec::Unsupported { reason, .. } => JobOutcome::failed(reason.clone()),
    };
    flusher.abort();
    log.finish();
    if outcome.status == JobStatus::Succeeded {
        match collect_outputs(ctx, job, places) {
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

/// Runs an action gwk carries out itself, under the job's deadline and
/// the run's Ctrl-C.
async fn host_action(
    ctx: &Ctx,
    work: impl std::future::Future<Output = Result<(), String>>,
    deadline: Option<Instant>,
    mut control: watch::Receiver<Control>,
) -> JobOutcome {
    let far = Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600);
    let cancelled = async {
        while control.changed().await.is_ok() {
            if *control.borrow() != Control::Run {
                return;
            }
        }
        std::future::pending::<()>().await
    };
    let outcome = |status, message: Option<String>| JobOutcome {
        status,
        exit_code: None,
        message,
        outputs: Vec::new(),
        container: None,
        cache_key: None,
    };
    tokio::select! {
        r = work => match r {
            Ok(()) => JobOutcome { exit_code: Some(0), ..outcome(JobStatus::Succeeded, None) },
            Err(e) => JobOutcome { exit_code: Some(1), ..outcome(JobStatus::Failed, Some(ctx.redactor.redact(&e))) },
        },
        _ = tokio::time::sleep_until(deadline.unwrap_or(far)), if deadline.is_some() => {
            outcome(JobStatus::TimedOut, Some("timed out".into()))
        }
        _ = cancelled => outcome(JobStatus::Cancelled, Some("cancelled".into())),
    }
}

/// create-model@v1: the dataset version behind the `model` input becomes
/// a model; its id goes to the job's string output.
fn create_model(
    ctx: &Ctx,
    job: &JobSpec,
    places: &OutputPlaces,
    name: Option<&str>,
    model_type: Option<&str>,
    log: &(dyn Fn(&str) + Send + Sync),
) -> Result<(), String> {
    let model_type = models::check_type(model_type.unwrap_or(""))?;
    let input = job
        .inputs
        .iter()
        .find(|i| i.name == "model")
        .ok_or("create-model@v1 needs an input named `model` (a dataset)")?;
    let (dataset, version) = match &input.source {
        InputSource::Dataset { dataset, version } => (dataset.clone(), version.clone()),
        InputSource::JobOutput { job: from, output } => {
            let produced = ctx.produced.lock().expect("lock");
            let r = produced
                .get(&(from.clone(), output.clone()))
                .ok_or_else(|| format!("job `{from}` left no output `{output}`"))?;
            match (&r.dataset, &r.version) {
                (Some(d), Some(v)) => (d.clone(), v.clone()),
                _ => {
                    return Err(format!(
                        "create-model@v1: input `model` must be a dataset; `{from}.outputs.{output}` is a {}",
                        r.kind
                    ));
                }
            }
        }
        InputSource::String { .. } => {
            return Err("create-model@v1: input `model` must be a dataset, not a string".into());
        }
    };
    let resolved = ctx
        .store
        .resolve(&format!("{dataset}:{version}"))
        .map_err(|e| e.to_string())?;
    let out = job
        .outputs
        .iter()
        .find(|o| matches!(o.kind, OutputKind::String))
        .ok_or("create-model@v1 needs a string output for the model id")?;
    let model = ctx
        .models
        .register(models::Model {
            id: String::new(),
            name: name.unwrap_or(&job.name).to_string(),
            model_type: model_type.to_string(),
            dataset: dataset.clone(),
            version: resolved.id.clone(),
            path: resolved.path.display().to_string(),
            created: String::new(),
            run: Some(ctx.dir.id.clone()),
            job: Some(job.name.clone()),
        })
        .map_err(|e| format!("cannot register the model: {e}"))?;
    log(&format!(
        "registered model {} ({}, {model_type}) from dataset {dataset}:{}",
        model.id, model.name, resolved.id
    ));
    let f = places.root.join(&out.name);
    fs::write(&f, &model.id).map_err(|e| format!("cannot write {}: {e}", f.display()))
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
            OutputKind::Dataset { dataset, .. } => match ctx.store.stage(dataset) {
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

/// The host directory a git checkout or an S3 download writes to.
fn output_dest(
    job: &JobSpec,
    places: &OutputPlaces,
    path: Option<&str>,
    action: &str,
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
                    "{action} `path: {p}` is not under an output of the job (/outputs/<name>)"
                ));
            }
            let sub = parts.next().unwrap_or("");
            if sub.split('/').any(|c| c == "..") {
                return Err(format!("{action} `path: {p}` leaves its output"));
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
    let entrypoint = match script_file(ctx, job, entrypoint.as_ref(), cmd.as_ref()) {
        Ok(Some((entrypoint, bind))) => {
            binds.push(bind);
            Some(entrypoint)
        }
        Ok(None) => entrypoint.clone(),
        Err(e) => return JobOutcome::failed(e),
    };
    let mut env: Vec<String> = job.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    env.push(format!("GWK_RUN_ID={}", ctx.dir.id));
    env.push(format!("GWK_JOB_NAME={}", job.name));
    let name = ids::container_name(&ctx.dir.id, &job.name);
    let spec = ContainerSpec {
        name: name.clone(),
        image: image.clone(),
        entrypoint,
        cmd: cmd.clone(),
        env,
        labels: HashMap::from([
            (LABEL_RUN.to_string(), ctx.dir.id.clone()),
            (LABEL_JOB.to_string(), job.name.clone()),
            (LABEL_HOME.to_string(), ctx.home_label.clone()),
        ])
        .into_iter()
        .chain(owner_labels())
        .collect(),
        binds,
        gpus: match grant {
            Grant::Nothing => GpuRequest::None,
            Grant::Count(n) => GpuRequest::Count(*n),
            Grant::Devices(d) => GpuRequest::Devices(d.clone()),
        },
        network: ctx.network.clone(),
        memory: job.memory_bytes,
    };
    let l = log.clone();
    let sink = Arc::new(move |s: OutputStream, line: &str| l.line(s, line));
    let ran = engine.run_container(&spec, sink, deadline, control).await;
    // The script may hold literal text the run keeps only masked.
    let _ = fs::remove_file(ctx.dir.job_dir(&job.name).join("script"));
    match ran {
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
                None if exit.oom_killed => (JobStatus::Failed, Some(oom_message(job))),
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
                cache_key: None,
            }
        }
    }
}

/// Where a script@v1 job's script is mounted in its container.
const SCRIPT_PATH: &str = "/.gwk/script";

/// script@v1 runs `bash -e -c SCRIPT` (the plan says so), but one argument
/// is limited to 128 KiB by the kernel: the script goes to the container
/// as a file instead (`jobs/<job>/script`, mounted read-only), run by
/// `bash -e FILE`, so a script of any size runs. `None` for other jobs.
fn script_file(
    ctx: &Ctx,
    job: &JobSpec,
    entrypoint: Option<&Vec<String>>,
    cmd: Option<&Vec<String>>,
) -> Result<Option<(Vec<String>, BindMount)>, String> {
    let shell = gwk_spec::plan::SCRIPT_SHELL;
    let Some([a, b, c, script]) = entrypoint.map(Vec::as_slice) else {
        return Ok(None);
    };
    if cmd.is_some() || [a, b, c] != shell {
        return Ok(None);
    }
    let path = ctx.dir.job_dir(&job.name).join("script");
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(&path, script).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let entrypoint = vec![
        shell[0].to_string(),
        shell[1].to_string(),
        SCRIPT_PATH.into(),
    ];
    Ok(Some((
        entrypoint,
        BindMount {
            source: path.display().to_string(),
            target: SCRIPT_PATH.into(),
            read_only: true,
        },
    )))
}

/// Why an OOM-killed job failed, with the limit when gwk set one.
fn oom_message(job: &JobSpec) -> String {
    match job.memory_bytes {
        Some(m) => format!(
            "killed: out of memory (OOM): the job used more than its {} GiB, the memory of instance type {}",
            m >> 30,
            job.instance_type.as_deref().unwrap_or("?")
        ),
        None => "killed: out of memory (OOM)".to_string(),
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

/// Checks and keeps a succeeded job's outputs; commits its datasets. All
/// or nothing: every output is checked (and every dataset hashed) before
/// the datasets are committed together, so a job with one bad output adds
/// no dataset version.
fn collect_outputs(
    ctx: &Ctx,
    job: &JobSpec,
    mut places: OutputPlaces,
) -> Result<Vec<OutputRecord>, String> {
    let checked = check_string_outputs(job, &places.root).and_then(|()| {
        job.outputs
            .iter()
            .map(|o| check_output(ctx, o, &places.root))
            .collect::<Result<Vec<_>, String>>()
    });
    let mut records = match checked {
        Ok(r) => r,
        Err(e) => {
            discard(&ctx.store, places);
            return Err(e);
        }
    };
    let mut datasets = Vec::new();
    let mut slots = Vec::new();
    for (i, o) in job.outputs.iter().enumerate() {
        if let OutputKind::Dataset { .. } = o.kind {
            let staging = places
                .staging
                .remove(&o.name)
                .expect("staged before the job");
            let source = VersionSource {
                run: Some(ctx.dir.id.clone()),
                job: Some(job.name.clone()),
                output: Some(o.name.clone()),
                imported_from: None,
            };
            datasets.push((staging, source));
            slots.push(i);
        }
    }
    let infos = ctx.store.commit_all(datasets).map_err(|e| e.to_string())?;
    for (i, info) in slots.into_iter().zip(infos) {
        if let OutputKind::Dataset { tag: Some(tag), .. } = &job.outputs[i].kind {
            ctx.store.tag(&info.dataset, tag, &info.id).map_err(|e| {
                format!(
                    "committed {} version {} but cannot tag it `{tag}`: {e}",
                    info.dataset, info.id
                )
            })?;
        }
        let r = &mut records[i];
        r.path = ctx
            .store
            .root()
            .join(&info.dataset)
            .join("versions")
            .join(&info.id)
            .display()
            .to_string();
        r.hash = info.hash;
        r.dataset = Some(info.dataset);
        r.version = Some(info.id);
    }
    for (o, record) in job.outputs.iter().zip(&records) {
        ctx.emit(Event::OutputCommitted {
            job: job.name.clone(),
            output: record.name.clone(),
            kind: o.kind.as_str(),
            dataset: record.dataset.clone(),
            version: record.version.clone(),
            value: record.value.clone(),
            hash: record.hash.clone(),
        });
    }
    Ok(records)
}

/// The record of one output, read and hashed; a dataset's hash, path and
/// version are filled in by its commit.
fn check_output(ctx: &Ctx, o: &OutputSpec, root: &Path) -> Result<OutputRecord, String> {
    let p = root.join(&o.name);
    let record = OutputRecord {
        name: o.name.clone(),
        kind: o.kind.as_str().into(),
        path: p.display().to_string(),
        ..Default::default()
    };
    Ok(match &o.kind {
        OutputKind::String => {
            let bytes = fs::read(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            let text = String::from_utf8_lossy(&bytes);
            let value = ctx.redactor.redact(&text);
            // A plain hash of a value that holds a secret would let anyone
            // who reads the record confirm or brute-force the secret: such
            // a value is hashed with the store's key instead.
            let hash = if value != text {
                StoreKey::load_or_create(ctx.dir.home())
                    .map_err(|e| format!("cannot read the store's hash key: {e}"))?
                    .hash(&bytes)
            } else {
                format!("sha256:{}", fsutil::sha256_hex(&bytes))
            };
            OutputRecord {
                hash,
                value: Some(value),
                ..record
            }
        }
        OutputKind::Volume => {
            let summary =
                fsutil::hash_tree(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            OutputRecord {
                hash: summary.hash,
                ..record
            }
        }
        OutputKind::Dataset { .. } => record,
    })
}

/// How long a line may wait in the log's buffer before it is on disk.
const LOG_FLUSH_EVERY: Duration = Duration::from_millis(200);

/// A job's log: each line masked, saved to `jobs/<job>/log` and sent as an
/// event. The file is written as lines come and flushed at least every
/// [`LOG_FLUSH_EVERY`] (`gwk runs logs --follow` shows them live, and a
/// `kill -9` loses at most that much). At most `Ctx::log_limit` bytes are
/// kept: the first half as it comes; past it, the last half is kept in
/// memory and written after a marker when the job ends. Every line is
/// still sent as an event.
pub(crate) struct JobLog {
    ctx: Arc<Ctx>,
    job: String,
    file: Mutex<LogFile>,
}

struct LogFile {
    out: std::io::BufWriter<fs::File>,
    flushed: std::time::Instant,
    /// Bytes written to the file.
    written: u64,
    /// Past the head: the last lines, and what was dropped between.
    tail: Option<Tail>,
}

#[derive(Default)]
struct Tail {
    lines: std::collections::VecDeque<String>,
    bytes: u64,
    dropped_lines: u64,
    dropped_bytes: u64,
}

impl LogFile {
    fn keep(&mut self, line: &str, limit: u64) {
        let n = line.len() as u64 + 1;
        let head = limit / 2;
        if self.tail.is_none() && self.written + n <= head {
            let _ = writeln!(self.out, "{line}");
            self.written += n;
            if self.flushed.elapsed() >= LOG_FLUSH_EVERY {
                let _ = self.out.flush();
                self.flushed = std::time::Instant::now();
            }
            return;
        }
        let tail = self.tail.get_or_insert_with(Tail::default);
        tail.lines.push_back(line.to_string());
        tail.bytes += n;
        while tail.bytes > limit - head
            && let Some(old) = tail.lines.pop_front()
        {
            let k = old.len() as u64 + 1;
            tail.bytes -= k;
            tail.dropped_lines += 1;
            tail.dropped_bytes += k;
        }
    }

    /// Writes the kept tail after a marker saying what was left out.
    fn finish(&mut self, limit: u64) {
        if let Some(tail) = self.tail.take() {
            if tail.dropped_lines > 0 {
                let _ = writeln!(
                    self.out,
                    "… gwk: {} lines ({} bytes) of output left out here: a job's log keeps at most {limit} bytes, its first and last lines (gwk.toml [run] log-limit)",
                    tail.dropped_lines, tail.dropped_bytes
                );
            }
            for l in &tail.lines {
                let _ = writeln!(self.out, "{l}");
            }
        }
        let _ = self.out.flush();
    }
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
            file: Mutex::new(LogFile {
                out: std::io::BufWriter::new(file),
                flushed: std::time::Instant::now(),
                written: 0,
                tail: None,
            }),
        })
    }

    /// Flushes the log every [`LOG_FLUSH_EVERY`] while the job runs (a
    /// line followed by silence reaches the disk too); abort it after.
    fn spawn_flusher(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let log = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(LOG_FLUSH_EVERY);
            loop {
                tick.tick().await;
                log.flush();
            }
        })
    }

    fn line(&self, stream: OutputStream, line: &str) {
        let line = self.ctx.redactor.redact_line(line);
        if let Ok(mut f) = self.file.lock() {
            f.keep(&line, self.ctx.log_limit.max(2));
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
            let _ = f.out.flush();
            f.flushed = std::time::Instant::now();
        }
    }

    /// The end of the job: the kept tail, and everything on disk.
    fn finish(&self) {
        if let Ok(mut f) = self.file.lock() {
            f.finish(self.ctx.log_limit.max(2));
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

#[cfg(test)]
mod log_tests {
    use super::*;

    #[test]
    fn a_capped_log_keeps_its_head_a_marker_and_its_tail() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("log");
        let mut f = LogFile {
            out: std::io::BufWriter::new(fs::File::create(&p).unwrap()),
            flushed: std::time::Instant::now(),
            written: 0,
            tail: None,
        };
        // 10 bytes a line, 200 bytes kept: 10 lines of head, 10 of tail.
        for i in 0..1000 {
            f.keep(&format!("line {i:04}"), 200);
        }
        f.finish(200);
        let text = fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 10 + 1 + 10, "{text}");
        assert_eq!(lines[0], "line 0000");
        assert_eq!(lines[9], "line 0009");
        assert!(
            lines[10].contains("980 lines (9800 bytes) of output left out"),
            "{}",
            lines[10]
        );
        assert_eq!(lines[11], "line 0990");
        assert_eq!(lines[20], "line 0999");

        // Under the limit, the log is the output, without a marker.
        let q = t.path().join("short");
        let mut f = LogFile {
            out: std::io::BufWriter::new(fs::File::create(&q).unwrap()),
            flushed: std::time::Instant::now(),
            written: 0,
            tail: None,
        };
        f.keep("a", 200);
        f.keep("b", 200);
        f.finish(200);
        assert_eq!(fs::read_to_string(&q).unwrap(), "a\nb\n");
    }
}
