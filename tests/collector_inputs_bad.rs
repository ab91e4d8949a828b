//! Collector and store inputs that are broken or unusual, through the real binary: a
//! truncated JSON document is an error naming the input and where (exit 2); malformed lines
//! are counted, not fatal; an input that turns out not to be in time order past what can be
//! held is an error, never a wrong verdict; `--input-format` forces or turns off layouts;
//! standard input and `.gz` work as for files.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

fn run(args: &[&str], stdin: Option<Vec<u8>>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(args)
        .current_dir(DIR)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run flinkha");
    if let Some(data) = stdin {
        let mut si = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = si.write_all(&data);
        });
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn gunzip(rel: &str) -> Vec<u8> {
    let b = std::fs::read(Path::new(DIR).join(rel)).unwrap();
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&b[..])
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The first line of `check`'s text output (the summary verdict lines) as a sorted list.
fn verdict_lines(out: &str) -> Vec<String> {
    let mut v: Vec<String> = out
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    v.sort();
    v
}

const PLAIN: &str = "samples/corpus-k8s/1.20.5/happy";

#[test]
fn a_truncated_document_names_the_input_and_where() {
    let doc = gunzip("samples/collectors/happy/gcloud/gcloud.json.gz");
    let text = String::from_utf8(doc).unwrap();
    let cut = text.len() / 2;
    let lines_before = text[..cut].lines().count();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("gcloud.json");
    std::fs::write(&p, &text[..cut]).unwrap();
    let path = p.to_str().unwrap();
    let (code, _, err) = run(&["check", "--no-progress", path], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("cannot read {path}")), "{err}");
    assert!(err.contains("ends early"), "{err}");
    assert!(err.contains(&format!("at line {lines_before},")), "{err}");
    assert!(err.contains("entries read before)"), "{err}");
    // Not JSON past the start: the same, with what is wrong.
    std::fs::write(
        &p,
        "[\n {\"insertId\": \"1\",\n  \"textPayload\": oops }\n]\n",
    )
    .unwrap();
    let (code, _, err) = run(&["check", "--no-progress", path], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a JSON document of log entries"), "{err}");
    assert!(err.contains("at line 3, column"), "{err}");
}

#[test]
fn malformed_lines_are_counted_not_fatal() {
    let (_, plain, _) = run(&["check", "--no-progress", PLAIN], None);
    let dir = tempfile::tempdir().unwrap();
    let src =
        Path::new(DIR).join("samples/collectors/jm-restart/cri-containers/var/log/containers");
    let mut names: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    // CRI lines broken in the middle of the file: a missing tag, garbage, a cut JSON record.
    for p in &names {
        let text = std::fs::read_to_string(p).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        let mid = lines.len() / 2;
        lines.insert(mid, "2026-12-01T08:23:00.000000000Z stdout");
        lines.insert(mid, "\u{0}\u{1}garbage");
        lines.insert(mid, "{\"log\":\"cut");
        std::fs::write(
            dir.path().join(p.file_name().unwrap()),
            lines.join("\n") + "\n",
        )
        .unwrap();
    }
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = run(&["check", "--no-progress", d], None);
    let (_, want, _) = run(
        &[
            "check",
            "--no-progress",
            "samples/corpus-k8s/1.20.5/jm-restart",
        ],
        None,
    );
    assert!(code == 0 || code == 1, "{err}");
    assert_eq!(verdict_lines(&out), verdict_lines(&want), "{err}");
    // Three lines in each of the two files, reported per pod.
    for pod in [
        "ha-lab-jobmanager-7c9d8f6b5-x2k4p",
        "ha-lab-jobmanager-7c9d8f6b5-m4q7z",
    ] {
        let line = err
            .lines()
            .find(|l| l.starts_with(&format!("flinkha: {pod}:")))
            .unwrap_or_else(|| panic!("{pod} not reported: {err}"));
        assert!(line.contains(", 3 unparseable"), "{line}");
    }
    assert!(!plain.is_empty());
}

#[test]
fn disorder_past_the_probe_is_an_error_not_a_wrong_verdict() {
    // logcli --forward of one pod, oldest first, then a second query's output appended.
    let start = chrono::DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z").unwrap();
    let mut text = String::new();
    let mut entry = |secs: i64, what: &str| {
        let t = start + chrono::TimeDelta::seconds(secs);
        let line = format!(
            "{} INFO  a.B [] - {what}",
            t.format("%Y-%m-%d %H:%M:%S,%3f")
        );
        let ts = t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
        text.push_str(
            &serde_json::json!({"labels": {}, "line": line, "timestamp": ts}).to_string(),
        );
        text.push('\n');
    };
    for i in 0..5000 {
        entry(3600 + i, "in order");
    }
    entry(0, "appended");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("logcli.jsonl");
    std::fs::write(&p, &text).unwrap();
    let path = p.to_str().unwrap();
    let (code, _, err) = run(&["check", "--no-progress", path], None);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("cannot put {path} in time order")) && err.contains("line 5001"),
        "{err}"
    );
}

#[test]
fn standard_input_and_compressed_documents_read_like_files() {
    let (_, want, _) = run(&["check", "--no-progress", PLAIN], None);
    for sample in [
        "samples/collectors/happy/elasticsearch-filebeat/elasticsearch-filebeat.json.gz",
        "samples/collectors/happy/loki-backward/loki-backward.jsonl.gz",
        "samples/collectors/happy/stern/stern.log.gz",
    ] {
        let gz = std::fs::read(Path::new(DIR).join(sample)).unwrap();
        let (code, out, err) = run(&["check", "--no-progress", "-"], Some(gz));
        assert!(code == 0 || code == 1, "{sample}: {err}");
        assert_eq!(verdict_lines(&out), verdict_lines(&want), "{sample}");
        let (code, out, err) = run(&["check", "--no-progress"], Some(gunzip(sample)));
        assert!(code == 0 || code == 1, "{sample}: {err}");
        assert_eq!(verdict_lines(&out), verdict_lines(&want), "{sample}");
    }
}

#[test]
fn input_format_forces_or_turns_off_the_layouts() {
    let tree = "samples/collectors/happy/cri-pods/var/log/pods";
    let (_, want, _) = run(&["check", "--no-progress", PLAIN], None);
    let (code, out, err) = run(
        &["check", "--no-progress", "--input-format", "cri", tree],
        None,
    );
    assert!(code == 0 || code == 1, "{err}");
    assert_eq!(verdict_lines(&out), verdict_lines(&want));
    // Taken as the application's own lines, CRI lines are no records.
    let (_, _, err) = run(
        &["events", "--no-progress", "--input-format", "plain", tree],
        None,
    );
    assert!(err.contains("0 records"), "{err}");
    let (_, _, err) = run(
        &["events", "--no-progress", "--input-format", "docker", tree],
        None,
    );
    assert!(err.contains("0 records"), "{err}");
    let (code, _, err) = run(&["check", "--input-format", "syslog", tree], None);
    assert_eq!(code, 2);
    assert!(err.contains("possible values"), "{err}");
}

#[test]
fn kubelet_trees_name_sources_after_pods() {
    let (code, _, err) = run(
        &[
            "events",
            "--no-progress",
            "samples/collectors/jm-restart/cri-pods-restarts",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    // One pod, both JobManagers (restart 0 and 1) in it, every rotated part read.
    let sources: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("flinkha: "))
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    assert_eq!(sources, vec!["ha-lab-jobmanager-7c9d8f6b5-x2k4p"], "{err}");
    // The same records as the two plain files.
    let records = |err: &str| {
        err.lines()
            .rfind(|l| l.contains(" records"))
            .and_then(|l| l.split(", ").nth(1).map(str::to_string))
            .unwrap_or_default()
    };
    let (_, _, plain) = run(
        &[
            "events",
            "--no-progress",
            "samples/corpus-k8s/1.20.5/jm-restart",
        ],
        None,
    );
    assert_eq!(records(&err), records(&plain), "{err}\n{plain}");
    assert!(records(&err).ends_with("records"), "{err}");
}

/// The events `flinkha events` finds, without source, line and text.
fn event_set(args: &[&str]) -> Vec<serde_json::Value> {
    let (code, out, err) = run(args, None);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            for k in ["source", "line", "text"] {
                v.as_object_mut().unwrap().remove(k);
            }
            v
        })
        .collect()
}

#[test]
fn pretty_printed_json_layout_reads_like_one_object_per_line() {
    let compact =
        std::fs::read_to_string(Path::new(DIR).join("samples/inputs/classic.json")).unwrap();
    let objects: Vec<serde_json::Value> = compact
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    // log4j's JsonLayout with compact=false: one pretty object after the other; with
    // complete=true, an array of them.
    let concatenated: String = objects
        .iter()
        .map(|o| serde_json::to_string_pretty(o).unwrap() + "\n")
        .collect();
    let a = dir.path().join("jm.json");
    std::fs::write(&a, concatenated).unwrap();
    let b = dir.path().join("jm-complete.json");
    std::fs::write(&b, serde_json::to_string_pretty(&objects).unwrap()).unwrap();
    let want = event_set(&["events", "--no-progress", "samples/inputs/classic.json"]);
    assert!(want.len() > 10);
    for p in [a, b] {
        let got = event_set(&["events", "--no-progress", p.to_str().unwrap()]);
        assert_eq!(got, want, "{}", p.display());
    }
}
