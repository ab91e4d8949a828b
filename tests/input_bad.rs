//! Bad inputs: each is read to the end without a panic or a hang, what can be parsed is, and
//! the counts on stderr say what could not; inputs that cannot be opened fail at once with
//! exit 2 and a message naming the path.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// A real checkpoint line and a real leadership line (Flink 1.20.5, jm-restart corpus).
const GRANT: &str = "2026-11-25 12:36:05,095 INFO  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint   [] - http://127.0.0.1:8081 was granted leadership with leaderSessionID=e121f084-4a4d-4a43-bf6c-09a46f25e587";
const DISPATCHER: &str = "2026-11-25 12:36:05,097 INFO  org.apache.flink.runtime.dispatcher.runner.DefaultDispatcherRunner [] - DefaultDispatcherRunner was granted leadership with leader id e121f084-4a4d-4a43-bf6c-09a46f25e587. Creating new DispatcherLeaderProcess.";

/// Run `flinkha ARGS` with a deadline (a hang fails the test instead of blocking CI).
fn flinkha(args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(args)
        .current_dir(DIR)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run flinkha");
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut so, &mut v).map(|_| v)
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut se, &mut v).map(|_| v)
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("flinkha {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = t_out.join().unwrap().unwrap();
    let err = t_err.join().unwrap().unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

fn write(dir: &Path, name: &str, data: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p.to_str().unwrap().to_string()
}

/// (kind, line) of each event printed.
fn kinds_lines(out: &str) -> Vec<(String, u64)> {
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["kind"].as_str().unwrap().to_string(),
                v["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn no_panic(err: &str) {
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

#[test]
fn invalid_utf8_is_read_lossily() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = Vec::new();
    data.extend_from_slice(GRANT.as_bytes());
    data.extend_from_slice(b"\n\xff\xfe\xfd broken bytes \xc3\x28\n");
    // Invalid bytes inside a record's message do not stop it from being a record.
    data.extend_from_slice(b"2026-11-25 12:36:05,096 WARN  org.x.Y [] - caf\xe9\n");
    data.extend_from_slice(DISPATCHER.as_bytes());
    data.push(b'\n');
    let p = write(dir.path(), "bad-utf8.log", &data);
    let (code, out, err) = flinkha(&["events", &p]);
    no_panic(&err);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        kinds_lines(&out),
        vec![
            ("leadership_granted".to_string(), 1),
            ("leadership_granted".to_string(), 4)
        ]
    );
    assert!(
        err.contains(": 4 lines, 3 records, 2 events, 0 unmatched, 0 unparseable"),
        "{err}"
    );
}

#[test]
fn nul_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = Vec::new();
    data.extend_from_slice(b"\0\0\0\0\0\0\0\0\n");
    data.extend_from_slice(GRANT.as_bytes());
    data.extend_from_slice(b"\n2026-11-25 12:36:05,096 INFO  org.x.Y [] - a\0b\n\0\0\0\n");
    let p = write(dir.path(), "nul.log", &data);
    let (code, out, err) = flinkha(&["events", &p]);
    no_panic(&err);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        kinds_lines(&out),
        vec![("leadership_granted".to_string(), 2)]
    );
    assert!(
        err.contains(": 4 lines, 2 records, 1 events, 0 unmatched, 1 unparseable"),
        "{err}"
    );
}

#[test]
fn binary_file() {
    let dir = tempfile::tempdir().unwrap();
    // 4 MiB of deterministic pseudo-random bytes.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let data: Vec<u8> = (0..4 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let p = write(dir.path(), "random.bin", &data);
    let (code, out, err) = flinkha(&["events", &p]);
    no_panic(&err);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    let newlines = data.iter().filter(|b| **b == b'\n').count();
    let lines = newlines + usize::from(data.last() != Some(&b'\n'));
    assert!(
        err.contains(&format!(
            "random.bin: {lines} lines, 0 records, 0 events, 0 unmatched, {lines} unparseable"
        )),
        "{err}"
    );
}

#[test]
fn ten_megabyte_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = Vec::with_capacity(11 << 20);
    data.extend_from_slice(GRANT.as_bytes());
    data.push(b'\n');
    // A record whose message is 10 MB long, then one more leadership line.
    data.extend_from_slice(b"2026-11-25 12:36:05,096 INFO  org.x.Y [] - ");
    data.resize(data.len() + (10 << 20), b'x');
    data.push(b'\n');
    data.extend_from_slice(DISPATCHER.as_bytes());
    data.push(b'\n');
    let p = write(dir.path(), "long.log", &data);
    let start = Instant::now();
    let (code, out, err) = flinkha(&["events", &p]);
    no_panic(&err);
    assert_eq!(code, 0, "{err}");
    assert!(start.elapsed() < Duration::from_secs(60));
    assert_eq!(
        kinds_lines(&out),
        vec![
            ("leadership_granted".to_string(), 1),
            ("leadership_granted".to_string(), 3)
        ]
    );
    assert!(
        err.contains(": 3 lines, 3 records, 2 events, 0 unmatched, 0 unparseable, 1 truncated"),
        "{err}"
    );
}

#[test]
fn truncated_last_line_is_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = format!("{GRANT}\n{DISPATCHER}");
    let p = write(dir.path(), "cut.log", data.as_bytes());
    let (code, out, err) = flinkha(&["events", &p, "--kind", "leadership_granted,log_end"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        kinds_lines(&out),
        vec![
            ("leadership_granted".to_string(), 1),
            ("leadership_granted".to_string(), 2),
            ("log_end".to_string(), 2)
        ]
    );
    assert!(err.contains(": 2 lines, 2 records, 2 events"), "{err}");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "empty.log", b"");
    let (code, out, err) = flinkha(&["events", &p, "--kind", "log_end"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert_eq!(
        err,
        format!("flinkha: {p}: 0 lines, 0 records, 0 events, 0 unmatched, 0 unparseable\n")
    );
}

#[test]
fn missing_file_fails_fast_naming_it() {
    let (code, out, err) = flinkha(&["events", "samples/nope.log"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "flinkha: error: cannot open samples/nope.log: No such file or directory\n"
    );
    // Also when it comes after a good input: nothing is read before all inputs are open.
    let (code, out, err) = flinkha(&["events", "samples/inputs/jm0.log", "samples/nope.log"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("cannot open samples/nope.log"), "{err}");
}

#[test]
fn directory_without_logs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.md", b"hello\n");
    write(dir.path(), ".hidden.log", GRANT.as_bytes());
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = flinkha(&["events", d]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(
        err.starts_with("flinkha: error: no log files in directory"),
        "{err}"
    );
    assert!(err.contains(d), "{err}");
}

#[test]
fn unreadable_gzip_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // Gzip magic, then garbage.
    let p = write(
        dir.path(),
        "corrupt.log.gz",
        b"\x1f\x8b\x08\x00garbage-not-deflate",
    );
    let (code, _, err) = flinkha(&["events", &p]);
    no_panic(&err);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("cannot read {p}")), "{err}");
}

#[test]
fn a_truncated_gzip_is_an_error_naming_the_last_whole_line() {
    // A real log compressed and cut in the middle, as a copy taken while logrotate was still
    // compressing leaves it: what was cut off may have held a failure, so no verdict.
    let log =
        std::fs::read("samples/corpus/1.20.5/happy/flink-root-standalonesession-0-vm.log").unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, &log).unwrap();
    let gz = enc.finish().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "jm.log.gz", &gz[..gz.len() / 2]);
    let (code, out, err) = flinkha(&["check", "--no-progress", &p]);
    no_panic(&err);
    assert_eq!(code, 2, "{err}");
    assert!(!out.contains("PASS"), "{out}");
    let prefix = format!("flinkha: error: cannot read {p} after line ");
    let line: u64 = err
        .strip_prefix(&prefix)
        .and_then(|r| r.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    assert!(line > 0 && line < 403, "{err}");
    // Only the magic bytes: nothing was read, and the message says no line.
    let p = write(dir.path(), "empty.log.gz", b"\x1f\x8b");
    let (code, _, err) = flinkha(&["check", "--no-progress", &p]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with(&format!("flinkha: error: cannot read {p}: ")),
        "{err}"
    );
}

/// Two JobManagers' logs one after the other (`cat jm-0.log jm-1.log`, or `kubectl logs` of
/// two pods without `--prefix`) are refused, from a file and from a pipe, naming the line
/// where the time starts over. Read as one log, the second JobManager's start looked like
/// the first one's restart, and the real split brain of this corpus set passed
/// `single-leader`: a FAIL turned into an UNKNOWN by the input's shape.
#[test]
fn concatenated_logs_are_refused_not_read_as_one() {
    let set = Path::new(DIR).join("samples/corpus/1.19.3/zk-outage-rerun");
    let mut both = Vec::new();
    let mut first_lines = 0;
    for n in 0..2 {
        let log =
            std::fs::read(set.join(format!("flink-root-standalonesession-{n}-vm.log"))).unwrap();
        if n == 0 {
            first_lines = log.iter().filter(|&&b| b == b'\n').count();
        }
        both.extend_from_slice(&log);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "both.log", &both);
    let (code, out, err) = flinkha(&["check", &file, "--no-progress"]);
    no_panic(&err);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "no verdict may be printed: {out}");
    assert!(
        err.contains(&format!(
            "cannot put {file} in time order: its time goes back: line "
        )),
        "{err}"
    );
    let line: usize = err
        .split("goes back: line ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(
        line > first_lines,
        "the step back is in the second log: {err}"
    );
    assert!(err.contains("kubectl logs --prefix"), "{err}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(["check", "--no-progress"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feed = std::thread::spawn(move || {
        // The reader may stop early on the error: a closed pipe is fine here.
        let _ = std::io::Write::write_all(&mut stdin, &both);
    });
    let done = child.wait_with_output().unwrap();
    feed.join().unwrap();
    let err = String::from_utf8_lossy(&done.stderr);
    no_panic(&err);
    assert_eq!(done.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot put - in time order: its time goes back"),
        "{err}"
    );

    // Each log as its own file: the split brain is found.
    let (code, out, _) = flinkha(&["check", set.to_str().unwrap(), "--no-progress"]);
    assert_eq!(code, 1, "{out}");

    // However short the overlap: the other real split brain (samples/e2e), its first
    // JobManager's log cut 30 s after the second one started, then the second's whole log.
    let e2e = Path::new(DIR).join("samples/e2e/1.20.5/zk-outage-split-brain");
    let log = |jm: &str| {
        std::fs::read_to_string(e2e.join(jm).join("flink-root-standalonesession-0-vm.log")).unwrap()
    };
    let a = log("jm-a");
    let cut = a
        .lines()
        .take_while(|l| !l.starts_with("2026-") || l.get(..19) <= Some("2026-12-01 11:26:51"))
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    let short = write(
        dir.path(),
        "short.log",
        format!("{cut}{}", log("jm-b")).as_bytes(),
    );
    let (code, out, err) = flinkha(&["check", &short, "--no-progress"]);
    no_panic(&err);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("a process starts before the one before it ended: line "),
        "{err}"
    );
}
