//! Failover causes on hand-written event streams: one per cause kind the real corpus does
//! not show (the corpus ones are in `tests/check_corpus.rs`).

use super::model::{Cause, CauseKind};
use super::testutil::ev;
use super::{analyze_events, Config};
use crate::events::{Event, Kind};

const J: &str = "6cecd03fbdf46ddd31c32d9bdc34c1b5";
const S1: &str = "e121f084-4a4d-4a43-bf6c-09a46f25e587";
const S2: &str = "79f1aa78-d705-4f10-b2d4-cabd6801d714";
const A: &str = "jm-a.log";
const B: &str = "jm-b.log";

fn grant(src: &str, line: u64, s: f64, session: &str) -> Vec<Event> {
    vec![
        ev(
            src,
            line,
            s,
            Kind::LeadershipGranted,
            &[("component", "rest"), ("session", session)],
        ),
        ev(
            src,
            line + 1,
            s,
            Kind::LeadershipGranted,
            &[("component", "dispatcher"), ("session", session)],
        ),
    ]
}

/// JM a leads and runs J; `middle` happens; JM b takes over at second 30.
fn leader_change(middle: Vec<Event>) -> Vec<Event> {
    let mut v = vec![ev(
        A,
        1,
        0.0,
        Kind::ProcessStarted,
        &[("version", "1.20.5")],
    )];
    v.extend(grant(A, 2, 1.0, S1));
    v.push(ev(
        A,
        4,
        2.0,
        Kind::JobState,
        &[("job", J), ("from", "CREATED"), ("to", "RUNNING")],
    ));
    v.push(ev(B, 1, 3.0, Kind::ProcessStarted, &[]));
    v.extend(middle);
    v.extend(grant(B, 2, 30.0, S2));
    v.push(ev(B, 9, 40.0, Kind::LogEnd, &[]));
    v
}

fn cause_of(events: &[Event], n: usize) -> Cause {
    let a = analyze_events(events, &Config::default());
    a.failovers
        .get(n)
        .unwrap_or_else(|| panic!("no failover #{n}: {:?}", a.failovers))
        .cause
        .clone()
}

#[test]
fn an_out_of_memory_fatal_error_is_out_of_memory() {
    let c = cause_of(
        &leader_change(vec![
            ev(
                A,
                10,
                10.0,
                Kind::ProcessStopping,
                &[
                    ("reason", "fatal error"),
                    ("exception", "java.lang.OutOfMemoryError: Java heap space"),
                ],
            ),
            ev(A, 11, 10.1, Kind::LogEnd, &[]),
        ]),
        0,
    );
    assert_eq!(c.kind, CauseKind::OutOfMemory, "{c:?}");
    assert!(c.text.contains("Java heap space"), "{}", c.text);
    assert_eq!(c.evidence.len(), 1);
}

#[test]
fn a_fatal_error_names_its_exception_and_the_connection_loss_before_it() {
    let c = cause_of(
        &leader_change(vec![
            ev(A, 8, 5.0, Kind::HaConnection, &[("state", "LOST")]),
            ev(
                A,
                10,
                10.0,
                Kind::ProcessStopping,
                &[
                    ("reason", "fatal error"),
                    ("exception", "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.KeeperException$ConnectionLossException: KeeperErrorCode = ConnectionLoss"),
                ],
            ),
            ev(A, 11, 10.1, Kind::LogEnd, &[]),
        ]),
        0,
    );
    assert_eq!(c.kind, CauseKind::FatalError, "{c:?}");
    assert!(c.text.contains("ConnectionLoss"), "{}", c.text);
    assert!(
        c.text.contains("after the ZooKeeper connection was LOST"),
        "{}",
        c.text
    );
    assert_eq!(c.evidence.len(), 2);
}

#[test]
fn a_fatal_error_without_its_stack_trace_says_so() {
    let c = cause_of(
        &leader_change(vec![
            ev(
                A,
                10,
                10.0,
                Kind::ProcessStopping,
                &[("reason", "fatal error")],
            ),
            ev(A, 11, 10.1, Kind::LogEnd, &[]),
        ]),
        0,
    );
    assert_eq!(c.kind, CauseKind::FatalError);
    assert!(
        c.text.contains("the exception is not in the logs"),
        "{}",
        c.text
    );
}

#[test]
fn a_kubernetes_lock_error_before_the_revocation_is_the_lease() {
    let c = cause_of(
        &leader_change(vec![
            ev(
                A,
                8,
                8.0,
                Kind::HaError,
                &[("reason", "lock acquisition failed")],
            ),
            ev(
                A,
                9,
                9.0,
                Kind::LeadershipRevoked,
                &[("component", "dispatcher"), ("session", S1)],
            ),
        ]),
        0,
    );
    assert_eq!(c.kind, CauseKind::KubernetesLease, "{c:?}");
    assert_eq!(c.evidence.len(), 2);
}

#[test]
fn a_revocation_without_a_reason_says_what_is_missing() {
    let c = cause_of(
        &leader_change(vec![ev(
            A,
            9,
            9.0,
            Kind::LeadershipRevoked,
            &[("component", "dispatcher"), ("session", S1)],
        )]),
        0,
    );
    assert_eq!(c.kind, CauseKind::LeadershipRevoked, "{c:?}");
    assert!(c.text.contains("no reason in the logs"), "{}", c.text);
}

#[test]
fn a_sigterm_is_an_orderly_stop() {
    let c = cause_of(
        &leader_change(vec![
            ev(A, 10, 10.0, Kind::ProcessStopping, &[("reason", "SIGTERM")]),
            ev(A, 11, 10.1, Kind::LogEnd, &[]),
        ]),
        0,
    );
    assert_eq!(c.kind, CauseKind::OrderlyStop);
    assert!(c.text.contains("SIGTERM"), "{}", c.text);
}

/// JM a runs J; `before` happens; then J restarts (RUNNING → `to`, with `exception`).
fn restart(before: Vec<Event>, to: &str, exception: Option<&str>) -> Vec<Event> {
    let mut v = vec![ev(A, 1, 0.0, Kind::ProcessStarted, &[])];
    v.extend(grant(A, 2, 1.0, S1));
    v.push(ev(
        A,
        4,
        2.0,
        Kind::JobState,
        &[("job", J), ("from", "CREATED"), ("to", "RUNNING")],
    ));
    v.extend(before);
    let mut kv = vec![("job", J), ("from", "RUNNING"), ("to", to)];
    if let Some(x) = exception {
        kv.push(("exception", x));
    }
    v.push(ev(A, 20, 20.0, Kind::JobState, &kv));
    v
}

#[test]
fn an_exhausted_restart_strategy_is_restarts_exhausted() {
    let c = cause_of(
        &restart(
            vec![],
            "FAILING",
            Some("org.apache.flink.runtime.JobException: Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=3, backoffTimeMS=1000)"),
        ),
        0,
    );
    assert_eq!(c.kind, CauseKind::RestartsExhausted, "{c:?}");
}

#[test]
fn a_global_failure_over_the_tolerable_checkpoint_failures() {
    let c = cause_of(
        &restart(
            vec![ev(
                A,
                15,
                19.5,
                Kind::JobFailure,
                &[
                    ("reason", "global failure"),
                    ("exception", "org.apache.flink.util.FlinkRuntimeException: Exceeded checkpoint tolerable failure threshold."),
                ],
            )],
            "RESTARTING",
            None,
        ),
        0,
    );
    assert_eq!(c.kind, CauseKind::CheckpointFailures, "{c:?}");
    assert!(c.text.contains("global failure"), "{}", c.text);
}

#[test]
fn a_user_exception_is_a_job_failure() {
    let c = cause_of(
        &restart(
            vec![ev(
                A,
                15,
                19.5,
                Kind::JobFailure,
                &[
                    ("reason", "task failure"),
                    ("resource", "10.0.0.7:6122-a1b2c3"),
                    ("exception", "java.lang.IllegalStateException: bad record"),
                ],
            )],
            "RESTARTING",
            None,
        ),
        0,
    );
    assert_eq!(c.kind, CauseKind::JobFailure, "{c:?}");
    assert!(c.text.contains("bad record") && c.text.contains("10.0.0.7:6122-a1b2c3"));
}

#[test]
fn a_restart_with_nothing_before_it_is_unknown() {
    let c = cause_of(&restart(vec![], "RESTARTING", None), 0);
    assert_eq!(c.kind, CauseKind::Unknown);
    assert!(c.text.starts_with("unknown: "), "{}", c.text);
}

#[test]
fn the_taskmanager_own_log_explains_its_loss_and_never_becomes_a_jobmanager() {
    let tm = "flink-root-taskexecutor-0-vm.log";
    let r = "localhost:38583-de3143";
    let events = restart(
        vec![
            ev(tm, 1, 1.5, Kind::ProcessStarted, &[("role", "taskmanager")]),
            ev(
                tm,
                2,
                1.6,
                Kind::TaskmanagerStarted,
                &[("role", "taskmanager"), ("resource", r)],
            ),
            // Lines any process logs: from a TaskManager they never touch the JobManagers.
            ev(tm, 3, 5.0, Kind::HaConnection, &[("state", "SUSPENDED")]),
            ev(
                tm,
                4,
                10.0,
                Kind::ProcessStopping,
                &[
                    ("role", "taskmanager"),
                    ("reason", "fatal error"),
                    ("exception", "java.lang.OutOfMemoryError: Metaspace"),
                ],
            ),
            ev(tm, 5, 10.1, Kind::LogEnd, &[]),
            ev(
                A,
                14,
                19.0,
                Kind::TaskmanagerLost,
                &[("resource", r), ("reason", "heartbeat timeout")],
            ),
        ],
        "RESTARTING",
        None,
    );
    let a = analyze_events(&events, &Config::default());
    assert_eq!(a.incarnations.len(), 1, "{:?}", a.incarnations);
    assert_eq!(a.others.len(), 1);
    assert_eq!(a.others[0].resource.as_deref(), Some(r));
    let c = &a.failovers[0].cause;
    assert_eq!(c.kind, CauseKind::OutOfMemory, "{c:?}");
    assert!(c.text.contains("Metaspace"), "{}", c.text);
    assert!(c.evidence.iter().any(|e| *e.source == *tm), "{c:?}");
}
