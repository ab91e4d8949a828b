//! Properties every verdict must keep, over the Flink HA simulator's histories
//! (`tests/sim`): a correct history never FAILs, nor does any prefix of it (cut at any
//! instant), nor `--follow` while it reads one kubectl stream of it; file order, names,
//! gzip, CRLF, directories and the other benign changes keep its verdicts; each injected violation is found, and only it.
//!
//! Histories run through the library (the whole pipeline on in-memory logs, then the
//! checker). `FLINKHA_PROPTEST_CASES` sets how many histories (default 500),
//! `FLINKHA_PROPTEST_SEED` the first seed; a failure prints its seed and the history shrunk
//! to a minimal one that still fails.

mod history;
mod sim;

use flinkha::check::model::Outcome;
use flinkha::check::{Checker, Config};
use flinkha::envelope::Zone;
use flinkha::events::Event;
use history::{verdicts, Verdicts};
use sim::{Log, Op, Rng, Run, Style};
use std::io::Write as _;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Every event of `logs`, through the whole pipeline.
fn events(logs: &[Log], zone: &Zone) -> Vec<Event> {
    events_as(logs, zone, false)
}

/// The same, as `--follow` delivers them: in arrival order, no reordering.
fn events_as(logs: &[Log], zone: &Zone, follow: bool) -> Vec<Event> {
    let logs = logs
        .iter()
        .map(|(n, t)| (n.as_str(), t.clone().into_bytes()));
    history::events_of(logs, *zone, follow)
}

fn fails(v: &Verdicts) -> Vec<&str> {
    let mut f: Vec<&str> = v
        .iter()
        .filter(|x| x.2 == Outcome::Fail)
        .map(|x| x.0.as_str())
        .collect();
    f.dedup();
    f
}

/// The logs a run renders to, with the zone to read them in.
fn logs(run: &Run, style: Style) -> (Vec<Log>, Zone) {
    let zone = match style.local {
        Some(tz) => Zone::Named(tz),
        None => Zone::Utc,
    };
    (sim::render(run, style), zone)
}

fn style_for(seed: u64) -> Style {
    let mut r = Rng(seed ^ 0x57_7e);
    Style {
        layout: sim::LAYOUTS[r.below(4) as usize],
        wording: sim::WORDINGS[r.below(3) as usize],
        // 2026-11-25 12:00 UTC, give or take a day.
        base_ms: 1_795_608_000_000 + r.below(86_400_000) as i64,
        local: None,
    }
}

/// A prefix of a run: every process cut at instant `t`, keeping either the records dated
/// up to `t` or (`by_line`) the lines before the first one dated after it.
fn cut(run: &Run, t: i64, by_line: bool) -> Run {
    let mut out = run.clone();
    let mut stopped = vec![false; run.processes];
    out.recs.retain(|r| {
        if by_line {
            if r.ms > t {
                stopped[r.jm] = true;
            }
            !stopped[r.jm]
        } else {
            r.ms <= t
        }
    });
    out
}

/// Property 1 and the base case: the run and its prefixes never FAIL.
fn prefixes_never_fail(run: &Run, style: Style, rng: &mut Rng) -> Result<(), String> {
    let (l, zone) = logs(run, style);
    let whole = verdicts(&events(&l, &zone));
    if !fails(&whole).is_empty() {
        return Err(format!(
            "the whole correct history FAILs: {:?}",
            fails(&whole)
        ));
    }
    let span = run.recs.iter().map(|r| r.ms).max().unwrap_or(0);
    let mut instants = Vec::new();
    for _ in 0..3 {
        let r = &run.recs[rng.below(run.recs.len() as u64) as usize];
        instants.push(r.ms);
        instants.push(r.ms + 1);
    }
    // Right after a leadership grant: where prefixes went wrong before.
    let grants: Vec<i64> = run.terms.iter().map(|t| t.1).collect();
    if let Some(&g) = grants.get(rng.below(grants.len() as u64) as usize) {
        instants.extend([g + 1, g + 2, g + 3]);
    }
    instants.push(rng.below(span as u64 + 1) as i64);
    for t in instants {
        for by_line in [false, true] {
            let p = cut(run, t, by_line);
            if p.recs.is_empty() {
                continue;
            }
            let (l, zone) = logs(&p, style);
            let v = verdicts(&events(&l, &zone));
            if !fails(&v).is_empty() {
                return Err(format!(
                    "the prefix cut at {t} ms (by line: {by_line}) FAILs {:?}",
                    fails(&v)
                ));
            }
        }
    }
    Ok(())
}

/// `--follow` on one kubectl stream of the history (arrival order, records a millisecond
/// out of order as they come): no FAIL is printed while reading, nor at the end.
fn follow_prints_no_fail(run: &Run, style: Style) -> Result<(), String> {
    let style = Style {
        layout: sim::Layout::Kubectl,
        ..style
    };
    let (l, zone) = logs(run, style);
    let mut c = Checker::new(Config::default());
    for e in events_as(&l, &zone, true) {
        let fresh = c.observe(&e);
        if let Some(f) = fresh.first() {
            return Err(format!(
                "--follow printed FAIL {} at {}:{}: {}",
                f.id, e.source, e.line, f.because
            ));
        }
    }
    let a = c.finish();
    match a.invariants.iter().find(|v| v.verdict == Outcome::Fail) {
        Some(v) => Err(format!("--follow ends with FAIL {}: {}", v.id, v.because)),
        None => Ok(()),
    }
}

/// A log file as bytes: its name and contents.
type Bytes = (String, Vec<u8>);

/// The first instant (ms of the run) after which every process has logged: a clock change
/// placed there falls inside every log that goes on after it (a log wholly inside a
/// repeated DST hour cannot tell which pass of the hour it is in).
fn all_begun(run: &Run) -> i64 {
    let mut first = vec![None; run.processes];
    for r in &run.recs {
        if let Some(f) = first.get_mut(r.jm) {
            f.get_or_insert(r.ms);
        }
    }
    first.into_iter().flatten().max().unwrap_or(0) + 1000
}

/// Colour a pattern-layout record as log4j's `%highlight` or a console appender does: the
/// level coloured, the record dimmed (after kubectl's prefix, which is not the process's).
fn ansi(line: &str) -> String {
    let body = if line.starts_with("[pod/") {
        line.find("Z ").map_or(0, |p| p + 2)
    } else {
        0
    };
    let (prefix, rec) = line.split_at(body);
    let mut out = rec.to_string();
    for lvl in ["INFO", "WARN", "ERROR", "DEBUG"] {
        if let Some(p) = out.get(23..).and_then(|r| r.find(lvl)).map(|p| p + 23) {
            out = format!("{}\x1b[32m{lvl}\x1b[m{}", &out[..p], &out[p + lvl.len()..]);
            break;
        }
    }
    format!("{prefix}\x1b[2m{out}\x1b[0m")
}

/// After every ninth record, a stack trace and a record of an unrelated logger (same
/// instant, same pod for a kubectl stream).
fn noisy(line: &str, i: usize) -> String {
    if i % 9 != 0 {
        return line.to_string();
    }
    let body = if line.starts_with("[pod/") {
        line.find("Z ").map_or(0, |p| p + 2)
    } else {
        0
    };
    let (prefix, rec) = line.split_at(body);
    let ts = rec.get(..23).unwrap_or("");
    format!(
        "{line}\n{prefix}java.lang.IllegalStateException: unrelated\n{prefix}\tat org.example.Foo.bar(Foo.java:42)\n{prefix}\t... 12 more\n{prefix}{ts} INFO  org.example.Unrelated [] - the weather is fine"
    )
}

/// Property 2: file order, file names, gzip, CRLF line ends, rotation, directory input (the
/// rotated and the gzip files in a tree), every layout the simulator
/// renders (log4j, collapsed whitespace, JSON, one interleaved kubectl stream), ANSI
/// colours, noise and stack traces, and constant time shifts across a year end and both
/// DST switches in local time keep the multiset of verdicts.
fn benign_changes_keep_the_verdicts(run: &Run, style: Style) -> Result<(), String> {
    let (l, zone) = logs(run, style);
    let want = verdicts(&events(&l, &zone));
    let bytes = |logs: &[Log]| -> Vec<Bytes> {
        logs.iter()
            .map(|(n, t)| (n.clone(), t.clone().into_bytes()))
            .collect()
    };
    let gz = |b: &[u8]| -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let _ = e.write_all(b);
        e.finish().unwrap_or_default()
    };
    let changed: Vec<(&str, Vec<Bytes>)> = vec![
        ("reversed file order", bytes(&l).into_iter().rev().collect()),
        (
            "renamed files",
            bytes(&l)
                .into_iter()
                .enumerate()
                .map(|(i, (_, b))| (format!("logs/jobmanager-{}.txt", l.len() - i), b))
                .collect(),
        ),
        (
            "gzip",
            bytes(&l)
                .into_iter()
                .map(|(n, b)| (format!("{n}.gz"), gz(&b)))
                .collect(),
        ),
        (
            "CRLF",
            l.iter()
                .map(|(n, t)| (n.clone(), t.replace('\n', "\r\n").into_bytes()))
                .collect(),
        ),
        // log4j's size rotation while the process ran: `x.log.1`, then `x.log`.
        (
            "rotation split",
            l.iter()
                .flat_map(|(n, t)| {
                    let lines: Vec<&str> = t.lines().collect();
                    let (a, b) = lines.split_at(lines.len() / 2);
                    let part = |x: &[&str]| (x.join("\n") + "\n").into_bytes();
                    [(format!("{n}.1"), part(a)), (n.clone(), part(b))]
                })
                .collect(),
        ),
    ];
    for (what, logs) in &changed {
        let got = verdicts(&history::events_of(
            logs.iter().map(|(n, b)| (n.as_str(), b.clone())),
            zone,
            false,
        ));
        if got != want {
            return Err(format!("{what} changed the verdicts: {want:?} -> {got:?}"));
        }
    }
    // A directory argument: the files in a directory of their own each, and the rotated
    // parts side by side, found by the directory walk (sorted by name: `x.log` before
    // `x.log.1`), as a collected log bundle holds them.
    for (what, logs) in changed
        .iter()
        .filter(|(w, _)| *w == "rotation split" || *w == "gzip")
    {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        for (i, (n, b)) in logs.iter().enumerate() {
            let sub = dir.path().join(format!("jm-{}", i / 2));
            std::fs::create_dir_all(&sub).map_err(|e| e.to_string())?;
            std::fs::write(sub.join(n), b).map_err(|e| e.to_string())?;
        }
        let got = verdicts(&history::events_of_dir(dir.path(), zone));
        if got != want {
            return Err(format!(
                "a directory of the {what} files changed the verdicts: {want:?} -> {got:?}"
            ));
        }
    }
    // The same history written otherwise.
    let mut rendered: Vec<(String, Vec<Log>, Zone)> = Vec::new();
    for layout in sim::LAYOUTS {
        if layout != style.layout {
            let (l, z) = logs(run, Style { layout, ..style });
            rendered.push((format!("layout {layout:?}"), l, z));
        }
    }
    // Line rewrites need a pattern layout: a JSON history is rewritten as log4j.
    let pattern = match style.layout {
        sim::Layout::Json => Style {
            layout: sim::Layout::Log4j,
            ..style
        },
        _ => style,
    };
    let (plain, pz) = logs(run, pattern);
    let rewrite = |f: &dyn Fn(&str, usize) -> String| -> Vec<Log> {
        plain
            .iter()
            .map(|(n, t)| {
                let lines: Vec<String> = t.lines().enumerate().map(|(i, l)| f(l, i)).collect();
                (n.clone(), lines.join("\n") + "\n")
            })
            .collect()
    };
    rendered.push(("ANSI colours".into(), rewrite(&|l, _| ansi(l)), pz));
    rendered.push(("noise and stack traces".into(), rewrite(&noisy), pz));
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().map_err(|e| format!("{e:?}"))?;
    let begun = all_begun(run);
    for (what, target, local) in [
        // 2026-12-31 23:59:59 UTC.
        ("across a year end", 1_798_761_599_000i64, None),
        // 2026-10-25 01:00 UTC: Berlin's clocks go back from 03:00 to 02:00.
        (
            "across the DST fall-back, local time",
            1_792_890_000_000,
            Some(berlin),
        ),
        // 2026-03-29 01:00 UTC: Berlin's clocks jump from 02:00 to 03:00.
        (
            "across the DST spring-forward, local time",
            1_774_746_000_000,
            Some(berlin),
        ),
    ] {
        let shifted = Style {
            base_ms: target - begun,
            local,
            ..style
        };
        let (l, z) = logs(run, shifted);
        rendered.push((what.to_string(), l, z));
    }
    for (what, l, z) in rendered {
        let got = verdicts(&events(&l, &z));
        if got != want {
            return Err(format!("{what} changed the verdicts: {want:?} -> {got:?}"));
        }
    }
    Ok(())
}

/// Property 3: each injection that applies is found, and only it.
fn injections_are_found(run: &Run, style: Style, rng: &mut Rng) -> Result<(), String> {
    for what in sim::INJECTIONS {
        let Some(bad) = sim::inject(run, what, rng.next()) else {
            continue;
        };
        let (l, zone) = logs(&bad, style);
        let v = verdicts(&events(&l, &zone));
        let got = fails(&v);
        if got != vec![what.invariant()] {
            let dir = std::env::temp_dir().join(format!("flinkha-injected-{what:?}"));
            let _ = std::fs::create_dir_all(&dir);
            for (name, text) in &l {
                let _ = std::fs::write(dir.join(name), text);
            }
            return Err(format!(
                "injected {what:?}: expected exactly {} to FAIL, got {got:?} (logs in {})",
                what.invariant(),
                dir.display()
            ));
        }
    }
    Ok(())
}

/// One history under every property; the error says which failed.
fn check_history(ops: &[Op], seed: u64) -> Result<(), String> {
    let run = sim::simulate(ops, seed);
    if run.recs.is_empty() {
        return Ok(());
    }
    let style = style_for(seed);
    let mut rng = Rng(seed ^ 0xface);
    prefixes_never_fail(&run, style, &mut rng)?;
    follow_prints_no_fail(&run, style)?;
    benign_changes_keep_the_verdicts(&run, style)?;
    injections_are_found(&run, style, &mut rng)?;
    Ok(())
}

/// A property of one history (its operations and seed): `Err` says how it failed.
type Property = dyn Fn(&[Op], u64) -> Result<(), String> + Sync;

/// Remove operations while the failure persists: a minimal failing history.
fn shrink(mut ops: Vec<Op>, seed: u64, check: &Property) -> (Vec<Op>, String) {
    let mut err = check(&ops, seed).err().unwrap_or_default();
    // Shrink towards the same failure, not just any.
    let kind = |e: &str| e.split(':').next().unwrap_or("").to_string();
    let want = kind(&err);
    loop {
        let mut smaller = false;
        let mut i = 0;
        while i < ops.len() {
            let mut t = ops.clone();
            t.remove(i);
            match check(&t, seed) {
                Err(e) if kind(&e) == want => {
                    ops = t;
                    err = e;
                    smaller = true;
                }
                _ => i += 1,
            }
        }
        if !smaller {
            return (ops, err);
        }
    }
}

/// Run `check` over many seeded histories; on failure, shrink and report the seed.
fn for_histories(name: &str, check: &Property) {
    let cases = env_u64("FLINKHA_PROPTEST_CASES", 500);
    let first = env_u64("FLINKHA_PROPTEST_SEED", 0x0f11_4ca7);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    // Seeds split over the cores; the first failure (lowest seed of its thread) is shrunk.
    let failed: Vec<(u64, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (first..first + cases)
                        .filter(|seed| seed % threads == t)
                        .find_map(|seed| {
                            let mut rng = Rng(seed);
                            let len = 4 + rng.below(40) as usize;
                            let ops = sim::generate(&mut rng, len);
                            check(&ops, seed).err().map(|e| (seed, e))
                        })
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().ok().flatten())
            .collect()
    });
    if let Some((seed, e)) = failed.into_iter().min_by_key(|f| f.0) {
        let mut rng = Rng(seed);
        let len = 4 + rng.below(40) as usize;
        let ops = sim::generate(&mut rng, len);
        {
            let (min, err) = shrink(ops, seed, check);
            let dump = dump(&min, seed);
            let _ = std::io::stderr().flush();
            panic!(
                "{name}: history of seed {seed} fails (rerun with FLINKHA_PROPTEST_SEED={seed} FLINKHA_PROPTEST_CASES=1): {e}\n\
                 shrunk to {} operations: {min:?}\nwhich fails with: {err}\nstyle: {:?}\nits logs: {dump}",
                min.len(),
                style_for(seed)
            );
        }
    }
}

/// Write the logs of a history to a directory kept for inspection; its path.
fn dump(ops: &[Op], seed: u64) -> String {
    let run = sim::simulate(ops, seed);
    let (l, _) = logs(&run, style_for(seed));
    let dir = std::env::temp_dir().join(format!("flinkha-history-{seed}"));
    let _ = std::fs::create_dir_all(&dir);
    for (name, text) in l {
        let _ = std::fs::write(dir.join(name), text);
    }
    dir.display().to_string()
}

#[test]
fn simulated_histories_keep_every_property() {
    for_histories("properties", &check_history);
}
