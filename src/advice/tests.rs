//! The advice language: loading, errors with their places, and matching semantics.

use super::matcher::{match_entry, Facts};
use super::*;
use crate::check::model::{Analysis, Outcome};
use crate::check::testutil::ev;
use std::sync::{Arc, OnceLock};

fn grammar() -> &'static Grammar {
    static G: OnceLock<Grammar> = OnceLock::new();
    G.get_or_init(|| Grammar::builtin().expect("built-in grammar"))
}

fn load(text: &str) -> Result<Book, AdviceError> {
    Book::from_files(&[("my.advice".to_string(), text.to_string())], grammar())
}

fn entry(when: &str) -> String {
    format!(
        "bug TEST-1\n  title t\n  affects 1.18\n  fixed 1.19.0\n  source s\n  explains single-leader\n{when}  advice a\n"
    )
}

fn empty_analysis() -> Analysis {
    Analysis {
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
    }
}

fn matches(when: &str, events: &[Event]) -> bool {
    let book = load(&entry(when)).unwrap_or_else(|e| panic!("{e}"));
    !match_entry(
        &book.entries[0],
        events,
        &empty_analysis(),
        Facts::default(),
    )
    .is_empty()
}

#[test]
fn the_builtin_file_loads_and_every_entry_is_self_tested() {
    let book = Book::builtin(grammar()).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = book.entries.iter().map(|e| e.id.as_str()).collect();
    for id in [
        "FLINK-19154",
        "FLINK-25486",
        "FLINK-10052",
        "FLINK-20695",
        "FLINK-22494",
        "FLINK-22502",
        "FLINK-24543",
        "FLINK-28265",
        "FLINK-22014",
        "FLINK-11813",
        "FLINK-34007",
        "FLINK-34518",
        "FLINK-20417",
        "FLINK-30462",
        "FLINK-30596",
        "FLINK-19358",
        "FLINK-21351",
        "FLINK-25191",
        "CURATOR-696",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    // Every built-in entry carries samples, so loading proved that each signature matches.
    let text = BUILTIN[0].1;
    for id in &ids {
        let at = text.find(&format!("bug {id}\n")).expect("entry text");
        let body = &text[at..];
        let body = &body[..body[4..].find("\nbug ").map_or(body.len(), |n| n + 4)];
        assert!(body.contains("\n  sample "), "{id} has no samples");
    }
}

#[test]
fn errors_name_file_line_and_column() {
    let err = |text: &str| load(text).unwrap_err().to_string();
    assert_eq!(
        err(&entry("  when event no_such_kind\n")),
        "my.advice:7:14: unknown event kind `no_such_kind`"
    );
    assert_eq!(
        err(&entry("  when event job_state colour=red\n")),
        "my.advice:7:24: unknown field `colour` (an event field or `source`)"
    );
    assert_eq!(
        err(&entry("  when verdict single-leaders FAIL\n")),
        format!(
            "my.advice:7:16: unknown invariant `single-leaders`; known: {}",
            INVARIANT_IDS.join(", ")
        )
    );
    assert_eq!(
        err(&entry("  when event job_state job!=$j\n")),
        "my.advice:7:24: `$j` is used before it is bound"
    );
    let e = err(&entry("  when event job_state within 1parsec\n"));
    assert!(e.starts_with("my.advice:7:24: invalid duration"), "{e}");
    assert_eq!(
        err(&entry("  when cluster yarn\n")),
        "my.advice:7:16: unknown cluster fact `yarn` (application, session, kubernetes, zookeeper)"
    );
    let bad_range =
        entry("  when event job_state\n").replace("affects 1.18", "affects 1.18, 1.x.1");
    assert_eq!(
        err(&bad_range),
        "my.advice:3:17: `1.x.1` is not a version (examples: 1.18.1, 1.14, 2.x)"
    );
    assert_eq!(
        err("bug A-1\n  title t\n"),
        "my.advice:1:1: bug A-1 lacks affects, fixed, source, explains, when, advice"
    );
    assert_eq!(
        err("  title t\n"),
        "my.advice:1:3: `title` outside an entry: entries start with `bug ID`"
    );
    assert_eq!(
        err(&entry("  colour red\n")),
        "my.advice:7:3: unknown keyword `colour` (known: bug, title, affects, fixed, source, scope, explains, when, advice, sample, sample-verdict)"
    );
    let twice = format!(
        "{}{}",
        entry("  when event job_state\n"),
        entry("  when event job_state\n")
    );
    assert_eq!(
        err(&twice),
        "my.advice:9:1: bug TEST-1 is already described at my.advice:1"
    );
    // Several errors are reported together, one per line.
    let two = err(&entry("  when event nope\n  when cluster yarn\n"));
    assert_eq!(two.lines().count(), 2, "{two}");
}

#[test]
fn samples_that_do_not_match_the_signature_are_an_error_at_the_first_sample() {
    let text = entry(
        "  when event leadership_revoked\n  sample jm 2026-11-25 13:04:17,353 INFO  org.apache.flink.shaded.curator5.org.apache.curator.framework.state.ConnectionStateManager [] - State change: SUSPENDED\n",
    );
    assert_eq!(
        load(&text).unwrap_err().to_string(),
        "my.advice:8:3: the samples of bug TEST-1 do not match its signature"
    );
    let text = entry("  when event ha_connection\n  sample jm not a log line\n");
    assert_eq!(
        load(&text).unwrap_err().to_string(),
        "my.advice:8:3: sample at line 8 is not a log line"
    );
    let ok = entry(
        "  when event ha_connection state=SUSPENDED\n  sample jm 2026-11-25 13:04:17,353 INFO  org.apache.flink.shaded.curator5.org.apache.curator.framework.state.ConnectionStateManager [] - State change: SUSPENDED\n",
    );
    assert!(load(&ok).is_ok());
}

#[test]
fn event_conditions_match_in_time_order_with_variables() {
    let evs = vec![
        ev("a", 1, 1.0, Kind::HaConnection, &[("state", "SUSPENDED")]),
        ev("b", 1, 2.0, Kind::HaConnection, &[("state", "SUSPENDED")]),
        ev(
            "b",
            2,
            3.0,
            Kind::LeadershipRevoked,
            &[("component", "rest")],
        ),
    ];
    assert!(matches(
        "  when event ha_connection source=$s\n  when event leadership_revoked source=$s\n",
        &evs
    ));
    // Order matters: nothing is revoked before the connection change.
    assert!(!matches(
        "  when event leadership_revoked\n  when event ha_connection\n",
        &evs
    ));
    assert!(matches(
        "  when event ha_connection source=$s\n  when event leadership_revoked source!=$s\n",
        &evs
    ));
    assert!(matches(
        "  when event ha_connection state=LOST|SUSPENDED\n",
        &evs
    ));
    assert!(!matches("  when event ha_connection state=LOST\n", &evs));
    assert!(matches(
        "  when event leadership_revoked component~res\n",
        &evs
    ));
}

#[test]
fn within_and_after_bound_the_gap_to_the_previous_event() {
    let evs = vec![
        ev("a", 1, 0.0, Kind::HaConnection, &[("state", "SUSPENDED")]),
        ev("a", 2, 10.0, Kind::LeadershipRevoked, &[]),
    ];
    let when =
        |w: &str| format!("  when event ha_connection\n  when event leadership_revoked {w}\n");
    assert!(matches(&when("within 10s"), &evs));
    assert!(!matches(&when("within 9s"), &evs));
    assert!(matches(&when("after 10s"), &evs));
    assert!(!matches(&when("after 11s"), &evs));
}

#[test]
fn no_event_holds_between_its_neighbours_or_to_the_end() {
    let evs = vec![
        ev("a", 1, 0.0, Kind::JobSubmitted, &[("job", "j1")]),
        ev(
            "a",
            2,
            1.0,
            Kind::JobTerminal,
            &[("job", "j1"), ("state", "CANCELED")],
        ),
        ev("a", 3, 2.0, Kind::JobSubmitted, &[("job", "j1")]),
        ev("a", 4, 3.0, Kind::JobSubmitted, &[("job", "j1")]),
    ];
    // j1 is submitted twice without a terminal state in between (3.0 after 2.0).
    assert!(matches(
        "  when event job_submitted job=$j\n  when no event job_terminal job=$j\n  when event job_submitted job=$j\n",
        &evs
    ));
    let first_two = &evs[..3];
    assert!(!matches(
        "  when event job_submitted job=$j\n  when no event job_terminal job=$j\n  when event job_submitted job=$j\n",
        first_two
    ));
    // A trailing `no event` reaches to the end of the logs, or to its `within`.
    assert!(!matches(
        "  when event job_terminal\n  when no event job_submitted\n",
        &evs
    ));
    assert!(matches(
        "  when event job_terminal\n  when no event job_submitted within 500ms\n",
        &evs
    ));
    // A leading one: nothing of the kind before the first event.
    assert!(!matches(
        "  when no event job_submitted\n  when event job_terminal\n",
        &evs
    ));
}

#[test]
fn a_verdict_condition_binds_the_job_and_scope_limits_the_versions() {
    let mut a = empty_analysis();
    a.invariants.push(crate::check::verdict(
        "ha-cleanup",
        Outcome::Fail,
        Some("j2"),
        "x",
        vec![],
    ));
    let evs = vec![
        ev(
            "a",
            1,
            0.0,
            Kind::JobTerminal,
            &[("job", "j1"), ("state", "FINISHED")],
        ),
        ev(
            "a",
            2,
            1.0,
            Kind::JobTerminal,
            &[("job", "j2"), ("state", "FINISHED")],
        ),
    ];
    let book = load(&entry(
        "  when verdict ha-cleanup FAIL\n  when event job_terminal job=$job\n",
    ))
    .unwrap();
    let m = match_entry(&book.entries[0], &evs, &a, Facts::default());
    assert_eq!(m.len(), 1);
    let book = load(&entry(
        "  when verdict ha-cleanup PASS\n  when event job_terminal\n",
    ))
    .unwrap();
    assert!(match_entry(&book.entries[0], &evs, &a, Facts::default()).is_empty());
}

#[test]
fn a_user_file_replaces_the_builtin_of_its_name_or_adds_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine.advice");
    std::fs::write(&mine, entry("  when event job_state\n")).unwrap();
    let book = Book::load(std::slice::from_ref(&mine), grammar()).unwrap();
    assert!(book.entries.iter().any(|e| e.id == "TEST-1"));
    assert!(book.entries.iter().any(|e| e.id == "CURATOR-696"));
    let replace = dir.path().join("known-bugs.advice");
    std::fs::write(&replace, entry("  when event job_state\n")).unwrap();
    let book = Book::load(&[replace], grammar()).unwrap();
    assert_eq!(book.entries.len(), 1);
    // A directory contributes its *.advice files; one without any is an error.
    let book = Book::load(&[dir.path().to_path_buf()], grammar()).unwrap_err();
    assert!(book.to_string().contains("already described"), "{book}");
    let empty = tempfile::tempdir().unwrap();
    let e = Book::load(&[empty.path().to_path_buf()], grammar()).unwrap_err();
    assert!(e.to_string().contains("no *.advice files"), "{e}");
}

/// A small deterministic generator (xorshift) for the random signatures and streams below.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// A random signature over five kinds: one to four `event` / `no event` conditions with
/// variables, literals and time bounds, sometimes behind a verdict condition.
fn random_when(r: &mut Rng) -> String {
    let mut out = String::new();
    if r.below(3) == 0 {
        out.push_str("  when verdict single-leader FAIL\n");
    }
    for _ in 0..1 + r.below(4) {
        let neg = if r.below(4) == 0 { "no " } else { "" };
        let (kind, extra): (&str, &[&str]) = match r.below(5) {
            0 => (
                "ha_connection",
                &["state=SUSPENDED|LOST", "state=RECONNECTED"],
            ),
            1 => ("leadership_revoked", &["component=rest"]),
            2 => ("job_submitted", &["job=$job"]),
            3 => ("job_terminal", &["job=$job", "state=CANCELED"]),
            _ => ("checkpoint_failed", &["job=$job"]),
        };
        out.push_str(&format!("  when {neg}event {kind}"));
        if r.below(2) == 0 {
            out.push(' ');
            out.push_str(r.pick(extra));
        }
        match r.below(3) {
            0 => out.push_str(" source=$s"),
            1 => out.push_str(" source!=$s"),
            _ => {}
        }
        match r.below(4) {
            0 => out.push_str(&format!(" within {}s", 1 + r.below(30))),
            1 => out.push_str(&format!(" after {}s", 1 + r.below(10))),
            _ => {}
        }
        out.push('\n');
    }
    out
}

/// A random stream of the five kinds on three sources, two jobs, gaps from 0 to 70 s.
fn random_stream(r: &mut Rng, len: usize) -> Vec<Event> {
    let mut t = 0.0;
    (0..len as u64)
        .map(|line| {
            t += [0.0, 0.5, 3.0, 20.0, 70.0][r.below(5)];
            let source = r.pick(&["jm-0", "jm-1", "jm-2"]);
            let job = r.pick(&["j1", "j2"]);
            let (kind, kv): (Kind, Vec<(&str, &str)>) = match r.below(5) {
                0 => (
                    Kind::HaConnection,
                    vec![("state", r.pick(&["SUSPENDED", "LOST", "RECONNECTED"]))],
                ),
                1 => (
                    Kind::LeadershipRevoked,
                    vec![("component", r.pick(&["rest", "dispatcher"]))],
                ),
                2 => (Kind::JobSubmitted, vec![("job", job)]),
                3 => (
                    Kind::JobTerminal,
                    vec![("job", job), ("state", r.pick(&["CANCELED", "FAILED"]))],
                ),
                _ => (Kind::CheckpointFailed, vec![("job", job)]),
            };
            ev(source, line + 1, t, kind, &kv)
        })
        .collect()
}

#[test]
fn the_events_the_advisor_keeps_give_the_matches_all_events_give() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut signatures, mut matched, mut dropped) = (0, 0, 0);
    for _ in 0..3000 {
        let Ok(book) = load(&entry(&random_when(&mut r))) else {
            continue;
        };
        signatures += 1;
        let book = Arc::new(book);
        let len = 10 + r.below(60);
        let events = random_stream(&mut r, len);
        let mut advisor = Advisor::new(book.clone());
        for e in &events {
            advisor.observe(e);
        }
        let kept = advisor.kept();
        dropped += events.len() - kept.len();
        let mut a = empty_analysis();
        for job in ["j1", "j2"] {
            if r.below(2) == 0 {
                a.invariants.push(crate::check::model::Verdict {
                    id: "single-leader".into(),
                    verdict: Outcome::Fail,
                    job: Some(job.into()),
                    because: String::new(),
                    evidence: vec![],
                    advice: vec![],
                });
            }
        }
        let mut facts = Facts::default();
        for e in &events {
            facts.observe(e);
        }
        let entry = &book.entries[0];
        let all: Vec<_> = match_entry(entry, &events, &a, facts)
            .iter()
            .map(|m| m.identity(&events))
            .collect();
        let some: Vec<_> = match_entry(entry, kept, &a, facts)
            .iter()
            .map(|m| m.identity(kept))
            .collect();
        assert_eq!(
            all, some,
            "signature:\n{:?}\nevents: {events:#?}",
            entry.when
        );
        matched += usize::from(!all.is_empty());
    }
    // The generator must reach both sides: signatures that match, and events left out.
    assert!(signatures > 1000, "{signatures} signatures loaded");
    assert!(matched > 300, "{matched} matched");
    assert!(dropped > 10_000, "{dropped} events dropped");
}

#[test]
fn failed_checkpoints_by_the_thousand_keep_the_advisor_small() {
    let book = Arc::new(Book::builtin(grammar()).unwrap_or_else(|e| panic!("{e}")));
    let mut advisor = Advisor::new(book);
    for i in 0..20_000u64 {
        let id = i.to_string();
        advisor.observe(&ev(
            "jm-0",
            i + 1,
            i as f64 * 2.0,
            Kind::CheckpointFailed,
            &[("job", "j1"), ("checkpoint", &id)],
        ));
    }
    assert!(advisor.kept().len() <= 2, "{} kept", advisor.kept().len());
}
