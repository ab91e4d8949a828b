//! Wiring input, envelope and grammar into one time-ordered event stream.
//!
//! Per source: physical lines → kubectl decorations off → [`envelope::parse_line`] → records
//! (a line that is no record start continues the previous record of its source) →
//! [`Grammar::classify`] on the first message line → [`Item`]s. Each input is parsed lazily
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

use crate::envelope::{self, Zone};
use crate::events::{format_ts, Event, Fields, Kind};
use crate::grammar::{Classified, Grammar};
use crate::input::{self, Input, InputError, LineReader, RawLine};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::cmp::{Ordering as CmpOrdering, Reverse};
use std::collections::{BinaryHeap, VecDeque};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
}

/// Parallel parsing of one large file: a regular, uncompressed file (not standard input,
/// not `.gz`, not with `follow`) of at least `threshold` bytes is cut into chunks of about
/// `chunk_size` bytes at line boundaries, parsed on the rayon pool, and stitched back in
/// file order. The result is the one sequential parsing gives: same items, same order, same
/// line numbers, same counts.
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
/// (about 0.6 MiB of events per MiB of a checkpoint-heavy log), so memory grows with the
/// chunk size, while speed does not: on two cores, with four chunks in flight, 1, 2, 4 and
/// 8 MiB chunks parsed the 1 GiB benchmark log equally fast (1.6 s against 2.2 s
/// sequentially), at 26, 29, 34 and 42 MiB peak RSS.
pub const DEFAULT_CHUNK_SIZE: u64 = 2 << 20;

/// Input bytes in flight at most when [`Chunking::in_flight`] is automatic: keeps memory
/// flat on machines with many cores.
pub const DEFAULT_BYTES_IN_FLIGHT: u64 = 16 << 20;

/// What the pipeline delivers.
// Events are by far the common item; boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A recognised HA event (including the synthetic [`Kind::LogEnd`]).
    Event(Event),
    /// A record of a watched logger that no template matched.
    Unmatched(Unmatched),
}

impl Item {
    /// The item's instant.
    pub fn ts(&self) -> DateTime<Utc> {
        match self {
            Item::Event(e) => e.ts,
            Item::Unmatched(u) => u.ts,
        }
    }

    /// The item's source name.
    pub fn source(&self) -> &Arc<str> {
        match self {
            Item::Event(e) => &e.source,
            Item::Unmatched(u) => &u.source,
        }
    }

    /// The item's line number.
    pub fn line(&self) -> u64 {
        match self {
            Item::Event(e) => e.line,
            Item::Unmatched(u) => u.line,
        }
    }
}

/// A record of a watched logger that no grammar template matched: how changed wording in a
/// new Flink version gets noticed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unmatched {
    /// Source name (file path, `-`, or pod).
    #[serde(serialize_with = "ser_arc")]
    pub source: Arc<str>,
    /// 1-based line number of the record's first line in its input.
    pub line: u64,
    /// The record's instant.
    #[serde(serialize_with = "ser_ts")]
    pub ts: DateTime<Utc>,
    /// Log level.
    pub level: String,
    /// Logger name.
    pub logger: String,
    /// The record's first line, kubectl decorations removed.
    pub text: String,
}

fn ser_ts<S: Serializer>(ts: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_ts(ts))
}

fn ser_arc<S: Serializer>(a: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a)
}

/// Counts for one source, reported on stderr so that nothing is dropped silently.
#[derive(Default, Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SourceSummary {
    /// Source name.
    pub name: String,
    /// Physical lines.
    pub lines: u64,
    /// Records (lines that start a record).
    pub records: u64,
    /// Lines attached to the previous record (stack traces, wrapped messages).
    pub continuation_lines: u64,
    /// Lines that start no record and follow none: not understood.
    pub unparseable: u64,
    /// Records that became events (the synthetic `log_end` not counted).
    pub events: u64,
    /// Records an `ignore` template matched.
    pub ignored: u64,
    /// Records of watched loggers that matched no template.
    pub unmatched: u64,
    /// Lines longer than [`input::MAX_LINE`] bytes, of which only the start was kept.
    pub truncated_lines: u64,
    /// Instant of the first record.
    pub first_ts: Option<DateTime<Utc>>,
    /// Instant of the last record.
    pub last_ts: Option<DateTime<Utc>>,
}

impl SourceSummary {
    fn add(&mut self, o: &SourceSummary) {
        self.lines += o.lines;
        self.records += o.records;
        self.continuation_lines += o.continuation_lines;
        self.unparseable += o.unparseable;
        self.events += o.events;
        self.ignored += o.ignored;
        self.unmatched += o.unmatched;
        self.truncated_lines += o.truncated_lines;
        self.first_ts = match (self.first_ts, o.first_ts) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_ts = match (self.last_ts, o.last_ts) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

/// Counts for every source, in input order (pods of one stream in order of appearance).
#[derive(Default, Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// One entry per source.
    pub sources: Vec<SourceSummary>,
}

impl Summary {
    /// All sources added up (name `total`; earliest first and latest last instant).
    pub fn total(&self) -> SourceSummary {
        let mut t = SourceSummary {
            name: "total".to_string(),
            ..SourceSummary::default()
        };
        for s in &self.sources {
            t.add(s);
        }
        t
    }
}

/// Why the pipeline stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// An input could not be opened (exit 2).
    #[error("cannot open {}: {}", path.display(), input::os_message(error))]
    Input {
        /// The path.
        path: PathBuf,
        /// The operating-system error (not a `source`: its text is already in the message).
        error: io::Error,
    },
    /// A directory input holds no log files (exit 2).
    #[error("no log files in directory {} (looked for *.log, *.log.N, *.out, *.txt, *.json, *.jsonl, *.gz)", path.display())]
    NoLogFiles {
        /// The directory.
        path: PathBuf,
    },
    /// Reading an input failed part-way (e.g. a corrupt `.gz`).
    #[error("cannot read {} after line {line}: {}", path.display(), input::os_message(error))]
    Read {
        /// The path (`-` for stdin).
        path: PathBuf,
        /// The last line read whole.
        line: u64,
        /// The I/O error (not a `source`: its text is already in the message).
        error: io::Error,
    },
    /// The sink failed (a closed pipe, a full disk).
    #[error("cannot write output: {}", input::os_message(.0))]
    Sink(io::Error),
    /// A reader thread ended abnormally.
    #[error("internal error: {0}")]
    Internal(String),
}

impl PipelineError {
    /// Whether this is the sink's broken pipe (`flinkha … | head`): a quiet, successful end.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, PipelineError::Sink(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<InputError> for PipelineError {
    fn from(e: InputError) -> Self {
        match e {
            InputError::Open { path, error } => PipelineError::Input { path, error },
            InputError::NoLogFiles { path } => PipelineError::NoLogFiles { path },
        }
    }
}

/// Read `inputs` (files, directories, `.gz`, `-` / nothing for stdin), and hand every item
/// to `sink` in time order (arrival order with `follow`). Every input is opened before any
/// is read. Returns the per-source counts.
pub fn run(
    inputs: &[PathBuf],
    opts: &Options,
    sink: &mut dyn FnMut(Item) -> io::Result<()>,
) -> Result<Summary, PipelineError> {
    let resolved = input::resolve(inputs)?;
    let bytes = Arc::new(AtomicU64::new(0));
    let total: Option<u64> = resolved.iter().map(|i| i.size).sum();
    let show_progress = opts.progress && io::stderr().is_terminal();
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let progress = show_progress.then(|| {
            let (bytes, done) = (bytes.clone(), &done);
            s.spawn(move || progress_loop(&bytes, total, done))
        });
        let result = if resolved.len() == 1 {
            run_single(resolved, opts, &bytes, sink)
        } else {
            run_merged(resolved, opts, &bytes, sink)
        };
        done.store(true, Ordering::Relaxed);
        if let Some(p) = progress {
            p.thread().unpark();
            let _ = p.join();
        }
        result.map(|sources| Summary { sources })
    })
}

/// Print `read X of Y MiB, Z MiB/s` on stderr about four times a second until `done`.
fn progress_loop(bytes: &AtomicU64, total: Option<u64>, done: &AtomicBool) {
    const MIB: f64 = 1024.0 * 1024.0;
    let start = Instant::now();
    let mut shown = false;
    while !done.load(Ordering::Relaxed) {
        // Woken early (unpark) when the pipeline ends.
        std::thread::park_timeout(Duration::from_millis(250));
        if done.load(Ordering::Relaxed) {
            break;
        }
        let b = bytes.load(Ordering::Relaxed) as f64;
        let secs = start.elapsed().as_secs_f64().max(1e-3);
        let line = match total {
            Some(t) if t > 0 => format!(
                "flinkha: read {:.1} of {:.1} MiB ({:.0}%), {:.1} MiB/s",
                b / MIB,
                t as f64 / MIB,
                100.0 * b / t as f64,
                b / MIB / secs
            ),
            _ => format!(
                "flinkha: read {:.1} MiB, {:.1} MiB/s",
                b / MIB,
                b / MIB / secs
            ),
        };
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
        shown = true;
    }
    if shown {
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    }
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
    let mut emit = |k: Keyed| sink(k.item).map_err(|e| LaneError::Fail(PipelineError::Sink(e)));
    run_lane(inp, opts, bytes.clone(), &never, &mut emit).map_err(LaneError::into_error)
}

/// Several inputs: one reader thread per input feeding a bounded channel of event batches,
/// k-way merged here by (timestamp, input, line); with `follow`, delivered in arrival order.
fn run_merged(
    resolved: Vec<Input>,
    opts: &Options,
    bytes: &Arc<AtomicU64>,
    sink: &mut dyn FnMut(Item) -> io::Result<()>,
) -> Result<Vec<SourceSummary>, PipelineError> {
    let n = resolved.len();
    // Bound the events in flight whatever the number of inputs.
    let batch = if opts.follow {
        1
    } else {
        (65_536 / n).clamp(16, 1024)
    };
    let abort = AtomicBool::new(false);
    std::thread::scope(|s| {
        let mut handles = Vec::with_capacity(n);
        let mut receivers: Vec<Receiver<Vec<Keyed>>> = Vec::with_capacity(n);
        let (follow_tx, follow_rx) = sync_channel::<Vec<Keyed>>(1024);
        for inp in resolved {
            let tx = if opts.follow {
                follow_tx.clone()
            } else {
                let (tx, rx) = sync_channel::<Vec<Keyed>>(2);
                receivers.push(rx);
                tx
            };
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
        drop(follow_tx);
        let delivered = if opts.follow {
            drop(receivers);
            deliver_arrival(follow_rx, sink)
        } else {
            drop(follow_rx);
            deliver_merged(receivers, sink)
        };
        if delivered.is_err() {
            abort.store(true, Ordering::Relaxed);
        }
        let mut sources = Vec::new();
        let mut first_err = delivered.err();
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
        match first_err {
            Some(e) => Err(e),
            None => Ok(sources),
        }
    })
}

/// `follow` with several inputs: whatever arrives first goes out first.
fn deliver_arrival(
    rx: Receiver<Vec<Keyed>>,
    sink: &mut dyn FnMut(Item) -> io::Result<()>,
) -> Result<(), PipelineError> {
    for batch in rx {
        for k in batch {
            sink(k.item).map_err(PipelineError::Sink)?;
        }
    }
    Ok(())
}

/// The k-way merge: repeatedly deliver the smallest head among all inputs. Receivers are
/// dropped on return, which stops reader threads blocked on a full channel.
fn deliver_merged(
    receivers: Vec<Receiver<Vec<Keyed>>>,
    sink: &mut dyn FnMut(Item) -> io::Result<()>,
) -> Result<(), PipelineError> {
    struct Lane {
        rx: Receiver<Vec<Keyed>>,
        cur: std::vec::IntoIter<Keyed>,
    }
    impl Lane {
        fn next(&mut self) -> Option<Keyed> {
            loop {
                if let Some(k) = self.cur.next() {
                    return Some(k);
                }
                self.cur = self.rx.recv().ok()?.into_iter();
            }
        }
    }
    let mut lanes: Vec<Lane> = receivers
        .into_iter()
        .map(|rx| Lane {
            rx,
            cur: Vec::new().into_iter(),
        })
        .collect();
    let mut heads: Vec<Option<Keyed>> = Vec::with_capacity(lanes.len());
    let mut heap = BinaryHeap::new();
    for (i, lane) in lanes.iter_mut().enumerate() {
        let h = lane.next();
        if let Some(k) = &h {
            heap.push(Reverse((k.ts, i, k.line, k.sub)));
        }
        heads.push(h);
    }
    while let Some(Reverse((_, i, _, _))) = heap.pop() {
        let Some(k) = heads.get_mut(i).and_then(Option::take) else {
            continue;
        };
        sink(k.item).map_err(PipelineError::Sink)?;
        if let (Some(lane), Some(slot)) = (lanes.get_mut(i), heads.get_mut(i)) {
            if let Some(n) = lane.next() {
                heap.push(Reverse((n.ts, i, n.line, n.sub)));
                *slot = Some(n);
            }
        }
    }
    Ok(())
}

/// Collects a reader thread's items into batches for the channel.
struct Batcher {
    tx: SyncSender<Vec<Keyed>>,
    buf: Vec<Keyed>,
    size: usize,
}

impl Batcher {
    fn push(&mut self, k: Keyed) -> Result<(), LaneError> {
        self.buf.push(k);
        if self.buf.len() >= self.size {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), LaneError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let b = std::mem::replace(&mut self.buf, Vec::with_capacity(self.size));
        self.tx.send(b).map_err(|_| LaneError::Stopped)
    }
}

/// How a reader lane ended early.
enum LaneError {
    /// The consumer went away (sink error elsewhere, or abort): not an error of this lane.
    Stopped,
    /// A real error.
    Fail(PipelineError),
}

impl LaneError {
    fn into_error(self) -> PipelineError {
        match self {
            LaneError::Fail(e) => e,
            LaneError::Stopped => PipelineError::Internal("stopped".to_string()),
        }
    }
}

/// An item with its order key within one input.
struct Keyed {
    ts: DateTime<Utc>,
    line: u64,
    /// 0 for a record's own item, 1 for the `log_end` after it.
    sub: u8,
    item: Item,
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

/// A bounded min-heap that absorbs small timestamp disorder within one input.
struct Reorder {
    heap: BinaryHeap<Reverse<Keyed>>,
    newest: Option<DateTime<Utc>>,
    cap: usize,
    window: Option<TimeDelta>,
}

impl Reorder {
    fn push(
        &mut self,
        k: Keyed,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        if self.cap == 0 {
            return emit(k);
        }
        self.newest = Some(self.newest.map_or(k.ts, |n| n.max(k.ts)));
        self.heap.push(Reverse(k));
        while let Some(Reverse(top)) = self.heap.peek() {
            let too_old = match (self.window, self.newest) {
                (Some(w), Some(n)) => n.signed_duration_since(top.ts) > w,
                _ => false,
            };
            if self.heap.len() <= self.cap && !too_old {
                break;
            }
            if let Some(Reverse(k)) = self.heap.pop() {
                emit(k)?;
            }
        }
        Ok(())
    }

    fn finish(
        &mut self,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        while let Some(Reverse(k)) = self.heap.pop() {
            emit(k)?;
        }
        Ok(())
    }
}

/// One source's running state.
struct Src {
    name: Arc<str>,
    pod: String,
    container: String,
    sum: SourceSummary,
    /// Instant and line of the last record, for `log_end`.
    last: Option<(DateTime<Utc>, u64)>,
    last_text: String,
}

impl Src {
    fn new(name: Arc<str>, pod: &str, container: &str) -> Self {
        Src {
            sum: SourceSummary {
                name: name.to_string(),
                ..SourceSummary::default()
            },
            name,
            pod: pod.to_string(),
            container: container.to_string(),
            last: None,
            last_text: String::new(),
        }
    }

    /// Add what a later chunk of the same source counted (its lines numbered from
    /// `offset + 1`). The chunk counted the lines before its first record as unparseable;
    /// they continue this source's last record when it has one.
    fn absorb(&mut self, chunk: Src, offset: u64) {
        // Destructured whole, so that a new counter cannot be forgotten here.
        let SourceSummary {
            name: _,
            lines,
            records,
            continuation_lines,
            unparseable,
            events,
            ignored,
            unmatched,
            truncated_lines,
            first_ts,
            last_ts,
        } = chunk.sum;
        let (continuation_lines, unparseable) = if self.last.is_some() {
            (continuation_lines + unparseable, 0)
        } else {
            (continuation_lines, unparseable)
        };
        let s = &mut self.sum;
        s.lines += lines;
        s.records += records;
        s.continuation_lines += continuation_lines;
        s.unparseable += unparseable;
        s.events += events;
        s.ignored += ignored;
        s.unmatched += unmatched;
        s.truncated_lines += truncated_lines;
        s.first_ts = s.first_ts.or(first_ts);
        s.last_ts = last_ts.or(s.last_ts);
        if let Some((ts, line)) = chunk.last {
            self.last = Some((ts, line + offset));
            self.last_text = chunk.last_text;
        }
    }
}

/// What one physical line yields.
struct Parsed {
    /// The pod source the line belongs to (`None`: the input's own source), and whether
    /// this line is the pod's first.
    pod: Option<(usize, bool)>,
    /// The line's item, if it starts a record that becomes one.
    item: Option<Keyed>,
}

/// The sources of one input (or of one chunk of it) and the per-line parsing step, shared
/// by sequential and chunked parsing so that both count and classify alike.
struct Sources<'o> {
    opts: &'o Options,
    own: Src,
    pods: Vec<Src>,
    last_pod: usize,
}

impl<'o> Sources<'o> {
    fn new(name: Arc<str>, opts: &'o Options) -> Self {
        Sources {
            opts,
            own: Src::new(name, "", ""),
            pods: Vec::new(),
            last_pod: 0,
        }
    }

    /// The index into `pods` for a `[pod/NAME/CONTAINER]` prefix, adding the pod on first
    /// sight (then `true`). The first container of a pod is named after the pod, others
    /// `pod/container`.
    fn pod_index(&mut self, pod: &str, container: &str) -> (usize, bool) {
        if let Some(p) = self.pods.get(self.last_pod) {
            if p.pod == pod && p.container == container {
                return (self.last_pod, false);
            }
        }
        let found = self
            .pods
            .iter()
            .position(|p| p.pod == pod && p.container == container);
        let (idx, new) = match found {
            Some(i) => (i, false),
            None => {
                let name = if self.pods.iter().any(|p| p.pod == pod) {
                    format!("{pod}/{container}")
                } else {
                    pod.to_string()
                };
                self.pods.push(Src::new(Arc::from(name), pod, container));
                (self.pods.len() - 1, true)
            }
        };
        self.last_pod = idx;
        (idx, new)
    }

    /// Count one physical line for its source and classify it when it starts a record.
    fn line(&mut self, raw: RawLine<'_>) -> Parsed {
        let text: Cow<'_, str> = match simdutf8::basic::from_utf8(raw.bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(raw.bytes),
        };
        let deco = input::strip_kubectl(&text);
        let opts = self.opts;
        let pod = deco.pod.map(|(p, c)| self.pod_index(p, c));
        let src = match pod.and_then(|(i, _)| self.pods.get_mut(i)) {
            Some(s) => s,
            None => &mut self.own,
        };
        let mut out = Parsed { pod, item: None };
        src.sum.lines += 1;
        if raw.truncated {
            src.sum.truncated_lines += 1;
        }
        let Some(env) = envelope::parse_line(deco.rest, &opts.zone) else {
            if src.last.is_some() {
                src.sum.continuation_lines += 1;
            } else {
                src.sum.unparseable += 1;
            }
            return out;
        };
        let ts = deco.ts.unwrap_or(env.ts);
        let line = raw.number;
        src.sum.records += 1;
        src.sum.first_ts.get_or_insert(ts);
        src.sum.last_ts = Some(ts);
        src.last = Some((ts, line));
        src.last_text.clear();
        src.last_text.push_str(deco.rest);
        let msg: &str = &env.message;
        let head = match memchr::memchr(b'\n', msg.as_bytes()) {
            Some(p) => msg.get(..p).unwrap_or(msg),
            None => msg,
        };
        let head = head.strip_suffix('\r').unwrap_or(head);
        let item = match opts.grammar.classify(&env.level, &env.logger, head) {
            Classified::Event { kind, fields } => {
                src.sum.events += 1;
                Item::Event(Event {
                    ts,
                    source: src.name.clone(),
                    line,
                    kind,
                    fields,
                    text: deco.rest.to_string(),
                })
            }
            Classified::Unmatched => {
                src.sum.unmatched += 1;
                if !opts.want_unmatched {
                    return out;
                }
                Item::Unmatched(Unmatched {
                    source: src.name.clone(),
                    line,
                    ts,
                    level: env.level.into_owned(),
                    logger: env.logger.into_owned(),
                    text: deco.rest.to_string(),
                })
            }
            Classified::Ignored => {
                src.sum.ignored += 1;
                return out;
            }
            Classified::Unwatched => return out,
        };
        out.item = Some(Keyed {
            ts,
            line,
            sub: 0,
            item,
        });
        out
    }
}

/// Parsing state of one input: its own source plus one per kubectl pod seen in it, and the
/// reorder buffer its items pass.
struct LaneState<'o> {
    sources: Sources<'o>,
    reorder: Reorder,
}

impl<'o> LaneState<'o> {
    fn new(name: Arc<str>, opts: &'o Options) -> Self {
        LaneState {
            sources: Sources::new(name, opts),
            reorder: Reorder {
                heap: BinaryHeap::new(),
                newest: None,
                cap: if opts.follow { 0 } else { REORDER_CAP },
                window: Some(TimeDelta::milliseconds(REORDER_WINDOW_MS)),
            },
        }
    }

    /// A pod source was added: with the first one, the input is a multi-pod stream.
    fn pod_added(&mut self) {
        if self.sources.pods.len() == 1 && !self.sources.opts.follow {
            // kubectl writes pods one after the other: sort the whole stream.
            self.reorder.cap = POD_STREAM_CAP;
            self.reorder.window = None;
        }
    }

    fn line(
        &mut self,
        raw: RawLine<'_>,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        let parsed = self.sources.line(raw);
        if let Some((_, true)) = parsed.pod {
            self.pod_added();
        }
        match parsed.item {
            Some(k) => self.reorder.push(k, emit),
            None => Ok(()),
        }
    }

    /// Take in the next chunk of the input, whose lines are numbered from `offset + 1`: its
    /// items go through the reorder buffer in the order sequential parsing would have pushed
    /// them, its pods are matched with (or added to) the ones seen so far, its counts added.
    fn absorb(
        &mut self,
        chunk: ChunkOut,
        offset: u64,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        let ChunkOut {
            entries, own, pods, ..
        } = chunk;
        // Chunk-local pod index → index into `self.sources.pods`.
        let mut global: Vec<Option<usize>> = vec![None; pods.len()];
        for entry in entries.into_iter().flatten() {
            match entry {
                Entry::NewPod(local) => {
                    if let (Some(p), Some(slot)) = (pods.get(local), global.get_mut(local)) {
                        let (g, new) = self.sources.pod_index(&p.pod, &p.container);
                        *slot = Some(g);
                        if new {
                            self.pod_added();
                        }
                    }
                }
                Entry::Item(pod, mut k) => {
                    k.line += offset;
                    let name = pod
                        .and_then(|l| global.get(l).copied().flatten())
                        .and_then(|g| self.sources.pods.get(g))
                        .map(|s| s.name.clone());
                    match &mut k.item {
                        Item::Event(e) => {
                            e.line += offset;
                            if let Some(n) = name {
                                e.source = n;
                            }
                        }
                        Item::Unmatched(u) => {
                            u.line += offset;
                            if let Some(n) = name {
                                u.source = n;
                            }
                        }
                    }
                    self.reorder.push(k, emit)?;
                }
            }
        }
        self.sources.own.absorb(own, offset);
        for (local, src) in pods.into_iter().enumerate() {
            let g = global.get(local).copied().flatten();
            match g.and_then(|g| self.sources.pods.get_mut(g)) {
                Some(s) => s.absorb(src, offset),
                None => {
                    return Err(LaneError::Fail(PipelineError::Internal(
                        "a chunk's pod was not announced".to_string(),
                    )))
                }
            }
        }
        Ok(())
    }

    /// End of input: a `log_end` per source that had records, then drain the buffer.
    fn finish(
        mut self,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<Vec<SourceSummary>, LaneError> {
        let sources = &mut self.sources;
        let mut srcs = Vec::with_capacity(1 + sources.pods.len());
        if sources.pods.is_empty() || sources.own.sum.lines > 0 {
            srcs.push(std::mem::replace(
                &mut sources.own,
                Src::new(Arc::from(""), "", ""),
            ));
        }
        srcs.append(&mut sources.pods);
        for s in &mut srcs {
            if let Some((ts, line)) = s.last {
                let ev = Event {
                    ts,
                    source: s.name.clone(),
                    line,
                    kind: Kind::LogEnd,
                    fields: Fields::default(),
                    text: std::mem::take(&mut s.last_text),
                };
                self.reorder.push(
                    Keyed {
                        ts,
                        line,
                        sub: 1,
                        item: Item::Event(ev),
                    },
                    emit,
                )?;
            }
        }
        self.reorder.finish(emit)?;
        Ok(srcs.into_iter().map(|s| s.sum).collect())
    }
}

/// Parse one input to the end, handing items (in this input's time order) to `emit`. A
/// large regular file is parsed in chunks on the rayon pool ([`Chunking`]).
fn run_lane(
    inp: Input,
    opts: &Options,
    bytes: Arc<AtomicU64>,
    abort: &AtomicBool,
    emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
) -> Result<Vec<SourceSummary>, LaneError> {
    let name = inp.name.clone();
    let path = inp.path.clone().unwrap_or_else(|| PathBuf::from("-"));
    let read_err = |line: u64, error: io::Error| {
        LaneError::Fail(PipelineError::Read {
            path: path.clone(),
            line,
            error,
        })
    };
    // Never from inside the pool: waiting there for the pool's own tasks could deadlock.
    let chunked = !opts.follow
        && inp.size.is_some_and(|s| s >= opts.chunking.threshold)
        && rayon::current_thread_index().is_none();
    if let Some(file) = chunked.then(|| inp.shared_file()).flatten() {
        return run_chunked(file, name, opts, bytes, abort, &read_err, emit);
    }
    let reader = inp.into_reader(bytes).map_err(|e| read_err(0, e))?;
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

/// One entry of a chunk's output, in line order.
// Items are by far the common entry; boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
enum Entry {
    /// The chunk's pod of this (chunk-local) index appears for the first time in the chunk.
    NewPod(usize),
    /// An item, of the chunk-local pod or (`None`) of the input's own source; its line
    /// numbers count from the chunk's start.
    Item(Option<usize>, Keyed),
}

/// What parsing one chunk yields: enough to continue the sequential state as if the chunk's
/// lines had been fed to it.
struct ChunkOut {
    /// Items and first pod appearances, in line order, in blocks of [`ENTRY_BLOCK`]: no
    /// reallocation while the chunk is parsed, and memory given back block by block while
    /// it is taken in.
    entries: Vec<Vec<Entry>>,
    /// The input's own source as counted within the chunk alone.
    own: Src,
    /// Pods as counted within the chunk alone, in order of appearance in it.
    pods: Vec<Src>,
    /// Physical lines in the chunk.
    lines: u64,
}

/// Entries per block of [`ChunkOut::entries`] (an entry is about half a kilobyte).
const ENTRY_BLOCK: usize = 256;

/// A chunk's entries, collected in blocks.
#[derive(Default)]
struct Entries {
    blocks: Vec<Vec<Entry>>,
}

impl Entries {
    fn push(&mut self, e: Entry) {
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
enum ChunkFail {
    /// Reading failed after this many of the chunk's lines.
    Read(u64, io::Error),
    /// The input's parsing was given up (the sink failed or another input failed).
    Cancelled,
    /// The parsing task panicked.
    Panicked,
}

/// Sets the flag when dropped: tells a lane's remaining chunk tasks to stop early, however
/// the lane ends.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Parse one large file in chunks split at line boundaries, at most a few chunks in flight
/// on the rayon pool, and take the results in file order into one [`LaneState`], so that
/// the items, their order and the counts are those of sequential parsing.
fn run_chunked(
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
fn parse_chunk(
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

#[cfg(test)]
mod tests {
    use super::*;

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
        }
    }

    fn feed(lines: &[&str], o: &Options) -> (Vec<Item>, Vec<SourceSummary>) {
        let mut st = LaneState::new(Arc::from("f.log"), o);
        let mut out = Vec::new();
        let mut emit = |k: Keyed| {
            out.push(k.item);
            Ok(())
        };
        for (i, l) in lines.iter().enumerate() {
            let raw = RawLine {
                number: i as u64 + 1,
                bytes: l.as_bytes(),
                truncated: false,
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
                assert_eq!(e.text, "2026-11-25 12:36:53,000 INFO  a.B [] - second");
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
        let mut r = Reorder {
            heap: BinaryHeap::new(),
            newest: None,
            cap: 3,
            window: Some(TimeDelta::seconds(2)),
        };
        let mk = |s: i64, line: u64| Keyed {
            ts: DateTime::from_timestamp(s, 0).unwrap(),
            line,
            sub: 0,
            item: Item::Unmatched(Unmatched {
                source: Arc::from("x"),
                line,
                ts: DateTime::from_timestamp(s, 0).unwrap(),
                level: String::new(),
                logger: String::new(),
                text: String::new(),
            }),
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
                assert_eq!(e.text, GRANT);
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
            put(format!("[pod/jm-a/side] 2026-11-25T12:38:{:02}Z 2026-11-25 11:00:00,000 INFO a.B [] - s{i}", i).as_bytes());
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
}
