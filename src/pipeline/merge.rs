//! Merging the items of several inputs: by time (k-way merge of the inputs' own time orders),
//! or, with `follow`, by time as far as the inputs have spoken (a silent input holds the
//! others back only briefly); and the batches reader threads send them in.

use super::lane::{Keyed, LaneError};
use super::Item;
use super::PipelineError;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

/// What a reader lane tells the follow-mode merge.
pub(super) enum FollowMsg {
    /// Lane `i` starts (sent before its first item): it may hold the merge back for up to
    /// [`FOLLOW_START_HOLD`] until it has said something.
    Start(usize),
    /// Items of lane `i`, in the lane's order.
    Items(usize, Vec<Keyed>),
    /// Lane `i` has ended.
    End(usize),
}

/// In follow mode, a lane that has been quiet this long no longer holds back the items of
/// the others: the latency a FAIL may wait for a standby that logs nothing.
pub const FOLLOW_HOLD: Duration = Duration::from_millis(500);

/// A lane that has not sent anything yet holds the merge back this long at most: the time a
/// new source (a `kubectl logs -f` of a new pod) may take to deliver its first line.
pub const FOLLOW_START_HOLD: Duration = Duration::from_secs(5);

/// One lane as the follow-mode merge sees it.
struct FollowLane {
    pending: VecDeque<Keyed>,
    open: bool,
    heard: bool,
    last: Instant,
}

impl FollowLane {
    /// When this open, empty lane stops holding the merge back.
    fn released_at(&self) -> Instant {
        self.last
            + if self.heard {
                FOLLOW_HOLD
            } else {
                FOLLOW_START_HOLD
            }
    }
}

/// `follow` with several inputs, some of which may appear later: items go out in time order
/// as long as every open lane has something to say; a lane that has been quiet for
/// [`FOLLOW_HOLD`] (or has not spoken for [`FOLLOW_START_HOLD`] since it started) stops
/// holding the others back, so the output never waits long for a source that is silent.
pub(super) fn deliver_follow(
    rx: Receiver<FollowMsg>,
    sink: &mut dyn FnMut(Item) -> io::Result<()>,
) -> Result<(), PipelineError> {
    let mut lanes: Vec<FollowLane> = Vec::new();
    let mut connected = true;
    loop {
        // Deliver while the smallest head cannot be preceded by a lane still to speak.
        loop {
            let head = lanes
                .iter()
                .enumerate()
                .filter_map(|(i, l)| l.pending.front().map(|k| ((k.ts, i, k.line, k.sub), i)))
                .min_by_key(|(key, _)| *key);
            let Some((_, i)) = head else { break };
            let now = Instant::now();
            let held = connected
                && lanes
                    .iter()
                    .any(|l| l.open && l.pending.is_empty() && l.released_at() > now);
            if held {
                break;
            }
            if let Some(k) = lanes.get_mut(i).and_then(|l| l.pending.pop_front()) {
                sink(*k.item).map_err(PipelineError::Sink)?;
            }
        }
        if !connected {
            return Ok(());
        }
        let now = Instant::now();
        let wait = lanes
            .iter()
            .filter(|l| l.open && l.pending.is_empty())
            .map(|l| l.released_at().saturating_duration_since(now))
            .min()
            .unwrap_or(FOLLOW_START_HOLD)
            .max(Duration::from_millis(1));
        match rx.recv_timeout(wait) {
            Ok(FollowMsg::Start(i)) => {
                follow_lane(&mut lanes, i);
            }
            Ok(FollowMsg::Items(i, items)) => {
                if let Some(l) = follow_lane(&mut lanes, i) {
                    l.heard = true;
                    l.last = Instant::now();
                    l.pending.extend(items);
                }
            }
            Ok(FollowMsg::End(i)) => {
                if let Some(l) = follow_lane(&mut lanes, i) {
                    l.open = false;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => connected = false,
        }
    }
}

/// Lane `i`, added (open, not heard from, started now) on first mention; lanes are numbered
/// from 0 in the order they start.
fn follow_lane(lanes: &mut Vec<FollowLane>, i: usize) -> Option<&mut FollowLane> {
    while lanes.len() <= i {
        lanes.push(FollowLane {
            pending: VecDeque::new(),
            open: true,
            heard: false,
            last: Instant::now(),
        });
    }
    lanes.get_mut(i)
}

/// The follow-mode sender of one lane: every item goes out at once, tagged with the lane.
pub(super) struct FollowOut {
    pub(super) lane: usize,
    pub(super) tx: SyncSender<FollowMsg>,
}

impl FollowOut {
    pub(super) fn push(&mut self, k: Keyed) -> Result<(), LaneError> {
        self.tx
            .send(FollowMsg::Items(self.lane, vec![k]))
            .map_err(|_| LaneError::Stopped)
    }
}

/// The k-way merge: repeatedly deliver the smallest head among all inputs. Receivers are
/// dropped on return, which stops reader threads blocked on a full channel.
pub(super) fn deliver_merged(
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
        sink(*k.item).map_err(PipelineError::Sink)?;
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
pub(super) struct Batcher {
    pub(super) tx: SyncSender<Vec<Keyed>>,
    pub(super) buf: Vec<Keyed>,
    pub(super) size: usize,
}

impl Batcher {
    pub(super) fn push(&mut self, k: Keyed) -> Result<(), LaneError> {
        self.buf.push(k);
        if self.buf.len() >= self.size {
            self.flush()?;
        }
        Ok(())
    }

    pub(super) fn flush(&mut self) -> Result<(), LaneError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let b = std::mem::replace(&mut self.buf, Vec::with_capacity(self.size));
        self.tx.send(b).map_err(|_| LaneError::Stopped)
    }
}
