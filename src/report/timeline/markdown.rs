//! The Markdown timeline, for incident reviews and pull requests.

use super::{
    failover_details, final_state, jm_label, job_name, restored_ids, span, story, term_end_text,
    Headline, NotRecovered, Tone, Worst,
};
use crate::check::model::{Advice, Analysis, FailoverKind, Outcome};
use crate::report::check::{evidence_line, kind_name, plural, Counts, NOTE_LINES};
use crate::report::escape;
use crate::report::story_app;
use crate::report::units::{self, Clock};
use std::fmt::Write as _;

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
