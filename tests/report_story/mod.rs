//! A hand-made, realistic HA story for the report tests: two JobManagers with ZooKeeper HA
//! (Flink 1.20.5), two jobs, a `kill -9` of the leader, restores from checkpoints 15 and 10,
//! a TaskManager-loss restart restored from checkpoint 34, a cancel with HA cleanup, and a
//! SIGTERM at the end that suspends the second job. `failing_story` is the same story in which
//! the first failover restored checkpoint 14 although 15 had completed.
//!
//! Shared by unit tests (`src/report`, via `#[path]`) and the `tests/report_*.rs` integration
//! tests; the including module must have `model` (= `check::model`) and `events` in scope.
#![allow(dead_code)]

use super::events::{Event, Fields, Kind};
use super::model::*;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::Arc;

/// JobManager 0's log file.
pub const S0: &str = "flink-root-standalonesession-0-vm.log";
/// JobManager 1's log file.
pub const S1: &str = "flink-root-standalonesession-1-vm.log";
/// The first job (`HA-Lab-Counter`).
pub const J1: &str = "6cecd03fbdf46ddd31c32d9bdc34c1b5";
/// The second job (`Sessionizer`).
pub const J2: &str = "3f2a91c0d5e84b7fa1c6e0d9b8a7f654";
/// Leader session of JobManager 0.
pub const E0: &str = "e121f084-4a4d-4a43-bf6c-09a46f25e587";
/// Leader session of JobManager 1.
pub const E1: &str = "79f1aa78-d705-4f10-b2d4-cabd6801d714";

/// `HH:MM:SS.mmm` on 2026-11-25, UTC.
pub fn t(hms: &str) -> DateTime<Utc> {
    let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let time = chrono::NaiveTime::parse_from_str(hms, "%H:%M:%S%.3f").unwrap();
    d.and_time(time).and_utc()
}

fn fields() -> Fields {
    Fields::default()
}

struct Log {
    events: Vec<Event>,
}

impl Log {
    fn ev(&mut self, src: &str, ts: DateTime<Utc>, kind: Kind, fields: Fields, text: &str) {
        self.events.push(Event {
            ts,
            source: Arc::from(src),
            line: 0,
            kind,
            fields: Box::new(fields),
            text: text.into(),
        });
    }

    fn job(&mut self, src: &str, ts: DateTime<Utc>, kind: Kind, job: &str, text: &str) {
        let f = Fields {
            job: Some(job.to_string()),
            ..fields()
        };
        self.ev(src, ts, kind, f, text);
    }

    fn state(&mut self, src: &str, ts: DateTime<Utc>, job: &str, name: &str, from: &str, to: &str) {
        let f = Fields {
            job: Some(job.to_string()),
            name: Some(name.to_string()),
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            ..fields()
        };
        let text = format!("Job {name} ({job}) switched from state {from} to {to}.");
        self.ev(src, ts, Kind::JobState, f, &text);
    }

    fn granted(
        &mut self,
        src: &str,
        ts: DateTime<Utc>,
        component: &str,
        session: &str,
        job: Option<&str>,
        text: &str,
    ) {
        let f = Fields {
            component: Some(component.to_string()),
            session: Some(session.to_string()),
            job: job.map(str::to_string),
            ..fields()
        };
        self.ev(src, ts, Kind::LeadershipGranted, f, text);
    }

    /// Checkpoints `ids` of `job`, triggered every 2 s from `first_trigger`, each completing
    /// `lag_ms` later.
    #[allow(clippy::too_many_arguments)]
    fn checkpoints(
        &mut self,
        src: &str,
        job: &str,
        ids: std::ops::RangeInclusive<u64>,
        first_trigger: DateTime<Utc>,
        lag_ms: i64,
        bytes: u64,
        dur: u64,
    ) {
        let first = *ids.start();
        for id in ids {
            let trig = first_trigger + Duration::milliseconds(2000 * (id - first) as i64);
            let done = trig + Duration::milliseconds(lag_ms);
            self.trigger(src, job, id, trig);
            let f = Fields {
                job: Some(job.to_string()),
                checkpoint: Some(id),
                bytes: Some(bytes),
                duration_ms: Some(dur),
                savepoint: Some(false),
                ..fields()
            };
            let text = format!(
                "Completed checkpoint {id} for job {job} ({bytes} bytes, checkpointDuration={dur} ms, finalizationTime=18 ms)."
            );
            self.ev(src, done, Kind::CheckpointCompleted, f, &text);
        }
    }

    fn trigger(&mut self, src: &str, job: &str, id: u64, ts: DateTime<Utc>) {
        let f = Fields {
            job: Some(job.to_string()),
            checkpoint: Some(id),
            savepoint: Some(false),
            ..fields()
        };
        let text = format!(
            "Triggering checkpoint {id} (type=CheckpointType{{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD}}) @ {} for job {job}.",
            ts.timestamp_millis()
        );
        self.ev(src, ts, Kind::CheckpointTriggered, f, &text);
    }

    fn restored(&mut self, src: &str, ts: DateTime<Utc>, job: &str, id: u64) {
        let f = Fields {
            job: Some(job.to_string()),
            checkpoint: Some(id),
            savepoint: Some(false),
            ..fields()
        };
        let text = format!(
            "Restoring job {job} from Checkpoint {id} @ 1795610209500 for {job} located at file:/opt/flink-lab/checkpoints/{job}/chk-{id}."
        );
        self.ev(src, ts, Kind::CheckpointRestored, f, &text);
    }

    /// Sort by time (stable) and number the lines of each source, with gaps for the
    /// records that are no events.
    fn finish(mut self) -> Vec<Event> {
        self.events.sort_by_key(|e| e.ts);
        let mut next: std::collections::HashMap<String, u64> = Default::default();
        for e in &mut self.events {
            let n = next.entry(e.source.to_string()).or_insert(40);
            *n += 3;
            e.line = *n;
        }
        self.events
    }
}

fn story_events(restore_j1_first: u64) -> Vec<Event> {
    let mut l = Log { events: Vec::new() };
    // JobManager 0: leader from the start, killed with -9 at 12:36:51.606.
    l.ev(S0, t("12:36:02.615"), Kind::ProcessStarted,
        Fields { entrypoint: Some("StandaloneSessionClusterEntrypoint".into()), version: Some("1.20.5".into()), ..fields() },
        "Starting StandaloneSessionClusterEntrypoint (Version: 1.20.5, Scala: 2.12, Rev:4d6c5b1, Date:2026-10-02T09:12:44+02:00)");
    l.ev(S1, t("12:36:03.900"), Kind::ProcessStarted,
        Fields { entrypoint: Some("StandaloneSessionClusterEntrypoint".into()), version: Some("1.20.5".into()), ..fields() },
        "Starting StandaloneSessionClusterEntrypoint (Version: 1.20.5, Scala: 2.12, Rev:4d6c5b1, Date:2026-10-02T09:12:44+02:00)");
    l.granted(
        S0,
        t("12:36:05.095"),
        "rest",
        E0,
        None,
        &format!("http://10.0.0.11:8081 was granted leadership with leaderSessionID={E0}"),
    );
    l.granted(S0, t("12:36:05.097"), "dispatcher", E0, None,
        &format!("DefaultDispatcherRunner was granted leadership with leader id {E0}. Creating new DispatcherLeaderProcess."));
    l.granted(
        S0,
        t("12:36:05.120"),
        "resourcemanager",
        E0,
        None,
        &format!("Resource manager service is granted leadership with session id {E0}."),
    );
    l.ev(
        S0,
        t("12:36:05.157"),
        Kind::JobGraphsRetrieved,
        Fields {
            jobs: Some(vec![]),
            ..fields()
        },
        "Retrieved job ids [] from ZooKeeperStateHandleStore{namespace='flink/lab/jobgraphs'}",
    );
    for (ts, tm) in [
        ("12:36:13.463", "10.0.0.21:35117-5e1c7a"),
        ("12:36:13.980", "10.0.0.22:41021-9a0b3c"),
    ] {
        l.ev(S0, t(ts), Kind::TaskmanagerRegistered, Fields { resource: Some(tm.into()), ..fields() },
            &format!("Registering TaskManager with ResourceID {tm} (pekko.tcp://flink@{}/user/rpc/taskmanager_0) at ResourceManager",
                tm.split('-').next().unwrap_or(tm)));
    }
    l.ev(
        S0,
        t("12:36:18.620"),
        Kind::JobSubmitted,
        Fields {
            job: Some(J1.into()),
            name: Some("HA-Lab-Counter".into()),
            ..fields()
        },
        &format!("Received JobGraph submission 'HA-Lab-Counter' ({J1})."),
    );
    l.granted(S0, t("12:36:19.250"), "jobmaster", E0, Some(J1),
        &format!("JobMasterServiceLeadershipRunner for job {J1} was granted leadership with leader id {E0}. Creating new JobMasterServiceProcess."));
    l.job(
        S0,
        t("12:36:19.749"),
        Kind::NoCheckpointToRestore,
        J1,
        "No checkpoint found during restore.",
    );
    l.state(
        S0,
        t("12:36:19.900"),
        J1,
        "HA-Lab-Counter",
        "CREATED",
        "RUNNING",
    );
    l.checkpoints(S0, J1, 1..=15, t("12:36:21.500"), 192, 7884, 120);
    l.ev(
        S0,
        t("12:36:30.100"),
        Kind::JobSubmitted,
        Fields {
            job: Some(J2.into()),
            name: Some("Sessionizer".into()),
            ..fields()
        },
        &format!("Received JobGraph submission 'Sessionizer' ({J2})."),
    );
    l.granted(S0, t("12:36:30.420"), "jobmaster", E0, Some(J2),
        &format!("JobMasterServiceLeadershipRunner for job {J2} was granted leadership with leader id {E0}. Creating new JobMasterServiceProcess."));
    l.state(
        S0,
        t("12:36:30.800"),
        J2,
        "Sessionizer",
        "CREATED",
        "RUNNING",
    );
    l.checkpoints(S0, J2, 1..=10, t("12:36:32.000"), 310, 1_258_291, 290);
    // Checkpoint 16 of J1 is triggered, then the process is killed: the last line of jm-0.
    l.trigger(S0, J1, 16, t("12:36:51.606"));
    l.ev(S0, t("12:36:51.606"), Kind::LogEnd, fields(),
        &format!("Triggering checkpoint 16 (type=CheckpointType{{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD}}) @ {} for job {J1}.", t("12:36:51.606").timestamp_millis()));

    // JobManager 1: standby, takes over after the ZooKeeper session of jm-0 expired.
    l.granted(
        S1,
        t("12:37:03.137"),
        "rest",
        E1,
        None,
        &format!("http://10.0.0.12:8081 was granted leadership with leaderSessionID={E1}"),
    );
    l.granted(S1, t("12:37:03.161"), "dispatcher", E1, None,
        &format!("DefaultDispatcherRunner was granted leadership with leader id {E1}. Creating new DispatcherLeaderProcess."));
    l.granted(
        S1,
        t("12:37:03.170"),
        "resourcemanager",
        E1,
        None,
        &format!("Resource manager service is granted leadership with session id {E1}."),
    );
    l.ev(S1, t("12:37:03.193"), Kind::JobGraphsRetrieved, Fields { jobs: Some(vec![J1.into(), J2.into()]), ..fields() },
        &format!("Retrieved job ids [{J1}, {J2}] from ZooKeeperStateHandleStore{{namespace='flink/lab/jobgraphs'}}"));
    l.job(
        S1,
        t("12:37:03.311"),
        Kind::JobGraphRecovered,
        J1,
        &format!("Recovered JobGraph(jobId: {J1})."),
    );
    l.job(
        S1,
        t("12:37:03.320"),
        Kind::JobGraphRecovered,
        J2,
        &format!("Recovered JobGraph(jobId: {J2})."),
    );
    l.ev(
        S1,
        t("12:37:03.325"),
        Kind::JobGraphsRecoveredCount,
        Fields {
            count: Some(2),
            ..fields()
        },
        "Successfully recovered 2 persisted job graphs.",
    );
    l.granted(S1, t("12:37:03.400"), "jobmaster", E1, Some(J1),
        &format!("JobMasterServiceLeadershipRunner for job {J1} was granted leadership with leader id {E1}. Creating new JobMasterServiceProcess."));
    l.granted(S1, t("12:37:03.410"), "jobmaster", E1, Some(J2),
        &format!("JobMasterServiceLeadershipRunner for job {J2} was granted leadership with leader id {E1}. Creating new JobMasterServiceProcess."));
    l.restored(S1, t("12:37:04.039"), J1, restore_j1_first);
    l.restored(S1, t("12:37:04.090"), J2, 10);
    l.state(
        S1,
        t("12:37:04.110"),
        J1,
        "HA-Lab-Counter",
        "CREATED",
        "RUNNING",
    );
    l.state(
        S1,
        t("12:37:04.180"),
        J2,
        "Sessionizer",
        "CREATED",
        "RUNNING",
    );
    l.checkpoints(S1, J1, 17..=34, t("12:37:06.000"), 184, 7884, 115);
    l.checkpoints(S1, J2, 11..=47, t("12:37:06.900"), 305, 1_310_720, 280);
    // A TaskManager dies: J1 restarts within the same leadership term.
    l.trigger(S1, J1, 35, t("12:37:42.000"));
    l.ev(
        S1,
        t("12:37:42.118"),
        Kind::TaskmanagerLost,
        Fields {
            resource: Some("10.0.0.21:35117-5e1c7a".into()),
            ..fields()
        },
        "The heartbeat of TaskManager with id 10.0.0.21:35117-5e1c7a timed out.",
    );
    l.state(
        S1,
        t("12:37:42.130"),
        J1,
        "HA-Lab-Counter",
        "RUNNING",
        "RESTARTING",
    );
    l.restored(S1, t("12:37:43.250"), J1, 34);
    l.state(
        S1,
        t("12:37:43.322"),
        J1,
        "HA-Lab-Counter",
        "RESTARTING",
        "RUNNING",
    );
    l.checkpoints(S1, J1, 36..=51, t("12:37:45.000"), 184, 7884, 118);
    // Cancel J1: terminal, HA data cleaned up.
    l.state(
        S1,
        t("12:38:16.664"),
        J1,
        "HA-Lab-Counter",
        "RUNNING",
        "CANCELLING",
    );
    l.state(
        S1,
        t("12:38:16.759"),
        J1,
        "HA-Lab-Counter",
        "CANCELLING",
        "CANCELED",
    );
    l.ev(
        S1,
        t("12:38:16.789"),
        Kind::JobTerminal,
        Fields {
            job: Some(J1.into()),
            state: Some("CANCELED".into()),
            ..fields()
        },
        &format!("Job {J1} reached terminal state CANCELED."),
    );
    l.job(
        S1,
        t("12:38:17.189"),
        Kind::HaCleanupStarted,
        J1,
        &format!("Clean up the high availability data for job {J1}."),
    );
    l.job(S1, t("12:38:17.209"), Kind::JobGraphRemoved, J1,
        &format!("Removed job graph {J1} from ZooKeeperStateHandleStore{{namespace='flink/lab/jobgraphs'}}."));
    // SIGTERM: J2 is suspended, its HA data kept.
    l.ev(
        S1,
        t("12:38:21.155"),
        Kind::ProcessStopping,
        Fields {
            reason: Some("SIGTERM".into()),
            ..fields()
        },
        "RECEIVED SIGNAL 15: SIGTERM. Shutting down as requested.",
    );
    l.state(
        S1,
        t("12:38:21.200"),
        J2,
        "Sessionizer",
        "RUNNING",
        "SUSPENDED",
    );
    l.job(S1, t("12:38:21.230"), Kind::JobGraphReleased, J2,
        &format!("Released locks of job graph {J2} from ZooKeeperStateHandleStore{{namespace='flink/lab/jobgraphs'}}."));
    l.ev(S1, t("12:38:21.397"), Kind::LogEnd, fields(),
        "Terminating cluster entrypoint process StandaloneSessionClusterEntrypoint with exit code 0.");
    l.finish()
}

/// The evidence line of the first event of `kind` at `ts`.
pub fn evidence_of(events: &[Event], kind: Kind, ts: &str) -> Evidence {
    let at = t(ts);
    let e = events
        .iter()
        .find(|e| e.kind == kind && e.ts == at)
        .unwrap_or_else(|| panic!("story has no {kind} at {ts}"));
    Evidence {
        source: e.source.clone(),
        line: e.line,
        ts: crate_format_ts(e.ts),
        text: e.text.clone(),
    }
}

fn crate_format_ts(ts: DateTime<Utc>) -> String {
    ts.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn verdict(
    id: &str,
    outcome: Outcome,
    job: Option<&str>,
    because: &str,
    evidence: Vec<Evidence>,
) -> Verdict {
    Verdict {
        id: id.to_string(),
        verdict: outcome,
        job: job.map(str::to_string),
        because: because.to_string(),
        evidence,
        advice: vec![],
    }
}

fn run(
    first: u64,
    last: u64,
    first_ts: &str,
    last_ts: &str,
    dur: u64,
    bytes: u64,
) -> CheckpointRun {
    CheckpointRun {
        first_id: first,
        last_id: last,
        count: last - first + 1,
        first_ts: t(first_ts),
        last_ts: t(last_ts),
        median_interval_ms: Some(2000),
        median_duration_ms: Some(dur),
        median_bytes: Some(bytes),
        savepoints: 0,
    }
}

fn st(ts: &str, state: &str, inc: usize) -> JobStateChange {
    JobStateChange {
        ts: t(ts),
        state: state.to_string(),
        incarnation: Some(inc),
    }
}

/// The correct story: verdict UNKNOWN (one job never reached a terminal state, no `--max-rto`).
pub fn story() -> (Analysis, Vec<Event>) {
    build(15)
}

/// The same story, but the first failover restored J1 from checkpoint 14 although 15 had
/// completed: `recover-latest` FAILs.
pub fn failing_story() -> (Analysis, Vec<Event>) {
    build(14)
}

fn build(j1_restore: u64) -> (Analysis, Vec<Event>) {
    let events = story_events(j1_restore);
    let ev = |kind: Kind, ts: &str| evidence_of(&events, kind, ts);
    let failing = j1_restore != 15;
    let incarnations = vec![
        Incarnation {
            id: 0,
            source: S0.into(),
            label: "jm-0 (standalonesession-0)".into(),
            first_ts: t("12:36:02.615"),
            last_ts: t("12:36:51.606"),
            version: Some("1.20.5".into()),
            entrypoint: Some("StandaloneSessionClusterEntrypoint".into()),
            identity: None,
            end: IncarnationEnd::LogEnds,
            stopping_ts: None,
            stop_reason: None,
            application: false,
            application_status: None,
        },
        Incarnation {
            id: 1,
            source: S1.into(),
            label: "jm-1 (standalonesession-1)".into(),
            first_ts: t("12:36:03.900"),
            last_ts: t("12:38:21.397"),
            version: Some("1.20.5".into()),
            entrypoint: Some("StandaloneSessionClusterEntrypoint".into()),
            identity: None,
            end: IncarnationEnd::Stopped,
            stopping_ts: Some(t("12:38:21.155")),
            stop_reason: Some("SIGTERM".into()),
            application: false,
            application_status: None,
        },
    ];
    let comps = |_: ()| {
        vec![
            "rest".to_string(),
            "dispatcher".to_string(),
            "resourcemanager".to_string(),
            format!("jobmaster:{J1}"),
            format!("jobmaster:{J2}"),
        ]
    };
    let terms = vec![
        Term {
            id: 0,
            incarnation: 0,
            session: E0.into(),
            components: comps(()),
            address: Some("http://10.0.0.11:8081".into()),
            from: t("12:36:05.095"),
            to: Some(t("12:36:51.606")),
            end: TermEnd::LogEnded,
        },
        Term {
            id: 1,
            incarnation: 1,
            session: E1.into(),
            components: comps(()),
            address: Some("http://10.0.0.12:8081".into()),
            from: t("12:37:03.137"),
            to: Some(t("12:38:21.155")),
            end: TermEnd::ProcessStopped,
        },
    ];
    let failovers = vec![
        Failover {
            id: 0,
            kind: FailoverKind::Leader,
            failure_ts: t("12:36:51.606"),
            new_leader_ts: Some(t("12:37:03.137")),
            leaderless_ms: Some(11_531),
            from_term: Some(0),
            to_term: Some(1),
            cause: Cause {
                kind: CauseKind::JobmanagerKilled,
                text: "log ends without shutdown (kill -9?)".into(),
                evidence: vec![evidence_of(&events, Kind::LogEnd, "12:36:51.606")],
            },
            jobs: vec![
                JobRecovery {
                    job: J1.into(),
                    latest_completed_before: Some(15),
                    latest_completed_ts: Some(t("12:36:49.692")),
                    restored_checkpoint: Some(j1_restore),
                    restored_savepoint: false,
                    restored_ts: Some(t("12:37:04.039")),
                    running_ts: Some(t("12:37:04.110")),
                    rto_ms: Some(12_504),
                    rpo_ms: Some(if failing { 3_914 } else { 1_914 }),
                    first_completed_after: Some(17),
                    lost_checkpoints: vec![16],
                    fresh_start: false,
                    resubmitted: false,
                },
                JobRecovery {
                    job: J2.into(),
                    latest_completed_before: Some(10),
                    latest_completed_ts: Some(t("12:36:50.310")),
                    restored_checkpoint: Some(10),
                    restored_savepoint: false,
                    restored_ts: Some(t("12:37:04.090")),
                    running_ts: Some(t("12:37:04.180")),
                    rto_ms: Some(12_574),
                    rpo_ms: Some(1_296),
                    first_completed_after: Some(11),
                    lost_checkpoints: vec![],
                    fresh_start: false,
                    resubmitted: false,
                },
            ],
            advice: vec![],
        },
        Failover {
            id: 1,
            kind: FailoverKind::JobRestart,
            failure_ts: t("12:37:42.118"),
            new_leader_ts: None,
            leaderless_ms: None,
            from_term: Some(1),
            to_term: Some(1),
            cause: Cause {
                kind: CauseKind::TaskmanagerLost,
                text: "TaskManager lost (10.0.0.21:35117-5e1c7a)".into(),
                evidence: vec![evidence_of(&events, Kind::TaskmanagerLost, "12:37:42.118")],
            },
            jobs: vec![JobRecovery {
                job: J1.into(),
                latest_completed_before: Some(34),
                latest_completed_ts: Some(t("12:37:40.184")),
                restored_checkpoint: Some(34),
                restored_savepoint: false,
                restored_ts: Some(t("12:37:43.250")),
                running_ts: Some(t("12:37:43.322")),
                rto_ms: Some(1_204),
                rpo_ms: Some(1_934),
                first_completed_after: Some(36),
                lost_checkpoints: vec![35],
                fresh_start: false,
                resubmitted: false,
            }],
            advice: vec![],
        },
    ];
    let jobs = vec![
        JobReport {
            job: J1.into(),
            name: Some("HA-Lab-Counter".into()),
            states: vec![
                st("12:36:19.900", "RUNNING", 0),
                st("12:37:04.110", "RUNNING", 1),
                st("12:37:42.130", "RESTARTING", 1),
                st("12:37:43.322", "RUNNING", 1),
                st("12:38:16.664", "CANCELLING", 1),
                st("12:38:16.759", "CANCELED", 1),
            ],
            checkpoint_runs: vec![
                run(1, 15, "12:36:21.692", "12:36:49.692", 120, 7884),
                run(17, 34, "12:37:06.184", "12:37:40.184", 115, 7884),
                run(36, 51, "12:37:45.184", "12:38:15.184", 118, 7884),
            ],
            completed: 49,
            failed: 0,
            restores: vec![
                Restore {
                    ts: t("12:37:04.039"),
                    checkpoint: j1_restore,
                    savepoint: false,
                    incarnation: Some(1),
                },
                Restore {
                    ts: t("12:37:43.250"),
                    checkpoint: 34,
                    savepoint: false,
                    incarnation: Some(1),
                },
            ],
            terminal: Some(("CANCELED".into(), t("12:38:16.789"))),
            cleanup_ts: Some(t("12:38:17.189")),
            cleanup_finished_ts: Some(t("12:38:17.201")),
            cleanup_failed: vec![],
            milestones: vec![],
        },
        JobReport {
            job: J2.into(),
            name: Some("Sessionizer".into()),
            states: vec![
                st("12:36:30.800", "RUNNING", 0),
                st("12:37:04.180", "RUNNING", 1),
                st("12:38:21.200", "SUSPENDED", 1),
            ],
            checkpoint_runs: vec![
                run(1, 10, "12:36:32.310", "12:36:50.310", 290, 1_258_291),
                run(11, 47, "12:37:07.205", "12:38:19.205", 280, 1_310_720),
            ],
            completed: 47,
            failed: 0,
            restores: vec![Restore {
                ts: t("12:37:04.090"),
                checkpoint: 10,
                savepoint: false,
                incarnation: Some(1),
            }],
            terminal: None,
            cleanup_ts: None,
            cleanup_finished_ts: None,
            cleanup_failed: vec![],
            milestones: vec![],
        },
    ];
    let recover_j1 = if failing {
        verdict(
            "recover-latest",
            Outcome::Fail,
            Some(J1),
            "failover #1 restored checkpoint 14 although checkpoint 15 had completed at 12:36:49.692",
            vec![ev(Kind::CheckpointCompleted, "12:36:49.692"), ev(Kind::CheckpointRestored, "12:37:04.039")],
        )
    } else {
        verdict(
            "recover-latest",
            Outcome::Pass,
            Some(J1),
            "both restores used the latest completed checkpoint (15, 34)",
            vec![
                ev(Kind::CheckpointRestored, "12:37:04.039"),
                ev(Kind::CheckpointRestored, "12:37:43.250"),
            ],
        )
    };
    let invariants = vec![
        verdict(
            "single-leader",
            Outcome::Pass,
            None,
            "2 leadership terms, never overlapping (11.5 s without leader between them)",
            vec![ev(Kind::LeadershipGranted, "12:36:05.095"), ev(Kind::LeadershipGranted, "12:37:03.137")],
        ),
        verdict(
            "jobs-recovered",
            Outcome::Pass,
            None,
            "the new leader recovered both persisted jobs",
            vec![ev(Kind::JobGraphsRetrieved, "12:37:03.193")],
        ),
        verdict("checkpoint-monotonic", Outcome::Pass, Some(J1), "49 completed checkpoints, ids strictly increasing", vec![]),
        verdict("checkpoint-monotonic", Outcome::Pass, Some(J2), "47 completed checkpoints, ids strictly increasing", vec![]),
        recover_j1,
        verdict(
            "recover-latest",
            Outcome::Pass,
            Some(J2),
            "the restore used the latest completed checkpoint (10)",
            vec![ev(Kind::CheckpointRestored, "12:37:04.090")],
        ),
        verdict(
            "ha-cleanup",
            Outcome::Pass,
            Some(J1),
            "CANCELED at 12:38:16.789, HA data cleaned up 400 ms later",
            vec![ev(Kind::JobTerminal, "12:38:16.789"), ev(Kind::HaCleanupStarted, "12:38:17.189")],
        ),
        verdict(
            "ha-cleanup",
            Outcome::Unknown,
            Some(J2),
            "the job never reached a globally terminal state (SUSPENDED when the JobManager stopped)",
            vec![ev(Kind::JobState, "12:38:21.200")],
        ),
        verdict("recovery-time", Outcome::Unknown, None, "not checked: no --max-rto given (worst RTO 12.6 s)", vec![]),
    ];
    let verdict = if failing {
        Outcome::Fail
    } else {
        Outcome::Unknown
    };
    let analysis = Analysis {
        verdict,
        invariants,
        failovers,
        incarnations,
        terms,
        jobs,
        notes: vec!["HA backend: ZooKeeper (Flink 1.20.5)".into()],
        advice: vec![],
        others: vec![],
        span: Some((t("12:36:02.615"), t("12:38:21.397"))),
    };
    (analysis, events)
}
