//! The known-bug advisor (`grammars/known-bugs.advice`) on real logs: every entry's signature
//! shown by a mutated copy of a real corpus log (`samples/mutations/advice-*`, or an older
//! mutation that shows it), with the startup banners set to an affected and to a fixed Flink
//! version; the real, unmutated logs give no note at all, except the one real known bug they
//! hold: the Curator double leader (CURATOR-696) after a ZooKeeper outage, of Flink 1.19.3 in
//! `samples/corpus/1.19.3/zk-outage-rerun` and of Flink 1.20.5 in the end-to-end harness's
//! `samples/e2e/1.20.5/zk-outage-split-brain`. Notes explain, they never change a verdict.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Where a note must be attached.
#[derive(Clone, Copy, Debug)]
enum At {
    /// The verdict of this invariant (for a job starting with the prefix, when given).
    Verdict(&'static str, Option<&'static str>),
    /// Failover number N (from 1).
    Failover(usize),
}

/// (bug, directory showing its signature, where the note goes, affected version, fixed version)
const CASES: &[(&str, &str, At, &str, &str)] = &[
    (
        "FLINK-19154",
        "samples/mutations/advice-flink-19154",
        At::Verdict("ha-cleanup", Some("00000000")),
        "1.11.2",
        "1.11.3",
    ),
    (
        "FLINK-25486",
        "samples/mutations/advice-flink-25486",
        At::Verdict("ha-cleanup", Some("01520cfd")),
        "1.14.6",
        "1.15.0",
    ),
    (
        "FLINK-10052",
        "samples/mutations/advice-flink-10052",
        At::Failover(1),
        "1.13.6",
        "1.14.0",
    ),
    (
        "FLINK-20695",
        "samples/mutations/cleanup-missing",
        At::Verdict("ha-cleanup", Some("6cecd03f")),
        "1.13.0",
        "1.13.1",
    ),
    (
        "FLINK-22494",
        "samples/mutations/advice-flink-22494",
        At::Failover(1),
        "1.13.0",
        "1.13.1",
    ),
    (
        "FLINK-22502",
        "samples/mutations/restore-older",
        At::Verdict("recover-latest", Some("17dbae1c")),
        "1.12.5",
        "1.14.0",
    ),
    (
        "FLINK-24543",
        "samples/mutations/advice-flink-24543",
        At::Failover(1),
        "1.14.0",
        "1.15.0",
    ),
    (
        "FLINK-28265",
        "samples/mutations/advice-flink-28265",
        At::Failover(2),
        "1.15.2",
        "1.16.0",
    ),
    (
        "FLINK-22014",
        "samples/mutations/advice-flink-22014",
        At::Failover(1),
        "1.12.2",
        "1.12.3",
    ),
    (
        "FLINK-11813",
        "samples/mutations/resurrection",
        At::Verdict("no-resurrection", Some("6cecd03f")),
        "1.14.6",
        "1.15.0",
    ),
    (
        "FLINK-34007",
        "samples/mutations/advice-flink-34007",
        At::Verdict("jobs-recovered", None),
        "1.18.1",
        "1.19.0",
    ),
    (
        "FLINK-34518",
        "samples/mutations/advice-flink-34518",
        At::Verdict("ha-cleanup", Some("6cecd03f")),
        "1.18.1",
        "1.19.0",
    ),
    (
        "FLINK-20417",
        "samples/mutations/advice-flink-20417",
        At::Verdict("single-leader", None),
        "1.12.1",
        "1.12.2",
    ),
    (
        "FLINK-30462",
        "samples/mutations/advice-flink-30462",
        At::Verdict("single-leader", None),
        "1.16.1",
        "1.16.2",
    ),
    (
        "FLINK-30596",
        "samples/mutations/two-job-masters",
        At::Verdict("single-leader", Some("17dbae1c")),
        "1.17.1",
        "1.17.2",
    ),
    (
        "FLINK-19358",
        "samples/mutations/advice-flink-19358",
        At::Verdict("single-job", None),
        "1.15.2",
        "1.16.0",
    ),
    (
        "FLINK-21351",
        "samples/mutations/advice-flink-21351",
        At::Failover(1),
        "1.12.1",
        "1.12.2",
    ),
    (
        "FLINK-25191",
        "samples/mutations/advice-flink-25191",
        At::Verdict("recover-latest", Some("6cecd03f")),
        "1.14.6",
        "1.15.0",
    ),
    (
        "CURATOR-696",
        "samples/corpus/1.19.3/zk-outage-rerun",
        At::Verdict("single-leader", None),
        "1.19.3",
        "2.3.0",
    ),
    (
        "CURATOR-696",
        "samples/e2e/1.20.5/zk-outage-split-brain",
        At::Verdict("single-leader", None),
        "1.20.5",
        "2.3.0",
    ),
];

/// The real logs that show a known bug (every other real log must give no note).
const REAL_POSITIVES: &[&str] = &["1.19.3/zk-outage-rerun", "1.20.5/zk-outage-split-brain"];

/// A copy of `dir`'s logs (and of its subdirectories': one per host) in a temporary
/// directory with every startup banner's version set to `version`.
fn with_version(dir: &str, version: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_with_version(&Path::new(DIR).join(dir), tmp.path(), version);
    tmp
}

fn copy_with_version(from: &Path, to: &Path, version: &str) {
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            let sub = to.join(p.file_name().expect("name"));
            std::fs::create_dir_all(&sub).expect("mkdir");
            copy_with_version(&p, &sub, version);
            continue;
        }
        if p.extension().map_or(true, |x| x != "log") {
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("read log");
        let out: Vec<String> = text
            .split('\n')
            .map(|l| match (l.find(" (Version: "), l.find(", Scala: ")) {
                (Some(a), Some(b)) if a < b => format!("{}{version}{}", &l[..a + 11], &l[b..]),
                _ => l.to_string(),
            })
            .collect();
        std::fs::write(to.join(p.file_name().expect("name")), out.join("\n")).expect("write log");
    }
}

fn check(path: &Path, extra: &[&str]) -> Value {
    let p = path.to_str().expect("utf-8 path");
    let mut args = vec!["check", "--format", "json", "--no-progress"];
    args.extend_from_slice(extra);
    args.push(p);
    let (code, out, err) = common::run(&args);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"))
}

/// Every note of a check document with where it is: ("verdict:<id>[:job]" | "failover:<n>" |
/// "alone", note).
fn notes(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for v in doc["invariants"].as_array().into_iter().flatten() {
        for n in v["advice"].as_array().into_iter().flatten() {
            let job = v["job"].as_str().unwrap_or("");
            out.push((
                format!("verdict:{}:{job}", v["id"].as_str().unwrap_or("")),
                n.clone(),
            ));
        }
    }
    for f in doc["failovers"].as_array().into_iter().flatten() {
        for n in f["advice"].as_array().into_iter().flatten() {
            out.push((
                format!("failover:{}", f["id"].as_u64().unwrap_or(0) + 1),
                n.clone(),
            ));
        }
    }
    for n in doc["advice"].as_array().into_iter().flatten() {
        out.push(("alone".to_string(), n.clone()));
    }
    out
}

fn note_at<'a>(all: &'a [(String, Value)], bug: &str, at: At) -> Option<&'a Value> {
    all.iter()
        .filter(|(_, n)| n["bug"] == bug)
        .find(|(w, _)| match at {
            At::Verdict(id, job) => {
                w.starts_with(&format!("verdict:{id}:"))
                    && job.map_or(true, |j| {
                        w.split(':').nth(2).is_some_and(|x| x.starts_with(j))
                    })
            }
            At::Failover(n) => *w == format!("failover:{n}"),
        })
        .map(|(_, n)| n)
}

fn verdicts(doc: &Value) -> Vec<(String, String, String)> {
    doc["invariants"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            (
                v["id"].as_str().unwrap_or("").to_string(),
                v["job"].as_str().unwrap_or("").to_string(),
                v["verdict"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn every_known_bug_is_shown_by_a_mutated_real_log_on_an_affected_and_a_fixed_version() {
    for &(bug, dir, at, affected, fixed) in CASES {
        for (version, applies) in [(affected, "affected"), (fixed, "not_affected")] {
            let tmp = with_version(dir, version);
            let doc = check(tmp.path(), &[]);
            let all = notes(&doc);
            let n = note_at(&all, bug, at).unwrap_or_else(|| {
                panic!("{bug} on {dir} (Flink {version}): no note at {at:?}; notes: {all:?}")
            });
            assert_eq!(n["applies"], applies, "{bug} {version}: {n:#}");
            assert_eq!(n["versions"][0], version, "{bug}: {n:#}");
            assert!(
                !n["evidence"].as_array().expect("evidence").is_empty(),
                "{bug}"
            );
            let text = n["note"].as_str().unwrap_or("");
            if applies == "affected" {
                assert!(text.starts_with(&format!("matches {bug}: ")), "{text}");
                assert!(
                    text.contains(&format!("(logged Flink {version})")),
                    "{text}"
                );
            } else {
                assert!(
                    text.contains(&format!("Flink {version} is not known to be affected")),
                    "{text}"
                );
            }
        }
    }
}

#[test]
fn notes_never_change_a_verdict() {
    for &(bug, dir, ..) in CASES {
        let with = check(&Path::new(DIR).join(dir), &[]);
        let empty = tempfile::tempdir().expect("tempdir");
        // An advice file named like the built-in replaces it: here with one that never matches.
        let none = empty.path().join("known-bugs.advice");
        std::fs::write(
            &none,
            "bug NONE-1\n  title never\n  affects 0.1\n  fixed never\n  source test\n  explains single-leader\n  when verdict single-leader FAIL|PASS|UNKNOWN\n  when event leader_conflict source=nowhere\n  advice none\n",
        )
        .expect("write");
        let without = check(
            &Path::new(DIR).join(dir),
            &["--advice", none.to_str().unwrap()],
        );
        assert!(notes(&without).is_empty(), "{bug}: {:?}", notes(&without));
        assert_eq!(verdicts(&with), verdicts(&without), "{bug} on {dir}");
        assert_eq!(with["verdict"], without["verdict"], "{bug}");
    }
}

fn real_sets() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in [
        "samples/corpus",
        "samples/corpus-k8s",
        "samples/corpus-k8s-app",
        "samples/corpus-app",
        "samples/full",
        "samples/e2e",
    ] {
        for v in std::fs::read_dir(Path::new(DIR).join(root)).expect("corpus root") {
            let v = v.expect("entry").path();
            if !v.is_dir() {
                continue;
            }
            for s in std::fs::read_dir(&v).expect("version dir") {
                let s = s.expect("entry").path();
                if s.is_dir() {
                    out.push(s);
                }
            }
        }
    }
    out.push(Path::new(DIR).join("samples/seed"));
    out.sort();
    out
}

#[test]
fn real_logs_give_no_note_except_the_real_curator_split_brains() {
    let sets = real_sets();
    assert!(sets.len() >= 25, "{sets:?}");
    for set in sets {
        let doc = check(&set, &[]);
        let all = notes(&doc);
        if REAL_POSITIVES.iter().any(|p| set.ends_with(p)) {
            // A real known bug: two leaders and two job masters after the ZooKeeper outage.
            assert!(!all.is_empty());
            for (at, n) in &all {
                assert_eq!(n["bug"], "CURATOR-696", "{at}: {n:#}");
                assert_eq!(n["applies"], "affected", "{n:#}");
                assert!(at.starts_with("verdict:single-leader:"), "{at}");
            }
        } else {
            assert!(all.is_empty(), "{}: {all:?}", set.display());
        }
    }
}

#[test]
fn the_curator_note_names_the_latch_reset_and_the_two_grants() {
    let doc = check(
        &Path::new(DIR).join("samples/corpus/1.19.3/zk-outage-rerun"),
        &[],
    );
    let all = notes(&doc);
    let n = note_at(&all, "CURATOR-696", At::Verdict("single-leader", None)).expect("note");
    let lines: Vec<&str> = n["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Can't find our node. Resetting. Index: -1")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("State change: RECONNECTED")),
        "{lines:?}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("was granted leadership"))
            .count(),
        2
    );
    let text = n["note"].as_str().expect("note");
    assert!(text.contains("affects 1.12-2.2, fixed in 2.3.0"), "{text}");
    assert!(
        text.contains("restart the JobManager that led before the outage"),
        "{text}"
    );
}

/// The note is in every output of `check` and `timeline`.
#[test]
fn notes_are_in_every_output() {
    let dir = "samples/corpus/1.19.3/zk-outage-rerun";
    let run = |args: &[&str]| {
        let mut a = args.to_vec();
        a.push("--no-progress");
        a.push(dir);
        let (code, out, err) = common::run(&a);
        assert!(code == 0 || code == 1, "{args:?}: {err}");
        out
    };
    let text = run(&["check"]);
    assert!(
        text.contains("  known bug: matches CURATOR-696: "),
        "{text}"
    );
    let junit = run(&["check", "--format", "junit"]);
    assert!(junit.contains("known bug: matches CURATOR-696"), "{junit}");
    let github = run(&["check", "--format", "github"]);
    let err = github
        .lines()
        .find(|l| l.starts_with("::error title=flinkha single-leader::"))
        .expect("error line");
    assert!(err.contains("%0Aknown bug: matches CURATOR-696"), "{err}");
    for fmt in ["text", "markdown", "html"] {
        let t = run(&["timeline", "--format", fmt]);
        assert!(t.contains("CURATOR-696"), "timeline {fmt} lacks the note");
    }
    let json: Value = serde_json::from_str(&run(&["timeline", "--format", "json"])).expect("json");
    let v = json["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .find(|v| v["id"] == "single-leader")
        .expect("single-leader");
    assert_eq!(v["advice"][0]["bug"], "CURATOR-696");
    // A note on a PASS verdict or a failover is a GitHub notice.
    let tmp = with_version("samples/mutations/advice-flink-10052", "1.13.6");
    let (_, gh, _) = common::run(&[
        "check",
        "--format",
        "github",
        "--no-progress",
        tmp.path().to_str().unwrap(),
    ]);
    assert!(
        gh.lines().any(|l| l.starts_with(
            "::notice title=flinkha failover #1 (FLINK-10052)::known bug: matches FLINK-10052"
        )),
        "{gh}"
    );
}

#[test]
fn a_bad_advice_file_is_an_input_error_naming_its_place() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("mine.advice");
    std::fs::write(&bad, "bug X-1\n  title t\n  when event nope\n").expect("write");
    let (code, out, err) = common::run(&[
        "check",
        "--advice",
        bad.to_str().unwrap(),
        "samples/corpus/1.20.5/happy",
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert!(
        err.contains(&format!(
            "{}:3:14: unknown event kind `nope`",
            bad.display()
        )),
        "{err}"
    );
}
