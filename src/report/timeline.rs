//! `flinkha timeline`: the story of an incident in time order, as text, Markdown and JSON.
//!
//! All three read the same [`Entry`] list built by [`story`]: JobManager incarnations
//! starting and stopping, leadership terms, failovers (with the time without a leader, RTO and
//! RPO per job, lost checkpoints), job state changes, restores, HA cleanup, and collapsed runs
//! of completed checkpoints.

use super::check::{
    advice_line, evidence_line, failover_explained, kind_name, plural, verdict_name, Counts,
    NOTE_LINES,
};
use super::escape;
use super::story_app;
use super::style::Style;
use super::units::{self, Clock};
use crate::check::model::{
    Advice, Analysis, CheckpointRun, Failover, FailoverKind, Incarnation, IncarnationEnd,
    JobRecovery, JobReport, JobStateChange, Milestone, OtherProcess, Outcome, Restore, Term,
    TermEnd,
};
use crate::labels::Labels;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt::Write as _;

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

fn header_lines(a: &Analysis) -> Vec<String> {
    let h = Headline::of(a);
    let mut lines = Vec::new();
    match span(a) {
        Some((from, to)) => lines.push(format!(
            "Flink HA timeline — {} to {} UTC ({})",
            units::full(from),
            if from.date_naive() == to.date_naive() {
                to.format("%H:%M:%S%.3f").to_string()
            } else {
                units::full(to)
            },
            units::duration_ms(units::between(from, to))
        )),
        None => lines.push("Flink HA timeline — no timestamps in the logs".to_string()),
    }
    lines.push(format!(
        "{} · {} · {} · {} ({} leader change{}, {} job restart{})",
        plural(a.incarnations.len(), "JobManager incarnation"),
        plural(a.terms.len(), "leadership term"),
        plural(a.jobs.len(), "job"),
        plural(h.failovers, "failover"),
        h.leader_changes,
        if h.leader_changes == 1 { "" } else { "s" },
        h.job_restarts,
        if h.job_restarts == 1 { "" } else { "s" },
    ));
    let leaderless = match h.longest_leaderless {
        Some((ms, n)) => format!("{} (failover #{n})", units::duration_ms(ms)),
        None => "n/a".to_string(),
    };
    lines.push(format!(
        "worst RTO {} · worst RPO {} · longest without leader {}",
        worst_text(&h.worst_rto),
        worst_text(&h.worst_rpo),
        leaderless
    ));
    for NotRecovered { job, failover: n } in &h.not_recovered {
        lines.push(format!(
            "NOT RECOVERED: job {} never RUNNING again after failover #{n}",
            units::short(job)
        ));
    }
    lines
}

fn tone_paint(st: Style, tone: Tone, s: &str) -> String {
    match tone {
        Tone::Plain => s.to_string(),
        Tone::Good => st.green(s),
        Tone::Warn => st.yellow(s),
        Tone::Bad => st.red(s),
        Tone::Leader => st.cyan(s),
        Tone::Dim => st.dim(s),
    }
}

/// The plain-text timeline: header (span, counts, worst RTO / RPO, verdicts), the jobs, then
/// one line per event of the story with each failover's details indented below it.
pub fn timeline_text(a: &Analysis, color: bool) -> String {
    let st = Style::new(color);
    let clock = Clock::for_span(span(a));
    let mut out = String::new();
    let header = header_lines(a);
    for (i, l) in header.iter().enumerate() {
        let l = escape::terminal(l);
        let l = if i == 0 {
            st.bold(&l)
        } else if l.starts_with("NOT RECOVERED") {
            st.red(&l)
        } else {
            l
        };
        out.push_str(&l);
        out.push('\n');
    }
    if !a.invariants.is_empty() {
        let c = Counts::of(a);
        out.push('\n');
        let _ = writeln!(
            out,
            "verdict {} — {} failed, {} unknown, {} passed",
            st.outcome(a.verdict),
            c.failed,
            c.unknown,
            c.passed
        );
        let w = a
            .invariants
            .iter()
            .map(|v| verdict_name(v).chars().count())
            .max()
            .unwrap_or(0);
        for v in &a.invariants {
            let mut line = format!(
                "  {}  {:<w$}",
                st.outcome_padded(v.verdict),
                verdict_name(v)
            );
            if v.verdict != Outcome::Pass {
                let _ = write!(line, "  {}", escape::terminal(&v.because));
            }
            out.push_str(line.trim_end());
            out.push('\n');
            for n in &v.advice {
                let _ = writeln!(
                    out,
                    "      {}",
                    st.yellow(&escape::terminal(&advice_line(n)))
                );
            }
        }
    }
    for n in &a.notes {
        let _ = writeln!(out, "note: {}", escape::terminal(n));
    }
    for n in &a.advice {
        let _ = writeln!(out, "note: {}", escape::terminal(&advice_line(n)));
    }
    if !a.jobs.is_empty() {
        out.push_str("\njobs\n");
        let name_w = a
            .jobs
            .iter()
            .map(|j| j.name.as_deref().unwrap_or("").chars().count())
            .max()
            .unwrap_or(0);
        for j in &a.jobs {
            let line = format!(
                "  {}  {:<name_w$}  {}",
                units::short(&j.job),
                j.name.as_deref().unwrap_or(""),
                job_summary(j, clock)
            );
            let _ = writeln!(out, "{}", escape::terminal(&line));
        }
    }
    let entries = story(a);
    if entries.is_empty() {
        return out;
    }
    let time_w = clock.at(entries[0].ts).chars().count();
    let who_w = entries
        .iter()
        .map(|e| e.who.chars().count())
        .max()
        .unwrap_or(0)
        .max(3);
    out.push('\n');
    let _ = writeln!(
        out,
        "{}",
        st.dim(&format!("{:<time_w$}  {:<who_w$}  what", "time", "who"))
    );
    let indent = " ".repeat(time_w + 2);
    for e in &entries {
        let ts = clock.at(e.ts);
        if let Some(fi) = e.failover {
            let Some(f) = a.failovers.get(fi) else {
                continue;
            };
            let title = format!("══ {} ══", escape::terminal(&e.what));
            let _ = writeln!(out, "{ts}  {}", tone_paint(st, e.tone, &st.bold(&title)));
            for l in failover_details(a, f, clock) {
                let _ = writeln!(out, "{indent}{}", escape::terminal(&l));
            }
            continue;
        }
        let who = format!("{:<who_w$}", escape::terminal(&e.who));
        let _ = writeln!(
            out,
            "{ts}  {who}  {}",
            tone_paint(st, e.tone, &escape::terminal(&e.what))
        );
    }
    out
}

/// `CANCELED · 49 checkpoints completed (0 failed) · 2 restores · HA data cleaned up at …`.
fn job_summary(j: &JobReport, clock: Clock) -> String {
    let mut parts = Vec::new();
    let last = j.states.last().map(|s: &JobStateChange| s.state.clone());
    match (&j.terminal, last) {
        (Some((s, _)), _) => parts.push(s.clone()),
        (None, Some(s)) => parts.push(format!("last seen {s}")),
        (None, None) => parts.push("no state change seen".to_string()),
    }
    parts.push(format!(
        "{} completed ({} failed)",
        plural(j.completed as usize, "checkpoint"),
        j.failed
    ));
    if !j.restores.is_empty() {
        parts.push(plural(j.restores.len(), "restore"));
    }
    match j.cleanup_ts {
        Some(_) => parts.push(story_app::cleanup_summary(j, clock)),
        None if j.terminal.is_some() => parts.push("no HA cleanup seen".to_string()),
        None => {}
    }
    parts.join(" · ")
}

/// Advisor notes as Markdown quotes, each with its evidence lines.
fn markdown_advice(out: &mut String, notes: &[Advice]) {
    for n in notes {
        let _ = writeln!(out, "\n> **Known bug.** {}", escape::markdown_text(&n.note));
        for e in n.evidence.iter().take(NOTE_LINES) {
            let _ = writeln!(out, "> - {}", escape::markdown_code(&evidence_line(e)));
        }
        out.push('\n');
    }
}

/// The Markdown timeline, for an incident review: summary table, verdicts with evidence,
/// failovers with per-job RTO / RPO, leadership terms, jobs, and the story as a table.
pub fn timeline_markdown(a: &Analysis) -> String {
    let clock = Clock::for_span(span(a));
    let h = Headline::of(a);
    let md = escape::markdown_text;
    let mut out = String::from("# Flink HA timeline\n\n");
    match span(a) {
        Some((from, to)) => {
            let _ = writeln!(
                out,
                "Logs from **{}** to **{}** UTC ({}) · {} · {} · {}\n",
                units::full(from),
                units::full(to),
                units::duration_ms(units::between(from, to)),
                plural(a.incarnations.len(), "JobManager incarnation"),
                plural(a.terms.len(), "leadership term"),
                plural(a.jobs.len(), "job"),
            );
        }
        None => out.push_str("The logs carry no timestamps.\n\n"),
    }
    let leaderless = match h.longest_leaderless {
        Some((ms, n)) => format!("{} (#{n})", units::duration_ms(ms)),
        None => "n/a".to_string(),
    };
    let worst = |w: &Option<Worst>| match w {
        Some(w) => format!(
            "{} (job `{}`, #{})",
            units::duration_ms(w.ms),
            units::short(&w.job),
            w.failover
        ),
        None => "n/a".to_string(),
    };
    out.push_str("| verdict | failovers | worst RTO | worst RPO | longest without leader |\n");
    out.push_str("|---|---|---|---|---|\n");
    let _ = writeln!(
        out,
        "| **{}** | {} ({} leader, {} job restart) | {} | {} | {} |",
        a.verdict.as_str(),
        h.failovers,
        h.leader_changes,
        h.job_restarts,
        worst(&h.worst_rto),
        worst(&h.worst_rpo),
        leaderless
    );
    for NotRecovered { job, failover: n } in &h.not_recovered {
        let _ = writeln!(
            out,
            "\n**Not recovered:** job `{}` was never RUNNING again after failover #{n}.",
            units::short(job)
        );
    }
    if !a.notes.is_empty() || !a.advice.is_empty() {
        out.push('\n');
        for n in &a.notes {
            let _ = writeln!(out, "> {}", md(n));
        }
        for n in &a.advice {
            let _ = writeln!(out, "> **Known bug.** {}", md(&n.note));
        }
    }

    if !a.invariants.is_empty() {
        let c = Counts::of(a);
        let _ = writeln!(
            out,
            "\n## Verdicts\n\n{} failed, {} unknown, {} passed.\n",
            c.failed, c.unknown, c.passed
        );
        out.push_str("| verdict | invariant | job | because |\n|---|---|---|---|\n");
        for v in &a.invariants {
            let verdict = match v.verdict {
                Outcome::Pass => "PASS".to_string(),
                o => format!("**{}**", o.as_str()),
            };
            let job = v
                .job
                .as_deref()
                .map(|j| format!("`{}`", units::short(j)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {verdict} | {} | {job} | {} |",
                md(&v.id),
                md(&v.because)
            );
        }
        for v in a
            .invariants
            .iter()
            .filter(|v| v.verdict != Outcome::Pass || !v.advice.is_empty())
        {
            let job = v
                .job
                .as_deref()
                .map(|j| format!(", job `{j}`"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "\n**{} {}**{job}: {}\n",
                v.verdict.as_str(),
                md(&v.id),
                md(&v.because)
            );
            if v.evidence.is_empty() {
                out.push_str("- (no evidence lines)\n");
            }
            for e in &v.evidence {
                let _ = writeln!(
                    out,
                    "- {} {} {}",
                    escape::markdown_code(&format!("{}:{}", e.source, e.line)),
                    md(&e.ts),
                    escape::markdown_code(&e.text)
                );
            }
            markdown_advice(&mut out, &v.advice);
        }
    }

    if !a.failovers.is_empty() {
        out.push_str("\n## Failovers\n");
        for f in &a.failovers {
            let _ = writeln!(
                out,
                "\n### #{} {} at {} — {}\n",
                f.id + 1,
                kind_name(f.kind),
                clock.at(f.failure_ts),
                md(&f.cause.text)
            );
            if f.kind == FailoverKind::Leader {
                if let Some(first) = failover_details(a, f, clock).first() {
                    let _ = writeln!(out, "{}\n", md(first));
                }
            }
            let _ = writeln!(
                out,
                "**Cause** (`{}`): {}\n",
                f.cause.kind.as_str(),
                md(&f.cause.text)
            );
            for e in f.cause.evidence.iter().take(NOTE_LINES) {
                let _ = writeln!(out, "- {}", escape::markdown_code(&evidence_line(e)));
            }
            if !f.cause.evidence.is_empty() {
                out.push('\n');
            }
            markdown_advice(&mut out, &f.advice);
            if f.jobs.is_empty() {
                out.push_str("No job was affected.\n");
                continue;
            }
            out.push_str("| job | restored | latest completed before | RPO | RTO | RUNNING again | lost checkpoints | first checkpoint after |\n");
            out.push_str("|---|---|---|---|---|---|---|---|\n");
            for j in &f.jobs {
                let restored = match j.restored_checkpoint {
                    Some(id) if j.restored_savepoint => format!("savepoint {id}"),
                    Some(id) if j.latest_completed_before.is_some_and(|l| l > id) => {
                        format!("**{id}** (older than the latest)")
                    }
                    Some(id) => id.to_string(),
                    None => "**none**".to_string(),
                };
                let latest = match (j.latest_completed_before, j.latest_completed_ts) {
                    (Some(id), Some(ts)) => format!("{id} ({})", clock.at(ts)),
                    (Some(id), None) => id.to_string(),
                    _ => "–".to_string(),
                };
                let opt = |v: Option<i64>| v.map(units::duration_ms).unwrap_or_else(|| "–".into());
                let _ = writeln!(
                    out,
                    "| `{}` {} | {restored} | {latest} | {} | {} | {} | {} | {} |",
                    units::short(&j.job),
                    md(job_name(a, &j.job)),
                    opt(j.rpo_ms),
                    j.rto_ms
                        .map(units::duration_ms)
                        .unwrap_or_else(|| "**not recovered**".into()),
                    j.running_ts
                        .map(|t| clock.at(t))
                        .unwrap_or_else(|| "–".into()),
                    if j.lost_checkpoints.is_empty() {
                        "–".to_string()
                    } else {
                        units::id_list(&j.lost_checkpoints)
                    },
                    j.first_completed_after
                        .map(|i| i.to_string())
                        .unwrap_or_else(|| "–".into()),
                );
            }
        }
    }

    if !a.terms.is_empty() {
        out.push_str("\n## Leadership terms\n\n| JobManager | session | address | from | to | held | ended |\n|---|---|---|---|---|---|---|\n");
        for t in &a.terms {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} | {} |",
                md(&jm_label(a, t.incarnation)),
                md(&t.session),
                t.address.as_deref().map(md).unwrap_or_default(),
                clock.at(t.from),
                t.to.map(|x| clock.at(x)).unwrap_or_else(|| "–".into()),
                t.to.map(|x| units::duration_ms(units::between(t.from, x)))
                    .unwrap_or_else(|| "–".into()),
                term_end_text(t.end)
            );
        }
    }

    if !a.jobs.is_empty() {
        out.push_str("\n## Jobs\n\n| job | name | final state | checkpoints completed | failed | restores | HA cleanup |\n|---|---|---|---|---|---|---|\n");
        for j in &a.jobs {
            let state = final_state(j);
            let restores = restored_ids(j);
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | {} |",
                md(&j.job),
                md(j.name.as_deref().unwrap_or("")),
                md(&state),
                j.completed,
                j.failed,
                if restores.is_empty() {
                    "–".to_string()
                } else {
                    restores.join(", ")
                },
                match j.cleanup_ts {
                    Some(_) if j.cleanup_failed.is_empty() && j.cleanup_finished_ts.is_some() =>
                        j.cleanup_ts.map(|t| clock.at(t)).unwrap_or_default(),
                    Some(_) => md(&story_app::cleanup_summary(j, clock)),
                    None => "–".into(),
                },
            );
        }
    }

    let entries = story(a);
    if !entries.is_empty() {
        out.push_str("\n## Timeline\n\n| time (UTC) | who | what |\n|---|---|---|\n");
        for e in &entries {
            if let Some(f) = e.failover.and_then(|i| a.failovers.get(i)) {
                let mut what = format!("**{}**", md(&e.what));
                if f.kind == FailoverKind::Leader {
                    if let Some(first) = failover_details(a, f, clock).first() {
                        let _ = write!(what, " — {}", md(first));
                    }
                }
                let rto: Vec<String> = f
                    .jobs
                    .iter()
                    .map(|j| {
                        format!(
                            "job `{}` RTO {}",
                            units::short(&j.job),
                            j.rto_ms
                                .map(units::duration_ms)
                                .unwrap_or_else(|| "**not recovered**".into())
                        )
                    })
                    .collect();
                if !rto.is_empty() {
                    let _ = write!(what, " — {}", rto.join(", "));
                }
                let _ = writeln!(out, "| **{}** | | {what} |", clock.at(e.ts));
                continue;
            }
            let what = match e.tone {
                Tone::Bad => format!("**{}**", md(&e.what)),
                _ => md(&e.what),
            };
            let _ = writeln!(out, "| {} | {} | {what} |", clock.at(e.ts), md(&e.who));
        }
    }
    out
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

fn job_name<'a>(a: &'a Analysis, job: &str) -> &'a str {
    a.jobs
        .iter()
        .find(|j| j.job == job)
        .and_then(|j| j.name.as_deref())
        .unwrap_or("")
}

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
    super::to_json(&doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_story::{self as story, J1, J2};

    #[test]
    fn headline_finds_the_worst_numbers() {
        let (a, _) = story::failing_story();
        let h = Headline::of(&a);
        assert_eq!(h.failovers, 2);
        assert_eq!(h.leader_changes, 1);
        assert_eq!(h.job_restarts, 1);
        assert_eq!(
            h.worst_rto,
            Some(Worst {
                ms: 12_574,
                job: J2.into(),
                failover: 1
            })
        );
        assert_eq!(
            h.worst_rpo,
            Some(Worst {
                ms: 3_914,
                job: J1.into(),
                failover: 1
            })
        );
        assert_eq!(h.longest_leaderless, Some((11_531, 1)));
        assert!(h.not_recovered.is_empty());
        let (mut a, _) = story::story();
        a.failovers[1].jobs[0].rto_ms = None;
        let v: serde_json::Value =
            serde_json::from_str(&timeline_json(&a, &Labels::none())).unwrap();
        assert_eq!(v["summary"]["not_recovered"][0]["job"], J1);
        assert_eq!(v["summary"]["not_recovered"][0]["failover"], 2);
    }

    #[test]
    fn story_is_in_time_order_with_failover_blocks() {
        let (a, _) = story::story();
        let s = story(&a);
        assert!(s.windows(2).all(|w| w[0].ts <= w[1].ts));
        let fo: Vec<&Entry> = s.iter().filter(|e| e.failover.is_some()).collect();
        assert_eq!(fo.len(), 2);
        assert_eq!(
            fo[0].what,
            "FAILOVER #1 · leader change · log ends without shutdown (kill -9?)"
        );
        // At the failure instant: the log end and the end of leadership come first.
        let at: Vec<&str> = s
            .iter()
            .filter(|e| e.ts == a.failovers[0].failure_ts)
            .map(|e| e.what.as_str())
            .collect();
        assert_eq!(at.len(), 3);
        assert!(at[0].starts_with("leadership ends: log ended"));
        assert!(at[2].starts_with("FAILOVER #1"));
    }

    #[test]
    fn text_timeline_has_header_story_and_failover_details() {
        let (a, _) = story::story();
        let t = timeline_text(&a, false);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[0],
            "Flink HA timeline — 2026-11-25 12:36:02.615 to 12:38:21.397 UTC (2m 18s)"
        );
        assert_eq!(lines[2], "worst RTO 12.6 s (job 3f2a91c0, failover #1) · worst RPO 1.9 s (job 6cecd03f, failover #2) · longest without leader 11.5 s (failover #1)");
        assert!(t.contains("\n12:36:21.692  job 6cecd03f                checkpoints 1–15 completed every ~2.0 s until 12:36:49.692 (median 120 ms, 7.7 KB)\n"));
        assert!(t.contains("\n12:36:51.606  ══ FAILOVER #1 · leader change · log ends without shutdown (kill -9?) ══\n              no leader for 11.5 s: jm-0 (standalonesession-0) → jm-1 (standalonesession-1), new leader at 12:37:03.137\n"));
        assert!(t.contains("RPO 1.9 s · RTO 12.5 s (RUNNING at 12:37:04.110) · lost checkpoint 16 (triggered, never completed) · first checkpoint after: 17"));
        assert!(t.contains(
            "\n12:38:16.759  job 6cecd03f                CANCELED — globally terminal\n"
        ));
        assert!(t.contains("\n12:38:17.189  job 6cecd03f                HA data cleaned up (400 ms after CANCELED)\n"));
        assert!(!t.contains('\u{1b}'));
        assert!(timeline_text(&a, true).contains("\u{1b}[36mbecame leader (session e121f084"));
    }

    #[test]
    fn text_timeline_names_a_job_that_never_recovered() {
        let (mut a, _) = story::story();
        a.failovers[1].jobs[0].rto_ms = None;
        a.failovers[1].jobs[0].running_ts = None;
        let t = timeline_text(&a, false);
        assert!(t.contains("\nNOT RECOVERED: job 6cecd03f never RUNNING again after failover #2\n"));
        assert!(t.contains("never RUNNING again in the logs"));
        let md = timeline_markdown(&a);
        assert!(md.contains(
            "**Not recovered:** job `6cecd03f` was never RUNNING again after failover #2."
        ));
        assert!(md.contains("| **not recovered** |"));
    }

    #[test]
    fn markdown_escapes_log_text() {
        let (mut a, _) = story::failing_story();
        a.invariants[4].because = "a | b <script>*x*</script>".into();
        a.invariants[4].evidence[0].text = "pipe | and `tick` <img src=x>".into();
        a.failovers[0].cause.text = "kill -9 | <b>".into();
        let md = timeline_markdown(&a);
        assert!(md.contains("| **FAIL** | recover-latest | `6cecd03f` | a \\| b &lt;script&gt;\\*x\\*&lt;/script&gt; |"));
        assert!(md.contains("``pipe | and `tick` <img src=x>``"));
        assert!(md.contains("### #1 leader change at 12:36:51.606 — kill -9 \\| &lt;b&gt;"));
        assert!(!md.contains("<script>"));
    }

    #[test]
    fn markdown_flags_an_older_restore() {
        let (a, _) = story::failing_story();
        let md = timeline_markdown(&a);
        assert!(md.contains("| `6cecd03f` HA-Lab-Counter | **14** (older than the latest) | 15 (12:36:49.692) | 3.9 s | 12.5 s | 12:37:04.110 | 16 | 17 |"));
    }

    #[test]
    fn json_has_the_facts_scripts_need() {
        let (a, _) = story::story();
        let v: serde_json::Value =
            serde_json::from_str(&timeline_json(&a, &Labels::none())).unwrap();
        assert_eq!(v["verdict"], "UNKNOWN");
        assert_eq!(v["span"]["duration_ms"], 138_782);
        assert_eq!(v["summary"]["failovers"], 2);
        assert_eq!(v["summary"]["worst_rto"]["ms"], 12_574);
        assert_eq!(v["summary"]["worst_rpo"]["job"], J1);
        let f = &v["failovers"][0];
        assert_eq!(f["number"], 1);
        assert_eq!(f["kind"], "leader");
        assert_eq!(f["failure_ts"], "2026-11-25T12:36:51.606Z");
        assert_eq!(f["from_leader"], "jm-0 (standalonesession-0)");
        assert_eq!(f["to_leader"], "jm-1 (standalonesession-1)");
        assert_eq!(f["jobs"][0]["restored_checkpoint"], 15);
        assert_eq!(f["jobs"][0]["first_completed_after"], 17);
        assert_eq!(f["jobs"][0]["lost_checkpoints"][0], 16);
        assert_eq!(v["failovers"][1]["kind"], "job_restart");
        assert_eq!(v["jobs"][0]["terminal_state"], "CANCELED");
        assert_eq!(v["jobs"][0]["cleanup_ts"], "2026-11-25T12:38:17.189Z");
        assert_eq!(v["jobs"][1]["cleanup_ts"], serde_json::Value::Null);
        assert_eq!(v["jobs"][1]["last_state"], "SUSPENDED");
        assert_eq!(v["terms"][1]["held_ms"], 78_018);
        assert_eq!(v["terms"][0]["session"], story::E0);
        assert_eq!(v["verdicts"][7]["verdict"], "UNKNOWN");
    }

    #[test]
    fn empty_analysis_renders() {
        let a = Analysis {
            verdict: Outcome::Pass,
            invariants: vec![],
            failovers: vec![],
            incarnations: vec![],
            terms: vec![],
            jobs: vec![],
            notes: vec![],
            advice: vec![],
            others: vec![],
            span: None,
        };
        assert!(
            timeline_text(&a, false).starts_with("Flink HA timeline — no timestamps in the logs\n")
        );
        assert!(timeline_markdown(&a).contains("The logs carry no timestamps."));
        let v: serde_json::Value =
            serde_json::from_str(&timeline_json(&a, &Labels::none())).unwrap();
        assert_eq!(v["span"], serde_json::Value::Null);
    }

    #[test]
    fn run_text_variants() {
        let clock = Clock { with_date: false };
        let (a, _) = story::story();
        let mut r = a.jobs[0].checkpoint_runs[0].clone();
        assert_eq!(
            run_text(&r, clock),
            "checkpoints 1–15 completed every ~2.0 s until 12:36:49.692 (median 120 ms, 7.7 KB)"
        );
        r.last_id = r.first_id;
        r.count = 1;
        assert_eq!(
            run_text(&r, clock),
            "checkpoint 1 completed (120 ms, 7.7 KB)"
        );
        r.last_id = 20;
        r.count = 12;
        r.savepoints = 1;
        r.median_bytes = None;
        assert_eq!(run_text(&r, clock), "12 checkpoints 1–20 completed every ~2.0 s until 12:36:49.692 (median 120 ms, 1 savepoint)");
    }
}
