//! `flinkha check` on every real log set with Kubernetes HA (`samples/corpus-k8s/`) and in
//! application mode (`samples/corpus-k8s-app/`: Kubernetes HA, `samples/corpus-app/`:
//! ZooKeeper HA), judged against the set's own MANIFEST.md: each invariant's verdict (the
//! worst over the set's jobs) must be the one the MANIFEST expects, and every FAIL must quote
//! the very lines of the logs it names.
//!
//! Where a MANIFEST has a `## Expected verdicts (flinkha)` table (the sets made for this
//! project), that table is the expectation, UNKNOWN included. The shared corpus's application
//! MANIFESTs have an analyzer-neutral `## Expected verdict of a correct HA analyzer` table of
//! PASS / FAIL, where `FAIL (tolerated)` and `PASS (FAIL tolerated)` allow either. The shared
//! Kubernetes-HA session MANIFESTs state their verdict in prose; `PROSE` below restates it
//! per invariant, next to the sentence it comes from.

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Invariants a MANIFEST speaks about (the optional ones need command-line thresholds).
const INVARIANTS: &[&str] = &[
    "single-leader",
    "leader-session-fresh",
    "checkpoint-monotonic",
    "recover-latest",
    "jobs-recovered",
    "no-resurrection",
    "ha-cleanup",
];

/// The shared Kubernetes-HA session MANIFESTs' prose verdicts, per invariant: (set, the
/// MANIFEST's sentence, verdicts in `INVARIANTS` order). UNKNOWN where the logs cannot prove
/// a PASS: the lost job never ran again and never ended.
const PROSE: &[(&str, &str, [&str; 7])] = &[
    (
        "1.20.5/api-outage",
        "HA correct (API server down past the renew deadline)",
        ["PASS", "PASS", "PASS", "PASS", "PASS", "PASS", "PASS"],
    ),
    (
        "1.20.5/happy",
        "HA correct. single leader at any time; checkpoint ids strictly increasing per job; every recovery restored the latest completed checkpoint; HA data cleaned up",
        ["PASS", "PASS", "PASS", "PASS", "PASS", "PASS", "PASS"],
    ),
    (
        "1.20.5/jm-restart",
        "HA correct (single JobManager killed and restarted)",
        ["PASS", "PASS", "PASS", "PASS", "PASS", "PASS", "PASS"],
    ),
    (
        "1.20.5/ha-metadata-lost",
        "HA violation (job lost): running when the JobManager failed, never recovered by the next leader and never reached a terminal state; single leader at any time; checkpoint ids strictly increasing per job",
        ["PASS", "PASS", "PASS", "UNKNOWN", "FAIL", "UNKNOWN", "UNKNOWN"],
    ),
    (
        "2.3.0/double-failover",
        "HA correct (leader killed twice)",
        ["PASS", "PASS", "PASS", "PASS", "PASS", "PASS", "PASS"],
    ),
    (
        "2.3.0/sigterm",
        "HA correct (graceful stop of the leader)",
        ["PASS", "PASS", "PASS", "PASS", "PASS", "PASS", "PASS"],
    ),
];

/// `samples/<root>/<version>/<scenario>/` folders that hold a MANIFEST.md.
fn sets(root: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for version in read_dir_sorted(&Path::new(DIR).join("samples").join(root)) {
        for set in read_dir_sorted(&version) {
            if set.join("MANIFEST.md").is_file() {
                out.push(set);
            }
        }
    }
    out
}

fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// The verdicts a table cell allows.
fn allowed(cell: &str) -> Vec<&'static str> {
    let c = cell.trim().trim_matches('*');
    match c {
        "PASS" => vec!["PASS"],
        "FAIL" => vec!["FAIL"],
        "UNKNOWN" => vec!["UNKNOWN"],
        "FAIL (tolerated)" | "PASS (FAIL tolerated)" => vec!["PASS", "FAIL"],
        other => panic!("unknown expected verdict `{other}`"),
    }
}

/// The rows `| invariant | expected | … |` of the table under the first heading that starts
/// with `heading`.
fn table(manifest: &str, heading: &str) -> Option<BTreeMap<String, Vec<&'static str>>> {
    let start = manifest.lines().position(|l| l.starts_with(heading))?;
    let mut rows = BTreeMap::new();
    for line in manifest.lines().skip(start + 1) {
        if line.starts_with("## ") {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() >= 4 && INVARIANTS.contains(&cells[1]) {
            rows.insert(cells[1].to_string(), allowed(cells[2]));
        }
    }
    (!rows.is_empty()).then_some(rows)
}

/// What the set's MANIFEST expects, per invariant.
fn expected(set: &Path) -> BTreeMap<String, Vec<&'static str>> {
    let text = std::fs::read_to_string(set.join("MANIFEST.md")).expect("MANIFEST.md");
    if let Some(t) = table(&text, "## Expected verdicts (flinkha)") {
        return t;
    }
    if let Some(t) = table(&text, "## Expected verdict of a correct HA analyzer") {
        return t;
    }
    let name = set
        .strip_prefix(Path::new(DIR).join("samples/corpus-k8s"))
        .unwrap_or(set)
        .to_string_lossy()
        .replace('\\', "/");
    let (_, _, v) = PROSE
        .iter()
        .find(|(s, _, _)| *s == name)
        .unwrap_or_else(|| panic!("{}: no verdict table and no PROSE entry", set.display()));
    INVARIANTS
        .iter()
        .zip(v.iter())
        .map(|(i, v)| (i.to_string(), allowed(v)))
        .collect()
}

/// `flinkha check --format json` on a set.
fn check(set: &Path) -> Value {
    let dir = set.to_str().expect("UTF-8 path");
    let (_, out, err) = common::run(&["check", "--format", "json", "--no-progress", dir]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{dir}: no JSON ({e}): {err}"))
}

/// The worst verdict of invariant `id` over the set's jobs.
fn worst(doc: &Value, id: &str) -> Option<String> {
    let rank = |v: &str| match v {
        "FAIL" => 2,
        "UNKNOWN" => 1,
        _ => 0,
    };
    doc["invariants"]
        .as_array()?
        .iter()
        .filter(|v| v["id"] == id)
        .filter_map(|v| v["verdict"].as_str())
        .max_by_key(|v| rank(v))
        .map(str::to_string)
}

/// Every FAIL quotes real lines: the evidence text is the line of the file it names.
fn evidence_is_real(doc: &Value, problems: &mut Vec<String>) {
    for v in doc["invariants"].as_array().into_iter().flatten() {
        if v["verdict"] != "FAIL" {
            continue;
        }
        let evidence = v["evidence"].as_array().cloned().unwrap_or_default();
        if evidence.is_empty() {
            problems.push(format!("{} FAIL without evidence", v["id"]));
        }
        for e in evidence {
            let (Some(src), Some(line), Some(text)) =
                (e["source"].as_str(), e["line"].as_u64(), e["text"].as_str())
            else {
                problems.push(format!("{} FAIL with malformed evidence {e}", v["id"]));
                continue;
            };
            let file = std::fs::read_to_string(src).unwrap_or_default();
            let at = file.lines().nth(line as usize - 1).unwrap_or_default();
            if at != text {
                problems.push(format!(
                    "{} FAIL quotes {src}:{line} as `{text}`, the file has `{at}`",
                    v["id"]
                ));
            }
        }
    }
}

fn judge(root: &str, at_least: usize) {
    let sets = sets(root);
    assert!(
        sets.len() >= at_least,
        "samples/{root}: {} sets, expected at least {at_least}",
        sets.len()
    );
    let mut problems = Vec::new();
    for set in &sets {
        let name = set.display().to_string();
        let want = expected(set);
        assert_eq!(
            want.len(),
            INVARIANTS.len(),
            "{name}: the MANIFEST names {:?}",
            want.keys()
        );
        let doc = check(set);
        for (id, allowed) in &want {
            let got = worst(&doc, id).unwrap_or_else(|| "none".into());
            if !allowed.contains(&got.as_str()) {
                problems.push(format!(
                    "{name}: {id} is {got}, the MANIFEST expects {allowed:?}"
                ));
            }
        }
        let mut ev = Vec::new();
        evidence_is_real(&doc, &mut ev);
        problems.extend(ev.into_iter().map(|p| format!("{name}: {p}")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn kubernetes_ha_session_sets_get_their_manifest_verdicts() {
    judge("corpus-k8s", 6);
}

#[test]
fn kubernetes_ha_application_sets_get_their_manifest_verdicts() {
    judge("corpus-k8s-app", 4);
}

#[test]
fn zookeeper_ha_application_sets_get_their_manifest_verdicts() {
    judge("corpus-app", 1);
}

#[test]
fn manifest_tables_are_read_with_their_tolerances() {
    let m = "## Expected verdict of a correct HA analyzer\n\n| invariant | expected | why |\n|---|---|---|\n\
             | single-leader | PASS | x |\n| jobs-recovered | FAIL (tolerated) | y |\n\
             | checkpoint-monotonic | PASS (FAIL tolerated) | z |\n\n## Notes\n| ha-cleanup | FAIL | later |\n";
    let t = table(m, "## Expected verdict").expect("table");
    assert_eq!(t["single-leader"], vec!["PASS"]);
    assert_eq!(t["jobs-recovered"], vec!["PASS", "FAIL"]);
    assert_eq!(t["checkpoint-monotonic"], vec!["PASS", "FAIL"]);
    assert!(
        !t.contains_key("ha-cleanup"),
        "rows after the next heading belong to it"
    );
    assert!(table(m, "## Expected verdicts (flinkha)").is_none());
}
