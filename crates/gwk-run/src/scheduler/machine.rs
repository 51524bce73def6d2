//! The scheduler's state: each job's status, the GPUs it holds, and why
//! no new job may start. Pure: no clock, no I/O, no engine; the driver
//! (`super::drive`) feeds it what the executor reports.

use crate::events::{JobStatus, RunStatus};
use crate::gpu::{GpuPool, Grant};
use crate::rundir::{OutputRecord, RunRecord};

/// One job as the scheduler sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Node {
    pub name: String,
    /// Indexes of the jobs it needs.
    pub needs: Vec<usize>,
    pub gpus: u32,
}

/// A job that can never get its GPUs: the run is refused before it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TooManyGpus {
    pub job: usize,
    pub needs: u32,
    pub host: usize,
}

/// A job that ended without running, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NotStarted {
    pub job: usize,
    pub status: JobStatus,
    pub why: String,
}

pub(crate) struct Machine {
    nodes: Vec<Node>,
    status: Vec<JobStatus>,
    /// The GPUs of each running job, given back when it ends.
    grants: Vec<Option<Grant>>,
    running: usize,
    pool: GpuPool,
    parallel: usize,
    keep_going: bool,
    /// `--resume`: the record of the run resumed.
    earlier: Option<RunRecord>,
    /// No new job starts (a failure without keep-going, a cancel, the
    /// run's deadline).
    stop_new: bool,
    failed_any: bool,
    cancelled: bool,
    timed_out: bool,
}

impl Machine {
    /// Refuses a job that needs more GPUs than the host has: it would wait
    /// for ever.
    pub fn new(
        nodes: Vec<Node>,
        pool: GpuPool,
        parallel: usize,
        keep_going: bool,
        earlier: Option<RunRecord>,
    ) -> Result<Machine, TooManyGpus> {
        if let Some(host) = pool.total()
            && let Some(job) = nodes.iter().position(|n| n.gpus as usize > host)
        {
            return Err(TooManyGpus {
                job,
                needs: nodes[job].gpus,
                host,
            });
        }
        let n = nodes.len();
        Ok(Machine {
            nodes,
            status: vec![JobStatus::Pending; n],
            grants: vec![None; n],
            running: 0,
            pool,
            parallel: parallel.max(1),
            keep_going,
            earlier,
            stop_new: false,
            failed_any: false,
            cancelled: false,
            timed_out: false,
        })
    }

    pub fn status(&self, job: usize) -> JobStatus {
        self.status[job]
    }

    /// No job is running.
    pub fn is_idle(&self) -> bool {
        self.running == 0
    }

    /// Ctrl-C: no new job starts; the jobs that never started end
    /// `cancelled`. Running jobs are stopped by the executor.
    pub fn cancel(&mut self) {
        self.stop_new = true;
        self.cancelled = true;
    }

    /// The run's deadline passed: no new job starts. It counts only while
    /// jobs may still start (after a failure or a cancel it changes
    /// nothing).
    pub fn deadline(&mut self) {
        if !self.stop_new {
            self.stop_new = true;
            self.timed_out = true;
        }
    }

    /// Ends the pending jobs that can no longer run because a job they
    /// need (directly or not) did not succeed: `cancelled` behind a
    /// cancelled job, `skipped` behind any other end.
    pub fn skip_blocked(&mut self) -> Vec<NotStarted> {
        let mut ended = Vec::new();
        loop {
            let mut changed = false;
            for i in 0..self.nodes.len() {
                if self.status[i] != JobStatus::Pending {
                    continue;
                }
                let Some(&bad) = self.nodes[i]
                    .needs
                    .iter()
                    .find(|&&d| self.status[d].is_done() && !self.status[d].is_success())
                else {
                    continue;
                };
                let status = if self.status[bad] == JobStatus::Cancelled {
                    JobStatus::Cancelled
                } else {
                    JobStatus::Skipped
                };
                self.status[i] = status;
                ended.push(NotStarted {
                    job: i,
                    status,
                    why: format!(
                        "not started: `{}` {}",
                        self.nodes[bad].name,
                        self.status[bad].as_str()
                    ),
                });
                changed = true;
            }
            if !changed {
                return ended;
            }
        }
    }

    /// The first job from index `from` on (file order) that may start
    /// now: pending, every job it needs succeeded, new jobs allowed and a
    /// free slot under the parallel limit. Its GPUs are checked by
    /// [`Machine::start`].
    pub fn next_candidate(&self, from: usize) -> Option<usize> {
        if self.stop_new || self.running >= self.parallel {
            return None;
        }
        (from..self.nodes.len()).find(|&i| {
            self.status[i] == JobStatus::Pending
                && self.nodes[i]
                    .needs
                    .iter()
                    .all(|&d| self.status[d].is_success())
        })
    }

    /// With `--resume`: the run resumed and the outputs the job left there,
    /// when it succeeded there, every job it needs was reused too (a job
    /// whose needs ran again must run again), and `key` (its definition:
    /// image, command, env, parameters, inputs) is the one it ran with.
    pub fn resume_from(
        &self,
        job: usize,
        key: Option<&str>,
    ) -> Option<(String, Vec<OutputRecord>)> {
        let old = self.earlier.as_ref()?;
        let rec = old.job(&self.nodes[job].name)?;
        if !rec.status.is_success()
            || self.nodes[job]
                .needs
                .iter()
                .any(|&d| self.status[d] != JobStatus::Cached)
        {
            return None;
        }
        if key.is_none() || rec.cache_key.as_deref() != key {
            return None;
        }
        Some((old.id.clone(), rec.outputs.clone()))
    }

    /// The job's earlier outputs were restored: it is done without running.
    pub fn reused(&mut self, job: usize) {
        debug_assert_eq!(self.status[job], JobStatus::Pending);
        self.status[job] = JobStatus::Cached;
    }

    /// Starts the job when its GPUs are free and returns them; `None`:
    /// it waits (other jobs may start meanwhile).
    pub fn start(&mut self, job: usize) -> Option<Grant> {
        debug_assert_eq!(self.status[job], JobStatus::Pending);
        let grant = self.pool.take(self.nodes[job].gpus)?;
        self.status[job] = JobStatus::Running;
        self.grants[job] = Some(grant.clone());
        self.running += 1;
        Some(grant)
    }

    /// A running job ended with `status`; `run_timed_out` when it was
    /// stopped by the run's deadline. A failure stops new jobs unless
    /// `keep_going`; a cancelled job is no failure.
    pub fn finished(&mut self, job: usize, status: JobStatus, run_timed_out: bool) {
        if self.status[job] != JobStatus::Running {
            debug_assert!(false, "job {job} finished but was not running");
            return;
        }
        if let Some(grant) = self.grants[job].take() {
            self.pool.give_back(&grant);
        }
        self.running -= 1;
        // An executor that reports no end is a failure, not a job left running.
        let status = if status.is_done() {
            status
        } else {
            JobStatus::Failed
        };
        self.status[job] = status;
        if run_timed_out {
            // Even after a failure: the deadline is why the rest never ran.
            self.timed_out = true;
            self.stop_new = true;
        }
        if !status.is_success() && status != JobStatus::Cancelled {
            self.failed_any = true;
            if !self.keep_going {
                self.stop_new = true;
            }
        }
    }

    /// After the last job ended: the jobs that never started, each with
    /// its end: `cancelled` after a cancel, else `skipped` (the run timed
    /// out, or another job failed).
    pub fn finish(&mut self) -> Vec<NotStarted> {
        let mut ended = Vec::new();
        for i in 0..self.nodes.len() {
            if self.status[i] != JobStatus::Pending {
                continue;
            }
            let (status, why) = if self.cancelled {
                (JobStatus::Cancelled, "cancelled before it started")
            } else if self.timed_out {
                (JobStatus::Skipped, "not started: the run timed out")
            } else if self.failed_any {
                (
                    JobStatus::Skipped,
                    "not started: another job failed (use --keep-going to run independent jobs)",
                )
            } else {
                // Only a job in a cycle of needs gets here (plans have none).
                (JobStatus::Skipped, "not started: its needs never ended")
            };
            self.status[i] = status;
            ended.push(NotStarted {
                job: i,
                status,
                why: why.to_string(),
            });
        }
        ended
    }

    /// The run's end: `cancelled` after a cancel, `succeeded` when every
    /// job succeeded (or was reused), else `failed`.
    pub fn run_status(&self) -> RunStatus {
        if self.cancelled {
            RunStatus::Cancelled
        } else if self.failed_any || self.timed_out || self.status.iter().any(|s| !s.is_success()) {
            RunStatus::Failed
        } else {
            RunStatus::Succeeded
        }
    }
}
