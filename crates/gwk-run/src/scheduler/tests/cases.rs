//! One test per scheduling case. The fake ends jobs in the order each
//! script says; what is not scripted ends in start order (succeeded, or
//! cancelled / timed out after a Ctrl-C / the deadline).

use super::fake::{Gpus, Run, Step, fail, ok};
use crate::events::JobStatus::{self, *};
use crate::events::RunStatus;
use crate::gpu::Grant;
use crate::scheduler::TooManyGpus;

const CHAIN: &[(&str, &[&str])] = &[("a", &[]), ("b", &["a"]), ("c", &["b"])];
const DIAMOND: &[(&str, &[&str])] = &[("a", &[]), ("b", &["a"]), ("c", &["a"]), ("d", &["b", "c"])];
const FAN4: &[(&str, &[&str])] = &[("a", &[]), ("b", &[]), ("c", &[]), ("d", &[])];

const FAILED_ELSEWHERE: &str =
    "not started: another job failed (use --keep-going to run independent jobs)";

fn ends(r: &super::fake::Outcome, jobs: &[&str]) -> Vec<JobStatus> {
    jobs.iter().map(|j| r.end(j)).collect()
}

// ---- starting ------------------------------------------------------------

#[test]
fn chain_runs_each_job_after_the_one_it_needs() {
    let r = Run::new(CHAIN).go();
    assert_eq!(
        r.log,
        [
            "start a",
            "a succeeded",
            "start b",
            "b succeeded",
            "start c",
            "c succeeded"
        ]
    );
    assert_eq!(r.status, RunStatus::Succeeded);
}

#[test]
fn fan_out_with_room_starts_every_job_at_once() {
    let r = Run::new(FAN4).parallel(4).go();
    assert_eq!(r.log[..4], ["start a", "start b", "start c", "start d"]);
    assert_eq!(r.max_running, 4);
    assert_eq!(r.status, RunStatus::Succeeded);
}

#[test]
fn fan_out_with_parallel_1_runs_one_job_at_a_time_in_file_order() {
    let r = Run::new(FAN4)
        .parallel(1)
        .script(&[ok("a"), ok("b"), ok("c"), ok("d")])
        .go();
    assert_eq!(r.max_running, 1);
    assert_eq!(r.started(), ["a", "b", "c", "d"]);
}

#[test]
fn fan_out_with_parallel_2_starts_the_next_job_when_one_ends() {
    let r = Run::new(FAN4).parallel(2).script(&[ok("b")]).go();
    assert_eq!(r.max_running, 2);
    assert_eq!(
        r.log[..4],
        ["start a", "start b", "b succeeded", "start c"],
        "c takes b's slot"
    );
}

#[test]
fn parallel_0_counts_as_1() {
    let r = Run::new(FAN4).parallel(0).go();
    assert_eq!(r.max_running, 1);
    assert_eq!(r.status, RunStatus::Succeeded);
}

#[test]
fn a_job_starts_when_its_needs_succeed_without_waiting_for_a_stage() {
    // a and slow are the first "stage"; c needs only a.
    let r = Run::new(&[("a", &[]), ("slow", &[]), ("c", &["a"])])
        .script(&[ok("a"), ok("c"), ok("slow")])
        .go();
    assert_eq!(
        r.log,
        [
            "start a",
            "start slow",
            "a succeeded",
            "start c",
            "c succeeded",
            "slow succeeded"
        ]
    );
}

#[test]
fn diamond_join_waits_for_both_branches() {
    let r = Run::new(DIAMOND).script(&[ok("a"), ok("c"), ok("b")]).go();
    assert_eq!(
        r.log,
        [
            "start a",
            "a succeeded",
            "start b",
            "start c",
            "c succeeded",
            "b succeeded",
            "start d",
            "d succeeded"
        ]
    );
    assert_eq!(r.status, RunStatus::Succeeded);
}

#[test]
fn a_job_listed_before_the_jobs_it_needs_waits_for_them() {
    let r = Run::new(&[("train", &["prep"]), ("prep", &[])]).go();
    assert_eq!(
        r.log,
        [
            "start prep",
            "prep succeeded",
            "start train",
            "train succeeded"
        ]
    );
}

#[test]
fn an_empty_run_succeeds() {
    let r = Run::new(&[]).go();
    assert_eq!(r.status, RunStatus::Succeeded);
    assert!(r.log.is_empty());
}

// ---- failures ------------------------------------------------------------

#[test]
fn first_job_of_a_chain_fails_every_later_job_is_skipped() {
    let r = Run::new(CHAIN).script(&[fail("a")]).go();
    assert_eq!(ends(&r, &["a", "b", "c"]), [Failed, Skipped, Skipped]);
    assert_eq!(r.why("b"), "not started: `a` failed");
    assert_eq!(r.why("c"), "not started: `b` skipped");
    assert_eq!(r.started(), ["a"]);
    assert_eq!(r.status, RunStatus::Failed);
}

#[test]
fn middle_job_of_a_chain_fails() {
    let r = Run::new(CHAIN).script(&[ok("a"), fail("b")]).go();
    assert_eq!(ends(&r, &["a", "b", "c"]), [Succeeded, Failed, Skipped]);
    assert_eq!(r.why("c"), "not started: `b` failed");
    assert_eq!(r.status, RunStatus::Failed);
}

#[test]
fn last_job_of_a_chain_fails_the_others_keep_their_success() {
    let r = Run::new(CHAIN).script(&[ok("a"), ok("b"), fail("c")]).go();
    assert_eq!(ends(&r, &["a", "b", "c"]), [Succeeded, Succeeded, Failed]);
    assert_eq!(r.count(Skipped), 0);
    assert_eq!(r.status, RunStatus::Failed);
}

#[test]
fn without_keep_going_a_failure_starts_nothing_new_and_running_jobs_finish() {
    let r = Run::new(FAN4)
        .parallel(2)
        .script(&[fail("a"), ok("b")])
        .go();
    assert_eq!(
        ends(&r, &["a", "b", "c", "d"]),
        [Failed, Succeeded, Skipped, Skipped]
    );
    assert_eq!(r.why("c"), FAILED_ELSEWHERE);
    assert_eq!(r.started(), ["a", "b"]);
    assert_eq!(r.status, RunStatus::Failed);
}

#[test]
fn with_keep_going_independent_jobs_run_after_a_failure() {
    let r = Run::new(FAN4)
        .parallel(2)
        .keep_going()
        .script(&[fail("a")])
        .go();
    assert_eq!(
        ends(&r, &["a", "b", "c", "d"]),
        [Failed, Succeeded, Succeeded, Succeeded]
    );
    assert_eq!(r.started(), ["a", "b", "c", "d"]);
    assert_eq!(r.status, RunStatus::Failed, "one failure fails the run");
}

#[test]
fn with_keep_going_the_dependents_of_a_failure_are_still_skipped() {
    let r = Run::new(DIAMOND)
        .keep_going()
        .script(&[ok("a"), fail("b")])
        .go();
    assert_eq!(
        ends(&r, &["a", "b", "c", "d"]),
        [Succeeded, Failed, Succeeded, Skipped]
    );
    assert_eq!(r.why("d"), "not started: `b` failed");
}

#[test]
fn diamond_branch_fails_while_the_other_runs_it_finishes_and_the_join_is_skipped() {
    let r = Run::new(DIAMOND)
        .script(&[ok("a"), fail("b"), ok("c")])
        .go();
    assert_eq!(
        ends(&r, &["a", "b", "c", "d"]),
        [Succeeded, Failed, Succeeded, Skipped]
    );
    assert_eq!(r.why("d"), "not started: `b` failed");
}

#[test]
fn both_branches_of_a_diamond_fail_the_join_names_the_first_need() {
    let r = Run::new(DIAMOND)
        .keep_going()
        .script(&[ok("a"), fail("c"), fail("b")])
        .go();
    assert_eq!(r.end("d"), Skipped);
    // Skipped as soon as c failed, while b still ran.
    assert_eq!(r.why("d"), "not started: `c` failed");
}

#[test]
fn diamond_root_fails_everything_below_is_skipped() {
    let r = Run::new(DIAMOND).script(&[fail("a")]).go();
    assert_eq!(ends(&r, &["b", "c", "d"]), [Skipped, Skipped, Skipped]);
    assert_eq!(r.why("d"), "not started: `b` skipped");
    assert_eq!(r.count(Skipped), 3);
}

#[test]
fn a_timed_out_job_is_a_failure_for_its_dependents() {
    let r = Run::new(&[("a", &[]), ("b", &["a"]), ("x", &[])])
        .parallel(1)
        .script(&[Step::End("a", TimedOut)])
        .go();
    assert_eq!(ends(&r, &["a", "b", "x"]), [TimedOut, Skipped, Skipped]);
    assert_eq!(r.why("b"), "not started: `a` timed_out");
    assert_eq!(
        r.why("x"),
        FAILED_ELSEWHERE,
        "a job timeout is not a run timeout"
    );
    assert_eq!(r.status, RunStatus::Failed);
}

#[test]
fn skipped_count_covers_every_job_downstream_of_a_failure() {
    // root -> m1..m3 -> leaf, and an independent branch i1 -> i2.
    let r = Run::new(&[
        ("root", &[]),
        ("i1", &[]),
        ("m1", &["root"]),
        ("m2", &["root"]),
        ("m3", &["m1"]),
        ("i2", &["i1"]),
        ("leaf", &["m2", "m3"]),
    ])
    .keep_going()
    .script(&[fail("root")])
    .go();
    assert_eq!(r.count(Skipped), 4);
    assert_eq!(r.count(Succeeded), 2);
    assert_eq!(r.count(Failed), 1);
}

// ---- cancel --------------------------------------------------------------

#[test]
fn cancel_before_any_job_started_cancels_every_job() {
    let r = Run::new(DIAMOND).cancelled_at_start().go();
    assert!(r.started().is_empty());
    assert_eq!(r.count(Cancelled), 4);
    assert_eq!(r.why("a"), "cancelled before it started");
    assert_eq!(r.status, RunStatus::Cancelled);
}

#[test]
fn cancel_while_jobs_run_stops_them_and_cancels_the_rest() {
    let r = Run::new(&[("a", &[]), ("b", &[]), ("c", &["a"]), ("d", &[])])
        .parallel(2)
        .script(&[Step::Cancel])
        .go();
    assert_eq!(r.started(), ["a", "b"]);
    assert_eq!(ends(&r, &["a", "b", "c", "d"]), [Cancelled; 4]);
    assert_eq!(r.why("d"), "cancelled before it started");
    assert_eq!(r.why("c"), "not started: `a` cancelled");
    assert_eq!(r.status, RunStatus::Cancelled);
}

#[test]
fn cancel_after_some_jobs_succeeded_keeps_their_success() {
    let r = Run::new(CHAIN).script(&[ok("a"), Step::Cancel]).go();
    assert_eq!(
        ends(&r, &["a", "b", "c"]),
        [Succeeded, Cancelled, Cancelled]
    );
    assert_eq!(r.status, RunStatus::Cancelled);
}

#[test]
fn a_job_that_finishes_during_the_cancel_still_starts_nothing() {
    // a ends well within the grace period after Ctrl-C.
    let r = Run::new(CHAIN).script(&[Step::Cancel, ok("a")]).go();
    assert_eq!(
        ends(&r, &["a", "b", "c"]),
        [Succeeded, Cancelled, Cancelled]
    );
    assert_eq!(r.why("b"), "cancelled before it started");
    assert_eq!(r.started(), ["a"]);
    assert_eq!(r.status, RunStatus::Cancelled);
}

#[test]
fn cancel_during_a_gpu_wait_cancels_the_waiting_job_without_starting_it() {
    let r = Run::new(&[("g1", &[]), ("g2", &[])])
        .devices(&["0"])
        .gpu("g1", 1)
        .gpu("g2", 1)
        .script(&[Step::Cancel])
        .go();
    assert_eq!(r.started(), ["g1"]);
    assert_eq!(ends(&r, &["g1", "g2"]), [Cancelled, Cancelled]);
    assert_eq!(r.why("g2"), "cancelled before it started");
}

#[test]
fn a_second_ctrl_c_changes_nothing_more() {
    let r = Run::new(FAN4)
        .parallel(2)
        .script(&[Step::Cancel, Step::Cancel])
        .go();
    assert_eq!(r.count(Cancelled), 4);
    assert_eq!(r.started(), ["a", "b"]);
}

#[test]
fn cancel_after_a_failure_makes_the_run_cancelled() {
    let r = Run::new(FAN4)
        .parallel(2)
        .script(&[fail("a"), Step::Cancel])
        .go();
    assert_eq!(
        ends(&r, &["a", "b", "c", "d"]),
        [Failed, Cancelled, Cancelled, Cancelled]
    );
    assert_eq!(r.why("c"), "cancelled before it started");
    assert_eq!(r.status, RunStatus::Cancelled);
}

#[test]
fn a_job_cancelled_on_its_own_cancels_its_dependents_but_is_no_failure() {
    let r = Run::new(&[("a", &[]), ("b", &["a"]), ("x", &[])])
        .parallel(1)
        .script(&[Step::End("a", Cancelled)])
        .go();
    assert_eq!(
        ends(&r, &["a", "b", "x"]),
        [Cancelled, Cancelled, Succeeded]
    );
    assert_eq!(r.why("b"), "not started: `a` cancelled");
    assert_eq!(r.status, RunStatus::Failed, "not every job succeeded");
}

// ---- the run's deadline ----------------------------------------------------

#[test]
fn deadline_before_any_job_started_skips_every_job() {
    let r = Run::new(CHAIN).deadline_at_start().go();
    assert!(r.started().is_empty());
    assert_eq!(r.count(Skipped), 3);
    assert_eq!(r.why("a"), "not started: the run timed out");
    assert_eq!(r.status, RunStatus::Failed);
}

#[test]
fn deadline_while_jobs_run_times_them_out_and_skips_the_rest() {
    let r = Run::new(&[("a", &[]), ("b", &["a"]), ("x", &[]), ("y", &[])])
        .parallel(2)
        .script(&[Step::Deadline])
        .go();
    assert_eq!(
        ends(&r, &["a", "b", "x", "y"]),
        [TimedOut, Skipped, TimedOut, Skipped]
    );
    assert_eq!(r.why("b"), "not started: `a` timed_out");
    assert_eq!(r.why("y"), "not started: the run timed out");
    assert_eq!(r.status, RunStatus::Failed);
}

#[test]
fn a_job_stopped_by_the_run_deadline_stops_new_jobs_even_with_keep_going() {
    let r = Run::new(&[("a", &[]), ("b", &[]), ("c", &[])])
        .parallel(2)
        .keep_going()
        .script(&[Step::RunTimeout("a")])
        .go();
    assert_eq!(ends(&r, &["a", "b", "c"]), [TimedOut, TimedOut, Skipped]);
    assert_eq!(r.why("c"), "not started: the run timed out");
    assert_eq!(r.status, RunStatus::Failed);
}

#[test]
fn a_run_timeout_after_a_failure_is_the_reason_given() {
    let r = Run::new(FAN4)
        .parallel(2)
        .script(&[fail("a"), Step::RunTimeout("b")])
        .go();
    assert_eq!(ends(&r, &["a", "b", "c"]), [Failed, TimedOut, Skipped]);
    assert_eq!(r.why("c"), "not started: the run timed out");
}

#[test]
fn deadline_after_a_failure_keeps_the_failure_as_the_reason() {
    let r = Run::new(FAN4)
        .parallel(2)
        .script(&[fail("a"), Step::Deadline, ok("b")])
        .go();
    assert_eq!(r.why("c"), FAILED_ELSEWHERE);
    assert_eq!(r.status, RunStatus::Failed);
}

#[test]
fn cancel_and_deadline_together_make_a_cancelled_run() {
    let r = Run::new(FAN4)
        .parallel(2)
        .script(&[Step::Deadline, Step::Cancel])
        .go();
    assert_eq!(r.status, RunStatus::Cancelled);
    assert_eq!(r.why("c"), "cancelled before it started");
}

#[test]
fn a_job_timeout_with_keep_going_lets_the_others_run() {
    let r = Run::new(FAN4)
        .parallel(1)
        .keep_going()
        .script(&[Step::End("a", TimedOut)])
        .go();
    assert_eq!(
        ends(&r, &["a", "b", "c", "d"]),
        [TimedOut, Succeeded, Succeeded, Succeeded]
    );
    assert_eq!(r.status, RunStatus::Failed);
}

// ---- GPUs ----------------------------------------------------------------

#[test]
fn gpu_jobs_get_devices_of_their_own() {
    let r = Run::new(&[("two", &[]), ("one", &[]), ("two_more", &[])])
        .devices(&["0", "1", "2"])
        .gpu("two", 2)
        .gpu("one", 1)
        .gpu("two_more", 2)
        .script(&[ok("two")])
        .go();
    assert_eq!(
        r.log[..5],
        [
            "start two gpus 0,1",
            "start one gpus 2",
            "two succeeded",
            "start two_more gpus 0,1",
            "one succeeded"
        ]
    );
}

#[test]
fn a_gpu_job_waits_while_too_few_gpus_are_free_and_does_not_hold_back_others() {
    let r = Run::new(&[("g1", &[]), ("g2", &[]), ("cpu", &[])])
        .devices(&["0", "1"])
        .gpu("g1", 1)
        .gpu("g2", 2)
        .script(&[ok("cpu"), ok("g1")])
        .go();
    assert_eq!(
        r.log,
        [
            "start g1 gpus 0",
            "start cpu",
            "cpu succeeded",
            "g1 succeeded",
            "start g2 gpus 0,1",
            "g2 succeeded"
        ]
    );
}

#[test]
fn a_job_waiting_for_gpus_takes_no_parallel_slot() {
    let r = Run::new(&[("g1", &[]), ("g2", &[]), ("cpu", &[])])
        .devices(&["0"])
        .gpu("g1", 1)
        .gpu("g2", 1)
        .parallel(2)
        .script(&[ok("cpu"), ok("g1")])
        .go();
    assert_eq!(r.started(), ["g1", "cpu", "g2"]);
    assert_eq!(r.max_running, 2);
}

#[test]
fn a_job_needing_more_gpus_than_the_host_has_is_refused() {
    let run = Run::new(&[("small", &[]), ("big", &[])])
        .devices(&["0", "1"])
        .gpu("small", 1)
        .gpu("big", 4);
    match run.machine() {
        Err(e) => assert_eq!(
            e,
            TooManyGpus {
                job: 1,
                needs: 4,
                host: 2
            }
        ),
        Ok(_) => panic!("a job that can never get its GPUs was accepted"),
    }
}

#[test]
fn a_job_needing_every_gpu_of_the_host_is_accepted() {
    let r = Run::new(&[("all", &[])])
        .devices(&["0", "1"])
        .gpu("all", 2)
        .go();
    assert_eq!(r.log[0], "start all gpus 0,1");
}

#[test]
fn unknown_devices_run_gpu_jobs_one_at_a_time() {
    let r = Run::new(&[("g1", &[]), ("g2", &[]), ("cpu", &[])])
        .gpus(Gpus::Serial)
        .gpu("g1", 2)
        .gpu("g2", 1)
        .script(&[ok("g1")])
        .go();
    assert_eq!(
        r.log[..4],
        [
            "start g1 gpus any 2",
            "start cpu",
            "g1 succeeded",
            "start g2 gpus any 1"
        ]
    );
    // Unknown devices: any count, so no refusal for a big one.
    assert!(
        Run::new(&[("huge", &[])])
            .gpus(Gpus::Serial)
            .gpu("huge", 64)
            .machine()
            .is_ok()
    );
}

#[test]
fn with_gpus_none_gpu_jobs_run_side_by_side_without_gpus() {
    let r = Run::new(&[("g1", &[]), ("g2", &[])])
        .gpus(Gpus::Disabled)
        .gpu("g1", 4)
        .gpu("g2", 8)
        .go();
    assert_eq!(r.max_running, 2);
    assert!(r.grants.iter().all(|(_, g)| *g == Grant::Nothing));
}

#[test]
fn gpus_of_a_failed_job_go_to_the_next_one() {
    let r = Run::new(&[("g1", &[]), ("g2", &[])])
        .devices(&["7"])
        .gpu("g1", 1)
        .gpu("g2", 1)
        .keep_going()
        .script(&[fail("g1")])
        .go();
    assert_eq!(
        r.log,
        [
            "start g1 gpus 7",
            "g1 failed",
            "start g2 gpus 7",
            "g2 succeeded"
        ]
    );
}

#[test]
fn a_waiting_gpu_job_is_skipped_after_a_failure_without_keep_going() {
    let r = Run::new(&[("g1", &[]), ("g2", &[])])
        .devices(&["0"])
        .gpu("g1", 1)
        .gpu("g2", 1)
        .script(&[fail("g1")])
        .go();
    assert_eq!(r.started(), ["g1"]);
    assert_eq!(r.why("g2"), FAILED_ELSEWHERE);
}

// ---- resume --------------------------------------------------------------

#[test]
fn resume_reuses_unchanged_jobs_that_succeeded_and_reruns_the_failed_one() {
    let r = Run::new(CHAIN)
        .resume(&[
            ("a", Succeeded, Some("key-a")),
            ("b", Failed, Some("key-b")),
            ("c", Skipped, None),
        ])
        .go();
    assert_eq!(ends(&r, &["a", "b", "c"]), [Cached, Succeeded, Succeeded]);
    assert_eq!(r.why("a"), "reused from run r-earlier");
    assert_eq!(r.started(), ["b", "c"]);
    assert_eq!(r.status, RunStatus::Succeeded);
}

#[test]
fn resume_reruns_a_job_whose_definition_changed() {
    let r = Run::new(CHAIN)
        .resume(&[
            ("a", Succeeded, Some("key-a")),
            ("b", Succeeded, Some("key-b-before-the-edit")),
            ("c", Failed, Some("key-c")),
        ])
        .go();
    assert_eq!(ends(&r, &["a", "b", "c"]), [Cached, Succeeded, Succeeded]);
    assert_eq!(r.started(), ["b", "c"]);
}

#[test]
fn resume_reruns_the_dependents_of_a_job_that_ran_again() {
    // a changed; b did not, but it needs a, which ran again.
    let r = Run::new(CHAIN)
        .key("a", Some("key-a-edited"))
        .resume(&[
            ("a", Succeeded, Some("key-a")),
            ("b", Succeeded, Some("key-b")),
            ("c", Succeeded, Some("key-c")),
        ])
        .go();
    assert_eq!(r.started(), ["a", "b", "c"]);
    assert_eq!(r.count(Cached), 0);
}

#[test]
fn resume_reuses_a_whole_unchanged_run_without_starting_anything() {
    let r = Run::new(DIAMOND)
        .parallel(1)
        .resume(&[
            ("a", Succeeded, Some("key-a")),
            ("b", Succeeded, Some("key-b")),
            ("c", Cached, Some("key-c")),
            ("d", Succeeded, Some("key-d")),
        ])
        .go();
    assert!(r.started().is_empty());
    assert_eq!(r.log, ["a cached", "b cached", "c cached", "d cached"]);
    assert_eq!(r.status, RunStatus::Succeeded);
}

#[test]
fn resume_runs_a_job_whose_key_is_unknown() {
    let r = Run::new(&[("a", &[])])
        .key("a", None)
        .resume(&[("a", Succeeded, None)])
        .go();
    assert_eq!(r.started(), ["a"]);
}

#[test]
fn resume_runs_a_job_whose_earlier_outputs_are_gone() {
    let r = Run::new(&[("a", &[])])
        .outputs_gone("a")
        .resume(&[("a", Succeeded, Some("key-a"))])
        .go();
    assert_eq!(r.started(), ["a"]);
    assert_eq!(r.end("a"), Succeeded);
}

#[test]
fn resume_runs_a_job_the_earlier_run_did_not_have() {
    let r = Run::new(&[("a", &[]), ("new", &["a"])])
        .resume(&[("a", Succeeded, Some("key-a"))])
        .go();
    assert_eq!(ends(&r, &["a", "new"]), [Cached, Succeeded]);
    assert_eq!(r.started(), ["new"]);
}

#[test]
fn resume_runs_again_a_job_that_was_cancelled_or_timed_out_before() {
    let r = Run::new(&[("a", &[]), ("b", &[])])
        .resume(&[
            ("a", Cancelled, Some("key-a")),
            ("b", TimedOut, Some("key-b")),
        ])
        .go();
    assert_eq!(r.started(), ["a", "b"]);
}

#[test]
fn a_resumed_run_fails_again_where_it_failed() {
    let r = Run::new(CHAIN)
        .resume(&[
            ("a", Succeeded, Some("key-a")),
            ("b", Failed, Some("key-b")),
        ])
        .script(&[fail("b")])
        .go();
    assert_eq!(ends(&r, &["a", "b", "c"]), [Cached, Failed, Skipped]);
    assert_eq!(r.status, RunStatus::Failed);
}

// ---- the job cache -------------------------------------------------------

#[test]
fn a_cached_job_is_done_without_running() {
    let r = Run::new(CHAIN).cached(&["a"]).go();
    assert_eq!(r.log[0], "a cached");
    assert_eq!(r.why("a"), "cached");
    assert_eq!(r.started(), ["b", "c"]);
    assert_eq!(r.status, RunStatus::Succeeded);
}

#[test]
fn a_job_whose_dependency_was_cached_starts_at_once() {
    let r = Run::new(&[("a", &[]), ("slow", &[]), ("b", &["a"])])
        .cached(&["a"])
        .script(&[ok("b"), ok("slow")])
        .go();
    assert_eq!(
        r.log,
        [
            "a cached",
            "start slow",
            "start b",
            "b succeeded",
            "slow succeeded"
        ]
    );
}

#[test]
fn cached_jobs_take_no_parallel_slot() {
    let r = Run::new(FAN4).parallel(1).cached(&["a", "b", "c"]).go();
    assert_eq!(
        r.log,
        ["a cached", "b cached", "c cached", "start d", "d succeeded"]
    );
}

#[test]
fn a_job_the_cache_does_not_apply_to_runs_even_when_cached() {
    let r = Run::new(&[("a", &[])]).cached(&["a"]).no_cache(&["a"]).go();
    assert_eq!(r.started(), ["a"]);
}

#[test]
fn a_job_with_an_unknown_key_is_not_looked_up_in_the_cache() {
    let r = Run::new(&[("a", &[])]).cached(&["a"]).key("a", None).go();
    assert_eq!(r.started(), ["a"]);
}

#[test]
fn a_chain_cached_to_the_end_starts_nothing() {
    let r = Run::new(CHAIN).cached(&["a", "b", "c"]).go();
    assert!(r.started().is_empty());
    assert_eq!(r.count(Cached), 3);
    assert_eq!(r.status, RunStatus::Succeeded);
}

#[test]
fn a_failure_after_a_cached_job_skips_its_dependents() {
    let r = Run::new(CHAIN).cached(&["a"]).script(&[fail("b")]).go();
    assert_eq!(ends(&r, &["a", "b", "c"]), [Cached, Failed, Skipped]);
}

#[test]
fn no_job_is_reused_after_a_cancel_at_start() {
    let r = Run::new(CHAIN).cached(&["a"]).cancelled_at_start().go();
    assert_eq!(r.count(Cancelled), 3);
    assert_eq!(r.count(Cached), 0);
}

// ---- the DAG from the plan's jobs ----------------------------------------

#[test]
fn nodes_resolve_needs_to_indexes_and_keep_gpu_counts() {
    let job = |name: &str, needs: &[&str], gpus: u32| crate::job::JobSpec {
        name: name.into(),
        needs: needs.iter().map(|s| s.to_string()).collect(),
        action: crate::job::ActionSpec::Container {
            image: "bash:5".into(),
            entrypoint: None,
            cmd: None,
        },
        env: Vec::new(),
        inputs: Vec::new(),
        outputs: Vec::new(),
        instance_type: None,
        gpus,
        memory_bytes: None,
        timeout: None,
    };
    let nodes = crate::scheduler::nodes(&[
        job("train", &["prep", "fetch"], 2),
        job("prep", &[], 0),
        job("fetch", &["prep"], 0),
    ]);
    let view: Vec<(&str, &[usize], u32)> = nodes
        .iter()
        .map(|n| (n.name.as_str(), n.needs.as_slice(), n.gpus))
        .collect();
    assert_eq!(
        view,
        [
            ("train", &[1, 2][..], 2),
            ("prep", &[][..], 0),
            ("fetch", &[1][..], 0)
        ]
    );
}
