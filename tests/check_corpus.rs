//! `flinkha check` on the real logs in `samples/corpus/` (copied from the shared corpus, each
//! with its MANIFEST.md), on mutated copies of them (`samples/mutations/`), and on the seed
//! story. Every invariant is shown PASS on a real log, FAIL on a mutation, UNKNOWN where the
//! evidence is missing.

mod common;

use common::kubectl_stream;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn flinkha(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run flinkha")
}

/// `flinkha check --format json` on `inputs`; returns the document and the exit code.
fn check(inputs: &[&str], extra: &[&str]) -> (Value, i32) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    args.extend_from_slice(inputs);
    let out = flinkha(&args);
    let code = out.status.code().unwrap_or(-1);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON from {args:?}: {e}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, code)
}

/// The verdict of invariant `id` (for `job` when given; the worst one otherwise).
fn verdict(doc: &Value, id: &str, job: Option<&str>) -> String {
    let rank = |v: &str| match v {
        "FAIL" => 2,
        "UNKNOWN" => 1,
        _ => 0,
    };
    doc["invariants"]
        .as_array()
        .expect("invariants")
        .iter()
        .filter(|v| v["id"] == id)
        .filter(|v| {
            job.map_or(true, |j| {
                // Global invariants (no job) speak for every job.
                v["job"].as_str().map_or(true, |x| x.starts_with(j))
            })
        })
        .map(|v| v["verdict"].as_str().unwrap_or("").to_string())
        .max_by_key(|v| rank(v))
        .unwrap_or_else(|| panic!("no verdict {id} {job:?} in {doc:#}"))
}

/// Every FAIL verdict as (id, evidence texts).
fn fails(doc: &Value) -> Vec<(String, Vec<String>)> {
    doc["invariants"]
        .as_array()
        .expect("invariants")
        .iter()
        .filter(|v| v["verdict"] == "FAIL")
        .map(|v| {
            let ev = v["evidence"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|e| e["text"].as_str().unwrap_or("").to_string())
                        .collect()
                })
                .unwrap_or_default();
            (v["id"].as_str().unwrap_or("").to_string(), ev)
        })
        .collect()
}

/// Every verdict as (invariant, verdict, job), in the document's order.
fn verdict_keys(doc: &Value) -> Vec<(String, String, String)> {
    doc["invariants"]
        .as_array()
        .expect("invariants")
        .iter()
        .map(|v| {
            (
                v["id"].to_string(),
                v["verdict"].to_string(),
                v["job"].to_string(),
            )
        })
        .collect()
}

fn corpus(scenario: &str) -> String {
    format!("samples/corpus/{scenario}")
}

#[test]
fn every_real_scenario_checks_without_a_fail_except_no_ha() {
    for scenario in [
        "1.18.1/jm-restart",
        "1.20.5/happy",
        "1.20.5/jm-restart",
        "1.20.5/savepoint",
        "1.20.5/zk-outage",
        "2.3.0/happy",
        "2.3.0/sigterm",
    ] {
        assert!(Path::new(&corpus(scenario)).is_dir(), "{scenario} missing");
        let (doc, code) = check(&[&corpus(scenario)], &[]);
        assert_eq!(fails(&doc), vec![], "{scenario}: {doc:#}");
        assert_eq!(code, 0, "{scenario}");
        for id in [
            "single-leader",
            "checkpoint-monotonic",
            "no-resurrection",
            "ha-cleanup",
        ] {
            assert_eq!(verdict(&doc, id, None), "PASS", "{scenario} {id}: {doc:#}");
        }
    }
}

#[test]
fn failover_scenarios_pass_recovery_invariants_with_the_manifest_facts() {
    // (scenario, job, latest completed before, restored, first completed after)
    for (scenario, job, restored, first_after) in [
        ("1.18.1/jm-restart", "93fee7c1", 12, 13),
        ("1.20.5/happy", "17dbae1c", 15, 16),
        ("1.20.5/jm-restart", "6cecd03f", 12, 13),
        ("1.20.5/zk-outage", "01520cfd", 10, 11),
        ("2.3.0/happy", "b7491a85", 15, 16),
        ("2.3.0/sigterm", "402f1e38", 10, 11),
    ] {
        let (doc, _) = check(&[&corpus(scenario)], &[]);
        for id in [
            "recover-latest",
            "jobs-recovered",
            "leader-session-fresh",
            "single-leader",
        ] {
            assert_eq!(
                verdict(&doc, id, Some(job)),
                "PASS",
                "{scenario} {id}: {doc:#}"
            );
        }
        let leader = doc["failovers"]
            .as_array()
            .expect("failovers")
            .iter()
            .find(|f| f["kind"] == "leader")
            .unwrap_or_else(|| panic!("{scenario}: no leader failover"));
        let r = &leader["jobs"][0];
        assert!(r["job"].as_str().unwrap_or("").starts_with(job));
        assert_eq!(r["latest_completed_before"], restored, "{scenario}");
        assert_eq!(r["restored_checkpoint"], restored, "{scenario}");
        assert_eq!(r["first_completed_after"], first_after, "{scenario}");
        assert!(r["rto_ms"].as_i64().is_some(), "{scenario}: {r}");
    }
}

#[test]
fn task_manager_loss_is_a_job_restart_from_the_latest_checkpoint() {
    let (doc, _) = check(&[&corpus("1.20.5/happy")], &[]);
    let restart = doc["failovers"]
        .as_array()
        .expect("failovers")
        .iter()
        .find(|f| f["kind"] == "job_restart")
        .expect("job restart failover");
    let r = &restart["jobs"][0];
    assert_eq!(r["latest_completed_before"], 31);
    assert_eq!(r["restored_checkpoint"], 31);
    assert_eq!(r["first_completed_after"], 34);
    assert_eq!(r["lost_checkpoints"], serde_json::json!([32, 33]));
}

#[test]
fn no_ha_loses_the_job_and_says_ha_is_disabled() {
    let (doc, code) = check(&[&corpus("1.20.5/no-ha")], &[]);
    assert_eq!(code, 1);
    let f = fails(&doc);
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!(f[0].0, "jobs-recovered");
    assert!(
        f[0].1
            .iter()
            .any(|t| t.contains("Successfully recovered 0 persisted job graphs")),
        "{f:?}"
    );
    let notes = doc["notes"].to_string();
    assert!(notes.contains("HA is disabled"), "{notes}");
}

#[test]
fn savepoint_resubmissions_are_not_failovers() {
    let (doc, code) = check(&[&corpus("1.20.5/savepoint")], &[]);
    assert_eq!(code, 0);
    assert_eq!(doc["failovers"].as_array().map(Vec::len), Some(0));
    // No failover: recovery was never exercised, which is UNKNOWN, not PASS.
    assert_eq!(verdict(&doc, "recover-latest", Some("6b932701")), "UNKNOWN");
    assert_eq!(verdict(&doc, "jobs-recovered", Some("6b932701")), "UNKNOWN");
    assert_eq!(verdict(&doc, "leader-session-fresh", None), "UNKNOWN");
    assert_eq!(verdict(&doc, "ha-cleanup", Some("6b932701")), "PASS");
}

/// (mutation, invariant that must FAIL, a text the evidence must contain)
const MUTATIONS: &[(&str, &str, &str)] = &[
    ("single-leader-overlap", "single-leader", "12:34:05"),
    (
        "leader-session-reused",
        "leader-session-fresh",
        "e121f084-4a4d-4a43-bf6c-09a46f25e587",
    ),
    (
        "checkpoint-id-reset",
        "checkpoint-monotonic",
        "Triggering checkpoint 1 ",
    ),
    ("restore-older", "recover-latest", "from Checkpoint 14 @"),
    ("job-missing", "jobs-recovered", "Retrieved job ids []"),
    ("resurrection", "no-resurrection", "12:37:18,000"),
    ("cleanup-missing", "ha-cleanup", "to CANCELED."),
    (
        "cleanup-suspended",
        "ha-cleanup",
        "Clean up the high availability data for job 01520cfd",
    ),
    (
        "two-job-masters",
        "single-leader",
        "0123456789abcdef0123456789abcdef",
    ),
];

#[test]
fn each_mutation_fails_the_right_invariant_with_the_right_lines() {
    for (name, id, needle) in MUTATIONS {
        let (doc, code) = check(&[&format!("samples/mutations/{name}")], &[]);
        assert_eq!(code, 1, "{name}: {doc:#}");
        let f = fails(&doc);
        assert!(!f.is_empty(), "{name}: no FAIL");
        for (fid, _) in &f {
            assert_eq!(fid, id, "{name}: unexpected FAIL of {fid}: {doc:#}");
        }
        assert!(
            f.iter()
                .any(|(_, ev)| ev.iter().any(|t| t.contains(needle))),
            "{name}: evidence lacks `{needle}`: {f:#?}"
        );
    }
}

#[test]
fn missing_evidence_is_unknown_not_pass() {
    // Only the new leader's log: the checkpoints completed before the failover are missing.
    let (doc, code) = check(
        &[&format!(
            "{}/flink-root-standalonesession-1-vm.log",
            corpus("1.20.5/jm-restart")
        )],
        &[],
    );
    assert_eq!(code, 0);
    assert_eq!(verdict(&doc, "recover-latest", Some("6cecd03f")), "UNKNOWN");
    // Only the old leader's log: no failover, no terminal state.
    let (doc, _) = check(
        &[&format!(
            "{}/flink-root-standalonesession-0-vm.log",
            corpus("1.20.5/jm-restart")
        )],
        &[],
    );
    for id in [
        "recover-latest",
        "jobs-recovered",
        "no-resurrection",
        "ha-cleanup",
    ] {
        assert_eq!(verdict(&doc, id, Some("6cecd03f")), "UNKNOWN", "{id}");
    }
    assert_eq!(verdict(&doc, "leader-session-fresh", None), "UNKNOWN");
    // --strict turns UNKNOWN into exit 1.
    let (_, code) = check(
        &[&format!(
            "{}/flink-root-standalonesession-0-vm.log",
            corpus("1.20.5/jm-restart")
        )],
        &["--strict"],
    );
    assert_eq!(code, 1);
}

#[test]
fn the_order_of_sources_does_not_matter() {
    let a = format!(
        "{}/flink-root-standalonesession-0-vm.log",
        corpus("1.20.5/happy")
    );
    let b = format!(
        "{}/flink-root-standalonesession-1-vm.log",
        corpus("1.20.5/happy")
    );
    let c = format!(
        "{}/flink-root-standalonesession-2-vm.log",
        corpus("1.20.5/happy")
    );
    let (x, _) = check(&[&a, &b, &c], &[]);
    let (y, _) = check(&[&c, &b, &a], &[]);
    assert_eq!(x["invariants"], y["invariants"]);
    assert_eq!(x["failovers"], y["failovers"]);
}

#[test]
fn recovery_time_and_expected_failovers() {
    let s = corpus("1.20.5/jm-restart");
    let (doc, code) = check(&[&s], &["--max-rto", "5s"]);
    assert_eq!(code, 1);
    assert_eq!(verdict(&doc, "recovery-time", Some("6cecd03f")), "FAIL");
    let (doc, code) = check(&[&s], &["--max-rto", "60s", "--expect-failovers", "1"]);
    assert_eq!(code, 0);
    assert_eq!(verdict(&doc, "recovery-time", Some("6cecd03f")), "PASS");
    assert_eq!(verdict(&doc, "expect-failovers", None), "PASS");
    let (doc, code) = check(&[&corpus("1.20.5/savepoint")], &["--expect-failovers", "1"]);
    assert_eq!(code, 1);
    assert_eq!(verdict(&doc, "expect-failovers", None), "FAIL");
}

#[test]
fn only_and_skip_select_invariants() {
    let (doc, code) = check(&[&corpus("1.20.5/no-ha")], &["--skip", "jobs-recovered"]);
    assert_eq!(code, 0);
    assert!(!doc["invariants"].to_string().contains("jobs-recovered"));
    let (doc, _) = check(&[&corpus("1.20.5/no-ha")], &["--only", "single-leader"]);
    let ids: Vec<&str> = doc["invariants"]
        .as_array()
        .expect("invariants")
        .iter()
        .map(|v| v["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, vec!["single-leader"]);
    let out = flinkha(&["check", "--only", "nonsense", &corpus("1.20.5/no-ha")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown invariant `nonsense`"));
}

#[test]
fn the_seed_story_passes_with_unknown_where_excerpts_are_silent() {
    let (doc, code) = check(&["samples/seed"], &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(fails(&doc), vec![]);
    assert_eq!(verdict(&doc, "single-leader", None), "PASS");
    assert_eq!(verdict(&doc, "leader-session-fresh", None), "PASS");
    assert_eq!(
        verdict(&doc, "checkpoint-monotonic", Some("c506b6c2")),
        "PASS"
    );
    assert_eq!(verdict(&doc, "jobs-recovered", Some("c506b6c2")), "PASS");
    // Checkpoints 3..106 and the `Restoring job` line are not in the excerpts.
    assert_eq!(verdict(&doc, "recover-latest", Some("c506b6c2")), "UNKNOWN");
    // The cancellation of job 034b3fe2 is not in the excerpts, only its cleanup.
    assert_eq!(verdict(&doc, "ha-cleanup", Some("034b3fe2")), "UNKNOWN");
    let leaders = doc["failovers"]
        .as_array()
        .expect("failovers")
        .iter()
        .filter(|f| f["kind"] == "leader")
        .count();
    assert_eq!(leaders, 2, "{doc:#}");
}

#[test]
fn other_output_formats_and_exit_codes() {
    let s = corpus("1.20.5/no-ha");
    let out = flinkha(&["check", "--format", "junit", &s]);
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        xml.contains("<testsuite") && xml.contains("<failure"),
        "{xml}"
    );
    let out = flinkha(&["check", "--format", "github", &s]);
    let gh = String::from_utf8_lossy(&out.stdout);
    assert!(gh.lines().any(|l| l.starts_with("::error")), "{gh}");
    let out = flinkha(&["check", &corpus("1.20.5/jm-restart")]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("PASS") && text.contains("recover-latest"),
        "{text}"
    );
    let out = flinkha(&["check", "samples/does-not-exist.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("samples/does-not-exist.log"));
}

#[test]
fn one_interleaved_kubectl_stream_gives_the_same_verdicts_as_the_files() {
    use std::io::Write;
    for scenario in ["1.20.5/happy", "2.3.0/sigterm"] {
        let (files, _) = check(&[&corpus(scenario)], &[]);
        let mut child = Command::new(env!("CARGO_BIN_EXE_flinkha"))
            .args(["check", "--format", "json"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let input = kubectl_stream(&corpus(scenario));
        let mut stdin = child.stdin.take().expect("stdin");
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let out = child.wait_with_output().expect("wait");
        writer.join().expect("writer").expect("write");
        let stream: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(verdict_keys(&files), verdict_keys(&stream), "{scenario}");
        let restored = |d: &Value| -> Vec<Value> {
            d["failovers"]
                .as_array()
                .expect("failovers")
                .iter()
                .map(|f| f["jobs"][0]["restored_checkpoint"].clone())
                .collect()
        };
        assert_eq!(restored(&files), restored(&stream), "{scenario}");
    }
}

/// A cut of a real log: the lines `keep` selects, written to `dir/name`.
fn cut(dir: &Path, name: &str, from: &str, keep: impl Fn(usize, &str) -> bool) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(from);
    let text = std::fs::read_to_string(src).expect("read corpus log");
    let lines: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, l)| keep(*i, l))
        .map(|(_, l)| l)
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").expect("write cut");
    path.to_string_lossy().into_owned()
}

#[test]
fn vacuous_single_leader_monotonic_and_recovery_time_are_unknown() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let jm0 = format!(
        "{}/flink-root-standalonesession-0-vm.log",
        corpus("1.20.5/jm-restart")
    );
    // The old leader's log from its first checkpoint on: no grant is in the window.
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&jm0)).expect("read");
    let first = text
        .lines()
        .position(|l| l.contains("Triggering checkpoint 1 "))
        .expect("checkpoint 1");
    let tail = cut(tmp.path(), "tail.log", &jm0, |i, _| i >= first);
    let (doc, _) = check(&[&tail], &[]);
    assert_eq!(verdict(&doc, "single-leader", None), "UNKNOWN", "{doc:#}");
    // The same log up to the first checkpoint: the job never checkpointed.
    let head = cut(tmp.path(), "head.log", &jm0, |i, _| i < first);
    let (doc, _) = check(&[&head], &["--max-rto", "30s"]);
    assert_eq!(
        verdict(&doc, "checkpoint-monotonic", Some("6cecd03f")),
        "UNKNOWN",
        "{doc:#}"
    );
    // No failover: recovery time was not exercised.
    assert_eq!(
        verdict(&doc, "recovery-time", Some("6cecd03f")),
        "UNKNOWN",
        "{doc:#}"
    );
    assert_eq!(verdict(&doc, "single-leader", None), "PASS");
}

#[test]
fn help_lists_every_invariant_and_the_exit_codes() {
    let out = flinkha(&["check", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for id in flinkha::check::INVARIANT_IDS {
        assert!(help.contains(id), "--help lacks {id}");
    }
    assert!(help.contains("Exit codes: 0"));
}

#[test]
fn a_log_rotated_mid_process_stays_one_incarnation() {
    // log4j rolls `x.log` to `x.log.1` by size while the process runs: split the killed
    // leader's log in the middle of its checkpoints.
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(corpus("1.20.5/jm-restart"));
    let jm0 =
        std::fs::read_to_string(src.join("flink-root-standalonesession-0-vm.log")).expect("read");
    let lines: Vec<&str> = jm0.lines().collect();
    let mid = lines
        .iter()
        .position(|l| l.contains("Completed checkpoint 6 "))
        .expect("checkpoint 6");
    std::fs::write(
        tmp.path().join("flink-root-standalonesession-0-vm.log.1"),
        lines[..=mid].join("\n") + "\n",
    )
    .expect("write");
    std::fs::write(
        tmp.path().join("flink-root-standalonesession-0-vm.log"),
        lines[mid + 1..].join("\n") + "\n",
    )
    .expect("write");
    std::fs::copy(
        src.join("flink-root-standalonesession-1-vm.log"),
        tmp.path().join("flink-root-standalonesession-1-vm.log"),
    )
    .expect("copy");
    let dir = tmp.path().to_string_lossy().to_string();
    let (split, code) = check(&[&dir], &[]);
    let (whole, _) = check(&[&corpus("1.20.5/jm-restart")], &[]);
    assert_eq!(code, 0, "{split:#}");
    let key = |d: &Value| -> Vec<(String, String)> {
        d["invariants"]
            .as_array()
            .expect("invariants")
            .iter()
            .map(|v| (v["id"].to_string(), v["verdict"].to_string()))
            .collect()
    };
    assert_eq!(key(&split), key(&whole));
    assert_eq!(split["failovers"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        split["failovers"][0]["failure_ts"],
        whole["failovers"][0]["failure_ts"]
    );
    let out = flinkha(&["timeline", "--format", "json", &dir]);
    let t: Value = serde_json::from_slice(&out.stdout).expect("timeline JSON");
    assert_eq!(t["incarnations"].as_array().map(Vec::len), Some(2), "{t:#}");
}

#[test]
fn a_restore_line_without_a_job_belongs_to_the_job_being_started() {
    // The savepoint scenario with its first job left running: that job's checkpoint,
    // logged by another thread, comes between the next job's JobMaster grant and the
    // JobMaster's job-less `No checkpoint found during restore.`. The line is the new
    // job's (it starts from a savepoint), not a loss of the running job's state.
    let tmp = tempfile::tempdir().expect("tempdir");
    let first = "f7da36ab56b6ff3bfba78975ad4253df";
    let next = "6b932701eba112a4b0be152084c22fc2";
    let log = "flink-root-standalonesession-0-vm.log";
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(corpus("1.20.5/savepoint"));
    let text = std::fs::read_to_string(src.join(log)).expect("read");
    let cancel = text
        .lines()
        .position(|l| {
            l.contains(&format!(
                "({first}) switched from state RUNNING to CANCELLING"
            ))
        })
        .expect("the first job's cancellation");
    let grant = format!("JobMasterServiceLeadershipRunner for job {next} was granted");
    let mut starting = false;
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if i >= cancel && l.contains(first) {
            continue; // the first job keeps running
        }
        starting |= l.contains(&grant);
        if starting && l.contains("No checkpoint found during restore.") {
            starting = false;
            let at = &l[..23];
            out.push(format!(
                "{at} INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - \
                 Triggering checkpoint 12 (type=CheckpointType{{name='Checkpoint', \
                 sharingFilesStrategy=FORWARD_BACKWARD}}) @ 1795610400440 for job {first}."
            ));
            out.push(format!(
                "{at} INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [] - \
                 Completed checkpoint 12 for job {first} (3206 bytes, checkpointDuration=30 ms, \
                 finalizationTime=10 ms)."
            ));
        }
        out.push(l.to_string());
    }
    std::fs::write(tmp.path().join(log), out.join("\n") + "\n").expect("write");
    let dir = tmp.path().to_string_lossy().to_string();
    let (doc, code) = check(&[&dir], &[]);
    assert!(fails(&doc).is_empty(), "{doc:#}");
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        verdict(&doc, "recover-latest", Some(first)),
        "UNKNOWN",
        "{doc:#}"
    );
    assert_ne!(verdict(&doc, "checkpoint-monotonic", Some(first)), "FAIL");
}

#[test]
fn a_rotated_kubectl_stream_keeps_each_pod_one_process() {
    // `kubectl logs -f --prefix --timestamps … | rotatelogs`: the stream's parts
    // `kubectl.log.1` and `kubectl.log`, split in the middle. The pods' names do not show
    // the rotation; the first part's end must not end their processes.
    for scenario in ["1.20.5/happy", "2.3.0/sigterm"] {
        let (files, _) = check(&[&corpus(scenario)], &[]);
        let stream = kubectl_stream(&corpus(scenario));
        let lines: Vec<&str> = stream.lines().collect();
        let (a, b) = lines.split_at(lines.len() / 2);
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::write(tmp.path().join("kubectl.log.1"), a.join("\n") + "\n").expect("write");
        std::fs::write(tmp.path().join("kubectl.log"), b.join("\n") + "\n").expect("write");
        let (split, code) = check(&[&tmp.path().to_string_lossy()], &[]);
        assert_eq!(code, 0, "{scenario}: {split:#}");
        assert_eq!(verdict_keys(&files), verdict_keys(&split), "{scenario}");
        assert_eq!(
            files["failovers"].as_array().map(Vec::len),
            split["failovers"].as_array().map(Vec::len),
            "{scenario}: {split:#}"
        );
    }
}

/// Every real corpus set with several JobManager logs, its logs given as one (`cat` of them
/// in name order): refused naming the line (exit 2) where the logs overlap in time, and
/// where they do not (a JobManager that restarted after the other stopped), the verdicts of
/// the logs given one by one. Never a verdict of its own: the shape of the input cannot
/// turn a FAIL into a PASS.
#[test]
fn corpus_logs_concatenated_are_refused_or_read_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let tmp = tempfile::tempdir().expect("tempdir");
    let (mut refused, mut same) = (0, 0);
    for corpus in ["corpus", "corpus-k8s", "corpus-app", "corpus-k8s-app"] {
        for version in std::fs::read_dir(root.join(corpus))
            .expect("corpus")
            .flatten()
        {
            for set in std::fs::read_dir(version.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let mut logs: Vec<_> = std::fs::read_dir(set.path())
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "log"))
                    .collect();
                if logs.len() < 2 {
                    continue;
                }
                logs.sort();
                let whole: Vec<u8> = logs
                    .iter()
                    .flat_map(|p| std::fs::read(p).expect("log"))
                    .collect();
                let cat = tmp.path().join("cat.log");
                std::fs::write(&cat, whole).expect("write");
                let out = flinkha(&["check", "--format", "json", cat.to_str().expect("path")]);
                let err = String::from_utf8_lossy(&out.stderr);
                let set = set.path().display().to_string();
                if out.status.code() == Some(2) {
                    assert!(
                        err.contains("in time order") && err.contains(" line "),
                        "{set}: {err}"
                    );
                    refused += 1;
                    continue;
                }
                let names: Vec<&str> = logs.iter().map(|p| p.to_str().expect("path")).collect();
                let (apart, code) = check(&names, &[]);
                let doc: Value = serde_json::from_slice(&out.stdout)
                    .unwrap_or_else(|e| panic!("{set}: {e}: {err}"));
                let list = |d: &Value| {
                    let mut v: Vec<String> = d["invariants"]
                        .as_array()
                        .expect("invariants")
                        .iter()
                        .map(|v| format!("{} {} {}", v["id"], v["job"], v["verdict"]))
                        .collect();
                    v.sort();
                    v
                };
                assert_eq!(out.status.code(), Some(code), "{set}");
                assert_eq!(list(&doc), list(&apart), "{set}");
                same += 1;
            }
        }
    }
    assert!(
        refused >= 10 && same >= 20,
        "refused {refused}, same {same}"
    );
}
