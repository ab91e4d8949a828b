//! `flinkha timeline` on every real failover set and on the seed story: the JSON facts
//! (new leader, restored checkpoint and when, first checkpoint after recovery, HA cleanup)
//! equal their MANIFEST.md, and the text and Markdown reports are snapshotted
//! (`FLINKHA_UPDATE_SNAPSHOTS=1` rewrites `tests/snapshots/corpus/`).

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn timeline(format: &str, dir: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(["timeline", "--format", format, dir])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run flinkha timeline");
    assert!(
        out.status.success(),
        "{dir}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// One failover as its MANIFEST.md tells it.
struct Fact {
    kind: &'static str,
    /// The new leader's grant (leader failovers), as in the MANIFEST's leadership terms.
    new_leader: Option<&'static str>,
    restored: Option<u64>,
    restored_ts: Option<&'static str>,
    first_after: Option<u64>,
}

/// (scenario, job, failovers, HA cleanup instant)
fn facts() -> Vec<(&'static str, &'static str, Vec<Fact>, Option<&'static str>)> {
    let leader = |t, r, rt, f| Fact {
        kind: "leader",
        new_leader: Some(t),
        restored: Some(r),
        restored_ts: Some(rt),
        first_after: Some(f),
    };
    let restart = |r, rt, f| Fact {
        kind: "job_restart",
        new_leader: None,
        restored: Some(r),
        restored_ts: Some(rt),
        first_after: Some(f),
    };
    vec![
        (
            "samples/corpus/1.18.1/jm-restart",
            "93fee7c17a9f0437b14bfb5b20608d44",
            vec![leader(
                "2026-11-25T12:55:27.705Z",
                12,
                "2026-11-25T12:55:28.241Z",
                13,
            )],
            Some("2026-11-25T12:55:45.092Z"),
        ),
        (
            "samples/corpus/1.20.5/happy",
            "17dbae1cf71efbf7ed4346261571f647",
            vec![
                leader(
                    "2026-11-25T12:34:29.731Z",
                    15,
                    "2026-11-25T12:34:30.921Z",
                    16,
                ),
                restart(31, "2026-11-25T12:35:08.125Z", 34),
            ],
            Some("2026-11-25T12:35:27.142Z"),
        ),
        (
            "samples/corpus/1.20.5/jm-restart",
            "6cecd03fbdf46ddd31c32d9bdc34c1b5",
            vec![leader(
                "2026-11-25T12:36:55.137Z",
                12,
                "2026-11-25T12:36:56.039Z",
                13,
            )],
            Some("2026-11-25T12:37:16.189Z"),
        ),
        (
            "samples/corpus/1.20.5/zk-outage",
            "01520cfd5912b5dc972dddae638a6a1b",
            vec![leader(
                "2026-11-25T13:04:49.714Z",
                10,
                "2026-11-25T13:04:50.100Z",
                11,
            )],
            Some("2026-11-25T13:05:03.144Z"),
        ),
        (
            "samples/corpus/2.3.0/happy",
            "b7491a8562025d6cc5542c12bb8721b1",
            vec![
                leader(
                    "2026-11-25T12:44:57.710Z",
                    15,
                    "2026-11-25T12:44:58.232Z",
                    16,
                ),
                restart(30, "2026-11-25T12:45:34.833Z", 34),
            ],
            Some("2026-11-25T12:45:52.958Z"),
        ),
        (
            "samples/corpus/2.3.0/sigterm",
            "402f1e38f963d5f6688ea922c86c688d",
            vec![leader(
                "2026-11-25T12:50:42.753Z",
                10,
                "2026-11-25T12:50:43.421Z",
                11,
            )],
            Some("2026-11-25T12:51:00.325Z"),
        ),
        (
            // HA disabled: the restarted JobManager takes over, but nothing is restored.
            "samples/corpus/1.20.5/no-ha",
            "f27e17e3bf0643f92a573a72314e4429",
            vec![Fact {
                kind: "leader",
                new_leader: Some("2026-11-25T12:38:31.937Z"),
                restored: None,
                restored_ts: None,
                first_after: None,
            }],
            None,
        ),
    ]
}

#[test]
fn json_facts_match_every_manifest() {
    for (dir, job, expected, cleanup) in facts() {
        let v: Value = serde_json::from_str(&timeline("json", dir)).expect("JSON");
        let failovers = v["failovers"].as_array().expect("failovers");
        assert_eq!(failovers.len(), expected.len(), "{dir}: {v:#}");
        for (f, e) in failovers.iter().zip(&expected) {
            assert_eq!(f["kind"], e.kind, "{dir}");
            if let Some(t) = e.new_leader {
                assert_eq!(f["new_leader_ts"], t, "{dir}");
            }
            let r = &f["jobs"][0];
            assert_eq!(r["job"], job, "{dir}");
            assert_eq!(r["restored_checkpoint"].as_u64(), e.restored, "{dir}");
            assert_eq!(r["restored_ts"].as_str(), e.restored_ts, "{dir}");
            assert_eq!(r["first_completed_after"].as_u64(), e.first_after, "{dir}");
            if e.restored.is_some() {
                // Recovered from the latest completed checkpoint, with an RTO and an RPO.
                assert_eq!(
                    r["latest_completed_before"], r["restored_checkpoint"],
                    "{dir}"
                );
                assert!(r["rto_ms"].as_i64().is_some() && r["rpo_ms"].as_i64().is_some());
            }
        }
        let j = v["jobs"]
            .as_array()
            .expect("jobs")
            .iter()
            .find(|j| j["job"] == job)
            .unwrap_or_else(|| panic!("{dir}: no job {job}"));
        assert_eq!(j["cleanup_ts"].as_str(), cleanup, "{dir}");
    }
}

#[test]
fn the_seed_story_has_two_leader_changes_and_the_recovered_job() {
    let v: Value = serde_json::from_str(&timeline("json", "samples/seed")).expect("JSON");
    let f = v["failovers"].as_array().expect("failovers");
    assert_eq!(f.len(), 2, "{v:#}");
    // kubectl delete pod: SIGTERM at 15:55:28, the new pod is leader at 15:55:46.
    assert_eq!(f[0]["failure_ts"], "2022-12-11T15:55:28.061Z");
    assert_eq!(f[0]["new_leader_ts"], "2022-12-11T15:55:46.149Z");
    // kill of the JobManager process: the job comes back and completes 107 next.
    let r = &f[1]["jobs"][0];
    assert_eq!(r["job"], "c506b6c290cc2d96a0e3f0eea10395c4");
    assert_eq!(r["first_completed_after"], 107);
    let cleaned = v["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .find(|j| j["job"] == "034b3fe2d4f673aed68b38e787f8edf0")
        .expect("job 034b3fe2");
    assert_eq!(cleaned["cleanup_ts"], "2022-12-11T16:16:34.782Z");
}

#[test]
fn text_and_markdown_reports_match_their_snapshots() {
    let update = std::env::var_os("FLINKHA_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/corpus");
    let mut dirs: Vec<&str> = facts().iter().map(|f| f.0).collect();
    dirs.push("samples/seed");
    let mut stale = Vec::new();
    for dir in dirs {
        let name = dir.trim_start_matches("samples/").replace('/', "-");
        for (format, ext) in [("text", "txt"), ("markdown", "md")] {
            let got = timeline(format, dir);
            let path = root.join(format!("{name}.{ext}"));
            if update {
                std::fs::create_dir_all(&root).expect("snapshot dir");
                std::fs::write(&path, &got).expect("write snapshot");
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_default();
            if want != got {
                stale.push(format!("{}:\n{got}", path.display()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "snapshots differ (FLINKHA_UPDATE_SNAPSHOTS=1 rewrites them):\n{}",
        stale.join("\n")
    );
}

#[test]
fn failed_checkpoints_are_counted_once_per_attempt() {
    // The manifest: ids 32 and 33 failed (each is logged by two lines).
    let v: Value =
        serde_json::from_str(&timeline("json", "samples/corpus/1.20.5/happy")).expect("JSON");
    assert_eq!(v["jobs"][0]["failed"], 2);
    assert_eq!(v["jobs"][0]["completed"], 38);
}
