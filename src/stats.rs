//! Checkpoint statistics with polars (feature `stats`, on by default).
//!
//! The events of a run become one polars [`DataFrame`] ([`event_frame`]: one row per event,
//! typed columns); per-job checkpoint statistics are computed from that frame with polars
//! filters and aggregations ([`compute`]), and the frame itself can be written to Parquet or
//! CSV ([`export`]) so fleet-wide analysis can continue in DuckDB, Spark or pandas. The check
//! path never needs this module, which is why polars sits behind a cargo feature.
//!
//! Definitions (also in the doc of each [`JobStats`] field):
//!
//! * **savepoints** are kept apart from checkpoints: an attempt is a savepoint when its own
//!   event says so, or when the `checkpoint_triggered` event of the same job and checkpoint
//!   id says so (Flink's `Completed checkpoint N` line does not tell them apart). `triggered`,
//!   `completed`, `failed`, the completion rate, durations, sizes, growth and trigger
//!   intervals are about regular checkpoints only; `savepoints` counts completed savepoints.
//! * **failed** counts failed attempts, not failure lines: the lines about one checkpoint id
//!   (decline, expiry, failure-manager summary) count once, with the reason of its first
//!   line that names one. Failure lines without a checkpoint id count one each.
//! * **completion rate** = completed / (completed + failed); absent when both are zero.
//! * **percentiles** use linear interpolation between the two nearest ranks (polars
//!   `QuantileMethod::Linear`, numpy's default): for sorted values `v[0..n]` the q-quantile
//!   is at rank `h = (n - 1) q`, i.e. `v[⌊h⌋] + (h - ⌊h⌋) (v[⌊h⌋ + 1] - v[⌊h⌋])`. So p50 of
//!   10, 20, 30, 40 is 25 and p95 is 38.5.
//! * **growth** = size of the last completed checkpoint − size of the first (bytes, may be
//!   negative), and the same per hour of wall-clock time between their completions.
//! * **trigger interval** = time between consecutive `checkpoint_triggered` events of the
//!   job, in time order, across all sources: a gap over a failover shows up in the max.
//!
//! RTO and RPO per failover are not computed here: the checker ([`crate::check`]) derives
//! them; [`compute`] tabulates them from its [`Analysis`].

use crate::check::model::{Analysis, CauseKind, FailoverKind};
use crate::events::{format_ts, Event, FieldType, Fields, Kind, FIELD_TYPES};
use crate::labels::Labels;
use polars::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Errors of statistics and export.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// A polars operation failed while computing statistics.
    #[error("computing statistics: {0}")]
    Polars(PolarsError),
    /// `--export` got a file name whose extension is neither `.parquet` nor `.csv`.
    #[error("cannot export to `{path}`: the file name must end in .parquet or .csv")]
    ExportExtension {
        /// The rejected path.
        path: PathBuf,
    },
    /// The export file could not be created.
    #[error("cannot create `{path}`: {error}")]
    Create {
        /// The export path.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// Writing the export file failed.
    #[error("cannot write `{path}`: {error}")]
    Write {
        /// The export path.
        path: PathBuf,
        /// The polars error.
        error: PolarsError,
    },
}

// The underlying errors are not `source`s: their text is already in each message, and a
// source would print it twice in `flinkha: error: …` (which prints the whole chain).
impl From<PolarsError> for StatsError {
    fn from(e: PolarsError) -> Self {
        StatsError::Polars(e)
    }
}

/// Accessor of one text field of [`Fields`].
type StrField = fn(&Fields) -> Option<&str>;
/// Accessor of one integer field of [`Fields`].
type IntField = fn(&Fields) -> Option<u64>;

/// The text fields of [`Fields`], by name.
const STR_FIELDS: &[(&str, StrField)] = &[
    ("entrypoint", |f| f.entrypoint.as_deref()),
    ("version", |f| f.version.as_deref()),
    ("reason", |f| f.reason.as_deref()),
    ("lock", |f| f.lock.as_deref()),
    ("identity", |f| f.identity.as_deref()),
    ("component", |f| f.component.as_deref()),
    ("session", |f| f.session.as_deref()),
    ("address", |f| f.address.as_deref()),
    ("job", |f| f.job.as_deref()),
    ("name", |f| f.name.as_deref()),
    ("from", |f| f.from.as_deref()),
    ("to", |f| f.to.as_deref()),
    ("state", |f| f.state.as_deref()),
    ("resource", |f| f.resource.as_deref()),
    ("path", |f| f.path.as_deref()),
    ("role", |f| f.role.as_deref()),
    ("exception", |f| f.exception.as_deref()),
];

/// The unsigned integer fields of [`Fields`], by name.
const INT_FIELDS: &[(&str, IntField)] = &[
    ("checkpoint", |f| f.checkpoint),
    ("bytes", |f| f.bytes),
    ("duration_ms", |f| f.duration_ms),
    ("count", |f| f.count),
];

/// The column of field `name` (of type `ty`) over `events`. Errors when the field has no
/// accessor here, i.e. a field was added to [`Fields`] but not to this table.
fn field_column(name: &str, ty: FieldType, events: &[Event]) -> PolarsResult<Column> {
    let missing =
        || polars_err!(ComputeError: "event field `{name}` has no column in the stats event table");
    Ok(match ty {
        FieldType::Str => {
            let get = STR_FIELDS
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(missing)?
                .1;
            let v: Vec<Option<&str>> = events.iter().map(|e| get(&e.fields)).collect();
            Column::new(name.into(), v)
        }
        FieldType::Int => {
            let get = INT_FIELDS
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(missing)?
                .1;
            let v: Vec<Option<u64>> = events.iter().map(|e| get(&e.fields)).collect();
            Column::new(name.into(), v)
        }
        FieldType::Bool if name == "savepoint" => {
            let v: Vec<Option<bool>> = events.iter().map(|e| e.fields.savepoint).collect();
            Column::new(name.into(), v)
        }
        FieldType::List if name == "jobs" => {
            let v: Vec<Option<String>> = events
                .iter()
                .map(|e| e.fields.jobs.as_ref().map(|l| l.join(",")))
                .collect();
            Column::new(name.into(), v)
        }
        FieldType::Bool | FieldType::List => return Err(missing()),
    })
}

/// The event table: one row per event, in the order given.
///
/// Columns: `ts` (Datetime, milliseconds, UTC), `source` (str), `line` (u64), `kind` (str,
/// the snake_case kind name), then one column per field of [`Fields`] in
/// [`FIELD_TYPES`] order, named like the field: text fields as str, integers
/// (`checkpoint`, `bytes`, `duration_ms`, `count`) as u64, `savepoint` as bool, the `jobs`
/// list as one str with the ids joined by `,` (CSV has no list type) — null wherever the
/// event does not carry the field — and last `text` (str, the log line).
pub fn event_frame(events: &[Event]) -> PolarsResult<DataFrame> {
    let n = events.len();
    let mut columns: Vec<Column> = Vec::with_capacity(5 + FIELD_TYPES.len());

    let ms: Vec<i64> = events.iter().map(|e| e.ts.timestamp_millis()).collect();
    let ts = Int64Chunked::from_vec("ts".into(), ms)
        .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
    columns.push(ts.into_series().into_column());
    let source: Vec<&str> = events.iter().map(|e| &*e.source).collect();
    columns.push(Column::new("source".into(), source));
    let line: Vec<u64> = events.iter().map(|e| e.line).collect();
    columns.push(Column::new("line".into(), line));
    let kind: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    columns.push(Column::new("kind".into(), kind));
    for (name, ty) in FIELD_TYPES {
        columns.push(field_column(name, *ty, events)?);
    }
    let text: Vec<&str> = events.iter().map(|e| &*e.text).collect();
    columns.push(Column::new("text".into(), text));
    DataFrame::new(n, columns)
}

/// Checkpoint statistics of one job. See the [module documentation](self) for the exact
/// definitions; durations are milliseconds, sizes bytes, and an absent value (no data)
/// is `null` in JSON and empty in CSV.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobStats {
    /// Job id.
    pub job: String,
    /// Job name, when logged.
    pub name: Option<String>,
    /// Checkpoints triggered (savepoints excluded).
    pub triggered: u64,
    /// Checkpoints completed (savepoints excluded).
    pub completed: u64,
    /// Failed checkpoint attempts (distinct checkpoint ids; savepoints excluded).
    pub failed: u64,
    /// completed / (completed + failed), between 0 and 1.
    pub completion_rate: Option<f64>,
    /// Failed attempts per reason (`unknown` when no line named one).
    pub failures_by_reason: BTreeMap<String, u64>,
    /// Completed savepoints.
    pub savepoints: u64,
    /// Median checkpoint duration (linear interpolation).
    pub duration_p50_ms: Option<f64>,
    /// 95th percentile of the checkpoint duration (linear interpolation).
    pub duration_p95_ms: Option<f64>,
    /// Longest checkpoint duration.
    pub duration_max_ms: Option<u64>,
    /// Median checkpoint size.
    pub bytes_p50: Option<f64>,
    /// Largest checkpoint size.
    pub bytes_max: Option<u64>,
    /// Size of the last completed checkpoint minus size of the first.
    pub growth_bytes: Option<i64>,
    /// `growth_bytes` per hour between the first and the last completion (absent when
    /// they completed in the same millisecond).
    pub growth_bytes_per_hour: Option<f64>,
    /// Median time between consecutive checkpoint triggers.
    pub interval_p50_ms: Option<f64>,
    /// Longest time between consecutive checkpoint triggers.
    pub interval_max_ms: Option<i64>,
    /// Application mode: how often the application's `main()` submitted the job (more than
    /// once: it ran again from scratch, after HA metadata was lost or the job had ended).
    pub main_submissions: u64,
    /// Application mode: how often `main()` found the job recovered from the HA store.
    pub main_recoveries: u64,
}

/// RTO / RPO of one job in one failover, as the checker computed them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailoverStats {
    /// Number of the failover, from 1, as in `flinkha timeline` and `check` (`#1`, `#2`).
    pub failover: usize,
    /// Leader change or job restart.
    pub kind: FailoverKind,
    /// The last sign of the old leader, or the failure instant (RFC 3339).
    pub failure_ts: String,
    /// What kind of cause (`jobmanager_killed`, `taskmanager_lost`, …).
    pub cause_kind: CauseKind,
    /// The cause, one sentence.
    pub cause: String,
    /// Time without any leader (leader failovers).
    pub leaderless_ms: Option<i64>,
    /// The job (absent for a failover that affected no known job).
    pub job: Option<String>,
    /// Latest checkpoint completed before the failure.
    pub latest_completed_before: Option<u64>,
    /// Checkpoint restored.
    pub restored_checkpoint: Option<u64>,
    /// Whether the restore was from a savepoint.
    pub restored_savepoint: bool,
    /// Recovery time objective achieved: failure to RUNNING again.
    pub rto_ms: Option<i64>,
    /// Recovery point: processing time lost.
    pub rpo_ms: Option<i64>,
    /// Checkpoints triggered before the failure that never completed.
    pub lost_checkpoints: u64,
    /// The job started again with nothing to restore although checkpoints had completed.
    pub state_lost: bool,
    /// Application mode: the new leader did not recover the job, `main()` submitted it again.
    pub resubmitted: bool,
}

/// Everything `flinkha stats` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// One entry per job, in order of first appearance.
    pub jobs: Vec<JobStats>,
    /// One entry per failover and job, in failover order.
    pub failovers: Vec<FailoverStats>,
}

/// Compute checkpoint statistics per job from `events` (with polars), and tabulate RTO / RPO
/// per failover from `analysis` when given.
pub fn compute(events: &[Event], analysis: Option<&Analysis>) -> Result<Stats, StatsError> {
    // One frame per job, built from that job's events: filtering one frame of all events
    // once per job would be quadratic for a session cluster that ran thousands of jobs.
    let mut by_job: HashMap<&str, Vec<Event>> = HashMap::new();
    for e in events {
        if let Some(j) = e.job() {
            by_job.entry(j).or_default().push(e.clone());
        }
    }
    let mut jobs = Vec::new();
    for job in job_order(events) {
        let of_job = by_job.remove(job.as_str()).unwrap_or_default();
        jobs.push(job_stats(&event_frame(&of_job)?, &job)?);
    }
    let failovers = analysis.map(failover_rows).unwrap_or_default();
    Ok(Stats { jobs, failovers })
}

/// Job ids in order of first appearance (the `job` field of any event).
fn job_order(events: &[Event]) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for e in events {
        if let Some(j) = e.job() {
            if seen.insert(j) {
                out.push(j.to_string());
            }
        }
    }
    out
}

/// Rows of `df` where column `col` (str) equals `value`; nulls never match.
fn str_eq(df: &DataFrame, col: &str, value: &str) -> PolarsResult<BooleanChunked> {
    df.column(col)?
        .str()?
        .equal(value)
        .fill_null_with_values(false)
}

/// A frame's `col` (u64) as plain values, nulls dropped.
fn u64_values(df: &DataFrame, col: &str) -> PolarsResult<Vec<u64>> {
    Ok(df.column(col)?.u64()?.iter().flatten().collect())
}

/// Milliseconds since the epoch of the `ts` column, in row order.
fn ts_millis(df: &DataFrame) -> PolarsResult<Int64Chunked> {
    Ok(df
        .column("ts")?
        .as_materialized_series()
        .to_physical_repr()
        .i64()?
        .clone())
}

/// Whether each row of `df` is a savepoint attempt: its own `savepoint` flag, or the flag of
/// the trigger of the same checkpoint id (`savepoint_ids`).
fn savepoint_mask(df: &DataFrame, savepoint_ids: &HashSet<u64>) -> PolarsResult<BooleanChunked> {
    let own = df.column("savepoint")?.bool()?;
    let ids = df.column("checkpoint")?.u64()?;
    let mask: Vec<bool> = own
        .iter()
        .zip(ids.iter())
        .map(|(sp, id)| sp == Some(true) || id.is_some_and(|i| savepoint_ids.contains(&i)))
        .collect();
    Ok(BooleanChunked::from_slice("savepoint".into(), &mask))
}

/// Statistics of one job from the event frame.
fn job_stats(df: &DataFrame, job: &str) -> PolarsResult<JobStats> {
    let of_job = df.filter(&str_eq(df, "job", job)?)?;
    let of_kind = |k: Kind| -> PolarsResult<DataFrame> {
        of_job.filter(&str_eq(&of_job, "kind", k.as_str())?)
    };

    let name = of_job
        .column("name")?
        .str()?
        .iter()
        .flatten()
        .next()
        .map(str::to_string);

    let triggered_all = of_kind(Kind::CheckpointTriggered)?;
    let sp_trig = triggered_all.filter(
        &triggered_all
            .column("savepoint")?
            .bool()?
            .fill_null_with_values(false)?,
    )?;
    let savepoint_ids: HashSet<u64> = u64_values(&sp_trig, "checkpoint")?.into_iter().collect();

    let split = |frame: DataFrame| -> PolarsResult<(DataFrame, DataFrame)> {
        let sp = savepoint_mask(&frame, &savepoint_ids)?;
        Ok((frame.filter(&!&sp)?, frame.filter(&sp)?))
    };
    let (mut triggered, _) = split(triggered_all)?;
    let (mut completed, completed_sp) = split(of_kind(Kind::CheckpointCompleted)?)?;
    let (failed, _) = split(of_kind(Kind::CheckpointFailed)?)?;

    let sort = SortMultipleOptions::default().with_maintain_order(true);
    completed = completed.sort(["ts"], sort.clone())?;
    triggered = triggered.sort(["ts"], sort)?;

    let (failed_count, failures_by_reason) = failures(&failed)?;
    let completed_count = completed.height() as u64;
    let attempts = completed_count + failed_count;
    let completion_rate = (attempts > 0).then(|| completed_count as f64 / attempts as f64);

    let duration = completed.column("duration_ms")?.u64()?;
    let bytes = completed.column("bytes")?.u64()?;
    let (growth_bytes, growth_bytes_per_hour) = growth(&completed)?;

    let trig_ts = ts_millis(&triggered)?;
    let intervals: Int64Chunked = &trig_ts - &trig_ts.shift(1);

    Ok(JobStats {
        job: job.to_string(),
        name,
        triggered: triggered.height() as u64,
        completed: completed_count,
        failed: failed_count,
        completion_rate,
        failures_by_reason,
        savepoints: completed_sp.height() as u64,
        duration_p50_ms: duration.quantile(0.5, QuantileMethod::Linear)?,
        duration_p95_ms: duration.quantile(0.95, QuantileMethod::Linear)?,
        duration_max_ms: duration.max(),
        bytes_p50: bytes.quantile(0.5, QuantileMethod::Linear)?,
        bytes_max: bytes.max(),
        growth_bytes,
        growth_bytes_per_hour,
        interval_p50_ms: intervals.quantile(0.5, QuantileMethod::Linear)?,
        interval_max_ms: intervals.max(),
        main_submissions: of_kind(Kind::ApplicationSubmitted)?.height() as u64,
        main_recoveries: of_kind(Kind::ApplicationRecovered)?.height() as u64,
    })
}

/// Distinct failed attempts and their reasons. Lines with the same checkpoint id are one
/// attempt, with the reason of its first line that names one.
fn failures(failed: &DataFrame) -> PolarsResult<(u64, BTreeMap<String, u64>)> {
    let ids = failed.column("checkpoint")?.u64()?;
    let reasons = failed.column("reason")?.str()?;
    // Attempt key -> reason; keys are the checkpoint id, or a unique key per id-less line.
    let mut attempts: Vec<Option<&str>> = Vec::new();
    let mut by_id: HashMap<u64, usize> = HashMap::new();
    for (id, reason) in ids.iter().zip(reasons.iter()) {
        match id {
            Some(id) => match by_id.get(&id) {
                Some(&i) => {
                    if let Some(slot) = attempts.get_mut(i) {
                        if slot.is_none() {
                            *slot = reason;
                        }
                    }
                }
                None => {
                    by_id.insert(id, attempts.len());
                    attempts.push(reason);
                }
            },
            None => attempts.push(reason),
        }
    }
    let mut by_reason = BTreeMap::new();
    for r in &attempts {
        *by_reason
            .entry(r.unwrap_or("unknown").to_string())
            .or_insert(0) += 1;
    }
    Ok((attempts.len() as u64, by_reason))
}

/// Growth of the checkpoint size: last − first (bytes), and per hour between them.
/// `completed` must be sorted by time; rows without a size are ignored.
fn growth(completed: &DataFrame) -> PolarsResult<(Option<i64>, Option<f64>)> {
    let sized = completed.filter(&completed.column("bytes")?.is_not_null())?;
    let bytes = u64_values(&sized, "bytes")?;
    let ts: Vec<i64> = ts_millis(&sized)?.iter().flatten().collect();
    let (Some(first), Some(last), Some(t0), Some(t1)) =
        (bytes.first(), bytes.last(), ts.first(), ts.last())
    else {
        return Ok((None, None));
    };
    let g = i64::try_from(*last).unwrap_or(i64::MAX) - i64::try_from(*first).unwrap_or(i64::MAX);
    let span_ms = t1 - t0;
    let per_hour = (span_ms > 0).then(|| g as f64 * 3_600_000.0 / span_ms as f64);
    Ok((Some(g), per_hour))
}

/// One row per failover and job from the checker's analysis.
fn failover_rows(analysis: &Analysis) -> Vec<FailoverStats> {
    let mut rows = Vec::new();
    for f in &analysis.failovers {
        let base = FailoverStats {
            failover: f.id + 1,
            kind: f.kind,
            failure_ts: format_ts(&f.failure_ts),
            cause_kind: f.cause.kind,
            cause: f.cause.text.clone(),
            leaderless_ms: f.leaderless_ms,
            job: None,
            latest_completed_before: None,
            restored_checkpoint: None,
            restored_savepoint: false,
            rto_ms: None,
            rpo_ms: None,
            lost_checkpoints: 0,
            state_lost: false,
            resubmitted: false,
        };
        if f.jobs.is_empty() {
            rows.push(base);
            continue;
        }
        for j in &f.jobs {
            rows.push(FailoverStats {
                job: Some(j.job.clone()),
                latest_completed_before: j.latest_completed_before,
                restored_checkpoint: j.restored_checkpoint,
                restored_savepoint: j.restored_savepoint,
                rto_ms: j.rto_ms,
                rpo_ms: j.rpo_ms,
                lost_checkpoints: j.lost_checkpoints.len() as u64,
                state_lost: j.fresh_start,
                resubmitted: j.resubmitted,
                ..base.clone()
            });
        }
    }
    rows
}

/// Write the event table ([`event_frame`]) to `path`: Parquet when the name ends in
/// `.parquet`, CSV with a header row when it ends in `.csv` (case-insensitive). Instants
/// in CSV are RFC 3339 UTC with milliseconds, e.g. `2026-11-25T12:36:21.692Z`. The fleet
/// tables (verdicts, failovers, labels) are in [`crate::export`].
pub fn export(events: &[Event], path: &Path) -> Result<(), StatsError> {
    let format = crate::export::Format::of_path(path)?;
    let mut df = event_frame(events)?;
    crate::export::write(&mut df, path, format)
}

// ---------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------

/// `Some(x)` as text, `None` as `-` (text tables).
fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "-".into())
}

/// A float with at most one decimal, without a trailing `.0`.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// An optional float via [`num`], `-` when absent.
fn optf(v: Option<f64>) -> String {
    v.map(num).unwrap_or_else(|| "-".into())
}

/// `reason=n;reason=n`, for tables.
fn reasons(m: &BTreeMap<String, u64>) -> String {
    m.iter()
        .map(|(r, n)| format!("{r}={n}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The snake_case name of a failover kind.
pub(crate) fn kind_name(k: FailoverKind) -> &'static str {
    match k {
        FailoverKind::Leader => "leader",
        FailoverKind::JobRestart => "job_restart",
    }
}

/// Render rows as an aligned table (two spaces between columns, no trailing blanks).
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut line = |cells: Vec<&str>| {
        let mut l = String::new();
        for (i, (c, w)) in cells.iter().zip(&width).enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            l.push_str(c);
            l.push_str(&" ".repeat(w.saturating_sub(c.chars().count())));
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}

/// Column headers of the per-job table (text and CSV share the order).
const JOB_HEADER: &[&str] = &[
    "job",
    "name",
    "triggered",
    "completed",
    "failed",
    "completion_rate",
    "failures_by_reason",
    "savepoints",
    "duration_p50_ms",
    "duration_p95_ms",
    "duration_max_ms",
    "bytes_p50",
    "bytes_max",
    "growth_bytes",
    "growth_bytes_per_hour",
    "interval_p50_ms",
    "interval_max_ms",
    "main_submissions",
    "main_recoveries",
];

/// Human-readable text: a per-job table, then (when there were failovers) a per-failover
/// table of RTO and RPO.
pub fn render_text(stats: &Stats) -> String {
    let mut out = String::new();
    if stats.jobs.is_empty() {
        out.push_str("no jobs found in the events\n");
    } else {
        let header = [
            "JOB",
            "NAME",
            "TRIG",
            "DONE",
            "FAIL",
            "RATE",
            "SP",
            "DUR p50",
            "p95",
            "max",
            "SIZE p50",
            "max",
            "GROWTH",
            "/h",
            "INTERVAL p50",
            "max",
            "FAILURES",
        ];
        // Application mode only: how `main()` brought each job up.
        let app = stats
            .jobs
            .iter()
            .any(|j| j.main_submissions + j.main_recoveries > 0);
        let mut header = header.to_vec();
        if app {
            header.insert(2, "MAIN() sub/rec");
        }
        let rows: Vec<Vec<String>> = stats
            .jobs
            .iter()
            .map(|j| {
                let mut row = vec![
                    j.job.clone(),
                    j.name.clone().unwrap_or_else(|| "-".into()),
                    j.triggered.to_string(),
                    j.completed.to_string(),
                    j.failed.to_string(),
                    j.completion_rate
                        .map(|r| format!("{}%", num(r * 100.0)))
                        .unwrap_or_else(|| "-".into()),
                    j.savepoints.to_string(),
                    optf(j.duration_p50_ms),
                    optf(j.duration_p95_ms),
                    opt(j.duration_max_ms),
                    optf(j.bytes_p50),
                    opt(j.bytes_max),
                    opt(j.growth_bytes),
                    optf(j.growth_bytes_per_hour),
                    optf(j.interval_p50_ms),
                    opt(j.interval_max_ms),
                    if j.failures_by_reason.is_empty() {
                        "-".into()
                    } else {
                        reasons(&j.failures_by_reason)
                    },
                ];
                if app {
                    row.insert(2, format!("{}/{}", j.main_submissions, j.main_recoveries));
                }
                row
            })
            .collect();
        out.push_str("Checkpoints per job (durations and intervals in ms, sizes in bytes)\n");
        table(&mut out, &header, &rows);
    }
    if !stats.failovers.is_empty() {
        let header = [
            "#",
            "KIND",
            "FAILURE",
            "CAUSE",
            "JOB",
            "LATEST",
            "RESTORED",
            "RTO ms",
            "RPO ms",
            "LEADERLESS ms",
            "LOST",
        ];
        let rows: Vec<Vec<String>> = stats
            .failovers
            .iter()
            .map(|f| {
                vec![
                    f.failover.to_string(),
                    kind_name(f.kind).to_string(),
                    f.failure_ts.clone(),
                    format!("{}: {}", f.cause_kind.as_str(), f.cause),
                    f.job.clone().unwrap_or_else(|| "-".into()),
                    opt(f.latest_completed_before),
                    match f.restored_checkpoint {
                        Some(c) if f.restored_savepoint => format!("savepoint {c}"),
                        None if f.state_lost => "none: state lost".to_string(),
                        other => opt(other),
                    } + if f.resubmitted {
                        " (main() re-submitted)"
                    } else {
                        ""
                    },
                    opt(f.rto_ms),
                    opt(f.rpo_ms),
                    opt(f.leaderless_ms),
                    f.lost_checkpoints.to_string(),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str("Failovers\n");
        table(&mut out, &header, &rows);
    }
    out
}

/// One JSON document: `{"labels": {...}, "jobs": [...], "failovers": [...]}` with the run's
/// `--label` pairs and the fields of [`JobStats`] and [`FailoverStats`].
pub fn render_json(stats: &Stats, labels: &Labels) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        labels: &'a Labels,
        #[serde(flatten)]
        stats: &'a Stats,
    }
    let mut s = serde_json::to_string_pretty(&Doc { labels, stats }).unwrap_or_else(|e| {
        // Serialising plain structs of strings and numbers cannot fail; keep the output
        // well-formed JSON anyway.
        serde_json::json!({ "error": e.to_string() }).to_string()
    });
    s.push('\n');
    s
}

/// Quote a CSV cell when needed (RFC 4180).
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The per-job table as CSV with a header row, one column per run label in front; absent
/// values are empty cells, `failures_by_reason` is `reason=n;reason=n`.
pub fn render_csv(stats: &Stats, labels: &Labels) -> String {
    let mut out = String::new();
    let mut header: Vec<&str> = labels.iter().map(|(k, _)| k).collect();
    header.extend_from_slice(JOB_HEADER);
    out.push_str(&header.join(","));
    out.push('\n');
    let label_cells: Vec<String> = labels.iter().map(|(_, v)| csv_cell(v)).collect();
    let e = |v: Option<String>| v.unwrap_or_default();
    for j in &stats.jobs {
        let cells = [
            j.job.clone(),
            e(j.name.clone()),
            j.triggered.to_string(),
            j.completed.to_string(),
            j.failed.to_string(),
            e(j.completion_rate.map(|x| x.to_string())),
            reasons(&j.failures_by_reason),
            j.savepoints.to_string(),
            e(j.duration_p50_ms.map(|x| x.to_string())),
            e(j.duration_p95_ms.map(|x| x.to_string())),
            e(j.duration_max_ms.map(|x| x.to_string())),
            e(j.bytes_p50.map(|x| x.to_string())),
            e(j.bytes_max.map(|x| x.to_string())),
            e(j.growth_bytes.map(|x| x.to_string())),
            e(j.growth_bytes_per_hour.map(|x| x.to_string())),
            e(j.interval_p50_ms.map(|x| x.to_string())),
            e(j.interval_max_ms.map(|x| x.to_string())),
            j.main_submissions.to_string(),
            j.main_recoveries.to_string(),
        ];
        let mut line = label_cells.clone();
        line.extend(cells.iter().map(|c| csv_cell(c)));
        let _ = writeln!(out, "{}", line.join(","));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::model::{Cause, Failover, JobRecovery, Outcome};
    use chrono::{DateTime, TimeZone as _, Utc};
    use std::sync::Arc;

    const JOB: &str = "6cecd03fbdf46ddd31c32d9bdc34c1b5";
    const OTHER: &str = "00000000000000000000000000000001";

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(1_795_610_000_000 + ms)
            .single()
            .unwrap_or_default()
    }

    fn ev(ms: i64, kind: Kind, fields: Fields) -> Event {
        Event {
            ts: at(ms),
            source: Arc::from("jm.log"),
            line: ms as u64,
            kind,
            fields: Box::new(fields),
            text: format!("{kind} at {ms}").into(),
        }
    }

    fn trig(ms: i64, id: u64, savepoint: Option<bool>) -> Event {
        let f = Fields {
            job: Some(JOB.into()),
            checkpoint: Some(id),
            savepoint,
            ..Fields::default()
        };
        ev(ms, Kind::CheckpointTriggered, f)
    }

    fn done(ms: i64, id: u64, bytes: u64, duration: u64) -> Event {
        let f = Fields {
            job: Some(JOB.into()),
            checkpoint: Some(id),
            bytes: Some(bytes),
            duration_ms: Some(duration),
            ..Fields::default()
        };
        ev(ms, Kind::CheckpointCompleted, f)
    }

    fn fail(ms: i64, id: Option<u64>, reason: Option<&str>) -> Event {
        let f = Fields {
            job: Some(JOB.into()),
            checkpoint: id,
            reason: reason.map(str::to_string),
            ..Fields::default()
        };
        ev(ms, Kind::CheckpointFailed, f)
    }

    fn only_job(events: &[Event]) -> JobStats {
        let s = compute(events, None).unwrap();
        assert_eq!(s.jobs.len(), 1, "{s:?}");
        s.jobs.into_iter().next().unwrap()
    }

    #[test]
    fn percentiles_interpolate_linearly() {
        // Sorted 10, 20, 30, 40: p50 at rank 1.5 -> 25; p95 at rank 2.85 -> 30 + 0.85 * 10.
        let ev = [
            done(0, 1, 100, 40),
            done(1000, 2, 300, 10),
            done(2000, 3, 200, 30),
            done(3000, 4, 400, 20),
        ];
        let j = only_job(&ev);
        assert_eq!(j.completed, 4);
        assert_eq!(j.duration_p50_ms, Some(25.0));
        assert_eq!(j.duration_p95_ms, Some(38.5));
        assert_eq!(j.duration_max_ms, Some(40));
        assert_eq!(j.bytes_p50, Some(250.0));
        assert_eq!(j.bytes_max, Some(400));
    }

    #[test]
    fn odd_count_median_is_the_middle_value() {
        let ev = [done(0, 1, 7, 5), done(1, 2, 9, 100), done(2, 3, 8, 6)];
        let j = only_job(&ev);
        assert_eq!(j.duration_p50_ms, Some(6.0));
        // rank 0.95 * 2 = 1.9 -> 6 + 0.9 * 94
        assert_eq!(
            j.duration_p95_ms.map(|v| (v * 10.0).round() / 10.0),
            Some(90.6)
        );
        assert_eq!(j.bytes_p50, Some(8.0));
    }

    #[test]
    fn trigger_intervals_follow_time_order() {
        // Given out of order on purpose: intervals are 2000, 2000, 6000.
        let ev = [
            trig(4000, 3, None),
            trig(0, 1, None),
            trig(2000, 2, Some(false)),
            trig(10_000, 4, None),
        ];
        let j = only_job(&ev);
        assert_eq!(j.triggered, 4);
        assert_eq!(j.interval_p50_ms, Some(2000.0));
        assert_eq!(j.interval_max_ms, Some(6000));
        assert_eq!(j.completed, 0);
        assert_eq!(j.completion_rate, None);
        assert_eq!(j.duration_p50_ms, None);
    }

    #[test]
    fn single_trigger_has_no_interval() {
        let j = only_job(&[trig(0, 1, None)]);
        assert_eq!(j.interval_p50_ms, None);
        assert_eq!(j.interval_max_ms, None);
    }

    #[test]
    fn growth_is_last_minus_first_and_per_hour() {
        // 100 bytes, then 400 bytes 30 minutes later: +300, +600 per hour.
        let ev = [
            done(0, 1, 100, 1),
            done(600_000, 2, 50, 1),
            done(1_800_000, 3, 400, 1),
        ];
        let j = only_job(&ev);
        assert_eq!(j.growth_bytes, Some(300));
        assert_eq!(j.growth_bytes_per_hour, Some(600.0));

        let shrink = [done(0, 1, 400, 1), done(3_600_000, 2, 100, 1)];
        let j = only_job(&shrink);
        assert_eq!(j.growth_bytes, Some(-300));
        assert_eq!(j.growth_bytes_per_hour, Some(-300.0));

        let one = only_job(&[done(0, 1, 400, 1)]);
        assert_eq!(one.growth_bytes, Some(0));
        assert_eq!(one.growth_bytes_per_hour, None);
    }

    #[test]
    fn savepoints_are_counted_apart() {
        // Checkpoint 2 is a savepoint: said by its trigger only, as in Flink's log lines.
        let ev = [
            trig(0, 1, Some(false)),
            done(100, 1, 1000, 100),
            trig(2000, 2, Some(true)),
            done(9000, 2, 99_999, 7000),
            trig(10_000, 3, None),
            done(10_050, 3, 2000, 50),
        ];
        let j = only_job(&ev);
        assert_eq!(j.savepoints, 1);
        assert_eq!(j.triggered, 2);
        assert_eq!(j.completed, 2);
        assert_eq!(j.duration_max_ms, Some(100));
        assert_eq!(j.bytes_max, Some(2000));
        assert_eq!(j.interval_max_ms, Some(10_000));
        assert_eq!(j.growth_bytes, Some(1000));
    }

    #[test]
    fn failures_count_attempts_and_reasons() {
        let ev = [
            trig(0, 6, None),
            done(50, 6, 10, 50),
            trig(2000, 7, None),
            fail(3000, Some(7), None),
            fail(3001, Some(7), Some("expired")),
            fail(3002, Some(7), Some("declined")),
            trig(4000, 8, None),
            fail(4500, Some(8), Some("declined")),
            fail(5000, None, Some("not all required tasks are running")),
        ];
        let j = only_job(&ev);
        assert_eq!(j.failed, 3);
        assert_eq!(j.completed, 1);
        assert_eq!(j.completion_rate, Some(0.25));
        let want: BTreeMap<String, u64> = [
            ("declined".to_string(), 1),
            ("expired".to_string(), 1),
            ("not all required tasks are running".to_string(), 1),
        ]
        .into_iter()
        .collect();
        assert_eq!(j.failures_by_reason, want);

        let unknown = only_job(&[fail(0, Some(1), None)]);
        assert_eq!(unknown.failures_by_reason.get("unknown"), Some(&1));
        assert_eq!(unknown.completion_rate, Some(0.0));
    }

    #[test]
    fn jobs_in_order_of_appearance_with_names() {
        let submitted = Fields {
            job: Some(OTHER.into()),
            name: Some("second, with comma".into()),
            ..Fields::default()
        };
        let ev = [
            done(0, 1, 10, 10),
            ev(1, Kind::JobSubmitted, submitted),
            ev(2, Kind::ProcessStarted, Fields::default()),
            done(3, 2, 10, 20),
        ];
        let s = compute(&ev, None).unwrap();
        let ids: Vec<&str> = s.jobs.iter().map(|j| j.job.as_str()).collect();
        assert_eq!(ids, [JOB, OTHER]);
        assert_eq!(s.jobs[0].completed, 2);
        assert_eq!(s.jobs[1].completed, 0);
        assert_eq!(s.jobs[1].name.as_deref(), Some("second, with comma"));
        assert!(s.failovers.is_empty());

        let csv = render_csv(&s, &Labels::none());
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], JOB_HEADER.join(","));
        assert!(
            lines[2].starts_with(&format!("{OTHER},\"second, with comma\",0,0,0,,")),
            "{}",
            lines[2]
        );
        assert!(
            lines[1].starts_with(&format!("{JOB},,0,2,0,1,,0,15,")),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn labels_lead_the_csv_and_the_json() {
        let s = compute(&[done(0, 1, 10, 10)], None).unwrap();
        let labels = Labels::parse(&["cluster=c,1", "env=prod"]).unwrap();
        let csv = render_csv(&s, &labels);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], format!("cluster,env,{}", JOB_HEADER.join(",")));
        assert!(
            lines[1].starts_with(&format!("\"c,1\",prod,{JOB},")),
            "{}",
            lines[1]
        );
        let json: serde_json::Value = serde_json::from_str(&render_json(&s, &labels)).unwrap();
        assert_eq!(json["labels"]["cluster"], "c,1");
        assert_eq!(json["jobs"][0]["job"], JOB);
    }

    #[test]
    fn no_events_no_jobs() {
        let s = compute(&[], None).unwrap();
        assert!(s.jobs.is_empty());
        assert_eq!(render_text(&s), "no jobs found in the events\n");
        assert_eq!(render_csv(&s, &Labels::none()).lines().count(), 1);
    }

    #[test]
    fn failovers_tabulate_rto_and_rpo_of_the_analysis() {
        let analysis = Analysis {
            verdict: Outcome::Pass,
            invariants: vec![],
            failovers: vec![
                Failover {
                    id: 0,
                    kind: FailoverKind::Leader,
                    failure_ts: at(0),
                    new_leader_ts: Some(at(11_000)),
                    leaderless_ms: Some(11_000),
                    from_term: Some(0),
                    to_term: Some(1),
                    cause: Cause {
                        kind: CauseKind::JobmanagerKilled,
                        text: "log ends (kill -9?)".into(),
                        evidence: vec![],
                    },
                    jobs: vec![JobRecovery {
                        job: JOB.into(),
                        latest_completed_before: Some(12),
                        latest_completed_ts: Some(at(-300)),
                        restored_checkpoint: Some(12),
                        restored_savepoint: false,
                        restored_ts: Some(at(12_000)),
                        running_ts: Some(at(12_500)),
                        rto_ms: Some(12_500),
                        rpo_ms: Some(300),
                        first_completed_after: Some(13),
                        lost_checkpoints: vec![13, 14],
                        fresh_start: false,
                        resubmitted: false,
                    }],
                    advice: vec![],
                },
                Failover {
                    id: 1,
                    kind: FailoverKind::JobRestart,
                    failure_ts: at(60_000),
                    new_leader_ts: None,
                    leaderless_ms: None,
                    from_term: Some(1),
                    to_term: Some(1),
                    cause: Cause {
                        kind: CauseKind::TaskmanagerLost,
                        text: "TaskManager lost".into(),
                        evidence: vec![],
                    },
                    jobs: vec![],
                    advice: vec![],
                },
            ],
            incarnations: vec![],
            terms: vec![],
            jobs: vec![],
            notes: vec![],
            advice: vec![],
            others: vec![],
            span: None,
        };
        let s = compute(&[done(0, 1, 1, 1)], Some(&analysis)).unwrap();
        assert_eq!(s.failovers.len(), 2);
        let f = &s.failovers[0];
        assert_eq!(f.job.as_deref(), Some(JOB));
        assert_eq!((f.rto_ms, f.rpo_ms), (Some(12_500), Some(300)));
        assert_eq!(f.restored_checkpoint, Some(12));
        assert_eq!(f.lost_checkpoints, 2);
        assert_eq!(f.failure_ts, "2026-11-25T12:33:20.000Z");
        assert_eq!(s.failovers[1].job, None);
        assert_eq!(s.failovers[1].rto_ms, None);

        let text = render_text(&s);
        assert!(text.contains("Failovers"), "{text}");
        assert!(text.contains("12500"), "{text}");
        let json: serde_json::Value =
            serde_json::from_str(&render_json(&s, &Labels::none())).unwrap();
        assert_eq!(json["failovers"][0]["rto_ms"], 12_500);
        assert_eq!(json["failovers"][0]["kind"], "leader");
        assert_eq!(json["failovers"][1]["kind"], "job_restart");
        assert_eq!(json["jobs"][0]["completed"], 1);
    }

    #[test]
    fn event_frame_has_one_typed_column_per_field() {
        let mut f = Fields {
            job: Some(JOB.into()),
            jobs: Some(vec![JOB.into(), OTHER.into()]),
            checkpoint: Some(12),
            savepoint: Some(true),
            ..Fields::default()
        };
        f.bytes = Some(3206);
        let events = [done(5, 1, 3206, 153), ev(7, Kind::JobGraphsRetrieved, f)];
        let df = event_frame(&events).unwrap();
        assert_eq!(df.height(), 2);

        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(&names[..4], ["ts", "source", "line", "kind"]);
        assert_eq!(names.last().map(String::as_str), Some("text"));
        assert_eq!(names.len(), 5 + FIELD_TYPES.len());
        let field_names: Vec<&str> = FIELD_TYPES.iter().map(|(n, _)| *n).collect();
        assert_eq!(&names[4..names.len() - 1], field_names.as_slice());
        for (name, ty) in FIELD_TYPES {
            let dtype = df.column(name).unwrap().dtype().clone();
            let want = match ty {
                FieldType::Str | FieldType::List => DataType::String,
                FieldType::Int => DataType::UInt64,
                FieldType::Bool => DataType::Boolean,
            };
            assert_eq!(dtype, want, "column {name}");
        }
        assert_eq!(
            df.column("ts").unwrap().dtype(),
            &DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
        );
        let ts = ts_millis(&df).unwrap();
        assert_eq!(ts.get(1), Some(at(7).timestamp_millis()));
        assert_eq!(
            df.column("kind").unwrap().str().unwrap().get(1),
            Some("job_graphs_retrieved")
        );
        assert_eq!(
            df.column("jobs").unwrap().str().unwrap().get(1),
            Some(format!("{JOB},{OTHER}").as_str())
        );
        assert_eq!(df.column("jobs").unwrap().str().unwrap().get(0), None);
        assert_eq!(
            df.column("duration_ms").unwrap().u64().unwrap().get(0),
            Some(153)
        );
        assert_eq!(
            df.column("duration_ms").unwrap().u64().unwrap().get(1),
            None
        );
        assert_eq!(
            df.column("savepoint").unwrap().bool().unwrap().get(1),
            Some(true)
        );
        assert_eq!(df.column("line").unwrap().u64().unwrap().get(1), Some(7));
        assert_eq!(
            df.column("text").unwrap().str().unwrap().get(0),
            Some("checkpoint_completed at 5")
        );
    }

    #[test]
    fn export_by_extension() {
        let dir = tempfile::tempdir().unwrap();
        let events = [
            trig(0, 1, None),
            done(100, 1, 3206, 100),
            fail(200, Some(2), Some("x,y")),
        ];

        let csv = dir.path().join("events.CSV");
        export(&events, &csv).unwrap();
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        assert!(header.starts_with("ts,source,line,kind,"), "{header}");
        assert!(header.ends_with(",text"), "{header}");
        let first = lines.next().unwrap();
        assert!(
            first.starts_with("2026-11-25T12:33:20.000Z,jm.log,0,checkpoint_triggered,"),
            "{first}"
        );
        assert_eq!(lines.count(), 2);

        let pq = dir.path().join("events.parquet");
        export(&events, &pq).unwrap();
        let bytes = std::fs::read(&pq).unwrap();
        assert_eq!(&bytes[..4], b"PAR1");

        let bad = dir.path().join("events.txt");
        let err = export(&events, &bad).unwrap_err().to_string();
        assert!(
            err.contains("events.txt") && err.contains(".parquet") && err.contains(".csv"),
            "{err}"
        );
        assert!(!bad.exists());

        let missing = dir.path().join("no/such/dir/x.csv");
        let err = export(&events, &missing).unwrap_err().to_string();
        assert!(err.contains("no/such/dir/x.csv"), "{err}");
    }

    #[test]
    fn text_table_is_aligned() {
        let s = compute(
            &[done(0, 1, 10, 10), fail(1, Some(2), Some("expired"))],
            None,
        )
        .unwrap();
        let text = render_text(&s);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        let col = lines[1].find("TRIG").unwrap();
        assert_eq!(&lines[2][col..col + 1], "0", "{text}");
        assert!(lines[2].contains("50%"), "{text}");
        assert!(lines[2].ends_with("expired=1"), "{text}");
    }
}
