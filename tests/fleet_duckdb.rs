//! The fleet story end to end: `flinkha check --label … --export-dir …` on several real
//! samples, as a CronJob per cluster would run it, then the README's DuckDB queries over all
//! the exports in real DuckDB (the `duckdb` package from PyPI; `.ci/run` installs it).
//!
//! The queries are read from the README, so the documented SQL is the tested SQL; `now()` is
//! pinned to 2026-12-03, the week after the 2026-12-01 samples and more than a week after the
//! 2026-11-25 ones, so that "this week" keeps one FAILing cluster out. The expected rows are
//! derived from each cluster's `check --format json` report (a separate rendering of the same
//! analysis) and from the samples' MANIFESTs.
//!
//! Without DuckDB the test fails saying how to install it; `FLINKHA_SKIP_DUCKDB=1` skips it.
//! `FLINKHA_PYTHON` names the Python interpreter (default `python3`).

mod common;

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Pinned "now" of the README queries.
const NOW: &str = "TIMESTAMPTZ '2026-12-03 00:00:00+00'";
/// Seven days before [`NOW`], in milliseconds since the epoch (2026-11-26T00:00:00Z).
const WEEK_START_MS: i64 = 1_795_651_200_000;

/// (cluster, labels, sample directory): different label sets on purpose.
const CLUSTERS: &[(&str, &[&str], &str)] = &[
    // Kubernetes HA, two leader failovers (2026-12-01): PASS.
    (
        "eu-1",
        &["region=eu"],
        "samples/corpus-k8s/2.3.0/double-failover",
    ),
    // Flink 1.19.3's own split brain under a ZooKeeper outage (2026-12-01): FAIL single-leader.
    (
        "eu-2",
        &["region=eu"],
        "samples/corpus/1.19.3/zk-outage-rerun",
    ),
    // Restored from an older checkpoint (a mutation, 2026-11-25): FAIL recover-latest, but
    // more than a week before the pinned now.
    ("us-1", &["region=us"], "samples/mutations/restore-older"),
    // SIGTERM of the leader, Kubernetes HA (2026-12-01): PASS; one label more.
    (
        "us-2",
        &["region=us", "team=payments"],
        "samples/corpus-k8s/2.3.0/sigterm",
    ),
];

/// The Python that has DuckDB, or `None` when the test is to be skipped.
fn python_or_skip() -> Option<String> {
    if std::env::var_os("FLINKHA_SKIP_DUCKDB").is_some_and(|v| v == "1") {
        eprintln!("FLINKHA_SKIP_DUCKDB=1: DuckDB fleet test skipped");
        return None;
    }
    let python = std::env::var("FLINKHA_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import duckdb"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "`{python} -c 'import duckdb'` failed: install DuckDB with `{python} -m pip install duckdb` \
         (or set FLINKHA_SKIP_DUCKDB=1 to skip this test)"
    );
    Some(python)
}

/// The statements of the first ```sql block of the README's Fleet section.
fn readme_queries() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let fleet = readme
        .split("\n## Fleet")
        .nth(1)
        .expect("README has a `## Fleet` section");
    let block = fleet
        .split("```sql\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("the Fleet section has a ```sql block");
    assert_eq!(block.matches("now()").count(), 2, "{block}");
    block
        .split(';')
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| q.replace("now()", NOW))
        .collect()
}

/// Run `queries` in DuckDB with `dir` as the working directory; each result as rows of
/// strings (every value cast to VARCHAR by DuckDB itself, NULL as JSON null).
fn duckdb(python: &str, dir: &Path, queries: &[String]) -> Vec<Vec<Vec<Value>>> {
    const HARNESS: &str = r#"
import duckdb, json, sys
con = duckdb.connect()
out = []
for q in json.load(sys.stdin):
    rel = con.sql(q)
    out.append([list(r) for r in rel.project("COLUMNS(*)::VARCHAR").fetchall()])
json.dump(out, sys.stdout)
"#;
    let mut child = Command::new(python)
        .args(["-c", HARNESS])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(queries).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("harness output")
}

fn ms(ts: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(ts.as_str().unwrap())
        .unwrap()
        .timestamp_millis()
}

/// One row of the README's first query: cluster, worst RTO (ms), its job, its failure
/// instant (ms), job recoveries without an RTO.
type RtoRow = (String, Option<i64>, Option<String>, Option<i64>, usize);

/// What the README's first query must return for one cluster, from its JSON report, over
/// the failovers of the pinned week; `None` when it had none that week.
fn worst_rto(cluster: &str, report: &Value) -> Option<RtoRow> {
    let mut best: Option<(i64, String, i64)> = None;
    let mut never = 0;
    let mut any = false;
    for f in report["failovers"].as_array().unwrap() {
        let at = ms(&f["failure_ts"]);
        if at < WEEK_START_MS {
            continue;
        }
        any = true;
        for j in f["jobs"].as_array().unwrap() {
            match j["rto_ms"].as_i64() {
                Some(rto) if best.as_ref().map_or(true, |b| rto > b.0) => {
                    best = Some((rto, j["job"].as_str().unwrap().to_string(), at))
                }
                Some(_) => {}
                None => never += 1,
            }
        }
    }
    any.then(|| {
        (
            cluster.to_string(),
            best.as_ref().map(|b| b.0),
            best.as_ref().map(|b| b.1.clone()),
            best.as_ref().map(|b| b.2),
            never,
        )
    })
}

#[test]
fn readme_queries_over_labelled_exports() {
    let Some(python) = python_or_skip() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut reports = Vec::new();
    let mut log_to = Vec::new();
    for (cluster, labels, sample) in CLUSTERS {
        let dir = tmp.path().join(format!("exports/{cluster}/2026-12-03"));
        let mut args = vec![
            "check".to_string(),
            "--no-progress".into(),
            "--format".into(),
            "json".into(),
            "--label".into(),
            format!("cluster={cluster}"),
        ];
        for l in *labels {
            args.extend(["--label".to_string(), l.to_string()]);
        }
        args.extend([
            "--export-dir".into(),
            dir.display().to_string(),
            sample.to_string(),
        ]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = common::run(&argv);
        assert!(code == 0 || code == 1, "{cluster}: exit {code}: {err}");
        for t in ["events", "verdicts", "failovers"] {
            assert!(
                dir.join(format!("{t}.parquet")).is_file(),
                "{cluster} {t}: {err}"
            );
            assert!(err.contains(&format!("{t}.parquet")), "{err}");
        }
        let report: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["labels"]["cluster"], *cluster);
        reports.push((*cluster, report));
        // The end of the logs, from the timeline's JSON: what `log_to` must say.
        let (code, out, err) =
            common::run(&["timeline", "--no-progress", "--format", "json", sample]);
        assert_eq!(code, 0, "{err}");
        let timeline: Value = serde_json::from_str(&out).unwrap();
        log_to.push(ms(&timeline["span"]["to"]));
    }
    // The same tables as CSV, for one cluster.
    let csv_dir = tmp.path().join("csv/us-2");
    let (code, _, err) = common::run(&[
        "check",
        "--no-progress",
        "--label",
        "cluster=us-2",
        "--label",
        "region=us",
        "--label",
        "team=payments",
        "--export-dir",
        csv_dir.to_str().unwrap(),
        "--export-format",
        "csv",
        "samples/corpus-k8s/2.3.0/sigterm",
    ]);
    assert_eq!(code, 0, "{err}");

    // The samples' MANIFESTs: what each cluster's verdict must be.
    let verdict = |c: &str| {
        reports.iter().find(|(n, _)| *n == c).unwrap().1["verdict"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        ["eu-1", "eu-2", "us-1", "us-2"].map(verdict),
        ["PASS", "FAIL", "FAIL", "PASS"]
    );

    let mut queries = readme_queries();
    assert_eq!(queries.len(), 2, "{queries:?}");
    // Not in the README: the FAILs without the week filter (us-1 is there), one cluster's
    // failover rows with its label columns, and the same from the CSV export.
    queries.push(
        "SELECT cluster, count(*) FROM read_parquet('exports/**/verdicts.parquet', union_by_name = true) \
         WHERE verdict = 'FAIL' GROUP BY cluster ORDER BY cluster"
            .into(),
    );
    queries.push(
        "SELECT team, region, failover, job, rto_ms, failure_ts FROM 'exports/us-2/*/failovers.parquet' \
         ORDER BY failover, job"
            .into(),
    );
    queries.push(
        "SELECT team, region, failover, job, rto_ms, failure_ts FROM read_csv('csv/us-2/failovers.csv') \
         ORDER BY failover, job"
            .into(),
    );
    let results = duckdb(&python, tmp.path(), &queries);
    let text = |v: &Value| v.as_str().map(str::to_string);

    // 1. Worst RTO per cluster this week.
    let mut want: Vec<RtoRow> = reports
        .iter()
        .filter_map(|(c, r)| worst_rto(c, r))
        .collect();
    // DESC NULLS FIRST, then by cluster.
    want.sort_by(|a, b| match (a.1, b.1) {
        (None, None) => a.0.cmp(&b.0),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => y.cmp(&x).then(a.0.cmp(&b.0)),
    });
    let got: Vec<RtoRow> = results[0]
        .iter()
        .map(|r| {
            let secs = text(&r[1]).map(|s| s.parse::<f64>().unwrap());
            let at = text(&r[3]).map(|at| {
                chrono::DateTime::parse_from_str(&at, "%Y-%m-%d %H:%M:%S%.f%#z")
                    .unwrap_or_else(|e| panic!("{at}: {e}"))
                    .timestamp_millis()
            });
            (
                text(&r[0]).unwrap(),
                secs.map(|s| (s * 1000.0).round() as i64),
                text(&r[2]),
                at,
                text(&r[4]).unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want, "rows: {:?}", results[0]);
    let order: Vec<&str> = got.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(order, ["eu-2", "eu-1", "us-2"], "us-1 is older than a week");

    // 2. Clusters with any FAIL this week: the split brain, not the fortnight-old mutation.
    let mut want_fail = Vec::new();
    for ((c, r), to) in reports.iter().zip(&log_to) {
        let to = *to;
        let fails: Vec<&str> = r["invariants"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["verdict"] == "FAIL")
            .map(|v| v["id"].as_str().unwrap())
            .collect();
        if !fails.is_empty() && to >= WEEK_START_MS {
            let mut ids = fails.clone();
            ids.sort();
            ids.dedup();
            want_fail.push(vec![
                Value::from(*c),
                Value::from(ids.join(", ")),
                Value::from(fails.len().to_string()),
            ]);
        }
    }
    assert_eq!(results[1], want_fail);
    assert_eq!(
        results[1],
        vec![vec![
            Value::from("eu-2"),
            Value::from("single-leader"),
            Value::from("2")
        ]]
    );

    // 3. Without the week, us-1's FAIL is in the exports.
    let all: Vec<String> = results[2].iter().map(|r| text(&r[0]).unwrap()).collect();
    assert_eq!(all, ["eu-2", "us-1"]);

    // 4. Label columns and the failover rows of one cluster.
    let us2 = &reports.iter().find(|(c, _)| *c == "us-2").unwrap().1;
    let want_rows: Vec<Vec<Value>> = us2["failovers"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            f["jobs"].as_array().unwrap().iter().map(move |j| {
                vec![
                    Value::from("payments"),
                    Value::from("us"),
                    Value::from((i + 1).to_string()),
                    j["job"].clone(),
                    j["rto_ms"]
                        .as_i64()
                        .map_or(Value::Null, |v| Value::from(v.to_string())),
                ]
            })
        })
        .collect();
    let got_rows: Vec<Vec<Value>> = results[3].iter().map(|r| r[..5].to_vec()).collect();
    assert_eq!(got_rows, want_rows);
    assert!(!got_rows.is_empty());
    // CSV: the same values, instants read back as timestamps.
    assert_eq!(results[4], results[3]);
}
