//! The scheduler's promises over random DAGs, options and orders of
//! events. The fake executor checks, on every call, that no job starts
//! before its needs succeeded, that the parallel limit holds, that no GPU
//! is handed to two jobs at once and that each job ends once; `go` checks
//! that every job ended and that the scheduler agrees with the record.

use super::fake::{Gpus, Run, Step};
use crate::events::{JobStatus, RunStatus};
use proptest::prelude::*;

/// A random run: up to 12 jobs, each needing any of the jobs before it.
#[derive(Clone, Debug)]
struct Case {
    needs: Vec<Vec<usize>>,
    gpus: Vec<u32>,
    pool: Gpus,
    parallel: usize,
    keep_going: bool,
    ends: Vec<JobStatus>,
    cached: Vec<bool>,
    /// `--resume`: each job's end in the earlier run, and whether its
    /// definition is unchanged.
    resume: Option<Vec<(JobStatus, bool)>>,
    picks: Vec<usize>,
    interrupt: Option<(usize, Step)>,
}

fn status() -> impl Strategy<Value = JobStatus> {
    prop_oneof![
        6 => Just(JobStatus::Succeeded),
        2 => Just(JobStatus::Failed),
        1 => Just(JobStatus::TimedOut),
        1 => Just(JobStatus::Cancelled),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=12)
        .prop_flat_map(|n| {
            (
                proptest::collection::vec(any::<u16>(), n),
                proptest::collection::vec(0u32..=3, n),
                (0usize..=2, 1usize..=4),
                0usize..=4,
                any::<bool>(),
                proptest::collection::vec(status(), n),
                proptest::collection::vec(proptest::bool::weighted(0.2), n),
                proptest::option::of(proptest::collection::vec(
                    (status(), proptest::bool::weighted(0.7)),
                    n,
                )),
                proptest::collection::vec(0usize..12, 0..40),
                proptest::option::of((
                    0usize..12,
                    prop_oneof![Just(Step::Cancel), Just(Step::Deadline)],
                )),
            )
        })
        .prop_map(
            |(
                masks,
                gpus,
                (mode, devices),
                parallel,
                keep_going,
                ends,
                cached,
                resume,
                picks,
                interrupt,
            )| {
                let needs = masks
                    .iter()
                    .enumerate()
                    .map(|(j, m)| (0..j).filter(|d| m & (1 << d) != 0).collect())
                    .collect();
                let pool = match mode {
                    0 => Gpus::Disabled,
                    1 => Gpus::Serial,
                    _ => Gpus::Devices((0..devices).map(|d| d.to_string()).collect()),
                };
                // Jobs fit the host (a bigger one is refused; tested apart).
                let gpus = match &pool {
                    Gpus::Devices(d) => gpus.iter().map(|&g| g.min(d.len() as u32)).collect(),
                    _ => gpus,
                };
                Case {
                    needs,
                    gpus,
                    pool,
                    parallel,
                    keep_going,
                    ends,
                    cached,
                    resume,
                    picks,
                    interrupt,
                }
            },
        )
}

fn run(case: &Case) -> Run {
    let names: Vec<String> = (0..case.needs.len()).map(|i| format!("j{i}")).collect();
    let mut run = Run::indexed(&case.needs, &case.gpus)
        .gpus(case.pool.clone())
        .parallel(case.parallel)
        .picks(case.picks.clone());
    if case.keep_going {
        run = run.keep_going();
    }
    for (i, &end) in case.ends.iter().enumerate() {
        run = run.ends(&names[i], end);
    }
    let cached: Vec<&str> = names
        .iter()
        .zip(&case.cached)
        .filter(|(_, c)| **c)
        .map(|(n, _)| n.as_str())
        .collect();
    run = run.cached(&cached);
    if let Some(earlier) = &case.resume {
        let keys: Vec<String> = names
            .iter()
            .zip(earlier)
            .map(|(n, (_, same))| {
                if *same {
                    format!("key-{n}")
                } else {
                    format!("key-{n}-before")
                }
            })
            .collect();
        let records: Vec<(&str, JobStatus, Option<&str>)> = names
            .iter()
            .zip(earlier)
            .zip(&keys)
            .map(|((n, (s, _)), k)| (n.as_str(), *s, Some(k.as_str())))
            .collect();
        run = run.resume(&records);
    }
    if let Some((after, step)) = &case.interrupt {
        run = run.interrupt(*after, step.clone());
    }
    run
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn scheduling_keeps_its_promises_on_random_dags(case in case()) {
        let out = run(&case).go();
        let names: Vec<String> = (0..case.needs.len()).map(|i| format!("j{i}")).collect();
        let end = |i: usize| out.end(&names[i]);
        let all_success = (0..names.len()).all(|i| end(i).is_success());
        let cancelled = out.log.iter().any(|l| l == "ctrl-c");
        let deadline = out.log.iter().any(|l| l == "deadline");
        prop_assert_eq!(out.status == RunStatus::Cancelled, cancelled, "log: {:?}", out.log);
        if !cancelled {
            prop_assert_eq!(out.status == RunStatus::Succeeded, all_success);
        }
        prop_assert!(out.max_running <= case.parallel.max(1));
        for (i, name) in names.iter().enumerate() {
            let needs_ok = case.needs[i].iter().all(|&d| end(d).is_success());
            match end(i) {
                // Never started: something it needs did not succeed, or
                // the run stopped (a failure without keep-going, a cancel,
                // the deadline).
                JobStatus::Skipped => prop_assert!(
                    !needs_ok || deadline || (!case.keep_going && out.count(JobStatus::Failed) + out.count(JobStatus::TimedOut) > 0),
                    "{} skipped without a reason; log: {:?}", name, out.log
                ),
                // Started only when its needs succeeded (the fake checks
                // the order); a job that ran ended as the fake said.
                JobStatus::Succeeded | JobStatus::Failed | JobStatus::TimedOut => {
                    prop_assert!(needs_ok);
                    prop_assert!(out.started().contains(&name.as_str()));
                }
                JobStatus::Cached => {
                    prop_assert!(needs_ok);
                    prop_assert!(!out.started().contains(&name.as_str()));
                }
                JobStatus::Cancelled => {}
                JobStatus::Pending | JobStatus::Running => {
                    prop_assert!(false, "{} ended {:?}", name, end(i));
                }
            }
        }
    }
}
