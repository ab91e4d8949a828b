//! The state machine on hand-written event streams: one PASS story and one violation per
//! invariant. Real logs are exercised by the integration tests in `tests/`.

use super::model::{CauseKind, FailoverKind, Outcome};
use super::testutil::ev;
use super::{analyze_events, Config};
use crate::events::{Event, Kind};
use chrono::Duration;

const J: &str = "6cecd03fbdf46ddd31c32d9bdc34c1b5";
const S1: &str = "e121f084-4a4d-4a43-bf6c-09a46f25e587";
const S2: &str = "79f1aa78-d705-4f10-b2d4-cabd6801d714";

/// JM a leads, runs job J to checkpoint 3, is killed; JM b takes over, restores 3, goes on
/// to 5, the job is cancelled and cleaned up.
fn story() -> Vec<Event> {
    let a = "jm-a.log";
    let b = "jm-b.log";
    vec![
        ev(
            a,
            1,
            0.0,
            Kind::ProcessStarted,
            &[("entrypoint", "StandaloneSessionClusterEntrypoint")],
        ),
        ev(
            a,
            2,
            1.0,
            Kind::LeadershipGranted,
            &[("component", "rest"), ("session", S1)],
        ),
        ev(
            a,
            3,
            1.0,
            Kind::LeadershipGranted,
            &[("component", "dispatcher"), ("session", S1)],
        ),
        ev(b, 1, 2.0, Kind::ProcessStarted, &[]),
        ev(
            a,
            4,
            3.0,
            Kind::JobSubmitted,
            &[("job", J), ("name", "counter")],
        ),
        ev(
            a,
            5,
            4.0,
            Kind::JobState,
            &[("job", J), ("from", "CREATED"), ("to", "RUNNING")],
        ),
        ev(
            a,
            6,
            5.0,
            Kind::CheckpointTriggered,
            &[("job", J), ("checkpoint", "1")],
        ),
        ev(
            a,
            7,
            5.1,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", "1")],
        ),
        ev(
            a,
            8,
            7.0,
            Kind::CheckpointTriggered,
            &[("job", J), ("checkpoint", "2")],
        ),
        ev(
            a,
            9,
            7.1,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", "2")],
        ),
        ev(
            a,
            10,
            9.0,
            Kind::CheckpointTriggered,
            &[("job", J), ("checkpoint", "3")],
        ),
        ev(
            a,
            11,
            9.1,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", "3")],
        ),
        ev(
            a,
            12,
            10.0,
            Kind::CheckpointTriggered,
            &[("job", J), ("checkpoint", "4")],
        ),
        ev(a, 12, 10.0, Kind::LogEnd, &[]),
        ev(
            b,
            2,
            20.0,
            Kind::LeadershipGranted,
            &[("component", "rest"), ("session", S2)],
        ),
        ev(
            b,
            3,
            20.0,
            Kind::LeadershipGranted,
            &[("component", "dispatcher"), ("session", S2)],
        ),
        ev(b, 4, 20.1, Kind::JobGraphsRetrieved, &[("jobs", J)]),
        ev(b, 5, 20.2, Kind::JobGraphRecovered, &[("job", J)]),
        ev(
            b,
            6,
            20.5,
            Kind::CheckpointRestored,
            &[("job", J), ("checkpoint", "3"), ("savepoint", "false")],
        ),
        ev(
            b,
            7,
            20.6,
            Kind::JobState,
            &[("job", J), ("from", "CREATED"), ("to", "RUNNING")],
        ),
        ev(
            b,
            8,
            22.0,
            Kind::CheckpointTriggered,
            &[("job", J), ("checkpoint", "5")],
        ),
        ev(
            b,
            9,
            22.1,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", "5")],
        ),
        ev(
            b,
            10,
            30.0,
            Kind::JobState,
            &[("job", J), ("from", "RUNNING"), ("to", "CANCELED")],
        ),
        ev(
            b,
            11,
            30.1,
            Kind::JobTerminal,
            &[("job", J), ("state", "CANCELED")],
        ),
        ev(b, 12, 30.2, Kind::HaCleanupStarted, &[("job", J)]),
        ev(b, 12, 30.25, Kind::HaCleanupFinished, &[("job", J)]),
        ev(b, 13, 40.0, Kind::ProcessStopping, &[("reason", "SIGTERM")]),
        ev(b, 13, 40.0, Kind::LogEnd, &[]),
    ]
}

fn outcome(events: &[Event], cfg: &Config, id: &str) -> Outcome {
    let a = analyze_events(events, cfg);
    a.invariants
        .iter()
        .filter(|v| v.id == id)
        .map(|v| v.verdict)
        .max()
        .unwrap_or_else(|| panic!("no verdict for {id}: {:#?}", a.invariants))
}

fn replace(mut events: Vec<Event>, source: &str, line: u64, new: Event) -> Vec<Event> {
    if let Some(e) = events
        .iter_mut()
        .find(|e| &*e.source == source && e.line == line)
    {
        *e = new;
    }
    events
}

#[test]
fn the_story_passes_with_one_failover() {
    let a = analyze_events(&story(), &Config::default());
    for v in &a.invariants {
        assert_eq!(v.verdict, Outcome::Pass, "{v:#?}");
    }
    assert_eq!(a.failovers.len(), 1);
    let f = &a.failovers[0];
    assert_eq!(f.kind, FailoverKind::Leader);
    assert_eq!(f.leaderless_ms, Some(10_000));
    let r = &f.jobs[0];
    assert_eq!(r.latest_completed_before, Some(3));
    assert_eq!(r.restored_checkpoint, Some(3));
    assert_eq!(r.first_completed_after, Some(5));
    assert_eq!(r.lost_checkpoints, vec![4]);
    assert_eq!(r.rto_ms, Some(10_600));
    assert_eq!(r.rpo_ms, Some(900));
    assert_eq!(a.terms.len(), 2);
    assert_eq!(a.incarnations.len(), 2);
    assert_eq!(a.jobs[0].checkpoint_runs.len(), 2);
}

#[test]
fn restore_from_an_older_checkpoint_fails_recover_latest() {
    let bad = ev(
        "jm-b.log",
        6,
        20.5,
        Kind::CheckpointRestored,
        &[("job", J), ("checkpoint", "2"), ("savepoint", "false")],
    );
    let events = replace(story(), "jm-b.log", 6, bad);
    assert_eq!(
        outcome(&events, &Config::default(), "recover-latest"),
        Outcome::Fail
    );
}

#[test]
fn restart_without_restore_fails_recover_latest() {
    let bad = ev("jm-b.log", 6, 20.5, Kind::NoCheckpointToRestore, &[]);
    let events = replace(story(), "jm-b.log", 6, bad);
    assert_eq!(
        outcome(&events, &Config::default(), "recover-latest"),
        Outcome::Fail
    );
}

#[test]
fn ids_going_back_fail_checkpoint_monotonic() {
    let bad = ev(
        "jm-b.log",
        8,
        22.0,
        Kind::CheckpointTriggered,
        &[("job", J), ("checkpoint", "1")],
    );
    let events = replace(story(), "jm-b.log", 8, bad);
    assert_eq!(
        outcome(&events, &Config::default(), "checkpoint-monotonic"),
        Outcome::Fail
    );
}

#[test]
fn a_job_missing_from_the_new_leader_fails_jobs_recovered() {
    let bad = ev(
        "jm-b.log",
        4,
        20.1,
        Kind::JobGraphsRetrieved,
        &[("jobs", "")],
    );
    let mut events = replace(story(), "jm-b.log", 4, bad);
    events.retain(|e| !(&*e.source == "jm-b.log" && (5..=11).contains(&e.line)));
    assert_eq!(
        outcome(&events, &Config::default(), "jobs-recovered"),
        Outcome::Fail
    );
}

#[test]
fn a_second_leader_while_the_first_acts_fails_single_leader() {
    let mut events = story();
    // b is granted at 8 s while a is still checkpointing until 10 s.
    for e in events.iter_mut() {
        if &*e.source == "jm-b.log" && (e.line == 2 || e.line == 3) {
            e.ts = super::testutil::at(8.0);
        }
    }
    assert_eq!(
        outcome(&events, &Config::default(), "single-leader"),
        Outcome::Fail
    );
    // Within the clock skew it is tolerated.
    let cfg = Config {
        clock_skew: Duration::seconds(5),
        ..Config::default()
    };
    assert_eq!(outcome(&events, &cfg, "single-leader"), Outcome::Pass);
}

#[test]
fn a_reused_session_fails_leader_session_fresh() {
    let mut events = story();
    for e in events.iter_mut() {
        if e.fields.session.as_deref() == Some(S2) {
            e.fields.session = Some(S1.to_string());
        }
    }
    assert_eq!(
        outcome(&events, &Config::default(), "leader-session-fresh"),
        Outcome::Fail
    );
}

#[test]
fn recovery_after_cleanup_fails_no_resurrection() {
    let mut events = story();
    events.insert(
        events.len() - 2,
        ev("jm-b.log", 12, 35.0, Kind::JobGraphRecovered, &[("job", J)]),
    );
    assert_eq!(
        outcome(&events, &Config::default(), "no-resurrection"),
        Outcome::Fail
    );
}

#[test]
fn missing_cleanup_is_a_leak_and_cleanup_of_a_suspended_job_fails() {
    let mut events = story();
    events.retain(|e| !matches!(e.kind, Kind::HaCleanupStarted | Kind::HaCleanupFinished));
    assert_eq!(
        outcome(&events, &Config::default(), "ha-cleanup"),
        Outcome::Fail
    );

    let mut events = story();
    events.insert(
        11,
        ev(
            "jm-a.log",
            11,
            9.5,
            Kind::JobState,
            &[("job", J), ("from", "RUNNING"), ("to", "SUSPENDED")],
        ),
    );
    events.insert(
        12,
        ev("jm-a.log", 11, 9.6, Kind::HaCleanupStarted, &[("job", J)]),
    );
    assert_eq!(
        outcome(&events, &Config::default(), "ha-cleanup"),
        Outcome::Fail
    );
}

#[test]
fn cleanup_seen_right_before_the_logs_end_is_unknown_when_too_early_to_tell() {
    let mut events = story();
    events.retain(|e| !matches!(e.kind, Kind::HaCleanupStarted | Kind::HaCleanupFinished));
    for e in events.iter_mut() {
        if &*e.source == "jm-b.log" && e.line == 13 {
            e.ts = super::testutil::at(31.0);
        }
    }
    assert_eq!(
        outcome(&events, &Config::default(), "ha-cleanup"),
        Outcome::Unknown
    );
}

#[test]
fn recovery_time_and_expected_failovers() {
    let cfg = Config {
        max_rto: Some(Duration::seconds(5)),
        expect_failovers: Some(2),
        ..Config::default()
    };
    assert_eq!(outcome(&story(), &cfg, "recovery-time"), Outcome::Fail);
    assert_eq!(outcome(&story(), &cfg, "expect-failovers"), Outcome::Fail);
    let cfg = Config {
        max_rto: Some(Duration::seconds(60)),
        expect_failovers: Some(1),
        ..Config::default()
    };
    assert_eq!(outcome(&story(), &cfg, "recovery-time"), Outcome::Pass);
    assert_eq!(outcome(&story(), &cfg, "expect-failovers"), Outcome::Pass);
}

#[test]
fn no_failover_leaves_recovery_unknown() {
    let events: Vec<Event> = story()
        .into_iter()
        .filter(|e| &*e.source == "jm-a.log")
        .collect();
    assert_eq!(
        outcome(&events, &Config::default(), "recover-latest"),
        Outcome::Unknown
    );
    assert_eq!(
        outcome(&events, &Config::default(), "jobs-recovered"),
        Outcome::Unknown
    );
    assert_eq!(
        outcome(&events, &Config::default(), "leader-session-fresh"),
        Outcome::Unknown
    );
}

#[test]
fn a_task_manager_loss_is_a_job_restart_failover() {
    let b = "jm-b.log";
    let mut events = story();
    events.retain(|e| !(&*e.source == b && e.line >= 10));
    events.extend([
        ev(b, 20, 24.0, Kind::TaskmanagerLost, &[("resource", "tm-1")]),
        ev(
            b,
            21,
            24.1,
            Kind::JobState,
            &[("job", J), ("from", "RUNNING"), ("to", "RESTARTING")],
        ),
        ev(
            b,
            22,
            25.0,
            Kind::JobState,
            &[("job", J), ("from", "RESTARTING"), ("to", "RUNNING")],
        ),
        ev(
            b,
            23,
            25.1,
            Kind::CheckpointRestored,
            &[("job", J), ("checkpoint", "5")],
        ),
        ev(
            b,
            24,
            27.0,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", "6")],
        ),
        ev(b, 24, 27.0, Kind::LogEnd, &[]),
    ]);
    let a = analyze_events(&events, &Config::default());
    assert_eq!(a.failovers.len(), 2);
    let f = &a.failovers[1];
    assert_eq!(f.kind, FailoverKind::JobRestart);
    assert!(f.cause.text.contains("tm-1"), "{:?}", f.cause);
    assert_eq!(f.cause.kind, CauseKind::TaskmanagerLost);
    assert_eq!(f.jobs[0].restored_checkpoint, Some(5));
    assert_eq!(f.jobs[0].rto_ms, Some(900));
    assert_eq!(
        outcome(&events, &Config::default(), "recover-latest"),
        Outcome::Pass
    );
}

#[test]
fn cluster_wide_cleanup_counts_for_terminal_jobs_and_fails_for_live_ones() {
    let b = "jm-b.log";
    // The per-job cleanup replaced by an application cluster's cluster-wide one: PASS.
    let mut events: Vec<Event> = story()
        .into_iter()
        .filter(|e| !matches!(e.kind, Kind::HaCleanupStarted | Kind::HaCleanupFinished))
        .collect();
    events.push(ev(b, 12, 30.5, Kind::HaCleanupAll, &[]));
    events.sort_by_key(|e| e.ts);
    assert_eq!(
        outcome(&events, &Config::default(), "ha-cleanup"),
        Outcome::Pass
    );
    // The whole cluster's HA data removed while the job still runs (FLINK-19154): FAIL.
    let mut events: Vec<Event> = story()
        .into_iter()
        .filter(|e| e.ts < super::testutil::at(25.0))
        .collect();
    events.push(ev(b, 20, 26.0, Kind::HaCleanupAll, &[]));
    assert_eq!(
        outcome(&events, &Config::default(), "ha-cleanup"),
        Outcome::Fail
    );
}

#[test]
fn a_job_left_out_of_the_recovery_count_fails_unless_it_runs_later() {
    let b = "jm-b.log";
    // The recovery lines of J are gone, but the new leader still restores and runs it.
    let mut events: Vec<Event> = story()
        .into_iter()
        .filter(|e| !(&*e.source == b && e.line == 5))
        .collect();
    events.push(ev(
        b,
        5,
        20.3,
        Kind::JobGraphsRecoveredCount,
        &[("count", "0")],
    ));
    assert_eq!(
        outcome(&events, &Config::default(), "jobs-recovered"),
        Outcome::Pass
    );
    // Nothing of J after the count: it was left out.
    events.retain(|e| !(&*e.source == b && (6..=12).contains(&e.line)));
    assert_eq!(
        outcome(&events, &Config::default(), "jobs-recovered"),
        Outcome::Fail
    );
}

#[test]
fn leadership_lost_for_good_is_noted() {
    let a = "jm-a.log";
    let events = vec![
        ev(a, 1, 0.0, Kind::ProcessStarted, &[]),
        ev(
            a,
            2,
            1.0,
            Kind::LeadershipGranted,
            &[("component", "dispatcher"), ("session", S1)],
        ),
        ev(
            a,
            3,
            5.0,
            Kind::LeadershipRevoked,
            &[("component", "dispatcher"), ("session", S1)],
        ),
        ev(a, 4, 100.0, Kind::HaConnection, &[("state", "RECONNECTED")]),
        ev(a, 4, 100.0, Kind::LogEnd, &[]),
    ];
    let a = analyze_events(&events, &Config::default());
    assert!(
        a.notes.iter().any(|n| n.contains("FLINK-34007")),
        "{:?}",
        a.notes
    );
}

#[test]
fn flinks_own_split_brain_warning_is_noted() {
    let mut events = story();
    events.insert(
        3,
        ev(
            "jm-a.log",
            4,
            1.5,
            Kind::LeaderConflict,
            &[("session", S1), ("component", "dispatcher")],
        ),
    );
    let a = analyze_events(&events, &Config::default());
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("split-brain symptom") && n.contains("jm-a.log:4")),
        "{:?}",
        a.notes
    );
}
