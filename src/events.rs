//! Typed HA events: the contract between parsing and everything after it.
//!
//! An [`Event`] is one log record that the grammar recognised as an HA-relevant fact, with the
//! place it came from (`source`, `line`), its instant (`ts`, UTC) and a [`Kind`] with typed
//! [`Fields`]. The kind names (snake_case) and field names are a public interface: `flinkha
//! events` prints them as JSON Lines and other tools script against them.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// The kind of an HA event. `as_str` / `FromStr` give the stable snake_case name used in
/// grammars and in JSON output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A JobManager (cluster entrypoint) process started: banner or `Starting {entrypoint}.`
    ProcessStarted,
    /// The process is going down: signal received, shutdown requested, fatal error.
    ProcessStopping,
    /// Kubernetes HA: a leader elector was created for a lock with this process's identity.
    LeaderElectorCreated,
    /// Kubernetes HA: a process observed a new holder of the leader lock.
    LeaderElected,
    /// A component (REST endpoint, dispatcher, resource manager, job master) became leader.
    LeadershipGranted,
    /// A component lost or was revoked its leadership.
    LeadershipRevoked,
    /// Connection state of the HA backend changed (ZooKeeper suspended / lost / reconnected…).
    HaConnection,
    /// The dispatcher read the ids of the persisted job graphs from the HA store.
    JobGraphsRetrieved,
    /// The dispatcher starts recovering one persisted job.
    JobRecoveryStarted,
    /// One persisted job graph (execution plan) was read back from the HA store.
    JobGraphRecovered,
    /// The dispatcher finished recovering `count` job graphs.
    JobGraphsRecoveredCount,
    /// Recovery of a job was skipped because it already reached a globally terminal state.
    JobRecoverySkipped,
    /// A job was submitted to the dispatcher.
    JobSubmitted,
    /// The dispatcher refused a submission because the job id already reached a globally
    /// terminal state in a previous execution (its result is in the JobResultStore).
    JobSubmissionRefused,
    /// Application mode: the job's `main()`, run by the JobManager, submitted the job.
    ApplicationSubmitted,
    /// Application mode: `main()` found its job already recovered from the HA store and did
    /// not submit it again.
    ApplicationRecovered,
    /// Application mode: the application (`main()` and its job) ended with `state`
    /// (SUCCEEDED, CANCELED, FAILED); the cluster shuts itself down next.
    ApplicationFinished,
    /// A JobMaster started executing a job under a leader session.
    JobMasterStarted,
    /// A job's status changed (`Job … switched from state A to B.`).
    JobState,
    /// The dispatcher reports a job reached a terminal state (globally terminal or SUSPENDED).
    JobTerminal,
    /// A checkpoint or savepoint was triggered.
    CheckpointTriggered,
    /// A checkpoint or savepoint completed.
    CheckpointCompleted,
    /// A checkpoint attempt failed (declined, expired, failed).
    CheckpointFailed,
    /// The completed-checkpoint store found `count` checkpoints in the HA store.
    CheckpointsFound,
    /// The completed-checkpoint store reads one checkpoint back from storage.
    CheckpointRetrieving,
    /// A job's state was restored from a checkpoint or savepoint.
    CheckpointRestored,
    /// A job (re)started with no checkpoint to restore.
    NoCheckpointToRestore,
    /// The checkpoint id counter was reset (restore from a savepoint into a fresh job).
    CheckpointIdReset,
    /// A job was submitted with a savepoint to start from.
    JobFromSavepoint,
    /// HA data of a job is being cleaned up.
    HaCleanupStarted,
    /// HA data of a job has been cleaned up.
    HaCleanupFinished,
    /// One part of a job's HA cleanup failed (`Cleanup of JobGraphStore failed for job …`):
    /// the data stays in the HA store until a retry finishes it.
    HaCleanupFailed,
    /// The whole cluster's HA data is being removed (cluster shutdown for good): every job's.
    HaCleanupAll,
    /// A job graph (execution plan) was removed from the HA store.
    JobGraphRemoved,
    /// A job graph was released (lock dropped, data kept): leadership loss or suspension.
    JobGraphReleased,
    /// A TaskManager registered at the resource manager.
    TaskmanagerRegistered,
    /// A TaskManager was lost or disconnected.
    TaskmanagerLost,
    /// Flink itself warned that a leader session was confirmed by a non-leader (split brain).
    LeaderConflict,
    /// A task of a job failed (`… switched from RUNNING to FAILED on <TaskManager>`, `reason`
    /// `task failure`), or the job as a whole (`Trying to recover from a global failure.`,
    /// `reason` `global failure`): the first sign of a job restart, with its exception.
    JobFailure,
    /// An HA service reported an error: Curator's leader latch lost its node, the Kubernetes
    /// leader elector could not acquire its lock, checkpoints in the HA store unreadable.
    HaError,
    /// A TaskManager's own log names its resource id (`Starting TaskManager with ResourceID`).
    TaskmanagerStarted,
    /// Synthetic: the last record of one source (file or pod log). The process left no later
    /// sign of life in this source; with `reason` [`LOG_END_ROTATED`], in this part of a
    /// rotated log (it may go on in the next part).
    LogEnd,
}

/// The `reason` of a [`Kind::LogEnd`] whose input is a rotated part of a log (`x.log.1`):
/// also said of the pods of a rotated `kubectl logs` stream, whose names do not show it.
pub const LOG_END_ROTATED: &str = "rotated";

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [Kind] = &[
        Kind::ProcessStarted,
        Kind::ProcessStopping,
        Kind::LeaderElectorCreated,
        Kind::LeaderElected,
        Kind::LeadershipGranted,
        Kind::LeadershipRevoked,
        Kind::HaConnection,
        Kind::JobGraphsRetrieved,
        Kind::JobRecoveryStarted,
        Kind::JobGraphRecovered,
        Kind::JobGraphsRecoveredCount,
        Kind::JobRecoverySkipped,
        Kind::JobSubmitted,
        Kind::JobSubmissionRefused,
        Kind::ApplicationSubmitted,
        Kind::ApplicationRecovered,
        Kind::ApplicationFinished,
        Kind::JobMasterStarted,
        Kind::JobState,
        Kind::JobTerminal,
        Kind::CheckpointTriggered,
        Kind::CheckpointCompleted,
        Kind::CheckpointFailed,
        Kind::CheckpointsFound,
        Kind::CheckpointRetrieving,
        Kind::CheckpointRestored,
        Kind::NoCheckpointToRestore,
        Kind::CheckpointIdReset,
        Kind::JobFromSavepoint,
        Kind::HaCleanupStarted,
        Kind::HaCleanupFinished,
        Kind::HaCleanupFailed,
        Kind::HaCleanupAll,
        Kind::JobGraphRemoved,
        Kind::JobGraphReleased,
        Kind::TaskmanagerRegistered,
        Kind::TaskmanagerLost,
        Kind::LeaderConflict,
        Kind::JobFailure,
        Kind::HaError,
        Kind::TaskmanagerStarted,
        Kind::LogEnd,
    ];

    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ProcessStarted => "process_started",
            Kind::ProcessStopping => "process_stopping",
            Kind::LeaderElectorCreated => "leader_elector_created",
            Kind::LeaderElected => "leader_elected",
            Kind::LeadershipGranted => "leadership_granted",
            Kind::LeadershipRevoked => "leadership_revoked",
            Kind::HaConnection => "ha_connection",
            Kind::JobGraphsRetrieved => "job_graphs_retrieved",
            Kind::JobRecoveryStarted => "job_recovery_started",
            Kind::JobGraphRecovered => "job_graph_recovered",
            Kind::JobGraphsRecoveredCount => "job_graphs_recovered_count",
            Kind::JobRecoverySkipped => "job_recovery_skipped",
            Kind::JobSubmitted => "job_submitted",
            Kind::JobSubmissionRefused => "job_submission_refused",
            Kind::ApplicationSubmitted => "application_submitted",
            Kind::ApplicationRecovered => "application_recovered",
            Kind::ApplicationFinished => "application_finished",
            Kind::JobMasterStarted => "job_master_started",
            Kind::JobState => "job_state",
            Kind::JobTerminal => "job_terminal",
            Kind::CheckpointTriggered => "checkpoint_triggered",
            Kind::CheckpointCompleted => "checkpoint_completed",
            Kind::CheckpointFailed => "checkpoint_failed",
            Kind::CheckpointsFound => "checkpoints_found",
            Kind::CheckpointRetrieving => "checkpoint_retrieving",
            Kind::CheckpointRestored => "checkpoint_restored",
            Kind::NoCheckpointToRestore => "no_checkpoint_to_restore",
            Kind::CheckpointIdReset => "checkpoint_id_reset",
            Kind::JobFromSavepoint => "job_from_savepoint",
            Kind::HaCleanupStarted => "ha_cleanup_started",
            Kind::HaCleanupFinished => "ha_cleanup_finished",
            Kind::HaCleanupFailed => "ha_cleanup_failed",
            Kind::HaCleanupAll => "ha_cleanup_all",
            Kind::JobGraphRemoved => "job_graph_removed",
            Kind::JobGraphReleased => "job_graph_released",
            Kind::TaskmanagerRegistered => "taskmanager_registered",
            Kind::TaskmanagerLost => "taskmanager_lost",
            Kind::LeaderConflict => "leader_conflict",
            Kind::JobFailure => "job_failure",
            Kind::HaError => "ha_error",
            Kind::TaskmanagerStarted => "taskmanager_started",
            Kind::LogEnd => "log_end",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown event kind `{s}`"))
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The component whose leadership a `leadership_granted` / `leadership_revoked` event is
/// about. Grammar values: `rest`, `dispatcher`, `resourcemanager`, `jobmaster`, `process`.
pub mod component {
    /// REST endpoint (`DispatcherRestEndpoint … was granted leadership`).
    pub const REST: &str = "rest";
    /// Dispatcher (`DefaultDispatcherRunner was granted leadership`).
    pub const DISPATCHER: &str = "dispatcher";
    /// Resource manager (`Resource manager service is granted leadership`).
    pub const RESOURCE_MANAGER: &str = "resourcemanager";
    /// A job's JobMaster (`JobMasterServiceLeadershipRunner for job … was granted`).
    pub const JOB_MASTER: &str = "jobmaster";
}

/// The typed fields an event may carry. Which are set depends on the [`Kind`]; each template
/// in `grammars/` fills some of them. Field names are the JSON keys of `flinkha events`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Fields {
    /// Cluster entrypoint class (`StandaloneSessionClusterEntrypoint`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<String>,
    /// Flink version from the startup banner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Why something stopped or failed (`SIGTERM`, `fatal error`, `expired`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Kubernetes HA lock (ConfigMap) name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    /// Kubernetes HA lock identity (one per JobManager process).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Leadership component, see [`component`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// Leader session id (UUID, lower case, with dashes; job master ids are normalised).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// Address the leader published (REST URL, RPC address) when logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Job id (32 lower-case hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// List of job ids (`job_graphs_retrieved`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs: Option<Vec<String>>,
    /// Job name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Previous job status (`job_state`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// New job status (`job_state`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// A state: HA connection state or a job's terminal state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Checkpoint id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<u64>,
    /// Whether the checkpoint is a savepoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub savepoint: Option<bool>,
    /// Checkpointed state size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Checkpoint duration in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// A count (checkpoints found, job graphs recovered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// TaskManager resource id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// A storage path (savepoint location).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The role of the process that logged the line, when its own lines tell (`jobmanager`,
    /// `taskmanager`, `zookeeper`, `client`): see [`role`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The first line of the exception logged with the record (the line after the message
    /// of a multi-line record, e.g. `java.lang.OutOfMemoryError: Java heap space`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
}

/// Process roles (field `role`): which kind of Flink (or ZooKeeper) process wrote a log. Only
/// JobManager logs make JobManager incarnations; the others add evidence.
pub mod role {
    /// A JobManager (cluster entrypoint).
    pub const JOB_MANAGER: &str = "jobmanager";
    /// A TaskManager (`TaskManagerRunner`).
    pub const TASK_MANAGER: &str = "taskmanager";
    /// A ZooKeeper server (Flink's `FlinkZooKeeperQuorumPeer` or a standalone one).
    pub const ZOOKEEPER: &str = "zookeeper";
    /// The `flink` command line client (`CliFrontend`).
    pub const CLIENT: &str = "client";
}

/// The name and type of every field a grammar may fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// Free text.
    Str,
    /// Unsigned integer.
    Int,
    /// Boolean.
    Bool,
    /// List of strings.
    List,
}

/// Every field name with its type, for the grammar compiler.
pub const FIELD_TYPES: &[(&str, FieldType)] = &[
    ("entrypoint", FieldType::Str),
    ("version", FieldType::Str),
    ("reason", FieldType::Str),
    ("lock", FieldType::Str),
    ("identity", FieldType::Str),
    ("component", FieldType::Str),
    ("session", FieldType::Str),
    ("address", FieldType::Str),
    ("job", FieldType::Str),
    ("jobs", FieldType::List),
    ("name", FieldType::Str),
    ("from", FieldType::Str),
    ("to", FieldType::Str),
    ("state", FieldType::Str),
    ("checkpoint", FieldType::Int),
    ("savepoint", FieldType::Bool),
    ("bytes", FieldType::Int),
    ("duration_ms", FieldType::Int),
    ("count", FieldType::Int),
    ("resource", FieldType::Str),
    ("path", FieldType::Str),
    ("role", FieldType::Str),
    ("exception", FieldType::Str),
];

/// A typed field value, as produced by a grammar hole or a constant.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Text.
    Str(String),
    /// Unsigned integer.
    Int(u64),
    /// Boolean.
    Bool(bool),
    /// List of strings.
    List(Vec<String>),
}

/// Sets one field of [`Fields`] from a [`Value`], checking its type. Grammars resolve it
/// once per template hole, so matching a line does not compare field names.
pub type Setter = fn(&mut Fields, Value) -> Result<(), String>;

fn text(v: Value, n: &str) -> Result<Option<String>, String> {
    match v {
        Value::Str(x) => Ok(Some(x)),
        Value::Int(i) => Ok(Some(i.to_string())),
        other => Err(format!("field `{n}` takes text, not {other:?}")),
    }
}

fn int(v: Value, n: &str) -> Result<Option<u64>, String> {
    match v {
        Value::Int(x) => Ok(Some(x)),
        Value::Str(x) => x
            .parse()
            .map(Some)
            .map_err(|_| format!("field `{n}` takes a number, not `{x}`")),
        other => Err(format!("field `{n}` takes a number, not {other:?}")),
    }
}

fn boolean(v: Value, n: &str) -> Result<Option<bool>, String> {
    match v {
        Value::Bool(x) => Ok(Some(x)),
        Value::Str(x) if x == "true" => Ok(Some(true)),
        Value::Str(x) if x == "false" => Ok(Some(false)),
        other => Err(format!("field `{n}` takes true or false, not {other:?}")),
    }
}

fn list(v: Value, n: &str) -> Result<Option<Vec<String>>, String> {
    match v {
        Value::List(l) => Ok(Some(l)),
        other => Err(format!("field `{n}` takes a list, not {other:?}")),
    }
}

/// The setter of field `name`, if it exists.
pub fn setter(name: &str) -> Option<Setter> {
    macro_rules! setters {
        ($($f:ident: $conv:ident),* $(,)?) => {
            match name {
                $(stringify!($f) => Some(|fields: &mut Fields, v: Value| {
                    fields.$f = $conv(v, stringify!($f))?;
                    Ok(())
                }),)*
                _ => None,
            }
        };
    }
    setters!(
        entrypoint: text,
        version: text,
        reason: text,
        lock: text,
        identity: text,
        component: text,
        session: text,
        address: text,
        job: text,
        jobs: list,
        name: text,
        from: text,
        to: text,
        state: text,
        checkpoint: int,
        savepoint: boolean,
        bytes: int,
        duration_ms: int,
        count: int,
        resource: text,
        path: text,
        role: text,
        exception: text,
    )
}

impl Fields {
    /// Set field `name` to `value`. Errors name the field when the name is unknown or the
    /// value's type does not fit it.
    pub fn set(&mut self, name: &str, value: Value) -> Result<(), String> {
        match setter(name) {
            Some(set) => set(self, value),
            None => Err(format!("unknown field `{name}`")),
        }
    }

    /// The value of field `name` rendered as text, for sample checks and tables.
    pub fn get(&self, name: &str) -> Option<String> {
        let v = serde_json::to_value(self).ok()?;
        match v.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Array(a) => Some(format!(
                "[{}]",
                a.iter()
                    .map(|x| x.as_str().unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            other => Some(other.to_string()),
        }
    }
}

/// One HA event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// When it happened, UTC.
    #[serde(serialize_with = "ser_ts")]
    pub ts: DateTime<Utc>,
    /// The source it was read from: a file path, `-` for stdin, or the pod of a
    /// `kubectl logs --prefix` line.
    #[serde(serialize_with = "ser_arc")]
    pub source: Arc<str>,
    /// 1-based line number of the record's first line in its input.
    pub line: u64,
    /// What happened.
    pub kind: Kind,
    /// The typed details. Boxed: an event is moved several times on its way from the
    /// matcher to the checker, and most of its two dozen fields are empty.
    #[serde(flatten)]
    pub fields: Box<Fields>,
    /// The log line the event was read from, as written (kubectl decorations removed; the
    /// first line of a multi-line record): the evidence. Shared: the proofs and evidence
    /// lines made of the event hold the same text, not copies of it.
    #[serde(serialize_with = "ser_arc")]
    pub text: Arc<str>,
}

fn ser_ts<S: Serializer>(ts: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_ts(ts))
}

pub(crate) fn ser_arc<S: Serializer>(a: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a)
}

/// RFC 3339 UTC with milliseconds, or nanoseconds when the instant has sub-millisecond
/// precision (kubectl timestamps).
pub fn format_ts(ts: &DateTime<Utc>) -> String {
    let nanos = ts.timestamp_subsec_nanos();
    let millis = nanos % 1_000_000 == 0;
    // Evidence formats an instant per event kept: written by hand for years 0 to 9999 (what
    // chrono writes there, digit for digit), chrono's formatter elsewhere.
    if let Some(s) = format_ts_fast(ts, nanos, millis) {
        return s;
    }
    if millis {
        ts.to_rfc3339_opts(SecondsFormat::Millis, true)
    } else {
        ts.to_rfc3339_opts(SecondsFormat::Nanos, true)
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (or nine fraction digits), for years 0 to 9999.
fn format_ts_fast(ts: &DateTime<Utc>, nanos: u32, millis: bool) -> Option<String> {
    use chrono::{Datelike, Timelike};
    let n = ts.naive_utc();
    let (date, time) = (n.date(), n.time());
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    // A leap second (nanos of 1e9 or more) is left to chrono.
    if nanos >= 1_000_000_000 {
        return None;
    }
    let mut w = *b"0000-00-00T00:00:00.000000000Z";
    let digit = |v: u32| b'0' + (v % 10) as u8;
    let fields = [
        (0, year / 1000),
        (1, year / 100),
        (2, year / 10),
        (3, year),
        (5, date.month() / 10),
        (6, date.month()),
        (8, date.day() / 10),
        (9, date.day()),
        (11, time.hour() / 10),
        (12, time.hour()),
        (14, time.minute() / 10),
        (15, time.minute()),
        (17, time.second() / 10),
        (18, time.second()),
    ];
    for (at, v) in fields {
        if let Some(slot) = w.get_mut(at) {
            *slot = digit(v);
        }
    }
    let mut frac = nanos;
    for at in (20..29).rev() {
        if let Some(slot) = w.get_mut(at) {
            *slot = digit(frac);
        }
        frac /= 10;
    }
    let len = if millis {
        if let Some(slot) = w.get_mut(23) {
            *slot = b'Z';
        }
        24
    } else {
        30
    };
    String::from_utf8(w.get(..len)?.to_vec()).ok()
}

impl Event {
    /// The job this event is about, if any.
    pub fn job(&self) -> Option<&str> {
        self.fields.job.as_deref()
    }

    /// `source:line`, the short reference used in evidence.
    pub fn location(&self) -> String {
        format!("{}:{}", self.source, self.line)
    }
}

/// Normalise a leader session or fencing token to the dashed lower-case UUID form.
///
/// Flink renders fencing tokens (`JobMasterId`, `ResourceManagerId`) as 32 hex digits: the
/// UUID's least-significant half first, then its most-significant half (AbstractID layout),
/// e.g. session `12dc9230-72cd-49e6-a6ad-48903369f0bf` is job master id
/// `a6ad48903369f0bf12dc923072cd49e6`. Anything else is returned lower-cased, unchanged.
pub fn normalize_session(raw: &str) -> String {
    let r = raw.trim().to_ascii_lowercase();
    if r.len() == 32 && r.bytes().all(|b| b.is_ascii_hexdigit()) {
        let (low, high) = r.split_at(16);
        let u = format!("{high}{low}");
        return format!(
            "{}-{}-{}-{}-{}",
            &u[0..8],
            &u[8..12],
            &u[12..16],
            &u[16..20],
            &u[20..32]
        );
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), *k);
        }
        assert!("nope".parse::<Kind>().is_err());
    }

    #[test]
    fn job_master_id_maps_to_session() {
        // Seen in the 1.20.5 corpus: session 12dc9230-… runs job master a6ad48903369f0bf….
        assert_eq!(
            normalize_session("a6ad48903369f0bf12dc923072cd49e6"),
            "12dc9230-72cd-49e6-a6ad-48903369f0bf"
        );
        assert_eq!(
            normalize_session("12DC9230-72cd-49e6-a6ad-48903369f0bf"),
            "12dc9230-72cd-49e6-a6ad-48903369f0bf"
        );
    }

    /// The hand-written instant format is chrono's RFC 3339 (milliseconds, or nanoseconds
    /// when the instant has more precision), for instants across the years 0 to 9999 and
    /// beyond (where chrono writes them).
    #[test]
    fn format_ts_is_chronos() {
        let mut x = 0x1234_5678_9abc_def0_u64;
        for k in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let secs = (x % 400_000_000_000) as i64 - 62_200_000_000;
            let nanos = match k % 3 {
                0 => 0,
                1 => (x % 1000) as u32 * 1_000_000,
                _ => (x >> 20) as u32 % 1_000_000_000,
            };
            let Some(ts) = DateTime::from_timestamp(secs, nanos) else {
                continue;
            };
            let want = if nanos % 1_000_000 == 0 {
                ts.to_rfc3339_opts(SecondsFormat::Millis, true)
            } else {
                ts.to_rfc3339_opts(SecondsFormat::Nanos, true)
            };
            assert_eq!(format_ts(&ts), want);
        }
    }

    #[test]
    fn fields_set_checks_types() {
        let mut f = Fields::default();
        f.set("checkpoint", Value::Int(7)).unwrap();
        f.set("savepoint", Value::Str("true".into())).unwrap();
        assert!(f.set("checkpoint", Value::Str("x".into())).is_err());
        assert!(f.set("bogus", Value::Int(1)).is_err());
        assert_eq!(f.get("checkpoint").as_deref(), Some("7"));
        assert_eq!(f.get("savepoint").as_deref(), Some("true"));
    }
}
