//! `flinkha timeline` end to end: the real binary on the real Flink logs in
//! `samples/corpus/`, every format, compared with the facts in each MANIFEST.md.

use serde_json::Value;
use std::process::{Command, Output};

const JM_RESTART: &str = "samples/corpus/1.20.5/jm-restart";
const ZK_OUTAGE: &str = "samples/corpus/1.20.5/zk-outage";
const JOB: &str = "6cecd03fbdf46ddd31c32d9bdc34c1b5";

fn flinkha(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("run flinkha")
}

fn stdout_of(args: &[&str]) -> String {
    let out = flinkha(args);
    assert!(
        out.status.success(),
        "flinkha {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn json(dir: &str) -> Value {
    let s = stdout_of(&["timeline", "--format", "json", dir]);
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("not JSON: {e}\n{s}"))
}

#[test]
fn json_has_the_manifest_facts_of_the_jm_restart() {
    let v = json(JM_RESTART);
    // kill -9 of the only JobManager, restart, restore from 12, first checkpoint after 13.
    assert_eq!(v["summary"]["failovers"], 1);
    let f = &v["failovers"][0];
    assert_eq!(f["kind"], "leader");
    assert_eq!(f["number"], 1);
    let ts = f["failure_ts"].as_str().unwrap();
    assert!(ts.starts_with("2026-11-25T12:36:43."), "failure at {ts}");
    let leaderless = f["leaderless_ms"].as_i64().unwrap();
    assert!(
        (11_000..12_500).contains(&leaderless),
        "{leaderless} ms without leader"
    );
    let j = &f["jobs"][0];
    assert_eq!(j["job"], JOB);
    assert_eq!(j["restored_checkpoint"], 12);
    assert_eq!(j["latest_completed_before"], 12);
    assert_eq!(j["first_completed_after"], 13);
    assert_eq!(j["restored_ts"], "2026-11-25T12:36:56.039Z");
    // Two leadership terms with the manifest's sessions.
    assert_eq!(
        v["terms"][0]["session"],
        "e121f084-4a4d-4a43-bf6c-09a46f25e587"
    );
    assert_eq!(
        v["terms"][1]["session"],
        "79f1aa78-d705-4f10-b2d4-cabd6801d714"
    );
    assert_eq!(v["failovers"][0]["to_leader"], v["terms"][1]["jobmanager"]);
    // CANCELED, then HA cleanup at 12:37:16.189.
    let job = &v["jobs"][0];
    assert_eq!(job["terminal_state"], "CANCELED");
    assert_eq!(job["cleanup_ts"], "2026-11-25T12:37:16.189Z");
    assert_eq!(job["completed"], 22);
    assert_eq!(v["verdict"], "PASS");
}

#[test]
fn text_tells_the_story_without_colour_into_a_pipe() {
    let t = stdout_of(&["timeline", JM_RESTART]);
    assert!(
        t.starts_with("Flink HA timeline — 2026-11-25 12:36:"),
        "{t}"
    );
    assert!(t.contains("1 failover (1 leader change, 0 job restarts)"));
    assert!(t.contains("checkpoints 1–12 completed every ~2.0 s until 12:36:43.606"));
    assert!(t.contains("══ FAILOVER #1 · leader change · "));
    assert!(t.contains(
        "job 6cecd03f  restored checkpoint 12 at 12:36:56.039 (latest completed: 12 at 12:36:43.606)"
    ));
    assert!(t.contains("first checkpoint after: 13"));
    assert!(t.contains("became leader (session e121f084, http://127.0.0.1:8081)"));
    assert!(t.contains("CANCELED — globally terminal"));
    assert!(t.contains("HA data cleaned up"));
    assert!(!t.contains('\u{1b}'), "colour written into a pipe");
}

#[test]
fn markdown_is_an_incident_review_page() {
    let md = stdout_of(&["timeline", "--format", "markdown", JM_RESTART]);
    assert!(md.starts_with("# Flink HA timeline\n"));
    assert!(md.contains("\n## Failovers\n"));
    assert!(md.contains("| `6cecd03f` HA-Lab-Counter | 12 | 12 (12:36:43.606) |"));
    assert!(md.contains("\n## Leadership terms\n"));
    assert!(md.contains("| `e121f084-4a4d-4a43-bf6c-09a46f25e587` | http://127.0.0.1:8081 |"));
    assert!(md.contains("\n## Timeline\n\n| time (UTC) | who | what |\n"));
}

#[test]
fn html_goes_to_the_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("incident.html");
    let p = path.to_str().unwrap();
    let out = stdout_of(&["timeline", "--format", "html", "--output", p, ZK_OUTAGE]);
    assert_eq!(out, "", "--output must leave stdout empty");
    let h = std::fs::read_to_string(&path).unwrap();
    assert!(h.starts_with("<!DOCTYPE html>"));
    assert!(h.contains("<svg id=\"chart\""));
    assert!(h.contains(">job 01520cfd</text>"));
    // Restore from checkpoint 10 after the ZooKeeper outage, shown and explained.
    assert!(h.contains(">↺ 10</text>"));
    assert!(h.contains(">SUSPENDED</text>"));
    assert!(h.contains("<tr id=\"ev0\""));
    assert!(!h.contains("<script"));
}

#[test]
fn text_output_file_has_no_colour() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    stdout_of(&["timeline", "-o", path.to_str().unwrap(), ZK_OUTAGE]);
    let t = std::fs::read_to_string(&path).unwrap();
    assert!(t.contains("FAILOVER #1"));
    assert!(!t.contains('\u{1b}'));
}

#[test]
fn bad_arguments_are_usage_errors() {
    let out = flinkha(&["timeline", "--clock-skew", "soon", JM_RESTART]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--clock-skew"));
    let out = flinkha(&["timeline", "-o", "/nonexistent-dir/x.html", JM_RESTART]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write /nonexistent-dir/x.html"));
}
