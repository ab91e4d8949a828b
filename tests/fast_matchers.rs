//! The hand matchers against the regex path, end to end: every log under `samples/` (every
//! layout, collector and store format included) parsed by the pipeline with the fast path
//! and with `Grammar::use_regex_only` gives the same items (events with their fields and
//! evidence, unmatched records), in the same order, and the same counts. The real binary's
//! `events` output (JSON lines, and `--unmatched`) is compared byte for byte with `--regex-only` on a set of
//! corpus directories. (`src/grammar/equivalence.rs` holds the template-level comparison:
//! every template's samples and seeded mutations of them.)

mod common;

use flinkha::envelope::Zone;
use flinkha::events::Kind;
use flinkha::grammar::Grammar;
use flinkha::pipeline::{self, Chunking, Item, Options};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

fn options(regex_only: bool) -> Options {
    let mut grammar = Grammar::builtin().expect("built-in grammar");
    grammar.use_regex_only(regex_only);
    Options {
        zone: Zone::Utc,
        grammar: Arc::new(grammar),
        want_unmatched: true,
        progress: false,
        follow: false,
        chunking: Chunking::OFF,
        input_format: Default::default(),
    }
}

/// The items of one input, each rendered in full (`Debug`: every field, text and number).
fn items(path: &Path, opts: &Options) -> Result<(Vec<String>, String), String> {
    let mut out = Vec::new();
    let summary = pipeline::run(&[path.to_path_buf()], opts, &mut |i| {
        out.push(format!("{i:?}"));
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok((out, format!("{summary:?}")))
}

#[test]
fn every_sample_gives_the_same_items_on_both_paths() {
    let fast = options(false);
    let regex = options(true);
    let mut files = Vec::new();
    common::logs_below(&Path::new(DIR).join("samples"), &mut files);
    assert!(
        files.len() >= 100,
        "only {} sample files found",
        files.len()
    );
    let (mut events, mut unmatched, mut kinds) = (0usize, 0usize, Vec::<Kind>::new());
    for f in &files {
        let a = items(f, &fast);
        let b = items(f, &regex);
        match (&a, &b) {
            (Ok((ia, sa)), Ok((ib, sb))) => {
                for (n, (x, y)) in ia.iter().zip(ib).enumerate() {
                    assert_eq!(x, y, "{}: item {n}, fast vs regex", f.display());
                }
                assert_eq!(ia.len(), ib.len(), "{}: item count", f.display());
                assert_eq!(sa, sb, "{}: summary", f.display());
            }
            // A file the pipeline refuses (a bad-input sample) is refused alike.
            _ => assert_eq!(a, b, "{}", f.display()),
        }
        let mut got = Vec::new();
        let _ = pipeline::run(std::slice::from_ref(f), &fast, &mut |i| {
            got.push(i);
            Ok(())
        });
        for i in got {
            match i {
                Item::Event(e) => {
                    events += 1;
                    if !kinds.contains(&e.kind) {
                        kinds.push(e.kind);
                    }
                }
                Item::Unmatched(_) => unmatched += 1,
            }
        }
    }
    // Not vacuous: the samples hold many events of many kinds, and a few unmatched records
    // (of watched loggers); the ignored ones are in the compared summaries.
    eprintln!(
        "{} files: {events} events of {} kinds, {unmatched} unmatched",
        files.len(),
        kinds.len()
    );
    assert!(events > 10_000, "{events} events");
    assert!(kinds.len() >= 40, "{} kinds: {kinds:?}", kinds.len());
    assert!(unmatched > 0, "no unmatched records");
}

fn events_json(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(["events", "--no-progress"])
        .args(args)
        .output()
        .expect("run flinkha");
    assert!(
        out.status.success(),
        "flinkha events {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn the_binary_prints_the_same_events_with_regex_only() {
    for dir in [
        "samples/corpus",
        "samples/corpus-k8s",
        "samples/corpus-k8s-app",
        "samples/corpus-app",
        "samples/full",
    ] {
        let path = Path::new(DIR).join(dir);
        let path = path.to_str().expect("UTF-8 path");
        let fast = events_json(&[path]);
        let regex = events_json(&["--regex-only", path]);
        assert!(
            fast.len() > 10_000,
            "{dir}: only {} bytes of events",
            fast.len()
        );
        assert!(fast == regex, "{dir}: fast and --regex-only events differ");
        let fast = events_json(&["--unmatched", path]);
        let regex = events_json(&["--unmatched", "--regex-only", path]);
        assert!(
            fast == regex,
            "{dir}: fast and --regex-only unmatched records differ"
        );
    }
}
