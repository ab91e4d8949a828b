//! The reorder buffer: absorbs the small timestamp disorder of one input (records logged by
//! several threads are written a few milliseconds out of order).

use super::lane::{Keyed, LaneError};
use chrono::{DateTime, TimeDelta, Utc};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A bounded min-heap that absorbs small timestamp disorder within one input.
pub(super) struct Reorder {
    pub(super) heap: BinaryHeap<Reverse<Keyed>>,
    pub(super) newest: Option<DateTime<Utc>>,
    pub(super) cap: usize,
    pub(super) window: Option<TimeDelta>,
}

impl Reorder {
    pub(super) fn push(
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

    pub(super) fn finish(
        &mut self,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        while let Some(Reverse(k)) = self.heap.pop() {
            emit(k)?;
        }
        Ok(())
    }
}
