//! The built-in grammars against the real JobManager logs in `samples/corpus/` (copies of the
//! shared corpus: Flink 1.12.5, 1.17.2, 1.18.1, 1.19.3, 1.20.5, 2.2.1 and 2.3.0 with ZooKeeper HA),
//! `samples/corpus-k8s/` (Kubernetes HA), `samples/corpus-k8s-app/` and `samples/corpus-app/`
//! (application mode, Kubernetes and ZooKeeper HA).
//!
//! For every JobManager log, the real binary's `flinkha events` must produce exactly as many
//! events of the key kinds as a plain text search finds lines of the corresponding message,
//! and `flinkha events --unmatched` must print nothing: every record of a watched logger is
//! either an event or a known, ignored line.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Every JobManager log of the corpus, `samples/corpus/<version>/<scenario>/`.
fn jobmanager_logs() -> Vec<PathBuf> {
    jobmanager_logs_in("corpus")
}

/// Every JobManager log (session `standalonesession-N`, application `standalonejob-N`) of
/// `samples/<root>/<version>/<scenario>/`.
fn jobmanager_logs_in(root: &str) -> Vec<PathBuf> {
    let root = Path::new(DIR).join("samples").join(root);
    let mut out = Vec::new();
    for version in read_dir_sorted(&root) {
        for scenario in read_dir_sorted(&version) {
            for file in read_dir_sorted(&scenario) {
                let name = file
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_string();
                if name.starts_with("flink-")
                    && (name.contains("-standalonesession-") || name.contains("-standalonejob-"))
                    && name.ends_with(".log")
                {
                    out.push(file);
                }
            }
        }
    }
    out
}

fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    v.sort();
    v
}

fn flinkha(args: &[&str]) -> (i32, String, String) {
    common::run(args)
}

/// Event counts per kind of `flinkha events <file>` (JSON Lines).
fn event_counts(file: &str) -> BTreeMap<String, usize> {
    let (code, out, err) = flinkha(&["events", "--no-progress", file]);
    assert_eq!(code, 0, "flinkha events {file} failed:\n{err}");
    let mut counts = BTreeMap::new();
    for line in out.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}: not JSON ({e}): {line}"));
        let kind = v["kind"]
            .as_str()
            .unwrap_or_else(|| panic!("{file}: event without kind: {line}"))
            .to_string();
        *counts.entry(kind).or_insert(0) += 1;
    }
    counts
}

/// Lines of `text` for which `pred` holds: a plain `grep -c`.
fn grep_count(text: &str, pred: impl Fn(&str) -> bool) -> usize {
    text.lines().filter(|l| pred(l)).count()
}

/// The text-search count that each event kind must equal, for one log's text.
///
/// `leadership_granted` follows the grammar's component mapping: the REST endpoint, the
/// dispatcher runner and the job master runners say `… was granted leadership …`, the
/// resource manager service says `Resource manager service is granted leadership …`; a job
/// master runner's `…, but job was already done.` is deliberately no grant (no JobMaster runs).
fn expected_counts(text: &str) -> Vec<(&'static str, usize)> {
    vec![
        (
            "checkpoint_completed",
            grep_count(text, |l| l.contains("Completed checkpoint ")),
        ),
        (
            "checkpoint_restored",
            grep_count(text, |l| l.contains("Restoring job ")),
        ),
        (
            "leadership_granted",
            grep_count(text, |l| {
                (l.contains("was granted leadership") && !l.contains(", but job was already done"))
                    || l.contains("Resource manager service is granted leadership")
            }),
        ),
        (
            "job_graphs_retrieved",
            grep_count(text, |l| l.contains("Retrieved job ids ")),
        ),
        (
            "ha_cleanup_started",
            grep_count(text, |l| {
                l.contains("Clean up the high availability data for job ")
            }),
        ),
        (
            "ha_cleanup_failed",
            grep_count(text, |l| {
                l.contains("DefaultResourceCleaner") && l.contains(" failed for job ")
            }),
        ),
        (
            "application_submitted",
            grep_count(text, |l| l.contains("Submitting Job with JobId=")),
        ),
        (
            "application_recovered",
            grep_count(text, |l| {
                l.contains("EmbeddedExecutor") && l.contains(" recovered successfully.")
            }),
        ),
        (
            "application_finished",
            grep_count(text, |l| {
                l.contains("Application completed SUCCESSFULLY")
                    || l.contains("] - Application CANCELED:")
                    || l.contains("] - Application FAILED:")
            }),
        ),
        (
            "job_submission_refused",
            grep_count(text, |l| l.contains("Ignoring JobGraph submission ")),
        ),
    ]
}

/// `event_counts_equal_plain_text_counts` for the logs of one sample root (one `flinkha events`
/// run over all of them, counted per source); returns the totals of the plain text counts per
/// kind.
fn counts_match(root: &str) -> BTreeMap<&'static str, usize> {
    let logs = jobmanager_logs_in(root);
    assert!(!logs.is_empty(), "no JobManager logs under samples/{root}");
    let mut args = vec!["events", "--no-progress"];
    let files: Vec<&str> = logs
        .iter()
        .map(|l| l.to_str().expect("UTF-8 path"))
        .collect();
    args.extend(files.iter().copied());
    let (code, out, err) = flinkha(&args);
    assert_eq!(code, 0, "flinkha events samples/{root}: {err}");
    let mut per_source: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for line in out.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let (Some(src), Some(kind)) = (v["source"].as_str(), v["kind"].as_str()) else {
            panic!("event without source or kind: {line}");
        };
        *per_source
            .entry(src.to_string())
            .or_default()
            .entry(kind.to_string())
            .or_insert(0) += 1;
    }
    let mut totals: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let counts = per_source.get(*file).cloned().unwrap_or_default();
        for (kind, want) in expected_counts(&text) {
            let got = counts.get(kind).copied().unwrap_or(0);
            *totals.entry(kind).or_insert(0) += want;
            if got != want {
                failures.push(format!("{file}: {kind}: {got} events, {want} lines"));
            }
        }
        assert_eq!(
            counts.get("process_started").copied(),
            Some(1),
            "{file}: {counts:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    totals
}

/// `no_unmatched_records_in_the_corpus` for one sample root.
fn nothing_unmatched(root: &str) {
    let logs = jobmanager_logs_in(root);
    let mut args = vec!["events", "--unmatched", "--no-progress"];
    args.extend(logs.iter().map(|l| l.to_str().expect("UTF-8 path")));
    let (code, out, err) = flinkha(&args);
    assert_eq!(
        code, 0,
        "flinkha events --unmatched samples/{root} failed:\n{err}"
    );
    assert!(
        out.is_empty(),
        "records of watched loggers that no template matched:\n{out}"
    );
}

#[test]
fn kubernetes_ha_logs_count_right_and_leave_nothing_unmatched() {
    let totals = counts_match("corpus-k8s");
    for kind in [
        "checkpoint_completed",
        "checkpoint_restored",
        "leadership_granted",
        "ha_cleanup_started",
    ] {
        assert!(
            totals.get(kind).copied().unwrap_or(0) > 0,
            "{kind}: {totals:?}"
        );
    }
    nothing_unmatched("corpus-k8s");
}

#[test]
fn application_mode_logs_count_right_and_leave_nothing_unmatched() {
    for root in ["corpus-k8s-app", "corpus-app"] {
        let totals = counts_match(root);
        // The application-mode messages are really there (no 0 = 0): main() submitting and
        // finding its job recovered, the application's result; a refused re-submission in
        // the `-jrs-kept` sets; Flink 1.20.5's failed cleanup (its shutdown race).
        for kind in [
            "application_submitted",
            "application_recovered",
            "application_finished",
            "job_submission_refused",
            "checkpoint_restored",
            "ha_cleanup_failed",
        ] {
            if kind == "ha_cleanup_failed" && root == "corpus-app" {
                continue; // no ZooKeeper-HA run hit it (see samples/corpus-app/MANIFEST.md)
            }
            assert!(
                totals.get(kind).copied().unwrap_or(0) > 0,
                "{root} {kind}: {totals:?}"
            );
        }
        nothing_unmatched(root);
    }
}

#[test]
fn corpus_is_complete() {
    let logs = jobmanager_logs();
    // 1.12.5 happy (3), zk-outage (2), 1.17.2 double-failover (3), 1.18.1 jm-restart (2),
    // 1.19.3 zk-outage-rerun (2), 1.20.5 happy (3), jm-restart (2), no-ha (2), savepoint (1),
    // zk-outage (2), 2.2.1 sigterm (2), 2.3.0 happy (3), sigterm (2).
    assert_eq!(logs.len(), 29, "{logs:?}");
    for dir in [
        "1.12.5/happy",
        "1.12.5/zk-outage",
        "1.17.2/double-failover",
        "1.19.3/zk-outage-rerun",
        "2.2.1/sigterm",
        "1.18.1/jm-restart",
        "1.20.5/happy",
        "1.20.5/jm-restart",
        "1.20.5/no-ha",
        "1.20.5/savepoint",
        "1.20.5/zk-outage",
        "2.3.0/happy",
        "2.3.0/sigterm",
    ] {
        let m = Path::new(DIR)
            .join("samples/corpus")
            .join(dir)
            .join("MANIFEST.md");
        assert!(m.is_file(), "{} missing", m.display());
    }
}

#[test]
fn event_counts_equal_plain_text_counts() {
    let logs = jobmanager_logs();
    assert!(!logs.is_empty(), "no JobManager logs under samples/corpus");
    let mut totals: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for log in &logs {
        let file = log.to_str().expect("UTF-8 path");
        let text = std::fs::read_to_string(log).unwrap_or_else(|e| panic!("{file}: {e}"));
        let counts = event_counts(file);
        for (kind, want) in expected_counts(&text) {
            let got = counts.get(kind).copied().unwrap_or(0);
            *totals.entry(kind).or_insert(0) += want;
            if got != want {
                failures.push(format!("{file}: {kind}: {got} events, {want} lines"));
            }
        }
        // Every log of the corpus is a JobManager that started: one banner, one start.
        assert_eq!(
            counts.get("process_started").copied(),
            Some(1),
            "{file}: {counts:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The corpus really contains each message, so the equalities above are not 0 = 0.
    assert_eq!(totals.get("checkpoint_completed"), Some(&298), "{totals:?}");
    assert_eq!(totals.get("checkpoint_restored"), Some(&19), "{totals:?}");
    assert_eq!(totals.get("leadership_granted"), Some(&105), "{totals:?}");
    assert_eq!(totals.get("job_graphs_retrieved"), Some(&25), "{totals:?}");
    assert_eq!(totals.get("ha_cleanup_started"), Some(&13), "{totals:?}");
}

#[test]
fn no_unmatched_records_in_the_corpus() {
    let logs = jobmanager_logs();
    assert!(!logs.is_empty(), "no JobManager logs under samples/corpus");
    let mut unmatched = String::new();
    for log in &logs {
        let file = log.to_str().expect("UTF-8 path");
        let (code, out, err) = flinkha(&["events", "--unmatched", "--no-progress", file]);
        assert_eq!(code, 0, "flinkha events --unmatched {file} failed:\n{err}");
        unmatched.push_str(&out);
    }
    assert!(
        unmatched.is_empty(),
        "records of watched loggers that no template matched:\n{unmatched}"
    );
}

#[test]
fn restores_after_failover_use_the_latest_checkpoint() {
    // 1.18.1 jm-restart (see its MANIFEST.md): the restarted JobManager restores checkpoint 12
    // of job 93fee7c1…, the last one the killed JobManager completed.
    let file = "samples/corpus/1.18.1/jm-restart/flink-root-standalonesession-1-vm.log";
    let (code, out, err) = flinkha(&[
        "events",
        "--no-progress",
        "--kind",
        "checkpoint_restored",
        file,
    ]);
    assert_eq!(code, 0, "{err}");
    let evs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(evs.len(), 1, "{out}");
    assert_eq!(evs[0]["job"], "93fee7c17a9f0437b14bfb5b20608d44");
    assert_eq!(evs[0]["checkpoint"], 12);
    assert_eq!(evs[0]["savepoint"], false);
}
