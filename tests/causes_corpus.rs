//! The cause of every failover on the real logs (`samples/corpus*`), in `check`, `timeline`
//! and `stats`; and whole log directories (`samples/full/`: TaskManager, ZooKeeper and client
//! logs beside the JobManagers') that give the same verdicts while their lines add evidence.

mod common;

use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let (code, out, err) = common::run(args);
    assert!(code == 0 || code == 1, "{args:?}: exit {code}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}\n{err}"))
}

fn check(dir: &str) -> Value {
    json(&["check", "--format", "json", "--no-progress", dir])
}

/// (kind, text, evidence texts) of each failover.
fn causes(doc: &Value) -> Vec<(String, String, Vec<String>)> {
    doc["failovers"]
        .as_array()
        .expect("failovers")
        .iter()
        .map(|f| {
            let c = &f["cause"];
            (
                c["kind"].as_str().unwrap_or("").to_string(),
                c["text"].as_str().unwrap_or("").to_string(),
                c["evidence"]
                    .as_array()
                    .expect("cause evidence")
                    .iter()
                    .map(|e| e["text"].as_str().unwrap_or("").to_string())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn every_real_failover_has_the_cause_its_manifest_describes() {
    // (set, the kinds of its failovers in order)
    let cases: &[(&str, &[&str])] = &[
        (
            "samples/corpus/1.12.5/happy",
            &["jobmanager_killed", "taskmanager_lost"],
        ),
        ("samples/corpus/1.12.5/zk-outage", &["zookeeper_connection"]),
        (
            "samples/corpus/1.17.2/double-failover",
            &["jobmanager_killed", "jobmanager_killed"],
        ),
        ("samples/corpus/1.18.1/jm-restart", &["jobmanager_killed"]),
        (
            "samples/corpus/1.19.3/zk-outage-rerun",
            &["zookeeper_connection", "unknown", "taskmanager_lost"],
        ),
        (
            "samples/corpus/1.20.5/happy",
            &["jobmanager_killed", "taskmanager_lost"],
        ),
        ("samples/corpus/1.20.5/jm-restart", &["jobmanager_killed"]),
        ("samples/corpus/1.20.5/zk-outage", &["zookeeper_connection"]),
        ("samples/corpus/2.2.1/sigterm", &["orderly_stop"]),
        (
            "samples/corpus/2.3.0/happy",
            &["jobmanager_killed", "taskmanager_lost"],
        ),
        ("samples/corpus/2.3.0/sigterm", &["orderly_stop"]),
        (
            "samples/corpus-k8s/1.20.5/api-outage",
            &["kubernetes_lease"],
        ),
        (
            "samples/corpus-k8s/1.20.5/happy",
            &["jobmanager_killed", "taskmanager_lost"],
        ),
        ("samples/corpus-k8s/2.3.0/sigterm", &["orderly_stop"]),
        (
            "samples/corpus-k8s-app/1.18.1/app-sigterm",
            &["orderly_stop"],
        ),
        (
            "samples/corpus-k8s-app/1.20.5/app-ha-metadata-lost",
            &[
                "jobmanager_killed",
                "checkpoint_failures",
                "checkpoint_failures",
                "checkpoint_failures",
            ],
        ),
        (
            "samples/corpus-k8s-app/2.3.0/app-jm-restart",
            &["jobmanager_killed"],
        ),
    ];
    for (set, kinds) in cases {
        let got = causes(&check(set));
        let got_kinds: Vec<&str> = got.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(&got_kinds, kinds, "{set}: {got:#?}");
        for (kind, text, ev) in &got {
            assert!(!text.is_empty(), "{set}");
            assert!(
                !ev.is_empty(),
                "{set}: a {kind} cause without evidence lines"
            );
        }
    }
}

#[test]
fn causes_quote_the_evidence_that_names_them() {
    // The ZooKeeper outage: the connection state line and the revocation.
    let zk = causes(&check("samples/corpus/1.20.5/zk-outage"));
    assert!(zk[0]
        .1
        .starts_with("ZooKeeper connection SUSPENDED: standalonesession-0 lost its leadership"));
    assert!(
        zk[0].2[0].contains("State change: SUSPENDED"),
        "{:?}",
        zk[0].2
    );
    assert!(zk[0].2[1].contains("lost leadership"), "{:?}", zk[0].2);
    // The kill -9: the last line the process wrote.
    let happy = causes(&check("samples/corpus/1.20.5/happy"));
    assert!(
        happy[0].1.contains("its log ends without shutdown lines"),
        "{}",
        happy[0].1
    );
    assert!(
        happy[0].2[0].contains("Marking checkpoint 15 as completed"),
        "{:?}",
        happy[0].2
    );
    // The TaskManager loss: the JobManager's lines, with the failed task's exception.
    assert!(
        happy[1]
            .1
            .starts_with("TaskManager localhost:38583-de3143 lost"),
        "{}",
        happy[1].1
    );
    assert!(happy[1]
        .2
        .iter()
        .any(|l| l.contains("switched from RUNNING to FAILED")));
    // SIGTERM and the Kubernetes lease.
    let term = causes(&check("samples/corpus/2.3.0/sigterm"));
    assert!(term[0].1.contains("stopped by SIGTERM"), "{}", term[0].1);
    assert!(term[0].2[0].contains("RECEIVED SIGNAL 15: SIGTERM"));
    let lease = causes(&check("samples/corpus-k8s/1.20.5/api-outage"));
    assert!(lease[0].1.contains("lease was released"), "{}", lease[0].1);
    assert!(
        lease[0].2[0].contains("New leader elected  for"),
        "{:?}",
        lease[0].2
    );
    // A global failure: the exception on the line after the JobMaster's message.
    let app = causes(&check("samples/corpus-k8s-app/1.20.5/app-ha-metadata-lost"));
    assert!(
        app[1]
            .1
            .contains("Exceeded checkpoint tolerable failure threshold"),
        "{}",
        app[1].1
    );
    // The split brain: the new leader was granted while the old one still held leadership.
    let rerun = causes(&check("samples/corpus/1.19.3/zk-outage-rerun"));
    assert!(
        rerun[1]
            .1
            .starts_with("unknown: standalonesession-0 still held leadership"),
        "{}",
        rerun[1].1
    );
}

#[test]
fn a_fatal_error_cause_carries_the_exception_line_of_the_stack_trace() {
    // 1.20.5 zk-outage: the old leader dies ~20 s after losing ZooKeeper; the exception is the
    // record's second line, which `flinkha events` puts in `exception`.
    let (code, out, err) = common::run(&[
        "events",
        "--kind",
        "process_stopping",
        "--no-progress",
        "samples/corpus/1.20.5/zk-outage/flink-root-standalonesession-0-vm.log",
    ]);
    assert_eq!(code, 0, "{err}");
    let fatal: Value = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("jsonl"))
        .find(|e| e["reason"] == "fatal error")
        .expect("fatal error event");
    assert_eq!(
        fatal["exception"],
        "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.KeeperException$ConnectionLossException: KeeperErrorCode = ConnectionLoss"
    );
}

#[test]
fn causes_are_in_timeline_and_stats() {
    let dir = "samples/corpus/1.20.5/happy";
    let (_, text, _) = common::run(&["timeline", "--no-progress", dir]);
    assert!(text.contains("cause: jobmanager_killed"), "{text}");
    assert!(text.contains("cause: taskmanager_lost"), "{text}");
    let (_, md, _) = common::run(&["timeline", "--format", "markdown", "--no-progress", dir]);
    assert!(
        md.contains("**Cause** (`jobmanager_killed`): JobManager standalonesession-0 killed"),
        "{md}"
    );
    let (_, html, _) = common::run(&["timeline", "--format", "html", "--no-progress", dir]);
    assert!(html.contains("cause: <code>taskmanager_lost</code>"));
    let tl = json(&["timeline", "--format", "json", "--no-progress", dir]);
    assert_eq!(tl["failovers"][0]["cause"]["kind"], "jobmanager_killed");
    if cfg!(feature = "stats") {
        let st = json(&["stats", "--format", "json", "--no-progress", dir]);
        assert_eq!(st["failovers"][0]["cause_kind"], "jobmanager_killed");
        assert_eq!(st["failovers"][1]["cause_kind"], "taskmanager_lost");
        assert!(st["failovers"][1]["cause"]
            .as_str()
            .unwrap_or("")
            .starts_with("TaskManager localhost:38583-de3143 lost"));
    }
}

/// Verdicts as (id, job, outcome, because).
fn verdicts(doc: &Value) -> Vec<(String, String, String, String)> {
    doc["invariants"]
        .as_array()
        .expect("invariants")
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
            (s("id"), s("job"), s("verdict"), s("because"))
        })
        .collect()
}

/// Paths in sentences differ between the two directories; the rest must not.
fn without_dirs(
    v: Vec<(String, String, String, String)>,
    dir: &str,
) -> Vec<(String, String, String, String)> {
    v.into_iter()
        .map(|(a, b, c, d)| (a, b, c, d.replace(dir, "")))
        .collect()
}

#[test]
fn whole_log_directories_give_the_jobmanager_verdicts_and_more_evidence() {
    for scenario in ["1.20.5/happy", "1.20.5/zk-outage"] {
        let jm = format!("samples/corpus/{scenario}");
        let full = format!("samples/full/{scenario}");
        let a = check(&jm);
        let b = check(&full);
        assert_eq!(
            without_dirs(verdicts(&a), &jm),
            without_dirs(verdicts(&b), &full),
            "{scenario}"
        );
        assert_eq!(
            a["failovers"].as_array().map(Vec::len),
            b["failovers"].as_array().map(Vec::len)
        );
        let kinds = |d: &Value| causes(d).into_iter().map(|c| c.0).collect::<Vec<_>>();
        assert_eq!(kinds(&a), kinds(&b), "{scenario}");
    }
    // The killed TaskManager's own log ends before the JobManager loses it.
    let happy = causes(&check("samples/full/1.20.5/happy"));
    assert!(
        happy[1].1.ends_with(
            "the TaskManager's own log (taskexecutor-0) ends without shutdown (killed?)"
        ),
        "{}",
        happy[1].1
    );
    assert!(happy[1]
        .2
        .iter()
        .any(|l| l.contains("org.apache.flink.runtime.taskmanager.Task")));
    // The ZooKeeper server's log ends before the JobManagers see the connection go.
    let zk = causes(&check("samples/full/1.20.5/zk-outage"));
    assert!(
        zk[0]
            .1
            .contains("the ZooKeeper server zookeeper-0's log ends"),
        "{}",
        zk[0].1
    );
    // The other processes are listed for the timeline, never as JobManagers.
    let tl = json(&[
        "timeline",
        "--format",
        "json",
        "--no-progress",
        "samples/full/1.20.5/happy",
    ]);
    assert_eq!(tl["incarnations"].as_array().map(Vec::len), Some(3));
    let mut roles: Vec<&str> = tl["others"]
        .as_array()
        .expect("others")
        .iter()
        .filter_map(|o| o["role"].as_str())
        .collect();
    roles.sort_unstable();
    assert_eq!(roles, ["client", "taskmanager", "taskmanager", "zookeeper"]);
}
