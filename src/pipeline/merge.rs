//! Merging the items of several inputs: by time (k-way merge of the inputs' own time orders)
//! or, with `follow`, in arrival order; and the batches reader threads send them in.

use super::lane::{Keyed, LaneError};
use super::Item;
use super::PipelineError;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io;
use std::sync::mpsc::{Receiver, SyncSender};

/// `follow` with several inputs: whatever arrives first goes out first.
pub(super) fn deliver_arrival(
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
