//! Finding the event behind a model fact, for the chart's hover titles and the links into
//! the event table.

use crate::check::model::{Analysis, Failover, JobRecovery};
use crate::events::{format_ts, Event, Kind};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

use super::table_rows;

/// Looks up the event behind a model fact: by kind and instant, then a predicate.
pub(super) struct Index<'a> {
    pub(super) events: &'a [Event],
    pub(super) by_kind_ts: HashMap<(Kind, DateTime<Utc>), Vec<usize>>,
    /// The same, per job: many jobs changing state in the same millisecond (a failover of a
    /// busy session cluster) must not make each lookup scan all of them.
    pub(super) by_kind_ts_job: HashMap<(Kind, DateTime<Utc>, &'a str), Vec<usize>>,
    /// Completed checkpoints per job, in event order (a lane draws its job's ticks without
    /// scanning every event: thousands of jobs stay linear).
    pub(super) completed_by_job: HashMap<&'a str, Vec<usize>>,
    /// Where each job appears in the failovers: (failover index, position in its jobs).
    pub(super) recoveries: HashMap<String, Vec<(usize, usize)>>,
    /// The first trigger of each (job, checkpoint id).
    pub(super) triggered: HashMap<(&'a str, u64), usize>,
    /// Whether event `i` has a row in the event table (marks link only to rows that exist).
    pub(super) in_table: Vec<bool>,
}

impl<'a> Index<'a> {
    pub(super) fn new(a: &Analysis, events: &'a [Event]) -> Index<'a> {
        let mut by_kind_ts: HashMap<(Kind, DateTime<Utc>), Vec<usize>> = HashMap::new();
        let mut by_kind_ts_job: HashMap<(Kind, DateTime<Utc>, &str), Vec<usize>> = HashMap::new();
        let mut completed_by_job: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut triggered = HashMap::new();
        for (i, e) in events.iter().enumerate() {
            by_kind_ts.entry((e.kind, e.ts)).or_default().push(i);
            if let Some(j) = e.fields.job.as_deref() {
                by_kind_ts_job.entry((e.kind, e.ts, j)).or_default().push(i);
            }
            match (e.kind, e.fields.job.as_deref(), e.fields.checkpoint) {
                (Kind::CheckpointCompleted, Some(j), _) => {
                    completed_by_job.entry(j).or_default().push(i)
                }
                (Kind::CheckpointTriggered, Some(j), Some(id)) => {
                    triggered.entry((j, id)).or_insert(i);
                }
                _ => {}
            }
        }
        let mut recoveries: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (f, fo) in a.failovers.iter().enumerate() {
            for (k, r) in fo.jobs.iter().enumerate() {
                recoveries.entry(r.job.clone()).or_default().push((f, k));
            }
        }
        Index {
            events,
            recoveries,
            by_kind_ts,
            by_kind_ts_job,
            completed_by_job,
            triggered,
            in_table: table_rows(a, events),
        }
    }

    /// A link to the event table row of event `i`, wrapping `inner`; just `inner` when the
    /// event has no row.
    pub(super) fn link(&self, i: Option<usize>, inner: &str) -> String {
        match i {
            Some(i) if self.in_table.get(i).copied().unwrap_or(false) => {
                format!("<a href=\"#ev{i}\">{inner}</a>")
            }
            _ => inner.to_string(),
        }
    }

    /// The last event of `source` at or before `until`: the last sign of life of a process
    /// whose synthetic `log_end` event is not among the events.
    pub(super) fn last_of_source(
        &self,
        source: &str,
        until: DateTime<Utc>,
    ) -> Option<(usize, &'a Event)> {
        self.events
            .iter()
            .enumerate()
            .rev()
            .find(|(_, e)| *e.source == *source && e.ts <= until)
    }

    /// The failovers a job went through, with its recovery in each, in failover order.
    pub(super) fn recoveries_of<'b>(
        &self,
        a: &'b Analysis,
        job: &str,
    ) -> Vec<(&'b Failover, &'b JobRecovery)> {
        self.recoveries
            .get(job)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|&(f, k)| {
                let fo = a.failovers.get(f)?;
                Some((fo, fo.jobs.get(k)?))
            })
            .collect()
    }

    /// Like [`Index::find`], among the events of one job.
    pub(super) fn find_job(
        &self,
        kind: Kind,
        ts: DateTime<Utc>,
        job: &str,
        pred: impl Fn(&Event) -> bool,
    ) -> Option<(usize, &'a Event)> {
        self.by_kind_ts_job
            .get(&(kind, ts, job))?
            .iter()
            .filter_map(|&i| self.events.get(i).map(|e| (i, e)))
            .find(|(_, e)| pred(e))
    }

    pub(super) fn find(
        &self,
        kind: Kind,
        ts: DateTime<Utc>,
        pred: impl Fn(&Event) -> bool,
    ) -> Option<(usize, &'a Event)> {
        self.by_kind_ts
            .get(&(kind, ts))?
            .iter()
            .filter_map(|&i| self.events.get(i).map(|e| (i, e)))
            .find(|(_, e)| pred(e))
    }
}

/// Hover text of an event: `source:line`, instant, log text.
pub(super) fn hover_event(e: &Event) -> String {
    format!("{}:{}  {}\n{}", e.source, e.line, format_ts(&e.ts), e.text)
}
