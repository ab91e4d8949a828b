//! Matching advice entries against a run: the [`Advisor`] keeps the events the signatures
//! can use while the stream flows, and at the end finds each entry's signature among them and
//! the verdicts, and attaches the notes.

use super::{Book, Cond, Constraint, Entry, EventCond, Fact, FieldRef, Op, Parsed, Rhs, Target};
use crate::check::evidence;
use crate::check::model::{Advice, Analysis, Applies, Evidence, Incarnation, IncarnationEnd};
use crate::events::{Event, Kind};
use crate::grammar::Grammar;
use chrono::{DateTime, Duration, Utc};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

/// How many candidate events one entry's search may look at before it gives up.
const BUDGET: u64 = 2_000_000;

/// What the stream showed about the cluster, for `cluster` conditions.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Facts {
    kubernetes: bool,
    zookeeper: bool,
}

impl Facts {
    pub(crate) fn observe(&mut self, ev: &Event) {
        match ev.kind {
            Kind::LeaderElectorCreated | Kind::LeaderElected => self.kubernetes = true,
            Kind::HaConnection => self.zookeeper = true,
            _ => {}
        }
    }
}

/// The streaming half of the advisor: fed every JobManager event, it keeps those that some
/// signature can still use, at most [`super::MAX_KEPT`].
///
/// An event is kept when it satisfies the constant constraints of one of the event conditions
/// that name its kind, unless that use is provably void ([`Use`]): the first condition of a
/// signature keeps only the first event of each value of the fields it compares, and a
/// condition with `within` only events that close enough after a candidate of the condition
/// before it. Either way the matches at the end are the ones all events would give, while the
/// kept events grow with jobs and JobManagers instead of with checkpoints.
#[derive(Debug)]
pub struct Advisor {
    book: Arc<Book>,
    /// Per kind (`Kind as usize`): the uses of conditions that name it.
    wanted: Vec<Vec<Use>>,
    /// Per (entry, condition): the latest instant of an event that can satisfy it, for the
    /// `within` of the condition after it.
    latest: Vec<Vec<Option<DateTime<Utc>>>>,
    /// The compared values of every first-condition candidate kept so far.
    firsts: HashSet<(usize, usize, Vec<Option<String>>)>,
    kept: Vec<Event>,
    full: bool,
    facts: Facts,
}

/// How one event condition of one entry uses the events of its kinds.
#[derive(Clone, Debug)]
struct Use {
    entry: usize,
    cond: usize,
    /// The first positive event condition, followed directly by a positive condition
    /// without a time bound (or by nothing): a later event with the same compared values can
    /// do nothing an earlier one cannot (the rest of the signature is searched after it, and
    /// the search tries the earlier first), so only the first is kept.
    first_only: bool,
    /// `within` of a positive condition after another one (at `prev`, the condition index):
    /// an event later than every candidate of `prev` by more than this cannot match.
    within: Option<(usize, Duration)>,
}

impl Use {
    /// The uses of the event conditions of `entry` (index `ei`).
    fn of_entry(ei: usize, entry: &Entry) -> Vec<(Use, Vec<Kind>)> {
        let events: Vec<(usize, &EventCond)> = entry
            .when
            .iter()
            .enumerate()
            .filter_map(|(ci, c)| match c {
                Cond::Event(ec) => Some((ci, ec)),
                _ => None,
            })
            .collect();
        let first_positive = events.iter().position(|(_, ec)| !ec.negated);
        let mut prev_positive: Option<usize> = None;
        let mut out = Vec::new();
        for (pos, &(ci, ec)) in events.iter().enumerate() {
            let first_only = !ec.negated
                && Some(pos) == first_positive
                && events.get(pos + 1).map_or(true, |(_, n)| {
                    !n.negated && n.within.is_none() && n.after.is_none()
                });
            let within = match (ec.negated, prev_positive, ec.within, ec.after) {
                (false, Some(p), Some(w), None) => Some((p, w)),
                _ => None,
            };
            out.push((
                Use {
                    entry: ei,
                    cond: ci,
                    first_only,
                    within,
                },
                ec.kinds.clone(),
            ));
            if !ec.negated {
                prev_positive = Some(ci);
            }
        }
        out
    }
}

impl Advisor {
    /// An advisor for the entries of `book`.
    pub fn new(book: Arc<Book>) -> Self {
        let mut wanted = vec![Vec::new(); Kind::ALL.len()];
        let mut latest = Vec::with_capacity(book.entries.len());
        for (ei, e) in book.entries.iter().enumerate() {
            latest.push(vec![None; e.when.len()]);
            for (u, kinds) in Use::of_entry(ei, e) {
                for k in kinds {
                    if let Some(w) = wanted.get_mut(k as usize) {
                        w.push(u.clone());
                    }
                }
            }
        }
        Advisor {
            book,
            wanted,
            latest,
            firsts: HashSet::new(),
            kept: Vec::new(),
            full: false,
            facts: Facts::default(),
        }
    }

    /// Look at one JobManager event (in time order).
    pub fn observe(&mut self, ev: &Event) {
        self.facts.observe(ev);
        let Some(uses) = self.wanted.get(ev.kind as usize) else {
            return;
        };
        let mut useful = false;
        for u in uses {
            let Some(Cond::Event(ec)) = self
                .book
                .entries
                .get(u.entry)
                .and_then(|e| e.when.get(u.cond))
            else {
                continue;
            };
            if !constants_hold(ec, ev) {
                continue;
            }
            if let Some((prev, w)) = u.within {
                let near = self
                    .latest
                    .get(u.entry)
                    .and_then(|l| l.get(prev))
                    .copied()
                    .flatten()
                    .is_some_and(|p| ev.ts - p <= w);
                if !near {
                    continue;
                }
            }
            if let Some(l) = self.latest.get_mut(u.entry).and_then(|l| l.get_mut(u.cond)) {
                *l = Some(l.map_or(ev.ts, |t| t.max(ev.ts)));
            }
            if u.first_only {
                let compared = ec
                    .constraints
                    .iter()
                    .filter(|c| matches!(c.rhs, Rhs::Var(_)))
                    .map(|c| field_text(ev, c.field).map(Cow::into_owned))
                    .collect();
                if !self.firsts.insert((u.entry, u.cond, compared)) {
                    continue;
                }
            }
            useful = true;
        }
        if !useful {
            return;
        }
        if self.kept.len() >= super::MAX_KEPT {
            self.full = true;
            return;
        }
        self.kept.push(ev.clone());
    }

    /// The events kept so far, in the order seen.
    #[cfg(test)]
    pub(crate) fn kept(&self) -> &[Event] {
        &self.kept
    }

    /// The end of the stream: match every entry and attach its notes to `a`.
    pub fn finish(self, a: &mut Analysis) {
        if self.full {
            a.notes.push(format!(
                "the known-bug advisor kept the first {} events its signatures can use; later \
                 ones were not matched",
                super::MAX_KEPT
            ));
        }
        for entry in &self.book.entries {
            if !in_scope(entry, a) {
                continue;
            }
            for m in match_entry(entry, &self.kept, a, self.facts) {
                let note = advice_note(entry, &m, &self.kept, a);
                attach(entry, &m, note, &self.kept, a);
            }
        }
    }
}

/// The text of field `name` of `ev`.
fn field_text<'a>(ev: &'a Event, f: FieldRef) -> Option<Cow<'a, str>> {
    let x = &ev.fields;
    let s = |o: &'a Option<String>| o.as_deref().map(Cow::Borrowed);
    let n = |o: Option<u64>| o.map(|v| Cow::Owned(v.to_string()));
    match f {
        FieldRef::Source => Some(Cow::Borrowed(&ev.source)),
        FieldRef::Field(name) => match name {
            "entrypoint" => s(&x.entrypoint),
            "version" => s(&x.version),
            "reason" => s(&x.reason),
            "lock" => s(&x.lock),
            "identity" => s(&x.identity),
            "component" => s(&x.component),
            "session" => s(&x.session),
            "address" => s(&x.address),
            "job" => s(&x.job),
            "jobs" => x.jobs.as_ref().map(|l| Cow::Owned(l.join(","))),
            "name" => s(&x.name),
            "from" => s(&x.from),
            "to" => s(&x.to),
            "state" => s(&x.state),
            "checkpoint" => n(x.checkpoint),
            "savepoint" => x
                .savepoint
                .map(|b| Cow::Borrowed(if b { "true" } else { "false" })),
            "bytes" => n(x.bytes),
            "duration_ms" => n(x.duration_ms),
            "count" => n(x.count),
            "resource" => s(&x.resource),
            "path" => s(&x.path),
            "role" => s(&x.role),
            "exception" => s(&x.exception),
            _ => None,
        },
    }
}

/// One constraint with literal values (variables count as holding).
fn constant_holds(c: &Constraint, ev: &Event) -> bool {
    let Rhs::Values(vals) = &c.rhs else {
        return true;
    };
    let v = field_text(ev, c.field);
    match c.op {
        Op::Eq => v.is_some_and(|v| vals.iter().any(|x| *x == v)),
        Op::Ne => v.is_some_and(|v| vals.iter().all(|x| *x != v)),
        Op::Contains => v.is_some_and(|v| vals.iter().any(|x| v.contains(x.as_str()))),
    }
}

fn constants_hold(ec: &EventCond, ev: &Event) -> bool {
    ec.kinds.contains(&ev.kind) && ec.constraints.iter().all(|c| constant_holds(c, ev))
}

/// Variable bindings of a match.
type Binds = Vec<(String, String)>;

fn bound<'a>(b: &'a Binds, name: &str) -> Option<&'a str> {
    b.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// Whether `ev` satisfies `ec` under `binds`; with `bind`, returns the bindings extended by
/// the condition's first uses.
fn satisfies(ec: &EventCond, ev: &Event, binds: &Binds) -> Option<Binds> {
    if !ec.kinds.contains(&ev.kind) {
        return None;
    }
    let mut out = binds.clone();
    for c in &ec.constraints {
        let v = field_text(ev, c.field);
        let ok = match (&c.rhs, c.op) {
            (Rhs::Values(_), _) => constant_holds(c, ev),
            (Rhs::Var(name), Op::Eq) => match (bound(&out, name), v) {
                (Some(b), Some(v)) => b == v,
                (None, Some(v)) => {
                    out.push((name.clone(), v.into_owned()));
                    true
                }
                (_, None) => false,
            },
            (Rhs::Var(name), Op::Ne) => match (bound(&out, name), v) {
                (Some(b), Some(v)) => b != v,
                _ => false,
            },
            (Rhs::Var(name), Op::Contains) => match (bound(&out, name), v) {
                (Some(b), Some(v)) => v.contains(b),
                _ => false,
            },
        };
        if !ok {
            return None;
        }
    }
    Some(out)
}

/// A match of one entry.
#[derive(Clone, Debug)]
pub(crate) struct Match {
    /// The verdict (index into `Analysis::invariants`) of the first `verdict` condition.
    verdict: Option<usize>,
    /// The matched events (indices into the kept events), in order.
    events: Vec<usize>,
    /// The bindings.
    binds: Binds,
}

#[cfg(test)]
impl Match {
    /// The verdict, the matched events as (source, line) and the bindings: what identifies a
    /// match whatever slice of events it was found in.
    pub(crate) fn identity(&self, events: &[Event]) -> (Option<usize>, Vec<(String, u64)>, Binds) {
        let evs = self
            .events
            .iter()
            .filter_map(|&i| events.get(i))
            .map(|e| (e.source.to_string(), e.line))
            .collect();
        (self.verdict, evs, self.binds.clone())
    }
}

/// The JobManager versions of the run.
fn all_versions(a: &Analysis) -> BTreeSet<String> {
    a.incarnations
        .iter()
        .filter_map(|i| i.version.clone())
        .collect()
}

/// Whether the entry's `scope` admits this run (a run without versions is admitted).
fn in_scope(entry: &Entry, a: &Analysis) -> bool {
    let Some(scope) = &entry.scope else {
        return true;
    };
    let v = all_versions(a);
    v.is_empty() || v.iter().any(|x| scope.contains(x))
}

fn cluster_holds(f: Fact, a: &Analysis, facts: Facts) -> bool {
    let entry = |pred: &dyn Fn(&str) -> bool| {
        a.incarnations
            .iter()
            .any(|i| i.entrypoint.as_deref().is_some_and(pred))
    };
    match f {
        Fact::Application => {
            a.incarnations.iter().any(|i| i.application)
                || entry(&|e: &str| e.contains("Application") || e.contains("JobCluster"))
        }
        Fact::Session => entry(&|e: &str| e.contains("Session")),
        Fact::Kubernetes => facts.kubernetes || entry(&|e: &str| e.contains("Kubernetes")),
        Fact::Zookeeper => facts.zookeeper,
    }
}

/// Every match of `entry`: one per verdict of its first `verdict` condition, or the first
/// match when it has none.
pub(crate) fn match_entry(
    entry: &Entry,
    events: &[Event],
    a: &Analysis,
    facts: Facts,
) -> Vec<Match> {
    for c in &entry.when {
        if let Cond::Cluster(f) = c {
            if !cluster_holds(*f, a, facts) {
                return Vec::new();
            }
        }
    }
    let verdict_conds: Vec<(&String, &Vec<crate::check::model::Outcome>)> = entry
        .when
        .iter()
        .filter_map(|c| match c {
            Cond::Verdict { id, outcomes } => Some((id, outcomes)),
            _ => None,
        })
        .collect();
    let steps: Vec<&EventCond> = entry
        .when
        .iter()
        .filter_map(|c| match c {
            Cond::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    let mut budget = BUDGET;
    match verdict_conds.split_first() {
        None => {
            if let Some((evs, binds)) = sequence(&steps, events, Vec::new(), &mut budget) {
                out.push(Match {
                    verdict: None,
                    events: evs,
                    binds,
                });
            }
        }
        Some(((id, outcomes), rest)) => {
            for (vi, v) in a.invariants.iter().enumerate() {
                if &v.id != *id || !outcomes.contains(&v.verdict) {
                    continue;
                }
                let binds: Binds = v
                    .job
                    .iter()
                    .map(|j| ("job".to_string(), j.clone()))
                    .collect();
                let others_hold = rest.iter().all(|(rid, routs)| {
                    a.invariants.iter().any(|w| {
                        &w.id == *rid
                            && routs.contains(&w.verdict)
                            && (w.job.is_none() || v.job.is_none() || w.job == v.job)
                    })
                });
                if !others_hold {
                    continue;
                }
                if let Some((evs, binds)) = sequence(&steps, events, binds, &mut budget) {
                    out.push(Match {
                        verdict: Some(vi),
                        events: evs,
                        binds,
                    });
                }
            }
        }
    }
    out
}

/// Find the event conditions in order among `events`; returns the matched indices.
fn sequence(
    steps: &[&EventCond],
    events: &[Event],
    binds: Binds,
    budget: &mut u64,
) -> Option<(Vec<usize>, Binds)> {
    let mut chosen = Vec::new();
    let binds = search(steps, 0, None, events, binds, budget, &mut chosen)?;
    Some((chosen, binds))
}

/// Whether some event in `(lo, hi)` (indices, exclusive; `hi` none: to the end, limited by
/// the condition's `within` of the event at `lo`) satisfies the negated condition `neg`.
fn forbidden_between(
    neg: &EventCond,
    events: &[Event],
    lo: Option<usize>,
    hi: Option<usize>,
    binds: &Binds,
    budget: &mut u64,
) -> bool {
    let start = lo.map_or(0, |l| l + 1);
    let end = hi.unwrap_or(events.len());
    let limit = match (lo.and_then(|l| events.get(l)), neg.within) {
        (Some(e), Some(w)) if hi.is_none() => Some(e.ts + w),
        _ => None,
    };
    for e in events.get(start..end).unwrap_or(&[]) {
        *budget = budget.saturating_sub(1);
        if limit.is_some_and(|l| e.ts > l) {
            continue;
        }
        if satisfies(neg, e, binds).is_some() {
            return true;
        }
    }
    false
}

fn search(
    steps: &[&EventCond],
    from: usize,
    prev: Option<usize>,
    events: &[Event],
    binds: Binds,
    budget: &mut u64,
    chosen: &mut Vec<usize>,
) -> Option<Binds> {
    // The negated conditions up to the next positive one.
    let mut i = from;
    let mut negs = Vec::new();
    while let Some(s) = steps.get(i) {
        if !s.negated {
            break;
        }
        negs.push(*s);
        i += 1;
    }
    let Some(step) = steps.get(i) else {
        // Only negated conditions are left: none of them may happen after `prev`.
        let clean = negs
            .iter()
            .all(|n| !forbidden_between(n, events, prev, None, &binds, budget));
        return clean.then_some(binds);
    };
    let start = prev.map_or(0, |p| p + 1);
    let prev_ts = prev.and_then(|p| events.get(p)).map(|e| e.ts);
    for idx in start..events.len() {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        let Some(e) = events.get(idx) else { break };
        if let (Some(p), Some(w)) = (prev_ts, step.within) {
            if e.ts - p > w {
                continue;
            }
        }
        if let (Some(p), Some(d)) = (prev_ts, step.after) {
            if e.ts - p < d {
                continue;
            }
        }
        let Some(next) = satisfies(step, e, &binds) else {
            continue;
        };
        if negs
            .iter()
            .any(|n| forbidden_between(n, events, prev, Some(idx), &next, budget))
        {
            continue;
        }
        chosen.push(idx);
        if let Some(b) = search(steps, i + 1, Some(idx), events, next, budget, chosen) {
            return Some(b);
        }
        chosen.pop();
    }
    None
}

/// The versions of the JobManagers whose lines matched (every JobManager's when none did).
fn versions_for(m: &Match, events: &[Event], a: &Analysis) -> Vec<String> {
    let mut sources: BTreeSet<&str> = m
        .events
        .iter()
        .filter_map(|&i| events.get(i))
        .map(|e| &*e.source)
        .collect();
    if let Some(v) = m.verdict.and_then(|i| a.invariants.get(i)) {
        sources.extend(v.evidence.iter().map(|e| &*e.source));
    }
    let mut out: BTreeSet<String> = a
        .incarnations
        .iter()
        .filter(|i| sources.contains(i.source.as_str()))
        .filter_map(|i| i.version.clone())
        .collect();
    if out.is_empty() {
        out = all_versions(a);
    }
    out.into_iter().collect()
}

/// The note for one match.
fn advice_note(entry: &Entry, m: &Match, events: &[Event], a: &Analysis) -> Advice {
    let versions = versions_for(m, events, a);
    let applies = if versions.is_empty() {
        Applies::VersionUnknown
    } else if versions.iter().any(|v| entry.affects.contains(v)) {
        Applies::Affected
    } else {
        Applies::NotAffected
    };
    let logged = versions.join(", ");
    let note = match applies {
        Applies::Affected => format!(
            "matches {}: {}; affects {}, fixed in {} (logged Flink {logged}). {}",
            entry.id, entry.title, entry.affects_text, entry.fixed, entry.advice
        ),
        Applies::NotAffected => format!(
            "the signature of {} ({}) matched, but Flink {logged} is not known to be affected \
             (affects {}, fixed in {})",
            entry.id, entry.title, entry.affects_text, entry.fixed
        ),
        Applies::VersionUnknown => format!(
            "matches {}: {} if this Flink is {} (the logs name no version; fixed in {}). {}",
            entry.id, entry.title, entry.affects_text, entry.fixed, entry.advice
        ),
    };
    let evidence: Vec<Evidence> = m
        .events
        .iter()
        .filter_map(|&i| events.get(i))
        .map(evidence)
        .collect();
    Advice {
        bug: entry.id.clone(),
        title: entry.title.clone(),
        applies,
        versions,
        affects: entry.affects_text.clone(),
        fixed: entry.fixed.clone(),
        advice: entry.advice.clone(),
        note,
        evidence,
    }
}

/// Attach a note where it belongs (see the module documentation of [`super`]).
fn attach(entry: &Entry, m: &Match, note: Advice, events: &[Event], a: &mut Analysis) {
    let push = |list: &mut Vec<Advice>, note: Advice| {
        if !list.iter().any(|n| n.bug == note.bug) {
            list.push(note);
        }
    };
    match &entry.explains {
        Target::Invariant(id) => {
            let job = bound(&m.binds, "job");
            let own = m
                .verdict
                .filter(|&i| a.invariants.get(i).is_some_and(|v| &v.id == id));
            let target = own.or_else(|| {
                a.invariants
                    .iter()
                    .position(|v| &v.id == id && job.is_some() && v.job.as_deref() == job)
                    .or_else(|| {
                        a.invariants
                            .iter()
                            .position(|v| &v.id == id && (v.job.is_none() || job.is_none()))
                    })
            });
            match target.and_then(|i| a.invariants.get_mut(i)) {
                Some(v) => push(&mut v.advice, note),
                None => push(&mut a.advice, note),
            }
        }
        Target::Failover => {
            let ts: Vec<_> = m
                .events
                .iter()
                .filter_map(|&i| events.get(i))
                .map(|e| e.ts)
                .collect();
            let (Some(first), Some(last)) = (ts.iter().min(), ts.iter().max()) else {
                push(&mut a.advice, note);
                return;
            };
            // The failover the matched lines lead into, or the one they follow (a new
            // leader that crashes on recovery): the nearest to the first matched line.
            let lo = *first - Duration::seconds(60);
            let hi = *last + Duration::minutes(5);
            let first = *first;
            match a
                .failovers
                .iter_mut()
                .filter(|f| f.failure_ts >= lo && f.failure_ts <= hi)
                .min_by_key(|f| (f.failure_ts - first).num_milliseconds().abs())
            {
                Some(f) => push(&mut f.advice, note),
                None => push(&mut a.advice, note),
            }
        }
    }
}

/// The self-test of one entry: its samples must match its signature.
pub(crate) fn check_samples(p: &Parsed, grammar: &Grammar) -> Result<(), String> {
    if p.samples.is_empty() && p.sample_verdicts.is_empty() {
        return Ok(());
    }
    let events = super::sample_events(p, grammar)?;
    let mut facts = Facts::default();
    for e in &events {
        facts.observe(e);
    }
    let incarnations = events
        .iter()
        .filter(|e| e.kind == Kind::ProcessStarted)
        .enumerate()
        .map(|(id, e)| Incarnation {
            id,
            source: e.source.to_string(),
            label: e.source.to_string(),
            first_ts: e.ts,
            last_ts: e.ts,
            version: e.fields.version.clone(),
            entrypoint: e.fields.entrypoint.clone(),
            identity: None,
            end: IncarnationEnd::LogEnds,
            stopping_ts: None,
            stop_reason: None,
            application: e
                .fields
                .entrypoint
                .as_deref()
                .is_some_and(|x| x.contains("Application")),
            application_status: None,
        })
        .collect();
    let invariants = p
        .sample_verdicts
        .iter()
        .map(|(id, o, job)| crate::check::model::Verdict {
            id: id.clone(),
            verdict: *o,
            job: job.clone(),
            because: String::new(),
            evidence: Vec::new(),
            advice: Vec::new(),
        })
        .collect();
    let a = Analysis {
        verdict: crate::check::model::Outcome::Pass,
        invariants,
        failovers: Vec::new(),
        incarnations,
        terms: Vec::new(),
        jobs: Vec::new(),
        notes: Vec::new(),
        advice: Vec::new(),
        others: Vec::new(),
        span: None,
    };
    if !in_scope(&p.entry, &a) {
        return Err(format!(
            "the samples' Flink version is outside the `scope` of bug {}",
            p.entry.id
        ));
    }
    if match_entry(&p.entry, &events, &a, facts).is_empty() {
        return Err(format!(
            "the samples of bug {} do not match its signature",
            p.entry.id
        ));
    }
    Ok(())
}
