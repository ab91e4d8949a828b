//! Logs as collectors and log stores hold them give the verdicts of the plain files.
//!
//! `samples/collectors/` holds real corpus scenarios rendered in every format (made by
//! `tests/collectors/mod.rs`; regenerate with `cargo test --test collector_forms --
//! --ignored regenerate_samples`); the real binary's `check --format json` on each must
//! give the same multiset of (invariant, job, verdict) as on the scenario's plain files, and
//! the pipeline the same events. Every corpus scenario is also rendered in the formats on
//! the fly and checked in-process, so the verdicts do not hang on the three scenarios the
//! samples show.

mod collectors;

use collectors::{read_scenario, render, write, FORMATS, RUNTIME_SPLIT};
use flinkha::check::{Checker, Config};
use flinkha::grammar::Grammar;
use flinkha::pipeline::{self, Item, Options};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The scenarios the committed samples are made from, and the split size their long lines
/// are cut at: the corpus has no line over the runtimes' 16 KiB, so the samples cut lines
/// over 1 KiB to show partial lines being joined.
const SAMPLE_SCENARIOS: &[(&str, &str)] = &[
    ("happy", "samples/corpus-k8s/1.20.5/happy"),
    ("jm-restart", "samples/corpus-k8s/1.20.5/jm-restart"),
    (
        "ha-metadata-lost",
        "samples/corpus-k8s/1.20.5/ha-metadata-lost",
    ),
];
/// The kubelet's directory trees are the largest samples (not compressed, as the kubelet
/// does not compress them): each is committed for one scenario.
const TREES: &[(&str, &str)] = &[
    ("cri-pods", "happy"),
    ("cri-containers", "jm-restart"),
    ("cri-pods-restarts", "jm-restart"),
];
const SAMPLE_SPLIT: usize = 1024;

/// A sample's files (path below the sample's directory, bytes) and the path to hand
/// flinkha.
type Sample = (Vec<(String, Vec<u8>)>, String);

fn samples_root() -> PathBuf {
    Path::new(DIR).join("samples/collectors")
}

/// A committed sample's files as the generator makes them: JSON and text files gzip
/// compressed (`.gz` added), except the kubelet's directory trees, which keep the names
/// the kubelet gives (and its own compressed rotations).
fn sample_files(name: &str, format: &str, scenario_dir: &str) -> Option<Sample> {
    if format.starts_with("cri-") && !TREES.contains(&(format, name)) {
        return None;
    }
    let logs = read_scenario(&Path::new(DIR).join(scenario_dir));
    let r = render(format, &logs, SAMPLE_SPLIT)?;
    if format.starts_with("cri-") {
        return Some((r.files, r.input));
    }
    let files = r
        .files
        .into_iter()
        .map(|(p, b)| (format!("{p}.gz"), gzip(&b)))
        .collect();
    let input = if r.input.contains('.') {
        format!("{}.gz", r.input)
    } else {
        r.input
    };
    Some((files, input))
}

fn gzip(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    enc.write_all(b).unwrap();
    enc.finish().unwrap()
}

fn gunzip_if(path: &Path, b: &[u8]) -> Vec<u8> {
    if b.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(b)
            .read_to_end(&mut out)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out
    } else {
        b.to_vec()
    }
}

#[test]
#[ignore = "writes samples/collectors; run by hand after changing tests/collectors"]
fn regenerate_samples() {
    let root = samples_root();
    for (name, scenario) in SAMPLE_SCENARIOS {
        let _ = std::fs::remove_dir_all(root.join(name));
        for f in FORMATS {
            if let Some((files, _)) = sample_files(name, f, scenario) {
                for (rel, bytes) in files {
                    let p = root.join(name).join(f).join(rel);
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    std::fs::write(p, bytes).unwrap();
                }
            }
        }
    }
}

#[test]
fn samples_are_what_the_generator_makes() {
    for (name, scenario) in SAMPLE_SCENARIOS {
        for f in FORMATS {
            let Some((files, _)) = sample_files(name, f, scenario) else {
                continue;
            };
            for (rel, bytes) in files {
                let p = samples_root().join(name).join(f).join(&rel);
                let have = std::fs::read(&p)
                    .unwrap_or_else(|e| panic!("{}: {e} (regenerate the samples)", p.display()));
                assert!(
                    gunzip_if(&p, &have) == gunzip_if(&p, &bytes),
                    "{} differs from what tests/collectors makes: regenerate the samples",
                    p.display()
                );
            }
        }
    }
}

fn flinkha(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_flinkha"))
        .args(args)
        .current_dir(DIR)
        .output()
        .expect("run flinkha");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `check --format json` verdicts as a multiset of (invariant, job, verdict), and the
/// number of failovers.
fn binary_verdicts(input: &str) -> (BTreeMap<(String, String, String), usize>, usize) {
    let (code, out, err) = flinkha(&["check", "--format", "json", "--no-progress", input]);
    assert!(code == 0 || code == 1, "check {input}: exit {code}\n{err}");
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{input}: {e}\n{err}"));
    let mut m = BTreeMap::new();
    for v in doc["invariants"].as_array().expect("invariants") {
        let key = (
            v["id"].as_str().unwrap_or("").to_string(),
            v["job"].as_str().unwrap_or("").to_string(),
            v["verdict"].as_str().unwrap_or("").to_string(),
        );
        *m.entry(key).or_insert(0) += 1;
    }
    let failovers = doc["failovers"].as_array().map_or(0, Vec::len);
    (m, failovers)
}

#[test]
fn every_sample_gives_the_verdicts_of_its_plain_files() {
    let mut checked = 0;
    for (name, scenario) in SAMPLE_SCENARIOS {
        let (plain, plain_failovers) = binary_verdicts(scenario);
        assert!(!plain.is_empty(), "{scenario}");
        for f in FORMATS {
            let Some((_, input)) = sample_files(name, f, scenario) else {
                continue;
            };
            let path = format!("samples/collectors/{name}/{f}/{input}");
            let (got, failovers) = binary_verdicts(&path);
            assert_eq!(got, plain, "{path}: verdicts differ from {scenario}");
            assert_eq!(failovers, plain_failovers, "{path}: failovers");
            checked += 1;
        }
    }
    assert_eq!(checked, 3 * (FORMATS.len() - TREES.len()) + TREES.len());
}

fn options() -> Options {
    static GRAMMAR: std::sync::OnceLock<Arc<Grammar>> = std::sync::OnceLock::new();
    let grammar = GRAMMAR
        .get_or_init(|| Arc::new(Grammar::builtin().expect("grammar")))
        .clone();
    Options {
        zone: Default::default(),
        grammar,
        want_unmatched: false,
        progress: false,
        follow: false,
        chunking: pipeline::Chunking::default(),
        input_format: Default::default(),
    }
}

/// The events of `inputs` in-process, as a multiset of the event without source, line,
/// text and the instant's sub-millisecond part (the collector's instant is the record's
/// plus a small lag); without the synthetic `log_end`, one per source (a container's
/// restarts are one source, and two files in the plain form).
fn events(inputs: &[PathBuf]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    pipeline::run(inputs, &options(), &mut |item| {
        if let Item::Event(mut e) = item {
            if e.kind == flinkha::events::Kind::LogEnd {
                return Ok(());
            }
            e.ts = chrono::DateTime::from_timestamp_millis(e.ts.timestamp_millis()).unwrap();
            e.source = Arc::from("");
            e.line = 0;
            e.text = Arc::from("");
            *m.entry(format!("{e:?}")).or_insert(0) += 1;
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{inputs:?}: {e}"));
    m
}

#[test]
fn every_sample_gives_the_events_of_its_plain_files() {
    for (name, scenario) in SAMPLE_SCENARIOS {
        let plain = events(&[Path::new(DIR).join(scenario)]);
        assert!(plain.len() > 10, "{scenario}");
        for f in FORMATS {
            let Some((_, input)) = sample_files(name, f, scenario) else {
                continue;
            };
            let path = samples_root().join(name).join(f).join(input);
            let got = events(std::slice::from_ref(&path));
            assert!(
                got == plain,
                "{}: events differ from {scenario}",
                path.display()
            );
        }
    }
}

/// Verdicts of `inputs` in-process: (invariant, job, verdict) multiset and failovers.
fn verdicts(inputs: &[PathBuf]) -> Result<(BTreeMap<String, usize>, usize), String> {
    let mut checker = Checker::new(Config::default());
    pipeline::run(inputs, &options(), &mut |item| {
        if let Item::Event(e) = item {
            checker.observe(&e);
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    let a = checker.finish();
    let mut m = BTreeMap::new();
    for v in &a.invariants {
        let key = format!(
            "{} {} {:?}",
            v.id,
            v.job.as_deref().unwrap_or("-"),
            v.verdict
        );
        *m.entry(key).or_insert(0) += 1;
    }
    Ok((m, a.failovers.len()))
}

fn corpus_scenarios() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for set in [
        "samples/corpus",
        "samples/corpus-app",
        "samples/corpus-k8s",
        "samples/corpus-k8s-app",
    ] {
        if !Path::new(DIR).join(set).is_dir() {
            continue;
        }
        for version in std::fs::read_dir(Path::new(DIR).join(set)).unwrap() {
            let version = version.unwrap().path();
            if !version.is_dir() {
                continue;
            }
            for s in std::fs::read_dir(&version).unwrap() {
                let s = s.unwrap().path();
                if s.is_dir() {
                    out.push(s);
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_corpus_scenario_in_every_format_gives_the_plain_verdicts() {
    let scenarios = corpus_scenarios();
    assert!(scenarios.len() >= 20, "{scenarios:?}");
    // Each format on every `stride`-th scenario (ZooKeeper, Kubernetes and application-mode
    // ones alike), so that each meets eight or more scenarios and the test stays quick;
    // restarts of one pod on every scenario where they fit (JobManagers one after another).
    let stride = (scenarios.len() / 8).max(3);
    let tmp = tempfile::tempdir().unwrap();
    let mut rendered: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, scenario) in scenarios.iter().enumerate() {
        let logs = read_scenario(scenario);
        let plain = verdicts(std::slice::from_ref(scenario)).unwrap();
        for (j, f) in FORMATS.iter().enumerate() {
            if (k + j) % stride != 0 && *f != "cri-pods-restarts" {
                continue;
            }
            // Alternate the split size: the runtimes' own, and a small one for many parts.
            let split = if (k / stride) % 2 == 0 {
                RUNTIME_SPLIT
            } else {
                200
            };
            let Some(r) = render(f, &logs, split) else {
                continue;
            };
            let root = tmp.path().join(format!("{k}-{f}"));
            let input = write(&r, &root);
            let got = verdicts(std::slice::from_ref(&input))
                .unwrap_or_else(|e| panic!("{} as {f}: {e}", scenario.display()));
            assert_eq!(got, plain, "{} as {f}", scenario.display());
            *rendered.entry(f).or_insert(0) += 1;
        }
    }
    // Every format on several scenarios (restarts only fit JobManagers one after another).
    for f in FORMATS {
        let n = rendered.get(f).copied().unwrap_or(0);
        let least = if *f == "cri-pods-restarts" {
            3
        } else {
            scenarios.len() / stride - 1
        };
        assert!(n >= least, "{f}: {n} scenarios");
    }
}

#[test]
fn events_of_every_sample_come_in_time_order_with_one_log_end_per_pod() {
    for f in FORMATS {
        let Some((_, input)) = sample_files("happy", f, "samples/corpus-k8s/1.20.5/happy") else {
            continue;
        };
        let path = samples_root().join("happy").join(f).join(input);
        let mut last = None;
        let mut ends = Vec::new();
        pipeline::run(std::slice::from_ref(&path), &options(), &mut |item| {
            if let Some(t) = last {
                assert!(item.ts() >= t, "{f}: {item:?} after {t}");
            }
            last = Some(item.ts());
            if let Item::Event(e) = item {
                if e.kind == flinkha::events::Kind::LogEnd {
                    ends.push(e.source.to_string());
                }
            }
            Ok(())
        })
        .unwrap();
        ends.sort();
        ends.dedup();
        // Docker names sources after files: three either way.
        assert_eq!(ends.len(), 3, "{f}: {ends:?}");
    }
}
