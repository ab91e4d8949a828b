//! Renderings of `flinkha check` results: text, JSON, JUnit XML, GitHub workflow commands.

use super::escape;
use super::style::Style;
use super::units::{self, Clock};
use crate::check::model::{Advice, Analysis, Evidence, Failover, FailoverKind, Outcome, Verdict};
use crate::labels::Labels;
use serde::Serialize;
use std::fmt::Write as _;

/// How many verdicts failed, were unknown, passed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// FAIL verdicts.
    pub failed: usize,
    /// UNKNOWN verdicts.
    pub unknown: usize,
    /// PASS verdicts.
    pub passed: usize,
}

impl Counts {
    /// Count the verdicts of `a`.
    pub fn of(a: &Analysis) -> Counts {
        let mut c = Counts::default();
        for v in &a.invariants {
            match v.verdict {
                Outcome::Fail => c.failed += 1,
                Outcome::Unknown => c.unknown += 1,
                Outcome::Pass => c.passed += 1,
            }
        }
        c
    }
}

/// `recover-latest[job 6cecd03f]`, or the bare id for invariants not about one job.
pub(crate) fn verdict_name(v: &Verdict) -> String {
    match &v.job {
        Some(job) => format!("{}[job {}]", v.id, units::short(job)),
        None => v.id.clone(),
    }
}

/// `flinkha: FAIL — 1 failed, 2 unknown, 6 passed (3 failovers)`.
pub fn summary_line(a: &Analysis) -> String {
    let c = Counts::of(a);
    format!(
        "flinkha: {} — {} failed, {} unknown, {} passed ({})",
        a.verdict.as_str(),
        c.failed,
        c.unknown,
        c.passed,
        plural(a.failovers.len(), "failover")
    )
}

/// `1 failover`, `3 failovers`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// One line describing a failover: when, what, how long without a leader, and per job the
/// restored checkpoint, RTO and RPO.
pub(crate) fn failover_line(f: &Failover, clock: Clock) -> String {
    let mut s = format!(
        "failover #{}  {}  {}  {}",
        f.id + 1,
        clock.at(f.failure_ts),
        kind_name(f.kind),
        escape::terminal(&f.cause.text)
    );
    if let Some(ms) = f.leaderless_ms {
        let _ = write!(s, "  no leader for {}", units::duration_ms(ms));
    }
    for j in &f.jobs {
        let _ = write!(s, "  | job {}: {}", units::short(&j.job), recovery_brief(j));
    }
    s
}

/// Evidence lines shown under a cause or an advisor note, at most this many.
pub(crate) const NOTE_LINES: usize = 6;

/// `known bug: matches FLINK-…` — the one-line form of an advisor note.
pub(crate) fn advice_line(n: &Advice) -> String {
    format!("known bug: {}", n.note)
}

/// `source:line  ts  text`, the one-line form of an evidence line.
pub(crate) fn evidence_line(e: &Evidence) -> String {
    format!("{}:{}  {}  {}", e.source, e.line, e.ts, e.text)
}

/// The lines under a failover: its cause's kind and evidence, then advisor notes with theirs.
pub(crate) fn failover_explained(f: &Failover) -> Vec<String> {
    let mut out = vec![format!("cause: {}", f.cause.kind.as_str())];
    for e in f.cause.evidence.iter().take(NOTE_LINES) {
        out.push(format!("  {}", evidence_line(e)));
    }
    for n in &f.advice {
        out.push(advice_line(n));
        for e in n.evidence.iter().take(NOTE_LINES) {
            out.push(format!("  {}", evidence_line(e)));
        }
    }
    out
}

/// `restored 15 (latest 15), RTO 12.5 s, RPO 1.9 s`.
pub(crate) fn recovery_brief(j: &crate::check::model::JobRecovery) -> String {
    let mut parts = Vec::new();
    match (j.restored_checkpoint, j.latest_completed_before) {
        (Some(r), Some(l)) => parts.push(format!(
            "restored {}{r} (latest {l})",
            if j.restored_savepoint {
                "savepoint "
            } else {
                ""
            }
        )),
        (Some(r), None) => parts.push(format!(
            "restored {}{r}",
            if j.restored_savepoint {
                "savepoint "
            } else {
                ""
            }
        )),
        (None, Some(l)) => parts.push(format!("no restore seen (latest {l})")),
        (None, None) => parts.push("no restore seen".to_string()),
    }
    match j.rto_ms {
        Some(ms) => parts.push(format!("RTO {}", units::duration_ms(ms))),
        None => parts.push("not RUNNING again".to_string()),
    }
    if let Some(ms) = j.rpo_ms {
        parts.push(format!("RPO {}", units::duration_ms(ms)));
    }
    parts.join(", ")
}

/// `leader change` or `job restart`.
pub(crate) fn kind_name(k: FailoverKind) -> &'static str {
    match k {
        FailoverKind::Leader => "leader change",
        FailoverKind::JobRestart => "job restart",
    }
}

/// The text report of `flinkha check`: one line per invariant, then the reason and evidence
/// of each FAIL and UNKNOWN, the failovers (one line each), notes and a summary line.
/// `color` adds ANSI colours (decided by the caller: terminal and no `NO_COLOR`).
pub fn check_text(a: &Analysis, color: bool) -> String {
    let st = Style::new(color);
    let clock = Clock::for_span(a.span);
    let mut out = String::new();
    let id_w = a
        .invariants
        .iter()
        .map(|v| v.id.chars().count())
        .max()
        .unwrap_or(0);
    let has_jobs = a.invariants.iter().any(|v| v.job.is_some());
    for v in &a.invariants {
        let mut line = format!("{}  {:<id_w$}", st.outcome_padded(v.verdict), v.id);
        if has_jobs {
            match &v.job {
                Some(job) => {
                    let _ = write!(line, "  job {:<8}", units::short(job));
                }
                None => line.push_str("              "),
            }
        }
        if v.verdict != Outcome::Pass {
            let _ = write!(line, "  because {}", escape::terminal(&v.because));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for v in a
        .invariants
        .iter()
        .filter(|v| v.verdict != Outcome::Pass || !v.advice.is_empty())
    {
        out.push('\n');
        let job = v
            .job
            .as_deref()
            .map(|j| format!(", job {j}"))
            .unwrap_or_default();
        let _ = writeln!(out, "{} {}{}", st.outcome(v.verdict), st.bold(&v.id), job);
        let _ = writeln!(out, "  because {}", escape::terminal(&v.because));
        if v.evidence.is_empty() {
            let _ = writeln!(out, "  {}", st.dim("(no evidence lines)"));
        }
        for e in &v.evidence {
            let _ = writeln!(
                out,
                "  {}  {}  {}",
                st.dim(&format!("{}:{}", escape::terminal(&e.source), e.line)),
                st.dim(&escape::terminal(&e.ts)),
                escape::terminal(&e.text)
            );
        }
        for n in &v.advice {
            let _ = writeln!(out, "  {}", st.yellow(&escape::terminal(&advice_line(n))));
            for e in n.evidence.iter().take(NOTE_LINES) {
                let _ = writeln!(out, "    {}", st.dim(&escape::terminal(&evidence_line(e))));
            }
        }
    }
    if !a.failovers.is_empty() {
        out.push('\n');
        for f in &a.failovers {
            out.push_str(&failover_line(f, clock));
            out.push('\n');
            for l in failover_explained(f) {
                let _ = writeln!(out, "  {}", st.dim(&escape::terminal(&l)));
            }
        }
    }
    if !a.notes.is_empty() || !a.advice.is_empty() {
        out.push('\n');
        for n in &a.notes {
            let _ = writeln!(out, "note: {}", escape::terminal(n));
        }
        for n in &a.advice {
            let _ = writeln!(out, "note: {}", escape::terminal(&advice_line(n)));
        }
    }
    out.push('\n');
    let summary = summary_line(a);
    out.push_str(&st.verdict_colored(a.verdict, &summary));
    out.push('\n');
    out
}

#[derive(Serialize)]
struct CheckDoc<'a> {
    verdict: Outcome,
    labels: &'a Labels,
    summary: Counts,
    invariants: &'a [Verdict],
    failovers: &'a [Failover],
    notes: &'a [String],
    #[serde(skip_serializing_if = "<[Advice]>::is_empty")]
    advice: &'a [Advice],
}

/// The JSON report of `flinkha check`: `{"verdict", "labels", "summary", "invariants",
/// "failovers", "notes"}`, pretty-printed, with the model's field names; `labels` is the
/// run's `--label` pairs as an object (`{}` without any).
pub fn check_json(a: &Analysis, labels: &Labels) -> String {
    let doc = CheckDoc {
        verdict: a.verdict,
        labels,
        summary: Counts::of(a),
        invariants: &a.invariants,
        failovers: &a.failovers,
        notes: &a.notes,
        advice: &a.advice,
    };
    super::to_json(&doc)
}

/// JUnit XML: one testsuite `flinkha`, one testcase per invariant (and job); FAIL is a
/// `<failure>` whose body is the reason and the evidence, UNKNOWN is `<skipped>`. Failovers
/// and notes go to the suite's `<system-out>`; each run label is a suite `<property>`.
pub fn check_junit(a: &Analysis, labels: &Labels) -> String {
    let c = Counts::of(a);
    let clock = Clock::for_span(a.span);
    let total = a.invariants.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"flinkha\" tests=\"{total}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
        c.failed, c.unknown
    );
    let stamp = a
        .span
        .map(|(from, _)| format!(" timestamp=\"{}\"", from.format("%Y-%m-%dT%H:%M:%S")))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  <testsuite name=\"flinkha\" tests=\"{total}\" failures=\"{}\" errors=\"0\" skipped=\"{}\"{stamp}>",
        c.failed, c.unknown
    );
    let _ = writeln!(out, "    <properties>");
    let _ = writeln!(
        out,
        "      <property name=\"verdict\" value=\"{}\"/>",
        a.verdict.as_str()
    );
    let _ = writeln!(
        out,
        "      <property name=\"failovers\" value=\"{}\"/>",
        a.failovers.len()
    );
    for (k, v) in labels.iter() {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            escape::xml_attr(k),
            escape::xml_attr(v)
        );
    }
    let _ = writeln!(out, "    </properties>");
    for v in &a.invariants {
        let name = escape::xml_attr(&verdict_name(v));
        let class = escape::xml_attr(&format!("flinkha.{}", v.id));
        let notes = advice_text(&v.advice);
        let case_out = if notes.is_empty() {
            String::new()
        } else {
            format!(
                "      <system-out>{}</system-out>\n",
                escape::xml_text(&notes)
            )
        };
        match v.verdict {
            Outcome::Pass if notes.is_empty() => {
                let _ = writeln!(out, "    <testcase name=\"{name}\" classname=\"{class}\"/>");
            }
            Outcome::Pass => {
                let _ = writeln!(out, "    <testcase name=\"{name}\" classname=\"{class}\">");
                out.push_str(&case_out);
                let _ = writeln!(out, "    </testcase>");
            }
            Outcome::Unknown => {
                let _ = writeln!(out, "    <testcase name=\"{name}\" classname=\"{class}\">");
                let _ = writeln!(
                    out,
                    "      <skipped message=\"{}\"/>",
                    escape::xml_attr(&v.because)
                );
                out.push_str(&case_out);
                let _ = writeln!(out, "    </testcase>");
            }
            Outcome::Fail => {
                let _ = writeln!(out, "    <testcase name=\"{name}\" classname=\"{class}\">");
                let mut body = format!("{}\n", v.because);
                if let Some(job) = &v.job {
                    let _ = writeln!(body, "job {job}");
                }
                for e in &v.evidence {
                    let _ = writeln!(body, "{}", evidence_line(e));
                }
                body.push_str(&notes);
                let _ = writeln!(
                    out,
                    "      <failure message=\"{}\" type=\"FAIL\">{}</failure>",
                    escape::xml_attr(&v.because),
                    escape::xml_text(&body)
                );
                let _ = writeln!(out, "    </testcase>");
            }
        }
    }
    let mut sysout = String::new();
    for f in &a.failovers {
        sysout.push_str(&failover_line(f, clock));
        sysout.push('\n');
        for l in failover_explained(f) {
            let _ = writeln!(sysout, "  {l}");
        }
    }
    for n in &a.notes {
        let _ = writeln!(sysout, "note: {n}");
    }
    for n in &a.advice {
        let _ = writeln!(sysout, "note: {}", advice_line(n));
    }
    sysout.push_str(&summary_line(a));
    sysout.push('\n');
    let _ = writeln!(
        out,
        "    <system-out>{}</system-out>",
        escape::xml_text(&sysout)
    );
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Advisor notes as text lines, each followed by its evidence.
fn advice_text(notes: &[Advice]) -> String {
    let mut s = String::new();
    for n in notes {
        let _ = writeln!(s, "{}", advice_line(n));
        for e in n.evidence.iter().take(NOTE_LINES) {
            let _ = writeln!(s, "  {}", evidence_line(e));
        }
    }
    s
}

/// GitHub Actions workflow commands: `::error` per FAIL, `::warning` per UNKNOWN (message =
/// reason, first evidence location, then the evidence lines and advisor notes), a `::notice`
/// per advisor note on a PASS verdict, on a failover or on its own, and a `::notice` summary.
/// Run labels end every title, `(cluster=prod-eu, env=prod)`, so that annotations of several
/// clusters in one workflow stay apart.
pub fn check_github(a: &Analysis, labels: &Labels) -> String {
    let suffix = if labels.is_empty() {
        String::new()
    } else {
        format!(" ({})", labels.display())
    };
    let mut out = String::new();
    let notice = |out: &mut String, title: &str, n: &Advice| {
        let mut msg = advice_line(n);
        for e in n.evidence.iter().take(NOTE_LINES) {
            let _ = write!(msg, "\n{}", evidence_line(e));
        }
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            escape::github_property(&format!("{title} ({})", n.bug)),
            escape::github_message(&msg)
        );
    };
    for v in &a.invariants {
        let cmd = match v.verdict {
            Outcome::Pass => {
                for n in &v.advice {
                    notice(&mut out, &format!("flinkha {}", verdict_name(v)), n);
                }
                continue;
            }
            Outcome::Fail => "error",
            Outcome::Unknown => "warning",
        };
        let title = match &v.job {
            Some(job) => format!("flinkha {} [job {}]{suffix}", v.id, units::short(job)),
            None => format!("flinkha {}{suffix}", v.id),
        };
        let mut msg = v.because.clone();
        if let Some(e) = v.evidence.first() {
            let _ = write!(msg, " ({}:{})", e.source, e.line);
        }
        for e in &v.evidence {
            let _ = write!(msg, "\n{}", evidence_line(e));
        }
        for line in advice_text(&v.advice).lines() {
            let _ = write!(msg, "\n{line}");
        }
        let _ = writeln!(
            out,
            "::{cmd} title={}::{}",
            escape::github_property(&title),
            escape::github_message(&msg)
        );
    }
    for f in &a.failovers {
        for n in &f.advice {
            notice(&mut out, &format!("flinkha failover #{}", f.id + 1), n);
        }
    }
    for n in &a.advice {
        notice(&mut out, "flinkha", n);
    }
    let _ = writeln!(
        out,
        "::notice title={}::{}",
        escape::github_property(&format!("flinkha{suffix}")),
        escape::github_message(&summary_line(a))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_story::{self as story, J1};

    #[test]
    fn text_lists_every_invariant_and_the_evidence_of_failures() {
        let (a, _) = story::failing_story();
        let t = check_text(&a, false);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "PASS     single-leader");
        assert_eq!(lines[2], "PASS     checkpoint-monotonic  job 6cecd03f");
        assert_eq!(
            lines[4],
            "FAIL     recover-latest        job 6cecd03f  because failover #1 restored checkpoint 14 although checkpoint 15 had completed at 12:36:49.692"
        );
        assert!(t.contains(&format!("\nFAIL recover-latest, job {J1}\n")));
        assert!(t.contains("  flink-root-standalonesession-0-vm.log:"));
        assert!(t.contains(&format!("Completed checkpoint 15 for job {J1} (7884 bytes")));
        assert!(t.contains("\nUNKNOWN ha-cleanup, job 3f2a91c0d5e84b7fa1c6e0d9b8a7f654\n"));
        assert!(t.contains("\nUNKNOWN recovery-time\n  because not checked: no --max-rto given (worst RTO 12.6 s)\n  (no evidence lines)\n"));
        assert!(t.contains("failover #1  12:36:51.606  leader change  log ends without shutdown (kill -9?)  no leader for 11.5 s  | job 6cecd03f: restored 14 (latest 15), RTO 12.5 s, RPO 3.9 s  | job 3f2a91c0: restored 10 (latest 10), RTO 12.6 s, RPO 1.3 s\n"));
        assert!(t.contains("failover #2  12:37:42.118  job restart  TaskManager lost (10.0.0.21:35117-5e1c7a)  | job 6cecd03f: restored 34 (latest 34), RTO 1.2 s, RPO 1.9 s\n"));
        assert!(t.ends_with("\nflinkha: FAIL — 1 failed, 2 unknown, 6 passed (2 failovers)\n"));
        assert!(!t.contains('\u{1b}'));
    }

    #[test]
    fn text_colours_only_when_asked() {
        let (a, _) = story::failing_story();
        let t = check_text(&a, true);
        assert!(t.contains("\u{1b}[1;31mFAIL\u{1b}[0m"));
        assert!(t.contains("\u{1b}[32mPASS\u{1b}[0m"));
    }

    #[test]
    fn text_neutralises_escape_sequences_in_log_text() {
        let (mut a, _) = story::failing_story();
        a.invariants[4].evidence[0].text = "evil \u{1b}[2J clear".into();
        let t = check_text(&a, false);
        assert!(t.contains("evil \\x1b[2J clear"));
        assert!(!t.contains('\u{1b}'));
    }

    #[test]
    fn json_is_one_document_with_the_model_fields() {
        let (a, _) = story::failing_story();
        let v: serde_json::Value = serde_json::from_str(&check_json(&a, &Labels::none())).unwrap();
        assert_eq!(v["verdict"], "FAIL");
        assert_eq!(v["summary"]["failed"], 1);
        assert_eq!(v["summary"]["unknown"], 2);
        assert_eq!(v["summary"]["passed"], 6);
        let inv = &v["invariants"][4];
        assert_eq!(inv["id"], "recover-latest");
        assert_eq!(inv["verdict"], "FAIL");
        assert_eq!(inv["job"], J1);
        assert_eq!(inv["evidence"][1]["source"], story::S1);
        assert!(inv["evidence"][1]["line"].as_u64().unwrap() > 0);
        assert_eq!(inv["evidence"][1]["ts"], "2026-11-25T12:37:04.039Z");
        assert!(v["invariants"][0].get("job").is_none());
        assert_eq!(v["failovers"][0]["failure_ts"], "2026-11-25T12:36:51.606Z");
        assert_eq!(v["failovers"][0]["jobs"][0]["restored_checkpoint"], 14);
        assert_eq!(v["failovers"][0]["jobs"][0]["lost_checkpoints"][0], 16);
        assert_eq!(v["failovers"][1]["kind"], "job_restart");
        assert_eq!(v["notes"][0], "HA backend: ZooKeeper (Flink 1.20.5)");
    }

    #[test]
    fn junit_has_one_testcase_per_verdict() {
        let (a, _) = story::failing_story();
        let x = check_junit(&a, &Labels::none());
        assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"flinkha\" tests=\"9\" failures=\"1\" errors=\"0\" skipped=\"2\">"));
        assert_eq!(x.matches("<testcase ").count(), 9);
        assert!(
            x.contains("<testcase name=\"single-leader\" classname=\"flinkha.single-leader\"/>")
        );
        assert!(x.contains("<testcase name=\"recover-latest[job 6cecd03f]\" classname=\"flinkha.recover-latest\">\n      <failure message=\"failover #1 restored checkpoint 14 although checkpoint 15 had completed at 12:36:49.692\" type=\"FAIL\">"));
        assert!(
            x.contains("<skipped message=\"not checked: no --max-rto given (worst RTO 12.6 s)\"/>")
        );
        assert!(x.contains("Restoring job 6cecd03fbdf46ddd31c32d9bdc34c1b5 from Checkpoint 14"));
        assert!(x.contains("flinkha: FAIL — 1 failed, 2 unknown, 6 passed (2 failovers)"));
        assert!(x.trim_end().ends_with("</testsuites>"));
    }

    #[test]
    fn junit_escapes_log_text() {
        let (mut a, _) = story::failing_story();
        a.invariants[4].because = "bad \"restore\" <14> & 'more'".into();
        a.invariants[4].evidence[0].text =
            "<script>alert(1)</script>\"><img src=x onerror=alert(1)>\u{0}".into();
        let x = check_junit(&a, &Labels::none());
        assert!(x.contains("message=\"bad &quot;restore&quot; &lt;14&gt; &amp; &apos;more&apos;\""));
        assert!(x.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt;\"&gt;&lt;img src=x onerror=alert(1)&gt;\u{fffd}"
        ));
        assert!(!x.contains("<script"));
        assert!(!x.contains("<img"));
        assert!(!x.contains('\u{0}'));
    }

    #[test]
    fn github_commands_escape_per_the_runner_rules() {
        let (mut a, _) = story::failing_story();
        let g = check_github(&a, &Labels::none());
        let lines: Vec<&str> = g.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("::error title=flinkha recover-latest [job 6cecd03f]::failover #1 restored checkpoint 14 although checkpoint 15 had completed at 12%3A36%3A49.692".replace("%3A", ":").as_str()));
        assert!(lines[0].contains(&format!(" ({}:", story::S0)));
        assert!(lines[0].contains("%0Aflink-root-standalonesession-1-vm.log:"));
        assert!(lines[1].starts_with("::warning title=flinkha ha-cleanup [job 3f2a91c0]::"));
        assert!(lines[2].starts_with("::warning title=flinkha recovery-time::not checked"));
        assert_eq!(
            lines[3],
            "::notice title=flinkha::flinkha: FAIL — 1 failed, 2 unknown, 6 passed (2 failovers)"
        );
        a.invariants[4].id = "odd:id,x".into();
        a.invariants[4].because = "100% broken\r\nnext".into();
        let g = check_github(&a, &Labels::none());
        assert!(g.contains(
            "::error title=flinkha odd%3Aid%2Cx [job 6cecd03f]::100%25 broken%0D%0Anext ("
        ));
    }

    #[test]
    fn labels_in_json_junit_and_github() {
        let (a, _) = story::failing_story();
        let labels = Labels::parse(&["cluster=prod-eu", "env=a&b\"c"]).unwrap();
        let v: serde_json::Value = serde_json::from_str(&check_json(&a, &labels)).unwrap();
        assert_eq!(v["labels"]["cluster"], "prod-eu");
        assert_eq!(v["labels"]["env"], "a&b\"c");
        let none: serde_json::Value =
            serde_json::from_str(&check_json(&a, &Labels::none())).unwrap();
        assert_eq!(none["labels"], serde_json::json!({}));

        let x = check_junit(&a, &labels);
        assert!(x.contains(
            "      <property name=\"failovers\" value=\"2\"/>\n      <property name=\"cluster\" value=\"prod-eu\"/>\n      <property name=\"env\" value=\"a&amp;b&quot;c\"/>\n    </properties>"
        ), "{x}");

        let g = check_github(&a, &labels);
        let lines: Vec<&str> = g.lines().collect();
        assert!(
            lines[0].starts_with(
                "::error title=flinkha recover-latest [job 6cecd03f] (cluster=prod-eu%2C env=a&b\"c)::"
            ),
            "{}",
            lines[0]
        );
        assert!(lines[2].starts_with(
            "::warning title=flinkha recovery-time (cluster=prod-eu%2C env=a&b\"c)::"
        ));
        assert!(lines[3]
            .starts_with("::notice title=flinkha (cluster=prod-eu%2C env=a&b\"c)::flinkha: FAIL"));
    }
}
