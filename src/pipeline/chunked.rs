//! Parallel parsing of one large file: chunks split at line boundaries, parsed on the rayon
//! pool, taken back in file order so that the result is the one sequential parsing gives.

use super::lane::{Keyed, LaneError};
use super::sources::{LaneState, Sources, Src};
use super::{Options, PipelineError, SourceSummary};
use crate::input::{self, LineReader};
use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;

/// One entry of a chunk's output, in line order.
// Items are by far the common entry; boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
pub(super) enum Entry {
    /// The chunk's pod of this (chunk-local) index appears for the first time in the chunk.
    NewPod(usize),
    /// An item, of the chunk-local pod or (`None`) of the input's own source; its line
    /// numbers count from the chunk's start.
    Item(Option<usize>, Keyed),
}

/// What parsing one chunk yields: enough to continue the sequential state as if the chunk's
/// lines had been fed to it.
pub(super) struct ChunkOut {
    /// Items and first pod appearances, in line order, in blocks of [`ENTRY_BLOCK`]: no
    /// reallocation while the chunk is parsed, and memory given back block by block while
    /// it is taken in.
    pub(super) entries: Vec<Vec<Entry>>,
    /// The input's own source as counted within the chunk alone.
    pub(super) own: Src,
    /// Pods as counted within the chunk alone, in order of appearance in it.
    pub(super) pods: Vec<Src>,
    /// Physical lines in the chunk.
    pub(super) lines: u64,
}

/// Entries per block of [`ChunkOut::entries`] (an entry is about half a kilobyte).
pub(super) const ENTRY_BLOCK: usize = 256;

/// A chunk's entries, collected in blocks.
#[derive(Default)]
pub(super) struct Entries {
    pub(super) blocks: Vec<Vec<Entry>>,
}

impl Entries {
    pub(super) fn push(&mut self, e: Entry) {
        match self.blocks.last_mut() {
            Some(b) if b.len() < ENTRY_BLOCK => b.push(e),
            _ => {
                let mut b = Vec::with_capacity(ENTRY_BLOCK);
                b.push(e);
                self.blocks.push(b);
            }
        }
    }
}

/// Why a chunk was not parsed whole.
pub(super) enum ChunkFail {
    /// Reading failed after this many of the chunk's lines.
    Read(u64, io::Error),
    /// The input's parsing was given up (the sink failed or another input failed).
    Cancelled,
    /// The parsing task panicked.
    Panicked,
}

/// Sets the flag when dropped: tells a lane's remaining chunk tasks to stop early, however
/// the lane ends.
pub(super) struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Parse one large file in chunks split at line boundaries, at most a few chunks in flight
/// on the rayon pool, and take the results in file order into one [`LaneState`], so that
/// the items, their order and the counts are those of sequential parsing.
pub(super) fn run_chunked(
    file: input::SharedFile,
    name: Arc<str>,
    opts: &Options,
    bytes: Arc<AtomicU64>,
    abort: &AtomicBool,
    read_err: &dyn Fn(u64, io::Error) -> LaneError,
    emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
) -> Result<Vec<SourceSummary>, LaneError> {
    let shared = Arc::new(opts.clone());
    let cancel = CancelOnDrop(Arc::new(AtomicBool::new(false)));
    let chunk_size = opts.chunking.chunk_size.max(1);
    let in_flight = opts.chunking.window();
    let mut state = LaneState::new(name.clone(), opts);
    let mut pending: VecDeque<Receiver<Result<ChunkOut, ChunkFail>>> = VecDeque::new();
    // Start of the next chunk to hand out; `None` once the last one (to end of file) is out.
    let mut next = Some(0u64);
    // Lines of the chunks taken in so far.
    let mut offset = 0u64;
    loop {
        while pending.len() < in_flight {
            let Some(start) = next else { break };
            // A failed boundary search makes this chunk the last; reading it then reports
            // the error with its line.
            let end = file
                .line_start_at_or_after(start.saturating_add(chunk_size))
                .ok()
                .filter(|e| *e < file.len());
            let (tx, rx) = sync_channel(1);
            let (file, opts, name) = (file.clone(), shared.clone(), name.clone());
            let (bytes, cancel) = (bytes.clone(), cancel.0.clone());
            rayon::spawn(move || {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    parse_chunk(&file, start, end, &opts, name, bytes, &cancel)
                }));
                let _ = tx.send(r.unwrap_or(Err(ChunkFail::Panicked)));
            });
            pending.push_back(rx);
            next = end;
        }
        let Some(rx) = pending.pop_front() else { break };
        if abort.load(Ordering::Relaxed) {
            return Err(LaneError::Stopped);
        }
        match rx.recv() {
            Ok(Ok(chunk)) => {
                let n = chunk.lines;
                state.absorb(chunk, offset, emit)?;
                offset += n;
            }
            Ok(Err(ChunkFail::Read(line, e))) => return Err(read_err(offset + line, e)),
            Ok(Err(ChunkFail::Cancelled)) => return Err(LaneError::Stopped),
            Ok(Err(ChunkFail::Panicked)) | Err(_) => {
                return Err(LaneError::Fail(PipelineError::Internal(
                    "a parsing task stopped unexpectedly".to_string(),
                )))
            }
        }
    }
    state.finish(emit)
}

/// Parse the lines from byte `start` (a line start) to `end` (a line start; `None`: end of
/// file) on their own, as if they were a whole input.
pub(super) fn parse_chunk(
    file: &input::SharedFile,
    start: u64,
    end: Option<u64>,
    opts: &Options,
    name: Arc<str>,
    bytes: Arc<AtomicU64>,
    cancel: &AtomicBool,
) -> Result<ChunkOut, ChunkFail> {
    if cancel.load(Ordering::Relaxed) {
        return Err(ChunkFail::Cancelled);
    }
    let mut lines = LineReader::new(file.section(start, end, bytes));
    let mut sources = Sources::new(name, opts);
    let mut entries = Entries::default();
    loop {
        let raw = match lines.next_line() {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => return Err(ChunkFail::Read(lines.line_number(), e)),
        };
        let number = raw.number;
        let parsed = sources.line(raw);
        if let Some((i, true)) = parsed.pod {
            entries.push(Entry::NewPod(i));
        }
        for k in parsed.released {
            entries.push(Entry::Item(parsed.pod.map(|(i, _)| i), k));
        }
        if let Some(k) = parsed.item {
            entries.push(Entry::Item(parsed.pod.map(|(i, _)| i), k));
        }
        if number % 4096 == 0 && cancel.load(Ordering::Relaxed) {
            return Err(ChunkFail::Cancelled);
        }
    }
    Ok(ChunkOut {
        entries: entries.blocks,
        own: sources.own,
        pods: sources.pods,
        lines: lines.line_number(),
    })
}
