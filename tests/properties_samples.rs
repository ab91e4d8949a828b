//! The properties on every real sample set (`samples/corpus*`, `samples/seed`):
//!
//! 1. prefix-closed safety: cutting all sources at one instant (every grant and the
//!    instants after it, every HA event of a sample's failovers, random instants; keeping the
//!    records up to it, or the lines before the first record after it) never FAILs beyond
//!    what the whole logs FAIL (correct runs: never);
//! 2. benign transformations (file order and names, rotation split, gzip, CRLF, collapsed
//!    whitespace, ANSI colours, noise and stack traces, time shifts across a year end and
//!    both DST changes with `--tz`, one interleaved kubectl stream) keep the verdicts;
//! 3. each violation injected into a correct run's events, at every applicable place, FAILs
//!    its invariant and no other.
//!
//! Through the library: the pipeline on the files (in memory), the checker on its events.
//! Prefixes and injections work on the event stream, as the pipeline delivers it for the cut
//! or changed logs (checked against the pipeline itself on a few cuts per sample).

mod history;

use flinkha::check::model::Outcome;
use flinkha::envelope::{self, Zone};
use flinkha::events::{Event, Kind};
use flinkha::input::{self};
use history::{verdicts, Verdicts};
use std::collections::BTreeSet;
use std::path::Path;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Every sample set: a directory with JobManager logs.
fn sample_sets() -> Vec<String> {
    let mut out = Vec::new();
    for top in [
        "samples/corpus",
        "samples/corpus-k8s",
        "samples/corpus-k8s-app",
        "samples/corpus-app",
        "samples/e2e",
    ] {
        let Ok(versions) = std::fs::read_dir(Path::new(DIR).join(top)) else {
            continue;
        };
        for v in versions.flatten().filter(|v| v.path().is_dir()) {
            for s in std::fs::read_dir(v.path()).unwrap().flatten() {
                if s.path().is_dir() {
                    out.push(format!(
                        "{top}/{}/{}",
                        v.file_name().to_string_lossy(),
                        s.file_name().to_string_lossy()
                    ));
                }
            }
        }
    }
    out.push("samples/seed".to_string());
    out.sort();
    out
}

/// A log file: name and bytes.
type Log = (String, Vec<u8>);

/// The logs of a set: its log files, and those of its subdirectories (one JobManager's log
/// folder each, as in `samples/e2e`), named by their path in the set.
fn read_set(set: &str) -> Vec<Log> {
    let mut names: Vec<String> = Vec::new();
    for e in std::fs::read_dir(Path::new(DIR).join(set))
        .unwrap()
        .flatten()
    {
        let n = e.file_name().to_string_lossy().to_string();
        if e.path().is_dir() {
            for f in std::fs::read_dir(e.path()).unwrap().flatten() {
                let f = f.file_name().to_string_lossy().to_string();
                if input::is_log_file_name(&f) {
                    names.push(format!("{n}/{f}"));
                }
            }
        } else if input::is_log_file_name(&n) {
            names.push(n);
        }
    }
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let b = std::fs::read(Path::new(DIR).join(set).join(&n)).unwrap();
            (n, b)
        })
        .collect()
}

fn events(logs: &[Log], zone: Zone) -> Vec<Event> {
    history::events_of(
        logs.iter().map(|(n, b)| (n.as_str(), b.clone())),
        zone,
        false,
    )
}

fn fails(v: &Verdicts) -> BTreeSet<(String, Option<String>)> {
    v.iter()
        .filter(|x| x.2 == Outcome::Fail)
        .map(|x| (x.0.clone(), x.1.clone()))
        .collect()
}

/// Per file, the records' (line, instant), as the pipeline reads them.
fn records(logs: &[Log]) -> Vec<Vec<(u64, i64)>> {
    logs.iter()
        .map(|(_, b)| {
            String::from_utf8_lossy(b)
                .split('\n')
                .enumerate()
                .filter_map(|(i, l)| {
                    let d = input::strip_kubectl(l);
                    envelope::parse_line(d.rest, &Zone::Utc)
                        .map(|e| (i as u64 + 1, d.ts.unwrap_or(e.ts).timestamp_millis()))
                })
                .collect()
        })
        .collect()
}

/// The events the pipeline delivers for the logs cut at `t` (ms): per file the records
/// dated up to `t`, or (`by_line`) the lines before the first record dated after it; each
/// file's `log_end` after its kept records, at their latest instant.
fn cut_events(
    logs: &[Log],
    recs: &[Vec<(u64, i64)>],
    all: &[Event],
    t: i64,
    by_line: bool,
) -> Vec<Event> {
    let mut kept_lines: Vec<BTreeSet<u64>> = Vec::new();
    let mut ends: Vec<Option<(u64, i64)>> = Vec::new();
    for r in recs {
        let mut kept = BTreeSet::new();
        let mut end: Option<(u64, i64)> = None;
        for &(line, ms) in r {
            if ms > t {
                if by_line {
                    break;
                }
                continue;
            }
            kept.insert(line);
            end = Some((line, end.map_or(ms, |(_, m)| m.max(ms))));
        }
        kept_lines.push(kept);
        ends.push(end);
    }
    let idx = |src: &str| logs.iter().position(|(n, _)| n == src).unwrap_or(0);
    let mut out: Vec<(i64, usize, u64, u8, Event)> = Vec::new();
    for e in all {
        let i = idx(&e.source);
        if e.kind == Kind::LogEnd {
            if let Some((line, ms)) = ends[i] {
                let mut end = e.clone();
                end.line = line;
                end.ts = chrono::DateTime::from_timestamp_millis(ms).unwrap();
                end.text = "".into();
                out.push((ms, i, line, 1, end));
            }
        } else if kept_lines[i].contains(&e.line) {
            out.push((e.ts.timestamp_millis(), i, e.line, 0, e.clone()));
        }
    }
    out.sort_by_key(|a| (a.0, a.1, a.2, a.3));
    out.into_iter().map(|x| x.4).collect()
}

/// The logs cut at `t` as text (for checking `cut_events` against the pipeline).
fn cut_text(logs: &[Log], recs: &[Vec<(u64, i64)>], t: i64) -> Vec<Log> {
    logs.iter()
        .zip(recs)
        .map(|((n, b), r)| {
            let first_after = r.iter().find(|(_, ms)| *ms > t).map(|(l, _)| *l);
            let text = String::from_utf8_lossy(b);
            let keep: Vec<&str> = text
                .split('\n')
                .take(first_after.map_or(usize::MAX, |l| l as usize - 1))
                .collect();
            (n.clone(), keep.join("\n").into_bytes())
        })
        .collect()
}

fn seed_rng(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[test]
fn every_prefix_of_every_sample_fails_no_more_than_the_whole() {
    let mut checked = 0;
    for set in sample_sets() {
        let logs = read_set(&set);
        let all = events(&logs, Zone::Utc);
        let whole = fails(&verdicts(&all));
        let recs = records(&logs);
        // Every grant and the instants right after it; every event of a job's recovery or a
        // term's end; a spread of other events; random instants.
        let mut instants: BTreeSet<i64> = BTreeSet::new();
        let mut h = seed_rng(&set);
        for (k, e) in all.iter().enumerate() {
            let t = e.ts.timestamp_millis();
            let ha = matches!(
                e.kind,
                Kind::LeadershipGranted
                    | Kind::LeadershipRevoked
                    | Kind::ProcessStopping
                    | Kind::ProcessStarted
                    | Kind::JobGraphsRetrieved
                    | Kind::JobGraphsRecoveredCount
                    | Kind::CheckpointRestored
                    | Kind::NoCheckpointToRestore
                    | Kind::JobTerminal
                    | Kind::HaCleanupStarted
                    | Kind::JobGraphRemoved
                    | Kind::LogEnd
            );
            if ha || k % 7 == 0 {
                instants.extend([t - 1, t, t + 1, t + 2]);
            }
        }
        let (lo, hi) = (
            all.first().map_or(0, |e| e.ts.timestamp_millis()),
            all.iter()
                .map(|e| e.ts.timestamp_millis())
                .max()
                .unwrap_or(0),
        );
        for _ in 0..20 {
            h = h
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            instants.insert(lo + (h >> 11) as i64 % (hi - lo + 1).max(1));
        }
        for &t in &instants {
            for by_line in [false, true] {
                let evs = cut_events(&logs, &recs, &all, t, by_line);
                let f = fails(&verdicts(&evs));
                let extra: Vec<_> = f.difference(&whole).collect();
                assert!(
                    extra.is_empty(),
                    "{set} cut at {} (by line: {by_line}) FAILs {extra:?}, which the whole logs do not",
                    chrono::DateTime::from_timestamp_millis(t).unwrap()
                );
                checked += 1;
            }
        }
        // The emulated cut is what the pipeline delivers for the cut text.
        for &t in instants.iter().step_by((instants.len() / 2).max(1)).take(2) {
            let piped = events(&cut_text(&logs, &recs, t), Zone::Utc);
            let emulated = cut_events(&logs, &recs, &all, t, true);
            let key = |v: &[Event]| -> Vec<(String, u64, Kind, i64)> {
                v.iter()
                    .map(|e| {
                        (
                            e.source.to_string(),
                            e.line,
                            e.kind,
                            e.ts.timestamp_millis(),
                        )
                    })
                    .collect()
            };
            assert_eq!(key(&piped), key(&emulated), "{set} cut at {t}");
        }
    }
    assert!(checked > 1000, "only {checked} prefixes checked");
}

/// Rewrite every `yyyy-MM-dd HH:mm:ss,SSS` record timestamp (at a line's start) with `f`.
fn map_ts(logs: &[Log], f: &dyn Fn(chrono::NaiveDateTime) -> String) -> Vec<Log> {
    logs.iter()
        .map(|(n, b)| {
            let text = String::from_utf8_lossy(b);
            let mut out = String::with_capacity(text.len());
            for l in text.split_inclusive('\n') {
                let head = l.get(..23).and_then(|h| {
                    chrono::NaiveDateTime::parse_from_str(h, "%Y-%m-%d %H:%M:%S,%3f").ok()
                });
                match head {
                    Some(t) => {
                        out.push_str(&f(t));
                        out.push_str(&l[23..]);
                    }
                    None => out.push_str(l),
                }
            }
            (n.clone(), out.into_bytes())
        })
        .collect()
}

fn map_lines(logs: &[Log], f: &dyn Fn(&str, usize) -> String) -> Vec<Log> {
    logs.iter()
        .map(|(n, b)| {
            let text = String::from_utf8_lossy(b);
            let out: Vec<String> = text.split('\n').enumerate().map(|(i, l)| f(l, i)).collect();
            (n.clone(), out.join("\n").into_bytes())
        })
        .collect()
}

fn is_record(l: &str) -> bool {
    envelope::parse_line(l, &Zone::Utc).is_some()
}

/// A constant shift that puts `target` (unix ms) one second after the last log's first
/// record (every log has begun: one that lies wholly in a repeated DST hour is placed by
/// nothing in it), rendered in `zone`'s local time.
fn shifted(logs: &[Log], target: i64, zone: Option<chrono_tz::Tz>) -> Vec<Log> {
    let last_start = records(logs)
        .iter()
        .filter_map(|r| r.first().map(|x| x.1))
        .max()
        .unwrap_or(0);
    let delta = target - (last_start + 1000);
    map_ts(logs, &move |t| {
        let u = t.and_utc() + chrono::Duration::milliseconds(delta);
        match zone {
            Some(z) => u
                .with_timezone(&z)
                .format("%Y-%m-%d %H:%M:%S,%3f")
                .to_string(),
            None => u.format("%Y-%m-%d %H:%M:%S,%3f").to_string(),
        }
    })
}

/// One `kubectl logs --prefix --timestamps` stream of every file, interleaved by time.
fn kubectl(logs: &[Log]) -> Vec<Log> {
    let mut recs: Vec<(i64, usize, usize, Vec<String>)> = Vec::new();
    for (pod, (_, b)) in logs.iter().enumerate() {
        let text = String::from_utf8_lossy(b);
        let mut last = 0i64;
        for l in text.lines() {
            match envelope::parse_line(l, &Zone::Utc) {
                Some(e) => {
                    last = e.ts.timestamp_millis();
                    recs.push((last, pod, recs.len(), vec![l.to_string()]));
                }
                None => match recs.iter_mut().rev().find(|r| r.1 == pod) {
                    Some(r) => r.3.push(l.to_string()),
                    None => recs.push((last, pod, recs.len(), vec![l.to_string()])),
                },
            }
        }
    }
    recs.sort_by_key(|r| (r.0, r.1, r.2));
    let mut out = String::new();
    for (t, pod, _, lines) in recs {
        let ts = chrono::DateTime::from_timestamp_millis(t)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S%.9fZ");
        for l in lines {
            out.push_str(&format!(
                "[pod/flink-jm-{pod}/flink-main-container] {ts} {l}\n"
            ));
        }
    }
    vec![("kubectl.log".to_string(), out.into_bytes())]
}

/// Every log split into a rotated pair at the first record from `quarters` quarters of its
/// lines on: the first part as `x.log.1`, the rest as `x.log`.
fn rotated(logs: &[Log], quarters: usize) -> Vec<Log> {
    let mut out = Vec::new();
    for (n, b) in logs {
        let text = String::from_utf8_lossy(b).to_string();
        let lines: Vec<&str> = text.split('\n').collect();
        let mut at = lines.len() * quarters / 4;
        while at < lines.len() && !is_record(lines[at]) {
            at += 1;
        }
        out.push((format!("{n}.1"), lines[..at].join("\n").into_bytes()));
        out.push((n.clone(), lines[at..].join("\n").into_bytes()));
    }
    out
}

fn gzip(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// Benign transformations of a set's logs, with the zone to read them in.
fn transformations(logs: &[Log]) -> Vec<(&'static str, Vec<Log>, Zone)> {
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    let utc = Zone::Utc;
    let mut t: Vec<(&'static str, Vec<Log>, Zone)> = Vec::new();
    t.push((
        "reversed file order",
        logs.iter().rev().cloned().collect(),
        utc,
    ));
    t.push((
        "renamed files",
        logs.iter()
            .enumerate()
            .map(|(i, (_, b))| (format!("logs/jobmanager-{}.txt", logs.len() - i), b.clone()))
            .collect(),
        utc,
    ));
    // log4j's size rotation while the process ran: `x.log.1` then `x.log`, in the same
    // directory, each file split at a quarter, half or three quarters of its lines.
    for (what, quarters) in [
        ("rotation split at a quarter", 1),
        ("rotation split in the middle", 2),
        ("rotation split at three quarters", 3),
    ] {
        t.push((what, rotated(logs, quarters), utc));
    }
    t.push((
        "gzip",
        logs.iter()
            .map(|(n, b)| (format!("{n}.gz"), gzip(b)))
            .collect(),
        utc,
    ));
    t.push(("CRLF", map_lines(logs, &|l, _| format!("{l}\r")), utc));
    t.push((
        "collapsed whitespace",
        map_lines(logs, &|l, _| match (is_record(l), l.find(" - ")) {
            (true, Some(p)) => {
                let head: Vec<&str> = l[..p].split_whitespace().collect();
                // Date and time keep their one space.
                format!("{}{}", head.join(" "), &l[p..])
            }
            _ => l.to_string(),
        }),
        utc,
    ));
    t.push((
        "ANSI colours",
        map_lines(logs, &|l, _| {
            if !is_record(l) {
                return l.to_string();
            }
            let mut out = l.to_string();
            for lvl in ["INFO ", "WARN ", "ERROR", "DEBUG"] {
                if let Some(p) = out.get(24..).and_then(|r| r.find(lvl)).map(|p| p + 24) {
                    out = format!("{}\x1b[32m{lvl}\x1b[m{}", &out[..p], &out[p + lvl.len()..]);
                    break;
                }
            }
            format!("\x1b[2m{}\x1b[0m", out)
        }),
        utc,
    ));
    t.push((
        "noise and stack traces",
        map_lines(logs, &|l, i| {
            if i % 9 == 0 && is_record(l) {
                format!(
                    "{l}\njava.lang.IllegalStateException: unrelated\n\tat org.example.Foo.bar(Foo.java:42)\n\t... 12 more\n{} INFO  org.example.Unrelated [] - the weather is fine",
                    &l[..23]
                )
            } else {
                l.to_string()
            }
        }),
        utc,
    ));
    // 2026-12-31 23:59:59 UTC: across a year end.
    t.push((
        "across a year end",
        shifted(logs, 1_798_761_599_000, None),
        utc,
    ));
    // 2026-10-25 01:00 UTC: Berlin's clocks go back from 03:00 to 02:00.
    t.push((
        "across the DST fall-back, local time",
        shifted(logs, 1_792_890_000_000, Some(berlin)),
        Zone::Named(berlin),
    ));
    // 2026-03-29 01:00 UTC: Berlin's clocks jump from 02:00 to 03:00.
    t.push((
        "across the DST spring-forward, local time",
        shifted(logs, 1_774_746_000_000, Some(berlin)),
        Zone::Named(berlin),
    ));
    t.push(("one kubectl stream", kubectl(logs), utc));
    t
}

#[test]
fn benign_transformations_of_every_sample_keep_the_verdicts() {
    for set in sample_sets() {
        let logs = read_set(&set);
        let want = verdicts(&events(&logs, Zone::Utc));
        for (what, changed, zone) in transformations(&logs) {
            let got = verdicts(&events(&changed, zone));
            assert_eq!(got, want, "{set}: {what} changed the verdicts");
        }
    }
}

/// Order changed events as the pipeline would deliver them: by time (stable), each
/// source's `log_end` after its latest event.
fn reorder(mut evs: Vec<Event>) -> Vec<Event> {
    let mut latest: std::collections::HashMap<String, chrono::DateTime<chrono::Utc>> =
        Default::default();
    for e in &evs {
        let t = latest.entry(e.source.to_string()).or_insert(e.ts);
        *t = (*t).max(e.ts);
    }
    for e in &mut evs {
        if e.kind == Kind::LogEnd {
            e.ts = latest[&*e.source];
        }
    }
    let mut keyed: Vec<(usize, Event)> = evs.into_iter().enumerate().collect();
    keyed.sort_by_key(|(i, e)| (e.ts, u8::from(e.kind == Kind::LogEnd), *i));
    keyed.into_iter().map(|(_, e)| e).collect()
}

fn ms(e: &Event, d: i64) -> chrono::DateTime<chrono::Utc> {
    e.ts + chrono::Duration::milliseconds(d)
}

/// Every applicable place of one injected violation in a correct run's events: the changed
/// events, and the invariant that must FAIL alone.
fn injections(all: &[Event]) -> Vec<(String, &'static str, Vec<Event>)> {
    let mut out = Vec::new();
    let job = |e: &Event| e.fields.job.clone().unwrap_or_default();
    let completed_before = |i: usize, j: &str, below: u64| {
        all[..i]
            .iter()
            .filter(|p| {
                p.kind == Kind::CheckpointCompleted
                    && p.job() == Some(j)
                    && p.fields.savepoint != Some(true)
            })
            .filter_map(|p| p.fields.checkpoint)
            .filter(|c| *c < below)
            .max()
    };
    let sources_after = |t: chrono::DateTime<chrono::Utc>, src: &str| {
        all.iter()
            .any(|x| *x.source == *src && x.ts > t && x.kind != Kind::LogEnd)
    };
    for (i, e) in all.iter().enumerate() {
        let j = job(e);
        match e.kind {
            // A restore of an older checkpoint than the latest completed.
            Kind::CheckpointRestored if e.fields.savepoint != Some(true) => {
                if let Some(older) = e.fields.checkpoint.and_then(|c| completed_before(i, &j, c)) {
                    let mut v = all.to_vec();
                    v[i].fields.checkpoint = Some(older);
                    out.push((
                        format!("restore of {older} at line {}", e.line),
                        "recover-latest",
                        v,
                    ));
                }
            }
            // A completion with an id not greater than an earlier one, before the next
            // completion of that job (so no restore depends on it).
            Kind::CheckpointCompleted if e.fields.savepoint != Some(true) => {
                let next_done = all[i + 1..].iter().find(|x| {
                    x.job() == Some(j.as_str())
                        && matches!(x.kind, Kind::CheckpointCompleted | Kind::CheckpointRestored)
                });
                let followed = next_done.is_some_and(|x| x.kind == Kind::CheckpointCompleted);
                if let (Some(older), true) = (
                    e.fields.checkpoint.and_then(|c| completed_before(i, &j, c)),
                    followed,
                ) {
                    if out
                        .iter()
                        .filter(|o: &&(String, &str, Vec<Event>)| o.1 == "checkpoint-monotonic")
                        .count()
                        < 6
                    {
                        let mut v = all.to_vec();
                        v[i].fields.checkpoint = Some(older);
                        out.push((
                            format!("completion as {older} at line {}", e.line),
                            "checkpoint-monotonic",
                            v,
                        ));
                    }
                }
            }
            // A new leader's HA cleanup: recovered again after it; or never done.
            Kind::HaCleanupStarted | Kind::JobGraphRemoved => {
                let first = !all[..i].iter().any(|x| {
                    x.job() == Some(j.as_str())
                        && matches!(
                            x.kind,
                            Kind::HaCleanupStarted
                                | Kind::JobGraphRemoved
                                | Kind::HaCleanupFinished
                        )
                });
                if !first {
                    continue;
                }
                if sources_after(ms(e, 1500), &e.source) {
                    let mut v = all.to_vec();
                    let mut r = e.clone();
                    r.kind = Kind::JobGraphRecovered;
                    r.ts = ms(e, 1000);
                    r.text = format!("Recovered JobGraph(jobId: {j}).").into();
                    v.push(r);
                    out.push((
                        format!("recovery after the cleanup at line {}", e.line),
                        "no-resurrection",
                        v,
                    ));
                }
                let global = all.iter().any(|x| x.kind == Kind::HaCleanupAll);
                let end = all.iter().map(|x| x.ts).max().unwrap_or(e.ts);
                if !global && end > ms(e, 4000) {
                    let mut v = all.to_vec();
                    v.retain(|x| {
                        !(x.job() == Some(j.as_str())
                            && matches!(
                                x.kind,
                                Kind::HaCleanupStarted
                                    | Kind::HaCleanupFinished
                                    | Kind::JobGraphRemoved
                            ))
                    });
                    out.push((format!("no cleanup of {}", &j[..8]), "ha-cleanup", v));
                }
            }
            // A running job's HA data cleaned up.
            Kind::CheckpointCompleted => {}
            _ => {}
        }
        if e.kind == Kind::CheckpointCompleted
            && !all[..i]
                .iter()
                .any(|x| x.kind == Kind::CheckpointCompleted && x.job() == Some(j.as_str()))
        {
            let mut v = all.to_vec();
            let mut c = e.clone();
            c.kind = Kind::HaCleanupStarted;
            c.fields = Box::new(flinkha::events::Fields {
                job: Some(j.clone()),
                ..Default::default()
            });
            c.ts = ms(e, 1);
            c.text = format!("Clean up the high availability data for job {j}.").into();
            v.push(c);
            out.push((format!("cleanup of running {}", &j[..8]), "ha-cleanup", v));
        }
    }
    // Leader failovers: (old leader's source, new grant).
    let mut leader: Option<&Event> = None;
    for (i, e) in all.iter().enumerate() {
        if e.kind != Kind::LeadershipGranted || e.fields.component.as_deref() != Some("dispatcher")
        {
            continue;
        }
        let prev = leader.replace(e);
        let Some(prev) =
            prev.filter(|p| p.source != e.source && p.fields.session != e.fields.session)
        else {
            continue;
        };
        // A reused session.
        if let (Some(first), Some(s)) = (
            all.iter()
                .find(|x| x.kind == Kind::LeadershipGranted)
                .and_then(|x| x.fields.session.clone()),
            e.fields.session.clone(),
        ) {
            if first != s {
                let mut v = all.to_vec();
                for x in &mut v {
                    if x.fields.session.as_deref() == Some(&s) {
                        x.fields.session = Some(first.clone());
                    }
                }
                out.push((
                    format!("session reused at line {}", e.line),
                    "leader-session-fresh",
                    v,
                ));
            }
        }
        // The old leader switching a job the new one runs, 2.5 s after the grant.
        let at = ms(e, 2500);
        let next_grant = all[i + 1..]
            .iter()
            .find(|x| {
                x.kind == Kind::LeadershipGranted
                    && x.fields.component.as_deref() == Some("dispatcher")
            })
            .map(|x| x.ts);
        let runs = all[i..].iter().find(|x| {
            x.source == e.source
                && x.kind == Kind::JobState
                && x.fields.to.as_deref() == Some("RUNNING")
                && x.ts < at
        });
        if let (Some(r), true) = (
            runs,
            sources_after(ms(e, 3500), &e.source) && next_grant.map_or(true, |n| n > ms(e, 4000)),
        ) {
            let mut v = all.to_vec();
            let mut x = r.clone();
            x.source = prev.source.clone();
            x.ts = at;
            x.line = 1_000_000;
            x.fields.from = Some("RUNNING".into());
            x.fields.to = Some("RESTARTING".into());
            v.push(x);
            out.push((
                format!(
                    "old leader restarting a job after the grant at line {}",
                    e.line
                ),
                "single-leader",
                v,
            ));
        }
        // A job the new leader does not recover.
        if let Some(k) = all[i..].iter().position(|x| {
            x.source == e.source
                && x.kind == Kind::JobGraphsRetrieved
                && x.fields.jobs.as_ref().is_some_and(|l| !l.is_empty())
        }) {
            let k = i + k;
            let j = all[k].fields.jobs.as_ref().unwrap()[0].clone();
            // A cluster-wide cleanup later would clean the lost job's data too: a second
            // violation.
            if all[k..].iter().any(|x| x.kind == Kind::HaCleanupAll) {
                continue;
            }
            let mut v: Vec<Event> = Vec::new();
            let mut after_job = false;
            for (n, x) in all.iter().enumerate() {
                if n == k {
                    let mut y = x.clone();
                    if let Some(l) = &mut y.fields.jobs {
                        l.retain(|z| *z != j);
                    }
                    v.push(y);
                    continue;
                }
                if n > k && x.source == e.source {
                    let about = x.job() == Some(j.as_str());
                    if x.kind != Kind::NoCheckpointToRestore {
                        after_job = about;
                    } else if after_job {
                        continue;
                    }
                    if about {
                        continue;
                    }
                }
                v.push(x.clone());
            }
            out.push((
                format!("{} not recovered after line {}", &j[..8], all[k].line),
                "jobs-recovered",
                v,
            ));
        }
    }
    out
}

#[test]
fn each_violation_injected_into_every_correct_sample_is_found_alone() {
    let mut found = std::collections::BTreeMap::<&str, usize>::new();
    for set in sample_sets() {
        let logs = read_set(&set);
        let all = events(&logs, Zone::Utc);
        if !fails(&verdicts(&all)).is_empty() {
            continue; // not a correct run: the negative sets
        }
        for (place, want, changed) in injections(&all) {
            let got: BTreeSet<String> = fails(&verdicts(&reorder(changed)))
                .into_iter()
                .map(|f| f.0)
                .collect();
            assert_eq!(
                got,
                BTreeSet::from([want.to_string()]),
                "{set}: {place}: expected exactly {want} to FAIL"
            );
            *found.entry(want).or_default() += 1;
        }
    }
    for id in [
        "recover-latest",
        "checkpoint-monotonic",
        "leader-session-fresh",
        "single-leader",
        "jobs-recovered",
        "no-resurrection",
        "ha-cleanup",
    ] {
        assert!(found.get(id).copied().unwrap_or(0) >= 3, "{id}: {found:?}");
    }
}
