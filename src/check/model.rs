//! The model the checker builds from events, and the results it hands to reports.
//!
//! Everything here is plain data: the state machine in [`super::Checker`] fills it, renderers
//! in [`crate::report`] read it. Instants are UTC; durations are milliseconds.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;

/// PASS, FAIL or UNKNOWN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Outcome {
    /// Positive evidence that the invariant held.
    Pass,
    /// Not enough evidence to judge (says what is missing).
    Unknown,
    /// The events prove a violation.
    Fail,
}

impl Outcome {
    /// `PASS`, `FAIL` or `UNKNOWN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Unknown => "UNKNOWN",
            Outcome::Fail => "FAIL",
        }
    }
}

/// One log line that supports a verdict.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Evidence {
    /// File path or pod (shared with the events of that source).
    #[serde(serialize_with = "crate::events::ser_arc")]
    pub source: Arc<str>,
    /// 1-based line number.
    pub line: u64,
    /// RFC 3339 instant.
    pub ts: String,
    /// The line's text (shared with the event and the other evidence of that line).
    #[serde(serialize_with = "crate::events::ser_arc")]
    pub text: Arc<str>,
}

/// The verdict of one invariant (for one job, where the invariant is per job).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// Invariant id, e.g. `single-leader`.
    pub id: String,
    /// The outcome.
    pub verdict: Outcome,
    /// The job it is about, for per-job invariants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// One sentence: why.
    pub because: String,
    /// The few lines that prove it.
    pub evidence: Vec<Evidence>,
    /// Known Flink bugs whose signature this verdict's evidence matches (advisor notes, see
    /// [`crate::advice`]). They explain; they never change the outcome.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advice: Vec<Advice>,
}

/// Whether the logged Flink version is one a known bug affects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applies {
    /// The version is in the bug's affected range.
    Affected,
    /// The signature matched, but the version is not known to be affected.
    NotAffected,
    /// The logs do not name the Flink version.
    VersionUnknown,
}

/// An advisor note: the logs show the signature of a known Flink (or bundled library) bug.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Advice {
    /// The bug's id, e.g. `FLINK-34007`, `CURATOR-696`.
    pub bug: String,
    /// What goes wrong, in one line.
    pub title: String,
    /// Whether the logged version is affected.
    pub applies: Applies,
    /// The Flink versions the matched processes logged (empty when none did).
    pub versions: Vec<String>,
    /// The affected Flink versions, as the advice file writes them.
    pub affects: String,
    /// Where the fix is.
    pub fixed: String,
    /// What to do.
    pub advice: String,
    /// The whole note as one sentence, for text outputs.
    pub note: String,
    /// The lines that matched the signature.
    pub evidence: Vec<Evidence>,
}

/// A process that is not a JobManager, known from its own lines (`role`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OtherProcess {
    /// File path or pod.
    pub source: String,
    /// `taskmanager`, `zookeeper` or `client`.
    pub role: String,
    /// A short label, e.g. `taskexecutor-0`.
    pub label: String,
    /// TaskManager resource id, when logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// First record seen.
    pub first_ts: DateTime<Utc>,
    /// Last record seen.
    pub last_ts: DateTime<Utc>,
    /// Why it stopped, when logged (`SIGTERM`, `fatal error`); none: its log just ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
}

/// How a JobManager incarnation's log ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncarnationEnd {
    /// Orderly shutdown (signal, shutdown request).
    Stopped,
    /// Fatal error in the cluster entrypoint.
    Crashed,
    /// The log stops without shutdown lines (kill -9, OOM kill, node loss, or still running).
    LogEnds,
    /// A new incarnation started in the same source (container restart).
    Restarted,
}

/// One JobManager process lifetime: a source (file or pod) split at startup banners.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Incarnation {
    /// Index in [`Analysis::incarnations`].
    pub id: usize,
    /// File path or pod.
    pub source: String,
    /// A short label for charts, e.g. `jm-0 (standalonesession-0)`.
    pub label: String,
    /// First record seen.
    pub first_ts: DateTime<Utc>,
    /// Last record seen.
    pub last_ts: DateTime<Utc>,
    /// Flink version from the banner, when logged.
    pub version: Option<String>,
    /// Entrypoint class, when logged.
    pub entrypoint: Option<String>,
    /// Kubernetes HA lock identity, when logged.
    pub identity: Option<String>,
    /// How it ended.
    pub end: IncarnationEnd,
    /// When it started stopping (signal / fatal error line), if it did.
    pub stopping_ts: Option<DateTime<Utc>>,
    /// Why it stopped, if logged.
    pub stop_reason: Option<String>,
    /// Application mode: the JobManager runs the job's `main()` (an `*Application*`
    /// entrypoint, or `main()`'s own lines).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub application: bool,
    /// Application mode: the status the application ended with (SUCCEEDED, CANCELED,
    /// FAILED), after which the cluster shuts itself down for good.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_status: Option<String>,
}

/// How a leadership term ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermEnd {
    /// Leadership revoked or lost (e.g. ZooKeeper connection suspended).
    Revoked,
    /// The process began shutting down.
    ProcessStopped,
    /// The process's log ends.
    LogEnded,
    /// A newer term of another incarnation began.
    Superseded,
    /// Still leader when the logs end.
    Open,
}

/// A leadership term of one incarnation: one leader session.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Term {
    /// Index in [`Analysis::terms`].
    pub id: usize,
    /// The incarnation holding it.
    pub incarnation: usize,
    /// Leader session id.
    pub session: String,
    /// Components granted under this session (`rest`, `dispatcher`, `resourcemanager`,
    /// `jobmaster:<job>`).
    pub components: Vec<String>,
    /// Address published (REST URL), when logged.
    pub address: Option<String>,
    /// First grant.
    pub from: DateTime<Utc>,
    /// End, if it ended within the logs.
    pub to: Option<DateTime<Utc>>,
    /// How it ended.
    pub end: TermEnd,
}

/// What kind of failover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailoverKind {
    /// Leadership passed to a new session (JobManager died, was deleted, lost its lease).
    Leader,
    /// A job restarted within one leadership term (TaskManager lost, task failure).
    JobRestart,
}

/// What happened to one job in a failover.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobRecovery {
    /// The job.
    pub job: String,
    /// Latest checkpoint completed before the failure.
    pub latest_completed_before: Option<u64>,
    /// When that checkpoint completed.
    pub latest_completed_ts: Option<DateTime<Utc>>,
    /// The checkpoint restored, if any.
    pub restored_checkpoint: Option<u64>,
    /// Whether the restore was from a savepoint.
    pub restored_savepoint: bool,
    /// When the restore was logged.
    pub restored_ts: Option<DateTime<Utc>>,
    /// When the job was RUNNING again.
    pub running_ts: Option<DateTime<Utc>>,
    /// Recovery time: last sign of the old leader (or the failure) to RUNNING again.
    pub rto_ms: Option<i64>,
    /// Recovery point: processing time lost between the restored checkpoint's completion and
    /// the failure.
    pub rpo_ms: Option<i64>,
    /// First checkpoint completed after the recovery.
    pub first_completed_after: Option<u64>,
    /// Checkpoints triggered before the failure that never completed.
    pub lost_checkpoints: Vec<u64>,
    /// The job started again with nothing to restore although checkpoints had completed
    /// before the failure: its state was lost.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fresh_start: bool,
    /// Application mode: the new leader did not recover the job from the HA store; `main()`
    /// submitted it again under the same id.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub resubmitted: bool,
}

/// A failover: leadership passing to a new session, or a job restart within one term.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Failover {
    /// Index in [`Analysis::failovers`].
    pub id: usize,
    /// Leader change or job restart.
    pub kind: FailoverKind,
    /// The last sign of the old leader (or the failure instant for a job restart).
    pub failure_ts: DateTime<Utc>,
    /// When the new leader was granted leadership (leader failovers).
    pub new_leader_ts: Option<DateTime<Utc>>,
    /// Time without any leader, in ms (leader failovers).
    pub leaderless_ms: Option<i64>,
    /// Old term (index in [`Analysis::terms`]).
    pub from_term: Option<usize>,
    /// New term.
    pub to_term: Option<usize>,
    /// Why it happened, from the evidence.
    pub cause: Cause,
    /// Per-job outcome.
    pub jobs: Vec<JobRecovery>,
    /// Known bugs whose signature explains this failover (advisor notes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advice: Vec<Advice>,
}

/// The kind of a failover's cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseKind {
    /// The JobManager's log ends without shutdown lines: kill -9, OOM kill, node or pod loss.
    JobmanagerKilled,
    /// An orderly stop: SIGTERM / SIGINT, or a shutdown with an application status.
    OrderlyStop,
    /// A fatal error of the cluster entrypoint (the exception says which).
    FatalError,
    /// The JVM ran out of memory (`java.lang.OutOfMemoryError`).
    OutOfMemory,
    /// The ZooKeeper connection was SUSPENDED or LOST, or its session expired.
    ZookeeperConnection,
    /// The Kubernetes leader lease was not renewed or the API server could not be reached.
    KubernetesLease,
    /// Leadership was revoked with no reason in the logs.
    LeadershipRevoked,
    /// A TaskManager was lost (heartbeat timeout, unreachable, container exit, shutdown).
    TaskmanagerLost,
    /// Checkpoint failures exceeded the tolerable count.
    CheckpointFailures,
    /// The restart strategy gave up: the job fails for good.
    RestartsExhausted,
    /// A task of the job failed (its exception says why).
    JobFailure,
    /// No cause is in the logs (the text says what is missing).
    Unknown,
}

impl CauseKind {
    /// The snake_case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CauseKind::JobmanagerKilled => "jobmanager_killed",
            CauseKind::OrderlyStop => "orderly_stop",
            CauseKind::FatalError => "fatal_error",
            CauseKind::OutOfMemory => "out_of_memory",
            CauseKind::ZookeeperConnection => "zookeeper_connection",
            CauseKind::KubernetesLease => "kubernetes_lease",
            CauseKind::LeadershipRevoked => "leadership_revoked",
            CauseKind::TaskmanagerLost => "taskmanager_lost",
            CauseKind::CheckpointFailures => "checkpoint_failures",
            CauseKind::RestartsExhausted => "restarts_exhausted",
            CauseKind::JobFailure => "job_failure",
            CauseKind::Unknown => "unknown",
        }
    }
}

/// Why a failover happened: a kind, one sentence, and the lines that show it (the old
/// leader's last words, the TaskManager's own last lines when its log is in the input).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cause {
    /// What kind of cause.
    pub kind: CauseKind,
    /// One sentence, e.g. `JobManager killed: its log ends at 12:34:18.844 without shutdown`.
    pub text: String,
    /// The evidence lines, oldest first.
    pub evidence: Vec<Evidence>,
}

/// A run of consecutive completed checkpoints of one job, collapsed for timelines.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckpointRun {
    /// First id in the run.
    pub first_id: u64,
    /// Last id in the run.
    pub last_id: u64,
    /// Completed checkpoints in the run.
    pub count: u64,
    /// Completion time of the first.
    pub first_ts: DateTime<Utc>,
    /// Completion time of the last.
    pub last_ts: DateTime<Utc>,
    /// Median interval between completions, ms.
    pub median_interval_ms: Option<i64>,
    /// Median duration, ms.
    pub median_duration_ms: Option<u64>,
    /// Median size, bytes.
    pub median_bytes: Option<u64>,
    /// Savepoints among them.
    pub savepoints: u64,
}

/// A job state change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobStateChange {
    /// When.
    pub ts: DateTime<Utc>,
    /// New status (RUNNING, RESTARTING, SUSPENDED, CANCELED, …).
    pub state: String,
    /// Incarnation that logged it.
    pub incarnation: Option<usize>,
}

/// A restore of a job.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Restore {
    /// When.
    pub ts: DateTime<Utc>,
    /// Checkpoint id restored.
    pub checkpoint: u64,
    /// Savepoint or checkpoint.
    pub savepoint: bool,
    /// Incarnation that logged it.
    pub incarnation: Option<usize>,
}

/// Everything known about one job.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobReport {
    /// Job id.
    pub job: String,
    /// Job name, when logged.
    pub name: Option<String>,
    /// State changes in order.
    pub states: Vec<JobStateChange>,
    /// Collapsed runs of completed checkpoints.
    pub checkpoint_runs: Vec<CheckpointRun>,
    /// Completed checkpoints in all.
    pub completed: u64,
    /// Failed checkpoint attempts.
    pub failed: u64,
    /// Restores in order.
    pub restores: Vec<Restore>,
    /// Globally terminal state reached, if any, and when.
    pub terminal: Option<(String, DateTime<Utc>)>,
    /// When HA data cleanup was logged.
    pub cleanup_ts: Option<DateTime<Utc>>,
    /// When the cleanup was seen finished (or a retry finished its failed part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleanup_finished_ts: Option<DateTime<Utc>>,
    /// Parts of the HA cleanup that failed and that no retry finished (`JobGraphStore`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cleanup_failed: Vec<String>,
    /// Moments of the job's story beyond states, checkpoints and restores: `main()`
    /// submitting it or finding it recovered, a refused re-submission, a skipped recovery, a
    /// failed or finished cleanup, a start from nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
}

/// One moment of a job's story, named by the event kind that logged it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Milestone {
    /// When.
    pub ts: DateTime<Utc>,
    /// The event kind (`application_submitted`, `ha_cleanup_failed`, …).
    pub kind: crate::events::Kind,
    /// A detail: the failed cleanup part, the checkpoint that was not restored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Incarnation that logged it.
    pub incarnation: Option<usize>,
}

/// The result of a whole check: verdicts plus the model reports draw from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    /// Worst outcome over all verdicts (FAIL > UNKNOWN > PASS).
    pub verdict: Outcome,
    /// One verdict per invariant (and job).
    pub invariants: Vec<Verdict>,
    /// Failovers in time order.
    pub failovers: Vec<Failover>,
    /// JobManager incarnations.
    pub incarnations: Vec<Incarnation>,
    /// Leadership terms in time order.
    pub terms: Vec<Term>,
    /// Jobs in order of first appearance.
    pub jobs: Vec<JobReport>,
    /// Observations about the HA setup itself (e.g. HA looks disabled).
    pub notes: Vec<String>,
    /// Advisor notes that explain no verdict or failover of this run (the invariant they
    /// explain was skipped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advice: Vec<Advice>,
    /// The processes other than JobManagers whose logs were read (TaskManagers, ZooKeeper
    /// servers, clients): they add evidence, never verdicts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<OtherProcess>,
    /// First and last instant covered by the logs.
    pub span: Option<(DateTime<Utc>, DateTime<Utc>)>,
}
