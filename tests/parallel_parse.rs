//! Parallel (chunked) parsing of one large file gives exactly what sequential parsing gives:
//! same items in the same order, same line numbers and texts, same per-source counts, same
//! `log_end`. Every log under `samples/` is parsed with chunks so small that boundaries land
//! inside stack traces and between a record and its continuation lines; a generated file
//! above the default threshold goes through the library and the real binary.

mod common;

use flinkha::envelope::Zone;
use flinkha::events::Kind;
use flinkha::grammar::Grammar;
use flinkha::pipeline::{self, Chunking, Item, Options, Summary};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The built-in grammar, compiled once for all tests (its classify is `&self`, shared).
fn grammar() -> Arc<Grammar> {
    static G: OnceLock<Arc<Grammar>> = OnceLock::new();
    G.get_or_init(|| Arc::new(Grammar::builtin().expect("built-in grammar")))
        .clone()
}

fn options(chunking: Chunking) -> Options {
    Options {
        zone: Zone::Utc,
        grammar: grammar(),
        want_unmatched: true,
        progress: false,
        follow: false,
        chunking,
        input_format: Default::default(),
    }
}

fn parse(inputs: &[PathBuf], opts: &Options) -> (Vec<Item>, Summary) {
    let mut items = Vec::new();
    let summary = pipeline::run(inputs, opts, &mut |i| {
        items.push(i);
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{inputs:?}: {e}"));
    (items, summary)
}

fn tiny(chunk_size: u64) -> Chunking {
    Chunking {
        threshold: 0,
        chunk_size,
        in_flight: 0,
    }
}

#[test]
fn every_sample_parses_identically_in_tiny_chunks() {
    let mut files = Vec::new();
    for d in ["corpus", "seed", "mutations", "inputs"] {
        common::logs_below(&Path::new(DIR).join("samples").join(d), &mut files);
    }
    assert!(files.len() >= 50, "only {} sample logs found", files.len());
    let seq = options(Chunking::OFF);
    let mut events = 0;
    let mut continuation = 0;
    for f in &files {
        let want = parse(std::slice::from_ref(f), &seq);
        events += want.1.total().events;
        continuation += want.1.total().continuation_lines;
        for size in [1 << 10, 7 << 10, 64 << 10] {
            let got = parse(std::slice::from_ref(f), &options(tiny(size)));
            assert_eq!(got.1, want.1, "{}: summary, chunk size {size}", f.display());
            assert_eq!(got.0, want.0, "{}: items, chunk size {size}", f.display());
        }
    }
    // The samples exercise what matters: many events, many stack-trace lines.
    assert!(events > 1000, "{events} events");
    assert!(continuation > 1000, "{continuation} continuation lines");
}

/// A compressed input is a stream: read in blocks of whole lines by the lane, parsed on the
/// pool. Every sample log, gzipped, gives what sequential parsing of the plain file gives,
/// with blocks small enough to cut stack traces and separate records from their lines.
#[test]
fn every_sample_compressed_parses_identically_in_tiny_blocks() {
    use flate2::write::GzEncoder;
    let mut files = Vec::new();
    for d in ["corpus", "seed", "mutations", "inputs"] {
        common::logs_below(&Path::new(DIR).join("samples").join(d), &mut files);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let seq = options(Chunking::OFF);
    for (k, f) in files.iter().enumerate() {
        let gz = dir.path().join(format!("{k}.log.gz"));
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&std::fs::read(f).expect("read"))
            .expect("gzip");
        std::fs::write(&gz, enc.finish().expect("gzip")).expect("write");
        let (mut want_items, mut want) = parse(std::slice::from_ref(f), &seq);
        // The input's own source is named after the path read (pods keep their names).
        let (old, name) = (f.display().to_string(), gz.display().to_string());
        let renamed: Arc<str> = Arc::from(name.as_str());
        for item in &mut want_items {
            let source = match item {
                Item::Event(e) => {
                    // `k.log.gz` is no rotated part, whatever the file was.
                    if e.kind == flinkha::events::Kind::LogEnd {
                        e.fields.reason = None;
                    }
                    &mut e.source
                }
                Item::Unmatched(u) => &mut u.source,
            };
            if **source == *old {
                *source = renamed.clone();
            }
        }
        for s in &mut want.sources {
            if s.name == old {
                s.name = name.clone();
            }
        }
        for size in [1 << 10, 7 << 10, 64 << 10] {
            let got = parse(std::slice::from_ref(&gz), &options(tiny(size)));
            assert_eq!(got.1, want, "{}: summary, block size {size}", f.display());
            assert!(
                got.0 == want_items,
                "{}: items, block size {size}",
                f.display()
            );
        }
    }
}

#[test]
fn kubectl_stream_of_several_pods_parses_identically_in_tiny_chunks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pods.log");
    std::fs::write(&path, common::kubectl_stream("samples/corpus/1.20.5/happy")).expect("write");
    let inputs = [path];
    let want = parse(&inputs, &options(Chunking::OFF));
    assert_eq!(want.1.sources.len(), 3, "{:?}", want.1);
    for size in [1 << 10, 7 << 10, 64 << 10] {
        assert_eq!(
            parse(&inputs, &options(tiny(size))),
            want,
            "chunk size {size}"
        );
    }
}

#[test]
fn several_inputs_each_chunked_merge_identically() {
    let inputs = [
        Path::new(DIR).join("samples/corpus/1.20.5/zk-outage"),
        Path::new(DIR).join("samples/inputs/stacktrace.log"),
    ];
    let want = parse(&inputs, &options(Chunking::OFF));
    assert_eq!(want.1.sources.len(), 3);
    assert_eq!(parse(&inputs, &options(tiny(3 << 10))), want);
}

/// A corpus log (with stack traces) repeated to just over `bytes`, each repetition a day
/// after the one before (one log whose JobManager restarted daily, not the same run again,
/// which would be refused as several logs one after the other).
fn big_log(dir: &Path, bytes: u64) -> PathBuf {
    let src = Path::new(DIR)
        .join("samples/corpus/1.20.5/zk-outage/flink-root-standalonesession-0-vm.log");
    let one = std::fs::read_to_string(src).expect("corpus log");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    assert!(one.contains("2026-11-25 ") && !one.contains("2026-11-26"));
    let path = dir.join("big.log");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    let mut written = 0u64;
    let mut n = 0;
    while written < bytes {
        let date = (day + chrono::Days::new(n)).format("%Y-%m-%d ").to_string();
        let again = one.replace("2026-11-25 ", &date);
        f.write_all(again.as_bytes()).expect("write");
        written += again.len() as u64;
        n += 1;
    }
    f.flush().expect("flush");
    path
}

#[test]
fn big_file_at_the_default_threshold_library_and_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = big_log(dir.path(), 40 << 20);
    let size = std::fs::metadata(&path).expect("metadata").len();
    assert!(size >= pipeline::DEFAULT_CHUNK_THRESHOLD, "{size}");
    let inputs = [path.clone()];
    let want = parse(&inputs, &options(Chunking::OFF));
    let got = parse(&inputs, &options(Chunking::default()));
    assert_eq!(got.1, want.1);
    assert!(got.0 == want.0, "items differ");
    assert!(want.1.total().events > 10_000, "{:?}", want.1.total());

    // The binary chunks by default: its JSON Lines are sequential parsing's events.
    let out = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .arg("events")
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .expect("run flinkha");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut expected = String::new();
    for item in &want.0 {
        if let Item::Event(e) = item {
            if e.kind != Kind::LogEnd {
                expected.push_str(&serde_json::to_string(e).expect("json"));
                expected.push('\n');
            }
        }
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), expected.lines().count());
    assert!(
        stdout == expected,
        "binary output differs from sequential parsing"
    );

    // From standard input the binary reads blocks and parses them on the pool: the same
    // events, from source `-`.
    let mut child = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .arg("events")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run flinkha");
    let mut stdin = child.stdin.take().expect("stdin");
    let feed = std::thread::spawn({
        let path = path.clone();
        move || {
            let data = std::fs::read(&path).expect("read");
            stdin.write_all(&data).expect("write stdin");
        }
    });
    let out = child.wait_with_output().expect("wait");
    feed.join().expect("feeder");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_file = format!(
        "\"source\":{}",
        serde_json::to_string(&path.display().to_string()).expect("json")
    );
    let expected = expected.replace(&from_file, "\"source\":\"-\"");
    assert!(
        String::from_utf8_lossy(&out.stdout) == expected,
        "stdin output differs from sequential parsing"
    );
}
