//! The JSON timeline, with the model's field names.

use super::{jm_label, span, term_holder, Headline};
use crate::check::model::{
    Advice, Analysis, CheckpointRun, Failover, Incarnation, JobStateChange, Milestone,
    OtherProcess, Outcome, Restore, Term,
};
use crate::labels::Labels;
use crate::report::units::{self};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Serialize)]
struct SpanDoc {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    duration_ms: i64,
}

#[derive(Serialize)]
struct VerdictDoc<'a> {
    id: &'a str,
    verdict: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    job: Option<&'a str>,
    because: &'a str,
    #[serde(skip_serializing_if = "<[Advice]>::is_empty")]
    advice: &'a [Advice],
}

#[derive(Serialize)]
struct TermDoc<'a> {
    #[serde(flatten)]
    term: &'a Term,
    jobmanager: String,
    source: Option<&'a str>,
    held_ms: Option<i64>,
}

#[derive(Serialize)]
struct FailoverDoc<'a> {
    number: usize,
    #[serde(flatten)]
    failover: &'a Failover,
    from_leader: Option<String>,
    to_leader: Option<String>,
}

#[derive(Serialize)]
struct JobDoc<'a> {
    job: &'a str,
    name: Option<&'a str>,
    last_state: Option<&'a str>,
    terminal_state: Option<&'a str>,
    terminal_ts: Option<DateTime<Utc>>,
    cleanup_ts: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cleanup_finished_ts: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    cleanup_failed: &'a [String],
    #[serde(skip_serializing_if = "<[Milestone]>::is_empty")]
    milestones: &'a [Milestone],
    completed: u64,
    failed: u64,
    restores: &'a [Restore],
    checkpoint_runs: &'a [CheckpointRun],
    states: &'a [JobStateChange],
}

#[derive(Serialize)]
struct TimelineDoc<'a> {
    verdict: Outcome,
    labels: &'a Labels,
    span: Option<SpanDoc>,
    summary: &'a Headline,
    verdicts: Vec<VerdictDoc<'a>>,
    incarnations: &'a [Incarnation],
    terms: Vec<TermDoc<'a>>,
    failovers: Vec<FailoverDoc<'a>>,
    jobs: Vec<JobDoc<'a>>,
    notes: &'a [String],
    #[serde(skip_serializing_if = "<[Advice]>::is_empty")]
    advice: &'a [Advice],
    #[serde(skip_serializing_if = "<[OtherProcess]>::is_empty")]
    others: &'a [OtherProcess],
}

/// The timeline as one JSON document, for scripts: span, headline numbers, verdicts,
/// incarnations, terms, failovers (failure instant, restored checkpoint, first checkpoint
/// after recovery, RTO, RPO per job) and per job the terminal state and HA cleanup instant;
/// `labels` holds the run's `--label` pairs (`{}` without any).
pub fn timeline_json(a: &Analysis, labels: &Labels) -> String {
    let h = Headline::of(a);
    let doc = TimelineDoc {
        verdict: a.verdict,
        labels,
        span: span(a).map(|(from, to)| SpanDoc {
            from,
            to,
            duration_ms: units::between(from, to),
        }),
        summary: &h,
        verdicts: a
            .invariants
            .iter()
            .map(|v| VerdictDoc {
                id: &v.id,
                verdict: v.verdict,
                job: v.job.as_deref(),
                because: &v.because,
                advice: &v.advice,
            })
            .collect(),
        incarnations: &a.incarnations,
        terms: a
            .terms
            .iter()
            .map(|t| TermDoc {
                term: t,
                jobmanager: jm_label(a, t.incarnation),
                source: a.incarnations.get(t.incarnation).map(|i| i.source.as_str()),
                held_ms: t.to.map(|to| units::between(t.from, to)),
            })
            .collect(),
        failovers: a
            .failovers
            .iter()
            .map(|f| FailoverDoc {
                number: f.id + 1,
                failover: f,
                from_leader: f.from_term.and_then(|t| term_holder(a, t)),
                to_leader: f.to_term.and_then(|t| term_holder(a, t)),
            })
            .collect(),
        jobs: a
            .jobs
            .iter()
            .map(|j| JobDoc {
                job: &j.job,
                name: j.name.as_deref(),
                last_state: j.states.last().map(|s| s.state.as_str()),
                terminal_state: j.terminal.as_ref().map(|(s, _)| s.as_str()),
                terminal_ts: j.terminal.as_ref().map(|(_, t)| *t),
                cleanup_ts: j.cleanup_ts,
                cleanup_finished_ts: j.cleanup_finished_ts,
                cleanup_failed: &j.cleanup_failed,
                milestones: &j.milestones,
                completed: j.completed,
                failed: j.failed,
                restores: &j.restores,
                checkpoint_runs: &j.checkpoint_runs,
                states: &j.states,
            })
            .collect(),
        notes: &a.notes,
        advice: &a.advice,
        others: &a.others,
    };
    crate::report::to_json(&doc)
}
