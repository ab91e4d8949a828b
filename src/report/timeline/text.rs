//! The text timeline, for a terminal (coloured) or a file.

use super::{failover_details, span, story, worst_text, Headline, NotRecovered, Tone};
use crate::check::model::{Analysis, JobReport, JobStateChange, Outcome};
use crate::report::check::{advice_line, plural, verdict_name, Counts};
use crate::report::escape;
use crate::report::story_app;
use crate::report::style::Style;
use crate::report::units::{self, Clock};
use std::fmt::Write as _;

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
