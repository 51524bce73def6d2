//! A run from start to end: checks what can be checked before any
//! container exists (needs, actions, images, GPUs), creates the run
//! directory, then hands the jobs to the scheduler (scheduler/) with the
//! Docker executor (executor.rs), and removes whatever the run left on the
//! engine.

use crate::datasets::DatasetStore;
use crate::docker::{Control, Engine, EngineError, LABEL_PID, LABEL_RUN, PROBE_RUN, PullPolicy};
use crate::events::{Event, EventSink, RunStatus, now};
use crate::exec::Ctx;
use crate::executor::DockerExecutor;
use crate::gpu::{GpuPolicy, GpuPool};
use crate::ids;
use crate::job::{ActionSpec, InputSource, RunInput};
use crate::redact::Redactor;
use crate::rundir::{JobRecord, RunDir, RunRecord};
use crate::scheduler::{self, Machine, TooManyGpus};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
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
    /// The pushed ref, when `gwk trigger` starts the run (the record says so).
    pub triggered_by: Option<String>,
    /// Bytes of output kept in each job's log (exec.rs, `JobLog`).
    pub log_limit: u64,
    /// Called at the first job that fails or times out, after its record
    /// is written; the run waits for it (`gwk run --shell-on-failure`).
    pub on_failure: Option<FailureHook>,
}

/// What `RunOptions::on_failure` calls: with the run id and the job name.
#[derive(Clone)]
pub struct FailureHook(pub Arc<FailureFn>);

/// The function of a [`FailureHook`].
pub type FailureFn = dyn Fn(&str, &str) + Send + Sync;

impl std::fmt::Debug for FailureHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FailureHook")
    }
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
            triggered_by: None,
            log_limit: crate::exec::DEFAULT_LOG_LIMIT,
            on_failure: None,
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
    let pool = GpuPool::new(&opts.gpus);
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
    let disabled = pool.disabled();
    let mut machine = Machine::new(
        scheduler::nodes(&input.jobs),
        pool,
        opts.parallel,
        opts.keep_going,
        opts.resume.clone(),
    )
    .map_err(|TooManyGpus { job, needs, host }| {
        let j = &input.jobs[job];
        RunError::Refused(format!(
            "job `{}` needs {needs} GPUs ({}), but this host has {host} (--gpus)",
            j.name,
            j.instance_type.as_deref().unwrap_or("?")
        ))
    })?;
    if disabled {
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
        triggered_by: opts.triggered_by.clone(),
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
    let mut executor = DockerExecutor::new(
        ctx.clone(),
        &input,
        &opts,
        &mut record,
        run_deadline,
        control,
    );
    let status = scheduler::drive(&mut machine, &mut executor).await;
    drop(executor);

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
