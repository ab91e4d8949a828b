//! Tests of the HTML timeline.

use super::*;
use crate::check::model::{Evidence, Outcome};
use crate::report::test_story::{self as story, J1};

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";

#[test]
fn chart_shows_lanes_terms_restores_and_failovers() {
    let (a, events) = story::story();
    let h = timeline_html(&a, &events);
    assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(h.contains("<svg id=\"chart\""));
    assert!(h.contains(">jm-0 (standalonesession-0)</text>"));
    assert!(h.contains(">leader e121f084</text>"));
    assert!(h.contains(">leader 79f1aa78</text>"));
    assert!(h.contains(">job 6cecd03f</text>"));
    assert!(h.contains(">HA-Lab-Counter</text>"));
    assert!(h.contains(">↺ 15</text>"));
    assert!(h.contains(">↺ 34</text>"));
    assert!(h.contains(">#1 leader change · 11.5 s without leader</text>"));
    assert!(h.contains(">#2 job restart · TaskManager lost</text>"));
    assert!(h.contains(">RTO 12.5 s</text>"));
    assert!(h.contains(">RPO 1.9 s</text>"));
    assert!(h.contains(">HA cleanup</text>"));
    assert!(h.contains(">CANCELED</text>"));
    assert!(
        h.contains("fill=\"url(#gap)\""),
        "leaderless gap not hatched"
    );
    // Hover text carries the log line behind the mark.
    assert!(h.contains(&format!(
        "<title>leader jm-0 (standalonesession-0): session {}",
        story::E0
    )));
    assert!(h.contains(&format!(
        "{}:{}  2026-11-25T12:37:04.039Z\nRestoring job {J1} from Checkpoint 15",
        story::S1,
        events
            .iter()
            .find(|e| e.kind == Kind::CheckpointRestored)
            .map(|e| e.line)
            .unwrap()
    )));
    assert!(h.contains("<title>checkpoint 16 triggered, never completed (lost in failover #1)"));
    // One table row per event, each an anchor for the marks' links.
    assert_eq!(h.matches("<tr id=\"ev").count(), events.len());
    assert!(h.contains("<a href=\"#ev0\">"));
    // Headline cards.
    assert!(h.contains("<div class=\"k\">Worst RTO</div><div class=\"v\">12.6 s</div><div class=\"s\">job 3f2a91c0 · failover #1</div>"));
    assert!(
        h.contains("<div class=\"k\">Longest without leader</div><div class=\"v\">11.5 s</div>")
    );
}

#[test]
fn page_is_self_contained() {
    let (a, events) = story::failing_story();
    let h = timeline_html(&a, &events);
    assert!(!h.contains("<script"));
    assert!(!h.contains("<link"));
    assert!(!h.contains(" src="));
    assert!(!h.contains("@import"));
    assert!(!h.contains("url(http"));
    // The only URL outside log text is the SVG namespace.
    let outside_text: Vec<&str> = h
        .match_indices("http://")
        .map(|(i, _)| &h[i..i + 26])
        .collect();
    assert!(
        outside_text
            .iter()
            .all(|u| u.starts_with("http://www.w3.org/2000/svg")
                || u.starts_with("http://10.0.0.")),
        "{outside_text:?}"
    );
    assert!(h.contains("Content-Security-Policy"));
    // The failing restore is flagged in the failover table.
    assert!(h.contains("<td class=\"num bad\">14</td>"));
    assert!(h.contains("<span class=\"badge big FAIL\">FAIL</span>"));
}

#[test]
fn every_piece_of_log_text_is_escaped() {
    let (mut a, mut events) = story::failing_story();
    let hostile = format!("{SCRIPT} {IMG} 'q' & done");
    a.invariants[4].because = hostile.clone();
    a.invariants[4].evidence.push(Evidence {
        source: hostile.as_str().into(),
        line: 1,
        ts: hostile.clone(),
        text: hostile.as_str().into(),
    });
    a.invariants[4].id = hostile.clone();
    a.failovers[0].cause.text = hostile.clone();
    a.incarnations[0].label = hostile.clone();
    a.incarnations[1].stop_reason = Some(hostile.clone());
    a.jobs[0].name = Some(hostile.clone());
    a.terms[0].session = hostile.clone();
    a.terms[0].address = Some(hostile.clone());
    a.notes.push(hostile.clone());
    for e in events.iter_mut() {
        e.text = format!("{} {hostile}", e.text).into();
    }
    if let Some(e) = events.first_mut() {
        e.source = std::sync::Arc::from(hostile.as_str());
        e.fields.name = Some(hostile.clone());
    }
    let h = timeline_html(&a, &events);
    assert!(!h.contains("<script"), "raw <script> in the page");
    assert!(!h.contains("<img"), "raw <img> in the page");
    assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; &#39;q&#39; &amp; done"));
    // Every title and attribute stays balanced: as many opening as closing titles.
    assert_eq!(h.matches("<title>").count(), h.matches("</title>").count());
}

#[test]
fn degenerate_analyses_render_without_panicking() {
    let empty = Analysis {
        verdict: Outcome::Unknown,
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
    let h = timeline_html(&empty, &[]);
    assert!(h.contains("No timestamps: nothing to chart."));
    assert!(h.contains("Events <span class=\"muted\">· 0 events</span>"));

    // A story whose references point nowhere (bad indices, reversed instants), and a
    // span of one instant.
    let (mut a, events) = story::story();
    a.terms[0].incarnation = 99;
    a.failovers[0].from_term = Some(42);
    a.failovers[0].to_term = Some(43);
    a.failovers[1].jobs[0].rto_ms = None;
    a.failovers[1].jobs[0].running_ts = None;
    a.jobs[0].states[1].incarnation = Some(77);
    a.incarnations[0].last_ts = a.incarnations[0].first_ts - chrono::Duration::seconds(5);
    let h = timeline_html(&a, &events);
    assert!(h.contains(">not RUNNING again</text>"));
    assert!(h.contains("<div class=\"v\">not recovered</div>"));
    let t0 = a.incarnations[1].first_ts;
    a.span = Some((t0, t0));
    assert!(timeline_html(&a, &[]).contains("<svg id=\"chart\""));
}

#[test]
fn ticks_are_thinned_on_long_spans() {
    let (mut a, mut events) = story::story();
    // Stretch the span to ten days: the story's ~100 checkpoints fall on a few pixels.
    let (from, to) = a.span.unwrap();
    a.span = Some((from, to + chrono::Duration::days(10)));
    let drawn = timeline_html(&a, &events)
        .matches("<line class=\"tick\"")
        .count();
    assert!(drawn < 10, "{drawn} ticks drawn");
    events.retain(|e| e.kind != Kind::CheckpointCompleted);
    // Without events, the collapsed runs are drawn instead.
    let h = timeline_html(&a, &events);
    assert!(h.contains("<title>checkpoints 1–15 completed every ~2.0 s until"));
}

#[test]
fn big_logs_keep_the_event_table_small() {
    let (a, mut events) = story::story();
    let template = events
        .iter()
        .find(|e| e.kind == Kind::CheckpointCompleted && e.fields.job.as_deref() == Some(story::J2))
        .cloned()
        .unwrap();
    for k in 0..60_000u64 {
        let mut e = template.clone();
        e.fields.checkpoint = Some(1000 + k);
        e.line = 100_000 + k;
        events.push(e);
    }
    let started = std::time::Instant::now();
    let h = timeline_html(&a, &events);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let rows = h.matches("<tr id=\"ev").count();
    assert!(rows < 200, "{rows} rows");
    assert!(h.contains("routine checkpoint events are not listed here"));
    // The completion of the restored checkpoint 15 and the lost trigger of 16 keep their
    // rows, and the marks link to them; a routine one has neither.
    let row_of = |kind: Kind, id: u64| {
        events
            .iter()
            .position(|e| {
                e.kind == kind
                    && e.fields.checkpoint == Some(id)
                    && e.fields.job.as_deref() == Some(J1)
            })
            .unwrap()
    };
    for i in [
        row_of(Kind::CheckpointCompleted, 15),
        row_of(Kind::CheckpointTriggered, 16),
    ] {
        assert!(h.contains(&format!("<tr id=\"ev{i}\"")));
        assert!(h.contains(&format!("<a href=\"#ev{i}\">")));
    }
    let routine = row_of(Kind::CheckpointCompleted, 5);
    assert!(!h.contains(&format!("<tr id=\"ev{routine}\"")));
    assert!(!h.contains(&format!("<a href=\"#ev{routine}\">")));
}
