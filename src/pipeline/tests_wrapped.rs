//! Tests of the way of wrapped lines: partial lines joined per source and stream, pods as
//! sources, a store's lines put in time order, document entries, `follow`.

use super::lane::Keyed;
use super::sources::LaneState;
use super::*;
use crate::events::Kind;
use crate::input::document::{Arrangement, Entry};
use crate::input::{RawLine, Wrapped};
use std::borrow::Cow;

const GRANT: &str = "2026-11-25 12:36:05,095 INFO  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint   [] - http://127.0.0.1:8081 was granted leadership with leaderSessionID=e121f084-4a4d-4a43-bf6c-09a46f25e587";

fn opts(follow: bool) -> Options {
    let text = format!(
        "event leadership_granted\n  \
         logger  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint\n  \
         message {{address:word}} was granted leadership with leaderSessionID={{session:uuid}}\n  \
         set     component=rest\n  \
         sample  {GRANT}\n  \
         expect  address=http://127.0.0.1:8081 session=e121f084-4a4d-4a43-bf6c-09a46f25e587 component=rest\n"
    );
    Options {
        zone: Zone::Utc,
        grammar: Arc::new(Grammar::from_files(&[("t.grammar".to_string(), text)]).unwrap()),
        want_unmatched: false,
        progress: false,
        follow,
        chunking: Chunking::OFF,
        input_format: InputFormat::Auto,
    }
}

/// Feed `lines` to one lane; its items (log_end included) and source summaries.
fn feed(lines: &[String], o: &Options) -> (Vec<Item>, Vec<SourceSummary>) {
    let mut st = LaneState::new(Arc::from("in.log"), o);
    let mut out = Vec::new();
    let mut emit = |k: Keyed| {
        out.push(*k.item);
        Ok(())
    };
    for (i, l) in lines.iter().enumerate() {
        let raw = RawLine {
            number: i as u64 + 1,
            bytes: l.as_bytes(),
            truncated: false,
            plain: false,
            text: None,
        };
        assert!(st.line(raw, &mut emit).is_ok());
    }
    let sums = st.finish(&mut emit).ok().unwrap();
    (out, sums)
}

fn grant_at(hms: &str) -> String {
    GRANT.replace("12:36:05,095", hms)
}

/// (source, line, kind) of every item.
fn seen(items: &[Item]) -> Vec<(String, u64, Kind)> {
    items
        .iter()
        .map(|i| match i {
            Item::Event(e) => (e.source.to_string(), e.line, e.kind),
            Item::Unmatched(u) => (u.source.to_string(), u.line, Kind::LogEnd),
        })
        .collect()
}

#[test]
fn cri_partial_lines_are_joined_per_stream() {
    let (head, tail) = GRANT.split_at(100);
    let lines = vec![
        format!("2026-11-25T12:36:05.095000001Z stdout P {head}"),
        "2026-11-25T12:36:05.095000002Z stderr F an error line".to_string(),
        format!("2026-11-25T12:36:05.095000003Z stdout F {tail}"),
        "2026-11-25T12:36:06.000000000Z stdout P never finished".to_string(),
    ];
    let (items, sums) = feed(&lines, &opts(false));
    let s = &sums[0];
    // The stderr line comes before any record is complete (so is not understood); the
    // unfinished last line is read at the end, continuing the record.
    assert_eq!(
        (
            s.lines,
            s.partial_lines,
            s.records,
            s.continuation_lines,
            s.unparseable
        ),
        (4, 2, 1, 1, 1)
    );
    let Item::Event(e) = &items[0] else {
        panic!("{items:?}")
    };
    assert_eq!(e.kind, Kind::LeadershipGranted);
    // The joined line: its text whole, its number and instant the first part's.
    assert_eq!((e.line, &*e.text), (1, GRANT));
    assert_eq!(e.ts.timestamp_subsec_nanos(), 95_000_001);
    assert_eq!(
        e.fields.session.as_deref(),
        Some("e121f084-4a4d-4a43-bf6c-09a46f25e587")
    );
}

#[test]
fn partial_lines_never_join_across_sources() {
    let (head, tail) = GRANT.split_at(60);
    let rec = |pod: &str, p: &str, log: &str, ns: u32| {
        serde_json::json!({"time": format!("2026-11-25T12:36:05.{ns:09}Z"), "stream": "stdout", "_p": p, "log": log, "kubernetes": {"pod_name": pod}})
            .to_string()
    };
    let other = grant_at("12:36:05,096");
    let lines = vec![
        rec("jm-a", "P", head, 1),
        rec("jm-b", "F", &other, 2),
        rec("jm-a", "F", tail, 3),
    ];
    let (items, sums) = feed(&lines, &opts(false));
    let names: Vec<&str> = sums.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["jm-a", "jm-b"]);
    let got = seen(&items);
    assert!(
        got.contains(&("jm-a".to_string(), 1, Kind::LeadershipGranted)),
        "{got:?}"
    );
    assert!(
        got.contains(&("jm-b".to_string(), 2, Kind::LeadershipGranted)),
        "{got:?}"
    );
    assert_eq!(sums[0].partial_lines, 1);
    assert_eq!(sums[1].partial_lines, 0);
}

#[test]
fn docker_records_without_newline_are_parts() {
    let (head, tail) = GRANT.split_at(30);
    let rec = |log: String, ns: u32| {
        serde_json::json!({"log": log, "stream": "stdout", "time": format!("2026-11-25T12:36:05.{ns:09}Z")}).to_string()
    };
    let lines = vec![rec(head.to_string(), 1), rec(format!("{tail}\n"), 2)];
    let (items, sums) = feed(&lines, &opts(false));
    assert_eq!(
        (sums[0].lines, sums[0].partial_lines, sums[0].records),
        (2, 1, 1)
    );
    assert_eq!(
        seen(&items)[0],
        ("in.log".to_string(), 1, Kind::LeadershipGranted)
    );
}

#[test]
fn newest_first_store_lines_come_out_in_time_order() {
    let entry = |hms: &str, ns: &str| {
        serde_json::json!({"labels": {"pod": "jm-0"}, "line": grant_at(hms), "timestamp": format!("2026-11-25T12:36:{ns}Z")}).to_string()
    };
    // Written at :05, :06, :07; exported newest first, with a stack trace line of :06
    // (no record of its own) in between.
    let cont = serde_json::json!({"labels": {"pod": "jm-0"}, "line": "\tat a.B(C.java:1)", "timestamp": "2026-11-25T12:36:06.5Z"}).to_string();
    let lines = vec![
        entry("12:36:07,000", "07"),
        cont,
        entry("12:36:06,000", "06"),
        entry("12:36:05,000", "05"),
    ];
    let (items, sums) = feed(&lines, &opts(false));
    let got: Vec<u64> = items
        .iter()
        .filter(|i| matches!(i, Item::Event(e) if e.kind == Kind::LeadershipGranted))
        .map(Item::line)
        .collect();
    assert_eq!(got, vec![4, 3, 1]);
    // The stack trace line continues the record before it in time.
    assert_eq!((sums[0].records, sums[0].continuation_lines), (3, 1));
    // log_end at the newest record, line 1 of the export.
    let end = items.last().unwrap();
    assert!(matches!(end, Item::Event(e) if e.kind == Kind::LogEnd && e.line == 1));
}

#[test]
fn with_follow_store_lines_are_read_at_once() {
    let line = serde_json::json!({"labels": {"pod": "jm-0"}, "line": GRANT, "timestamp": "2026-11-25T12:36:05Z"}).to_string();
    let o = opts(true);
    let mut st = LaneState::new(Arc::from("-"), &o);
    let mut got = Vec::new();
    let raw = RawLine {
        number: 1,
        bytes: line.as_bytes(),
        truncated: false,
        plain: false,
        text: None,
    };
    st.line(raw, &mut |k: Keyed| {
        got.push(*k.item);
        Ok(())
    })
    .ok()
    .unwrap();
    assert_eq!(got.len(), 1, "delivered before the input ends");
}

#[test]
fn stern_pods_become_sources_once_a_record_shows_the_names() {
    let lines = vec![
        format!("jm-a flink-main-container {}", grant_at("12:36:05,000")),
        "jm-a flink-main-container \tat a.B(C.java:1)".to_string(),
        format!(
            "jm-b flink-main-container 2026-11-25T12:36:04.000000000Z {}",
            grant_at("12:36:04,000")
        ),
    ];
    let (items, sums) = feed(&lines, &opts(false));
    let names: Vec<&str> = sums.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["jm-a", "jm-b"]);
    assert_eq!(sums[0].continuation_lines, 1);
    // jm-b's line (earlier, with stern's timestamp) comes first.
    let got = seen(&items);
    assert_eq!(got[0], ("jm-b".to_string(), 3, Kind::LeadershipGranted));
}

#[test]
fn document_entries_that_are_no_log_lines_are_counted() {
    let o = opts(false);
    let mut st = LaneState::new(Arc::from("doc.json"), &o);
    let mut out = Vec::new();
    let mut emit = |k: Keyed| {
        out.push(*k.item);
        Ok(())
    };
    let mut w = Wrapped::new(crate::input::Layout::Gcloud, Cow::Borrowed(GRANT));
    w.pod = Some(Cow::Borrowed("jm-0"));
    let entries = vec![
        Entry {
            number: 1,
            arrangement: Arrangement::Sequence,
            wrapped: None,
        },
        Entry {
            number: 2,
            arrangement: Arrangement::Sequence,
            wrapped: Some(w.into_owned()),
        },
    ];
    for e in entries {
        assert!(st.entry(e, &mut emit).is_ok());
    }
    let sums = st.finish(&mut emit).ok().unwrap();
    let s: Vec<(&str, u64, u64)> = sums
        .iter()
        .map(|s| (s.name.as_str(), s.lines, s.unparseable))
        .collect();
    assert_eq!(s, vec![("doc.json", 1, 1), ("jm-0", 1, 0)]);
    assert_eq!(
        seen(&out)[0],
        ("jm-0".to_string(), 2, Kind::LeadershipGranted)
    );
}

#[test]
fn a_store_record_holding_its_stack_trace_is_one_record() {
    let line = serde_json::json!({"labels": {}, "line": format!("{GRANT}\n\tat a.B(C.java:1)\n\tat d.E(F.java:2)"), "timestamp": "2026-11-25T12:36:05Z"}).to_string();
    let (items, sums) = feed(&[line], &opts(false));
    assert_eq!((sums[0].lines, sums[0].records), (1, 1));
    let Item::Event(e) = &items[0] else {
        panic!("{items:?}")
    };
    assert_eq!((e.kind, &*e.text), (Kind::LeadershipGranted, GRANT));
}
