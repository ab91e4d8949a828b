//! `flinkha check --follow`: a FAIL is printed the moment the events prove it, while the
//! input is still open, as with `kubectl logs -f … | flinkha check --follow`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn a_fail_is_printed_before_the_input_ends() {
    let stream = common::kubectl_stream("samples/mutations/restore-older");
    let lines: Vec<&str> = stream.lines().collect();
    let restore = lines
        .iter()
        .position(|l| l.contains("from Checkpoint 14 @"))
        .expect("mutated restore line");
    let mut child = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(["check", "--follow", "--no-progress"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn flinkha");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    // Feed up to a little after the restore, in small pieces with pauses, then wait with the
    // pipe still open.
    for chunk in lines[..restore + 3].chunks(50) {
        for l in chunk {
            writeln!(stdin, "{l}").expect("write");
        }
        stdin.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut early = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(l) => {
                let fail = l.starts_with("FAIL");
                early.push(l);
                if fail {
                    break;
                }
            }
            Err(_) => continue,
        }
    }
    assert!(
        early.iter().any(|l| l.starts_with("FAIL  recover-latest")),
        "no FAIL while the input was open: {early:?}"
    );
    // Its evidence lines follow at once.
    while let Ok(l) = rx.recv_timeout(Duration::from_millis(500)) {
        early.push(l);
    }
    assert!(
        early.iter().any(|l| l.contains("from Checkpoint 14 @")),
        "{early:?}"
    );

    // The rest, then end of input: the usual report and exit code follow.
    for l in &lines[restore + 3..] {
        writeln!(stdin, "{l}").expect("write");
    }
    drop(stdin);
    let status = child.wait().expect("wait");
    reader.join().expect("reader");
    let rest: Vec<String> = rx.try_iter().collect();
    assert_eq!(status.code(), Some(1));
    assert!(
        rest.iter().any(|l| l.starts_with("flinkha: FAIL")),
        "no summary after the end of input: {rest:?}"
    );
}
