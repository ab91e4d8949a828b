//! The checker on arbitrary event sequences: no panic, and time and memory linear in the
//! number of events.
//!
//! The bytes decode into events (kinds, sources, times that may go back, fields from small
//! pools so that jobs, sessions and checkpoint ids collide). A long enough sequence is fed
//! four times over, each copy later in time, to one checker: with work per event bounded,
//! the last copies take no longer than the first ones (the state they meet grows with terms,
//! incarnations and failovers, which each event may only look at a bounded part of); and the
//! live heap stays within a constant per event.
#![no_main]

use chrono::{DateTime, Duration, Utc};
use flinkha::check::{Checker, Config};
use flinkha::events::{Event, Fields, Kind};
use libfuzzer_sys::fuzz_target;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const SOURCES: &[&str] = &["jm-0.log", "jm-1.log", "jm-2.log", "jm-0.log.1", "-"];
const JOBS: &[&str] = &[
    "6cecd03fbdf46ddd31c32d9bdc34c1b5",
    "17dbae1cf71efbf7ed4346261571f647",
    "93fee7c17a9f0437b14bfb5b20608d44",
];
const SESSIONS: &[&str] = &[
    "e121f084-4a4d-4a43-bf6c-09a46f25e587",
    "79f1aa78-d705-4f10-b2d4-cabd6801d714",
    "2a241e3b-f6dd-47d9-aeb0-5e3445fa5aff",
    "00000000-0000-0000-0000-000000000000",
    "(not logged)",
];
const COMPONENTS: &[&str] = &["rest", "dispatcher", "resourcemanager", "jobmaster", "x"];
const STATES: &[&str] = &[
    "CREATED",
    "RUNNING",
    "RESTARTING",
    "FAILING",
    "SUSPENDED",
    "CANCELLING",
    "CANCELED",
    "FINISHED",
    "FAILED",
];

fn pick<'a>(pool: &[&'a str], b: u8) -> &'a str {
    pool[usize::from(b) % pool.len()]
}

/// Six bytes per event.
fn decode(data: &[u8]) -> (Config, Vec<Event>) {
    let (head, body) = data.split_at(data.len().min(2));
    let h = |i: usize| head.get(i).copied().unwrap_or(0);
    let cfg = Config {
        clock_skew: Duration::milliseconds(i64::from(h(0) % 8) * 500),
        max_rto: (h(1) & 1 == 1).then(|| Duration::seconds(i64::from(h(1) >> 1))),
        expect_failovers: (h(1) & 2 == 2).then_some(usize::from(h(1) >> 4)),
        ..Config::default()
    };
    let base = DateTime::<Utc>::from_timestamp(1_795_600_000, 0).unwrap_or_default();
    let mut ts = base;
    let mut out = Vec::new();
    for (n, c) in body.chunks_exact(6).enumerate() {
        let kind = Kind::ALL[usize::from(c[0]) % Kind::ALL.len()];
        ts += Duration::milliseconds((i64::from(c[2]) - 48) * 41);
        let mut f = Fields::default();
        let job = pick(JOBS, c[4]).to_string();
        match kind {
            Kind::LeadershipGranted | Kind::LeadershipRevoked | Kind::LeaderConflict => {
                f.component = Some(pick(COMPONENTS, c[3]).to_string());
                if c[3] & 0x80 == 0 {
                    f.session = Some(pick(SESSIONS, c[3] >> 3).to_string());
                }
                if c[5] & 1 == 1 {
                    f.job = Some(job);
                }
            }
            Kind::JobState => {
                f.job = Some(job);
                f.from = Some(pick(STATES, c[5]).to_string());
                f.to = Some(pick(STATES, c[5] >> 4).to_string());
            }
            Kind::JobTerminal => {
                f.job = Some(job);
                f.state = Some(pick(STATES, c[5]).to_string());
            }
            Kind::JobGraphsRetrieved => {
                f.jobs = Some(
                    JOBS.iter()
                        .enumerate()
                        .filter(|(i, _)| c[5] >> i & 1 == 1)
                        .map(|(_, j)| j.to_string())
                        .collect(),
                );
            }
            Kind::CheckpointTriggered
            | Kind::CheckpointCompleted
            | Kind::CheckpointRestored
            | Kind::CheckpointFailed
            | Kind::CheckpointRetrieving => {
                if c[3] & 1 == 0 {
                    f.job = Some(job);
                }
                f.checkpoint = Some(u64::from(c[5] % 32) + u64::from(c[3] >> 7) * u64::MAX / 2);
                f.savepoint = Some(c[3] & 2 == 2);
                f.bytes = Some(u64::from(c[3]));
                f.duration_ms = Some(u64::from(c[5]));
            }
            Kind::ProcessStopping => f.reason = Some(pick(&["SIGTERM", "fatal error", "x"], c[5]).to_string()),
            Kind::ProcessStarted => f.version = Some("1.20.5".to_string()),
            Kind::TaskmanagerLost | Kind::TaskmanagerRegistered => f.resource = Some(format!("tm-{}", c[5] % 3)),
            Kind::HaConnection => f.state = Some(pick(&["SUSPENDED", "LOST", "RECONNECTED"], c[5]).to_string()),
            Kind::JobGraphsRecoveredCount | Kind::CheckpointsFound => f.count = Some(u64::from(c[5] % 4)),
            _ => {
                if c[3] & 1 == 0 {
                    f.job = Some(job);
                }
            }
        }
        out.push(Event {
            ts,
            source: Arc::from(pick(SOURCES, c[1])),
            line: n as u64 + 1,
            kind,
            fields: Box::new(f),
            text: format!("{kind} {n}").into(),
        });
    }
    (cfg, out)
}

/// Feed `copies` copies of `events` (each later in time) to one checker; the time each copy
/// took, and the live heap's growth.
fn run(cfg: &Config, events: &[Event], copies: i32) -> (Vec<std::time::Duration>, usize) {
    let (Some(first), Some(last)) = (
        events.iter().map(|e| e.ts).min(),
        events.iter().map(|e| e.ts).max(),
    ) else {
        return (Vec::new(), 0);
    };
    let shift = (last - first) + Duration::minutes(1);
    let base_heap = LIVE.load(Ordering::Relaxed);
    PEAK.store(base_heap, Ordering::Relaxed);
    let mut checker = Checker::new(cfg.clone());
    let mut took = Vec::new();
    for k in 0..copies {
        let start = Instant::now();
        for e in events {
            let mut e = e.clone();
            e.ts += shift * k;
            e.line += events.len() as u64 * k as u64;
            let _ = checker.observe(&e);
        }
        took.push(start.elapsed());
    }
    let analysis = checker.finish();
    assert!(analysis.invariants.iter().all(|v| !v.id.is_empty()));
    drop(analysis);
    (took, PEAK.load(Ordering::Relaxed).saturating_sub(base_heap))
}

/// Whether the last copies took much longer than the first ones.
fn grows(took: &[std::time::Duration]) -> bool {
    match took {
        [a, b, .., y, z] => (*y).min(*z) > (*a).max(*b) * 8 + std::time::Duration::from_millis(5),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let (cfg, events) = decode(data);
    let copies: i32 = if events.len() >= 48 { 4 } else { 1 };
    let (took, grew) = run(&cfg, &events, copies);
    let n = events.len() * copies as usize;
    assert!(
        grew <= 256 * 1024 + 8 * 1024 * n,
        "{grew} bytes live for {n} events"
    );
    // Time is noisy on a shared machine: growth must show in three runs out of three.
    if grows(&took) && grows(&run(&cfg, &events, copies).0) {
        let again = run(&cfg, &events, copies).0;
        assert!(
            !grows(&again),
            "work per event grows with the copies fed before: {again:?} ({} events each)",
            events.len()
        );
    }
});
