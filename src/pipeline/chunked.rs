//! Parallel parsing of one large file, or of a stream: chunks split at line boundaries (a
//! stream's blocks read by a reader thread of its own), parsed on the rayon pool, taken back in
//! order so that the result is the one sequential parsing gives.

use super::lane::{Keyed, LaneError};
use super::sources::{LaneState, Sources, Src};
use super::{Options, PipelineError, SourceSummary};
use crate::input::{self, Block, Blocks, LineReader, LineSource, TextLines};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, BufRead};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
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

/// One chunk's parsing, to run on the rayon pool.
type Job = Box<dyn FnOnce(&Options, Arc<str>, &AtomicBool) -> Result<ChunkOut, ChunkFail> + Send>;

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
    let chunk_size = opts.chunking.chunk_size.max(1);
    // Start of the next chunk to hand out; `None` once the last one (to end of file) is out.
    let mut next = Some(0u64);
    let produce = move || -> io::Result<Option<Job>> {
        let Some(start) = next else {
            return Ok(None);
        };
        // A failed boundary search makes this chunk the last; reading it then reports the
        // error with its line.
        let end = file
            .line_start_at_or_after(start.saturating_add(chunk_size))
            .ok()
            .filter(|e| *e < file.len());
        next = end;
        let (file, bytes) = (file.clone(), bytes.clone());
        Ok(Some(Box::new(move |opts, name, cancel| {
            let len = end.map_or(0, |e| e.saturating_sub(start));
            let len = usize::try_from(len).unwrap_or(0);
            let section = || file.section(start, end, bytes.clone());
            parse_file_chunk(section, len, opts, name, cancel)
        })))
    };
    drive(name, opts, abort, read_err, emit, produce)
}

/// Parse a stream (standard input, a pipe, a compressed file) the same way: a reader thread
/// reads it in blocks of whole lines ([`Blocks`]), the rayon pool parses them, and this
/// thread takes them in, so that reading (and decompressing) never waits for the checker.
pub(super) fn run_stream_chunked(
    reader: Box<dyn BufRead + Send>,
    name: Arc<str>,
    opts: &Options,
    abort: &AtomicBool,
    read_err: &dyn Fn(u64, io::Error) -> LaneError,
    emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
) -> Result<Vec<SourceSummary>, LaneError> {
    let size = usize::try_from(opts.chunking.chunk_size).unwrap_or(usize::MAX);
    // Parsed blocks come back to the reader to be filled again.
    let (give_back, spares) = std::sync::mpsc::channel::<Block>();
    let (tx, blocks) = sync_channel::<io::Result<Option<Block>>>(READ_AHEAD);
    // Not scoped: a reader blocked on a silent stream must not keep this lane from
    // returning (an error, the sink gone); it ends at its next read or send, and only then
    // drops the stream (a child process's output is closed then, not when the lane returns).
    std::thread::Builder::new()
        .name("flinkha-read".to_string())
        .spawn(move || read_blocks(Blocks::new(reader, size), &spares, &tx))
        .map_err(|e| LaneError::Fail(PipelineError::Internal(format!("no reader thread: {e}"))))?;
    let produce = move || -> io::Result<Option<Job>> {
        let block = match blocks.recv() {
            Ok(Ok(Some(b))) => b,
            Ok(Ok(None)) => return Ok(None),
            Ok(Err(e)) => return Err(e),
            // Gone without saying the stream ended (it panicked): never taken for the end.
            Err(_) => return Err(io::Error::other("the reading thread stopped unexpectedly")),
        };
        let give_back = give_back.clone();
        Ok(Some(Box::new(move |opts, name, cancel| {
            let out = parse_block(block.bytes(), opts, name, cancel);
            let _ = give_back.send(block);
            out
        })))
    };
    drive(name, opts, abort, read_err, emit, produce)
}

/// Blocks read ahead of the parsing: enough to keep the pool fed while the lane's thread
/// takes a chunk in, few enough to keep memory flat.
const READ_AHEAD: usize = 2;

/// The reader thread of [`run_stream_chunked`]: every block, then `None` at the end of the
/// stream or the error if reading fails; it stops when the lane no longer listens.
fn read_blocks<R: BufRead>(
    mut blocks: Blocks<R>,
    spares: &Receiver<Block>,
    tx: &SyncSender<io::Result<Option<Block>>>,
) {
    loop {
        let spare = spares.try_recv().unwrap_or_default();
        let next = blocks.next_block_in(spare);
        let last = !matches!(next, Ok(Some(_)));
        if tx.send(next).is_err() || last {
            return;
        }
    }
}

/// Hand out the chunks `produce` makes to the rayon pool, a few at a time, and take their
/// results in order into one [`LaneState`]. An error from `produce` (reading a stream) is
/// reported after every chunk before it, with the line it happened after.
fn drive(
    name: Arc<str>,
    opts: &Options,
    abort: &AtomicBool,
    read_err: &dyn Fn(u64, io::Error) -> LaneError,
    emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    mut produce: impl FnMut() -> io::Result<Option<Job>>,
) -> Result<Vec<SourceSummary>, LaneError> {
    let shared = Arc::new(opts.clone());
    let cancel = CancelOnDrop(Arc::new(AtomicBool::new(false)));
    let in_flight = opts.chunking.window();
    let mut state = LaneState::new(name.clone(), opts);
    let mut pending: VecDeque<Receiver<Result<ChunkOut, ChunkFail>>> = VecDeque::new();
    let mut produced_all = false;
    let mut failed: Option<io::Error> = None;
    // Lines of the chunks taken in so far.
    let mut offset = 0u64;
    loop {
        while pending.len() < in_flight && !produced_all {
            let job = match produce() {
                Ok(Some(job)) => job,
                Ok(None) => {
                    produced_all = true;
                    break;
                }
                Err(e) => {
                    produced_all = true;
                    failed = Some(e);
                    break;
                }
            };
            let (tx, rx) = sync_channel(1);
            let (opts, name, cancel) = (shared.clone(), name.clone(), cancel.0.clone());
            rayon::spawn(move || {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    job(&opts, name, &cancel)
                }));
                let _ = tx.send(r.unwrap_or(Err(ChunkFail::Panicked)));
            });
            pending.push_back(rx);
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
    if let Some(e) = failed {
        return Err(read_err(offset, e));
    }
    state.finish(emit)
}

/// Parse one chunk of a file (of `len` bytes, 0: unknown), read whole into this thread's
/// buffer first (kept for its next chunk) and parsed by [`parse_block`]. When reading fails,
/// the chunk is read again line by line, so that the error names the last whole line before
/// it.
fn parse_file_chunk<R: BufRead>(
    section: impl Fn() -> R,
    len: usize,
    opts: &Options,
    name: Arc<str>,
    cancel: &AtomicBool,
) -> Result<ChunkOut, ChunkFail> {
    thread_local! {
        static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    BUF.with(|buf| {
        // Never held across another chunk's parsing on this thread, but a fresh buffer is
        // the answer if it ever were.
        let mut own = Vec::new();
        let mut held = buf.try_borrow_mut().ok();
        let buf = held.as_deref_mut().unwrap_or(&mut own);
        match read_whole(section(), len, buf) {
            Ok(n) => parse_block(buf.get(..n).unwrap_or(&[]), opts, name, cancel),
            Err(_) => parse_chunk(LineReader::new(section()), opts, name, cancel),
        }
    })
}

/// Read `r` to its end into `buf`, from its start; returns the bytes read. `len` is the
/// length expected (one byte more is room to see the end). The buffer keeps its length
/// between calls: memory zeroed once is not zeroed again for every chunk (`read_to_end`
/// would zero its spare capacity each time, which cost more than the UTF-8 check saves).
fn read_whole(mut r: impl BufRead, len: usize, buf: &mut Vec<u8>) -> io::Result<usize> {
    if buf.len() <= len {
        buf.resize(len + 1, 0);
    }
    let mut n = 0;
    loop {
        if n == buf.len() {
            let more = buf.len().max(1 << 16);
            buf.resize(buf.len() + more, 0);
        }
        match r.read(buf.get_mut(n..).unwrap_or(&mut [])) {
            Ok(0) => return Ok(n),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Parse one chunk in memory: validated as UTF-8 once, its lines then carry their text
/// ([`TextLines`]); a chunk that is not valid UTF-8 as a whole is read line by line.
pub(super) fn parse_block(
    block: &[u8],
    opts: &Options,
    name: Arc<str>,
    cancel: &AtomicBool,
) -> Result<ChunkOut, ChunkFail> {
    match simdutf8::basic::from_utf8(block) {
        Ok(text) => parse_chunk(TextLines::new(text), opts, name, cancel),
        Err(_) => parse_chunk(LineReader::new(block), opts, name, cancel),
    }
}

/// Parse the lines of one chunk on their own, as if they were a whole input.
pub(super) fn parse_chunk(
    mut lines: impl LineSource,
    opts: &Options,
    name: Arc<str>,
    cancel: &AtomicBool,
) -> Result<ChunkOut, ChunkFail> {
    if cancel.load(Ordering::Relaxed) {
        return Err(ChunkFail::Cancelled);
    }
    // A name of the chunk's own: every event holds it, and a reference count shared by
    // the chunks parsed at once and by the lane thread dropping their events would be
    // one cache line written by every thread for every event.
    let name: Arc<str> = Arc::from(&*name);
    let mut sources = Sources::new(name, opts);
    sources.lend_text = lines.held_text().is_some();
    // Where the last record of each source lent its text: (start, end) in the held text,
    // for the input's own source and per pod.
    let mut lent_own = None;
    let mut lent_pods: Vec<Option<(usize, usize)>> = Vec::new();
    let mut entries = Entries::default();
    loop {
        let raw = match lines.next_line() {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => return Err(ChunkFail::Read(lines.line_number(), e)),
        };
        let number = raw.number;
        let parsed = sources.line(raw);
        if let Some((src, len)) = parsed.lent {
            let end = lines.last_line_end();
            let span = Some((end.saturating_sub(len), end));
            match src {
                None => lent_own = span,
                Some(i) => {
                    if lent_pods.len() <= i {
                        lent_pods.resize(i + 1, None);
                    }
                    if let Some(slot) = lent_pods.get_mut(i) {
                        *slot = span;
                    }
                }
            }
        }
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
    let text = lines.held_text().unwrap_or("");
    let fill = |src: &mut Src, span: Option<(usize, usize)>| {
        if std::mem::take(&mut src.last_text_lent) {
            let lent = span.and_then(|(start, end)| text.get(start..end));
            src.last_text = lent.unwrap_or_default().to_string();
        }
    };
    fill(&mut sources.own, lent_own);
    for (i, p) in sources.pods.iter_mut().enumerate() {
        fill(p, lent_pods.get(i).copied().flatten());
    }
    Ok(ChunkOut {
        entries: entries.blocks,
        own: sources.own,
        pods: sources.pods,
        lines: lines.line_number(),
    })
}
