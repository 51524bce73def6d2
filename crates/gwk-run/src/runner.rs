//! The scheduler: checks what can be checked before any container exists,
//! then starts each job as soon as every job it needs has succeeded (no
//! stage barriers), within `--parallel` and the free GPUs.

use crate::datasets::DatasetStore;
use crate::docker::{Control, Engine, EngineError, LABEL_PID, LABEL_RUN, PROBE_RUN, PullPolicy};
use crate::events::{Event, EventSink, JobStatus, RunStatus, now};
use crate::exec::{self, Ctx, JobOutcome};
use crate::gpu::{GpuPolicy, GpuPool, Grant};
use crate::ids;
use crate::job::{ActionSpec, InputSource, RunInput};
use crate::redact::Redactor;
use crate::rundir::{JobRecord, RunDir, RunRecord};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

#[derive(Clone, Debug)]
pub struct RunOptions {
    /// `$GWK_HOME`.
    pub home: PathBuf,
    /// Jobs running at once (at least 1).
    pub parallel: usize,
    pub gpus: GpuPolicy,
    pub pull: PullPolicy,
    /// Run every job that does not depend on a failed one.
    pub keep_going: bool,
    /// A limit for the whole run (`--timeout`), on top of the workflow's.
    pub timeout: Option<Duration>,
    /// The network of job containers; the engine's default when unset.
    pub network: Option<String>,
    /// The Docker engine; `$DOCKER_HOST` or the default socket when unset.
    pub docker_host: Option<String>,
    /// A run id to use (tests); a new one when unset.
    pub run_id: Option<String>,
    /// Use the job cache (`--no-cache` turns it off).
    pub cache: bool,
    /// Jobs that never use the cache (gwk.toml `[run] no-cache`).
    pub no_cache_jobs: BTreeSet<String>,
    /// `--resume`: the record of the run to resume.
    pub resume: Option<RunRecord>,
    /// Bytes of output kept in each job's log (exec.rs, `JobLog`).
    pub log_limit: u64,
}

impl RunOptions {
    pub fn new(home: PathBuf) -> RunOptions {
        RunOptions {
            home,
            parallel: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            gpus: GpuPolicy::Auto,
            pull: PullPolicy::Missing,
            keep_going: false,
            timeout: None,
            network: None,
            docker_host: None,
            run_id: None,
            cache: true,
            no_cache_jobs: BTreeSet::new(),
            resume: None,
            log_limit: crate::exec::DEFAULT_LOG_LIMIT,
        }
    }
}

/// Why a run was refused before any container existed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("{0}")]
    Refused(String),
    /// Cancelled (Ctrl-C) while the run was being prepared: pulling
    /// images, probing GPUs. Nothing ran and no run directory exists.
    #[error("cancelled before the run started")]
    Cancelled,
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// The end of a run.
#[derive(Clone, Debug)]
pub struct RunSummary {
    pub run_id: String,
    pub run_dir: PathBuf,
    pub record: RunRecord,
}

impl RunSummary {
    pub fn status(&self) -> RunStatus {
        self.record.status
    }
}

/// Checks, prepares and runs `input`. Errors are refusals (nothing ran)
/// or a cancel before the run started ([`RunError::Cancelled`]). Job
/// failures, timeouts and cancellation are in the summary.
pub async fn run(
    input: RunInput,
    opts: RunOptions,
    sink: Arc<dyn EventSink>,
    control: watch::Receiver<Control>,
) -> Result<RunSummary, RunError> {
    let redactor = Redactor::new(&input.secret_values);
    check_jobs(&input)?;
    let mut pool = GpuPool::new(&opts.gpus);
    // The sweep, pulls and the GPU probe can take long: a cancel ends
    // them at once (dropping a pull's request makes the engine stop it).
    let (engine, image_ids) = tokio::select! {
        prepared = prepare(&input, &opts, &pool, &*sink) => prepared?,
        () = cancel_requested(control.clone()) => {
            sink.emit(&Event::Warning {
                message: "cancelled before the run started (nothing ran)".into(),
            });
            remove_own_probes(opts.docker_host.as_deref()).await;
            return Err(RunError::Cancelled);
        }
    };
    if let Some(total) = pool.total()
        && let Some(j) = input.jobs.iter().find(|j| j.gpus as usize > total)
    {
        return Err(RunError::Refused(format!(
            "job `{}` needs {} GPUs ({}), but this host has {total} (--gpus)",
            j.name,
            j.gpus,
            j.instance_type.as_deref().unwrap_or("?")
        )));
    }
    if pool.disabled() {
        for j in input.jobs.iter().filter(|j| j.gpus > 0) {
            sink.emit(&Event::Warning {
                message: format!(
                    "job `{}` asks for {} GPU(s) ({}); running it without GPUs (--gpus none)",
                    j.name,
                    j.gpus,
                    j.instance_type.as_deref().unwrap_or("?")
                ),
            });
        }
    }

    let run_id = opts.run_id.clone().unwrap_or_else(ids::run_id);
    let io = |context: String| move |source| RunError::Io { context, source };
    let dir = RunDir::create(&opts.home, &run_id)
        .map_err(io(format!("cannot create the run directory for {run_id}")))?;
    dir.lock().map_err(io("cannot write the run lock".into()))?;
    let _ = std::fs::write(
        dir.path.join("spec.yaml"),
        redactor.redact(&input.spec_text),
    );
    if let Some(plan) = &input.plan_json {
        let mut plan = plan.clone();
        redactor.redact_json(&mut plan);
        let _ = std::fs::write(
            dir.path.join("plan.json"),
            serde_json::to_vec_pretty(&plan).unwrap_or_default(),
        );
    }
    let events_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.events_path())
        .ok();
    let started_at = Instant::now();
    let mut record = RunRecord {
        id: run_id.clone(),
        file: input.workflow_file.clone(),
        status: RunStatus::Running,
        started: now(),
        finished: None,
        duration_secs: None,
        resumed_from: opts.resume.as_ref().map(|r| r.id.clone()),
        jobs: input.jobs.iter().map(|j| JobRecord::new(&j.name)).collect(),
    };
    dir.write_record(&record)
        .map_err(io("cannot write the run record".into()))?;

    let ctx = Arc::new(Ctx {
        engine,
        store: DatasetStore::new(&opts.home),
        dir: dir.clone(),
        redactor,
        sink,
        events_file: Mutex::new(events_file),
        network: opts.network.clone(),
        cache: opts.cache.then(|| crate::cache::Cache::new(&opts.home)),
        models: crate::models::ModelStore::new(&opts.home),
        home_label: crate::gc::home_label(&opts.home),
        image_ids,
        produced: Mutex::new(HashMap::new()),
        log_limit: opts.log_limit,
    });
    ctx.emit(Event::RunStarted {
        schema: crate::events::EVENTS_SCHEMA,
        run_id: run_id.clone(),
        file: input.workflow_file.clone(),
        run_dir: dir.path.display().to_string(),
        jobs: input.jobs.iter().map(|j| j.name.clone()).collect(),
        time: now(),
    });

    let run_deadline = [input.workflow_timeout, opts.timeout]
        .into_iter()
        .flatten()
        .min()
        .map(|t| started_at + t);
    let status = schedule(
        &ctx,
        &input,
        &opts,
        &mut pool,
        &mut record,
        run_deadline,
        control,
    )
    .await;

    // Whatever happened, nothing of this run stays on the engine.
    if let Some(engine) = &ctx.engine {
        engine.finish_removals().await;
    }
    if let Some(engine) = &ctx.engine
        && let Ok(left) = engine
            .containers_with_label(&format!("{LABEL_RUN}={run_id}"))
            .await
    {
        for name in left {
            let _ = engine.remove_container(&name).await;
        }
    }
    record.status = status;
    record.finished = Some(now());
    record.duration_secs = Some(started_at.elapsed().as_secs_f64());
    let _ = dir.write_record(&record);
    ctx.emit(Event::RunFinished {
        run_id: run_id.clone(),
        status,
        duration_secs: started_at.elapsed().as_secs_f64(),
        time: now(),
    });
    dir.unlock();
    Ok(RunSummary {
        run_id,
        run_dir: dir.path.clone(),
        record,
    })
}

/// What comes before the run directory: the sweep of dead runs'
/// leftovers, the engine, the images, the GPU probe.
async fn prepare(
    input: &RunInput,
    opts: &RunOptions,
    pool: &GpuPool,
    sink: &dyn EventSink,
) -> Result<(Option<Engine>, HashMap<String, String>), RunError> {
    crate::gc::sweep_quietly(&opts.home, opts.docker_host.as_deref()).await;
    let needs_engine = input
        .jobs
        .iter()
        .any(|j| matches!(j.action, ActionSpec::Container { .. }));
    if !needs_engine {
        return Ok((None, HashMap::new()));
    }
    let engine = Engine::connect(opts.docker_host.as_deref()).await?;
    let image_ids = prepare_images(&engine, input, opts.pull, sink).await?;
    check_gpus(&engine, input, pool, &opts.home).await?;
    Ok((Some(engine), image_ids))
}

/// Returns once `control` asks to stop (at once if it already does).
async fn cancel_requested(mut control: watch::Receiver<Control>) {
    loop {
        if *control.borrow_and_update() != Control::Run {
            return;
        }
        if control.changed().await.is_err() {
            // Nobody can cancel any more.
            std::future::pending::<()>().await;
        }
    }
}

/// After a cancel during the GPU probe: its container, if it was created.
async fn remove_own_probes(docker_host: Option<&str>) {
    let work = async {
        let engine = Engine::connect(docker_host).await.ok()?;
        let mine = std::process::id().to_string();
        for (name, labels) in engine.gwk_containers().await.ok()? {
            if labels.get(LABEL_RUN).map(String::as_str) == Some(PROBE_RUN)
                && labels.get(LABEL_PID) == Some(&mine)
            {
                let _ = engine.remove_container(&name).await;
            }
        }
        Some(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(15), work).await;
}

/// Refusals that need no engine: unknown needs, unsupported actions.
fn check_jobs(input: &RunInput) -> Result<(), RunError> {
    let names: BTreeSet<&str> = input.jobs.iter().map(|j| j.name.as_str()).collect();
    for j in &input.jobs {
        if let ActionSpec::Unsupported { reason, .. } = &j.action {
            return Err(RunError::Refused(format!("job `{}`: {reason}", j.name)));
        }
        for n in &j.needs {
            if !names.contains(n.as_str()) {
                return Err(RunError::Refused(format!(
                    "job `{}` needs `{n}`, which is not part of this run",
                    j.name
                )));
            }
        }
        for i in &j.inputs {
            if let InputSource::JobOutput { job, .. } = &i.source
                && !j.needs.contains(job)
            {
                return Err(RunError::Refused(format!(
                    "job `{}` reads `{job}.outputs` without needing `{job}`",
                    j.name
                )));
            }
        }
    }
    Ok(())
}

async fn prepare_images(
    engine: &Engine,
    input: &RunInput,
    policy: PullPolicy,
    sink: &dyn EventSink,
) -> Result<HashMap<String, String>, RunError> {
    let images: BTreeSet<&str> = input.jobs.iter().filter_map(|j| j.action.image()).collect();
    // Under `never`, say every missing image at once.
    if policy == PullPolicy::Never {
        let mut missing = Vec::new();
        for image in &images {
            if engine.image_id(image).await?.is_none() {
                missing.push(format!("`{image}`"));
            }
        }
        if !missing.is_empty() {
            return Err(RunError::Refused(format!(
                "{} {} not on this Docker host and `--pull never` forbids pulling (pull {} first, or use --pull missing)",
                missing.join(", "),
                if missing.len() == 1 { "is" } else { "are" },
                if missing.len() == 1 { "it" } else { "them" },
            )));
        }
    }
    let mut ids = HashMap::new();
    for image in images {
        let mut progress = |p: crate::docker::PullProgress| {
            sink.emit(&Event::ImagePull {
                image: p.image,
                current: p.current,
                total: p.total,
                status: p.status,
            })
        };
        let pulled = engine.ensure_image(image, policy, &mut progress).await?;
        sink.emit(&Event::ImageReady {
            image: image.to_string(),
            pulled,
        });
        if let Some(id) = engine.image_id(image).await? {
            ids.insert(image.to_string(), id);
        }
    }
    Ok(ids)
}

/// Before a run with GPU jobs: can a GPU container start here at all?
async fn check_gpus(
    engine: &Engine,
    input: &RunInput,
    pool: &GpuPool,
    home: &std::path::Path,
) -> Result<(), RunError> {
    if pool.disabled() {
        return Ok(());
    }
    let Some(image) = input
        .jobs
        .iter()
        .filter(|j| j.gpus > 0)
        .find_map(|j| j.action.image())
    else {
        return Ok(());
    };
    match engine.probe_gpu(image, &crate::gc::home_label(home)).await {
        Err(e @ EngineError::NoGpuSupport { .. }) => Err(RunError::Engine(e)),
        // Another failure of the probe (an image without `true`) says
        // nothing about GPUs; the job itself will tell.
        _ => Ok(()),
    }
}

struct Running {
    grant: Grant,
}

async fn schedule(
    ctx: &Arc<Ctx>,
    input: &RunInput,
    opts: &RunOptions,
    pool: &mut GpuPool,
    record: &mut RunRecord,
    run_deadline: Option<Instant>,
    mut control: watch::Receiver<Control>,
) -> RunStatus {
    let n = input.jobs.len();
    let index: HashMap<&str, usize> = input
        .jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.name.as_str(), i))
        .collect();
    let needs: Vec<Vec<usize>> = input
        .jobs
        .iter()
        .map(|j| {
            j.needs
                .iter()
                .filter_map(|n| index.get(n.as_str()).copied())
                .collect()
        })
        .collect();
    let mut status = vec![JobStatus::Pending; n];
    let mut started: Vec<Option<Instant>> = vec![None; n];
    let mut running: HashMap<usize, Running> = HashMap::new();
    let mut tasks: JoinSet<(usize, JobOutcome)> = JoinSet::new();
    let mut stop_new = false;
    let mut failed_any = false;
    let mut cancelled = false;
    let mut timed_out_run = false;
    // The strongest cancel request said so far (each is said once).
    let mut announced = Control::Run;
    let parallel = opts.parallel.max(1);
    for j in &input.jobs {
        ctx.emit(Event::JobQueued {
            job: j.name.clone(),
            time: now(),
        });
    }
    let far = Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600);

    loop {
        if let Some(d) = run_deadline
            && Instant::now() >= d
            && !stop_new
        {
            stop_new = true;
            timed_out_run = true;
        }
        let asked = *control.borrow();
        if asked != Control::Run {
            stop_new = true;
            cancelled = true;
            if asked > announced {
                announced = asked;
                ctx.emit(Event::Warning {
                    message: cancel_message(asked).into(),
                });
            }
        }
        // Skip what can no longer run.
        loop {
            let mut changed = false;
            for i in 0..n {
                if status[i] == JobStatus::Pending
                    && let Some(&bad) = needs[i]
                        .iter()
                        .find(|&&d| status[d].is_done() && !status[d].is_success())
                {
                    // Behind a cancelled job a job is cancelled too; behind
                    // a failure, skipped.
                    let st = if status[bad] == JobStatus::Cancelled {
                        JobStatus::Cancelled
                    } else {
                        JobStatus::Skipped
                    };
                    status[i] = st;
                    let why = format!(
                        "not started: `{}` {}",
                        input.jobs[bad].name,
                        status[bad].as_str()
                    );
                    finish_record(ctx, record, &input.jobs[i].name, st, None, Some(why), None);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let mut reused_any = false;
        if !stop_new {
            for i in 0..n {
                if running.len() >= parallel {
                    break;
                }
                if status[i] != JobStatus::Pending
                    || !needs[i].iter().all(|&d| status[d].is_success())
                {
                    continue;
                }
                let job = &input.jobs[i];
                let key = job_key(ctx, job);
                let reuse = exec::Reuse {
                    resume: resume_candidate(opts, job, key.as_deref(), &needs[i], &status),
                    use_cache: uses_cache(ctx, opts, job),
                    key,
                };
                // A job whose earlier outputs are reused finishes at once,
                // without a container (and without a JobStarted event).
                if let Some(outcome) = exec::try_reuse(ctx, job, &reuse) {
                    status[i] = outcome.status;
                    let mut produced = ctx.produced.lock().expect("lock");
                    for o in &outcome.outputs {
                        produced.insert((job.name.clone(), o.name.clone()), o.clone());
                    }
                    drop(produced);
                    if let Some(r) = record.job_mut(&job.name) {
                        r.outputs = outcome.outputs.clone();
                        r.cache_key = outcome.cache_key.clone();
                    }
                    finish_record(
                        ctx,
                        record,
                        &job.name,
                        outcome.status,
                        None,
                        outcome.message,
                        Some(0.0),
                    );
                    reused_any = true;
                    continue;
                }
                let Some(grant) = pool.take(job.gpus) else {
                    continue; // waits for GPUs; others may start
                };
                status[i] = JobStatus::Running;
                started[i] = Some(Instant::now());
                let gpus = match &grant {
                    Grant::Devices(d) => d.clone(),
                    Grant::Count(c) => vec![format!("any {c}")],
                    Grant::Nothing => Vec::new(),
                };
                let container = matches!(job.action, ActionSpec::Container { .. })
                    .then(|| ids::container_name(&ctx.dir.id, &job.name));
                if let Some(r) = record.job_mut(&job.name) {
                    r.status = JobStatus::Running;
                    r.started = Some(now());
                    r.gpus = gpus.clone();
                    r.container = container.clone();
                }
                let _ = ctx.dir.write_record(record);
                ctx.emit(Event::JobStarted {
                    job: job.name.clone(),
                    time: now(),
                    container,
                    gpus,
                });
                let deadline = [job.timeout.map(|t| Instant::now() + t), run_deadline]
                    .into_iter()
                    .flatten()
                    .min();
                running.insert(
                    i,
                    Running {
                        grant: grant.clone(),
                    },
                );
                let (c, j, ctl) = (ctx.clone(), job.clone(), control.clone());
                tasks.spawn(
                    async move { (i, exec::run_job(c, j, grant, deadline, ctl, reuse).await) },
                );
            }
        }
        if reused_any {
            continue; // their dependents may be ready now
        }
        if tasks.is_empty() {
            break;
        }
        tokio::select! {
            done = tasks.join_next() => {
                let Some(done) = done else { continue };
                let (i, outcome) = match done {
                    Ok(x) => x,
                    Err(e) => {
                        // A job task panicked: find which by elimination is not
                        // possible, so fail the run loudly.
                        ctx.emit(Event::Warning { message: format!("internal error in a job task: {e}") });
                        failed_any = true;
                        stop_new = true;
                        continue;
                    }
                };
                if let Some(r) = running.remove(&i) {
                    pool.give_back(&r.grant);
                }
                let job = &input.jobs[i];
                let mut outcome = outcome;
                if outcome.status == JobStatus::TimedOut && run_deadline.is_some_and(|d| Instant::now() >= d) {
                    timed_out_run = true;
                    outcome.message = Some(format!("{} (run timeout)", outcome.message.unwrap_or_default()));
                }
                status[i] = outcome.status;
                if outcome.status.is_success() {
                    let mut produced = ctx.produced.lock().expect("lock");
                    for o in &outcome.outputs {
                        produced.insert((job.name.clone(), o.name.clone()), o.clone());
                    }
                } else if outcome.status != JobStatus::Cancelled {
                    failed_any = true;
                    if !opts.keep_going {
                        stop_new = true;
                    }
                }
                let duration = started[i].map(|s| s.elapsed().as_secs_f64());
                if let Some(r) = record.job_mut(&job.name) {
                    r.outputs = outcome.outputs.clone();
                    r.cache_key = outcome.cache_key.clone();
                    r.container = outcome.container.clone().or(r.container.take());
                }
                finish_record(ctx, record, &job.name, outcome.status, outcome.exit_code, outcome.message, duration);
            }
            changed = control.changed() => {
                if changed.is_err() {
                    control = watch::channel(Control::Run).1;
                } else if *control.borrow() != Control::Run {
                    stop_new = true;
                    cancelled = true;
                }
            }
            _ = tokio::time::sleep_until(run_deadline.unwrap_or(far)), if run_deadline.is_some() && !stop_new => {
                stop_new = true;
                timed_out_run = true;
            }
        }
    }
    // Jobs that never started.
    for (i, job) in input.jobs.iter().enumerate() {
        if status[i] == JobStatus::Pending {
            let (st, why) = if cancelled {
                (
                    JobStatus::Cancelled,
                    "cancelled before it started".to_string(),
                )
            } else if timed_out_run {
                (
                    JobStatus::Skipped,
                    "not started: the run timed out".to_string(),
                )
            } else {
                (
                    JobStatus::Skipped,
                    "not started: another job failed (use --keep-going to run independent jobs)"
                        .to_string(),
                )
            };
            status[i] = st;
            finish_record(ctx, record, &job.name, st, None, Some(why), None);
        }
    }
    if cancelled {
        RunStatus::Cancelled
    } else if failed_any || timed_out_run || status.iter().any(|s| !s.is_success()) {
        RunStatus::Failed
    } else {
        RunStatus::Succeeded
    }
}

/// What a run says when it is asked to stop (Ctrl-C).
pub(crate) fn cancel_message(c: Control) -> &'static str {
    match c {
        Control::Kill => "killing the running containers",
        _ => "stopping the run (Ctrl-C again to kill the containers at once)",
    }
}

fn finish_record(
    ctx: &Ctx,
    record: &mut RunRecord,
    job: &str,
    status: JobStatus,
    exit_code: Option<i64>,
    message: Option<String>,
    duration: Option<f64>,
) {
    let time = now();
    if let Some(r) = record.job_mut(job) {
        r.status = status;
        r.exit_code = exit_code;
        r.finished = Some(time.clone());
        r.duration_secs = duration;
        r.message = message.clone();
    }
    let _ = ctx.dir.write_record(record);
    ctx.emit(Event::JobFinished {
        job: job.to_string(),
        status,
        exit_code,
        duration_secs: duration.unwrap_or(0.0),
        message,
        time,
    });
}

/// With `--resume`: the outputs a job left in the resumed run, when it
/// succeeded there, every job it needs was reused too (a job whose needs
/// ran again must run again), and its key is the one it ran with (a job
/// whose image, command, env, parameters or inputs changed runs again).
fn resume_candidate(
    opts: &RunOptions,
    job: &crate::job::JobSpec,
    key: Option<&str>,
    needs: &[usize],
    status: &[JobStatus],
) -> Option<(String, Vec<crate::rundir::OutputRecord>)> {
    let old = opts.resume.as_ref()?;
    let rec = old.job(&job.name)?;
    if !rec.status.is_success() || needs.iter().any(|&d| status[d] != JobStatus::Cached) {
        return None;
    }
    if key.is_none() || rec.cache_key.as_deref() != key {
        return None;
    }
    Some((old.id.clone(), rec.outputs.clone()))
}

/// The job's key (cache.rs), when every part of it is known.
fn job_key(ctx: &Ctx, job: &crate::job::JobSpec) -> Option<String> {
    crate::cache::job_key(job, &ctx.image_ids, |i| match &i.source {
        InputSource::String { value } => Some(format!(
            "sha256:{}",
            crate::fsutil::sha256_hex(value.as_bytes())
        )),
        InputSource::Dataset { dataset, version } => ctx
            .store
            .version_info(dataset, version)
            .ok()
            .map(|v| v.hash),
        InputSource::JobOutput { job, output } => ctx
            .produced
            .lock()
            .expect("lock")
            .get(&(job.clone(), output.clone()))
            .map(|o| o.hash.clone()),
    })
}

/// Whether the job cache applies to a job: on (no `--no-cache`), not opted
/// out, a container job (a clone or a download depends on a remote that
/// may have changed).
fn uses_cache(ctx: &Ctx, opts: &RunOptions, job: &crate::job::JobSpec) -> bool {
    ctx.cache.is_some()
        && !opts.no_cache_jobs.contains(&job.name)
        && matches!(job.action, ActionSpec::Container { .. })
}
