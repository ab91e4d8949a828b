//! Per-source parsing: one physical line → kubectl decorations off → envelope → record or
//! continuation → grammar → item; the sources (the input's own and one per kubectl pod) of
//! one input, and the lane state that feeds their items through the reorder buffer.
//! A line a collector or store wrapped takes the way through [`super::wrapped`] instead
//! (wrapping off, time order, partial lines joined) and comes back to [`Sources::record`].

use super::chunked::{ChunkOut, Entry};
use super::clock::Clock;
use super::join::Joiner;
use super::lane::{Keyed, LaneError};
use super::order::{Order, Unit};
use super::reorder::Reorder;
use super::{
    Item, Options, PipelineError, SourceSummary, Unmatched, POD_STREAM_CAP, REORDER_CAP,
    REORDER_WINDOW_MS,
};
use crate::envelope::{self, Envelope};
use crate::events::{Event, Fields, Kind, LOG_END_ROTATED};
use crate::grammar::{Classified, LoggerCache};
use crate::input::{self, Decoder, RawLine};
use chrono::{DateTime, TimeDelta, Utc};
use std::borrow::Cow;
use std::sync::Arc;

/// One source's running state.
pub(super) struct Src {
    pub(super) name: Arc<str>,
    pub(super) pod: String,
    pub(super) container: String,
    pub(super) sum: SourceSummary,
    /// The latest instant of any record, and the line and order key of the last one, for
    /// `log_end`: it goes after every record of its source, also when the last records are
    /// out of order.
    pub(super) last: Option<(DateTime<Utc>, u64, u64)>,
    /// The source's clock, which reads ambiguous local times.
    pub(super) clock: Clock,
    /// Items of the source's opening records in the repeated hour of a DST change, held
    /// until the clock decides their reading, with their later reading.
    pub(super) dst_held: Vec<(Keyed, DateTime<Utc>)>,
    /// Later minus earlier reading of the held run.
    pub(super) held_shift: TimeDelta,
    /// The text of the last record (for `log_end`'s evidence), unless `last_text_lent`.
    pub(super) last_text: String,
    /// Whether the last record's text was lent instead of copied into `last_text`
    /// ([`Parsed::lent`]): the chunk's parser fills it in at the chunk's end.
    pub(super) last_text_lent: bool,
    /// The event of the last record while the record may still go on: its exception (the
    /// first continuation line) joins it, see [`wants_exception`].
    pub(super) held: Option<Keyed>,
    /// The first line of this source when it is a continuation (a chunk that starts in the
    /// middle of a record): it may be the exception of the previous chunk's held event.
    pub(super) lead: Option<String>,
}

/// Kinds whose records carry the exception that explains them (a fatal error, a failed
/// task, a job or checkpoint failure, an HA error): their event waits for the record's
/// first continuation line.
pub(super) fn wants_exception(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::ProcessStopping
            | Kind::JobFailure
            | Kind::JobState
            | Kind::CheckpointFailed
            | Kind::HaError
            | Kind::TaskmanagerLost
    )
}

/// Longest exception line kept (characters beyond are cut).
const MAX_EXCEPTION: usize = 512;

/// The exception of a stack trace's first line (`java.lang.OutOfMemoryError: Java heap
/// space`, `org.apache.flink.util.FlinkException: …`), or `None` for any other text.
pub(super) fn exception_line(line: &str) -> Option<String> {
    let t = line.trim();
    let head = t.split([':', ' ']).next()?;
    let class = head.rsplit('.').next()?;
    let named = ["Exception", "Error", "Throwable"]
        .iter()
        .any(|s| class.ends_with(s));
    let dotted = head.contains('.')
        && head
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '$' | '_'));
    if !(named && dotted) {
        return None;
    }
    Some(match t.char_indices().nth(MAX_EXCEPTION) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    })
}

/// Give a held event the exception of `line` (when it is one).
pub(super) fn attach_exception(k: &mut Keyed, line: &str) {
    if let Item::Event(e) = &mut *k.item {
        if e.fields.exception.is_none() {
            e.fields.exception = exception_line(line);
        }
    }
}

impl Src {
    pub(super) fn new(name: Arc<str>, pod: &str, container: &str) -> Self {
        Src {
            sum: SourceSummary {
                name: name.to_string(),
                ..SourceSummary::default()
            },
            name,
            pod: pod.to_string(),
            container: container.to_string(),
            last: None,
            clock: Clock::default(),
            dst_held: Vec::new(),
            held_shift: TimeDelta::zero(),
            last_text: String::new(),
            last_text_lent: false,
            held: None,
            lead: None,
        }
    }

    /// Add what a later chunk of the same source counted (its lines numbered from
    /// `offset + 1`). The chunk counted the lines before its first record as unparseable;
    /// they continue this source's last record when it has one.
    pub(super) fn absorb(&mut self, chunk: Src, offset: u64) {
        // Destructured whole, so that a new counter cannot be forgotten here.
        let SourceSummary {
            name: _,
            lines,
            records,
            continuation_lines,
            unparseable,
            partial_lines,
            events,
            ignored,
            unmatched,
            truncated_lines,
            ambiguous_times,
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
        s.partial_lines += partial_lines;
        s.events += events;
        s.ignored += ignored;
        s.unmatched += unmatched;
        s.truncated_lines += truncated_lines;
        s.ambiguous_times += ambiguous_times;
        s.first_ts = s.first_ts.or(first_ts);
        s.last_ts = last_ts.or(s.last_ts);
        if let Some((ts, line, order)) = chunk.last {
            let latest = self.last.map_or(ts, |(t, _, _)| t.max(ts));
            self.last = Some((latest, line + offset, order + offset));
            self.last_text = chunk.last_text;
        }
        if let Some(mut k) = chunk.held {
            k.line += offset;
            if let Item::Event(e) = &mut *k.item {
                e.line += offset;
                e.source = self.name.clone();
            }
            self.held = Some(k);
        }
    }
}

impl Src {
    /// The held items, now that the clock decided: with their later reading when
    /// `second` (the counts and the end instant shift with them).
    pub(super) fn release(&mut self, second: bool) -> Vec<Keyed> {
        let shift = self.held_shift;
        if second {
            let s = &mut self.sum;
            s.first_ts = s.first_ts.map(|t| t + shift);
            s.last_ts = s.last_ts.map(|t| t + shift);
            self.last = self.last.map(|(t, l, o)| (t + shift, l, o));
        }
        self.dst_held
            .drain(..)
            .map(|(mut k, later)| {
                if second {
                    k.ts = later;
                    match &mut *k.item {
                        Item::Event(e) => e.ts = later,
                        Item::Unmatched(u) => u.ts = later,
                    }
                }
                k
            })
            .collect()
    }
}

/// What one physical line yields.
pub(super) struct Parsed {
    /// The pod source the line belongs to (`None`: the input's own source), and whether
    /// this line is the pod's first.
    pub(super) pod: Option<(usize, bool)>,
    /// The line's item, if it starts a record that becomes one.
    pub(super) item: Option<Keyed>,
    /// A log store's line, to be put in time order by the lane before it is read (boxed:
    /// every plain line carries this field, few fill it).
    pub(super) deferred: Option<Box<Unit<'static>>>,
    /// Whether that store gives its lines in no order along time.
    pub(super) unordered: bool,
    /// Earlier items this line released (an event whose record ended or whose exception
    /// this line was; records held for the repeated DST hour that this line's instant
    /// decided): they come before `item`, in this order.
    pub(super) released: Vec<Keyed>,
    /// With [`Sources::lend_text`]: the line started a record of this source (`None`: the
    /// input's own) whose text, the line's last this many bytes, was not copied.
    pub(super) lent: Option<(Option<usize>, usize)>,
}

/// The sources of one input (or of one chunk of it) and the per-line parsing step, shared
/// by sequential and chunked parsing so that both count and classify alike.
pub(super) struct Sources<'o> {
    pub(super) opts: &'o Options,
    pub(super) own: Src,
    pub(super) pods: Vec<Src>,
    pub(super) last_pod: usize,
    /// Recognises collectors' and stores' layouts.
    pub(super) decoder: Decoder,
    /// Partial lines waiting for the rest.
    pub(super) join: Joiner,
    /// Whether a store's lines go to the lane's ordering stage (`false` in chunks and with
    /// `follow`: read at once).
    pub(super) defer: bool,
    /// Lines taken back from the ordering stage so far (their order key).
    pub(super) released: u64,
    /// Held items the last [`Sources::record`] call released, for the caller to emit
    /// before that call's item.
    pub(super) spill: Vec<Keyed>,
    /// The source of the last line [`Sources::record`] saw (`Some(None)`: the input's own):
    /// the only one that can hold an event, since a line of another source releases it.
    pub(super) last_src: Option<Option<usize>>,
    /// How loggers resolve to templates, kept per parsing thread (no lock).
    loggers: LoggerCache,
    /// Whether lines that carry their text ([`RawLine::text`]) lend their record's text
    /// instead of copying it into the source's `last_text` (see [`Parsed::lent`]): set by
    /// a chunk's parser, which holds the chunk's text until its end: only a chunk's last
    /// record of each source needs its text copied.
    pub(super) lend_text: bool,
    /// The source whose record [`Sources::record`] just lent its text.
    lent: Option<Option<usize>>,
}

impl<'o> Sources<'o> {
    pub(super) fn new(name: Arc<str>, opts: &'o Options) -> Self {
        Sources {
            opts,
            own: Src::new(name, "", ""),
            pods: Vec::new(),
            last_pod: 0,
            decoder: Decoder::new(opts.input_format),
            join: Joiner::default(),
            defer: false,
            released: 0,
            spill: Vec::new(),
            last_src: None,
            loggers: LoggerCache::new(),
            lend_text: false,
            lent: None,
        }
    }

    /// The source of index `src` (`None`: the input's own).
    pub(super) fn src_mut(&mut self, src: Option<usize>) -> &mut Src {
        match src.and_then(|i| self.pods.get_mut(i)) {
            Some(s) => s,
            None => &mut self.own,
        }
    }

    /// The index into `pods` for a `[pod/NAME/CONTAINER]` prefix, adding the pod on first
    /// sight (then `true`). The first container of a pod is named after the pod, others
    /// `pod/container`.
    pub(super) fn pod_index(&mut self, pod: &str, container: &str) -> (usize, bool) {
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
    #[inline]
    pub(super) fn line(&mut self, raw: RawLine<'_>) -> Parsed {
        let text: Cow<'_, str> = match raw.text {
            Some(t) => Cow::Borrowed(t),
            None => match simdutf8::basic::from_utf8(raw.bytes) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => String::from_utf8_lossy(raw.bytes),
            },
        };
        // A line only a continuation can be (a stack trace's: nearly a third of a busy log's
        // lines) goes straight to the record bookkeeping: the decoders, the `kubectl` prefix
        // and the envelope parser would each find nothing in it.
        if raw.plain && self.surely_continuation(&text) {
            self.count_line(None, raw.truncated);
            let item = self.record(
                None, None, &text, None, raw.number, raw.number, false, false,
            );
            let lent = self.lent.take().map(|s| (s, text.len()));
            return Parsed {
                pod: None,
                item,
                deferred: None,
                unordered: false,
                released: std::mem::take(&mut self.spill),
                lent,
            };
        }
        if let Some(w) = self.decoder.decode(&text) {
            return self.wrapped(w, raw.number, raw.truncated, false);
        }
        if self.decoder.framing().is_some() {
            return self.malformed(raw.truncated);
        }
        let deco = input::strip_kubectl(&text);
        let opts = self.opts;
        let env = match raw.plain {
            true => envelope::parse_plain_line(deco.rest, &opts.zone),
            false => envelope::parse_line(deco.rest, &opts.zone),
        };
        if env.is_none() && deco.pod.is_none() && deco.ts.is_none() {
            let is_record = |m: &str| envelope::parse_line(m, &opts.zone).is_some();
            if let Some(w) = self.decoder.detect_stern(&text, is_record) {
                return self.wrapped(w, raw.number, raw.truncated, false);
            }
        }
        let pod = deco.pod.map(|(p, c)| self.pod_index(p, c));
        let src = pod.map(|(i, _)| i);
        self.count_line(src, raw.truncated);
        let lend = self.lend_text && raw.text.is_some();
        // A pattern layout's message borrows from the line, which holds no `\n`.
        let one_line = env
            .as_ref()
            .is_some_and(|e| matches!(e.message, Cow::Borrowed(_)));
        let item = self.record(
            src, deco.ts, deco.rest, env, raw.number, raw.number, lend, one_line,
        );
        // The record's text is `deco.rest`, which ends the line.
        let lent = self.lent.take().map(|s| (s, deco.rest.len()));
        Parsed {
            pod,
            item,
            deferred: None,
            unordered: false,
            released: std::mem::take(&mut self.spill),
            lent,
        }
    }

    /// A line without the layout the input's lines have (a cut JSON record in a Docker
    /// file, garbage in a CRI file): counted as not understood, for the input's own source.
    fn malformed(&mut self, truncated: bool) -> Parsed {
        self.count_line(None, truncated);
        self.own.sum.unparseable += 1;
        Parsed {
            pod: None,
            item: None,
            deferred: None,
            unordered: false,
            released: Vec::new(),
            lent: None,
        }
    }

    /// Whether a line of valid text without escape bytes surely starts no record and is no
    /// collector's or `kubectl`'s line: [`Sources::line`] would find it continues the record
    /// before it (or is not understood) without looking further.
    pub(super) fn surely_continuation(&self, text: &str) -> bool {
        let b = text.as_bytes();
        self.decoder.surely_unwrapped(b)
            && input::surely_undecorated(b)
            && envelope::surely_no_record(b)
    }

    /// Count one physical line of source `src`.
    #[inline]
    pub(super) fn count_line(&mut self, src: Option<usize>, truncated: bool) {
        let s = self.src_mut(src);
        s.sum.lines += 1;
        if truncated {
            s.sum.truncated_lines += 1;
        }
    }

    /// Classify a line of source `src` that `env` says starts a record (else it continues the
    /// last record, or is not understood): `text` is the line as the application wrote it
    /// (the first line of a multi-line record a store holds whole),
    /// `ts` the collector's instant that replaces the record's own, `line` its number in
    /// the input, `order` its order key (the line number, unless the lane reordered lines),
    /// `lend` whether `text` may be lent instead of copied (see [`Sources::lend_text`]),
    /// `one_line` whether the envelope's message is known to hold no `\n` (it borrows from
    /// one physical line).
    /// Always inlined: the item it builds is large, and built in place on the hot path
    /// instead of copied out of a call.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn record(
        &mut self,
        src: Option<usize>,
        ts: Option<DateTime<Utc>>,
        text: &str,
        env: Option<Envelope<'_>>,
        line: u64,
        order: u64,
        lend: bool,
        one_line: bool,
    ) -> Option<Keyed> {
        let opts = self.opts;
        let src = src.filter(|&i| i < self.pods.len());
        let src_index = src;
        if self.last_src != Some(src) {
            // A line of another source: the stream moved on, and an event held for its
            // record's exception would come out after later ones (in follow mode nothing
            // reorders them; a pod killed mid-record never continues it).
            if let Some(prev) = self.last_src.replace(src) {
                if let Some(k) = self.src_mut(prev).held.take() {
                    self.spill.push(k);
                }
            }
        }
        let src = match src.and_then(|i| self.pods.get_mut(i)) {
            Some(s) => s,
            None => &mut self.own,
        };
        let Some(env) = env else {
            if src.last.is_some() {
                src.sum.continuation_lines += 1;
            } else {
                src.sum.unparseable += 1;
                if src.sum.lines == 1 {
                    src.lead = Some(text.to_string());
                }
            }
            // The record's first continuation line: the held event's exception, if any.
            if let Some(mut k) = src.held.take() {
                attach_exception(&mut k, text);
                self.spill.push(k);
            }
            return None;
        };
        if let Some(k) = src.held.take() {
            self.spill.push(k);
        }
        let reading = src.clock.read(
            ts.unwrap_or(env.ts),
            ts.is_some() || env.exact,
            &opts.zone,
            &mut src.sum,
        );
        if let Some(second) = reading.run_decided {
            self.spill.extend(src.release(second));
        }
        if let Some(later) = reading.later {
            src.held_shift = later - reading.ts;
        }
        let ts = reading.ts;
        src.sum.records += 1;
        src.sum.first_ts.get_or_insert(ts);
        src.sum.last_ts = Some(ts);
        let latest = src.last.map_or(ts, |(t, _, _)| t.max(ts));
        src.last = Some((latest, line, order));
        // Evidence is shown as text: without the colour codes the line may carry.
        let rest = match env.plain {
            true => Cow::Borrowed(text),
            false => envelope::strip_ansi(text),
        };
        if lend && matches!(rest, Cow::Borrowed(_)) {
            src.last_text_lent = true;
            self.lent = Some(src_index);
        } else {
            src.last_text_lent = false;
            src.last_text.clear();
            src.last_text.push_str(&rest);
        }
        let (g, cache) = (&opts.grammar, &mut self.loggers);
        let classified = match one_line {
            true => g.classify_line(cache, &env.level, &env.logger, &env.message),
            false => g.classify_cached(cache, &env.level, &env.logger, &env.message),
        };
        let item = match classified {
            Classified::Event { kind, fields } => {
                src.sum.events += 1;
                Item::Event(Event {
                    ts,
                    source: src.name.clone(),
                    line,
                    kind,
                    fields,
                    text: Arc::from(&*rest),
                })
            }
            Classified::Unmatched => {
                src.sum.unmatched += 1;
                if !opts.want_unmatched {
                    return None;
                }
                Item::Unmatched(Unmatched {
                    source: src.name.clone(),
                    line,
                    ts,
                    level: env.level.into_owned(),
                    logger: env.logger.into_owned(),
                    text: rest.into_owned(),
                })
            }
            Classified::Ignored => {
                src.sum.ignored += 1;
                return None;
            }
            Classified::Unwatched => return None,
        };
        let keyed = Keyed {
            ts,
            line: order,
            sub: 0,
            item: Box::new(item),
        };
        if let Some(later) = reading.later {
            src.dst_held.push((keyed, later));
            if src.dst_held.len() >= super::clock::MAX_HELD {
                if let Some(second) = src.clock.give_up(&mut src.sum) {
                    self.spill.extend(src.release(second));
                }
            }
            return None;
        }
        match &*keyed.item {
            Item::Event(e) if wants_exception(e.kind) => {
                src.held = Some(keyed);
                None
            }
            _ => Some(keyed),
        }
    }
}

/// Parsing state of one input: its own source plus one per kubectl pod seen in it, and the
/// reorder buffer its items pass.
pub(super) struct LaneState<'o> {
    pub(super) sources: Sources<'o>,
    pub(super) reorder: Reorder,
    /// Puts a log store's lines in time order (created with the first one).
    pub(super) order: Option<Order>,
}

impl<'o> LaneState<'o> {
    pub(super) fn new(name: Arc<str>, opts: &'o Options) -> Self {
        let mut sources = Sources::new(name.clone(), opts);
        sources.defer = !opts.follow;
        LaneState {
            order: None,
            sources,
            reorder: Reorder::new(
                name,
                if opts.follow { 0 } else { REORDER_CAP },
                Some(TimeDelta::milliseconds(REORDER_WINDOW_MS)),
            ),
        }
    }

    /// A pod source was added: with the first one, the input is a multi-pod stream.
    pub(super) fn pod_added(&mut self) {
        if self.sources.pods.len() == 1 && !self.sources.opts.follow {
            // kubectl writes pods one after the other: sort the whole stream.
            self.reorder.cap = POD_STREAM_CAP;
            self.reorder.window = None;
        }
    }

    pub(super) fn line(
        &mut self,
        raw: RawLine<'_>,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        let parsed = self.sources.line(raw);
        if let Some((_, true)) = parsed.pod {
            self.pod_added();
        }
        for k in parsed.released {
            self.reorder.push(k, emit)?;
        }
        if let Some(u) = parsed.deferred {
            self.defer(*u, parsed.unordered, emit)?;
        }
        match parsed.item {
            Some(k) => self.reorder.push(k, emit),
            None => Ok(()),
        }
    }

    /// A chunk starts: the held event of a source the chunk has lines for gets the chunk's
    /// leading continuation line as its exception (when it is one) and is released.
    fn continue_held(
        held: &mut Option<Keyed>,
        chunk_src: Option<&Src>,
        reorder: &mut Reorder,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        let Some(c) = chunk_src.filter(|c| c.sum.lines > 0) else {
            return Ok(());
        };
        if let Some(mut k) = held.take() {
            if let Some(lead) = &c.lead {
                attach_exception(&mut k, lead);
            }
            reorder.push(k, emit)?;
        }
        Ok(())
    }

    /// Take in the next chunk of the input, whose lines are numbered from `offset + 1`: its
    /// items go through the reorder buffer in the order sequential parsing would have pushed
    /// them, its pods are matched with (or added to) the ones seen so far, its counts added.
    pub(super) fn absorb(
        &mut self,
        chunk: ChunkOut,
        offset: u64,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<(), LaneError> {
        let ChunkOut {
            entries, own, pods, ..
        } = chunk;
        Self::continue_held(
            &mut self.sources.own.held,
            Some(&own),
            &mut self.reorder,
            emit,
        )?;
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
                        if let Some(s) = self.sources.pods.get_mut(g) {
                            Self::continue_held(&mut s.held, Some(p), &mut self.reorder, emit)?;
                        }
                    }
                }
                Entry::Item(pod, mut k) => {
                    k.line += offset;
                    let name = pod
                        .and_then(|l| global.get(l).copied().flatten())
                        .and_then(|g| self.sources.pods.get(g))
                        .map(|s| s.name.clone());
                    match &mut *k.item {
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
    pub(super) fn finish(
        mut self,
        emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
    ) -> Result<Vec<SourceSummary>, LaneError> {
        self.finish_wrapped(emit)?;
        let sources = &mut self.sources;
        // The input is a rotated part: each of its sources may go on in the next part.
        let rotated = input::rotation_base(&sources.own.name) != &*sources.own.name;
        let mut srcs = Vec::with_capacity(1 + sources.pods.len());
        if sources.pods.is_empty() || sources.own.sum.lines > 0 {
            srcs.push(std::mem::replace(
                &mut sources.own,
                Src::new(Arc::from(""), "", ""),
            ));
        }
        srcs.append(&mut sources.pods);
        for s in &mut srcs {
            if let Some(second) = s.clock.finish(&mut s.sum) {
                for k in s.release(second) {
                    self.reorder.push(k, emit)?;
                }
            }
            if let Some(k) = s.held.take() {
                self.reorder.push(k, emit)?;
            }
            if let Some((ts, line, order)) = s.last {
                let ev = Event {
                    ts,
                    source: s.name.clone(),
                    line,
                    kind: Kind::LogEnd,
                    fields: Box::new(Fields {
                        reason: rotated.then(|| LOG_END_ROTATED.to_string()),
                        ..Fields::default()
                    }),
                    text: Arc::from(std::mem::take(&mut s.last_text)),
                };
                self.reorder.push(
                    Keyed {
                        ts,
                        line: order,
                        sub: 1,
                        item: Box::new(Item::Event(ev)),
                    },
                    emit,
                )?;
            }
        }
        self.reorder.finish(emit)?;
        Ok(srcs.into_iter().map(|s| s.sum).collect())
    }
}
