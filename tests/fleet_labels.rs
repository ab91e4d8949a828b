//! `--label KEY=VALUE` in every machine output of the real binary, and the export flags'
//! errors (exit 2 before anything is read).

mod common;

use serde_json::Value;

const SAMPLE: &str = "samples/corpus/1.20.5/happy";
const LABELS: [&str; 4] = ["--label", "cluster=prod-eu", "--label", "env=a&b"];

fn with_labels<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.extend(LABELS);
    v.push("--no-progress");
    v.push(SAMPLE);
    v
}

#[test]
fn check_outputs_carry_the_labels() {
    let (code, out, err) = common::run(&with_labels(&["check", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["labels"],
        serde_json::json!({"cluster": "prod-eu", "env": "a&b"})
    );

    let (_, out, _) = common::run(&with_labels(&["check", "--format", "junit"]));
    assert!(
        out.contains("<property name=\"cluster\" value=\"prod-eu\"/>"),
        "{out}"
    );
    assert!(
        out.contains("<property name=\"env\" value=\"a&amp;b\"/>"),
        "{out}"
    );

    let (_, out, _) = common::run(&with_labels(&["check", "--format", "github"]));
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("::notice title=flinkha (cluster=prod-eu%2C env=a&b)::flinkha: PASS"),
        "{out}"
    );

    // Without labels the JSON still has the key: one schema for every run.
    let (_, out, _) = common::run(&["check", "--format", "json", "--no-progress", SAMPLE]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["labels"], serde_json::json!({}));
}

#[test]
fn timeline_events_and_stats_carry_the_labels() {
    let (code, out, err) = common::run(&with_labels(&["timeline", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["labels"]["cluster"], "prod-eu");

    let (code, out, err) = common::run(&with_labels(&["events"]));
    assert_eq!(code, 0, "{err}");
    let mut n = 0;
    for line in out.lines() {
        let e: Value = serde_json::from_str(line).unwrap();
        assert_eq!(e["labels"]["env"], "a&b", "{line}");
        assert!(e["kind"].is_string() && e["ts"].is_string(), "{line}");
        n += 1;
    }
    assert!(n > 50, "{n} events");
    let (_, plain, _) = common::run(&["events", "--no-progress", SAMPLE]);
    assert_eq!(plain.lines().count(), n);
    assert!(!plain.contains("\"labels\""));

    let (code, out, err) = common::run(&with_labels(&["stats", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["labels"]["cluster"], "prod-eu");
    let (_, out, _) = common::run(&with_labels(&["stats", "--format", "csv"]));
    let mut lines = out.lines();
    assert!(
        lines.next().unwrap().starts_with("cluster,env,job,name,"),
        "{out}"
    );
    assert!(
        lines.next().unwrap().starts_with("prod-eu,a&b,17dbae1c"),
        "{out}"
    );
}

#[test]
fn bad_labels_are_usage_errors() {
    for (label, want) in [
        ("cluster", "is not KEY=VALUE"),
        ("my-cluster=x", "must start with a letter"),
        ("job=x", "already a column"),
    ] {
        let (code, out, err) = common::run(&["check", "--label", label, SAMPLE]);
        assert_eq!(code, 2, "{label}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(want), "{label}: {err}");
    }
    let (code, _, err) = common::run(&["check", "--label", "a=1", "--label", "a=2", SAMPLE]);
    assert_eq!(code, 2);
    assert!(err.contains("label `a` given twice"), "{err}");
}

#[test]
fn export_flags_fail_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("verdicts.json");
    let (code, _, err) = common::run(&[
        "check",
        "--export-verdicts",
        bad.to_str().unwrap(),
        "/nonexistent/input.log",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("verdicts.json") && err.contains(".parquet"),
        "{err}"
    );
    assert!(
        !err.contains("/nonexistent"),
        "extensions are checked first: {err}"
    );

    let (code, _, err) = common::run(&[
        "check",
        "--export-dir",
        dir.path().to_str().unwrap(),
        "--export",
        "x.csv",
        SAMPLE,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn check_exports_single_tables() {
    let dir = tempfile::tempdir().unwrap();
    let v = dir.path().join("v.csv");
    let f = dir.path().join("f.csv");
    let (code, _, err) = common::run(&[
        "check",
        "--no-progress",
        "--label",
        "cluster=c1",
        "--export-verdicts",
        v.to_str().unwrap(),
        "--export-failovers",
        f.to_str().unwrap(),
        SAMPLE,
    ]);
    assert_eq!(code, 0, "{err}");
    let verdicts = std::fs::read_to_string(&v).unwrap();
    // 8 invariants of the happy sample, all PASS (the quoted evidence cell spans lines).
    assert!(verdicts.starts_with("cluster,invariant,job,verdict,because,"));
    let rows: Vec<&str> = verdicts.lines().filter(|l| l.starts_with("c1,")).collect();
    assert_eq!(rows.len(), 8, "{verdicts}");
    assert!(rows.iter().all(|r| r.contains(",PASS,")), "{verdicts}");
    let failovers = std::fs::read_to_string(&f).unwrap();
    let rows: Vec<&str> = failovers.lines().collect();
    assert_eq!(rows.len(), 3, "two failovers of one job: {failovers}");
    assert!(
        rows[1].starts_with("c1,1,leader,2026-11-25T12:34:18.844Z,"),
        "{failovers}"
    );
    assert!(rows[2].starts_with("c1,2,job_restart,"), "{failovers}");
    assert!(!dir.path().join("events.parquet").exists());
    assert!(
        err.contains("wrote 8 rows to") && err.contains("wrote 2 rows to"),
        "{err}"
    );
}
