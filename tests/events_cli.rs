//! `flinkha events` options: output formats, `--kind`, `--unmatched`, `--tz`, the stderr
//! summary and a quiet end on a closed pipe. Runs the real binary on `samples/inputs/`.

mod common;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const DIR: &str = env!("CARGO_MANIFEST_DIR");
const JM0: &str = "samples/inputs/jm0.log";

fn flinkha(args: &[&str]) -> (i32, String, String) {
    common::run(args)
}

fn jsonl(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn kind(e: &Value) -> &str {
    e["kind"].as_str().unwrap()
}

#[test]
fn default_is_json_lines_without_log_end() {
    let (code, out, err) = flinkha(&["events", JM0]);
    assert_eq!(code, 0, "{err}");
    let evs = jsonl(&out);
    assert!(evs.len() >= 5, "{out}");
    assert!(evs.iter().all(|e| kind(e) != "log_end"));
    for e in &evs {
        for key in ["ts", "source", "line", "kind", "text"] {
            assert!(e.get(key).is_some(), "{key} missing in {e}");
        }
    }
    // The stderr summary, in the documented form.
    let n = evs.len();
    let line = err.lines().next().unwrap();
    assert!(
        line.starts_with(&format!(
            "flinkha: samples/inputs/jm0.log: 128 lines, 115 records, {n} events, "
        )) && line.ends_with(" unmatched, 0 unparseable"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn kind_filter() {
    let (code, out, _) = flinkha(&["events", JM0, "--kind", "leadership_granted,log_end"]);
    assert_eq!(code, 0);
    let evs = jsonl(&out);
    let kinds: Vec<&str> = evs.iter().map(kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "leadership_granted").count(),
        4,
        "{out}"
    );
    assert_eq!(kinds.last(), Some(&"log_end"));
    assert!(kinds
        .iter()
        .all(|k| *k == "leadership_granted" || *k == "log_end"));
    // log_end: the file's last record.
    let end = evs.last().unwrap();
    assert_eq!(end["line"], 128);
    assert_eq!(end["ts"], "2026-11-25T12:36:43.615Z");
}

#[test]
fn unknown_kind_is_a_usage_error() {
    let (code, out, err) = flinkha(&["events", JM0, "--kind", "leadership_granted,bogus"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(
        err.starts_with("flinkha: error: unknown event kind `bogus`"),
        "{err}"
    );
}

#[test]
fn table_format_is_aligned() {
    let (code, out, err) = flinkha(&["events", JM0, "--format", "table"]);
    assert_eq!(code, 0, "{err}");
    let (_, json, _) = flinkha(&["events", JM0]);
    let evs = jsonl(&json);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), evs.len());
    // Columns: ts, source:line, kind, fields; the kind column starts at one offset.
    let offsets: Vec<usize> = rows
        .iter()
        .zip(&evs)
        .map(|(r, e)| r.find(&format!("  {}", kind(e))).unwrap())
        .collect();
    assert!(offsets.windows(2).all(|w| w[0] == w[1]), "{out}");
    let rest = rows
        .iter()
        .find(|r| r.contains("component=rest"))
        .expect("REST grant row");
    let cols: Vec<&str> = rest.split_whitespace().collect();
    assert_eq!(
        &cols[..3],
        &[
            "2026-11-25T12:36:05.095Z",
            "samples/inputs/jm0.log:60",
            "leadership_granted"
        ]
    );
    assert!(rest.contains("session=e121f084-4a4d-4a43-bf6c-09a46f25e587"));
}

#[test]
fn unmatched_lists_source_line_text() {
    let (code, out, err) = flinkha(&["events", JM0, "--unmatched"]);
    assert_eq!(code, 0, "{err}");
    let summary = err.lines().next().unwrap();
    let n: usize = summary
        .split(", ")
        .find(|p| p.ends_with(" unmatched"))
        .and_then(|p| p.split(' ').next())
        .and_then(|p| p.parse().ok())
        .unwrap();
    assert_eq!(out.lines().count(), n, "{out}\n{err}");
    let text = std::fs::read_to_string(std::path::Path::new(DIR).join(JM0)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for l in out.lines() {
        let rest = l.strip_prefix("samples/inputs/jm0.log:").unwrap();
        let (num, t) = rest.split_once(": ").unwrap();
        let num: usize = num.parse().unwrap();
        assert_eq!(lines[num - 1], t);
        assert!(!l.starts_with('{'));
    }
}

#[test]
fn time_zone_option() {
    let (_, utc, _) = flinkha(&["events", JM0, "--kind", "log_end"]);
    let (code, berlin, err) =
        flinkha(&["events", JM0, "--kind", "log_end", "--tz", "Europe/Berlin"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(jsonl(&utc)[0]["ts"], "2026-11-25T12:36:43.615Z");
    // November: Berlin is UTC+1, so the same wall clock is one hour earlier in UTC.
    assert_eq!(jsonl(&berlin)[0]["ts"], "2026-11-25T11:36:43.615Z");
    // A negative offset must be attached with `=` (clap would take it for an option).
    let (_, fixed, _) = flinkha(&["events", JM0, "--kind", "log_end", "--tz=-02:30"]);
    assert_eq!(jsonl(&fixed)[0]["ts"], "2026-11-25T15:06:43.615Z");

    let (code, out, err) = flinkha(&["events", JM0, "--tz", "Mars/Olympus"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("invalid time zone `Mars/Olympus`"), "{err}");
    assert!(err.contains("Europe/Berlin"), "{err}");
}

#[test]
fn broken_pipe_ends_quietly() {
    // Enough output to fill a pipe: the same file many times.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(std::path::Path::new(DIR).join(JM0)).unwrap();
    let big = dir.path().join("big.log");
    let mut f = std::fs::File::create(&big).unwrap();
    for _ in 0..300 {
        f.write_all(text.as_bytes()).unwrap();
    }
    drop(f);
    let mut child = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(["events", big.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here: like `| head -1`.
    assert!(first.starts_with('{'));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("error") && !err.contains("panicked"), "{err}");
}
