//! Putting a log store's lines in time order before records are joined: Loki's logcli and
//! gcloud write newest first by default, Elasticsearch hits come by relevance, a Loki
//! response lists its streams one after the other.
//!
//! Search hits (Elasticsearch / OpenSearch) come in no order along time at all (relevance,
//! or one shard after the other), and so do Loki's `query_range` streams (one stream after
//! the other): their lines are always held as below. For the other stores the first
//! [`PROBE`] lines are held and tell how the input is ordered.
//! * Oldest first (no step back in time beyond [`REORDER_WINDOW_MS`]): from then on lines
//!   stream through a bounded buffer that absorbs the small disorder, in constant memory; a
//!   later line older than one already passed on is an error naming the input and the line,
//!   never a wrong verdict.
//! * Newest first, or no order: every line is held (compactly: the application's text and a
//!   few numbers, never the document) up to [`HOLD_CAP_BYTES`], then reversed when newest
//!   first (which restores the order of lines that share an instant) and stably sorted by
//!   instant. Past the cap the input cannot be put in order within bounded memory: an error
//!   that says how to export it oldest first.
//!
//! Reading a newest-first file backwards would need no memory, but only works for regular
//! uncompressed files of line formats, not for standard input, `.gz` or JSON documents;
//! exports from these stores are bounded by the stores' own query limits (Loki's
//! `max_entries_limit_per_query`, Elasticsearch's `index.max_result_window`), so holding
//! them is the simpler and uniform answer.

use super::lane::LaneError;
use super::{PipelineError, REORDER_WINDOW_MS};
use crate::input::Stream;
use chrono::{DateTime, TimeDelta, Utc};
use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

/// Lines held to tell how an input is ordered.
pub const PROBE: usize = 4096;

/// Most bytes of lines held to put one unordered input in order.
pub const HOLD_CAP_BYTES: usize = 512 << 20;

/// At most this many lines wait in the buffer of an input found oldest first.
const STREAM_CAP: usize = 1 << 16;

/// One line taken out of its wrapper, on its way to record joining.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Unit<'a> {
    /// Index of its pod source (`None`: the input's own).
    pub(super) src: Option<usize>,
    /// The stream, for joining partial lines.
    pub(super) stream: Stream,
    /// The store's instant.
    pub(super) ts: Option<DateTime<Utc>>,
    /// Only the first part of a longer line.
    pub(super) partial: bool,
    /// The application's text.
    pub(super) text: Cow<'a, str>,
    /// 1-based line (or entry) number in the input.
    pub(super) line: u64,
    /// Whether the physical line was cut at the length cap.
    pub(super) truncated: bool,
    /// The shipper's position of the line in its file, for ties.
    pub(super) offset: Option<u64>,
}

impl Unit<'_> {
    /// The same, owning its text.
    pub(super) fn into_owned(self) -> Unit<'static> {
        Unit {
            src: self.src,
            stream: self.stream,
            ts: self.ts,
            partial: self.partial,
            text: Cow::Owned(self.text.into_owned()),
            line: self.line,
            truncated: self.truncated,
            offset: self.offset,
        }
    }
}

/// A held line with its sort key (instant, shipper offset, arrival).
struct Held {
    key: (DateTime<Utc>, u64, u64),
    unit: Unit<'static>,
}

impl PartialEq for Held {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Held {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.key.cmp(&o.key)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Holding the first lines to see the order.
    Probe,
    /// Oldest first: streaming through the bounded buffer.
    Stream,
    /// Not oldest first: holding everything.
    Whole,
}

/// The ordering stage of one input.
pub(super) struct Order {
    input: Arc<str>,
    mode: Mode,
    held: Vec<Held>,
    heap: BinaryHeap<Reverse<Held>>,
    bytes: usize,
    arrivals: u64,
    /// Steps forward and back in time between consecutive lines.
    ascents: u64,
    descents: u64,
    prev: Option<DateTime<Utc>>,
    newest: Option<DateTime<Utc>>,
    max_back: TimeDelta,
    /// The instant of the last line passed on in stream mode.
    last_out: Option<(DateTime<Utc>, u64)>,
    window: TimeDelta,
}

impl Order {
    /// The stage for the input named `input`; `unordered`: the store says its lines come in
    /// no order along time (search hits, Loki streams), so all are held at once.
    pub(super) fn new(input: Arc<str>, unordered: bool) -> Self {
        Order {
            input,
            mode: if unordered { Mode::Whole } else { Mode::Probe },
            held: Vec::new(),
            heap: BinaryHeap::new(),
            bytes: 0,
            arrivals: 0,
            ascents: 0,
            descents: 0,
            prev: None,
            newest: None,
            max_back: TimeDelta::zero(),
            last_out: None,
            window: TimeDelta::milliseconds(REORDER_WINDOW_MS),
        }
    }

    /// Hold everything from now on (a store's response turned out to be unordered).
    pub(super) fn hold_all(&mut self) {
        if self.mode == Mode::Probe {
            self.mode = Mode::Whole;
        }
    }

    /// Take one line; lines whose turn has come go to `out` in time order.
    pub(super) fn push(
        &mut self,
        unit: Unit<'static>,
        out: &mut dyn FnMut(Unit<'static>) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        // A line without an instant keeps its place after the line before it.
        let ts = unit.ts.or(self.prev).unwrap_or(DateTime::<Utc>::MIN_UTC);
        if let Some(p) = self.prev {
            if ts > p {
                self.ascents += 1;
            } else if ts < p {
                self.descents += 1;
            }
        }
        self.prev = Some(ts);
        let newest = self.newest.map_or(ts, |n| n.max(ts));
        self.newest = Some(newest);
        self.max_back = self.max_back.max(newest.signed_duration_since(ts));
        self.arrivals += 1;
        let held = Held {
            key: (ts, unit.offset.unwrap_or(0), self.arrivals),
            unit,
        };
        match self.mode {
            Mode::Probe | Mode::Whole => {
                self.bytes += held.unit.text.len() + std::mem::size_of::<Held>();
                self.held.push(held);
                if self.bytes > HOLD_CAP_BYTES {
                    return Err(self.too_large());
                }
                if self.mode == Mode::Probe && self.held.len() >= PROBE {
                    self.decide(out)?;
                }
                Ok(())
            }
            Mode::Stream => {
                if let Some((last, line)) = self.last_out {
                    if ts < last {
                        return Err(self.out_of_order(&held, last, line));
                    }
                }
                self.heap.push(Reverse(held));
                self.release(out, false)
            }
        }
    }

    /// End of input: everything still held, in time order.
    pub(super) fn finish(
        &mut self,
        out: &mut dyn FnMut(Unit<'static>) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        match self.mode {
            Mode::Stream => self.release(out, true),
            Mode::Probe | Mode::Whole => {
                let mut held = std::mem::take(&mut self.held);
                if self.descents > self.ascents {
                    // Newest first: reversed, lines of one instant are in order again.
                    held.reverse();
                }
                held.sort_by_key(|h| (h.key.0, h.key.1));
                for h in held {
                    out(h.unit)?;
                }
                Ok(())
            }
        }
    }

    /// The probe is full: stream if the input is oldest first, else hold everything.
    fn decide(
        &mut self,
        out: &mut dyn FnMut(Unit<'static>) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        if self.descents > self.ascents || self.max_back > self.window {
            self.mode = Mode::Whole;
            return Ok(());
        }
        self.mode = Mode::Stream;
        self.bytes = 0;
        for h in std::mem::take(&mut self.held) {
            self.heap.push(Reverse(h));
        }
        self.release(out, false)
    }

    /// Pass on the lines that are older than the window behind the newest, or beyond the
    /// buffer's capacity; with `all`, every line.
    fn release(
        &mut self,
        out: &mut dyn FnMut(Unit<'static>) -> Result<(), LaneError>,
        all: bool,
    ) -> Result<(), LaneError> {
        let newest = self.newest.unwrap_or(DateTime::<Utc>::MIN_UTC);
        while let Some(Reverse(top)) = self.heap.peek() {
            let due = all
                || self.heap.len() > STREAM_CAP
                || newest.signed_duration_since(top.key.0) > self.window;
            if !due {
                break;
            }
            if let Some(Reverse(h)) = self.heap.pop() {
                self.last_out = Some((h.key.0, h.unit.line));
                out(h.unit)?;
            }
        }
        Ok(())
    }

    fn too_large(&self) -> LaneError {
        LaneError::Fail(PipelineError::Unordered {
            input: self.input.to_string(),
            reason: format!(
                "it is not oldest first (newest first, or in relevance order) and holds more than {} MiB of lines, more than is held in memory to sort them; export it oldest first (`logcli query --forward`, `gcloud logging read --order=asc`, an Elasticsearch `sort` on `@timestamp`) or in smaller time ranges",
                HOLD_CAP_BYTES >> 20
            ),
        })
    }

    fn out_of_order(&self, h: &Held, last: DateTime<Utc>, last_line: u64) -> LaneError {
        LaneError::Fail(PipelineError::Unordered {
            input: self.input.to_string(),
            reason: format!(
                "its first {PROBE} lines are oldest first, but line {} ({}) is older than line {} ({}) seen before it by more than can be reordered; export it in one time order",
                h.unit.line,
                crate::events::format_ts(&h.key.0),
                last_line,
                crate::events::format_ts(&last),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(line: u64, ms: i64) -> Unit<'static> {
        Unit {
            src: None,
            stream: Stream::Unknown,
            ts: DateTime::from_timestamp_millis(ms),
            partial: false,
            text: Cow::Owned(format!("l{line}")),
            line,
            truncated: false,
            offset: None,
        }
    }

    fn run(order: &mut Order, units: Vec<Unit<'static>>) -> Result<Vec<u64>, String> {
        let mut got = Vec::new();
        let mut out = |u: Unit<'static>| {
            got.push(u.line);
            Ok(())
        };
        let r = units
            .into_iter()
            .try_for_each(|u| order.push(u, &mut out))
            .and_then(|()| order.finish(&mut out));
        match r {
            Ok(()) => Ok(got),
            Err(LaneError::Fail(e)) => Err(e.to_string()),
            Err(LaneError::Stopped) => Err("stopped".to_string()),
        }
    }

    #[test]
    fn newest_first_is_reversed_keeping_ties_in_order() {
        // Written oldest first as 1..=5, lines 2 and 3 at one instant; exported newest
        // first, so the file has 5, 4, 3, 2, 1 (line numbers of the export: 1..=5).
        let units = vec![
            unit(1, 50),
            unit(2, 40),
            unit(3, 20),
            unit(4, 20),
            unit(5, 10),
        ];
        let mut o = Order::new(Arc::from("x"), false);
        assert_eq!(run(&mut o, units).unwrap(), vec![5, 4, 3, 2, 1]);
    }

    #[test]
    fn unordered_input_is_sorted_with_offsets_for_ties() {
        let mut units = vec![unit(1, 30), unit(2, 10), unit(3, 10), unit(4, 20)];
        units[1].offset = Some(200);
        units[2].offset = Some(100);
        let mut o = Order::new(Arc::from("x"), true);
        assert_eq!(run(&mut o, units).unwrap(), vec![3, 2, 4, 1]);
    }

    #[test]
    fn oldest_first_streams_in_bounded_memory() {
        let n = PROBE as u64 * 3;
        // A little disorder (a line 5 ms early) within the window is fixed.
        let mut units: Vec<_> = (1..=n).map(|i| unit(i, i as i64 * 10)).collect();
        units.swap(10, 11);
        let mut o = Order::new(Arc::from("x"), false);
        let mut got = Vec::new();
        let mut most_held = 0;
        for u in units {
            o.push(u, &mut |u| {
                got.push(u.line);
                Ok(())
            })
            .ok()
            .unwrap();
            most_held = most_held.max(o.heap.len() + o.held.len());
        }
        o.finish(&mut |u| {
            got.push(u.line);
            Ok(())
        })
        .ok()
        .unwrap();
        assert_eq!(got, (1..=n).collect::<Vec<_>>());
        assert_eq!(o.mode, Mode::Stream);
        assert!(most_held <= PROBE + 1, "{most_held}");
    }

    #[test]
    fn disorder_after_the_probe_is_an_error_naming_the_line() {
        let mut units: Vec<_> = (1..=PROBE as u64 + 10)
            .map(|i| unit(i, 1_000_000 + i as i64 * 1000))
            .collect();
        units.push(unit(99_999, 0));
        let mut o = Order::new(Arc::from("logs.jsonl"), false);
        let e = run(&mut o, units).unwrap_err();
        assert!(e.contains("logs.jsonl"), "{e}");
        assert!(e.contains("line 99999 (1970-01-01T00:00:00"), "{e}");
    }

    #[test]
    fn lines_without_instant_stay_after_their_predecessor() {
        let mut units = vec![unit(1, 30), unit(2, 20), unit(3, 10)];
        units[1].ts = None;
        let mut o = Order::new(Arc::from("x"), false);
        assert_eq!(run(&mut o, units).unwrap(), vec![3, 2, 1]);
    }

    #[test]
    fn too_much_to_hold_is_an_error() {
        let mut o = Order::new(Arc::from("big.json"), true);
        o.bytes = HOLD_CAP_BYTES;
        let e = run(&mut o, vec![unit(1, 1)]).unwrap_err();
        assert!(e.contains("big.json") && e.contains("--forward"), "{e}");
    }
}
