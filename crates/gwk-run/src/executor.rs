//! The executor of real runs: each job on its own task (a container on the
//! Docker engine, or a host action: git, S3, the model registry; see
//! exec.rs), every change of a job written to the run record and sent as
//! an event. The scheduler (scheduler/) decides what starts when.

use crate::docker::Control;
use crate::events::{Event, JobStatus, now};
use crate::exec::{self, Ctx, JobOutcome, Reuse};
use crate::gpu::Grant;
use crate::ids;
use crate::job::{ActionSpec, InputSource, JobSpec, RunInput};
use crate::rundir::RunRecord;
use crate::scheduler::{Executor, Happening, NotStarted, Signals};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::{Id, JoinSet};
use tokio::time::Instant;

pub(crate) struct DockerExecutor<'a> {
    ctx: Arc<Ctx>,
    jobs: &'a [JobSpec],
    /// Jobs that never use the cache (gwk.toml `[run] no-cache`).
    no_cache_jobs: &'a BTreeSet<String>,
    record: &'a mut RunRecord,
    run_deadline: Option<Instant>,
    control: watch::Receiver<Control>,
    /// The strongest cancel request said so far (each is said once).
    announced: Control,
    /// The run's deadline was reported; it is not watched any more.
    deadline_reported: bool,
    started: Vec<Option<Instant>>,
    tasks: JoinSet<(usize, JobOutcome)>,
    /// The job of each task, to know which one panicked.
    task_jobs: HashMap<Id, usize>,
    /// What explains each job's run (why.rs).
    why: Why,
    /// Called once, at the first failure (`--shell-on-failure`).
    on_failure: Option<crate::runner::FailureHook>,
}

/// What the executor needs to say why a job ran.
struct Why {
    /// The readable parts of each job's key, once known.
    parts: HashMap<usize, crate::why::KeyRecord>,
    /// Hashes secret values in those parts; none when the store's key
    /// cannot be read (the parts are then not kept).
    store_key: Option<crate::redact::StoreKey>,
    /// The run resumed (`--resume`), compared with first.
    resumed: Option<RunRecord>,
    /// Earlier runs, newest first; read at the first job that runs.
    earlier: Option<Vec<RunRecord>>,
    file: String,
}

impl<'a> DockerExecutor<'a> {
    /// Announces every job of `input` as queued.
    pub fn new(
        ctx: Arc<Ctx>,
        input: &'a RunInput,
        opts: &'a crate::runner::RunOptions,
        record: &'a mut RunRecord,
        run_deadline: Option<Instant>,
        control: watch::Receiver<Control>,
    ) -> DockerExecutor<'a> {
        for j in &input.jobs {
            ctx.emit(Event::JobQueued {
                job: j.name.clone(),
                time: now(),
            });
        }
        DockerExecutor {
            jobs: &input.jobs,
            no_cache_jobs: &opts.no_cache_jobs,
            record,
            run_deadline,
            control,
            announced: Control::Run,
            deadline_reported: false,
            started: vec![None; input.jobs.len()],
            tasks: JoinSet::new(),
            task_jobs: HashMap::new(),
            why: Why {
                parts: HashMap::new(),
                store_key: crate::redact::StoreKey::load_or_create(ctx.dir.home()).ok(),
                resumed: opts.resume.clone(),
                earlier: None,
                file: input.workflow_file.clone(),
            },
            on_failure: opts.on_failure.clone(),
            ctx,
        }
    }

    /// Why the cache does not apply to the job, when it does not.
    fn cache_note(&self, job: usize) -> Option<String> {
        let j = &self.jobs[job];
        if let ActionSpec::Container { .. } = j.action {
            if self.ctx.cache.is_none() {
                Some("the cache is off (--no-cache)".into())
            } else if self.no_cache_jobs.contains(&j.name) {
                Some("gwk.toml `[run] no-cache` names it".into())
            } else if self
                .why
                .parts
                .get(&job)
                .is_some_and(|p| p.image_id.is_none())
            {
                Some("its image's id is unknown, so it has no cache key".into())
            } else {
                None
            }
        } else {
            Some("actions other than containers always run (their source may have changed)".into())
        }
    }

    /// Why the job runs, and the run it was compared with.
    fn ran_reason(&mut self, job: usize) -> (String, Option<String>) {
        let note = self.cache_note(job);
        let home = self.ctx.dir.home().to_path_buf();
        let id = self.ctx.dir.id.clone();
        let earlier = self.why.earlier.get_or_insert_with(|| {
            crate::why::earlier_runs(&home, &id, crate::why::EARLIER_RUNS_READ)
        });
        let name = &self.jobs[job].name;
        let old = crate::why::earlier_job(name, &self.why.file, self.why.resumed.as_ref(), earlier);
        crate::why::ran_reason(self.why.parts.get(&job), old, note.as_deref())
    }

    fn finish_record(
        &mut self,
        job: usize,
        status: JobStatus,
        exit_code: Option<i64>,
        message: Option<String>,
        duration: Option<f64>,
    ) {
        let name = &self.jobs[job].name;
        let time = now();
        if let Some(r) = self.record.job_mut(name) {
            r.status = status;
            r.exit_code = exit_code;
            r.finished = Some(time.clone());
            r.duration_secs = duration;
            r.message = message.clone();
        }
        let _ = self.ctx.dir.write_record(self.record);
        self.ctx.emit(Event::JobFinished {
            job: name.clone(),
            status,
            exit_code,
            duration_secs: duration.unwrap_or(0.0),
            message,
            time,
        });
    }
}

impl Executor for DockerExecutor<'_> {
    fn signals(&mut self) -> Signals {
        let mut signals = Signals::default();
        if let Some(d) = self.run_deadline
            && !self.deadline_reported
            && Instant::now() >= d
        {
            self.deadline_reported = true;
            signals.deadline = true;
        }
        let asked = *self.control.borrow();
        if asked != Control::Run {
            signals.cancel = true;
            if asked > self.announced {
                self.announced = asked;
                self.ctx.emit(Event::Warning {
                    message: cancel_message(asked).into(),
                });
            }
        }
        signals
    }

    fn key(&mut self, job: usize) -> Option<String> {
        if let Some(store_key) = &self.why.store_key {
            let parts = crate::why::KeyRecord::of(
                &self.jobs[job],
                &self.ctx.image_ids,
                |i| input_hash(&self.ctx, i),
                &self.ctx.redactor,
                store_key,
            );
            self.why.parts.insert(job, parts);
        }
        job_key(&self.ctx, &self.jobs[job])
    }

    /// On (no `--no-cache`), not opted out, a container job (a clone or a
    /// download depends on a remote that may have changed).
    fn uses_cache(&self, job: usize) -> bool {
        let job = &self.jobs[job];
        self.ctx.cache.is_some()
            && !self.no_cache_jobs.contains(&job.name)
            && matches!(job.action, ActionSpec::Container { .. })
    }

    fn reuse(&mut self, job: usize, reuse: &Reuse) -> Option<JobOutcome> {
        exec::try_reuse(&self.ctx, &self.jobs[job], reuse)
    }

    fn start(&mut self, i: usize, grant: Grant, reuse: Reuse) {
        let job = &self.jobs[i];
        self.started[i] = Some(Instant::now());
        let gpus = match &grant {
            Grant::Devices(d) => d.clone(),
            Grant::Count(c) => vec![format!("any {c}")],
            Grant::Nothing => Vec::new(),
        };
        let container = matches!(job.action, ActionSpec::Container { .. })
            .then(|| ids::container_name(&self.ctx.dir.id, &job.name));
        let (reason, compared_with) = self.ran_reason(i);
        let job = &self.jobs[i];
        if let Some(r) = self.record.job_mut(&job.name) {
            r.status = JobStatus::Running;
            r.started = Some(now());
            r.gpus = gpus.clone();
            r.container = container.clone();
            r.key_parts = self.why.parts.get(&i).cloned();
            r.reason = Some(reason.clone());
            r.compared_with = compared_with;
        }
        let _ = self.ctx.dir.write_record(self.record);
        self.ctx.emit(Event::JobStarted {
            job: job.name.clone(),
            time: now(),
            container,
            gpus,
            reason: Some(reason),
        });
        let deadline = [job.timeout.map(|t| Instant::now() + t), self.run_deadline]
            .into_iter()
            .flatten()
            .min();
        let (c, j, ctl) = (self.ctx.clone(), job.clone(), self.control.clone());
        let task = self
            .tasks
            .spawn(async move { (i, exec::run_job(c, j, grant, deadline, ctl, reuse).await) });
        self.task_jobs.insert(task.id(), i);
    }

    async fn next(&mut self) -> Happening {
        let far = Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600);
        loop {
            tokio::select! {
                // The scheduler asks only while a job runs, so a task is there.
                Some(done) = self.tasks.join_next_with_id() => {
                    let (i, mut outcome) = match done {
                        Ok((id, x)) => {
                            self.task_jobs.remove(&id);
                            x
                        }
                        Err(e) => {
                            // A job task panicked: its job failed.
                            let Some(i) = self.task_jobs.remove(&e.id()) else { continue };
                            self.ctx.emit(Event::Warning { message: format!("internal error in a job task: {e}") });
                            (i, JobOutcome::failed(format!("internal error: {e}")))
                        }
                    };
                    let run_timed_out = outcome.status == JobStatus::TimedOut
                        && self.run_deadline.is_some_and(|d| Instant::now() >= d);
                    if run_timed_out {
                        outcome.message = Some(format!("{} (run timeout)", outcome.message.unwrap_or_default()));
                    }
                    return Happening::Finished { job: i, outcome, run_timed_out };
                }
                changed = self.control.changed() => {
                    if changed.is_err() {
                        // Nobody can cancel any more.
                        self.control = watch::channel(Control::Run).1;
                    } else if *self.control.borrow() != Control::Run {
                        return Happening::Cancel;
                    }
                }
                _ = tokio::time::sleep_until(self.run_deadline.unwrap_or(far)), if self.run_deadline.is_some() && !self.deadline_reported => {
                    self.deadline_reported = true;
                    return Happening::Deadline;
                }
            }
        }
    }

    fn finished(&mut self, i: usize, outcome: JobOutcome) {
        let name = self.jobs[i].name.clone();
        if outcome.status.is_success() {
            let mut produced = self.ctx.produced.lock().expect("lock");
            for o in &outcome.outputs {
                produced.insert((name.clone(), o.name.clone()), o.clone());
            }
        }
        // A reused job took no time.
        let duration = match self.started[i] {
            Some(s) => Some(s.elapsed().as_secs_f64()),
            None => Some(0.0),
        };
        let parts = self.why.parts.get(&i).cloned();
        if let Some(r) = self.record.job_mut(&name) {
            r.outputs = outcome.outputs.clone();
            r.cache_key = outcome.cache_key.clone();
            r.container = outcome.container.clone().or(r.container.take());
            r.key_parts = parts;
            if self.started[i].is_none() {
                // Reused: the message says from where.
                r.reason = outcome.message.clone();
            }
        }
        let failed = matches!(outcome.status, JobStatus::Failed | JobStatus::TimedOut)
            && self.started[i].is_some();
        self.finish_record(
            i,
            outcome.status,
            outcome.exit_code,
            outcome.message,
            duration,
        );
        if failed && let Some(hook) = self.on_failure.take() {
            // The run waits: no job starts until the hook returns.
            let run = self.ctx.dir.id.clone();
            tokio::task::block_in_place(|| (hook.0)(&run, &name));
        }
    }

    fn not_started(&mut self, ended: NotStarted) {
        if let Some(r) = self.record.job_mut(&self.jobs[ended.job].name) {
            r.reason = Some(format!("{}: {}", ended.status.as_str(), ended.why));
        }
        self.finish_record(ended.job, ended.status, None, Some(ended.why), None);
    }
}

/// What a run says when it is asked to stop (Ctrl-C).
pub(crate) fn cancel_message(c: Control) -> &'static str {
    match c {
        Control::Kill => "killing the running containers",
        _ => "stopping the run (Ctrl-C again to kill the containers at once)",
    }
}

/// The job's key (cache.rs), when every part of it is known.
fn job_key(ctx: &Ctx, job: &JobSpec) -> Option<String> {
    crate::cache::job_key(job, &ctx.image_ids, |i| input_hash(ctx, i))
}

/// An input's content hash, once known.
fn input_hash(ctx: &Ctx, i: &crate::job::InputSpec) -> Option<String> {
    match &i.source {
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
    }
}
