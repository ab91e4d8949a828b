//! `flinkha stats` end to end on real Flink 1.20.5 logs (`samples/corpus/1.20.5/jm-restart`):
//! the numbers are worked out independently here, from the raw lines with plain string
//! operations, and must agree exactly with what the binary reports.

#![cfg(feature = "stats")]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const JOB: &str = "6cecd03fbdf46ddd31c32d9bdc34c1b5";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/corpus/1.20.5/jm-restart")
}

/// The log of the JobManager that was killed with kill -9 after checkpoint 12.
fn jm0() -> PathBuf {
    dir().join("flink-root-standalonesession-0-vm.log")
}

fn flinkha(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(args)
        .output()
        .expect("run flinkha")
}

fn ok(args: &[&str]) -> String {
    let out = flinkha(args);
    assert!(
        out.status.success(),
        "flinkha {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("valid JSON")
}

/// The message part of the CheckpointCoordinator lines of `JOB` that contain `what`.
fn coordinator_lines(text: &str, what: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains("org.apache.flink.runtime.checkpoint.CheckpointCoordinator"))
        .filter(|l| l.contains(what) && l.contains(&format!("for job {JOB}")))
        .map(str::to_string)
        .collect()
}

/// The number right after `key` in `line` (`checkpointDuration=` → 153).
fn number_after(line: &str, key: &str) -> u64 {
    let start = line.find(key).expect("key in line") + key.len();
    let digits: String = line[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().expect("a number")
}

/// `2026-11-25 12:36:21,544 …` → milliseconds since midnight.
fn millis_of_day(line: &str) -> i64 {
    let time = &line[11..23];
    let h: i64 = time[0..2].parse().expect("hours");
    let m: i64 = time[3..5].parse().expect("minutes");
    let s: i64 = time[6..8].parse().expect("seconds");
    let ms: i64 = time[9..12].parse().expect("millis");
    ((h * 60 + m) * 60 + s) * 1000 + ms
}

/// Median of an even or odd number of values: the middle one, or the mean of the two
/// middle ones.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let n = v.len();
    assert!(n > 0);
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[test]
fn stats_json_agrees_with_the_raw_log() {
    let text = std::fs::read_to_string(jm0()).expect("read sample log");
    let completed = coordinator_lines(&text, "Completed checkpoint ");
    let triggered = coordinator_lines(&text, "Triggering checkpoint ");
    // The MANIFEST says 12 completed checkpoints in this log; the hand count must agree.
    assert_eq!(completed.len(), 12);
    let durations: Vec<u64> = completed
        .iter()
        .map(|l| number_after(l, "checkpointDuration="))
        .collect();
    let sizes: Vec<u64> = completed
        .iter()
        .map(|l| number_after(l, &format!("for job {JOB} (")))
        .collect();
    let trig_ms: Vec<i64> = triggered.iter().map(|l| millis_of_day(l)).collect();
    let intervals: Vec<f64> = trig_ms.windows(2).map(|w| (w[1] - w[0]) as f64).collect();

    let stats = json(&["stats", "--format", "json", jm0().to_str().unwrap()]);
    let jobs = stats["jobs"].as_array().expect("jobs array");
    assert_eq!(jobs.len(), 1, "{stats}");
    let j = &jobs[0];
    assert_eq!(j["job"], JOB);
    assert_eq!(j["name"], "HA-Lab-Counter");
    assert_eq!(j["completed"], completed.len() as u64);
    assert_eq!(j["triggered"], triggered.len() as u64);
    assert_eq!(j["failed"], 0);
    assert_eq!(j["savepoints"], 0);
    assert_eq!(j["completion_rate"], 1.0);
    assert_eq!(
        j["duration_p50_ms"].as_f64(),
        Some(median(durations.iter().map(|&d| d as f64).collect()))
    );
    assert_eq!(j["duration_max_ms"], *durations.iter().max().unwrap());
    assert_eq!(
        j["bytes_p50"].as_f64(),
        Some(median(sizes.iter().map(|&d| d as f64).collect()))
    );
    assert_eq!(j["bytes_max"], *sizes.iter().max().unwrap());
    let growth = sizes[sizes.len() - 1] as i64 - sizes[0] as i64;
    assert_eq!(j["growth_bytes"], growth);
    assert_eq!(
        j["interval_p50_ms"].as_f64(),
        Some(median(intervals.clone()))
    );
    assert_eq!(
        j["interval_max_ms"].as_f64(),
        intervals.iter().copied().reduce(f64::max)
    );
    // p95 by linear interpolation on the sorted durations.
    let mut sorted = durations.clone();
    sorted.sort_unstable();
    let h = (sorted.len() - 1) as f64 * 0.95;
    let lo = h.floor() as usize;
    let p95 = sorted[lo] as f64 + (h - lo as f64) * (sorted[lo + 1] as f64 - sorted[lo] as f64);
    let got = j["duration_p95_ms"].as_f64().expect("p95");
    assert!((got - p95).abs() < 1e-9, "p95 {got} vs {p95}");
}

#[test]
fn failover_rto_and_rpo_from_both_jobmanager_logs() {
    // Both JobManager logs: kill -9 after checkpoint 12, the restarted JM restores 12.
    let d = dir();
    let jm1 = d.join("flink-root-standalonesession-1-vm.log");
    let stats = json(&[
        "stats",
        "--format",
        "json",
        jm0().to_str().unwrap(),
        jm1.to_str().unwrap(),
    ]);
    let j = &stats["jobs"][0];
    // MANIFEST: 22 completed checkpoints, ids 1..22.
    assert_eq!(j["completed"], 22, "{stats}");
    let failovers = stats["failovers"].as_array().expect("failovers");
    assert_eq!(failovers.len(), 1, "{stats}");
    let f = &failovers[0];
    assert_eq!(f["failover"], 1, "numbered from 1 as in check and timeline");
    assert_eq!(f["kind"], "leader");
    assert_eq!(f["job"], JOB);
    assert_eq!(f["latest_completed_before"], 12);
    assert_eq!(f["restored_checkpoint"], 12);
    assert!(f["rto_ms"].as_i64().is_some_and(|v| v > 0), "{f}");
    assert!(f["rpo_ms"].as_i64().is_some_and(|v| v >= 0), "{f}");

    let text = ok(&["stats", jm0().to_str().unwrap(), jm1.to_str().unwrap()]);
    assert!(text.contains("Failovers"), "{text}");
    assert!(text.contains("HA-Lab-Counter"), "{text}");
}

#[test]
fn csv_format_is_the_per_job_table() {
    let csv = ok(&["stats", "--format", "csv", jm0().to_str().unwrap()]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[0].starts_with("job,name,triggered,completed,failed,"),
        "{csv}"
    );
    assert!(
        lines[1].starts_with(&format!("{JOB},HA-Lab-Counter,12,12,0,1,,0,")),
        "{csv}"
    );
}

#[test]
fn export_parquet_and_csv() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let log = jm0();
    let log = log.to_str().unwrap();
    let events = ok(&["events", log]).lines().count();
    assert!(events > 12, "only {events} events");

    let pq = tmp.path().join("events.parquet");
    ok(&["stats", "--export", pq.to_str().unwrap(), log]);
    let bytes = std::fs::read(&pq).expect("parquet written");
    assert_eq!(&bytes[..4], b"PAR1");
    assert_eq!(&bytes[bytes.len() - 4..], b"PAR1");

    let csv = tmp.path().join("events.csv");
    ok(&["stats", "--export", csv.to_str().unwrap(), log]);
    let text = std::fs::read_to_string(&csv).expect("csv written");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    assert!(header.starts_with("ts,source,line,kind,"), "{header}");
    assert!(header.contains(",checkpoint,") && header.contains(",duration_ms,"));
    assert_eq!(lines.count(), events);
    let completed = text
        .lines()
        .filter(|l| l.contains(",checkpoint_completed,"))
        .count();
    assert_eq!(completed, 12);
}

#[test]
fn export_rejects_unknown_extensions() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let bad = tmp.path().join("events.json");
    let out = flinkha(&[
        "stats",
        "--export",
        bad.to_str().unwrap(),
        jm0().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("events.json"), "{err}");
    assert!(err.contains(".parquet") && err.contains(".csv"), "{err}");
    assert!(!bad.exists());
}
