//! A fake executor: no Docker, no clock, no thread. Jobs end when the
//! test's script says, in the order it says; once the script is used up,
//! the job that started first ends next (as it would at a cancel or a
//! deadline: `cancelled`, `timed_out`). It checks the scheduler's promises
//! on every call (needs succeeded before a start, the parallel limit, no
//! GPU handed out twice, one end per job) and panics when one is broken.

use crate::events::{JobStatus, RunStatus};
use crate::exec::{JobOutcome, Reuse};
use crate::gpu::{GpuPolicy, GpuPool, Grant};
use crate::rundir::{JobRecord, RunRecord};
use crate::scheduler::{
    Executor, Happening, Machine, Node, NotStarted, Signals, TooManyGpus, drive,
};
use futures_util::FutureExt;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

/// One thing the script makes happen while jobs run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// This running job ends so.
    End(&'static str, JobStatus),
    /// Ctrl-C.
    Cancel,
    /// The run's deadline passes.
    Deadline,
    /// The run's deadline passes and stops this running job; the job's end
    /// reaches the scheduler before the deadline does.
    RunTimeout(&'static str),
}

pub(super) fn ok(job: &'static str) -> Step {
    Step::End(job, JobStatus::Succeeded)
}

pub(super) fn fail(job: &'static str) -> Step {
    Step::End(job, JobStatus::Failed)
}

/// How the GPUs of the test's host are known.
#[derive(Clone, Debug)]
pub(super) enum Gpus {
    Devices(Vec<String>),
    /// Unknown devices: one GPU job at a time.
    Serial,
    /// `--gpus none`.
    Disabled,
}

/// A run to schedule: the DAG, the options and what the fake does.
#[derive(Clone, Debug)]
pub(super) struct Run {
    jobs: Vec<(String, Vec<String>, u32)>,
    parallel: usize,
    keep_going: bool,
    gpus: Gpus,
    earlier: Option<RunRecord>,
    script: Vec<Step>,
    cancel_at_start: bool,
    deadline_at_start: bool,
    /// Jobs the cache holds.
    cached: BTreeSet<String>,
    /// Jobs the cache does not apply to.
    no_cache: BTreeSet<String>,
    keys: HashMap<String, Option<String>>,
    /// Jobs whose outputs in the resumed run are gone.
    outputs_gone: BTreeSet<String>,
    /// How a job ends when the script does not say.
    ends: HashMap<String, JobStatus>,
    /// Which running job ends next when the script does not say: an index
    /// into the running jobs (in start order), taken modulo their number.
    picks: VecDeque<usize>,
    /// After this many ends, this step (the property test's interrupt).
    interrupt: Option<(usize, Step)>,
}

impl Run {
    /// Jobs in file order, each with the names of the jobs it needs.
    pub fn new(jobs: &[(&str, &[&str])]) -> Run {
        Run {
            jobs: jobs
                .iter()
                .map(|(n, needs)| {
                    (
                        n.to_string(),
                        needs.iter().map(|s| s.to_string()).collect(),
                        0,
                    )
                })
                .collect(),
            parallel: 8,
            keep_going: false,
            gpus: Gpus::Disabled,
            earlier: None,
            script: Vec::new(),
            cancel_at_start: false,
            deadline_at_start: false,
            cached: BTreeSet::new(),
            no_cache: BTreeSet::new(),
            keys: HashMap::new(),
            outputs_gone: BTreeSet::new(),
            ends: HashMap::new(),
            picks: VecDeque::new(),
            interrupt: None,
        }
    }

    /// Jobs by index: job `i` is named `j<i>`.
    pub fn indexed(needs: &[Vec<usize>], gpus: &[u32]) -> Run {
        let mut run = Run::new(&[]);
        run.jobs = needs
            .iter()
            .zip(gpus)
            .enumerate()
            .map(|(i, (needs, &g))| {
                (
                    format!("j{i}"),
                    needs.iter().map(|d| format!("j{d}")).collect(),
                    g,
                )
            })
            .collect();
        run
    }

    pub fn gpu(mut self, job: &str, n: u32) -> Run {
        let j = self.jobs.iter_mut().find(|j| j.0 == job).expect("a job");
        j.2 = n;
        self
    }

    pub fn parallel(mut self, n: usize) -> Run {
        self.parallel = n;
        self
    }

    pub fn keep_going(mut self) -> Run {
        self.keep_going = true;
        self
    }

    pub fn devices(mut self, ids: &[&str]) -> Run {
        self.gpus = Gpus::Devices(ids.iter().map(|s| s.to_string()).collect());
        self
    }

    pub fn gpus(mut self, gpus: Gpus) -> Run {
        self.gpus = gpus;
        self
    }

    /// `--resume` of a run where each listed job ended so, with that key.
    pub fn resume(mut self, earlier: &[(&str, JobStatus, Option<&str>)]) -> Run {
        self.earlier = Some(RunRecord {
            id: "r-earlier".into(),
            file: "wf.yaml".into(),
            status: RunStatus::Failed,
            started: String::new(),
            finished: None,
            duration_secs: None,
            resumed_from: None,
            triggered_by: None,
            jobs: earlier
                .iter()
                .map(|(name, status, key)| JobRecord {
                    status: *status,
                    cache_key: key.map(str::to_string),
                    ..JobRecord::new(name)
                })
                .collect(),
        });
        self
    }

    pub fn script(mut self, steps: &[Step]) -> Run {
        self.script = steps.to_vec();
        self
    }

    /// Ctrl-C came before the first job could start.
    pub fn cancelled_at_start(mut self) -> Run {
        self.cancel_at_start = true;
        self
    }

    /// The run's deadline passed before the first job could start.
    pub fn deadline_at_start(mut self) -> Run {
        self.deadline_at_start = true;
        self
    }

    pub fn cached(mut self, jobs: &[&str]) -> Run {
        self.cached.extend(jobs.iter().map(|s| s.to_string()));
        self
    }

    pub fn no_cache(mut self, jobs: &[&str]) -> Run {
        self.no_cache.extend(jobs.iter().map(|s| s.to_string()));
        self
    }

    /// The job's key now (`key-<job>` unless set).
    pub fn key(mut self, job: &str, key: Option<&str>) -> Run {
        self.keys.insert(job.into(), key.map(str::to_string));
        self
    }

    pub fn outputs_gone(mut self, job: &str) -> Run {
        self.outputs_gone.insert(job.into());
        self
    }

    /// How `job` ends when the script does not say (else `succeeded`).
    pub fn ends(mut self, job: &str, status: JobStatus) -> Run {
        self.ends.insert(job.into(), status);
        self
    }

    pub fn picks(mut self, picks: Vec<usize>) -> Run {
        self.picks = picks.into();
        self
    }

    pub fn interrupt(mut self, after_ends: usize, step: Step) -> Run {
        self.interrupt = Some((after_ends, step));
        self
    }

    fn pool(&self) -> GpuPool {
        match &self.gpus {
            Gpus::Devices(d) => GpuPool::new(&GpuPolicy::Devices(d.clone())),
            Gpus::Serial => GpuPool::serial(),
            Gpus::Disabled => GpuPool::new(&GpuPolicy::None),
        }
    }

    fn nodes(&self) -> Vec<Node> {
        let index: HashMap<&str, usize> = self
            .jobs
            .iter()
            .enumerate()
            .map(|(i, j)| (j.0.as_str(), i))
            .collect();
        self.jobs
            .iter()
            .map(|(name, needs, gpus)| Node {
                name: name.clone(),
                needs: needs
                    .iter()
                    .map(|n| *index.get(n.as_str()).expect("needs a job of the run"))
                    .collect(),
                gpus: *gpus,
            })
            .collect()
    }

    pub fn machine(&self) -> Result<Machine, TooManyGpus> {
        Machine::new(
            self.nodes(),
            self.pool(),
            self.parallel,
            self.keep_going,
            self.earlier.clone(),
        )
    }

    /// Schedules the run to its end with the fake; panics on a broken
    /// promise, or when the script was not used up (the test expected
    /// something that did not happen).
    pub fn go(self) -> Outcome {
        let mut machine = self
            .machine()
            .expect("no job needs more GPUs than the host");
        let mut fake = Fake::new(&self);
        let status = drive(&mut machine, &mut fake)
            .now_or_never()
            .expect("the fake never waits");
        assert!(
            fake.script.is_empty(),
            "steps left over: {:?}; log: {:?}",
            fake.script,
            fake.log
        );
        assert!(fake.running.is_empty(), "jobs left running: {:?}", fake.log);
        for (i, end) in fake.ended.iter().enumerate() {
            assert!(
                end.is_some(),
                "job {} has no end; log: {:?}",
                fake.names[i],
                fake.log
            );
            assert_eq!(
                machine.status(i),
                end.as_ref().expect("an end").0,
                "the machine and the record disagree on {}",
                fake.names[i]
            );
        }
        Outcome {
            status,
            ends: fake
                .names
                .iter()
                .cloned()
                .zip(fake.ended.into_iter().map(|e| e.expect("an end")))
                .collect(),
            log: fake.log,
            grants: fake.grants,
            max_running: fake.max_running,
        }
    }
}

/// How a scheduled run ended, as the fake recorded it.
#[derive(Debug)]
pub(super) struct Outcome {
    pub status: RunStatus,
    /// `start <job>[ gpus <ids>]` and `<job> <status>`, in order.
    pub log: Vec<String>,
    pub ends: HashMap<String, (JobStatus, Option<String>)>,
    pub grants: Vec<(String, Grant)>,
    /// The most jobs running at once.
    pub max_running: usize,
}

impl Outcome {
    pub fn end(&self, job: &str) -> JobStatus {
        self.ends[job].0
    }

    pub fn why(&self, job: &str) -> &str {
        self.ends[job].1.as_deref().unwrap_or("")
    }

    /// The jobs that started (ran), in order.
    pub fn started(&self) -> Vec<&str> {
        self.log
            .iter()
            .filter_map(|l| l.strip_prefix("start "))
            .map(|l| l.split(' ').next().unwrap_or(l))
            .collect()
    }

    pub fn count(&self, status: JobStatus) -> usize {
        self.ends.values().filter(|e| e.0 == status).count()
    }
}

struct Fake {
    names: Vec<String>,
    needs: Vec<Vec<usize>>,
    gpus: Vec<u32>,
    parallel: usize,
    gpu_mode: Gpus,
    script: VecDeque<Step>,
    cancel_asked: bool,
    /// The deadline passed but the scheduler was not told yet.
    deadline_unreported: bool,
    deadline_passed: bool,
    cached: BTreeSet<String>,
    no_cache: BTreeSet<String>,
    keys: HashMap<String, Option<String>>,
    outputs_gone: BTreeSet<String>,
    ends_by_default: HashMap<String, JobStatus>,
    picks: VecDeque<usize>,
    interrupt: Option<(usize, Step)>,
    ends_so_far: usize,
    /// Running jobs, in start order.
    running: Vec<usize>,
    started: Vec<bool>,
    ended: Vec<Option<(JobStatus, Option<String>)>>,
    /// A job that ended in `next` (or was reused) and awaits its record.
    to_record: Option<usize>,
    held_devices: HashSet<String>,
    serial_busy: bool,
    log: Vec<String>,
    grants: Vec<(String, Grant)>,
    max_running: usize,
}

impl Fake {
    fn new(run: &Run) -> Fake {
        let nodes = run.nodes();
        let n = nodes.len();
        Fake {
            names: nodes.iter().map(|n| n.name.clone()).collect(),
            needs: nodes.iter().map(|n| n.needs.clone()).collect(),
            gpus: nodes.iter().map(|n| n.gpus).collect(),
            parallel: run.parallel.max(1),
            gpu_mode: run.gpus.clone(),
            script: run.script.iter().cloned().collect(),
            cancel_asked: run.cancel_at_start,
            deadline_unreported: run.deadline_at_start,
            deadline_passed: run.deadline_at_start,
            cached: run.cached.clone(),
            no_cache: run.no_cache.clone(),
            keys: run.keys.clone(),
            outputs_gone: run.outputs_gone.clone(),
            ends_by_default: run.ends.clone(),
            picks: run.picks.clone(),
            interrupt: run.interrupt.clone(),
            ends_so_far: 0,
            running: Vec::new(),
            started: vec![false; n],
            ended: vec![None; n],
            to_record: None,
            held_devices: HashSet::new(),
            serial_busy: false,
            log: Vec::new(),
            grants: Vec::new(),
            max_running: 0,
        }
    }

    fn index(&self, job: &str) -> usize {
        self.names
            .iter()
            .position(|n| n == job)
            .unwrap_or_else(|| panic!("no job {job}"))
    }

    fn assert_needs_succeeded(&self, job: usize, what: &str) {
        for &d in &self.needs[job] {
            assert!(
                matches!(&self.ended[d], Some((s, _)) if s.is_success()),
                "{what} {} before its need {} succeeded; log: {:?}",
                self.names[job],
                self.names[d],
                self.log
            );
        }
    }

    fn outcome(status: JobStatus, message: Option<String>) -> JobOutcome {
        JobOutcome {
            status,
            exit_code: None,
            message,
            outputs: Vec::new(),
            container: None,
            cache_key: None,
        }
    }

    /// Ends running job `job`: its GPUs come back.
    fn end(&mut self, job: usize, status: JobStatus) -> Happening {
        let Some(at) = self.running.iter().position(|&r| r == job) else {
            panic!(
                "the script ends {}, which is not running; log: {:?}",
                self.names[job], self.log
            );
        };
        self.running.remove(at);
        let grant = self
            .grants
            .iter()
            .rev()
            .find(|g| g.0 == self.names[job])
            .map(|g| g.1.clone());
        if let Some(grant) = grant {
            match &grant {
                Grant::Devices(d) => {
                    for id in d {
                        self.held_devices.remove(id);
                    }
                }
                Grant::Count(_) => self.serial_busy = false,
                Grant::Nothing => {}
            }
        }
        self.ends_so_far += 1;
        self.to_record = Some(job);
        let run_timed_out = status == JobStatus::TimedOut && self.deadline_passed;
        Happening::Finished {
            job,
            outcome: Fake::outcome(status, Some(format!("ended {}", status.as_str()))),
            run_timed_out,
        }
    }

    fn record_end(&mut self, job: usize, status: JobStatus, message: Option<String>) {
        assert!(
            self.ended[job].is_none(),
            "{} ends twice; log: {:?}",
            self.names[job],
            self.log
        );
        self.log
            .push(format!("{} {}", self.names[job], status.as_str()));
        self.ended[job] = Some((status, message));
    }
}

impl Executor for Fake {
    fn signals(&mut self) -> Signals {
        let deadline = std::mem::take(&mut self.deadline_unreported);
        Signals {
            cancel: self.cancel_asked,
            deadline,
        }
    }

    fn key(&mut self, job: usize) -> Option<String> {
        self.assert_needs_succeeded(job, "key of");
        let name = &self.names[job];
        self.keys
            .get(name)
            .cloned()
            .unwrap_or_else(|| Some(format!("key-{name}")))
    }

    fn uses_cache(&self, job: usize) -> bool {
        !self.no_cache.contains(&self.names[job])
    }

    fn reuse(&mut self, job: usize, reuse: &Reuse) -> Option<JobOutcome> {
        self.assert_needs_succeeded(job, "reuse of");
        assert!(!self.started[job] && self.ended[job].is_none());
        let name = &self.names[job];
        let message = if let Some((run, _)) = &reuse.resume
            && !self.outputs_gone.contains(name)
        {
            format!("reused from run {run}")
        } else if reuse.use_cache && reuse.key.is_some() && self.cached.contains(name) {
            "cached".to_string()
        } else {
            return None;
        };
        self.to_record = Some(job);
        Some(Fake::outcome(JobStatus::Cached, Some(message)))
    }

    fn start(&mut self, job: usize, grant: Grant, _reuse: Reuse) {
        let name = self.names[job].clone();
        assert!(
            !self.started[job] && self.ended[job].is_none(),
            "{name} starts twice; log: {:?}",
            self.log
        );
        self.assert_needs_succeeded(job, "start of");
        assert!(
            self.running.len() < self.parallel,
            "{name} starts while {} jobs run (parallel {}); log: {:?}",
            self.running.len(),
            self.parallel,
            self.log
        );
        let mut line = format!("start {name}");
        match (&grant, &self.gpu_mode) {
            (Grant::Nothing, Gpus::Disabled) => {}
            (Grant::Nothing, _) => assert_eq!(self.gpus[job], 0, "{name} got no GPU"),
            (Grant::Devices(d), Gpus::Devices(all)) => {
                assert_eq!(d.len(), self.gpus[job] as usize, "{name}: wrong GPU count");
                for id in d {
                    assert!(all.contains(id), "{name} got unknown GPU {id}");
                    assert!(
                        self.held_devices.insert(id.clone()),
                        "GPU {id} handed to {name} while another job holds it; log: {:?}",
                        self.log
                    );
                }
                line.push_str(&format!(" gpus {}", d.join(",")));
            }
            (Grant::Count(c), Gpus::Serial) => {
                assert_eq!(*c, self.gpus[job], "{name}: wrong GPU count");
                assert!(
                    !self.serial_busy,
                    "{name} got GPUs while another GPU job runs"
                );
                self.serial_busy = true;
                line.push_str(&format!(" gpus any {c}"));
            }
            (g, mode) => panic!("{name} got {g:?} from a pool of {mode:?}"),
        }
        self.started[job] = true;
        self.running.push(job);
        self.max_running = self.max_running.max(self.running.len());
        self.log.push(line);
        self.grants.push((name, grant));
    }

    async fn next(&mut self) -> Happening {
        assert!(!self.running.is_empty(), "next() with no job running");
        if let Some((after, step)) = &self.interrupt
            && *after <= self.ends_so_far
        {
            let step = step.clone();
            self.interrupt = None;
            self.script.push_front(step);
        }
        match self.script.pop_front() {
            Some(Step::End(job, status)) => {
                let job = self.index(job);
                self.end(job, status)
            }
            Some(Step::Cancel) => {
                self.cancel_asked = true;
                self.log.push("ctrl-c".into());
                Happening::Cancel
            }
            Some(Step::RunTimeout(job)) => {
                self.deadline_passed = true;
                self.deadline_unreported = true;
                self.log.push("deadline".into());
                let job = self.index(job);
                self.end(job, JobStatus::TimedOut)
            }
            Some(Step::Deadline) => {
                self.deadline_passed = true;
                self.log.push("deadline".into());
                Happening::Deadline
            }
            None => {
                let at = self.picks.pop_front().unwrap_or(0) % self.running.len();
                let job = self.running[at];
                let status = if self.cancel_asked {
                    JobStatus::Cancelled
                } else if self.deadline_passed {
                    JobStatus::TimedOut
                } else {
                    self.ends_by_default
                        .get(&self.names[job])
                        .copied()
                        .unwrap_or(JobStatus::Succeeded)
                };
                self.end(job, status)
            }
        }
    }

    fn finished(&mut self, job: usize, outcome: JobOutcome) {
        assert_eq!(
            self.to_record.take(),
            Some(job),
            "{} recorded as finished, but it did not just end; log: {:?}",
            self.names[job],
            self.log
        );
        self.record_end(job, outcome.status, outcome.message);
    }

    fn not_started(&mut self, ended: NotStarted) {
        assert!(
            !self.started[ended.job],
            "{} started, yet ends as never started",
            self.names[ended.job]
        );
        assert!(
            !ended.status.is_success() && ended.status.is_done(),
            "{} never started, yet ends {}",
            self.names[ended.job],
            ended.status.as_str()
        );
        self.record_end(ended.job, ended.status, Some(ended.why));
    }
}
