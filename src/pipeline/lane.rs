//! One input parsed to the end (sequentially, or in chunks for a large file), its items keyed
//! for ordering.

use super::chunked::{run_chunked, run_stream_chunked};
use super::sources::LaneState;
use super::{Item, Options, PipelineError, SourceSummary};
use crate::envelope;
use crate::input::document::{self, DocError};
use crate::input::{Decoder, Input, InputFormat, LineReader, SharedFile};
use chrono::{DateTime, Utc};
use std::cmp::Ordering as CmpOrdering;
use std::io::{self, BufRead, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// How a reader lane ended early.
pub(super) enum LaneError {
    /// The consumer went away (sink error elsewhere, or abort): not an error of this lane.
    Stopped,
    /// A real error.
    Fail(PipelineError),
}

impl LaneError {
    pub(super) fn into_error(self) -> PipelineError {
        match self {
            LaneError::Fail(e) => e,
            LaneError::Stopped => PipelineError::Internal("stopped".to_string()),
        }
    }
}

/// An item with its order key within one input.
pub(super) struct Keyed {
    pub(super) ts: DateTime<Utc>,
    pub(super) line: u64,
    /// 0 for a record's own item, 1 for the `log_end` after it.
    pub(super) sub: u8,
    /// Boxed: an item is about half a kilobyte, and it moves through the chunk buffers,
    /// the reorder buffer and the merge; a pointer moves cheaply.
    pub(super) item: Box<Item>,
}

impl PartialEq for Keyed {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == CmpOrdering::Equal
    }
}
impl Eq for Keyed {}
impl PartialOrd for Keyed {
    fn partial_cmp(&self, o: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(o))
    }
}
impl Ord for Keyed {
    fn cmp(&self, o: &Self) -> CmpOrdering {
        (self.ts, self.line, self.sub).cmp(&(o.ts, o.line, o.sub))
    }
}

/// Parse one input to the end, handing items (in this input's time order) to `emit`. A
/// large regular file is parsed in chunks on the rayon pool ([`Chunking`]).
pub(super) fn run_lane(
    inp: Input,
    opts: &Options,
    bytes: Arc<AtomicU64>,
    abort: &AtomicBool,
    emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
) -> Result<Vec<SourceSummary>, LaneError> {
    let name = inp.name.clone();
    // Standard input and streams have no path: their name (`-`, a pod) stands in.
    let path = inp
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from(&*inp.name));
    let read_err = |line: u64, error: io::Error| {
        LaneError::Fail(PipelineError::Read {
            path: path.clone(),
            line,
            error,
        })
    };
    // Never from inside the pool: waiting there for the pool's own tasks could deadlock.
    // Nor with a named zone: a chunk has no clock to read the repeated hour of a
    // daylight-saving change by.
    let chunked = !opts.follow
        && !matches!(opts.zone, crate::envelope::Zone::Named(_))
        && inp.size.is_some_and(|s| s >= opts.chunking.threshold)
        && rayon::current_thread_index().is_none();
    let file = chunked.then(|| inp.shared_file()).flatten();
    if let Some(file) = file.filter(|f| plain_head(f, opts)) {
        return run_chunked(file, name, opts, bytes, abort, &read_err, emit);
    }
    // A stream (standard input, a pipe) or a large compressed file: read in blocks by a
    // reader thread, parsed on the pool. Small regular files are parsed at once, in this
    // thread.
    let stream = !opts.follow
        && opts.chunking.threshold != u64::MAX
        && rayon::current_thread_index().is_none()
        && inp.size.map_or(true, |s| s >= opts.chunking.threshold);
    let reader = inp.into_reader(bytes).map_err(|e| read_err(0, e))?;
    let (mut reader, is_document) = sniff_document(reader, opts).map_err(|e| read_err(0, e))?;
    if is_document {
        return run_document(reader, name, opts, abort, &path, &read_err, emit);
    }
    if stream && stream_plain_head(&mut reader, opts).map_err(|e| read_err(0, e))? {
        return run_stream_chunked(reader, name, opts, abort, &read_err, emit);
    }
    let mut lines = LineReader::new(reader);
    let mut state = LaneState::new(name, opts);
    loop {
        let raw = match lines.next_line() {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                let n = lines.line_number();
                return Err(read_err(n, e));
            }
        };
        let number = raw.number;
        state.line(raw, emit)?;
        if number % 4096 == 0 && abort.load(Ordering::Relaxed) {
            return Err(LaneError::Stopped);
        }
    }
    state.finish(emit)
}

/// Whether a large file starts like the application's own lines (or kubectl-decorated
/// ones), which are read the same whichever chunk they fall in; a collector's layout joins
/// partial lines and recognises stern's names across lines, and a document is read whole,
/// so those files are read front to back.
fn plain_head(file: &SharedFile, opts: &Options) -> bool {
    let mut buf = vec![0u8; 4096];
    let mut got = 0;
    while let Some(rest) = buf.get_mut(got..).filter(|r| !r.is_empty()) {
        match file.read_at(rest, got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
    let head = buf.get(..got).unwrap_or(&[]);
    if may_be_document(opts) && document::sniff(head, true) == Some(true) {
        return false;
    }
    plain_first_line(head, opts)
}

/// [`plain_head`] for a stream that is not a document: its buffered first line tells
/// whether its blocks may be parsed apart (a first read without a whole line: read it
/// front to back, as a collector's layout would be).
fn stream_plain_head(reader: &mut Box<dyn BufRead + Send>, opts: &Options) -> io::Result<bool> {
    loop {
        match reader.fill_buf() {
            Ok(b) => return Ok(memchr::memchr(b'\n', b).is_some() && plain_first_line(b, opts)),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Whether the first line of `head` is the application's own (or a kubectl-decorated) line
/// and no collector's layout.
fn plain_first_line(head: &[u8], opts: &Options) -> bool {
    let first = match memchr::memchr(b'\n', head) {
        Some(p) => head.get(..p).unwrap_or(head),
        None => head,
    };
    let first = String::from_utf8_lossy(first);
    let mut decoder = Decoder::new(opts.input_format);
    let is_record = |m: &str| envelope::parse_line(m, &opts.zone).is_some();
    decoder.decode(&first).is_none()
        && (is_record(&first) || decoder.detect_stern(&first, is_record).is_none())
}

/// Whether inputs may be whole JSON documents with this `--input-format`.
fn may_be_document(opts: &Options) -> bool {
    match opts.input_format {
        InputFormat::Auto => true,
        InputFormat::Plain => false,
        InputFormat::Only(l) => !l.in_time_order(),
    }
}

/// Whether the input is a whole JSON document (by its first bytes, read as far as needed to
/// tell); the reader to go on with, holding those bytes again.
fn sniff_document(
    mut reader: Box<dyn BufRead + Send>,
    opts: &Options,
) -> io::Result<(Box<dyn BufRead + Send>, bool)> {
    if !may_be_document(opts) {
        return Ok((reader, false));
    }
    let first = loop {
        match reader.fill_buf() {
            Ok(b) => break document::sniff(b, b.is_empty()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    };
    if let Some(d) = first {
        return Ok((reader, d));
    }
    // The first read was too short to tell (a slow pipe): gather a little more.
    let mut head = Vec::new();
    let decision = loop {
        let n = {
            let b = match reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if b.is_empty() {
                break document::sniff(&head, true).unwrap_or(false);
            }
            let n = b.len().min(4096usize.saturating_sub(head.len()).max(1));
            head.extend_from_slice(b.get(..n).unwrap_or(b));
            n
        };
        reader.consume(n);
        if let Some(d) = document::sniff(&head, false) {
            break d;
        }
        if head.len() >= 4096 {
            break false;
        }
    };
    let joined: Box<dyn BufRead + Send> = Box::new(io::Cursor::new(head).chain(reader));
    Ok((joined, decision))
}

/// A whole JSON document, entry by entry.
fn run_document(
    reader: Box<dyn BufRead + Send>,
    name: Arc<str>,
    opts: &Options,
    abort: &AtomicBool,
    path: &std::path::Path,
    read_err: &dyn Fn(u64, io::Error) -> LaneError,
    emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
) -> Result<Vec<SourceSummary>, LaneError> {
    let mut state = LaneState::new(name, opts);
    let read = document::read(reader, &mut |e| {
        if e.number % 4096 == 0 && abort.load(Ordering::Relaxed) {
            return Err(LaneError::Stopped);
        }
        state.entry(e, emit)
    });
    match read {
        Ok(_) => state.finish(emit),
        Err(DocError::Stopped(e)) => Err(e),
        Err(DocError::Io(e)) => Err(read_err(state.sources.own.sum.lines, e)),
        Err(DocError::Syntax {
            line,
            column,
            entries,
            reason,
        }) => Err(LaneError::Fail(PipelineError::Document {
            path: path.to_path_buf(),
            line,
            column,
            entries,
            reason,
        })),
    }
}
