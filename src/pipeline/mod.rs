//! Wiring input, envelope and grammar into one time-ordered event stream.
//!
//! Per source: physical lines → kubectl decorations off → [`crate::envelope::parse_line`] → records
//! (a line that is no record start continues the previous record of its source) →
//! [`crate::grammar::Grammar::classify`] on the first message line → [`Item`]s. Each input is parsed lazily
//! (one thread per input when there are several), passes a small reorder buffer, and all
//! inputs are merged by timestamp (ties: input order, then line order). Memory stays flat in
//! the input size: only events travel, never whole files.
//!
//! One large regular file is parsed in parallel ([`Chunking`]): chunks split at line
//! boundaries are parsed on the rayon pool, each on its own as if it were a whole input, a
//! few at a time; their items are then taken in file order, with line numbers shifted,
//! pods matched by name, and lines before a chunk's first record counted as continuation
//! lines when an earlier chunk had a record. The items pass the same reorder buffer in the
//! same order as in sequential parsing, so the output is identical.
//!
//! One input can hold several sources: `kubectl logs --prefix` puts the pod in front of every
//! line, and each pod becomes a source of its own. `kubectl logs` without `-f` writes one pod
//! after the other, so such a stream is reordered as a whole (only its events are held, up to
//! [`POD_STREAM_CAP`]).
//!
//! Lines that a collector or log store wrapped (CRI, Docker json-file, stern, Loki,
//! Elasticsearch, Fluent Bit, gcloud, CloudWatch; see [`crate::input::Layout`]) are
//! recognised per line like kubectl's decorations; their pod becomes the source, their
//! instant the record's; a store's lines are put in time order first (`order`), partial
//! lines joined (`join`). Whole JSON documents (a search response, a Loki response, gcloud's
//! array, CloudWatch's events) are streamed entry by entry into the same way.
//!
//! A source's clock only moves forward: that decides how to read a local time shown twice
//! when daylight saving time ends (`clock`). Large files are therefore not chunked with a
//! named `--tz`: a chunk would start without its source's clock.
//!
//! Files, one job each: `sources` (per-line parsing of one input's sources), `clock` (reading
//! ambiguous local times by the source's order), `wrapped` (the way of a wrapped line),
//! `order` (a store's lines into time order), `join` (partial lines), `reorder` (the
//! per-input reorder buffer), `lane` (one input parsed to the end), `chunked` (one large file
//! in parallel chunks), `merge` (several inputs merged by time, also while following), `item` /
//! `summary` / `error` (what the pipeline hands out), `progress` (the stderr line).
//!
//! Inputs need not be files: any byte stream is an [`Input`] (a child process's output:
//! [`crate::input::child`]; bytes in memory: [`Input::from_bytes`]), and in follow mode new
//! inputs may join while the pipeline runs ([`Inputs::more`]), each read from its first line.

mod chunked;
mod clock;
mod error;
mod item;
mod join;
mod lane;
mod merge;
mod order;
mod progress;
mod reorder;
mod sources;
mod summary;
mod wrapped;

pub use error::PipelineError;
pub use item::{Item, Unmatched};
pub use merge::{FOLLOW_HOLD, FOLLOW_START_HOLD};
pub use summary::{SourceSummary, Summary};

use crate::envelope::Zone;
use crate::grammar::Grammar;
use crate::input::{self, Input, InputFormat};
use lane::{run_lane, Keyed, LaneError};
use merge::{deliver_follow, deliver_merged, Batcher, FollowMsg, FollowOut};
use progress::progress_loop;
use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::Duration;

/// At most this many events wait in one input's reorder buffer.
pub const REORDER_CAP: usize = 4096;

/// Events whose timestamp is more than this older than the newest one seen in the same input
/// leave the reorder buffer.
pub const REORDER_WINDOW_MS: i64 = 2_000;

/// At most this many events of a multi-pod `kubectl --prefix` stream are held to sort the
/// pods, which `kubectl logs` (without `-f`) writes one after the other, into time order.
pub const POD_STREAM_CAP: usize = 1 << 18;

/// How the pipeline runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Zone of log timestamps that carry none.
    pub zone: Zone,
    /// The compiled grammar that turns records into events.
    pub grammar: Arc<Grammar>,
    /// Deliver records of watched loggers that matched no template as [`Item::Unmatched`]
    /// (they are counted either way).
    pub want_unmatched: bool,
    /// Show a progress line on stderr (only ever when stderr is a terminal).
    pub progress: bool,
    /// Streaming (`kubectl logs -f`): deliver every item as soon as its record starts, in
    /// arrival order, with no reordering. The sink should flush what it writes.
    pub follow: bool,
    /// When and how one large file is parsed in parallel chunks.
    pub chunking: Chunking,
    /// Which collector and store layouts are recognised (`--input-format`).
    pub input_format: InputFormat,
}

/// Parallel parsing of one large file or stream: a regular, uncompressed file of at least
/// `threshold` bytes is cut into chunks of about `chunk_size` bytes at line boundaries; a
/// stream (standard input, a pipe) or a compressed file of at least `threshold` bytes is
/// read in blocks of whole lines of about `chunk_size` bytes; either way the pieces are
/// parsed on the rayon pool and stitched back in order (never with `follow`, nor when
/// `threshold` is `u64::MAX`). The result is the one sequential parsing gives: same items,
/// same order, same line numbers, same counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunking {
    /// Files smaller than this many bytes are parsed sequentially (`u64::MAX`: always).
    pub threshold: u64,
    /// Bytes per chunk (a chunk ends at the first line end at or after that many bytes).
    pub chunk_size: u64,
    /// Chunks parsed or waiting to be taken in at once, bounding memory; 0: twice the
    /// number of rayon threads, but no more than [`DEFAULT_BYTES_IN_FLIGHT`] of input.
    pub in_flight: usize,
}

impl Chunking {
    /// Never chunk: every input is parsed sequentially.
    pub const OFF: Chunking = Chunking {
        threshold: u64::MAX,
        chunk_size: DEFAULT_CHUNK_SIZE,
        in_flight: 0,
    };

    /// The number of chunks in flight: [`Chunking::in_flight`], or its automatic value.
    fn window(&self) -> usize {
        match self.in_flight {
            0 => {
                let by_bytes = DEFAULT_BYTES_IN_FLIGHT / self.chunk_size.max(1);
                let by_bytes = usize::try_from(by_bytes).unwrap_or(usize::MAX).max(2);
                (2 * rayon::current_num_threads()).clamp(2, by_bytes)
            }
            n => n,
        }
    }
}

impl Default for Chunking {
    /// Files of 32 MiB and more, in chunks of 2 MiB, twice as many in flight as threads
    /// (at most 16 MiB of input).
    fn default() -> Self {
        Chunking {
            threshold: DEFAULT_CHUNK_THRESHOLD,
            chunk_size: DEFAULT_CHUNK_SIZE,
            in_flight: 0,
        }
    }
}

/// Default [`Chunking::threshold`]: smaller files parse in well under a second anyway.
pub const DEFAULT_CHUNK_THRESHOLD: u64 = 32 << 20;

/// Default [`Chunking::chunk_size`]. A chunk's events are held until it is taken in
/// (about 0.6 MiB of events per MiB of a checkpoint-heavy log), and each parsing thread
/// keeps one file chunk's bytes (read whole, to check its UTF-8 once), so memory grows with
/// the chunk size, while speed does not: on two cores, with four chunks in flight, 1, 2, 4
/// and 8 MiB chunks parsed the 1 GiB benchmark log equally fast (1.6 s against 2.2 s
/// sequentially), at 26, 29, 34 and 42 MiB peak RSS (measured before chunks were read
/// whole).
pub const DEFAULT_CHUNK_SIZE: u64 = 2 << 20;

/// Input bytes in flight at most when [`Chunking::in_flight`] is automatic: keeps memory
/// flat on machines with many cores.
pub const DEFAULT_BYTES_IN_FLIGHT: u64 = 16 << 20;

/// Read `inputs` (files, directories, `.gz`, `-` / nothing for stdin), and hand every item
/// to `sink` in time order (with `follow`, as soon as the inputs allow: see
/// [`run_inputs`]). Every input is opened before any is read. Returns the per-source counts.
pub fn run(
    inputs: &[PathBuf],
    opts: &Options,
    sink: &mut dyn FnMut(Item) -> io::Result<()>,
) -> Result<Summary, PipelineError> {
    let opened = input::resolve(inputs)?;
    run_inputs(Inputs { opened, more: None }, opts, sink)
}

/// What [`run_inputs`] reads: inputs opened already, and inputs that appear while it runs.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Read from their first line.
    pub opened: Vec<Input>,
    /// More inputs, each read from its first line once received, until every sender is
    /// dropped: how a source that appears later (a new pod, a restarted container) joins a
    /// followed story. Without `follow`, all of them are received before reading starts,
    /// since the merge by time needs every input from its beginning.
    pub more: Option<Receiver<Input>>,
}

/// Read `inputs` and hand every item to `sink`: in time order (a k-way merge of the
/// inputs), or with `follow` in time order as far as the inputs have spoken, each item as
/// soon as no open input that is not silent could still precede it (an input quiet for
/// [`merge::FOLLOW_HOLD`] holds the others back no longer). Returns the per-source counts,
/// in the order the inputs were received.
pub fn run_inputs(
    inputs: Inputs,
    opts: &Options,
    sink: &mut dyn FnMut(Item) -> io::Result<()>,
) -> Result<Summary, PipelineError> {
    let Inputs {
        mut opened,
        mut more,
    } = inputs;
    if !opts.follow {
        if let Some(rx) = more.take() {
            opened.extend(rx.iter());
        }
    }
    let bytes = Arc::new(AtomicU64::new(0));
    let total: Option<u64> = if more.is_some() {
        None
    } else {
        opened.iter().map(|i| i.size).sum()
    };
    let show_progress = opts.progress && io::stderr().is_terminal();
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let progress = show_progress.then(|| {
            let (bytes, done) = (bytes.clone(), &done);
            s.spawn(move || progress_loop(&bytes, total, done))
        });
        let result = if opened.len() == 1 && more.is_none() {
            run_single(opened, opts, &bytes, sink)
        } else if opts.follow {
            run_followed(opened, more, opts, &bytes, sink)
        } else {
            run_merged(opened, opts, &bytes, sink)
        };
        done.store(true, Ordering::Relaxed);
        if let Some(p) = progress {
            p.thread().unpark();
            let _ = p.join();
        }
        result.map(|sources| Summary { sources })
    })
}

/// One input: parse and deliver in the calling thread (no channel, least latency).
fn run_single(
    mut resolved: Vec<Input>,
    opts: &Options,
    bytes: &Arc<AtomicU64>,
    sink: &mut dyn FnMut(Item) -> io::Result<()>,
) -> Result<Vec<SourceSummary>, PipelineError> {
    let Some(inp) = resolved.pop() else {
        return Ok(Vec::new());
    };
    let never = AtomicBool::new(false);
    let mut emit = |k: Keyed| sink(*k.item).map_err(|e| LaneError::Fail(PipelineError::Sink(e)));
    run_lane(inp, opts, bytes.clone(), &never, &mut emit).map_err(LaneError::into_error)
}

/// Several inputs: one reader thread per input feeding a bounded channel of event batches,
/// k-way merged here by (timestamp, input, line).
fn run_merged(
    resolved: Vec<Input>,
    opts: &Options,
    bytes: &Arc<AtomicU64>,
    sink: &mut dyn FnMut(Item) -> io::Result<()>,
) -> Result<Vec<SourceSummary>, PipelineError> {
    let n = resolved.len();
    // Bound the events in flight whatever the number of inputs.
    let batch = (65_536 / n.max(1)).clamp(16, 1024);
    let abort = AtomicBool::new(false);
    std::thread::scope(|s| {
        let mut handles = Vec::with_capacity(n);
        let mut receivers: Vec<Receiver<Vec<Keyed>>> = Vec::with_capacity(n);
        for inp in resolved {
            let (tx, rx) = sync_channel::<Vec<Keyed>>(2);
            receivers.push(rx);
            let (abort, bytes) = (&abort, bytes.clone());
            handles.push(s.spawn(move || {
                let mut out = Batcher {
                    tx,
                    buf: Vec::with_capacity(batch),
                    size: batch,
                };
                let r = run_lane(inp, opts, bytes, abort, &mut |k| out.push(k))
                    .and_then(|sums| out.flush().map(|()| sums));
                if r.is_err() {
                    abort.store(true, Ordering::Relaxed);
                }
                r
            }));
        }
        let delivered = deliver_merged(receivers, sink);
        if delivered.is_err() {
            abort.store(true, Ordering::Relaxed);
        }
        let mut first_err = delivered.err();
        let sources = join_lanes(handles, &mut first_err);
        match first_err {
            Some(e) => Err(e),
            None => Ok(sources),
        }
    })
}

/// `follow` with several inputs, or with inputs still to come: one reader thread per input
/// (a new one for each input received from `more`), every item sent on at once to the
/// follow-mode merge ([`deliver_follow`]).
fn run_followed(
    opened: Vec<Input>,
    more: Option<Receiver<Input>>,
    opts: &Options,
    bytes: &Arc<AtomicU64>,
    sink: &mut dyn FnMut(Item) -> io::Result<()>,
) -> Result<Vec<SourceSummary>, PipelineError> {
    let abort = &AtomicBool::new(false);
    let (tx, rx) = sync_channel::<FollowMsg>(1024);
    std::thread::scope(|s| {
        // Every lane is announced before it runs (the opened ones before any of them runs),
        // so that the merge waits for its first line.
        let start = move |lane: usize, inp: Input, tx: SyncSender<FollowMsg>| {
            let bytes = bytes.clone();
            s.spawn(move || {
                let mut out = FollowOut {
                    lane,
                    tx: tx.clone(),
                };
                let r = run_lane(inp, opts, bytes, abort, &mut |k| out.push(k));
                if r.is_err() {
                    abort.store(true, Ordering::Relaxed);
                }
                let _ = tx.send(FollowMsg::End(lane));
                r
            })
        };
        let first = opened.len();
        for lane in 0..first {
            // The receiver is alive until this scope ends.
            let _ = tx.send(FollowMsg::Start(lane));
        }
        let mut handles = Vec::with_capacity(first);
        for inp in opened {
            handles.push(start(handles.len(), inp, tx.clone()));
        }
        let feeder = more.map(|more| {
            let tx = tx.clone();
            s.spawn(move || {
                let mut fed = Vec::new();
                while !abort.load(Ordering::Relaxed) {
                    match more.recv_timeout(Duration::from_millis(100)) {
                        Ok(inp) => {
                            let lane = first + fed.len();
                            if tx.send(FollowMsg::Start(lane)).is_err() {
                                break;
                            }
                            fed.push(start(lane, inp, tx.clone()));
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                fed
            })
        });
        drop(tx);
        let delivered = deliver_follow(rx, sink);
        if delivered.is_err() {
            abort.store(true, Ordering::Relaxed);
        }
        let mut first_err = delivered.err();
        if let Some(f) = feeder {
            match f.join() {
                Ok(fed) => handles.extend(fed),
                Err(_) => {
                    first_err.get_or_insert(PipelineError::Internal(
                        "the thread receiving new inputs stopped unexpectedly".to_string(),
                    ));
                }
            }
        }
        let sources = join_lanes(handles, &mut first_err);
        match first_err {
            Some(e) => Err(e),
            None => Ok(sources),
        }
    })
}

/// Join reader threads in order: their summaries, and the first real error into `first_err`.
fn join_lanes(
    handles: Vec<std::thread::ScopedJoinHandle<'_, Result<Vec<SourceSummary>, LaneError>>>,
    first_err: &mut Option<PipelineError>,
) -> Vec<SourceSummary> {
    let mut sources = Vec::new();
    for h in handles {
        match h.join() {
            Ok(Ok(sums)) => sources.extend(sums),
            Ok(Err(LaneError::Stopped)) => {}
            Ok(Err(LaneError::Fail(e))) => {
                first_err.get_or_insert(e);
            }
            Err(_) => {
                first_err.get_or_insert(PipelineError::Internal(
                    "a reader thread stopped unexpectedly".to_string(),
                ));
            }
        }
    }
    sources
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_follow;
#[cfg(test)]
mod tests_order;
#[cfg(test)]
mod tests_wrapped;
