//! Regression tests for verdicts that were wrong on inputs nobody had written a test for.

use super::model::Outcome;
use super::testutil::ev;
use super::{analyze_events, Config};
use crate::events::{Event, Kind};

const J: &str = "6cecd03fbdf46ddd31c32d9bdc34c1b5";
const S1: &str = "e121f084-4a4d-4a43-bf6c-09a46f25e587";
const S2: &str = "79f1aa78-d705-4f10-b2d4-cabd6801d714";
const A: &str = "jm-a.log";
const B: &str = "jm-b.log";

fn outcome(events: &[Event], id: &str) -> Outcome {
    let a = analyze_events(events, &Config::default());
    a.invariants
        .iter()
        .filter(|v| v.id == id)
        .map(|v| v.verdict)
        .max()
        .unwrap_or_else(|| panic!("no verdict for {id}: {:#?}", a.invariants))
}

fn grant(src: &str, line: u64, s: f64, component: &str, session: &str) -> Event {
    ev(
        src,
        line,
        s,
        Kind::LeadershipGranted,
        &[("component", component), ("session", session)],
    )
}

fn state(src: &str, line: u64, s: f64, from: &str, to: &str) -> Event {
    ev(
        src,
        line,
        s,
        Kind::JobState,
        &[("job", J), ("from", from), ("to", to)],
    )
}

/// A log that ends right after a leadership grant whose last two records are a millisecond
/// out of order: one term, not two terms with one session.
#[test]
fn a_log_ending_on_out_of_order_grants_is_one_term() {
    let events = vec![
        ev(A, 1, 0.0, Kind::ProcessStarted, &[]),
        grant(A, 2, 1.125, "resourcemanager", S1),
        grant(A, 3, 1.000, "rest", S1),
        // The pipeline's end of this log: its last line, dated as that line.
        ev(A, 3, 1.000, Kind::LogEnd, &[]),
    ];
    assert_ne!(outcome(&events, "leader-session-fresh"), Outcome::Fail);
    assert_ne!(outcome(&events, "single-leader"), Outcome::Fail);
}

/// JM a leads and runs job J; it loses leadership (`ends`), JM b is granted at 20 s and
/// recovers J; a then logs `action` at `at` seconds.
fn old_leader_acts(ends: Event, action: Event) -> Vec<Event> {
    let mut v = vec![
        ev(A, 1, 0.0, Kind::ProcessStarted, &[]),
        grant(A, 2, 1.0, "rest", S1),
        grant(A, 3, 1.0, "dispatcher", S1),
        ev(B, 1, 2.0, Kind::ProcessStarted, &[]),
        state(A, 4, 4.0, "CREATED", "RUNNING"),
        ev(
            A,
            5,
            5.1,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", "1")],
        ),
        ends,
        grant(B, 2, 20.0, "rest", S2),
        grant(B, 3, 20.0, "dispatcher", S2),
        ev(B, 4, 20.1, Kind::JobGraphsRetrieved, &[("jobs", J)]),
        ev(
            B,
            5,
            20.5,
            Kind::CheckpointRestored,
            &[("job", J), ("checkpoint", "1")],
        ),
        state(B, 6, 20.6, "CREATED", "RUNNING"),
        action,
        ev(B, 7, 40.0, Kind::LogEnd, &[]),
    ];
    v.push(ev(A, 99, 30.0, Kind::LogEnd, &[]));
    v
}

#[test]
fn an_old_leader_changing_a_job_state_after_the_new_grant_fails_single_leader() {
    let revoked = || {
        ev(
            A,
            6,
            15.0,
            Kind::LeadershipRevoked,
            &[("component", "dispatcher"), ("session", S1)],
        )
    };
    let sigterm = || ev(A, 6, 15.0, Kind::ProcessStopping, &[("reason", "SIGTERM")]);
    for ends in [revoked, sigterm] {
        for to in ["RESTARTING", "FAILED", "CANCELED", "RUNNING", "FAILING"] {
            let events = old_leader_acts(ends(), state(A, 7, 22.0, "RUNNING", to));
            assert_eq!(outcome(&events, "single-leader"), Outcome::Fail, "{to}");
        }
        // Giving the job up is what an old leader does.
        let events = old_leader_acts(ends(), state(A, 7, 22.0, "RUNNING", "SUSPENDED"));
        assert_eq!(outcome(&events, "single-leader"), Outcome::Pass);
        // Within the clock skew of the grant it is tolerated.
        let events = old_leader_acts(ends(), state(A, 7, 20.5, "RUNNING", "RESTARTING"));
        assert_eq!(outcome(&events, "single-leader"), Outcome::Pass);
        // The same place with a completed checkpoint was caught already.
        let events = old_leader_acts(
            ends(),
            ev(
                A,
                7,
                22.0,
                Kind::CheckpointCompleted,
                &[("job", J), ("checkpoint", "2")],
            ),
        );
        assert_eq!(outcome(&events, "single-leader"), Outcome::Fail);
    }
}

/// The last checkpoint of a finishing job logged a few milliseconds after its FINISHED
/// state (two threads) is not the job running again; one a while later, or by another
/// process, is.
#[test]
fn a_checkpoint_finishing_with_its_job_is_no_resurrection() {
    let story = |src: &str, at: f64| {
        vec![
            ev(A, 1, 0.0, Kind::ProcessStarted, &[]),
            grant(A, 2, 1.0, "dispatcher", S1),
            state(A, 3, 2.0, "CREATED", "RUNNING"),
            state(A, 4, 5.0, "RUNNING", "FINISHED"),
            ev(
                src,
                5,
                at,
                Kind::CheckpointCompleted,
                &[("job", J), ("checkpoint", "3")],
            ),
            ev(A, 6, 5.25, Kind::HaCleanupStarted, &[("job", J)]),
            ev(A, 7, 20.0, Kind::LogEnd, &[]),
        ]
    };
    assert_eq!(outcome(&story(A, 5.125), "no-resurrection"), Outcome::Pass);
    assert_eq!(outcome(&story(A, 9.0), "no-resurrection"), Outcome::Fail);
    assert_eq!(outcome(&story(B, 5.125), "no-resurrection"), Outcome::Fail);
}

/// A job seen only checkpointing (its state changes not in the logs, as in an excerpt)
/// whose HA data is cleaned up was running: a premature cleanup, not a resurrection when it
/// checkpoints on.
#[test]
fn cleanup_of_a_job_seen_only_checkpointing_is_premature() {
    let events = vec![
        ev(A, 1, 0.0, Kind::ProcessStarted, &[]),
        grant(A, 2, 1.0, "dispatcher", S1),
        ev(
            A,
            3,
            2.0,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", "1")],
        ),
        ev(A, 4, 2.5, Kind::HaCleanupStarted, &[("job", J)]),
        ev(
            A,
            5,
            4.0,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", "2")],
        ),
        ev(A, 6, 20.0, Kind::LogEnd, &[]),
    ];
    assert_eq!(outcome(&events, "ha-cleanup"), Outcome::Fail);
    assert_ne!(outcome(&events, "no-resurrection"), Outcome::Fail);
}

/// `--follow` on one stream: a leader killed with -9 just stops logging, and its end is
/// only known when the input ends. The new leader's job master for the same job is no
/// second job master running it; the old process logging about the job later would be.
#[test]
fn a_killed_leaders_job_master_is_not_a_second_one_in_arrival_order() {
    let master = |src: &str, line: u64, s: f64, session: &str| {
        ev(
            src,
            line,
            s,
            Kind::JobMasterStarted,
            &[("job", J), ("session", session)],
        )
    };
    let mut events = vec![
        ev(A, 1, 0.0, Kind::ProcessStarted, &[]),
        grant(A, 2, 1.0, "dispatcher", S1),
        master(A, 3, 2.0, S1),
        ev(B, 1, 3.0, Kind::ProcessStarted, &[]),
        // A is killed here: no line says so until the stream ends.
        grant(B, 2, 20.0, "dispatcher", S2),
        master(B, 3, 21.0, S2),
        ev(
            B,
            4,
            22.0,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", "1")],
        ),
    ];
    let arrival = |evs: &[Event]| {
        let mut c = super::Checker::new(Config::default());
        let printed: usize = evs.iter().map(|e| c.observe(e).len()).sum();
        (printed, c.finish())
    };
    let mut ended = events.clone();
    ended.push(ev(A, 3, 2.0, Kind::LogEnd, &[]));
    ended.push(ev(B, 4, 22.0, Kind::LogEnd, &[]));
    let (printed, a) = arrival(&ended);
    assert_eq!(printed, 0);
    assert!(
        a.invariants.iter().all(|v| v.verdict != Outcome::Fail),
        "{:#?}",
        a.invariants
    );
    // The first process still checkpointing the job after the second master started: FAIL.
    events.push(ev(
        A,
        4,
        23.0,
        Kind::CheckpointCompleted,
        &[("job", J), ("checkpoint", "2")],
    ));
    assert_eq!(outcome(&events, "single-leader"), Outcome::Fail);
}

/// Two jobs on one leader: job K restarts (either order of RUNNING and its restore line)
/// while job J, which has completed a checkpoint, completes another one in between. The
/// job-less `No checkpoint found during restore.` is K's (it never checkpointed), not J's.
#[test]
fn a_job_less_restore_line_belongs_to_the_restarting_job() {
    const K: &str = "0f3a0b1c2d3e4f50617283940a1b2c3d";
    let job = |line, s, kind, kv: &[(&str, &str)]| ev(A, line, s, kind, kv);
    for running_first in [true, false] {
        let mut events = vec![
            ev(A, 1, 0.0, Kind::ProcessStarted, &[]),
            grant(A, 2, 1.0, "dispatcher", S1),
            job(
                3,
                2.0,
                Kind::JobState,
                &[("job", J), ("from", "CREATED"), ("to", "RUNNING")],
            ),
            job(
                4,
                2.5,
                Kind::JobState,
                &[("job", K), ("from", "CREATED"), ("to", "RUNNING")],
            ),
            job(
                5,
                4.0,
                Kind::CheckpointTriggered,
                &[("job", J), ("checkpoint", "1")],
            ),
            job(
                6,
                4.1,
                Kind::CheckpointCompleted,
                &[("job", J), ("checkpoint", "1")],
            ),
            job(
                7,
                5.0,
                Kind::JobState,
                &[("job", K), ("from", "RUNNING"), ("to", "RESTARTING")],
            ),
        ];
        let running = job(
            8,
            6.0,
            Kind::JobState,
            &[("job", K), ("from", "RESTARTING"), ("to", "RUNNING")],
        );
        if running_first {
            events.push(running.clone());
        }
        events.push(job(
            9,
            6.010,
            Kind::CheckpointTriggered,
            &[("job", J), ("checkpoint", "2")],
        ));
        events.push(job(
            10,
            6.012,
            Kind::CheckpointCompleted,
            &[("job", J), ("checkpoint", "2")],
        ));
        events.push(job(11, 6.020, Kind::NoCheckpointToRestore, &[]));
        if !running_first {
            events.push(job(
                12,
                6.030,
                Kind::JobState,
                &[("job", K), ("from", "RESTARTING"), ("to", "RUNNING")],
            ));
        }
        assert_ne!(
            outcome(&events, "recover-latest"),
            Outcome::Fail,
            "running first: {running_first}"
        );
        // The same line after a restart of J itself is J's loss of state.
        let mut lost = events.clone();
        for e in lost.iter_mut() {
            if e.kind == Kind::JobState && e.line >= 7 {
                e.fields.job = Some(J.into());
            }
        }
        lost.retain(|e| {
            !(e.kind == Kind::CheckpointTriggered || e.kind == Kind::CheckpointCompleted)
                || e.line < 9
        });
        assert_eq!(
            outcome(&lost, "recover-latest"),
            Outcome::Fail,
            "running first: {running_first}"
        );
    }
}

/// A job that restarts again and again, each time from its latest checkpoint: the verdict
/// counts every restore, and shows the first three (six lines), not two lines per restore.
#[test]
fn recover_latest_counts_every_restore_and_shows_the_first_three() {
    let mut events = vec![
        ev(A, 1, 0.0, Kind::ProcessStarted, &[]),
        grant(A, 2, 1.0, "rest", S1),
        grant(A, 3, 1.0, "dispatcher", S1),
        state(A, 4, 2.0, "CREATED", "RUNNING"),
    ];
    let mut line = 5;
    for k in 1..=40u32 {
        let s = 10.0 * f64::from(k);
        let id = k.to_string();
        let cp = [("job", J), ("checkpoint", id.as_str())];
        events.push(ev(A, line, s, Kind::CheckpointCompleted, &cp));
        events.push(state(A, line + 1, s + 1.0, "RUNNING", "RESTARTING"));
        events.push(ev(A, line + 2, s + 2.0, Kind::CheckpointRestored, &cp));
        events.push(state(A, line + 3, s + 3.0, "RESTARTING", "RUNNING"));
        line += 4;
    }
    events.push(ev(A, line, 500.0, Kind::LogEnd, &[]));
    let a = analyze_events(&events, &Config::default());
    let v = a
        .invariants
        .iter()
        .find(|v| v.id == "recover-latest")
        .unwrap_or_else(|| panic!("{:#?}", a.invariants));
    assert_eq!(v.verdict, Outcome::Pass, "{v:?}");
    assert!(
        v.because.starts_with("40 restore(s) of job"),
        "{}",
        v.because
    );
    let lines: Vec<u64> = v.evidence.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![5, 7, 9, 11, 13, 15], "{v:?}");
}
