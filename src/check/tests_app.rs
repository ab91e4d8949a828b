//! The state machine on application-mode stories (the JobManager runs the job's `main()`): a
//! cleanup part that fails, a finished application run again by a restarted JobManager, a
//! refused re-submission, a job the HA store lost submitted again by `main()`. The real logs
//! behind these stories are in `samples/corpus-k8s-app/` and `samples/corpus-app/`.

use super::model::Outcome;
use super::testutil::ev;
use super::{analyze_events, Config};
use crate::events::{Event, Kind};

const J: &str = "00000000372f21800000000000000000";
const S1: &str = "78500760-39ea-43ed-99e9-bf62cdd6b76b";
const S2: &str = "a0d4a339-822f-4463-88da-f0a0f1fed4a9";
const APP: &str = "StandaloneApplicationClusterEntryPoint";
const SESSION: &str = "StandaloneSessionClusterEntrypoint";

fn grant(src: &str, line: u64, s: f64, session: &str) -> [Event; 2] {
    [
        ev(
            src,
            line,
            s,
            Kind::LeadershipGranted,
            &[("component", "rest"), ("session", session)],
        ),
        ev(
            src,
            line,
            s,
            Kind::LeadershipGranted,
            &[("component", "dispatcher"), ("session", session)],
        ),
    ]
}

fn checkpoint(src: &str, line: u64, s: f64, id: &str) -> [Event; 2] {
    [
        ev(
            src,
            line,
            s,
            Kind::CheckpointTriggered,
            &[("job", J), ("checkpoint", id)],
        ),
        ev(
            src,
            line,
            s + 0.1,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", id)],
        ),
    ]
}

/// JobManager a (`entrypoint`) runs J from `main()` to checkpoint 2.
fn start(entrypoint: &str) -> Vec<Event> {
    let a = "jm-a.log";
    let mut v = vec![ev(
        a,
        1,
        0.0,
        Kind::ProcessStarted,
        &[("entrypoint", entrypoint)],
    )];
    v.extend(grant(a, 2, 1.0, S1));
    v.push(ev(a, 3, 1.1, Kind::JobGraphsRetrieved, &[("jobs", "")]));
    if entrypoint == APP {
        v.push(ev(a, 4, 1.5, Kind::ApplicationSubmitted, &[("job", J)]));
    }
    v.push(ev(a, 5, 1.5, Kind::JobSubmitted, &[("job", J)]));
    v.push(ev(a, 6, 1.8, Kind::NoCheckpointToRestore, &[]));
    v.push(ev(
        a,
        7,
        2.0,
        Kind::JobMasterStarted,
        &[("job", J), ("session", S1)],
    ));
    v.push(ev(
        a,
        8,
        2.1,
        Kind::JobState,
        &[("job", J), ("from", "CREATED"), ("to", "RUNNING")],
    ));
    v.extend(checkpoint(a, 9, 4.0, "1"));
    v.extend(checkpoint(a, 10, 6.0, "2"));
    v
}

/// `start`, then the job FINISHES, the cleanup's HA-services part finishes and the job graph
/// store's part fails (Flink 1.20's shutdown race), the cluster shuts down and hangs.
fn finished_with_failed_cleanup(entrypoint: &str) -> Vec<Event> {
    let a = "jm-a.log";
    let mut v = start(entrypoint);
    v.extend([
        ev(
            a,
            20,
            10.0,
            Kind::JobState,
            &[("job", J), ("from", "RUNNING"), ("to", "FINISHED")],
        ),
        ev(
            a,
            21,
            10.1,
            Kind::JobTerminal,
            &[("job", J), ("state", "FINISHED")],
        ),
        ev(
            a,
            22,
            10.2,
            Kind::ApplicationFinished,
            &[("state", "SUCCEEDED")],
        ),
        ev(
            a,
            23,
            10.2,
            Kind::ProcessStopping,
            &[("reason", "shutdown"), ("state", "SUCCEEDED")],
        ),
        ev(a, 24, 10.3, Kind::HaCleanupStarted, &[("job", J)]),
        ev(a, 25, 10.4, Kind::HaCleanupFinished, &[("job", J)]),
        ev(
            a,
            26,
            10.5,
            Kind::HaCleanupFailed,
            &[("job", J), ("reason", "JobGraphStore")],
        ),
        ev(a, 27, 10.6, Kind::LogEnd, &[]),
    ]);
    v
}

/// A restarted JobManager b: the dirty job result makes it skip J and finish the cleanup.
fn restarted_after_finish(entrypoint: &str) -> Vec<Event> {
    let b = "jm-b.log";
    let mut v = finished_with_failed_cleanup(entrypoint);
    v.push(ev(
        b,
        1,
        40.0,
        Kind::ProcessStarted,
        &[("entrypoint", entrypoint)],
    ));
    v.extend(grant(b, 2, 45.0, S2));
    v.extend([
        ev(b, 3, 45.1, Kind::JobGraphsRetrieved, &[("jobs", J)]),
        ev(b, 4, 45.1, Kind::JobRecoverySkipped, &[("job", J)]),
        ev(b, 5, 46.0, Kind::HaCleanupStarted, &[("job", J)]),
        ev(b, 6, 46.1, Kind::HaCleanupFinished, &[("job", J)]),
        ev(b, 7, 46.2, Kind::JobGraphRemoved, &[("job", J)]),
    ]);
    v
}

/// `restarted_after_finish`, then b's `main()` submits J again and it runs from nothing.
fn run_again(entrypoint: &str) -> Vec<Event> {
    let b = "jm-b.log";
    let mut v = restarted_after_finish(entrypoint);
    if entrypoint == APP {
        v.push(ev(b, 8, 47.0, Kind::ApplicationSubmitted, &[("job", J)]));
    }
    v.extend([
        ev(b, 9, 47.0, Kind::JobSubmitted, &[("job", J)]),
        ev(b, 10, 47.5, Kind::NoCheckpointToRestore, &[]),
        ev(
            b,
            11,
            47.6,
            Kind::JobMasterStarted,
            &[("job", J), ("session", S2)],
        ),
        ev(
            b,
            12,
            47.7,
            Kind::JobState,
            &[("job", J), ("from", "CREATED"), ("to", "RUNNING")],
        ),
    ]);
    v.extend(checkpoint(b, 13, 50.0, "1"));
    v.extend(checkpoint(b, 14, 52.0, "2"));
    v.push(ev(b, 15, 53.0, Kind::LogEnd, &[]));
    v
}

fn outcome(events: &[Event], id: &str) -> Outcome {
    analyze_events(events, &Config::default())
        .invariants
        .iter()
        .filter(|v| v.id == id)
        .map(|v| v.verdict)
        .max()
        .unwrap_or_else(|| panic!("no verdict for {id}"))
}

#[test]
fn a_failed_cleanup_part_is_a_leak_until_a_retry_finishes_it() {
    // The JobManager going away right after the failure leaves the cleanup to the next one.
    let events = finished_with_failed_cleanup(APP);
    assert_eq!(outcome(&events, "ha-cleanup"), Outcome::Unknown);
    // Living on (its shutdown hangs) without a successful retry proves the leak.
    let mut events = finished_with_failed_cleanup(APP);
    let end = events.pop().expect("log_end");
    events.push(ev("jm-a.log", 27, 96.0, Kind::TaskmanagerLost, &[]));
    events.push(end);
    let a = analyze_events(&events, &Config::default());
    let v = a
        .invariants
        .iter()
        .find(|v| v.id == "ha-cleanup")
        .expect("ha-cleanup verdict");
    assert_eq!(v.verdict, Outcome::Fail, "{v:#?}");
    assert!(v.because.contains("JobGraphStore"), "{}", v.because);
    // The terminal state, the start of the cleanup and the failure are the proof.
    assert_eq!(v.evidence.len(), 3, "{v:#?}");
    assert_eq!(a.jobs[0].cleanup_failed, vec!["JobGraphStore".to_string()]);

    // The next JobManager finishes the cleanup (`Removed job graph …`): it counts.
    let events = restarted_after_finish(APP);
    assert_eq!(outcome(&events, "ha-cleanup"), Outcome::Pass);
    assert_eq!(outcome(&events, "no-resurrection"), Outcome::Pass);
    let a = analyze_events(&events, &Config::default());
    // The cluster ended with its application: the restarted JobManager is no failover.
    assert!(a.failovers.is_empty(), "{:#?}", a.failovers);
    assert!(a.jobs[0].cleanup_failed.is_empty());
}

#[test]
fn a_cleanup_that_began_and_never_finished_is_unknown_at_the_end_of_the_logs() {
    let mut events = finished_with_failed_cleanup(APP);
    events.retain(|e| !matches!(e.kind, Kind::HaCleanupFailed | Kind::HaCleanupFinished));
    assert_eq!(outcome(&events, "ha-cleanup"), Outcome::Unknown);
}

#[test]
fn a_finished_application_run_again_by_main_is_a_resurrection() {
    let events = run_again(APP);
    let a = analyze_events(&events, &Config::default());
    let v = a
        .invariants
        .iter()
        .find(|v| v.id == "no-resurrection")
        .expect("verdict");
    assert_eq!(v.verdict, Outcome::Fail, "{v:#?}");
    assert!(v.because.contains("main()"), "{}", v.because);
    // Terminal state, skipped recovery, the new submission, the first sign of it running.
    assert_eq!(v.evidence.len(), 4, "{v:#?}");
    // The re-run is a new life: its checkpoints restart, and it has nothing to restore.
    assert_eq!(outcome(&events, "checkpoint-monotonic"), Outcome::Pass);
    assert_ne!(outcome(&events, "recover-latest"), Outcome::Fail);
    assert!(a.failovers.is_empty());
}

#[test]
fn a_client_resubmitting_a_finished_job_id_in_session_mode_starts_a_new_life() {
    let events = run_again(SESSION);
    // The new life has not ended yet: nothing to judge, nothing failed.
    assert_eq!(outcome(&events, "no-resurrection"), Outcome::Unknown);
    assert_eq!(outcome(&events, "checkpoint-monotonic"), Outcome::Pass);
}

#[test]
fn a_refused_resubmission_keeps_the_finished_job_dead() {
    let b = "jm-b.log";
    let mut events = restarted_after_finish(APP);
    events.extend([
        ev(b, 8, 47.0, Kind::ApplicationSubmitted, &[("job", J)]),
        ev(b, 9, 47.0, Kind::JobSubmitted, &[("job", J)]),
        ev(b, 10, 47.1, Kind::JobSubmissionRefused, &[("job", J)]),
        ev(
            b,
            11,
            47.2,
            Kind::ApplicationFinished,
            &[("state", "SUCCEEDED")],
        ),
        ev(b, 12, 47.3, Kind::HaCleanupAll, &[]),
        ev(b, 13, 47.5, Kind::LogEnd, &[]),
    ]);
    assert_eq!(outcome(&events, "no-resurrection"), Outcome::Pass);
    assert_eq!(outcome(&events, "ha-cleanup"), Outcome::Pass);
}

/// `start`, JobManager a killed; b finds no job graph (HA metadata lost, or the operator's
/// last-state upgrade removed it) and `main()` submits J again, which starts from nothing.
fn resubmitted_after_loss(entrypoint: &str) -> Vec<Event> {
    let a = "jm-a.log";
    let b = "jm-b.log";
    let mut v = start(entrypoint);
    v.push(ev(a, 20, 7.0, Kind::LogEnd, &[]));
    v.push(ev(
        b,
        1,
        10.0,
        Kind::ProcessStarted,
        &[("entrypoint", entrypoint)],
    ));
    v.extend(grant(b, 2, 20.0, S2));
    v.push(ev(b, 3, 20.1, Kind::JobGraphsRetrieved, &[("jobs", "")]));
    v.push(ev(
        b,
        4,
        20.1,
        Kind::JobGraphsRecoveredCount,
        &[("count", "0")],
    ));
    if entrypoint == APP {
        v.push(ev(b, 5, 20.5, Kind::ApplicationSubmitted, &[("job", J)]));
    }
    v.extend([
        ev(b, 6, 20.5, Kind::JobSubmitted, &[("job", J)]),
        ev(b, 7, 20.8, Kind::NoCheckpointToRestore, &[]),
        ev(
            b,
            8,
            21.0,
            Kind::JobMasterStarted,
            &[("job", J), ("session", S2)],
        ),
        ev(
            b,
            9,
            21.1,
            Kind::JobState,
            &[("job", J), ("from", "CREATED"), ("to", "RUNNING")],
        ),
    ]);
    v.extend(checkpoint(b, 10, 23.0, "1"));
    v.push(ev(b, 11, 25.0, Kind::LogEnd, &[]));
    v
}

#[test]
fn main_resubmitting_a_job_the_ha_store_lost_runs_it_again_but_its_state_is_lost() {
    let events = resubmitted_after_loss(APP);
    assert_eq!(outcome(&events, "jobs-recovered"), Outcome::Pass);
    assert_eq!(outcome(&events, "recover-latest"), Outcome::Fail);
    assert_eq!(outcome(&events, "checkpoint-monotonic"), Outcome::Fail);
    let a = analyze_events(&events, &Config::default());
    let r = &a.failovers[0].jobs[0];
    assert!(r.fresh_start && r.resubmitted, "{r:#?}");
    // In session mode nothing re-submits a lost job: missing from the job graphs is lost.
    let events = resubmitted_after_loss(SESSION);
    let events: Vec<Event> = events
        .into_iter()
        .filter(|e| !(&*e.source == "jm-b.log" && e.line >= 6))
        .collect();
    assert_eq!(outcome(&events, "jobs-recovered"), Outcome::Fail);
}

#[test]
fn a_checkpoint_finalized_just_after_the_job_ended_is_no_resurrection() {
    // Seen in Flink 2.3.0: `Completed checkpoint 22` 69 ms after `CANCELLING to CANCELED`.
    let a = "jm-a.log";
    let mut events = start(APP);
    events.extend([
        ev(
            a,
            20,
            9.9,
            Kind::CheckpointTriggered,
            &[("job", J), ("checkpoint", "3")],
        ),
        ev(
            a,
            21,
            10.0,
            Kind::JobState,
            &[("job", J), ("from", "CANCELLING"), ("to", "CANCELED")],
        ),
        ev(
            a,
            22,
            10.1,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", "3")],
        ),
        ev(a, 23, 10.2, Kind::HaCleanupStarted, &[("job", J)]),
        ev(a, 24, 10.3, Kind::HaCleanupFinished, &[("job", J)]),
    ]);
    assert_eq!(outcome(&events, "no-resurrection"), Outcome::Pass);
    // A new trigger after the end is the job running again.
    events.push(ev(
        a,
        25,
        12.0,
        Kind::CheckpointTriggered,
        &[("job", J), ("checkpoint", "4")],
    ));
    assert_eq!(outcome(&events, "no-resurrection"), Outcome::Fail);
}

#[test]
fn a_finished_job_id_started_again_from_a_savepoint_is_a_new_life() {
    // An upgrade that keeps the job id and starts it from the savepoint the job stopped with.
    let b = "jm-b.log";
    let mut events = restarted_after_finish(APP);
    events.extend([
        ev(b, 8, 47.0, Kind::ApplicationSubmitted, &[("job", J)]),
        ev(b, 9, 47.0, Kind::JobSubmitted, &[("job", J)]),
        ev(
            b,
            10,
            47.5,
            Kind::CheckpointRestored,
            &[("job", J), ("checkpoint", "3"), ("savepoint", "true")],
        ),
        ev(
            b,
            11,
            47.6,
            Kind::JobMasterStarted,
            &[("job", J), ("session", S2)],
        ),
        ev(b, 12, 48.0, Kind::LogEnd, &[]),
    ]);
    assert_ne!(outcome(&events, "no-resurrection"), Outcome::Fail);
}

#[test]
fn a_job_missing_after_a_failover_in_application_mode_waits_for_main() {
    let cut = |from: u64| -> Vec<Event> {
        resubmitted_after_loss(APP)
            .into_iter()
            .filter(|e| !(&*e.source == "jm-b.log" && e.line >= from && e.kind != Kind::LogEnd))
            .collect()
    };
    // Missing from the recovered job graphs, and main() has not run yet: not proven lost.
    let events = cut(5);
    assert_eq!(outcome(&events, "jobs-recovered"), Outcome::Unknown);
    let a = analyze_events(&events, &Config::default());
    let v = a
        .invariants
        .iter()
        .find(|v| v.id == "jobs-recovered")
        .unwrap();
    assert!(v.because.contains("main()"), "{}", v.because);
    // main() submitted it again, but the logs end before it ran.
    assert_eq!(outcome(&cut(6), "jobs-recovered"), Outcome::Unknown);
    // The application ended without submitting it: lost.
    let mut events = cut(5);
    let end = events.pop().expect("log_end");
    events.push(ev(
        "jm-b.log",
        5,
        21.0,
        Kind::ApplicationFinished,
        &[("state", "FAILED")],
    ));
    events.push(end);
    assert_eq!(outcome(&events, "jobs-recovered"), Outcome::Fail);
    // So does main() submitting another job id (with HA an application runs one job).
    let mut events = cut(5);
    let end = events.pop().expect("log_end");
    events.push(ev(
        "jm-b.log",
        5,
        21.0,
        Kind::ApplicationSubmitted,
        &[("job", "ffffffffffffffffffffffffffffffff")],
    ));
    events.push(end);
    assert_eq!(outcome(&events, "jobs-recovered"), Outcome::Fail);
}
