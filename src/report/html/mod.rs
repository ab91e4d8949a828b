//! The self-contained HTML timeline: one file with inline CSS and an inline SVG chart, no
//! scripts, fonts or anything else fetched from the network.
//!
//! The chart has a time axis, a lane per JobManager incarnation (process lifetime, leadership
//! terms, how it ended), a lane per job (state segments, checkpoint ticks, lost checkpoints,
//! restores, HA cleanup) and failover bands across all lanes (leaderless gap shaded). Every
//! mark carries an SVG `<title>` with the log line behind it (`source:line`, instant, text) and
//! links to that line in the event table below. Every piece of text goes through
//! [`escape::html`], attributes included.

use super::check::{kind_name, plural, Counts, NOTE_LINES};
use super::escape;
use super::timeline::{
    failover_details, final_state, jm_label, job_name, restored_ids, run_text, span, Headline,
    NotRecovered, Worst,
};
use super::units::{self, Clock};
use crate::check::model::{Advice, Analysis, Evidence, FailoverKind, Outcome, Verdict};
use crate::events::{Event, Kind};
use std::fmt::Write as _;

/// Shorthand for the one escape function used for every piece of text and every attribute.
fn esc(s: &str) -> String {
    escape::html(s)
}

mod chart;
mod index;

use chart::{
    chart, term_end, C_ALIVE, C_CKPT, C_CLEANUP, C_DEGRADED, C_DONE, C_FAILED, C_LEADER, C_LOST,
    C_RESTORE, C_RUNNING, C_STARTING, C_TEXT,
};
use index::Index;

/// The page's style sheet, `page.css` beside this file.
const CSS: &str = include_str!("page.css");

fn legend() -> String {
    let sw = |inner: &str| {
        format!("<svg width=\"22\" height=\"14\" viewBox=\"0 0 22 14\" aria-hidden=\"true\">{inner}</svg>")
    };
    let items: Vec<(String, &str)> = vec![
        (sw(&format!("<rect x=\"1\" y=\"2\" width=\"20\" height=\"10\" rx=\"2\" fill=\"{C_LEADER}\"/>")), "leadership term"),
        (sw(&format!("<rect x=\"1\" y=\"4\" width=\"20\" height=\"6\" rx=\"3\" fill=\"{C_ALIVE}\"/>")), "JobManager process alive"),
        (sw(&format!("<path d=\"M7,3 l8,8 m0,-8 l-8,8\" stroke=\"{C_FAILED}\" stroke-width=\"2.5\"/>")), "log ends without shutdown (kill -9?)"),
        (sw(&format!("<rect x=\"6.5\" y=\"2.5\" width=\"9\" height=\"9\" fill=\"{C_TEXT}\"/>")), "orderly stop"),
        (sw(&format!("<rect x=\"1\" y=\"2\" width=\"20\" height=\"10\" fill=\"{C_RUNNING}\"/>")), "RUNNING"),
        (sw(&format!("<rect x=\"1\" y=\"2\" width=\"20\" height=\"10\" fill=\"{C_STARTING}\"/>")), "CREATED / INITIALIZING"),
        (sw(&format!("<rect x=\"1\" y=\"2\" width=\"20\" height=\"10\" fill=\"{C_DEGRADED}\"/>")), "RESTARTING / SUSPENDED / CANCELLING"),
        (sw(&format!("<circle cx=\"11\" cy=\"7\" r=\"5\" fill=\"{C_DONE}\"/>")), "CANCELED / FINISHED"),
        (sw(&format!("<circle cx=\"11\" cy=\"7\" r=\"5\" fill=\"{C_FAILED}\"/>")), "FAILED"),
        (sw("<rect x=\"1\" y=\"2\" width=\"20\" height=\"10\" fill=\"url(#gap-legend)\"/><defs><pattern id=\"gap-legend\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f1f3f4\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#bdc1c6\" stroke-width=\"2\"/></pattern></defs>"), "job without a JobManager"),
        (sw(&format!("<line x1=\"7\" y1=\"3\" x2=\"7\" y2=\"11\" stroke=\"{C_CKPT}\" stroke-width=\"1.5\"/><line x1=\"11\" y1=\"3\" x2=\"11\" y2=\"11\" stroke=\"{C_CKPT}\" stroke-width=\"1.5\"/><line x1=\"15\" y1=\"3\" x2=\"15\" y2=\"11\" stroke=\"{C_CKPT}\" stroke-width=\"1.5\"/>")), "checkpoint completed"),
        (sw(&format!("<line x1=\"11\" y1=\"1\" x2=\"11\" y2=\"13\" stroke=\"{C_RESTORE}\" stroke-width=\"2.5\"/>")), "savepoint completed"),
        (sw(&format!("<line x1=\"11\" y1=\"1\" x2=\"11\" y2=\"13\" stroke=\"{C_LOST}\" stroke-width=\"2\" stroke-dasharray=\"2 2\"/>")), "checkpoint lost (never completed)"),
        (sw(&format!("<path d=\"M11,1 l6,6 l-6,6 l-6,-6 z\" fill=\"{C_RESTORE}\"/>")), "restore"),
        (sw(&format!("<rect x=\"6\" y=\"2\" width=\"10\" height=\"10\" rx=\"2\" fill=\"{C_CLEANUP}\"/>")), "HA data cleanup"),
        (sw(&format!("<rect x=\"1\" y=\"0\" width=\"20\" height=\"14\" fill=\"{C_FAILED}\" fill-opacity=\".15\"/><line x1=\"1\" y1=\"0\" x2=\"1\" y2=\"14\" stroke=\"{C_FAILED}\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>")), "leader failover: time without leader"),
        (sw("<rect x=\"1\" y=\"0\" width=\"20\" height=\"14\" fill=\"#f9ab00\" fill-opacity=\".22\"/><line x1=\"1\" y1=\"0\" x2=\"1\" y2=\"14\" stroke=\"#b06000\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>"), "job restart: failure until RUNNING"),
    ];
    let mut out = String::from("<div class=\"legend\">");
    for (swatch, label) in items {
        let _ = write!(out, "<span>{swatch}{}</span>", esc(label));
    }
    out.push_str("</div>");
    out
}

fn card(key: &str, value: &str, sub: &str, bad: bool) -> String {
    format!(
        "<div class=\"card{}\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"s\">{}</div></div>",
        if bad { " bad" } else { "" },
        esc(key),
        esc(value),
        esc(sub)
    )
}

fn worst_card(key: &str, w: &Option<Worst>) -> String {
    match w {
        Some(w) => card(
            key,
            &units::duration_ms(w.ms),
            &format!("job {} · failover #{}", units::short(&w.job), w.failover),
            false,
        ),
        None => card(key, "–", "no failover with a measured value", false),
    }
}

fn verdict_html(v: &Verdict) -> String {
    let mut out = format!(
        "<div class=\"verdict\"><span class=\"badge {0}\">{0}</span> <strong>{1}</strong>",
        esc(v.verdict.as_str()),
        esc(&v.id)
    );
    if let Some(job) = &v.job {
        let _ = write!(
            out,
            " <span class=\"muted\">job <code>{}</code></span>",
            esc(job)
        );
    }
    let _ = write!(out, "<span class=\"because\">{}</span>", esc(&v.because));
    out.push_str(&evidence_html(&v.evidence));
    out.push_str(&advice_html(&v.advice));
    out.push_str("</div>");
    out
}

/// Evidence lines as a list (nothing when there are none).
fn evidence_html(lines: &[Evidence]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul>");
    for e in lines {
        let _ = write!(
            out,
            "<li><code>{}:{}</code> <code class=\"muted\">{}</code><br><code class=\"t\">{}</code></li>",
            esc(&e.source),
            e.line,
            esc(&e.ts),
            esc(&e.text)
        );
    }
    out.push_str("</ul>");
    out
}

/// Advisor notes, each with the lines that matched.
fn advice_html(notes: &[Advice]) -> String {
    let mut out = String::new();
    for n in notes {
        let _ = write!(
            out,
            "<div class=\"advice\"><span class=\"badge KNOWN\">known bug</span> {}{}</div>",
            esc(&n.note),
            evidence_html(&n.evidence[..n.evidence.len().min(NOTE_LINES)])
        );
    }
    out
}

/// At most this many rows in the event table; beyond it routine checkpoint events are left
/// out so that a day of logs still gives a page a browser opens quickly.
const MAX_TABLE_ROWS: usize = 5000;

/// Which events get a row in the event table: all of them up to [`MAX_TABLE_ROWS`], else
/// everything but the checkpoint triggers and completions no failover refers to.
fn table_rows(a: &Analysis, events: &[Event]) -> Vec<bool> {
    if events.len() <= MAX_TABLE_ROWS {
        return vec![true; events.len()];
    }
    let mut wanted: std::collections::HashSet<(&str, u64)> = std::collections::HashSet::new();
    for f in &a.failovers {
        for j in &f.jobs {
            let ids = [
                j.latest_completed_before,
                j.restored_checkpoint,
                j.first_completed_after,
            ];
            for id in ids
                .into_iter()
                .flatten()
                .chain(j.lost_checkpoints.iter().copied())
            {
                wanted.insert((j.job.as_str(), id));
            }
        }
    }
    for jr in &a.jobs {
        for r in &jr.restores {
            wanted.insert((jr.job.as_str(), r.checkpoint));
        }
    }
    events
        .iter()
        .map(|e| match e.kind {
            Kind::CheckpointTriggered | Kind::CheckpointCompleted => {
                match (e.fields.job.as_deref(), e.fields.checkpoint) {
                    (Some(job), Some(id)) => wanted.contains(&(job, id)),
                    _ => false,
                }
            }
            _ => true,
        })
        .collect()
}

fn event_fields(e: &Event) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(&e.fields) else {
        return String::new();
    };
    map.iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn event_class(k: Kind) -> &'static str {
    match k {
        Kind::LogEnd | Kind::ProcessStopping | Kind::LeaderConflict | Kind::TaskmanagerLost => {
            "k-bad"
        }
        Kind::LeadershipGranted | Kind::LeadershipRevoked | Kind::LeaderElected => "k-leader",
        _ => "",
    }
}

fn failovers_html(a: &Analysis, clock: Clock) -> String {
    let mut out = String::new();
    for f in &a.failovers {
        let _ = write!(
            out,
            "<h3>#{} {} at {} — {}</h3>",
            f.id + 1,
            esc(kind_name(f.kind)),
            esc(&clock.at(f.failure_ts)),
            esc(&f.cause.text)
        );
        if f.kind == FailoverKind::Leader {
            if let Some(first) = failover_details(a, f, clock).first() {
                let _ = write!(out, "<p>{}</p>", esc(first));
            }
        }
        let _ = write!(
            out,
            "<div class=\"cause\">cause: <code>{}</code>{}</div>",
            esc(f.cause.kind.as_str()),
            evidence_html(&f.cause.evidence[..f.cause.evidence.len().min(NOTE_LINES)])
        );
        out.push_str(&advice_html(&f.advice));
        if f.jobs.is_empty() {
            out.push_str("<p class=\"muted\">No job was affected.</p>");
            continue;
        }
        out.push_str("<table><thead><tr><th>job</th><th>latest completed before</th><th>restored</th><th>restored at</th><th>RPO</th><th>RUNNING again</th><th>RTO</th><th>lost checkpoints</th><th>first checkpoint after</th></tr></thead><tbody>");
        for j in &f.jobs {
            let restored = match j.restored_checkpoint {
                Some(id) if j.restored_savepoint => format!("savepoint {id}"),
                Some(id) => id.to_string(),
                None => "none".to_string(),
            };
            let stale = match (j.restored_checkpoint, j.latest_completed_before) {
                (Some(r), Some(l)) => r < l,
                (None, Some(_)) => true,
                _ => false,
            };
            let latest = match (j.latest_completed_before, j.latest_completed_ts) {
                (Some(id), Some(ts)) => format!("{id} ({})", clock.at(ts)),
                (Some(id), None) => id.to_string(),
                _ => "–".to_string(),
            };
            let _ = write!(
                out,
                "<tr><td><code>{}</code> {}</td><td>{}</td><td class=\"num{}\">{}</td><td class=\"ts\">{}</td><td class=\"num\">{}</td><td class=\"ts\">{}</td><td class=\"num{}\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(units::short(&j.job)),
                esc(job_name(a, &j.job)),
                esc(&latest),
                if stale { " bad" } else { "" },
                esc(&restored),
                esc(&j.restored_ts.map(|t| clock.at(t)).unwrap_or_else(|| "–".into())),
                esc(&j.rpo_ms.map(units::duration_ms).unwrap_or_else(|| "–".into())),
                esc(&j.running_ts.map(|t| clock.at(t)).unwrap_or_else(|| "–".into())),
                if j.rto_ms.is_none() { " bad" } else { "" },
                esc(&j.rto_ms.map(units::duration_ms).unwrap_or_else(|| "not recovered".into())),
                esc(&if j.lost_checkpoints.is_empty() { "–".to_string() } else { units::id_list(&j.lost_checkpoints) }),
                esc(&j.first_completed_after.map(|i| i.to_string()).unwrap_or_else(|| "–".into())),
            );
        }
        out.push_str("</tbody></table>");
    }
    out
}

/// The HTML timeline: header with verdict and headline numbers, the SVG chart and legend,
/// failovers, verdicts with evidence, leadership terms, jobs, and the event table. One
/// self-contained file; `events` are the parsed events the analysis was built from.
pub fn timeline_html(a: &Analysis, events: &[Event]) -> String {
    let idx = Index::new(a, events);
    let clock = Clock::for_span(span(a));
    let h = Headline::of(a);
    let c = Counts::of(a);
    let mut out = String::with_capacity(64 * 1024 + events.len() * 400);
    let title_text = match span(a) {
        Some((from, _)) => format!(
            "Flink HA timeline · {} · {} UTC",
            a.verdict.as_str(),
            from.format("%Y-%m-%d %H:%M")
        ),
        None => format!("Flink HA timeline · {}", a.verdict.as_str()),
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        esc(&title_text)
    );
    // Header.
    let sub = match span(a) {
        Some((from, to)) => format!(
            "{} – {} UTC · {} · {} · {}",
            units::full(from),
            if from.date_naive() == to.date_naive() {
                to.format("%H:%M:%S%.3f").to_string()
            } else {
                units::full(to)
            },
            units::duration_ms(units::between(from, to)),
            plural(a.incarnations.len(), "JobManager incarnation"),
            plural(a.jobs.len(), "job")
        ),
        None => "no timestamps in the logs".to_string(),
    };
    let _ = writeln!(
        out,
        "<header><h1>Flink HA timeline</h1><span class=\"badge big {0}\">{0}</span><span class=\"sub\">{1}</span></header>",
        esc(a.verdict.as_str()),
        esc(&sub)
    );
    // Cards.
    out.push_str("<section class=\"cards\">");
    out.push_str(&card(
        "Failovers",
        &h.failovers.to_string(),
        &format!(
            "{} leader change{} · {} job restart{}",
            h.leader_changes,
            if h.leader_changes == 1 { "" } else { "s" },
            h.job_restarts,
            if h.job_restarts == 1 { "" } else { "s" }
        ),
        false,
    ));
    match h.longest_leaderless {
        Some((ms, n)) => out.push_str(&card(
            "Longest without leader",
            &units::duration_ms(ms),
            &format!("failover #{n}"),
            false,
        )),
        None => out.push_str(&card(
            "Longest without leader",
            "–",
            "no leader change",
            false,
        )),
    }
    if h.not_recovered.is_empty() {
        out.push_str(&worst_card("Worst RTO", &h.worst_rto));
    } else {
        let NotRecovered { job, failover: n } =
            h.not_recovered.first().cloned().unwrap_or_default();
        out.push_str(&card(
            "Worst RTO",
            "not recovered",
            &format!("job {} · failover #{n}", units::short(&job)),
            true,
        ));
    }
    out.push_str(&worst_card("Worst RPO", &h.worst_rpo));
    out.push_str(&card(
        "Checks",
        &format!("{} failed", c.failed),
        &format!("{} unknown · {} passed", c.unknown, c.passed),
        c.failed > 0,
    ));
    out.push_str("</section>\n");
    if !a.notes.is_empty() || !a.advice.is_empty() {
        out.push_str("<h2>Notes</h2><div class=\"panel notes\"><ul>");
        for n in &a.notes {
            let _ = write!(out, "<li>{}</li>", esc(n));
        }
        for n in &a.advice {
            let _ = write!(out, "<li>{}</li>", advice_html(std::slice::from_ref(n)));
        }
        out.push_str("</ul></div>\n");
    }
    // Chart.
    out.push_str("<h2>Timeline</h2><div class=\"panel\">");
    out.push_str(&chart(a, &idx));
    out.push_str(&legend());
    out.push_str("<div class=\"hint\">Times in UTC. Hover a mark for the log line behind it; click it to jump to the line in the event table.</div></div>\n");
    // Failovers.
    if !a.failovers.is_empty() {
        let _ = writeln!(
            out,
            "<h2>Failovers</h2><div class=\"panel\">{}</div>",
            failovers_html(a, clock)
        );
    }
    // Verdicts: FAIL, then UNKNOWN, then PASS.
    if !a.invariants.is_empty() {
        let _ = write!(
            out,
            "<h2>Verdicts <span class=\"muted\">· {} failed, {} unknown, {} passed</span></h2><div class=\"panel\">",
            c.failed, c.unknown, c.passed
        );
        for o in [Outcome::Fail, Outcome::Unknown, Outcome::Pass] {
            for v in a.invariants.iter().filter(|v| v.verdict == o) {
                out.push_str(&verdict_html(v));
            }
        }
        out.push_str("</div>\n");
    }
    // Terms.
    if !a.terms.is_empty() {
        out.push_str("<h2>Leadership terms</h2><table><thead><tr><th>JobManager</th><th>session</th><th>address</th><th>from</th><th>to</th><th>held</th><th>ended</th></tr></thead><tbody>");
        for t in &a.terms {
            let _ = write!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"ts\">{}</td><td class=\"ts\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(&jm_label(a, t.incarnation)),
                esc(&t.session),
                esc(t.address.as_deref().unwrap_or("")),
                esc(&clock.at(t.from)),
                esc(&t.to.map(|x| clock.at(x)).unwrap_or_else(|| "–".into())),
                esc(&t.to.map(|x| units::duration_ms(units::between(t.from, x))).unwrap_or_else(|| "–".into())),
                esc(term_end(t.end))
            );
        }
        out.push_str("</tbody></table>\n");
    }
    // Jobs.
    if !a.jobs.is_empty() {
        out.push_str("<h2>Jobs</h2><table><thead><tr><th>job</th><th>name</th><th>final state</th><th>checkpoints</th><th>restores</th><th>HA cleanup</th></tr></thead><tbody>");
        for j in &a.jobs {
            let state = final_state(j);
            let restores = restored_ids(j);
            let runs: Vec<String> = j
                .checkpoint_runs
                .iter()
                .map(|r| run_text(r, clock))
                .collect();
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{} completed, {} failed<br><span class=\"muted\">{}</span></td><td>{}</td><td class=\"ts\">{}</td></tr>",
                esc(&j.job),
                esc(j.name.as_deref().unwrap_or("")),
                esc(&state),
                j.completed,
                j.failed,
                runs.iter().map(|r| esc(r)).collect::<Vec<_>>().join("<br>"),
                esc(&if restores.is_empty() { "–".to_string() } else { restores.join(", ") }),
                esc(&match j.cleanup_ts {
                    Some(t) if j.cleanup_failed.is_empty() && j.cleanup_finished_ts.is_some() => clock.at(t),
                    Some(_) => super::story_app::cleanup_summary(j, clock),
                    None => "–".into(),
                })
            );
        }
        out.push_str("</tbody></table>\n");
    }
    // Events.
    let _ = write!(
        out,
        "<h2>Events <span class=\"muted\">· {}</span></h2><div class=\"events\"><table class=\"evtable\"><colgroup><col style=\"width:104px\"><col style=\"width:22%\"><col style=\"width:170px\"><col style=\"width:24%\"><col></colgroup><thead><tr><th>time (UTC)</th><th>source:line</th><th>kind</th><th>fields</th><th>text</th></tr></thead><tbody>",
        esc(&plural(events.len(), "event"))
    );
    let omitted = idx.in_table.iter().filter(|shown| !**shown).count();
    for (i, e) in events.iter().enumerate() {
        if !idx.in_table.get(i).copied().unwrap_or(false) {
            continue;
        }
        let _ = writeln!(
            out,
            "<tr id=\"ev{i}\" class=\"{}\"><td class=\"ts\">{}</td><td class=\"loc\">{}:{}</td><td class=\"kind\">{}</td><td class=\"mono\">{}</td><td class=\"text\">{}</td></tr>",
            event_class(e.kind),
            esc(&clock.at(e.ts)),
            esc(&e.source),
            e.line,
            esc(e.kind.as_str()),
            esc(&event_fields(e)),
            esc(&e.text)
        );
    }
    out.push_str("</tbody></table></div>\n");
    if omitted > 0 {
        let _ = writeln!(
            out,
            "<p class=\"hint\">{} routine checkpoint events are not listed here (those of restored, lost and first-after-recovery checkpoints are); <code>flinkha events</code> prints them all.</p>",
            omitted
        );
    }
    let _ = write!(
        out,
        "<footer>Generated by flinkha {} from {} in JobManager logs.</footer>\n</body>\n</html>\n",
        esc(env!("CARGO_PKG_VERSION")),
        esc(&plural(events.len(), "event"))
    );
    out
}

#[cfg(test)]
mod tests;
