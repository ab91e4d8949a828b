//! Tests of the timeline's story and its text, Markdown and JSON renderings.

use super::*;
use crate::check::model::Outcome;
use crate::labels::Labels;
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
    let v: serde_json::Value = serde_json::from_str(&timeline_json(&a, &Labels::none())).unwrap();
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
    assert!(
        t.contains("\n12:38:16.759  job 6cecd03f                CANCELED — globally terminal\n")
    );
    assert!(t.contains(
        "\n12:38:17.189  job 6cecd03f                HA data cleaned up (400 ms after CANCELED)\n"
    ));
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
    assert!(
        md.contains("**Not recovered:** job `6cecd03f` was never RUNNING again after failover #2.")
    );
    assert!(md.contains("| **not recovered** |"));
}

#[test]
fn markdown_escapes_log_text() {
    let (mut a, _) = story::failing_story();
    a.invariants[4].because = "a | b <script>*x*</script>".into();
    a.invariants[4].evidence[0].text = "pipe | and `tick` <img src=x>".into();
    a.failovers[0].cause.text = "kill -9 | <b>".into();
    let md = timeline_markdown(&a);
    assert!(md.contains(
        "| **FAIL** | recover-latest | `6cecd03f` | a \\| b &lt;script&gt;\\*x\\*&lt;/script&gt; |"
    ));
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
    let v: serde_json::Value = serde_json::from_str(&timeline_json(&a, &Labels::none())).unwrap();
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
    assert!(timeline_text(&a, false).starts_with("Flink HA timeline — no timestamps in the logs\n"));
    assert!(timeline_markdown(&a).contains("The logs carry no timestamps."));
    let v: serde_json::Value = serde_json::from_str(&timeline_json(&a, &Labels::none())).unwrap();
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
