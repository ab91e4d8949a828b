//! The reorder buffer: absorbs the small timestamp disorder of one input (records logged by
//! several threads are written a few milliseconds out of order).
//!
//! A log's time never goes back by more than [`BACK_TOLERANCE_SECS`]: where it does, the
//! input holds several logs one after the other (`cat` of files, `kubectl logs` of several
//! pods without `--prefix`), and the later log's events would reach the checker after
//! newer ones of the first. A second JobManager's start then looks like the first one's
//! restart, and a split brain passes `single-leader`. That is an error naming the line,
//! never a verdict. So is a process (its start banner) that starts more than the reorder
//! window before the last line of the one logged before it: processes of one log run one
//! after the other, so that is a second log, however short the overlap.

use super::clock::BACK_TOLERANCE_SECS;
use super::lane::{Keyed, LaneError};
use super::{Item, PipelineError, REORDER_WINDOW_MS};
use crate::events::{format_ts, Kind};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::VecDeque;
use std::sync::Arc;

/// A step back in time as people read it: whole seconds from a minute on, else seconds to
/// the millisecond.
fn span(d: TimeDelta) -> String {
    if d >= TimeDelta::seconds(BACK_TOLERANCE_SECS) {
        format!("{} s", d.num_seconds())
    } else {
        let ms = d.num_milliseconds();
        format!("{}.{:03} s", ms / 1000, ms % 1000)
    }
}

/// A bounded buffer that absorbs small timestamp disorder within one input.
pub(super) struct Reorder {
    /// The items waiting, in order (oldest first). Not a heap: nearly every item is the
    /// newest so far and is appended, and the oldest leaves from the front, each in a few
    /// steps; the rare late item is inserted where it sorts.
    pub(super) waiting: VecDeque<Keyed>,
    pub(super) newest: Option<DateTime<Utc>>,
    pub(super) cap: usize,
    pub(super) window: Option<TimeDelta>,
    /// The input's name, for the error.
    input: Arc<str>,
    /// Per source of the input (its pods, or the input itself): the newest item seen and
    /// its line. Few per input, so a list.
    latest: Vec<(Arc<str>, DateTime<Utc>, u64)>,
}

impl Reorder {
    /// The buffer of input `input`: at most `cap` items (0: none, items pass at once), an
    /// item waiting at most `window` behind the newest (`None`: until the end, for a stream
    /// sorted whole).
    pub(super) fn new(input: Arc<str>, cap: usize, window: Option<TimeDelta>) -> Self {
        Reorder {
            input,
            waiting: VecDeque::new(),
            newest: None,
            cap,
            window,
            latest: Vec::new(),
        }
    }

    /// Whether `k` goes back in time in its own source by more than a log does: the error
    /// that says so.
    fn went_back(&mut self, k: &Keyed) -> Result<(), LaneError> {
        let src = k.item.source();
        let found = self
            .latest
            .iter_mut()
            .find(|(s, _, _)| Arc::ptr_eq(s, src) || **s == **src);
        let Some(entry) = found else {
            self.latest.push((src.clone(), k.ts, k.item.line()));
            return Ok(());
        };
        let (_, newest, newest_line) = *entry;
        if k.ts >= newest {
            (entry.1, entry.2) = (k.ts, k.item.line());
            return Ok(());
        }
        let back = newest - k.ts;
        let starts = matches!(&*k.item, Item::Event(e) if e.kind == Kind::ProcessStarted);
        let what = if back > TimeDelta::seconds(BACK_TOLERANCE_SECS) {
            "its time goes back"
        } else if starts && back > TimeDelta::milliseconds(REORDER_WINDOW_MS) {
            // A process starts after the one before it in its log has ended: a start before
            // that one's last line is a second log, however short the overlap.
            "a process starts before the one before it ended"
        } else {
            return Ok(());
        };
        Err(LaneError::Fail(PipelineError::Unordered {
            input: if **src == *self.input || src.is_empty() {
                self.input.to_string()
            } else {
                format!("{} (pod {src})", self.input)
            },
            reason: format!(
                "{what}: line {} ({}) is {} older than line {newest_line} ({}) before it. \
                 The input holds several logs one after the other (`cat` of several files, \
                 `kubectl logs` of several pods without `--prefix`): give each log as its own \
                 file, or use `kubectl logs --prefix`. A local time that went back when daylight \
                 saving time ended needs the log's zone: `--tz`",
                k.item.line(),
                format_ts(&k.ts),
                span(back),
                format_ts(&newest),
            ),
        }))
    }

    pub(super) fn push(
        &mut self,
        k: Keyed,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        self.went_back(&k)?;
        if self.cap == 0 {
            return emit(k);
        }
        let newest = self.newest.map_or(k.ts, |n| n.max(k.ts));
        self.newest = Some(newest);
        // Older than the window behind the newest: before this instant (computed once per
        // push; a time difference per waiting item cost more than the buffer itself). None when
        // no instant is that old.
        let cutoff = self.window.and_then(|w| newest.checked_sub_signed(w));
        match self.waiting.back() {
            // After the items it does not sort before: equal keys keep their arrival order.
            Some(last) if *last > k => {
                let at = self.waiting.partition_point(|x| *x <= k);
                self.waiting.insert(at, k);
            }
            _ => self.waiting.push_back(k),
        }
        while let Some(first) = self.waiting.front() {
            let too_old = cutoff.is_some_and(|c| first.ts < c);
            if self.waiting.len() <= self.cap && !too_old {
                break;
            }
            if let Some(k) = self.waiting.pop_front() {
                emit(k)?;
            }
        }
        Ok(())
    }

    pub(super) fn finish(
        &mut self,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        while let Some(k) = self.waiting.pop_front() {
            emit(k)?;
        }
        Ok(())
    }
}
