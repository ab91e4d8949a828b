//! What the pipeline targets share: the built-in grammar compiled once, and a run of the
//! whole pipeline on in-memory inputs that checks the per-source accounting.

use flinkha::envelope::Zone;
use flinkha::events::Kind;
use flinkha::grammar::Grammar;
use flinkha::input::{document, Input};
use flinkha::pipeline::{run_inputs, Chunking, Inputs, Item, Options, PipelineError, Summary};
use std::sync::{Arc, OnceLock};

/// The built-in grammars, compiled on first use.
pub fn grammar() -> Arc<Grammar> {
    static G: OnceLock<Arc<Grammar>> = OnceLock::new();
    G.get_or_init(|| Arc::new(Grammar::builtin().expect("built-in grammar compiles")))
        .clone()
}

/// Run the pipeline over `inputs` (name, bytes); every item, and the summary. Checks that
/// every line is accounted for exactly once and that every source that had a record ends
/// with one `log_end`.
pub fn run(inputs: Vec<(String, Vec<u8>)>, zone: Zone, follow: bool) -> (Vec<Item>, Summary) {
    let opts = Options {
        zone,
        grammar: grammar(),
        want_unmatched: true,
        progress: false,
        follow,
        chunking: Chunking::OFF,
        input_format: Default::default(),
    };
    // A JSON document (a log store's export) counts its entries, not its physical lines,
    // and may be broken: that is an error naming the input, not a panic.
    // A UTF-16 input (by its byte order mark) is read as its UTF-8 transcoding: its lines,
    // and whether it is a document, are those of that text.
    let texts: Vec<Vec<u8>> = inputs
        .iter()
        .map(|(_, b)| utf16_as_utf8(b).unwrap_or_else(|| b.clone()))
        .collect();
    let documents = texts
        .iter()
        .any(|b| document::sniff(b, true) == Some(true));
    // A gzip input (by its magic bytes) counts the lines it decompresses to, and a corrupt or
    // truncated one is an error naming it: what it held is unknown.
    let gzips = inputs.iter().any(|(_, b)| b.starts_with(&[0x1f, 0x8b]));
    let lines: u64 = texts.iter().map(|b| physical_lines(b)).sum();
    let names: Vec<String> = inputs.iter().map(|(n, _)| n.clone()).collect();
    let opened = inputs
        .into_iter()
        .map(|(name, bytes)| Input::from_bytes(&name, bytes))
        .collect();
    let inputs = Inputs { opened, more: None };
    let mut items = Vec::new();
    let summary = match run_inputs(inputs, &opts, &mut |i| {
        items.push(i);
        Ok(())
    }) {
        Ok(s) => s,
        Err(PipelineError::Document { path, .. }) if documents => {
            let path = path.to_string_lossy();
            assert!(names.iter().any(|n| *n == path), "the error names its input: {path}");
            return (items, Summary::default());
        }
        Err(PipelineError::Read { path, .. }) if gzips => {
            let path = path.to_string_lossy();
            assert!(names.iter().any(|n| *n == path), "the error names its input: {path}");
            return (items, Summary::default());
        }
        // Several logs one after the other in one input (its time going back a minute, or
        // a process starting before the one before it ended) are refused, naming the input
        // and the line: what came before the error was delivered in order.
        Err(PipelineError::Unordered { input, reason }) => {
            assert!(
                names.iter().any(|n| input.starts_with(n.as_str())),
                "the error names its input: {input}"
            );
            assert!(reason.contains(" line "), "the error names the line: {reason}");
            return (items, Summary::default());
        }
        Err(e) => panic!("in-memory inputs cannot fail to read: {e:?}"),
    };
    if !documents && !gzips {
        assert_eq!(summary.total().lines, lines, "every physical line is counted");
    }
    for s in &summary.sources {
        assert_eq!(
            s.lines,
            s.records + s.continuation_lines + s.unparseable,
            "{s:?}"
        );
        assert!(s.events + s.unmatched + s.ignored <= s.records, "{s:?}");
    }
    // One `log_end` per source with records (sources of several inputs may share a name:
    // the same pod in two `kubectl logs` files).
    let mut names: Vec<&str> = summary.sources.iter().filter(|s| s.records > 0).map(|s| s.name.as_str()).collect();
    let mut ends: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            Item::Event(e) if e.kind == Kind::LogEnd => Some(&*e.source),
            _ => None,
        })
        .collect();
    names.sort_unstable();
    ends.sort_unstable();
    assert_eq!(names, ends);
    (items, summary)
}

/// Lines as the line reader counts them: a last line without newline counts.
/// The UTF-8 text of bytes led by a UTF-16 byte order mark (lone surrogates and a last odd
/// byte as U+FFFD), `None` for other bytes.
fn utf16_as_utf8(b: &[u8]) -> Option<Vec<u8>> {
    let little = match b {
        [0xff, 0xfe, ..] => true,
        [0xfe, 0xff, ..] => false,
        _ => return None,
    };
    let body = b.get(2..)?;
    let units = body.chunks_exact(2).map(|p| match little {
        true => u16::from_le_bytes([p[0], p[1]]),
        false => u16::from_be_bytes([p[0], p[1]]),
    });
    let mut text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if body.len() % 2 == 1 {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    Some(text.into_bytes())
}

pub fn physical_lines(b: &[u8]) -> u64 {
    let n = b.iter().filter(|&&c| c == b'\n').count() as u64;
    n + u64::from(!b.is_empty() && b.last() != Some(&b'\n'))
}
