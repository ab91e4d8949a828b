//! Fleet exports (feature `stats`): the tables a platform team loads into DuckDB, Spark or
//! Trino after running flinkha once per cluster.
//!
//! Three tables, each as Parquet or CSV, each starting with one column per run label
//! (`--label cluster=prod-eu` gives every row `cluster = 'prod-eu'`):
//!
//! * **events** ([`events_frame`]): one row per event, the columns of
//!   [`crate::stats::event_frame`];
//! * **verdicts** ([`verdicts_frame`]): one row per invariant and job, with the reason, the
//!   evidence and the time span the logs cover;
//! * **failovers** ([`failovers_frame`]): one row per failover and job, with RTO and RPO
//!   (a failover that touched no known job is one row with an empty `job`).
//!
//! Instants are `Datetime(ms, UTC)` columns (in CSV: `2026-11-25T12:36:21.692Z`), durations
//! are milliseconds (`i64`), ids and counts `u64`; absent values are null (empty in CSV).

use crate::check::model::{Analysis, Evidence, Failover, JobRecovery, Verdict};
use crate::events::Event;
use crate::labels::Labels;
use crate::stats::{event_frame, kind_name, StatsError};
use chrono::{DateTime, Utc};
use polars::prelude::*;
use std::fs::File;
use std::path::{Path, PathBuf};

/// How a table is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Apache Parquet (typed columns, compressed).
    Parquet,
    /// CSV with a header row.
    Csv,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
        }
    }

    /// The format a file name asks for: `.parquet` or `.csv` (case-insensitive).
    pub fn of_path(path: &Path) -> Result<Format, StatsError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("parquet") => Ok(Format::Parquet),
            Some("csv") => Ok(Format::Csv),
            _ => Err(StatsError::ExportExtension {
                path: path.to_path_buf(),
            }),
        }
    }
}

/// The three tables, by the file stem [`write_dir`] gives them.
pub const TABLES: [&str; 3] = ["events", "verdicts", "failovers"];

/// How CSV writes instants: RFC 3339 UTC with milliseconds, which DuckDB, Spark and pandas
/// read as an instant.
const CSV_TS_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

/// `df` with one constant str column per label in front.
pub fn with_labels(df: DataFrame, labels: &Labels) -> PolarsResult<DataFrame> {
    if labels.is_empty() {
        return Ok(df);
    }
    let n = df.height();
    let mut columns: Vec<Column> = labels
        .iter()
        .map(|(k, v)| Column::new(k.into(), vec![v; n]))
        .collect();
    columns.extend(df.into_columns());
    DataFrame::new(n, columns)
}

/// The event table with the label columns in front.
pub fn events_frame(events: &[Event], labels: &Labels) -> PolarsResult<DataFrame> {
    with_labels(event_frame(events)?, labels)
}

/// A `Datetime(ms, UTC)` column from optional instants.
fn instants(name: &str, v: impl Iterator<Item = Option<DateTime<Utc>>>) -> Column {
    let ms: Vec<Option<i64>> = v.map(|t| t.map(|t| t.timestamp_millis())).collect();
    Int64Chunked::new(name.into(), &ms)
        .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
        .into_series()
        .into_column()
}

/// An evidence line's RFC 3339 instant, parsed back.
fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The verdicts table: one row per invariant (and job, for per-job invariants).
///
/// Columns after the labels: `invariant`, `job` (null for cluster-wide invariants),
/// `verdict` (`PASS` / `FAIL` / `UNKNOWN`), `because`, `evidence_count`, the first evidence
/// line's `evidence_ts`, `evidence_source` and `evidence_line`, `evidence` (every evidence
/// line as `source:line  ts  text`, one per line), and `log_from` / `log_to`, the span the
/// logs cover (the same on every row of one run: "this week" filters use it).
pub fn verdicts_frame(a: &Analysis, labels: &Labels) -> PolarsResult<DataFrame> {
    let v: &[Verdict] = &a.invariants;
    fn first(v: &Verdict) -> Option<&Evidence> {
        v.evidence.first()
    }
    let columns = vec![
        Column::new(
            "invariant".into(),
            v.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "job".into(),
            v.iter().map(|x| x.job.as_deref()).collect::<Vec<_>>(),
        ),
        Column::new(
            "verdict".into(),
            v.iter().map(|x| x.verdict.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "because".into(),
            v.iter().map(|x| x.because.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "evidence_count".into(),
            v.iter()
                .map(|x| x.evidence.len() as u64)
                .collect::<Vec<_>>(),
        ),
        instants(
            "evidence_ts",
            v.iter().map(|x| first(x).and_then(|e| parse_ts(&e.ts))),
        ),
        Column::new(
            "evidence_source".into(),
            v.iter()
                .map(|x| first(x).map(|e| &*e.source))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "evidence_line".into(),
            v.iter()
                .map(|x| first(x).map(|e| e.line))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "evidence".into(),
            v.iter()
                .map(|x| {
                    x.evidence
                        .iter()
                        .map(|e| format!("{}:{}  {}  {}", e.source, e.line, e.ts, e.text))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .collect::<Vec<_>>(),
        ),
        instants("log_from", v.iter().map(|_| a.span.map(|s| s.0))),
        instants("log_to", v.iter().map(|_| a.span.map(|s| s.1))),
    ];
    with_labels(DataFrame::new(v.len(), columns)?, labels)
}

/// The failovers table: one row per failover and job, in failover order.
///
/// Columns after the labels: `failover` (its number from 1, as in `check` and `timeline`),
/// `kind` (`leader` / `job_restart`), `failure_ts`, `new_leader_ts`, `leaderless_ms`,
/// `cause` (its kind: `jobmanager_killed`, `orderly_stop`, … `unknown`), `cause_text` (the
/// sentence naming the evidence), then per job: `job`, `latest_completed_before`, `latest_completed_ts`,
/// `restored_checkpoint`, `restored_savepoint`, `restored_ts`, `running_ts`, `rto_ms`,
/// `rpo_ms`, `lost_checkpoints` (how many checkpoints triggered before the failure never
/// completed). A failover that touched no known job is one row whose job columns are null.
pub fn failovers_frame(a: &Analysis, labels: &Labels) -> PolarsResult<DataFrame> {
    let rows: Vec<(&Failover, Option<&JobRecovery>)> = a
        .failovers
        .iter()
        .flat_map(|f| {
            let jobs: Vec<Option<&JobRecovery>> = if f.jobs.is_empty() {
                vec![None]
            } else {
                f.jobs.iter().map(Some).collect()
            };
            jobs.into_iter().map(move |j| (f, j))
        })
        .collect();
    let f = || rows.iter().map(|(f, _)| *f);
    let j = || rows.iter().map(|(_, j)| *j);
    let columns = vec![
        Column::new(
            "failover".into(),
            f().map(|f| f.id as u64 + 1).collect::<Vec<_>>(),
        ),
        Column::new(
            "kind".into(),
            f().map(|f| kind_name(f.kind)).collect::<Vec<_>>(),
        ),
        instants("failure_ts", f().map(|f| Some(f.failure_ts))),
        instants("new_leader_ts", f().map(|f| f.new_leader_ts)),
        Column::new(
            "leaderless_ms".into(),
            f().map(|f| f.leaderless_ms).collect::<Vec<_>>(),
        ),
        Column::new(
            "cause".into(),
            f().map(|f| f.cause.kind.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "cause_text".into(),
            f().map(|f| f.cause.text.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "job".into(),
            j().map(|j| j.map(|j| j.job.as_str())).collect::<Vec<_>>(),
        ),
        Column::new(
            "latest_completed_before".into(),
            j().map(|j| j.and_then(|j| j.latest_completed_before))
                .collect::<Vec<_>>(),
        ),
        instants(
            "latest_completed_ts",
            j().map(|j| j.and_then(|j| j.latest_completed_ts)),
        ),
        Column::new(
            "restored_checkpoint".into(),
            j().map(|j| j.and_then(|j| j.restored_checkpoint))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "restored_savepoint".into(),
            j().map(|j| j.map(|j| j.restored_savepoint))
                .collect::<Vec<_>>(),
        ),
        instants("restored_ts", j().map(|j| j.and_then(|j| j.restored_ts))),
        instants("running_ts", j().map(|j| j.and_then(|j| j.running_ts))),
        Column::new(
            "rto_ms".into(),
            j().map(|j| j.and_then(|j| j.rto_ms)).collect::<Vec<_>>(),
        ),
        Column::new(
            "rpo_ms".into(),
            j().map(|j| j.and_then(|j| j.rpo_ms)).collect::<Vec<_>>(),
        ),
        Column::new(
            "lost_checkpoints".into(),
            j().map(|j| j.map(|j| j.lost_checkpoints.len() as u64))
                .collect::<Vec<_>>(),
        ),
    ];
    with_labels(DataFrame::new(rows.len(), columns)?, labels)
}

/// Write `df` to `path` as `format`.
pub fn write(df: &mut DataFrame, path: &Path, format: Format) -> Result<(), StatsError> {
    let file = File::create(path).map_err(|error| StatsError::Create {
        path: path.to_path_buf(),
        error,
    })?;
    let written = match format {
        Format::Parquet => ParquetWriter::new(file).finish(df).map(|_| ()),
        Format::Csv => CsvWriter::new(file)
            .include_header(true)
            .with_datetime_format(Some(CSV_TS_FORMAT.into()))
            .finish(df),
    };
    written.map_err(|error| StatsError::Write {
        path: path.to_path_buf(),
        error,
    })
}

/// Write `df` to `path` in the format its extension names.
pub fn write_path(df: &mut DataFrame, path: &Path) -> Result<(), StatsError> {
    let format = Format::of_path(path)?;
    write(df, path, format)
}

/// What one export run wrote: the path and the row count of each table.
pub type Written = Vec<(PathBuf, usize)>;

/// The tables a run asked for: each `Some` path is written in the format of its extension.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The event table.
    pub events: Option<PathBuf>,
    /// The verdicts table.
    pub verdicts: Option<PathBuf>,
    /// The failovers table.
    pub failovers: Option<PathBuf>,
}

impl Request {
    /// All three tables in `dir` (created if missing) as `events.EXT`, `verdicts.EXT`,
    /// `failovers.EXT`.
    pub fn dir(dir: &Path, format: Format) -> Result<Request, StatsError> {
        std::fs::create_dir_all(dir).map_err(|error| StatsError::Create {
            path: dir.to_path_buf(),
            error,
        })?;
        let file = |stem: &str| Some(dir.join(format!("{stem}.{}", format.extension())));
        Ok(Request {
            events: file(TABLES[0]),
            verdicts: file(TABLES[1]),
            failovers: file(TABLES[2]),
        })
    }

    /// Whether no table is asked for.
    pub fn is_empty(&self) -> bool {
        self.events.is_none() && self.verdicts.is_none() && self.failovers.is_none()
    }

    /// Check every extension before anything is read, so that a typo fails at once.
    pub fn validate(&self) -> Result<(), StatsError> {
        for p in [&self.events, &self.verdicts, &self.failovers]
            .into_iter()
            .flatten()
        {
            Format::of_path(p)?;
        }
        Ok(())
    }

    /// Write the tables asked for; `events` are the logged events (without `log_end`).
    pub fn write(
        &self,
        events: &[Event],
        analysis: &Analysis,
        labels: &Labels,
    ) -> Result<Written, StatsError> {
        let mut written = Vec::new();
        let mut put = |path: &Option<PathBuf>, df: PolarsResult<DataFrame>| {
            if let Some(p) = path {
                let mut df = df?;
                write_path(&mut df, p)?;
                written.push((p.clone(), df.height()));
            }
            Ok::<(), StatsError>(())
        };
        if self.events.is_some() {
            put(&self.events, events_frame(events, labels))?;
        }
        put(&self.verdicts, verdicts_frame(analysis, labels))?;
        put(&self.failovers, failovers_frame(analysis, labels))?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::RESERVED;
    use crate::report::test_story;

    fn names(df: &DataFrame) -> Vec<String> {
        df.get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect()
    }

    #[test]
    fn every_column_is_reserved_from_labels() {
        let (a, events) = test_story::failing_story();
        for df in [
            events_frame(&events, &Labels::none()).unwrap(),
            verdicts_frame(&a, &Labels::none()).unwrap(),
            failovers_frame(&a, &Labels::none()).unwrap(),
        ] {
            for n in names(&df) {
                assert!(
                    RESERVED.contains(&n.as_str()),
                    "column {n} not in labels::RESERVED"
                );
            }
        }
    }

    #[test]
    fn verdict_rows_one_per_invariant_and_job() {
        let (a, _) = test_story::failing_story();
        let labels = Labels::parse(&["cluster=c1", "env=prod"]).unwrap();
        let df = verdicts_frame(&a, &labels).unwrap();
        assert_eq!(df.height(), a.invariants.len());
        assert_eq!(
            &names(&df)[..5],
            ["cluster", "env", "invariant", "job", "verdict"]
        );
        let col = |n: &str| df.column(n).unwrap().clone();
        assert_eq!(col("cluster").str().unwrap().get(3), Some("c1"));
        let i = a
            .invariants
            .iter()
            .position(|v| v.id == "recover-latest")
            .unwrap();
        let v = &a.invariants[i];
        assert_eq!(col("verdict").str().unwrap().get(i), Some("FAIL"));
        assert_eq!(col("job").str().unwrap().get(i), v.job.as_deref());
        assert_eq!(
            col("because").str().unwrap().get(i),
            Some(v.because.as_str())
        );
        assert_eq!(
            col("evidence_count").u64().unwrap().get(i),
            Some(v.evidence.len() as u64)
        );
        assert_eq!(
            col("evidence_line").u64().unwrap().get(i),
            Some(v.evidence[0].line)
        );
        let ts = col("evidence_ts")
            .as_materialized_series()
            .to_physical_repr()
            .i64()
            .unwrap()
            .get(i);
        assert_eq!(
            ts,
            parse_ts(&v.evidence[0].ts).map(|t| t.timestamp_millis())
        );
        let ev = col("evidence").str().unwrap().get(i).unwrap().to_string();
        assert_eq!(ev.lines().count(), v.evidence.len());
        assert!(ev.contains(&*v.evidence[1].text), "{ev}");
        // single-leader is about the cluster: no job.
        assert_eq!(col("job").str().unwrap().get(0), None);
        let span = a.span.unwrap();
        let to = col("log_to")
            .as_materialized_series()
            .to_physical_repr()
            .i64()
            .unwrap()
            .get(0);
        assert_eq!(to, Some(span.1.timestamp_millis()));
    }

    #[test]
    fn failover_rows_one_per_failover_and_job() {
        let (a, _) = test_story::failing_story();
        let df = failovers_frame(&a, &Labels::parse(&["cluster=c1"]).unwrap()).unwrap();
        let want: usize = a.failovers.iter().map(|f| f.jobs.len().max(1)).sum();
        assert_eq!(df.height(), want);
        assert_eq!(&names(&df)[..3], ["cluster", "failover", "kind"]);
        let f0 = &a.failovers[0];
        let j0 = &f0.jobs[0];
        assert_eq!(
            df.column("failover").unwrap().u64().unwrap().get(0),
            Some(1)
        );
        assert_eq!(
            df.column("kind").unwrap().str().unwrap().get(0),
            Some("leader")
        );
        assert_eq!(
            df.column("job").unwrap().str().unwrap().get(0),
            Some(j0.job.as_str())
        );
        assert_eq!(
            df.column("rto_ms").unwrap().i64().unwrap().get(0),
            j0.rto_ms
        );
        assert_eq!(
            df.column("rpo_ms").unwrap().i64().unwrap().get(0),
            j0.rpo_ms
        );
        assert_eq!(
            df.column("restored_checkpoint")
                .unwrap()
                .u64()
                .unwrap()
                .get(0),
            j0.restored_checkpoint
        );
        assert_eq!(
            df.column("lost_checkpoints").unwrap().u64().unwrap().get(0),
            Some(j0.lost_checkpoints.len() as u64)
        );
        let last = df.height() - 1;
        assert_eq!(
            df.column("failover").unwrap().u64().unwrap().get(last),
            Some(a.failovers.len() as u64)
        );
        assert_eq!(
            df.column("kind").unwrap().str().unwrap().get(last),
            Some("job_restart")
        );
    }

    #[test]
    fn failover_without_jobs_is_one_row_with_null_job_columns() {
        let (mut a, _) = test_story::failing_story();
        a.failovers.truncate(1);
        a.failovers[0].jobs.clear();
        let df = failovers_frame(&a, &Labels::none()).unwrap();
        assert_eq!(df.height(), 1);
        assert_eq!(df.column("job").unwrap().null_count(), 1);
        assert_eq!(df.column("rto_ms").unwrap().null_count(), 1);
        assert_eq!(df.column("restored_savepoint").unwrap().null_count(), 1);
        assert_eq!(df.column("cause").unwrap().null_count(), 0);
    }

    #[test]
    fn request_writes_each_table_in_its_format() {
        let (a, events) = test_story::failing_story();
        let dir = tempfile::tempdir().unwrap();
        let labels = Labels::parse(&["cluster=c1"]).unwrap();
        let req = Request::dir(&dir.path().join("out"), Format::Csv).unwrap();
        req.validate().unwrap();
        let written = req.write(&events, &a, &labels).unwrap();
        assert_eq!(written.len(), 3);
        let verdicts = std::fs::read_to_string(dir.path().join("out/verdicts.csv")).unwrap();
        let header = verdicts.lines().next().unwrap();
        assert!(
            header.starts_with("cluster,invariant,job,verdict,because,"),
            "{header}"
        );
        assert!(verdicts.contains("c1,recover-latest,"), "{verdicts}");
        let failovers = std::fs::read_to_string(dir.path().join("out/failovers.csv")).unwrap();
        assert!(
            failovers
                .lines()
                .nth(1)
                .unwrap()
                .starts_with("c1,1,leader,2026-11-25T12:36:51.606Z,"),
            "{failovers}"
        );
        let events_csv = std::fs::read_to_string(dir.path().join("out/events.csv")).unwrap();
        assert_eq!(events_csv.lines().count(), events.len() + 1);

        let pq = Request {
            verdicts: Some(dir.path().join("v.parquet")),
            ..Request::default()
        };
        let written = pq.write(&events, &a, &labels).unwrap();
        assert_eq!(
            written,
            vec![(dir.path().join("v.parquet"), a.invariants.len())]
        );
        assert_eq!(
            &std::fs::read(dir.path().join("v.parquet")).unwrap()[..4],
            b"PAR1"
        );

        let bad = Request {
            failovers: Some(dir.path().join("f.json")),
            ..Request::default()
        };
        let err = bad.validate().unwrap_err().to_string();
        assert!(err.contains("f.json") && err.contains(".parquet"), "{err}");
    }
}
