//! The way of a line a collector or store wrapped: its source resolved, then (for a log
//! store's lines, which may come newest first or by relevance) the lane's ordering stage,
//! then partial lines joined per source and stream, then the record step every line takes.
//! Whole JSON documents hand their entries in here too.

use super::join::Pending;
use super::lane::{Keyed, LaneError};
use super::order::{Order, Unit};
use super::sources::{LaneState, Parsed, Sources};
use crate::envelope;
use crate::grammar::first_line;
use crate::input::document::{Arrangement, Entry};
use crate::input::Wrapped;

impl Sources<'_> {
    /// A wrapped line (or document entry: `forced_defer`) of number `line`: to the ordering
    /// stage when it is a store's and ordering is on, else read now.
    pub(super) fn wrapped(
        &mut self,
        w: Wrapped<'_>,
        line: u64,
        truncated: bool,
        forced_defer: bool,
    ) -> Parsed {
        let Wrapped {
            layout,
            pod,
            container,
            ts,
            stream,
            partial,
            text,
            offset,
        } = w;
        let pod = pod.map(|p| self.pod_index(&p, container.as_deref().unwrap_or("")));
        let unit = Unit {
            src: pod.map(|(i, _)| i),
            stream,
            ts,
            partial,
            text,
            line,
            truncated,
            offset,
        };
        if self.defer && (forced_defer || !layout.in_time_order()) {
            return Parsed {
                pod,
                item: None,
                deferred: Some(Box::new(unit.into_owned())),
                unordered: layout.unordered(),
                released: Vec::new(),
                lent: None,
            };
        }
        let item = self.unit(unit, line);
        Parsed {
            pod,
            item,
            deferred: None,
            unordered: false,
            released: std::mem::take(&mut self.spill),
            lent: None,
        }
    }

    /// One wrapped line whose turn it is: counted, joined with its partial predecessors (or
    /// kept when it is partial itself), then read as a record or continuation.
    pub(super) fn unit(&mut self, u: Unit<'_>, order: u64) -> Option<Keyed> {
        self.count_line(u.src, u.truncated);
        if u.partial {
            self.src_mut(u.src).sum.partial_lines += 1;
            self.join
                .partial(u.src, u.stream, &u.text, u.line, order, u.ts, u.truncated);
            return None;
        }
        match self.join.complete(u.src, u.stream, &u.text, u.truncated) {
            Some(p) => {
                if p.truncated && !u.truncated {
                    // Too long only once joined: counted as one over-long line.
                    self.src_mut(p.src).sum.truncated_lines += 1;
                }
                let item = self.record_joined(&p);
                self.whole_record_exception(p.src, &p.text);
                item
            }
            None => {
                let env = envelope::parse_line(&u.text, &self.opts.zone);
                let item = self.record(
                    u.src,
                    u.ts,
                    first_line(&u.text),
                    env,
                    u.line,
                    order,
                    false,
                    false,
                );
                self.whole_record_exception(u.src, &u.text);
                item
            }
        }
    }

    /// A line joined from its parts, read as a record (its text is the joiner's, not
    /// lent).
    fn record_joined(&mut self, p: &Pending) -> Option<Keyed> {
        let env = envelope::parse_line(&p.text, &self.opts.zone);
        self.record(
            p.src,
            p.ts,
            first_line(&p.text),
            env,
            p.line,
            p.order,
            false,
            false,
        )
    }

    /// A store that holds a whole multi-line record: its second line is the exception of the
    /// event the record made, if that event waits for one.
    fn whole_record_exception(&mut self, src: Option<usize>, text: &str) {
        let Some(second) = text.split('\n').nth(1) else {
            return;
        };
        if let Some(k) = self.src_mut(src).held.as_mut() {
            super::sources::attach_exception(k, second);
        }
    }

    /// End of input: lines whose last part never came are read as they are.
    pub(super) fn flush_partials(&mut self) -> Vec<Keyed> {
        let mut out = Vec::new();
        for p in self.join.drain() {
            let item = self.record_joined(&p);
            out.append(&mut self.spill);
            out.extend(item);
        }
        out
    }
}

impl LaneState<'_> {
    /// A log store's line into the ordering stage; the lines it lets go are read.
    /// `unordered`: the store says its lines come in no order along time.
    pub(super) fn defer(
        &mut self,
        u: Unit<'static>,
        unordered: bool,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        let LaneState {
            sources,
            reorder,
            order,
        } = self;
        let order = order.get_or_insert_with(|| Order::new(sources.own.name.clone(), unordered));
        if unordered {
            order.hold_all();
        }
        order.push(u, &mut |u| {
            sources.released += 1;
            let item = sources.unit(u, sources.released);
            for k in sources.spill.drain(..) {
                reorder.push(k, emit)?;
            }
            match item {
                Some(k) => reorder.push(k, emit),
                None => Ok(()),
            }
        })
    }

    /// One entry of a whole JSON document.
    pub(super) fn entry(
        &mut self,
        e: Entry,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        let Some(w) = e.wrapped else {
            // Not a log store's entry: counted, never dropped silently.
            self.sources.own.sum.lines += 1;
            self.sources.own.sum.unparseable += 1;
            return Ok(());
        };
        let parsed = self.sources.wrapped(w, e.number, false, true);
        if let Some((_, true)) = parsed.pod {
            self.pod_added();
        }
        for k in parsed.released {
            self.reorder.push(k, emit)?;
        }
        if let Some(u) = parsed.deferred {
            let unordered = parsed.unordered || e.arrangement == Arrangement::Unordered;
            self.defer(*u, unordered, emit)?;
        }
        match parsed.item {
            Some(k) => self.reorder.push(k, emit),
            None => Ok(()),
        }
    }

    /// End of input for the wrapped lines: the ordering stage drained, partial lines
    /// flushed.
    pub(super) fn finish_wrapped(
        &mut self,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        if let Some(mut order) = self.order.take() {
            let LaneState {
                sources, reorder, ..
            } = self;
            order.finish(&mut |u| {
                sources.released += 1;
                let item = sources.unit(u, sources.released);
                for k in sources.spill.drain(..) {
                    reorder.push(k, emit)?;
                }
                match item {
                    Some(k) => reorder.push(k, emit),
                    None => Ok(()),
                }
            })?;
        }
        for k in self.sources.flush_partials() {
            self.reorder.push(k, emit)?;
        }
        Ok(())
    }
}
