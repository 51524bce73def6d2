//! The scheduler: which job starts when, and how each one ends. No Docker
//! in it: [`Machine`] is a pure state machine over the DAG of jobs, and
//! [`drive`] runs it against an [`Executor`], which runs the jobs (the
//! Docker engine in `crate::executor`, a scripted fake in the tests).
//!
//! A job is `pending`, then `running`, then ends in exactly one of
//! `succeeded`, `failed`, `timed_out`, `cancelled`, `skipped` or `cached`.
//! The rules:
//!
//! - **Start**: a pending job starts as soon as every job it needs has
//!   succeeded (or was cached), no stage barriers, in file order, while
//!   fewer than `--parallel` jobs run and its GPUs are free. A job waiting
//!   for GPUs does not hold back the jobs after it. A job that needs more
//!   GPUs than the host has refuses the run before anything starts.
//! - **Reuse**: before a job would start, its earlier outputs are reused
//!   when it can be: with `--resume`, when it succeeded in the resumed run,
//!   its definition (its key) is unchanged and every job it needs was
//!   reused too; else from the job cache. A reused job ends `cached` at
//!   once, without a container and without a parallel slot.
//! - **Failure**: a job that failed or timed out ends its dependents
//!   (`skipped`); without `--keep-going` no new job starts and running jobs
//!   finish; with it, every job that does not depend on the failure runs.
//! - **Cancel** (Ctrl-C): no new job starts; the executor stops the
//!   running ones (they end `cancelled`), and the rest end `cancelled`.
//! - **Run deadline** (the workflow's `timeout`, `--timeout`): no new job
//!   starts, running jobs are stopped by their own deadline (`timed_out`),
//!   and the rest are `skipped`.
//!
//! The run is `cancelled` after a cancel, `succeeded` when every job
//! succeeded or was cached, else `failed`.

mod machine;
#[cfg(test)]
mod tests;

pub(crate) use machine::{Machine, Node, NotStarted, TooManyGpus};

use crate::events::RunStatus;
use crate::exec::{JobOutcome, Reuse};
use crate::gpu::Grant;
use crate::job::JobSpec;
use std::collections::HashMap;

/// What the executor reports while jobs run.
#[derive(Debug)]
pub(crate) enum Happening {
    /// A started job ended. `run_timed_out`: the run's deadline stopped it.
    Finished {
        job: usize,
        outcome: JobOutcome,
        run_timed_out: bool,
    },
    /// Ctrl-C (again, perhaps).
    Cancel,
    /// The run's deadline passed.
    Deadline,
}

/// Stop requests the executor already knows of, asked before jobs start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Signals {
    pub cancel: bool,
    pub deadline: bool,
}

/// Runs jobs and records what happens to them; the scheduler decides
/// which and when. Jobs are indexes into the run's job list.
pub(crate) trait Executor {
    /// Stop requests made so far, without waiting for one.
    fn signals(&mut self) -> Signals;
    /// The job's key (its definition and inputs, cache.rs), when known;
    /// asked when the jobs it needs have ended.
    fn key(&mut self, job: usize) -> Option<String>;
    /// Whether the job cache applies to the job.
    fn uses_cache(&self, job: usize) -> bool;
    /// Restores earlier outputs of the job (a resumed run's or the
    /// cache's); `None` when they cannot be reused: the job runs.
    fn reuse(&mut self, job: usize, reuse: &Reuse) -> Option<JobOutcome>;
    /// Starts the job with its GPUs. It must end in a
    /// [`Happening::Finished`], also when cancelled or timed out.
    fn start(&mut self, job: usize, grant: Grant, reuse: Reuse);
    /// Waits for the next happening; called only while a job runs.
    async fn next(&mut self) -> Happening;
    /// Records the end of a job that ran or was reused.
    fn finished(&mut self, job: usize, outcome: JobOutcome);
    /// Records the end of a job that never started.
    fn not_started(&mut self, ended: NotStarted);
}

/// The scheduler's view of `jobs`; `needs` naming no job of the list are
/// left out (the runner refuses them first).
pub(crate) fn nodes(jobs: &[JobSpec]) -> Vec<Node> {
    let index: HashMap<&str, usize> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.name.as_str(), i))
        .collect();
    jobs.iter()
        .map(|j| Node {
            name: j.name.clone(),
            needs: j
                .needs
                .iter()
                .filter_map(|n| index.get(n.as_str()).copied())
                .collect(),
            gpus: j.gpus,
        })
        .collect()
}

/// Runs every job of `machine` to its end with `exec`; the run's status.
pub(crate) async fn drive(machine: &mut Machine, exec: &mut impl Executor) -> RunStatus {
    loop {
        let signals = exec.signals();
        if signals.deadline {
            machine.deadline();
        }
        if signals.cancel {
            machine.cancel();
        }
        for ended in machine.skip_blocked() {
            exec.not_started(ended);
        }
        let mut reused_any = false;
        let mut from = 0;
        while let Some(job) = machine.next_candidate(from) {
            from = job + 1;
            let key = exec.key(job);
            let reuse = Reuse {
                resume: machine.resume_from(job, key.as_deref()),
                use_cache: exec.uses_cache(job),
                key,
            };
            if let Some(outcome) = exec.reuse(job, &reuse) {
                machine.reused(job);
                exec.finished(job, outcome);
                reused_any = true;
                continue;
            }
            if let Some(grant) = machine.start(job) {
                exec.start(job, grant, reuse);
            }
        }
        if reused_any {
            continue; // their dependents may be ready now
        }
        if machine.is_idle() {
            break;
        }
        match exec.next().await {
            Happening::Finished {
                job,
                mut outcome,
                run_timed_out,
            } => {
                machine.finished(job, outcome.status, run_timed_out);
                outcome.status = machine.status(job);
                exec.finished(job, outcome);
            }
            Happening::Cancel => machine.cancel(),
            Happening::Deadline => machine.deadline(),
        }
    }
    for ended in machine.finish() {
        exec.not_started(ended);
    }
    machine.run_status()
}
