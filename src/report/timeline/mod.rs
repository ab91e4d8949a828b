//! `flinkha timeline`: the story of an incident in time order, as text, Markdown and JSON.
//!
//! All three read the same [`Entry`] list built by [`story`]: JobManager incarnations
//! starting and stopping, leadership terms, failovers (with the time without a leader, RTO and
//! RPO per job, lost checkpoints), job state changes, restores, HA cleanup, and collapsed runs
//! of completed checkpoints.

use super::check::{failover_explained, kind_name, plural};
use super::story_app;
use super::units::{self, Clock};
use crate::check::model::{
    Analysis, CheckpointRun, Failover, FailoverKind, Incarnation, IncarnationEnd, JobRecovery,
    JobReport, Restore, TermEnd,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt::Write as _;

mod json;
mod markdown;
mod text;

pub use json::timeline_json;
pub use markdown::timeline_markdown;
pub use text::timeline_text;

/// The colour class of a story line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Neutral.
    Plain,
    /// Healthy: RUNNING, cleanup done.
    Good,
    /// Degraded: restarting, suspended, orderly stop.
    Warn,
    /// Broken: failed, killed, crashed.
    Bad,
    /// Leadership changes.
    Leader,
    /// Background: checkpoint runs.
    Dim,
}

/// One line of the story.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// When.
    pub ts: DateTime<Utc>,
    /// Order among entries at the same instant (lower first).
    pub rank: u8,
    /// The JobManager or job it is about.
    pub who: String,
    /// What happened.
    pub what: String,
    /// Colour class.
    pub tone: Tone,
    /// Set when the entry is the start of a failover (index into `Analysis::failovers`).
    pub failover: Option<usize>,
}

/// The label of incarnation `i` (`jm-0 (standalonesession-0)`), or `JobManager #i`.
pub(crate) fn jm_label(a: &Analysis, i: usize) -> String {
    a.incarnations
        .get(i)
        .map(|inc| inc.label.clone())
        .unwrap_or_else(|| format!("JobManager #{i}"))
}

/// The label of the incarnation holding term `t`.
pub(crate) fn term_holder(a: &Analysis, t: usize) -> Option<String> {
    a.terms.get(t).map(|term| jm_label(a, term.incarnation))
}

/// `job 6cecd03f`.
pub(crate) fn job_label(job: &str) -> String {
    format!("job {}", units::short(job))
}

/// States after which a job never runs again.
pub(crate) fn is_globally_terminal(state: &str) -> bool {
    matches!(state, "FINISHED" | "CANCELED" | "FAILED")
}

/// The instants the logs cover: the analysis span, or the incarnations' extent.
pub(crate) fn span(a: &Analysis) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if a.span.is_some() {
        return a.span;
    }
    let from = a.incarnations.iter().map(|i| i.first_ts).min()?;
    let to = a.incarnations.iter().map(|i| i.last_ts).max()?;
    Some((from, to))
}

/// The worst value of some per-job failover measure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Worst {
    /// Milliseconds.
    pub ms: i64,
    /// The job.
    pub job: String,
    /// Failover number (1-based, as printed).
    pub failover: usize,
}

/// A job never seen RUNNING again after a failover.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub(crate) struct NotRecovered {
    /// The job.
    pub job: String,
    /// Failover number (1-based, as printed).
    pub failover: usize,
}

/// The numbers an incident review starts with.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub(crate) struct Headline {
    /// All failovers.
    pub failovers: usize,
    /// Leader changes among them.
    pub leader_changes: usize,
    /// Job restarts within one term among them.
    pub job_restarts: usize,
    /// Longest time from failure to RUNNING again.
    pub worst_rto: Option<Worst>,
    /// Longest processing time lost.
    pub worst_rpo: Option<Worst>,
    /// Longest time without a leader (ms, failover number).
    pub longest_leaderless: Option<(i64, usize)>,
    /// Jobs never seen RUNNING again after a failover.
    pub not_recovered: Vec<NotRecovered>,
}

impl Headline {
    /// Compute the headline numbers of `a`.
    pub fn of(a: &Analysis) -> Headline {
        let mut h = Headline {
            failovers: a.failovers.len(),
            ..Headline::default()
        };
        for f in &a.failovers {
            let n = f.id + 1;
            match f.kind {
                FailoverKind::Leader => h.leader_changes += 1,
                FailoverKind::JobRestart => h.job_restarts += 1,
            }
            if let Some(ms) = f.leaderless_ms {
                if h.longest_leaderless.map_or(true, |(m, _)| ms > m) {
                    h.longest_leaderless = Some((ms, n));
                }
            }
            for j in &f.jobs {
                let worse = |w: &Option<Worst>, ms: i64| w.as_ref().map_or(true, |w| ms > w.ms);
                if let Some(ms) = j.rto_ms {
                    if worse(&h.worst_rto, ms) {
                        h.worst_rto = Some(Worst {
                            ms,
                            job: j.job.clone(),
                            failover: n,
                        });
                    }
                } else {
                    h.not_recovered.push(NotRecovered {
                        job: j.job.clone(),
                        failover: n,
                    });
                }
                if let Some(ms) = j.rpo_ms {
                    if worse(&h.worst_rpo, ms) {
                        h.worst_rpo = Some(Worst {
                            ms,
                            job: j.job.clone(),
                            failover: n,
                        });
                    }
                }
            }
        }
        h
    }
}

fn worst_text(w: &Option<Worst>) -> String {
    match w {
        Some(w) => format!(
            "{} (job {}, failover #{})",
            units::duration_ms(w.ms),
            units::short(&w.job),
            w.failover
        ),
        None => "n/a".to_string(),
    }
}

fn term_end_text(e: TermEnd) -> &'static str {
    match e {
        TermEnd::Revoked => "revoked",
        TermEnd::ProcessStopped => "process stopping",
        TermEnd::LogEnded => "log ended",
        TermEnd::Superseded => "superseded by a newer leader",
        TermEnd::Open => "still leader when the logs end",
    }
}

fn incarnation_end(inc: &Incarnation) -> (DateTime<Utc>, String, Tone) {
    match inc.end {
        IncarnationEnd::Stopped => (
            inc.stopping_ts.unwrap_or(inc.last_ts),
            match &inc.stop_reason {
                Some(r) => format!("JobManager stopping ({r})"),
                None => "JobManager stopping".to_string(),
            },
            Tone::Warn,
        ),
        IncarnationEnd::Crashed => (
            inc.stopping_ts.unwrap_or(inc.last_ts),
            match &inc.stop_reason {
                Some(r) => format!("JobManager crashed ({r})"),
                None => "JobManager crashed".to_string(),
            },
            Tone::Bad,
        ),
        IncarnationEnd::LogEnds => (
            inc.last_ts,
            "log ends without shutdown lines (killed, or still running)".to_string(),
            Tone::Bad,
        ),
        IncarnationEnd::Restarted => (
            inc.last_ts,
            "JobManager restarted (a new incarnation follows in the same log)".to_string(),
            Tone::Bad,
        ),
    }
}

/// `checkpoints 1–15 completed every ~2.0 s until 12:36:49.692 (median 120 ms, 7.7 KB)`.
pub(crate) fn run_text(r: &CheckpointRun, clock: Clock) -> String {
    let mut details = Vec::new();
    if let Some(d) = r.median_duration_ms {
        details.push(if r.count > 1 {
            format!("median {d} ms")
        } else {
            format!("{d} ms")
        });
    }
    if let Some(b) = r.median_bytes {
        details.push(units::bytes(b));
    }
    if r.savepoints > 0 {
        details.push(plural(r.savepoints as usize, "savepoint"));
    }
    let details = if details.is_empty() {
        String::new()
    } else {
        format!(" ({})", details.join(", "))
    };
    if r.count <= 1 || r.first_id == r.last_id {
        return format!("checkpoint {} completed{details}", r.first_id);
    }
    let ids = if r.count == r.last_id.saturating_sub(r.first_id) + 1 {
        format!("checkpoints {}–{}", r.first_id, r.last_id)
    } else {
        format!("{} checkpoints {}–{}", r.count, r.first_id, r.last_id)
    };
    let every = r
        .median_interval_ms
        .map(|ms| format!(" every ~{}", units::duration_ms(ms)))
        .unwrap_or_default();
    format!(
        "{ids} completed{every} until {}{details}",
        clock.at(r.last_ts)
    )
}

fn state_tone(state: &str) -> Tone {
    match state {
        "RUNNING" | "FINISHED" => Tone::Good,
        "FAILED" => Tone::Bad,
        "CREATED" | "INITIALIZING" | "RECONCILING" => Tone::Plain,
        _ => Tone::Warn,
    }
}

fn restore_text(r: &Restore) -> String {
    format!(
        "restored from {} {}",
        if r.savepoint {
            "savepoint"
        } else {
            "checkpoint"
        },
        r.checkpoint
    )
}

fn job_entries(a: &Analysis, j: &JobReport, clock: Clock, out: &mut Vec<Entry>) {
    let who = job_label(&j.job);
    let mut prev_inc: Option<usize> = None;
    let terminal_state = j.terminal.as_ref().map(|(s, _)| s.as_str());
    let mut terminal_shown = false;
    for s in &j.states {
        let mut what = s.state.clone();
        if let Some(i) = s.incarnation {
            if prev_inc.is_some_and(|p| p != i) {
                let _ = write!(what, " on {}", jm_label(a, i));
            }
            prev_inc = Some(i);
        }
        if is_globally_terminal(&s.state)
            && (terminal_state == Some(s.state.as_str()) || terminal_shown)
        {
            what.push_str(" — globally terminal");
            terminal_shown = true;
        }
        out.push(Entry {
            ts: s.ts,
            rank: 6,
            who: who.clone(),
            what,
            tone: state_tone(&s.state),
            failover: None,
        });
    }
    if let (Some((state, ts)), false) = (&j.terminal, terminal_shown) {
        out.push(Entry {
            ts: *ts,
            rank: 6,
            who: who.clone(),
            what: format!("reached globally terminal state {state}"),
            tone: state_tone(state),
            failover: None,
        });
    }
    for r in &j.checkpoint_runs {
        out.push(Entry {
            ts: r.first_ts,
            rank: 7,
            who: who.clone(),
            what: run_text(r, clock),
            tone: Tone::Dim,
            failover: None,
        });
    }
    for r in &j.restores {
        out.push(Entry {
            ts: r.ts,
            rank: 5,
            who: who.clone(),
            what: restore_text(r),
            tone: Tone::Plain,
            failover: None,
        });
    }
    story_app::cleanup_entries(j, out);
    story_app::milestone_entries(a, j, out);
}

/// The whole story in time order.
pub(crate) fn story(a: &Analysis) -> Vec<Entry> {
    let clock = Clock::for_span(span(a));
    let mut out = Vec::new();
    for inc in &a.incarnations {
        let mut what = "JobManager started".to_string();
        let details: Vec<&str> = [inc.version.as_deref(), inc.entrypoint.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if let Some(v) = &inc.version {
            let _ = write!(what, " (Flink {v}");
            if let Some(e) = &inc.entrypoint {
                let _ = write!(what, ", {e}");
            }
            what.push_str(story_app::mode_text(inc));
            what.push(')');
        } else if !details.is_empty() {
            let _ = write!(what, " ({})", details.join(", "));
        }
        out.push(Entry {
            ts: inc.first_ts,
            rank: 0,
            who: inc.label.clone(),
            what,
            tone: Tone::Plain,
            failover: None,
        });
        let (ts, mut what, tone) = incarnation_end(inc);
        if let (IncarnationEnd::Stopped, Some(s)) = (inc.end, story_app::application_stop_text(inc))
        {
            what = format!("JobManager stopping: {s}");
        }
        out.push(Entry {
            ts,
            rank: 2,
            who: inc.label.clone(),
            what,
            tone,
            failover: None,
        });
    }
    for o in &a.others {
        let role = match o.role.as_str() {
            "taskmanager" => "TaskManager",
            "zookeeper" => "ZooKeeper server",
            "client" => "client",
            other => other,
        };
        let id = o
            .resource
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        out.push(Entry {
            ts: o.first_ts,
            rank: 0,
            who: o.label.clone(),
            what: format!("{role}{id} started"),
            tone: Tone::Dim,
            failover: None,
        });
        let (what, tone) = match o.stop_reason.as_deref() {
            Some(r) if r.contains("fatal") => (format!("{role} stopped: {r}"), Tone::Bad),
            Some(r) => (format!("{role} stopped ({r})"), Tone::Dim),
            None => (
                format!("{role}'s log ends without shutdown lines (killed, or still running)"),
                Tone::Warn,
            ),
        };
        out.push(Entry {
            ts: o.last_ts,
            rank: 2,
            who: o.label.clone(),
            what,
            tone,
            failover: None,
        });
    }
    for t in &a.terms {
        let who = jm_label(a, t.incarnation);
        let addr = t
            .address
            .as_deref()
            .map(|x| format!(", {x}"))
            .unwrap_or_default();
        out.push(Entry {
            ts: t.from,
            rank: 4,
            who: who.clone(),
            what: format!("became leader (session {}{addr})", units::short(&t.session)),
            tone: Tone::Leader,
            failover: None,
        });
        if let Some(to) = t.to {
            out.push(Entry {
                ts: to,
                rank: 1,
                who,
                what: format!(
                    "leadership ends: {} (session {}, held {})",
                    term_end_text(t.end),
                    units::short(&t.session),
                    units::duration_ms(units::between(t.from, to))
                ),
                tone: Tone::Leader,
                failover: None,
            });
        }
    }
    for (i, f) in a.failovers.iter().enumerate() {
        out.push(Entry {
            ts: f.failure_ts,
            rank: 3,
            who: String::new(),
            what: format!(
                "FAILOVER #{} · {} · {}",
                f.id + 1,
                kind_name(f.kind),
                f.cause.text
            ),
            tone: match f.kind {
                FailoverKind::Leader => Tone::Bad,
                FailoverKind::JobRestart => Tone::Warn,
            },
            failover: Some(i),
        });
    }
    for j in &a.jobs {
        job_entries(a, j, clock, &mut out);
    }
    out.sort_by(|x, y| x.ts.cmp(&y.ts).then(x.rank.cmp(&y.rank)));
    out
}

/// The detail lines under a failover: leaderless time, then per job what was restored, RPO,
/// RTO, lost checkpoints and the first checkpoint after recovery.
pub(crate) fn failover_details(a: &Analysis, f: &Failover, clock: Clock) -> Vec<String> {
    let mut lines = Vec::new();
    if f.kind == FailoverKind::Leader {
        let old = f.from_term.and_then(|t| term_holder(a, t));
        let new = f.to_term.and_then(|t| term_holder(a, t));
        let handover = match (old, new) {
            (Some(o), Some(n)) if o == n => format!(", {o} again"),
            (Some(o), Some(n)) => format!(": {o} → {n}"),
            (None, Some(n)) => format!(", then {n}"),
            (Some(o), None) => format!(" after {o}"),
            (None, None) => String::new(),
        };
        match (f.leaderless_ms, f.new_leader_ts) {
            (Some(ms), Some(ts)) => lines.push(format!(
                "no leader for {}{handover}, new leader at {}",
                units::duration_ms(ms),
                clock.at(ts)
            )),
            (_, Some(ts)) => lines.push(format!("new leader at {}{handover}", clock.at(ts))),
            (_, None) => lines.push(format!("no new leader in the logs{handover}")),
        }
    }
    for j in &f.jobs {
        lines.push(format!(
            "{}  {}",
            job_label(&j.job),
            job_recovery_line(j, clock)
        ));
        let more = job_recovery_more(j, clock);
        if !more.is_empty() {
            lines.push(format!("              {more}"));
        }
    }
    if f.jobs.is_empty() {
        lines.push("no job was affected".to_string());
    }
    lines.extend(failover_explained(f));
    lines
}

/// `restored 15 at 12:37:04.039 (latest completed: 15 at 12:36:49.692)`.
pub(crate) fn job_recovery_line(j: &JobRecovery, clock: Clock) -> String {
    let latest = match (j.latest_completed_before, j.latest_completed_ts) {
        (Some(id), Some(ts)) => format!("latest completed: {id} at {}", clock.at(ts)),
        (Some(id), None) => format!("latest completed: {id}"),
        _ => "no checkpoint completed before".to_string(),
    };
    let what = if j.restored_savepoint {
        "savepoint"
    } else {
        "checkpoint"
    };
    let how = if j.resubmitted {
        " · not in the HA store: submitted again by main()"
    } else {
        ""
    };
    match (j.restored_checkpoint, j.restored_ts) {
        (Some(id), Some(ts)) => format!("restored {what} {id} at {} ({latest}){how}", clock.at(ts)),
        (Some(id), None) => format!("restored {what} {id} ({latest}){how}"),
        (None, _) if j.fresh_start => {
            format!("STARTED FROM NOTHING: no checkpoint restored, state lost ({latest}){how}")
        }
        (None, _) => format!("no restore seen ({latest}){how}"),
    }
}

/// `RPO 1.9 s · RTO 12.5 s (RUNNING at …) · lost 16 · first checkpoint after: 17`.
pub(crate) fn job_recovery_more(j: &JobRecovery, clock: Clock) -> String {
    let mut parts = Vec::new();
    if let Some(ms) = j.rpo_ms {
        parts.push(format!("RPO {}", units::duration_ms(ms)));
    }
    match (j.rto_ms, j.running_ts) {
        (Some(ms), Some(ts)) => parts.push(format!(
            "RTO {} (RUNNING at {})",
            units::duration_ms(ms),
            clock.at(ts)
        )),
        (Some(ms), None) => parts.push(format!("RTO {}", units::duration_ms(ms))),
        (None, _) => parts.push("never RUNNING again in the logs".to_string()),
    }
    if !j.lost_checkpoints.is_empty() {
        parts.push(format!(
            "lost {} {} (triggered, never completed)",
            if j.lost_checkpoints.len() == 1 {
                "checkpoint"
            } else {
                "checkpoints"
            },
            units::id_list(&j.lost_checkpoints)
        ));
    }
    if let Some(id) = j.first_completed_after {
        parts.push(format!("first checkpoint after: {id}"));
    }
    parts.join(" · ")
}

/// A job's final state for the jobs table: its globally terminal state, or its last state
/// marked as not terminal.
pub(crate) fn final_state(j: &JobReport) -> String {
    match (&j.terminal, j.states.last()) {
        (Some((s, _)), _) => s.clone(),
        (None, Some(s)) => format!("{} (not terminal)", s.state),
        (None, None) => "–".into(),
    }
}

/// The checkpoint ids a job was restored from, in order.
pub(crate) fn restored_ids(j: &JobReport) -> Vec<String> {
    j.restores
        .iter()
        .map(|r| r.checkpoint.to_string())
        .collect()
}

/// The name of `job`, or empty when the logs never named it.
pub(super) fn job_name<'a>(a: &'a Analysis, job: &str) -> &'a str {
    a.jobs
        .iter()
        .find(|j| j.job == job)
        .and_then(|j| j.name.as_deref())
        .unwrap_or("")
}

#[cfg(test)]
mod tests;
