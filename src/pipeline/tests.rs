//! Tests of the pipeline: counting, pods, reordering, follow, chunked = sequential.

use super::lane::Keyed;
use super::reorder::Reorder;
use super::sources::LaneState;
use super::*;
use crate::events::Kind;
use crate::input::RawLine;
use chrono::{DateTime, TimeDelta};
use std::time::Duration;

const GRANT: &str = "2026-11-25 12:36:05,095 INFO  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint   [] - http://127.0.0.1:8081 was granted leadership with leaderSessionID=e121f084-4a4d-4a43-bf6c-09a46f25e587";

/// A one-event grammar, so these tests do not depend on the shipped grammar data.
fn tiny_grammar() -> Grammar {
    let text = format!(
        "event leadership_granted\n  \
         logger  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint\n  \
         message {{address:word}} was granted leadership with leaderSessionID={{session:uuid}}\n  \
         set     component=rest\n  \
         sample  {GRANT}\n  \
         expect  address=http://127.0.0.1:8081 session=e121f084-4a4d-4a43-bf6c-09a46f25e587 component=rest\n\n\
         ignore\n  \
         logger  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint\n  \
         message Starting rest endpoint.\n"
    );
    Grammar::from_files(&[("tiny.grammar".to_string(), text)]).unwrap()
}

fn opts(follow: bool) -> Options {
    Options {
        zone: Zone::Utc,
        grammar: Arc::new(tiny_grammar()),
        want_unmatched: true,
        progress: false,
        follow,
        chunking: Chunking::OFF,
        input_format: Default::default(),
    }
}

fn feed(lines: &[&str], o: &Options) -> (Vec<Item>, Vec<SourceSummary>) {
    let mut st = LaneState::new(Arc::from("f.log"), o);
    let mut out = Vec::new();
    let mut emit = |k: Keyed| {
        out.push(*k.item);
        Ok(())
    };
    for (i, l) in lines.iter().enumerate() {
        let raw = RawLine {
            number: i as u64 + 1,
            bytes: l.as_bytes(),
            truncated: false,
            plain: false,
            text: None,
        };
        assert!(st.line(raw, &mut emit).is_ok());
    }
    let sums = st.finish(&mut emit).ok().unwrap();
    (out, sums)
}

#[test]
fn counts_records_continuations_unparseable_and_log_end() {
    let o = opts(false);
    let (items, sums) = feed(
        &[
            "garbage before any record",
            "2026-11-25 12:36:52,258 INFO  a.B [] - first",
            "\tat x.y(Z.java:1)",
            "2026-11-25 12:36:53,000 INFO  a.B [] - second",
        ],
        &o,
    );
    assert_eq!(sums.len(), 1);
    let s = &sums[0];
    assert_eq!(
        (s.lines, s.records, s.continuation_lines, s.unparseable),
        (4, 2, 1, 1)
    );
    assert_eq!(items.len(), 1);
    match &items[0] {
        Item::Event(e) => {
            assert_eq!(e.kind, Kind::LogEnd);
            assert_eq!(e.line, 4);
            assert_eq!(&*e.text, "2026-11-25 12:36:53,000 INFO  a.B [] - second");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pods_become_sources_and_kubectl_ts_wins() {
    let o = opts(false);
    let (items, sums) = feed(
        &[
            "[pod/jm-b/c] 2026-11-25T12:00:02.000000001Z 2026-11-25 11:00:00,000 INFO a.B [] - b1",
            "[pod/jm-a/c] 2026-11-25T12:00:01.000000000Z 2026-11-25 11:00:00,000 INFO a.B [] - a1",
            "[pod/jm-a/c] 2026-11-25T12:00:01.000000000Z \tat x",
            "[pod/jm-a/side] 2026-11-25T12:00:03Z 2026-11-25 11:00:00,000 INFO a.B [] - s1",
        ],
        &o,
    );
    let names: Vec<&str> = sums.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["jm-b", "jm-a", "jm-a/side"]);
    assert_eq!(sums[1].continuation_lines, 1);
    // log_end events come out in time order across pods.
    let got: Vec<(String, u64)> = items
        .iter()
        .map(|i| (i.source().to_string(), i.line()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("jm-a".to_string(), 2),
            ("jm-b".to_string(), 1),
            ("jm-a/side".to_string(), 4)
        ]
    );
    assert_eq!(items[1].ts().timestamp_subsec_nanos(), 1);
}

#[test]
fn reorder_window_and_cap() {
    let mut r = Reorder::new(Arc::from("x"), 3, Some(TimeDelta::seconds(2)));
    let mk = |s: i64, line: u64| Keyed {
        ts: DateTime::from_timestamp(s, 0).unwrap(),
        line,
        sub: 0,
        item: Box::new(Item::Unmatched(Unmatched {
            source: Arc::from("x"),
            line,
            ts: DateTime::from_timestamp(s, 0).unwrap(),
            level: String::new(),
            logger: String::new(),
            text: String::new(),
        })),
    };
    let mut out = Vec::new();
    let mut emit = |k: Keyed| {
        out.push(k.line);
        Ok(())
    };
    for (s, l) in [(10, 1), (9, 2), (10, 3), (13, 4), (12, 5)] {
        assert!(r.push(mk(s, l), &mut emit).is_ok());
    }
    assert!(r.finish(&mut emit).is_ok());
    assert_eq!(out, vec![2, 1, 3, 5, 4]);
}

#[test]
fn classifies_on_the_first_message_line() {
    let mut o = opts(false);
    let rest = "org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint";
    let json = format!(
        r#"{{"@timestamp":"2026-11-25T12:36:06.000Z","log.level":"INFO","log.logger":"{rest}","message":"http://h:1 was granted leadership with leaderSessionID=e121f084-4a4d-4a43-bf6c-09a46f25e587\nsecond line"}}"#
    );
    let lines = [
        GRANT.to_string(),
        format!("2026-11-25 12:36:05,096 INFO  {rest} [] - Starting rest endpoint."),
        format!("2026-11-25 12:36:05,097 WARN  {rest} [] - Something new."),
        json,
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (items, sums) = feed(&refs, &o);
    let s = &sums[0];
    assert_eq!((s.records, s.events, s.ignored, s.unmatched), (4, 2, 1, 1));
    let kinds: Vec<String> = items
        .iter()
        .map(|i| match i {
            Item::Event(e) => format!("{}:{}", e.kind, e.line),
            Item::Unmatched(u) => format!("unmatched:{}:{}", u.line, u.level),
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            "leadership_granted:1",
            "unmatched:3:WARN",
            "leadership_granted:4",
            "log_end:4"
        ]
    );
    match &items[0] {
        Item::Event(e) => {
            assert_eq!(e.fields.component.as_deref(), Some("rest"));
            assert_eq!(&*e.text, GRANT);
        }
        other => panic!("{other:?}"),
    }
    // Without want_unmatched the record is counted, not delivered.
    o.want_unmatched = false;
    let (items, sums) = feed(&refs, &o);
    assert_eq!(sums[0].unmatched, 1);
    assert!(items.iter().all(|i| matches!(i, Item::Event(_))));
}

#[test]
fn follow_delivers_each_event_while_the_pipe_is_open() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("stream");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.map(|s| s.success()).unwrap_or(false) {
        return; // no mkfifo on this system
    }
    let (tx, rx) = std::sync::mpsc::channel::<Item>();
    let path = fifo.clone();
    let reader = std::thread::spawn(move || {
        let o = opts(true);
        let mut sink = |i: Item| {
            let _ = tx.send(i);
            Ok(())
        };
        run(&[path], &o, &mut sink).map(|s| s.total().events)
    });
    let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let wait = Duration::from_secs(20);
    for n in 1..=2u64 {
        writeln!(w, "{GRANT}").unwrap();
        w.flush().unwrap();
        // Arrives although the writer is still open and no later line exists.
        match rx.recv_timeout(wait).unwrap() {
            Item::Event(e) => {
                assert_eq!(e.kind, Kind::LeadershipGranted);
                assert_eq!(e.line, n);
            }
            other => panic!("{other:?}"),
        }
    }
    drop(w);
    assert_eq!(reader.join().unwrap().unwrap(), 2);
    match rx.recv_timeout(wait).unwrap() {
        Item::Event(e) => assert_eq!((e.kind, e.line), (Kind::LogEnd, 2)),
        other => panic!("{other:?}"),
    }
}

/// Run the whole pipeline over one file with the given chunking.
fn run_file(path: &std::path::Path, o: &Options, chunking: Chunking) -> (Vec<Item>, Summary) {
    let o = Options {
        chunking,
        ..o.clone()
    };
    let mut items = Vec::new();
    let summary = run(&[path.to_path_buf()], &o, &mut |i| {
        items.push(i);
        Ok(())
    })
    .unwrap();
    (items, summary)
}

fn tiny_chunks(chunk_size: u64) -> Chunking {
    Chunking {
        threshold: 0,
        chunk_size,
        in_flight: 3,
    }
}

/// Lines that exercise stitching: garbage before any record, continuation lines, pods
/// that appear in later chunks, a second container of a pod, CRLF, invalid UTF-8, an
/// over-long line, out-of-order timestamps, and no final newline.
fn stitch_sample() -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let mut put = |l: &[u8]| {
        out.extend_from_slice(l);
        out.push(b'\n');
    };
    put(b"garbage before any record");
    put(b"\tat more.garbage(X.java:1)");
    for i in 0..6u32 {
        let s = 10 + i * 3;
        put(format!("2026-11-25 12:36:{s:02},095 INFO  a.B [] - plain {i}").as_bytes());
        put(b"java.lang.IllegalStateException: boom");
        put(b"\tat x.y(Z.java:1)\r");
        put(GRANT
            .replace("12:36:05", &format!("12:36:{:02}", s + 1))
            .as_bytes());
        put(format!("2026-11-25 12:36:{:02},000 WARN  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint [] - Something new {i}.", s).as_bytes());
        put(b"caf\xe9 not utf-8");
        // Same instant in every round: ordered by line number alone.
        put(GRANT.replace("12:36:05", "12:36:30").as_bytes());
    }
    put(&[b'x'; input::MAX_LINE + 10]);
    for i in 0..4u32 {
        put(format!(
            "[pod/jm-b/c] 2026-11-25T12:37:{:02}.000000001Z \tat before.any(B.java:1)",
            i
        )
        .as_bytes());
        put(format!("[pod/jm-b/c] 2026-11-25T12:37:{:02}.000000002Z {GRANT}", i).as_bytes());
        put(format!(
            "[pod/jm-a/c] 2026-11-25T12:36:{:02}.000000000Z {GRANT}",
            50 + i
        )
        .as_bytes());
        put(format!(
            "[pod/jm-a/c] 2026-11-25T12:36:{:02}.000000000Z \tat x",
            50 + i
        )
        .as_bytes());
        put(format!(
            "[pod/jm-a/side] 2026-11-25T12:38:{:02}Z 2026-11-25 11:00:00,000 INFO a.B [] - s{i}",
            i
        )
        .as_bytes());
        put(b"no prefix, continues the own source");
    }
    out.extend_from_slice(GRANT.replace("12:36:05", "12:39:00").as_bytes());
    out
}

#[test]
fn chunked_parsing_equals_sequential_at_every_chunk_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stitch.log");
    std::fs::write(&path, stitch_sample()).unwrap();
    let o = opts(false);
    let (want_items, want_sum) = run_file(&path, &o, Chunking::OFF);
    // The sample is what it claims to be.
    let names: Vec<&str> = want_sum.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            path.display().to_string().as_str(),
            "jm-b",
            "jm-a",
            "jm-a/side"
        ]
    );
    let own = &want_sum.sources[0];
    assert_eq!(own.unparseable, 2);
    assert_eq!(own.truncated_lines, 1);
    assert_eq!(own.unmatched, 6);
    assert_eq!(want_sum.sources[1].unparseable, 1);
    assert_eq!(want_sum.sources[1].continuation_lines, 3);
    let events = want_items
        .iter()
        .filter(|i| matches!(i, Item::Event(e) if e.kind == Kind::LeadershipGranted))
        .count();
    assert_eq!(events, 6 + 6 + 8 + 1);
    for size in [1, 2, 3, 7, 50, 100, 333, 1000, 4096, 70_000, 1 << 20] {
        let (items, sum) = run_file(&path, &o, tiny_chunks(size));
        assert_eq!(sum, want_sum, "chunk size {size}");
        assert_eq!(items, want_items, "chunk size {size}");
    }
    // Under the threshold: sequential, the same again.
    let big = Chunking {
        threshold: 1 << 40,
        ..tiny_chunks(1)
    };
    assert_eq!(run_file(&path, &o, big), (want_items, want_sum));
}

#[test]
fn chunks_in_flight_are_bounded_by_bytes() {
    let threads = rayon::current_num_threads();
    let c = |chunk_size, in_flight| Chunking {
        threshold: 0,
        chunk_size,
        in_flight,
    };
    assert_eq!(c(16 << 20, 0).window(), 2);
    assert_eq!(c(1 << 20, 0).window(), (2 * threads).clamp(2, 16));
    assert_eq!(c(1, 0).window(), (2 * threads).max(2));
    assert_eq!(c(16 << 20, 7).window(), 7);
}

#[test]
fn chunked_parsing_of_edge_files() {
    let dir = tempfile::tempdir().unwrap();
    let o = opts(false);
    let cases: [&[u8]; 6] = [
        b"",
        b"\n",
        b"\n\n\nnot a record\n",
        b"no newline at all",
        b"2026-11-25 12:36:52,258 INFO  a.B [] - one\n",
        b"2026-11-25 12:36:52,258 INFO  a.B [] - one\r\n\tat x\r\n\r\n",
    ];
    for (n, data) in cases.iter().enumerate() {
        let path = dir.path().join(format!("edge{n}.log"));
        std::fs::write(&path, data).unwrap();
        let want = run_file(&path, &o, Chunking::OFF);
        for size in [1, 2, 5, 64] {
            assert_eq!(
                run_file(&path, &o, tiny_chunks(size)),
                want,
                "case {n} size {size}"
            );
        }
    }
}

#[test]
fn chunked_parsing_stops_when_the_sink_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stitch.log");
    std::fs::write(&path, stitch_sample()).unwrap();
    let o = Options {
        chunking: tiny_chunks(16),
        ..opts(false)
    };
    let mut seen = 0;
    let r = run(&[path], &o, &mut |_| {
        seen += 1;
        Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
    });
    assert!(
        r.as_ref().is_err_and(PipelineError::is_broken_pipe),
        "{r:?}"
    );
    assert_eq!(seen, 1);
}

#[test]
fn several_inputs_chunked_equal_sequential() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.log");
    let b = dir.path().join("b.log");
    std::fs::write(&a, stitch_sample()).unwrap();
    std::fs::write(&b, GRANT.replace("12:36:05", "12:36:30")).unwrap();
    let paths = [a, b];
    let collect = |chunking: Chunking| {
        let o = Options {
            chunking,
            ..opts(false)
        };
        let mut items = Vec::new();
        let s = run(&paths, &o, &mut |i| {
            items.push(i);
            Ok(())
        })
        .unwrap();
        (items, s)
    };
    let want = collect(Chunking::OFF);
    assert_eq!(want.1.sources.len(), 5);
    assert_eq!(collect(tiny_chunks(10)), want);
}

/// A stream whose reading thread dies part way (here: its reader panics) is an error, never
/// an input that ended there: the lines it did not read could hold a violation.
#[test]
fn a_stream_whose_reader_dies_is_an_error_not_an_end() {
    struct Dies {
        lines: u32,
    }
    impl std::io::Read for Dies {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            assert!(self.lines < 200, "the stream's reader fails");
            self.lines += 1;
            let l = format!("{GRANT}\n");
            let n = l.len().min(buf.len());
            buf[..n].copy_from_slice(&l.as_bytes()[..n]);
            Ok(n)
        }
    }
    let o = Options {
        chunking: tiny_chunks(1024),
        ..opts(false)
    };
    let inp = Input::from_reader("stream", Box::new(Dies { lines: 0 }));
    let mut items = 0;
    let r = run_inputs(
        Inputs {
            opened: vec![inp],
            more: None,
        },
        &o,
        &mut |_| {
            items += 1;
            Ok(())
        },
    );
    match r {
        Err(PipelineError::Read { error, .. }) => {
            assert!(
                error.to_string().contains("stopped unexpectedly"),
                "{error}"
            )
        }
        other => panic!("{:?}", other.map(|s| s.sources.len())),
    }
}

/// An unmatched item of `source` at second `s`, line `line`, for the reorder buffer.
fn keyed_at(source: &str, s: i64, line: u64) -> Keyed {
    Keyed {
        ts: DateTime::from_timestamp(s, 0).unwrap(),
        line,
        sub: 0,
        item: Box::new(Item::Unmatched(Unmatched {
            source: Arc::from(source),
            line,
            ts: DateTime::from_timestamp(s, 0).unwrap(),
            level: String::new(),
            logger: String::new(),
            text: String::new(),
        })),
    }
}

#[test]
fn reorder_refuses_a_log_whose_time_goes_back_a_minute() {
    for (cap, window) in [(3, Some(TimeDelta::seconds(2))), (0, None)] {
        let mut r = Reorder::new(Arc::from("in.log"), cap, window);
        let mut emit = |_: Keyed| Ok(());
        // Seconds of disorder, and exactly the tolerance, pass.
        for (s, l) in [(1000, 1), (998, 2), (1100, 3), (1040, 4)] {
            assert!(r.push(keyed_at("in.log", s, l), &mut emit).is_ok());
        }
        // A second log after the first: its time starts over.
        match r.push(keyed_at("in.log", 1039, 5), &mut emit) {
            Err(LaneError::Fail(e)) => {
                let m = e.to_string();
                assert!(m.contains("cannot put in.log in time order"), "{m}");
                assert!(
                    m.contains("line 5 (") && m.contains("61 s older than line 3 ("),
                    "{m}"
                );
                assert!(m.contains("--prefix") && m.contains("--tz"), "{m}");
            }
            _ => panic!("a step back of 61 s must be refused (cap {cap})"),
        }
    }
}

#[test]
fn reorder_takes_the_step_back_per_pod() {
    let mut r = Reorder::new(Arc::from("pods.log"), 3, Some(TimeDelta::seconds(2)));
    let mut emit = |_: Keyed| Ok(());
    // Two pods interleaved an hour apart: each one's own time goes forward.
    for (src, s, l) in [
        ("jm-a", 5000, 1),
        ("jm-b", 1000, 2),
        ("jm-a", 5001, 3),
        ("jm-b", 1001, 4),
    ] {
        assert!(r.push(keyed_at(src, s, l), &mut emit).is_ok());
    }
    match r.push(keyed_at("jm-b", 900, 5), &mut emit) {
        Err(LaneError::Fail(e)) => {
            let m = e.to_string();
            assert!(
                m.contains("pods.log (pod jm-b)") && m.contains("line 5 ("),
                "{m}"
            );
        }
        _ => panic!("a pod's own step back must be refused"),
    }
}

#[test]
fn reorder_refuses_a_process_starting_before_the_last_one_ended() {
    let start = |s: i64, line: u64| Keyed {
        ts: DateTime::from_timestamp(s, 0).unwrap(),
        line,
        sub: 0,
        item: Box::new(Item::Event(crate::events::Event {
            ts: DateTime::from_timestamp(s, 0).unwrap(),
            source: Arc::from("in.log"),
            line,
            kind: Kind::ProcessStarted,
            fields: Box::default(),
            text: Arc::from(""),
        })),
    };
    let mut r = Reorder::new(Arc::from("in.log"), 3, Some(TimeDelta::seconds(2)));
    let mut emit = |_: Keyed| Ok(());
    // A restart after the last line, and a start banner a second out of order, pass.
    for k in [
        keyed_at("in.log", 100, 1),
        start(105, 2),
        keyed_at("in.log", 130, 3),
        start(129, 4),
    ] {
        assert!(r.push(k, &mut emit).is_ok());
    }
    // A second log, started 10 s before the first one's last line: refused.
    match r.push(start(120, 5), &mut emit) {
        Err(LaneError::Fail(e)) => {
            let m = e.to_string();
            assert!(
                m.contains("a process starts before the one before it ended: line 5 (")
                    && m.contains("10.000 s older than line 3 ("),
                "{m}"
            );
        }
        _ => panic!("an overlapping start must be refused"),
    }
}

/// The shortcut of [`Sources::line`] for lines that can only continue a record holds for
/// every line it takes: the envelope parser finds no record in it, `kubectl`'s decorations
/// are not there, and no decoder (JSON, CRI, stern) wraps it or changes its state. Lines
/// are pieces of records, wrappings, prefixes and white space put together at random; and
/// the usual stack-trace lines do take the shortcut (else it would save nothing).
#[test]
fn lines_taken_for_continuations_are_what_the_full_path_finds() {
    use crate::input::{self, Decoder};
    let pieces = [
        "2024-05-06 10:15:31,112 INFO  a.B [] - m",
        "{\"@timestamp\":\"2024-05-06T10:15:31.112Z\",\"log.level\":\"INFO\",\"message\":\"m\"}",
        "2026-11-25T12:00:00.000000000Z ",
        "2026-11-25T12:00:00.000000000Z stdout F ",
        "[pod/flink-jm-0/main] ",
        "flink flink-jm-0 main ",
        "flink-jm-0 main ",
        "\tat ",
        "Caused by: ",
        "... 12 more",
        " ",
        "\t",
        "\r",
        "\x0b",
        "\u{a0}",
        "\u{feff}",
        "{",
        "[",
        "0",
        "x",
        "A",
        "-",
        "T",
        "é",
    ];
    let grammar = Arc::new(tiny_grammar());
    let o = Options {
        grammar,
        ..opts(false)
    };
    let sources = sources::Sources::new(Arc::from("in.log"), &o);
    let mut seed = 0x9e37_79b9_u64;
    let mut taken = 0;
    for _ in 0..20_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = (seed % 5) as usize;
        let line: String = (0..n)
            .map(|k| pieces[((seed >> (8 * k + 3)) % pieces.len() as u64) as usize])
            .collect();
        if !sources.surely_continuation(&line) {
            continue;
        }
        taken += 1;
        assert!(
            crate::envelope::parse_plain_line(&line, &Zone::Utc).is_none(),
            "{line:?}"
        );
        let d = input::strip_kubectl(&line);
        assert!(
            d.pod.is_none() && d.ts.is_none() && d.rest == line,
            "{line:?}"
        );
        let mut dec = Decoder::new(Default::default());
        assert!(dec.decode(&line).is_none(), "{line:?}");
        assert!(dec.detect_stern(&line, |_| true).is_none(), "{line:?}");
        assert!(dec.framing().is_none(), "{line:?}");
    }
    assert!(taken > 1000, "only {taken} lines taken");
    for line in [
        "\tat org.apache.flink.runtime.rpc.pekko.PekkoRpcActor.handleRpcInvocation(PekkoRpcActor.java:318) ~[flink-rpc.jar:1.20.5]",
        "Caused by: java.util.concurrent.TimeoutException",
        "\t... 34 more",
        "        at java.base/java.lang.Thread.run(Thread.java:840)",
    ] {
        assert!(sources.surely_continuation(line), "{line:?}");
    }
    for line in [
        "2024-05-06 10:15:31,112 INFO  a.B [] - m",
        "  {\"a\":1}",
        "[pod/a/b] x",
        "java.lang.Exception: x",
    ] {
        assert!(!sources.surely_continuation(line), "{line:?}");
    }
}

/// The reorder buffer lets items go in the order of their keys, as a min-heap of them would,
/// whatever the disorder, the cap and the window: random arrivals up to a few seconds late
/// (equal instants included) compared with a heap that follows the same rules.
#[test]
fn reorder_gives_the_items_a_heap_would() {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut seed = 0x2545_f491_u64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for round in 0..300 {
        let cap = 1 + next(8) as usize;
        let window = (round % 3 != 0).then(|| TimeDelta::seconds(next(4) as i64));
        let mut r = Reorder::new(Arc::from("in.log"), cap, window);
        let mut heap: BinaryHeap<Reverse<(DateTime<chrono::Utc>, u64)>> = BinaryHeap::new();
        let (mut got, mut want) = (Vec::new(), Vec::new());
        let mut newest: Option<DateTime<chrono::Utc>> = None;
        let mut t = 100_000i64;
        for line in 1..=60u64 {
            t += next(3) as i64;
            let s = t - next(4) as i64;
            let k = keyed_at("in.log", s, line);
            let key = (k.ts, k.line);
            let pushed = r.push(k, &mut |k: Keyed| {
                got.push((k.ts, k.line));
                Ok(())
            });
            assert!(pushed.is_ok(), "round {round}: refused");
            let n = newest.map_or(key.0, |n| n.max(key.0));
            newest = Some(n);
            heap.push(Reverse(key));
            while let Some(Reverse(top)) = heap.peek() {
                let too_old = window.is_some_and(|w| n.signed_duration_since(top.0) > w);
                if heap.len() <= cap && !too_old {
                    break;
                }
                if let Some(Reverse(k)) = heap.pop() {
                    want.push(k);
                }
            }
        }
        let finished = r.finish(&mut |k: Keyed| {
            got.push((k.ts, k.line));
            Ok(())
        });
        assert!(finished.is_ok(), "round {round}: refused at the end");
        while let Some(Reverse(k)) = heap.pop() {
            want.push(k);
        }
        assert_eq!(got, want, "round {round}, cap {cap}, window {window:?}");
    }
}
