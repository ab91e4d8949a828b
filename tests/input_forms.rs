//! Every input form `flinkha events` reads, each run through the real binary on samples made
//! from real Flink 1.20.5 JobManager logs (`samples/inputs/generate.py` derives them from the
//! corpus). Most tests compare a form's events with those of the plain log4j file, so they
//! hold whatever the grammar recognises; `plain_log4j_file` pins down that it recognises some.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Run `flinkha ARGS` in the crate root, feeding `stdin`; (exit code, stdout, stderr).
fn flinkha(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
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
        let data = data.to_vec();
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

/// `flinkha events ARGS` must succeed; its events as JSON objects.
fn events(args: &[&str], stdin: Option<&[u8]>) -> (Vec<Value>, String) {
    let mut a = vec!["events"];
    a.extend_from_slice(args);
    let (code, out, err) = flinkha(&a, stdin);
    assert_eq!(code, 0, "flinkha {a:?} failed: {err}");
    let evs = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect();
    (evs, err)
}

fn sample(name: &str) -> String {
    format!("samples/inputs/{name}")
}

fn read_sample(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(DIR).join(sample(name))).unwrap()
}

/// The event without the keys that legitimately differ between input forms.
fn strip(e: &Value, keys: &[&str]) -> Value {
    let mut e = e.clone();
    if let Value::Object(m) = &mut e {
        for k in keys {
            m.remove(*k);
        }
    }
    e
}

fn strip_all(evs: &[Value], keys: &[&str]) -> Vec<Value> {
    evs.iter().map(|e| strip(e, keys)).collect()
}

fn s<'a>(e: &'a Value, k: &str) -> &'a str {
    e.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Timestamps as RFC 3339 compare in time order lexically only at equal precision, so
/// parse them.
fn ts(e: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s(e, "ts"))
        .unwrap_or_else(|_| panic!("bad ts in {e}"))
        .with_timezone(&chrono::Utc)
}

fn assert_time_ordered(evs: &[Value]) {
    for w in evs.windows(2) {
        assert!(ts(&w[0]) <= ts(&w[1]), "out of order:\n{}\n{}", w[0], w[1]);
    }
}

/// Physical lines of a sample that start a record (log4j timestamp at the start).
fn record_starts(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            let b = l.as_bytes();
            b.len() > 23 && b[4] == b'-' && b[10] == b' ' && b[19] == b','
        })
        .count()
}

#[test]
fn plain_log4j_file() {
    let (evs, err) = events(&[&sample("jm0.log")], None);
    let text = String::from_utf8(read_sample("jm0.log")).unwrap();
    let lines = text.lines().count();
    let records = record_starts(&text);
    assert_eq!((lines, records), (128, 115));
    assert!(
        err.contains(&format!(
            "flinkha: samples/inputs/jm0.log: {lines} lines, {records} records, {} events,",
            evs.len()
        )),
        "{err}"
    );
    assert!(err.contains("0 unparseable"), "{err}");
    // The REST endpoint's grant, line 60 of the sample (line 271 of the corpus file).
    let rest = evs
        .iter()
        .find(|e| s(e, "kind") == "leadership_granted" && s(e, "component") == "rest")
        .expect("REST leadership grant");
    assert_eq!(s(rest, "ts"), "2026-11-25T12:36:05.095Z");
    assert_eq!(s(rest, "source"), "samples/inputs/jm0.log");
    assert_eq!(rest["line"], 60);
    assert_eq!(s(rest, "session"), "e121f084-4a4d-4a43-bf6c-09a46f25e587");
    assert!(s(rest, "text").starts_with("2026-11-25 12:36:05,095 INFO  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint   [] - http://127.0.0.1:8081 was granted leadership"));
    // Every event's line really is that record's first line.
    let lines: Vec<&str> = text.lines().collect();
    for e in &evs {
        let n = e["line"].as_u64().unwrap() as usize;
        assert_eq!(lines[n - 1], s(e, "text"));
    }
    assert!(evs.iter().all(|e| s(e, "kind") != "log_end"));
    assert_time_ordered(&evs);
}

#[test]
fn collapsed_whitespace_lines() {
    let (plain, _) = events(&[&sample("jm0.log")], None);
    let (coll, err) = events(&[&sample("collapsed.log")], None);
    assert!(!plain.is_empty());
    assert_eq!(
        strip_all(&coll, &["source", "text"]),
        strip_all(&plain, &["source", "text"])
    );
    assert!(
        err.contains("collapsed.log: 128 lines, 115 records"),
        "{err}"
    );
}

#[test]
fn json_ecs_layout() {
    let (plain, _) = events(&[&sample("jm0.log")], None);
    let (ecs, err) = events(&[&sample("ecs.jsonl")], None);
    assert!(!plain.is_empty());
    assert_eq!(
        strip_all(&ecs, &["source", "text", "line"]),
        strip_all(&plain, &["source", "text", "line"])
    );
    assert!(s(&ecs[0], "text").starts_with("{\"@timestamp\":"));
    assert!(err.contains("ecs.jsonl: 115 lines, 115 records"), "{err}");
    assert!(err.contains("0 unparseable"), "{err}");
}

#[test]
fn json_classic_layout() {
    let (plain, _) = events(&[&sample("jm0.log")], None);
    let (cl, err) = events(&[&sample("classic.json")], None);
    assert_eq!(
        strip_all(&cl, &["source", "text", "line"]),
        strip_all(&plain, &["source", "text", "line"])
    );
    assert!(
        err.contains("classic.json: 115 lines, 115 records"),
        "{err}"
    );
}

#[test]
fn kubectl_prefix() {
    let (plain, _) = events(&[&sample("jm0.log")], None);
    let (k, err) = events(&[&sample("kubectl-prefix.log")], None);
    assert_eq!(strip_all(&k, &["source"]), strip_all(&plain, &["source"]));
    assert!(k.iter().all(|e| s(e, "source") == "flink-jm-0"));
    // The pod is the source, in the summary too.
    assert!(
        err.contains("flinkha: flink-jm-0: 128 lines, 115 records"),
        "{err}"
    );
}

/// The kubelet stamp (log instant + 123456 ns in the sample) replaces the log's own instant.
fn shifted(plain: &[Value]) -> Vec<Value> {
    plain
        .iter()
        .map(|e| {
            let mut e = e.clone();
            let t = ts(&e) + chrono::TimeDelta::nanoseconds(123_456);
            e["ts"] = Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true));
            e
        })
        .collect()
}

#[test]
fn kubectl_timestamps() {
    let (plain, _) = events(&[&sample("jm0.log")], None);
    let (k, err) = events(&[&sample("kubectl-timestamps.log")], None);
    assert_eq!(
        strip_all(&k, &["source"]),
        strip_all(&shifted(&plain), &["source"])
    );
    assert!(s(&k[0], "ts").ends_with("123456Z"), "{}", k[0]);
    assert!(k
        .iter()
        .all(|e| s(e, "source") == "samples/inputs/kubectl-timestamps.log"));
    assert!(
        err.contains("kubectl-timestamps.log: 128 lines, 115 records"),
        "{err}"
    );
}

#[test]
fn kubectl_prefix_and_timestamps() {
    let (plain, _) = events(&[&sample("jm0.log")], None);
    let (k, _) = events(&[&sample("kubectl-both.log")], None);
    assert_eq!(
        strip_all(&k, &["source"]),
        strip_all(&shifted(&plain), &["source"])
    );
    assert!(k.iter().all(|e| s(e, "source") == "flink-jm-0"));
    // With log_end: the last record of the pod, decorations removed from its text.
    let (ends, _) = events(&[&sample("kubectl-both.log"), "--kind", "log_end"], None);
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0]["line"], 128);
    assert!(s(&ends[0], "text").starts_with("2026-11-25 12:36:43,615 INFO"));
}

#[test]
fn multi_pod_streams_on_stdin() {
    for name in ["multipod-sequential.log", "multipod-interleaved.log"] {
        let (evs, err) = events(&["--kind", &all_kinds()], Some(&read_sample(name)));
        assert!(evs.len() > 4, "{name}: {evs:?}");
        assert_time_ordered(&evs);
        let sources: std::collections::BTreeSet<&str> =
            evs.iter().map(|e| s(e, "source")).collect();
        assert_eq!(
            sources.into_iter().collect::<Vec<_>>(),
            vec!["flink-jm-a", "flink-jm-b"],
            "{name}"
        );
        // Both pods' events interleave in time: b (standby, started later) has events
        // before a's last one.
        let first_b = evs
            .iter()
            .position(|e| s(e, "source") == "flink-jm-b")
            .unwrap();
        let last_a = evs
            .iter()
            .rposition(|e| s(e, "source") == "flink-jm-a")
            .unwrap();
        assert!(first_b < last_a, "{name}: pods not interleaved");
        // One log_end per pod, at its last record.
        let ends: Vec<&Value> = evs.iter().filter(|e| s(e, "kind") == "log_end").collect();
        assert_eq!(ends.len(), 2, "{name}");
        let text = String::from_utf8(read_sample(name)).unwrap();
        for pod in ["flink-jm-a", "flink-jm-b"] {
            let prefix = format!("[pod/{pod}/");
            let mine: Vec<&str> = text.lines().filter(|l| l.starts_with(&prefix)).collect();
            // After `[pod/…] <kubelet ts> `, a record starts with the log4j timestamp.
            let records = mine
                .iter()
                .filter(|l| {
                    let rest = l.splitn(3, ' ').nth(2).unwrap_or("");
                    rest.len() > 4 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                })
                .count();
            assert!(records > 50);
            let want = format!("flinkha: {pod}: {} lines, {records} records", mine.len());
            assert!(err.contains(&want), "{want}\n{err}");
        }
        assert!(!err.contains("flinkha: -:"), "{err}");
    }
    // Sequential (kubectl without -f) and interleaved (with -f) give the same events, but
    // line numbers are those of each stream.
    let (a, _) = events(&[], Some(&read_sample("multipod-sequential.log")));
    let (b, _) = events(&[], Some(&read_sample("multipod-interleaved.log")));
    assert_eq!(strip_all(&a, &["line"]), strip_all(&b, &["line"]));
}

fn all_kinds() -> String {
    // Every kind the events subcommand knows, log_end included.
    let (code, _, err) = flinkha(&["events", "--kind", "nope"], None);
    assert_eq!(code, 2);
    err.split("known kinds: ")
        .nth(1)
        .unwrap()
        .trim()
        .replace(", ", ",")
}

#[test]
fn stack_trace_attached_to_its_record() {
    let path = sample("stacktrace.log");
    let (evs, err) = events(&[&path, "--kind", &all_kinds()], None);
    let text = String::from_utf8(read_sample("stacktrace.log")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!((lines.len(), record_starts(&text)), (66, 32));
    assert!(
        err.contains("stacktrace.log: 66 lines, 32 records"),
        "{err}"
    );
    assert!(err.contains("0 unparseable"), "{err}");
    // The job's RUNNING -> SUSPENDED transition carries a 30-line stack trace (sample lines
    // 33..62); the event sits on the record's first line and the record after the trace is
    // a record of its own.
    let susp = evs
        .iter()
        .find(|e| s(e, "kind") == "job_state" && s(e, "to") == "SUSPENDED")
        .expect("job_state to SUSPENDED");
    assert_eq!(susp["line"], 32);
    assert!(lines[32].starts_with("org.apache.flink.util.FlinkException"));
    assert!(lines[61].starts_with("\tat java.base/java.util.concurrent.ForkJoinWorkerThread.run"));
    assert!(lines[62].starts_with("2026-11-25 13:04:17,385 INFO"));
    // The sample's last record is its log_end.
    let end = evs.iter().find(|e| s(e, "kind") == "log_end").unwrap();
    assert_eq!(end["line"], 66);
    // The corpus has 13:04:17,366 logged before 13:04:17,365: output is still time-ordered.
    assert_time_ordered(&evs);
}

#[test]
fn gzip_by_name_and_by_magic() {
    use flate2::write::GzEncoder;
    let dir = tempfile::tempdir().unwrap();
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&read_sample("jm0.log")).unwrap();
    let gz = enc.finish().unwrap();
    let named = dir.path().join("jm0.log.gz");
    let unnamed = dir.path().join("jm0-compressed.log");
    std::fs::write(&named, &gz).unwrap();
    std::fs::write(&unnamed, &gz).unwrap();
    let (plain, _) = events(&[&sample("jm0.log")], None);
    for p in [&named, &unnamed] {
        let (z, err) = events(&[p.to_str().unwrap()], None);
        assert_eq!(strip_all(&z, &["source"]), strip_all(&plain, &["source"]));
        assert!(err.contains("128 lines, 115 records"), "{err}");
    }
    // And compressed data on stdin.
    let (z, _) = events(&["-"], Some(&gz));
    assert_eq!(strip_all(&z, &["source"]), strip_all(&plain, &["source"]));
}

/// `kubectl logs pod > jm.log` in Windows PowerShell 5 writes UTF-16 with a byte order mark:
/// such a log (little or big endian, in a file, gzipped, on stdin) gives the same events as
/// the UTF-8 one, where it was once all unparseable lines and no verdict.
#[test]
fn utf16_with_a_byte_order_mark() {
    use flate2::write::GzEncoder;
    let text = String::from_utf8(read_sample("jm0.log")).unwrap();
    let le: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xfe, 0xff]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&le).unwrap();
    let gz = enc.finish().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (plain, _) = events(&[&sample("jm0.log")], None);
    assert!(!plain.is_empty());
    for (name, bytes) in [("le.log", &le), ("be.log", &be), ("le.log.gz", &gz)] {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let (evs, err) = events(&[p.to_str().unwrap()], None);
        assert_eq!(
            strip_all(&evs, &["source"]),
            strip_all(&plain, &["source"]),
            "{name}"
        );
        assert!(err.contains("128 lines, 115 records"), "{name}: {err}");
        assert!(
            !err.contains("unparseable") || err.contains(" 0 unparseable"),
            "{err}"
        );
        let (evs, _) = events(&["-"], Some(bytes));
        assert_eq!(
            strip_all(&evs, &["source"]),
            strip_all(&plain, &["source"]),
            "{name} on stdin"
        );
    }
}

#[test]
fn stdin_dash_and_no_argument() {
    let (plain, _) = events(&[&sample("jm0.log")], None);
    let data = read_sample("jm0.log");
    for args in [&["-"][..], &[][..]] {
        let (evs, err) = events(args, Some(&data));
        assert_eq!(strip_all(&evs, &["source"]), strip_all(&plain, &["source"]));
        assert!(evs.iter().all(|e| s(e, "source") == "-"));
        assert!(err.contains("flinkha: -: 128 lines, 115 records"), "{err}");
    }
}

#[test]
fn several_files_merged_in_time_order() {
    // Arguments in reverse time order: the output is still ordered.
    let (evs, err) = events(&[&sample("jm1.log"), &sample("jm0.log")], None);
    let (e0, _) = events(&[&sample("jm0.log")], None);
    let (e1, _) = events(&[&sample("jm1.log")], None);
    assert_eq!(evs.len(), e0.len() + e1.len());
    assert_time_ordered(&evs);
    assert_eq!(&evs[..e0.len()], &e0[..]);
    assert_eq!(&evs[e0.len()..], &e1[..]);
    // The summary lists sources in argument order, then the total.
    let p1 = err.find("samples/inputs/jm1.log:").unwrap();
    let p0 = err.find("samples/inputs/jm0.log:").unwrap();
    let pt = err.find("flinkha: total:").unwrap();
    assert!(p1 < p0 && p0 < pt, "{err}");
}

#[test]
fn equal_timestamps_keep_argument_then_line_order() {
    let dir = tempfile::tempdir().unwrap();
    // The three grants of one instant-ish moment, all at the same timestamp.
    let text = String::from_utf8(read_sample("jm0.log")).unwrap();
    let grants: Vec<String> = text
        .lines()
        .filter(|l| l.contains("granted leadership"))
        .map(|l| format!("2026-11-25 12:36:05,000{}", &l[23..]))
        .collect();
    assert!(grants.len() >= 3);
    let a = dir.path().join("a.log");
    let b = dir.path().join("b.log");
    std::fs::write(&a, grants.join("\n")).unwrap();
    std::fs::write(&b, grants.join("\n")).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    for (first, second) in [(a, b), (b, a)] {
        let (evs, _) = events(&[first, second], None);
        let got: Vec<(&str, u64)> = evs
            .iter()
            .map(|e| (s(e, "source"), e["line"].as_u64().unwrap()))
            .collect();
        let n = grants.len() as u64;
        let want: Vec<(&str, u64)> = (1..=n)
            .map(|l| (first, l))
            .chain((1..=n).map(|l| (second, l)))
            .collect();
        assert_eq!(got, want);
    }
}

#[test]
fn directory_input() {
    let (evs, err) = events(&[&sample("dir"), "--kind", &all_kinds()], None);
    let sources: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("flinkha: "))
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        sources,
        vec![
            "samples/inputs/dir/jm0.log",
            "samples/inputs/dir/nested/jm1.log.1",
            "total"
        ]
    );
    assert!(!err.contains("hidden") && !err.contains("README"), "{err}");
    assert!(evs
        .iter()
        .all(|e| !s(e, "text").contains("must not be read")));
    let ends = evs.iter().filter(|e| s(e, "kind") == "log_end").count();
    assert_eq!(ends, 2);
    assert_time_ordered(&evs);
}
