//! The state machine shared by all invariants: incarnations, leadership terms, the process
//! leader, jobs with their checkpoint history, and failovers.
//!
//! [`Model::apply`] consumes one event; invariants read the model through its public fields
//! and helpers. Memory grows with incarnations, terms, jobs and failovers, not with lines:
//! checkpoint history is collapsed into runs with bounded samples.

use super::cause;
use super::cleanup_progress::CleanupProgress;
use super::evidence;
use super::model::*;
use crate::events::{component, role, Event, Kind};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

/// Samples kept per checkpoint run for medians (beyond this, medians are of the first ones).
const RUN_SAMPLES: usize = 4096;
/// Recent completed checkpoints kept per job (to date a restored checkpoint for RPO).
const RECENT_COMPLETED: usize = 256;
/// State changes kept per job for reports.
const MAX_STATES: usize = 4096;
/// Milestones kept per job for reports.
const MAX_MILESTONES: usize = 256;
/// Triggered-but-not-completed ids kept per job.
const PENDING_TRIGGERS: usize = 256;
/// Recent notable events kept per incarnation, for failover causes.
const RECENT_NOTABLE: usize = 32;
/// Session expiries kept per ZooKeeper server.
const RECENT_EXPIRED: usize = 8;
/// The leader session id of non-HA (standalone) leader election.
pub const ZERO_SESSION: &str = "00000000-0000-0000-0000-000000000000";
/// Session of a leadership implied by leader-only work (job graph recovery) whose grant
/// line is not in the logs.
pub const UNKNOWN_SESSION: &str = "(not logged)";

/// Whether a job status is globally terminal (HA data must then be cleaned up).
pub fn globally_terminal(state: &str) -> bool {
    matches!(state, "FINISHED" | "CANCELED" | "FAILED")
}

/// The component a grant or revocation is about, as held in terms: `rest`, `dispatcher`,
/// `resourcemanager`, or `jobmaster:<job>` (each job master is its own component).
pub fn component_key(ev: &Event) -> String {
    match (ev.fields.component.as_deref(), ev.job()) {
        (Some(component::JOB_MASTER), Some(j)) => format!("{}:{j}", component::JOB_MASTER),
        (Some(c), _) => c.to_string(),
        (None, _) => "unknown".to_string(),
    }
}

/// One JobManager incarnation while reading.
#[derive(Debug)]
pub struct IncState {
    /// The reportable part.
    pub info: Incarnation,
    /// The source it reads from.
    pub source: Arc<str>,
    /// Still running as far as the logs tell.
    pub open: bool,
    /// The first stop line, if any.
    pub stopping: Option<Evidence>,
    /// The last job this incarnation logged about (for lines that carry no job id).
    pub current_job: Option<String>,
    /// Whether a startup banner was seen.
    pub banner_seen: bool,
    /// Application mode: when the application ended (`Application completed …`, or the
    /// cluster shutting down with an application status).
    pub app_ended: Option<DateTime<Utc>>,
    /// The end of a rotated part of this process's log (`x.log.1`): the process may go on
    /// in the next part (`x.log`), so it is not closed until something else says so.
    paused: Option<Event>,
    /// The first stop event (with its exception), for the failover cause.
    pub stop_event: Option<Event>,
    /// Recent events that can explain a failover (HA connection changes, HA errors, lease
    /// holders, revocations, task failures, TaskManager losses, failed checkpoints, job
    /// failures), at most [`RECENT_NOTABLE`].
    pub recent: VecDeque<Event>,
}

/// Whether an event can explain a failover, so that an incarnation keeps it a while.
fn notable(ev: &Event) -> bool {
    match ev.kind {
        Kind::HaConnection
        | Kind::HaError
        | Kind::LeaderElected
        | Kind::LeadershipRevoked
        | Kind::JobFailure
        | Kind::TaskmanagerLost
        | Kind::CheckpointFailed
        | Kind::LeaderConflict => true,
        Kind::JobState => matches!(
            ev.fields.to.as_deref(),
            Some("RESTARTING" | "FAILING" | "FAILED")
        ),
        _ => false,
    }
}

/// A process whose own lines say it is not a JobManager (TaskManager, ZooKeeper server,
/// client): it adds evidence to causes, never incarnations, terms or verdicts.
#[derive(Debug)]
pub struct OtherState {
    /// The reportable part.
    pub info: OtherProcess,
    /// Its first stop line (signal, fatal error), with the exception.
    pub stop: Option<Event>,
    /// Its last record, once its log ended (the synthetic `log_end` event).
    pub ended: Option<Event>,
    /// Recent session expiries (ZooKeeper servers), at most [`RECENT_EXPIRED`].
    pub expired: VecDeque<Event>,
}

/// The log a source belongs to: a rotated part `x.log.1` (or `x.log.1.gz`) belongs to
/// `x.log`, so one process's log split by log4j's size rotation stays one incarnation.
pub fn stream_key(source: &str) -> &str {
    let s = source.strip_suffix(".gz").unwrap_or(source);
    match s.rsplit_once('.') {
        Some((base, n))
            if base.ends_with(".log") && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => source,
    }
}

/// A short label for a log: `standalonesession-0` for `flink-root-standalonesession-0-vm.log`,
/// the file stem otherwise.
pub fn base_label(source: &str) -> String {
    let source = stream_key(source);
    let base = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let mut stem = base;
    for ext in [".gz", ".log", ".txt", ".json", ".jsonl"] {
        stem = stem.strip_suffix(ext).unwrap_or(stem);
    }
    let parts: Vec<&str> = stem.split('-').collect();
    match parts.get(2..parts.len().saturating_sub(1)) {
        Some(mid) if stem.starts_with("flink-") && parts.len() >= 5 => mid.join("-"),
        _ => stem.to_string(),
    }
}

/// One leadership term while reading.
#[derive(Debug)]
pub struct TermState {
    /// The reportable part.
    pub term: Term,
    /// Components still held.
    pub open: BTreeSet<String>,
    /// The first grant line.
    pub grant: Evidence,
    /// The line that ended it, if any.
    pub end_ev: Option<Evidence>,
}

/// A completed checkpoint remembered for RPO.
#[derive(Clone, Debug)]
pub struct Completed {
    /// Checkpoint id.
    pub id: u64,
    /// Completion time.
    pub ts: DateTime<Utc>,
    /// Savepoint?
    pub savepoint: bool,
    /// The line.
    pub ev: Evidence,
}

#[derive(Debug, Default)]
struct RunAcc {
    first_id: u64,
    last_id: u64,
    count: u64,
    first_ts: Option<DateTime<Utc>>,
    last_ts: Option<DateTime<Utc>>,
    intervals: Vec<i64>,
    durations: Vec<u64>,
    bytes: Vec<u64>,
    savepoints: u64,
}

fn median<T: Copy + Ord>(v: &[T]) -> Option<T> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_unstable();
    s.get(s.len() / 2).copied()
}

impl RunAcc {
    fn finish(&self) -> Option<CheckpointRun> {
        Some(CheckpointRun {
            first_id: self.first_id,
            last_id: self.last_id,
            count: self.count,
            first_ts: self.first_ts?,
            last_ts: self.last_ts?,
            median_interval_ms: median(&self.intervals),
            median_duration_ms: median(&self.durations),
            median_bytes: median(&self.bytes),
            savepoints: self.savepoints,
        })
    }
}

/// Everything known about one job while reading.
#[derive(Debug, Default)]
pub struct JobState {
    /// Job id.
    pub id: String,
    /// Job name.
    pub name: Option<String>,
    /// State changes.
    pub states: Vec<JobStateChange>,
    /// The latest status and the line that set it.
    pub last_state: Option<(String, Evidence)>,
    /// Globally terminal state reached (state, when, line).
    pub terminal: Option<(String, DateTime<Utc>, Evidence)>,
    /// HA cleanup (or job graph removal) line.
    pub cleanup: Option<(DateTime<Utc>, Evidence)>,
    /// The cleanup came while the job was known to be running or suspended (an `ha-cleanup`
    /// violation); a later recovery is then that violation's consequence, not a zombie.
    pub cleanup_while_live: bool,
    /// Which parts of the cleanup started, finished, failed.
    pub cleanup_progress: CleanupProgress,
    /// A submission of this job id after it was globally terminal or cleaned up, by the
    /// incarnation that logged it: not yet a new life (the dispatcher may refuse it); the job
    /// running again makes it one.
    pub resubmitted: Option<(usize, Evidence)>,
    /// Milestones for reports.
    pub milestones: Vec<Milestone>,
    /// Highest triggered id and its line (since the last id reset).
    pub max_triggered: Option<(u64, Evidence)>,
    /// Highest completed id (checkpoint or savepoint) and its line (since the last id reset).
    pub max_completed: Option<(u64, Evidence)>,
    /// Highest completed regular (non-savepoint) checkpoint: the recovery point.
    pub latest_checkpoint: Option<Completed>,
    /// Savepoint the job was started from, when no checkpoint completed since.
    pub start_savepoint: Option<u64>,
    /// Recent completions (bounded).
    pub recent: VecDeque<Completed>,
    /// Triggered ids not completed since (bounded).
    pub pending: BTreeSet<u64>,
    /// Counts.
    pub completed: u64,
    /// Failed attempts (distinct ids).
    pub failed: u64,
    /// The last failed ids, to count an attempt logged twice once.
    recent_failed: VecDeque<u64>,
    /// Distinct checkpoint ids seen (saturating small count, for "seen checkpointing").
    pub ids_seen: u64,
    /// Restores.
    pub restores: Vec<Restore>,
    /// Collapsed runs.
    pub runs: Vec<CheckpointRun>,
    run: Option<RunAcc>,
    /// The failover (index, position in its job list) whose recovery is being tracked.
    pub open_recovery: Option<(usize, usize)>,
    /// Incarnation that last logged about this job.
    pub last_incarnation: Option<usize>,
    /// Incarnation that logged the globally terminal state.
    pub terminal_inc: Option<usize>,
}

impl JobState {
    fn end_run(&mut self) {
        if let Some(r) = self.run.take() {
            if let Some(run) = r.finish() {
                self.runs.push(run);
            }
        }
    }

    /// Whether the job is globally terminal now.
    pub fn is_terminal(&self) -> bool {
        self.terminal.is_some()
    }

    fn milestone(&mut self, ev: &Event, inc: usize, detail: Option<String>) {
        if self.milestones.len() < MAX_MILESTONES {
            self.milestones.push(Milestone {
                ts: ev.ts,
                kind: ev.kind,
                detail,
                incarnation: Some(inc),
            });
        }
    }

    /// Take a cleanup event into the progress, with the milestones a report tells: the
    /// cleanup beginning, a part failing, the cleanup seen complete (detail `all` when the
    /// whole cluster's HA data went).
    fn cleanup_event(&mut self, ev: &Event, inc: usize) {
        let first_start =
            ev.kind == Kind::HaCleanupStarted && self.cleanup_progress.started.is_none();
        let was_done = self.cleanup_progress.done_ts.is_some();
        self.cleanup_progress
            .apply(ev.kind, ev.fields.reason.as_deref(), ev.ts, evidence(ev));
        if first_start {
            self.milestone(ev, inc, None);
        } else if ev.kind == Kind::HaCleanupFailed {
            self.milestone(ev, inc, ev.fields.reason.clone());
        }
        if !was_done && self.cleanup_progress.done_ts.is_some() {
            let detail = (ev.kind == Kind::HaCleanupAll).then(|| "all".to_string());
            if self.milestones.len() < MAX_MILESTONES {
                self.milestones.push(Milestone {
                    ts: ev.ts,
                    kind: Kind::HaCleanupFinished,
                    detail,
                    incarnation: Some(inc),
                });
            }
        }
    }

    /// A re-submitted job runs again: a new life, whose checkpoints and cleanup start from
    /// nothing (the id counter and the HA data of the earlier life were removed).
    fn new_life(&mut self) {
        self.end_run();
        self.terminal = None;
        self.terminal_inc = None;
        self.cleanup = None;
        self.cleanup_while_live = false;
        self.cleanup_progress = CleanupProgress::default();
        self.resubmitted = None;
        self.max_triggered = None;
        self.max_completed = None;
        self.latest_checkpoint = None;
        self.start_savepoint = None;
        self.recent.clear();
        self.pending.clear();
        self.open_recovery = None;
    }

    /// Whether the job is known to be alive: not globally terminal, and its latest status
    /// is not terminal either, or (no status logged) it completed checkpoints.
    pub fn is_live(&self) -> bool {
        self.terminal.is_none()
            && match &self.last_state {
                Some((s, _)) => !globally_terminal(s),
                None => self.completed > 0,
            }
    }
}

/// Extra per-failover, per-job facts the invariants use.
#[derive(Debug, Default, Clone)]
pub struct RecoveryTrack {
    /// The line proving the new leader recovered the job.
    pub recovered: Option<Evidence>,
    /// The line proving the new leader did not: its retrieved job ids lack the job.
    pub missing: Option<Evidence>,
    /// The new leader's `Successfully recovered N persisted job graphs` came without this
    /// job among them: a miss unless the job still shows up on that leader later.
    pub soft_missing: Option<Evidence>,
    /// The job restarted with no checkpoint although it had completed ones.
    pub no_restore: Option<Evidence>,
    /// The job's state when the old leader went away.
    pub state_before: Option<String>,
    /// Application mode: the job was missing from the new leader's job graphs, and `main()`
    /// submitted it again (the line), so it was not lost, but its state came from wherever
    /// the checkpoint store still had it.
    pub resubmitted: Option<Evidence>,
    /// Application mode: the line proving the new leader's `main()` had its chance to
    /// submit the job again after it was missing from the job graphs, and passed it by
    /// (the application submitted or attached to another job, finished, or its cluster
    /// shut down with an application status). Until then a missing job is not proven lost.
    pub main_passed: Option<Evidence>,
}

/// The shared model.
#[derive(Debug)]
pub struct Model {
    skew: Duration,
    /// Incarnations in order of appearance.
    pub incs: Vec<IncState>,
    current: HashMap<Arc<str>, usize>,
    /// Terms in order of first grant.
    pub terms: Vec<TermState>,
    /// Indices into `terms` of the open ones (non-empty `open`), ascending: a closed term
    /// never reopens, so grants and revocations look at these instead of every term ever
    /// granted (a log with 50 000 re-elections stays linear).
    open_terms: Vec<usize>,
    /// The term currently leading the cluster (dispatcher, or REST endpoint when dispatcher
    /// grants are not logged), with the time it took over.
    pub leader: Option<(usize, DateTime<Utc>)>,
    dispatcher_grants_seen: bool,
    /// Jobs.
    pub jobs: HashMap<String, JobState>,
    /// Job ids in order of first appearance.
    pub job_order: Vec<String>,
    /// Failovers.
    pub failovers: Vec<Failover>,
    /// Per failover, per job (same order as `failovers[i].jobs`): extra tracking.
    pub tracks: Vec<Vec<RecoveryTrack>>,
    /// Leader failovers' new-leader incarnation, per failover index.
    pub failover_new_inc: Vec<Option<usize>>,
    /// Leader failovers with a job whose recovery is not decided yet (so that each event
    /// looks at a handful of failovers, not at all of them).
    pending_failovers: Vec<usize>,
    /// Incarnations whose rotated log part ended and that did not go on yet (those with
    /// `paused`): few at any time, so settling them costs nothing per line or per grant.
    paused_incs: Vec<usize>,
    /// Every (failover, job position) proven missing after the new leader's recovery, in the
    /// order it was proven: invariants keep a cursor into it.
    pub missing_log: Vec<(usize, usize)>,
    /// Processes that are not JobManagers, by log (stream key), in order of appearance.
    pub others: Vec<OtherState>,
    other_index: HashMap<Arc<str>, usize>,
    /// TaskManager resource id -> index into `others`.
    pub tm_by_resource: HashMap<String, usize>,
    /// Observations about the setup.
    pub notes: Vec<String>,
    /// First and last instant.
    pub span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Sessions already used: session -> term index.
    pub sessions: HashMap<String, usize>,
}

impl Model {
    /// An empty model.
    pub fn new(skew: Duration) -> Self {
        Model {
            skew,
            incs: Vec::new(),
            current: HashMap::new(),
            terms: Vec::new(),
            open_terms: Vec::new(),
            leader: None,
            dispatcher_grants_seen: false,
            jobs: HashMap::new(),
            job_order: Vec::new(),
            failovers: Vec::new(),
            tracks: Vec::new(),
            failover_new_inc: Vec::new(),
            pending_failovers: Vec::new(),
            paused_incs: Vec::new(),
            missing_log: Vec::new(),
            others: Vec::new(),
            other_index: HashMap::new(),
            tm_by_resource: HashMap::new(),
            notes: Vec::new(),
            span: None,
            sessions: HashMap::new(),
        }
    }

    /// The tolerated clock skew.
    pub fn skew(&self) -> Duration {
        self.skew
    }

    /// The current incarnation of a source, if any.
    pub fn inc_of(&self, source: &str) -> Option<usize> {
        self.current.get(stream_key(source)).copied()
    }

    /// The job an event is about: its own `job` field, else the job its incarnation last
    /// logged about (for `No checkpoint found during restore.` and friends).
    pub fn job_of(&self, ev: &Event) -> Option<String> {
        if let Some(j) = ev.job() {
            return Some(j.to_string());
        }
        let inc = self.inc_of(&ev.source)?;
        self.incs.get(inc)?.current_job.clone()
    }

    /// Whether an event, if applied, is a "leader action": something only a leader does.
    /// A job's state change is one, except to SUSPENDED: that is how a job master gives up
    /// its job when leadership is lost or the process shuts down.
    pub fn is_leader_action(ev: &Event) -> bool {
        match ev.kind {
            Kind::CheckpointTriggered
            | Kind::CheckpointCompleted
            | Kind::CheckpointRestored
            | Kind::JobMasterStarted
            | Kind::LeadershipGranted => true,
            Kind::JobState => ev.fields.to.as_deref().is_some_and(|s| s != "SUSPENDED"),
            _ => false,
        }
    }

    /// Open terms, in order of first grant.
    pub fn open_terms(&self) -> impl Iterator<Item = &TermState> {
        self.open_terms.iter().filter_map(|&t| self.terms.get(t))
    }

    /// Open terms of an incarnation.
    pub fn open_terms_of(&self, inc: usize) -> impl Iterator<Item = &TermState> {
        self.open_terms()
            .filter(move |t| t.term.incarnation == inc && !t.open.is_empty())
    }

    /// Open terms (of any incarnation) holding component `c`.
    pub fn holders_of<'a>(&'a self, c: &'a str) -> impl Iterator<Item = &'a TermState> + 'a {
        self.open_terms().filter(move |t| t.open.contains(c))
    }

    /// The open term of incarnation `inc` with leader session `session`, if any: a grant
    /// with that session joins it instead of starting a new term.
    pub fn open_term_id(&self, inc: usize, session: &str) -> Option<usize> {
        self.open_terms.iter().copied().find(|&t| {
            self.terms.get(t).is_some_and(|t| {
                t.term.incarnation == inc && t.term.session == session && !t.open.is_empty()
            })
        })
    }

    /// Drop the terms that closed from the open index.
    fn prune_open_terms(&mut self) {
        let terms = &self.terms;
        self.open_terms
            .retain(|&t| terms.get(t).is_some_and(|t| !t.open.is_empty()));
    }

    /// The leading incarnation for job actions, with when it took over.
    pub fn leader_inc(&self) -> Option<(usize, DateTime<Utc>)> {
        let (t, since) = self.leader?;
        Some((self.terms.get(t)?.term.incarnation, since))
    }

    /// Job state, if known.
    pub fn job(&self, id: &str) -> Option<&JobState> {
        self.jobs.get(id)
    }

    fn job_mut(&mut self, id: &str) -> &mut JobState {
        if !self.jobs.contains_key(id) {
            self.job_order.push(id.to_string());
            self.jobs.insert(
                id.to_string(),
                JobState {
                    id: id.to_string(),
                    ..JobState::default()
                },
            );
        }
        // The entry exists: inserted just above when missing.
        self.jobs.get_mut(id).expect("job inserted above")
    }

    fn label_for(&self, source: &str) -> String {
        let source = stream_key(source);
        let label = base_label(source);
        let n = self
            .incs
            .iter()
            .filter(|i| stream_key(&i.source) == source)
            .count();
        if n == 0 {
            label
        } else {
            format!("{label} #{}", n + 1)
        }
    }

    fn new_inc(&mut self, ev: &Event) -> usize {
        let id = self.incs.len();
        let label = self.label_for(&ev.source);
        self.incs.push(IncState {
            info: Incarnation {
                id,
                source: ev.source.to_string(),
                label,
                first_ts: ev.ts,
                last_ts: ev.ts,
                version: None,
                entrypoint: None,
                identity: None,
                end: IncarnationEnd::LogEnds,
                stopping_ts: None,
                stop_reason: None,
                application: false,
                application_status: None,
            },
            source: ev.source.clone(),
            open: true,
            stopping: None,
            current_job: None,
            banner_seen: false,
            app_ended: None,
            paused: None,
            stop_event: None,
            recent: VecDeque::new(),
        });
        self.current.insert(Arc::from(stream_key(&ev.source)), id);
        id
    }

    /// End every open term of `inc` at `ts`.
    fn end_terms_of(&mut self, inc: usize, ts: DateTime<Utc>, end: TermEnd, ev: &Event) {
        for &i in &self.open_terms {
            let Some(t) = self.terms.get_mut(i) else {
                continue;
            };
            if t.term.incarnation == inc && !t.open.is_empty() {
                t.open.clear();
                t.term.to = Some(ts);
                t.term.end = end;
                t.end_ev = Some(evidence(ev));
            }
        }
        self.prune_open_terms();
    }

    fn close_inc(&mut self, inc: usize, end: IncarnationEnd, ts: DateTime<Utc>, ev: &Event) {
        let term_end = match end {
            IncarnationEnd::Stopped | IncarnationEnd::Crashed => TermEnd::ProcessStopped,
            _ => TermEnd::LogEnded,
        };
        self.end_terms_of(inc, ts, term_end, ev);
        if let Some(i) = self.incs.get_mut(inc) {
            i.open = false;
            if i.stopping.is_none() || end == IncarnationEnd::Restarted {
                i.info.end = end;
            }
        }
        // A job master of a dead process is no longer running its job.
        let inc_jobs: Vec<String> = self
            .jobs
            .values()
            .filter(|j| j.last_incarnation == Some(inc))
            .map(|j| j.id.clone())
            .collect();
        for j in inc_jobs {
            self.job_mut(&j).end_run();
        }
    }

    /// The process (not a JobManager) that wrote `ev`, if its lines said so: this event's
    /// own `role`, or an earlier one of its log.
    pub fn other_of(&self, ev: &Event) -> Option<usize> {
        self.other_index.get(stream_key(&ev.source)).copied()
    }

    /// Record an event of a process that is not a JobManager.
    fn apply_other(&mut self, ev: &Event) {
        let key: Arc<str> = Arc::from(stream_key(&ev.source));
        let idx = match self.other_index.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.others.len();
                self.others.push(OtherState {
                    info: OtherProcess {
                        source: ev.source.to_string(),
                        role: ev.fields.role.clone().unwrap_or_default(),
                        label: base_label(&ev.source),
                        resource: None,
                        first_ts: ev.ts,
                        last_ts: ev.ts,
                        stop_reason: None,
                    },
                    stop: None,
                    ended: None,
                    expired: VecDeque::new(),
                });
                self.other_index.insert(key, i);
                i
            }
        };
        let Some(o) = self.others.get_mut(idx) else {
            return;
        };
        o.info.last_ts = o.info.last_ts.max(ev.ts);
        match ev.kind {
            // A new process in the same log (a restarted TaskManager container).
            Kind::ProcessStarted => {
                o.stop = None;
                o.ended = None;
                o.info.stop_reason = None;
            }
            Kind::TaskmanagerStarted => {
                if let Some(r) = &ev.fields.resource {
                    o.info.resource = Some(r.clone());
                    self.tm_by_resource.insert(r.clone(), idx);
                }
            }
            Kind::ProcessStopping if o.stop.is_none() => {
                o.info.stop_reason = ev.fields.reason.clone();
                o.stop = Some(ev.clone());
            }
            Kind::HaConnection if ev.fields.state.as_deref() == Some("EXPIRED") => {
                o.expired.push_back(ev.clone());
                while o.expired.len() > RECENT_EXPIRED {
                    o.expired.pop_front();
                }
            }
            Kind::LogEnd => o.ended = Some(ev.clone()),
            _ => {}
        }
    }

    /// Apply one event.
    pub fn apply(&mut self, ev: &Event) {
        // A process is known for what it is from its own lines: TaskManager, ZooKeeper and
        // client logs only add evidence.
        let other_role = ev
            .fields
            .role
            .as_deref()
            .is_some_and(|r| r != role::JOB_MANAGER);
        if other_role || self.other_of(ev).is_some() {
            self.apply_other(ev);
            return;
        }
        self.span = Some(match self.span {
            None => (ev.ts, ev.ts),
            Some((a, b)) => (a.min(ev.ts), b.max(ev.ts)),
        });
        // Incarnation bookkeeping.
        let inc = match ev.kind {
            Kind::LogEnd => {
                if let Some(inc) = self.inc_of(&ev.source) {
                    if self.incs[inc].open && stream_key(&ev.source) != &*ev.source {
                        // A rotated part ends; the process may go on in the next part.
                        self.incs[inc].info.last_ts = self.incs[inc].info.last_ts.max(ev.ts);
                        if self.incs[inc].paused.replace(ev.clone()).is_none() {
                            self.paused_incs.push(inc);
                        }
                    } else if self.incs[inc].open {
                        self.incs[inc].info.last_ts = self.incs[inc].info.last_ts.max(ev.ts);
                        let end = self.incs[inc].info.end;
                        self.close_inc(inc, end, ev.ts, ev);
                    }
                }
                return;
            }
            // Lines any Flink process may log: they belong to a JobManager only when its log
            // already started one.
            Kind::HaConnection
            | Kind::HaError
            | Kind::TaskmanagerLost
            | Kind::TaskmanagerRegistered => match self.inc_of(&ev.source) {
                Some(i) => i,
                None => return,
            },
            Kind::ProcessStarted => {
                match self.inc_of(&ev.source) {
                    Some(i) if self.incs[i].banner_seen || !self.incs[i].open => {
                        // A new process in the same source: the old one is gone.
                        let last = self.incs[i].info.last_ts;
                        if self.incs[i].open {
                            self.close_inc(i, IncarnationEnd::Restarted, last, ev);
                        }
                        self.new_inc(ev)
                    }
                    Some(i) => i,
                    None => self.new_inc(ev),
                }
            }
            _ => match self.inc_of(&ev.source) {
                Some(i) if self.incs[i].open => i,
                _ => self.new_inc(ev),
            },
        };
        {
            let i = &mut self.incs[inc];
            i.info.last_ts = i.info.last_ts.max(ev.ts);
            // The process goes on in the next part of its rotated log.
            if i.paused.take().is_some() {
                self.paused_incs.retain(|&x| x != inc);
            }
            if let Some(j) = ev.job() {
                i.current_job = Some(j.to_string());
            }
            if notable(ev) {
                i.recent.push_back(ev.clone());
                while i.recent.len() > RECENT_NOTABLE {
                    i.recent.pop_front();
                }
            }
        }
        self.note_application(inc, ev);
        match ev.kind {
            Kind::ProcessStarted => {
                let i = &mut self.incs[inc];
                i.banner_seen = true;
                if ev.fields.version.is_some() {
                    i.info.version = ev.fields.version.clone();
                }
                if ev.fields.entrypoint.is_some() {
                    i.info.entrypoint = ev.fields.entrypoint.clone();
                }
                if ev
                    .fields
                    .entrypoint
                    .as_deref()
                    .is_some_and(|e| e.contains("Application"))
                {
                    i.info.application = true;
                }
            }
            Kind::ProcessStopping if self.incs[inc].stopping.is_none() => {
                let reason = ev.fields.reason.clone();
                let crashed = reason
                    .as_deref()
                    .map(|r| r.contains("fatal") || r.contains("fail"))
                    .unwrap_or(false);
                {
                    let i = &mut self.incs[inc];
                    i.stopping = Some(evidence(ev));
                    i.stop_event = Some(ev.clone());
                    i.info.stopping_ts = Some(ev.ts);
                    i.info.stop_reason = reason;
                    i.info.end = if crashed {
                        IncarnationEnd::Crashed
                    } else {
                        IncarnationEnd::Stopped
                    };
                }
                self.end_terms_of(inc, ev.ts, TermEnd::ProcessStopped, ev);
            }
            Kind::LeaderElectorCreated if ev.fields.identity.is_some() => {
                self.incs[inc].info.identity = ev.fields.identity.clone();
            }
            Kind::LeadershipGranted => self.grant(inc, ev),
            // Only the leading dispatcher recovers job graphs: when its grant was not logged
            // (DEBUG in some versions, or cut from an excerpt), the recovery implies it.
            Kind::JobGraphsRetrieved | Kind::JobRecoveryStarted | Kind::JobGraphsRecoveredCount
                if !self.open_terms_of(inc).any(|t| {
                    t.open.contains(component::DISPATCHER) || t.open.contains(component::REST)
                }) =>
            {
                let mut implied = ev.clone();
                implied.fields.component = Some(component::DISPATCHER.to_string());
                implied.fields.session = Some(UNKNOWN_SESSION.to_string());
                self.grant(inc, &implied);
            }
            Kind::LeadershipRevoked => self.revoke(inc, ev),
            Kind::JobSubmitted => {
                if let Some(job) = ev.job() {
                    let j = self.job_mut(job);
                    if ev.fields.name.is_some() {
                        j.name = ev.fields.name.clone();
                    }
                    // A submission of a job id that already ended: a new life once it runs
                    // (the dispatcher may still refuse it).
                    if j.terminal.is_some() || (j.cleanup.is_some() && !j.cleanup_while_live) {
                        j.resubmitted = Some((inc, evidence(ev)));
                    }
                    j.last_incarnation = Some(inc);
                }
            }
            Kind::JobSubmissionRefused | Kind::JobRecoverySkipped => {
                if let Some(job) = ev.job() {
                    let j = self.job_mut(job);
                    if ev.kind == Kind::JobSubmissionRefused {
                        j.resubmitted = None;
                    }
                    j.milestone(ev, inc, None);
                }
            }
            Kind::ApplicationSubmitted | Kind::ApplicationRecovered => {
                if let Some(job) = ev.job() {
                    self.job_mut(job).milestone(ev, inc, None);
                }
            }
            Kind::JobState => self.job_state(inc, ev),
            Kind::JobTerminal => {
                if let (Some(job), Some(state)) = (ev.job(), ev.fields.state.as_deref()) {
                    let terminal = globally_terminal(state);
                    let j = self.job_mut(job);
                    j.last_incarnation = Some(inc);
                    if terminal && j.terminal.is_none() {
                        j.terminal = Some((state.to_string(), ev.ts, evidence(ev)));
                        j.terminal_inc = Some(inc);
                    }
                    j.end_run();
                }
            }
            Kind::CheckpointTriggered => {
                if let (Some(job), Some(id)) = (ev.job(), ev.fields.checkpoint) {
                    let j = self.job_mut(job);
                    j.last_incarnation = Some(inc);
                    if j.max_triggered
                        .as_ref()
                        .map(|(m, _)| id > *m)
                        .unwrap_or(true)
                    {
                        j.max_triggered = Some((id, evidence(ev)));
                        j.ids_seen += 1;
                    }
                    j.pending.insert(id);
                    while j.pending.len() > PENDING_TRIGGERS {
                        j.pending.pop_first();
                    }
                }
            }
            Kind::CheckpointCompleted => self.completed(inc, ev),
            Kind::CheckpointFailed => {
                if let Some(job) = self.job_of(ev) {
                    let j = self.job_mut(&job);
                    // One failed attempt is often logged twice (the reason, then the failure
                    // manager's summary): count each id once.
                    match ev.fields.checkpoint {
                        Some(id) if j.recent_failed.contains(&id) => {}
                        Some(id) => {
                            j.failed += 1;
                            j.recent_failed.push_back(id);
                            if j.recent_failed.len() > 16 {
                                j.recent_failed.pop_front();
                            }
                        }
                        None => j.failed += 1,
                    }
                }
            }
            Kind::CheckpointIdReset => {
                if let Some(job) = ev.job() {
                    let j = self.job_mut(job);
                    j.max_triggered = None;
                    j.max_completed = None;
                }
            }
            Kind::CheckpointRestored => self.restored(inc, ev),
            Kind::NoCheckpointToRestore => {
                if let Some(job) = self.job_of(ev) {
                    let had = self.job(&job).and_then(|j| j.latest_checkpoint.clone());
                    if let (Some((f, k)), Some(_)) =
                        (self.jobs.get(&job).and_then(|j| j.open_recovery), &had)
                    {
                        if let Some(t) = self.tracks.get_mut(f).and_then(|v| v.get_mut(k)) {
                            t.no_restore.get_or_insert_with(|| evidence(ev));
                        }
                        if let Some(r) = self.failovers.get_mut(f).and_then(|fo| fo.jobs.get_mut(k))
                        {
                            r.fresh_start = true;
                        }
                    }
                    if let Some(latest) = had {
                        // The job starts over from nothing: later restores are judged against
                        // what this run completes (the loss itself is `recover-latest`'s FAIL).
                        let j = self.job_mut(&job);
                        j.milestone(ev, inc, Some(latest.id.to_string()));
                        j.latest_checkpoint = None;
                        j.recent.clear();
                    }
                }
            }
            Kind::HaCleanupAll => {
                for j in self.jobs.values_mut() {
                    j.cleanup_event(ev, inc);
                    if j.cleanup.is_none() {
                        j.cleanup = Some((ev.ts, evidence(ev)));
                        j.cleanup_while_live = j.is_live();
                    }
                }
            }
            Kind::HaCleanupFailed => {
                if let Some(job) = ev.job() {
                    self.job_mut(job).cleanup_event(ev, inc);
                }
            }
            Kind::HaCleanupStarted | Kind::HaCleanupFinished | Kind::JobGraphRemoved => {
                if let Some(job) = ev.job() {
                    let j = self.job_mut(job);
                    j.cleanup_event(ev, inc);
                    if j.cleanup.is_none() {
                        j.cleanup = Some((ev.ts, evidence(ev)));
                        j.cleanup_while_live = j.is_live();
                    }
                }
            }
            Kind::LeaderConflict => {
                let stopping = self.incs[inc].stopping.is_some();
                let note = format!(
                    "Flink warned that leader session {} was confirmed by a component that was not                      elected ({}:{}){}",
                    ev.fields.session.as_deref().unwrap_or("?"),
                    ev.source,
                    ev.line,
                    if stopping {
                        "; the process was shutting down, which explains it"
                    } else {
                        ": a split-brain symptom, look at both JobManagers around that time"
                    }
                );
                if self.notes.len() < 50 {
                    self.notes.push(note);
                }
            }
            Kind::JobGraphReleased => {
                if let Some(job) = ev.job() {
                    self.job_mut(job).end_run();
                }
            }
            Kind::JobMasterStarted
            | Kind::JobGraphRecovered
            | Kind::JobRecoveryStarted
            | Kind::JobFromSavepoint => {
                if let Some(job) = ev.job() {
                    let j = self.job_mut(job);
                    j.last_incarnation = Some(inc);
                    if ev.fields.name.is_some() && j.name.is_none() {
                        j.name = ev.fields.name.clone();
                    }
                }
            }
            _ => {}
        }
        self.note_recovery_evidence(inc, ev);
        self.note_main_passed(inc, ev);
    }

    /// Application mode: whether `ev` of incarnation `inc` shows its `main()` past the point
    /// where it would have submitted a job the HA store lost: with HA an application runs one
    /// job, so `main()` submitting or attaching to another job id passes ours by; so does the
    /// application ending, or the cluster shutting down with an application status (`main()`
    /// ran to its end). A JobManager stopping without one may not have run `main()` at all.
    fn note_main_passed(&mut self, inc: usize, ev: &Event) {
        let passes = match ev.kind {
            Kind::ApplicationSubmitted | Kind::ApplicationRecovered => ev.job().is_some(),
            Kind::ApplicationFinished => true,
            Kind::ProcessStopping => self.incs[inc].info.application_status.is_some(),
            _ => false,
        };
        if !passes || self.pending_failovers.is_empty() {
            return;
        }
        for &f in &self.pending_failovers {
            if self.failover_new_inc.get(f).copied().flatten() != Some(inc) {
                continue;
            }
            let (Some(fo), Some(tracks)) = (self.failovers.get(f), self.tracks.get_mut(f)) else {
                continue;
            };
            for (r, track) in fo.jobs.iter().zip(tracks.iter_mut()) {
                let open = track.soft_missing.is_some()
                    && track.recovered.is_none()
                    && track.missing.is_none()
                    && track.resubmitted.is_none()
                    && track.main_passed.is_none();
                if open && ev.job() != Some(r.job.as_str()) {
                    track.main_passed = Some(evidence(ev));
                }
            }
        }
    }

    /// Application-mode bookkeeping of one event: which incarnations run `main()`, the status
    /// an application ended with, and a re-submitted job id starting a new life when it runs.
    fn note_application(&mut self, inc: usize, ev: &Event) {
        match ev.kind {
            Kind::ApplicationSubmitted | Kind::ApplicationRecovered => {
                self.incs[inc].info.application = true;
            }
            Kind::ApplicationFinished | Kind::ProcessStopping => {
                if ev.kind == Kind::ApplicationFinished {
                    self.incs[inc].info.application = true;
                }
                if let Some(s) = ev.fields.state.as_deref() {
                    if matches!(s, "SUCCEEDED" | "CANCELED" | "FAILED") {
                        self.incs[inc].info.application_status = Some(s.to_string());
                        self.incs[inc].app_ended.get_or_insert(ev.ts);
                    }
                }
            }
            _ => {}
        }
        if let Some(job) = self.revived_job(ev) {
            if let Some(j) = self.jobs.get_mut(&job) {
                if j.resubmitted.is_some() {
                    j.new_life();
                }
            }
        }
    }

    /// The job `ev` shows running (or being brought back): a JobMaster starting or
    /// restoring it, a checkpoint triggered, its recovery, its status becoming CREATED /
    /// RUNNING.
    /// A JobMaster restores (or finds nothing to restore) before it logs its start.
    pub fn revived_job(&self, ev: &Event) -> Option<String> {
        match ev.kind {
            Kind::JobRecoveryStarted
            | Kind::JobGraphRecovered
            | Kind::JobMasterStarted
            | Kind::CheckpointRestored
            | Kind::CheckpointTriggered => ev.job().map(str::to_string),
            // A checkpoint triggered earlier may complete just after the job was cancelled
            // (Flink finalizes in-flight checkpoints): only one never triggered is news.
            Kind::CheckpointCompleted => {
                let job = ev.job()?;
                let triggered = self.jobs.get(job).and_then(|j| j.max_triggered.as_ref());
                match (triggered, ev.fields.checkpoint) {
                    (Some((max, _)), Some(id)) if id <= *max => None,
                    _ => Some(job.to_string()),
                }
            }
            Kind::JobState
                if matches!(ev.fields.to.as_deref(), Some("RUNNING") | Some("CREATED")) =>
            {
                ev.job().map(str::to_string)
            }
            Kind::NoCheckpointToRestore => self.job_of(ev),
            _ => None,
        }
    }

    /// Close every incarnation whose rotated log part ended and that did not go on (except
    /// `keep`): a grant elsewhere, or the end of input, settles that it was the end.
    fn settle_paused(&mut self, keep: Option<usize>) {
        if self.paused_incs.is_empty() {
            return;
        }
        let paused = std::mem::take(&mut self.paused_incs);
        for i in paused {
            if Some(i) == keep {
                self.paused_incs.push(i);
                continue;
            }
            let Some(e) = self.incs.get_mut(i).and_then(|x| x.paused.take()) else {
                continue;
            };
            if self.incs[i].open {
                let end = self.incs[i].info.end;
                self.close_inc(i, end, e.ts, &e);
            }
        }
    }

    fn grant(&mut self, inc: usize, ev: &Event) {
        self.settle_paused(Some(inc));
        let Some(session) = ev.fields.session.clone() else {
            return;
        };
        if session == ZERO_SESSION && !self.notes.iter().any(|n| n.contains(ZERO_SESSION)) {
            self.notes.push(format!(
                "Leadership was granted with the fixed leader session id {ZERO_SESSION}: HA is disabled \
                 (standalone leader election). Jobs cannot survive a JobManager failure."
            ));
        }
        let comp = component_key(ev);
        let existing = self.open_term_id(inc, &session);
        let term = match existing {
            Some(t) => t,
            None => {
                // A new session for a component in the same incarnation ends the older term
                // that held it (re-election after a reconnect).
                for &i in &self.open_terms {
                    let Some(t) = self.terms.get_mut(i) else {
                        continue;
                    };
                    if t.term.incarnation == inc && t.open.remove(&comp) && t.open.is_empty() {
                        t.term.to = Some(ev.ts);
                        t.term.end = TermEnd::Superseded;
                        t.end_ev = Some(evidence(ev));
                    }
                }
                self.prune_open_terms();
                let id = self.terms.len();
                // Opened just below (its component is inserted), so it joins the index.
                self.open_terms.push(id);
                self.terms.push(TermState {
                    term: Term {
                        id,
                        incarnation: inc,
                        session: session.clone(),
                        components: Vec::new(),
                        address: None,
                        from: ev.ts,
                        to: None,
                        end: TermEnd::Open,
                    },
                    open: BTreeSet::new(),
                    grant: evidence(ev),
                    end_ev: None,
                });
                if session != UNKNOWN_SESSION {
                    self.sessions.entry(session.clone()).or_insert(id);
                }
                id
            }
        };
        {
            let t = &mut self.terms[term];
            if !t.term.components.contains(&comp) {
                t.term.components.push(comp.clone());
            }
            t.open.insert(comp.clone());
            if t.term.address.is_none() {
                t.term.address = ev.fields.address.clone();
            }
        }
        if comp == component::DISPATCHER {
            self.dispatcher_grants_seen = true;
        }
        // The dispatcher's grant names the cluster leader; the REST endpoint's does when
        // dispatcher grants are not logged (≤1.13.2) or when the recorded leader is gone.
        // (≤1.14 may elect REST endpoint and dispatcher in different processes.)
        let leader_gone = self
            .leader
            .and_then(|(t, _)| self.terms.get(t))
            .map(|t| t.open.is_empty())
            .unwrap_or(true);
        let leads = comp == component::DISPATCHER
            || (comp == component::REST && (!self.dispatcher_grants_seen || leader_gone));
        if !leads {
            return;
        }
        match self.leader {
            Some((t, _)) if t == term => {}
            Some((old, _)) if self.ended_for_good(old) => self.leader = Some((term, ev.ts)),
            Some((old, _)) => {
                self.leader = Some((term, ev.ts));
                self.leader_failover(old, term, ev);
            }
            None => self.leader = Some((term, ev.ts)),
        }
    }

    /// Whether term `t` belonged to a cluster that shut itself down for good after its
    /// application ended (SUCCEEDED, CANCELED, FAILED): a JobManager starting afterwards
    /// begins a new run of the cluster, not a failover.
    fn ended_for_good(&self, t: usize) -> bool {
        self.terms
            .get(t)
            .and_then(|t| self.incs.get(t.term.incarnation))
            .is_some_and(|i| i.info.application_status.is_some())
    }

    fn leader_failover(&mut self, old: usize, new: usize, ev: &Event) {
        let old_end = self.terms[old].term.to;
        let failure_ts = old_end.unwrap_or(ev.ts).min(ev.ts);
        let cause = cause::leader_cause(self, old, ev);
        let id = self.failovers.len();
        let mut jobs = Vec::new();
        let mut tracks = Vec::new();
        for jid in self.job_order.clone() {
            let Some(j) = self.jobs.get(&jid) else {
                continue;
            };
            if j.is_terminal() {
                continue;
            }
            let state = j.last_state.as_ref().map(|(s, _)| s.clone());
            // Only jobs this cluster was running (or had accepted) are expected back.
            if state.is_none() && j.max_triggered.is_none() && j.last_incarnation.is_none() {
                continue;
            }
            jobs.push(self.recovery_for(&jid));
            tracks.push(RecoveryTrack {
                state_before: state,
                ..RecoveryTrack::default()
            });
        }
        for (k, r) in jobs.iter().enumerate() {
            let j = self.job_mut(&r.job.clone());
            j.open_recovery = Some((id, k));
            j.end_run();
        }
        let new_leader_ts = ev.ts;
        self.failovers.push(Failover {
            id,
            kind: FailoverKind::Leader,
            failure_ts,
            new_leader_ts: Some(new_leader_ts),
            leaderless_ms: Some((new_leader_ts - failure_ts).num_milliseconds().max(0)),
            from_term: Some(old),
            to_term: Some(new),
            cause,
            jobs,
            advice: Vec::new(),
        });
        if !tracks.is_empty() {
            self.pending_failovers.push(id);
        }
        self.tracks.push(tracks);
        self.failover_new_inc
            .push(Some(self.terms[new].term.incarnation));
    }

    fn recovery_for(&self, job: &str) -> JobRecovery {
        let j = self.jobs.get(job);
        let latest = j.and_then(|j| j.latest_checkpoint.clone());
        let lost = j
            .map(|j| {
                let floor = j.max_completed.as_ref().map(|(m, _)| *m).unwrap_or(0);
                j.pending.iter().copied().filter(|p| *p > floor).collect()
            })
            .unwrap_or_default();
        JobRecovery {
            job: job.to_string(),
            latest_completed_before: latest.as_ref().map(|c| c.id),
            latest_completed_ts: latest.as_ref().map(|c| c.ts),
            restored_checkpoint: None,
            restored_savepoint: false,
            restored_ts: None,
            running_ts: None,
            rto_ms: None,
            // Known once the restore says which checkpoint the job came back from.
            rpo_ms: None,
            first_completed_after: None,
            lost_checkpoints: lost,
            fresh_start: false,
            resubmitted: false,
        }
    }

    fn revoke(&mut self, inc: usize, ev: &Event) {
        let comp = component_key(ev);
        let session = ev.fields.session.clone();
        for &i in &self.open_terms {
            let Some(t) = self.terms.get_mut(i) else {
                continue;
            };
            if t.term.incarnation != inc || t.open.is_empty() {
                continue;
            }
            let hit = match &session {
                Some(s) => &t.term.session == s,
                None => t.open.contains(&comp),
            };
            if !hit {
                continue;
            }
            // One election for all components (same session): losing one loses all; a job
            // master's revocation only ends that job master.
            if comp.starts_with(component::JOB_MASTER) {
                t.open.remove(&comp);
            } else {
                t.open.clear();
            }
            if t.open.is_empty() {
                t.term.to = Some(ev.ts);
                t.term.end = TermEnd::Revoked;
                t.end_ev = Some(evidence(ev));
            }
        }
        self.prune_open_terms();
    }

    fn job_state(&mut self, inc: usize, ev: &Event) {
        let (Some(job), Some(to)) = (ev.job(), ev.fields.to.clone()) else {
            return;
        };
        let from = ev.fields.from.clone().unwrap_or_default();
        let restart =
            (from == "RUNNING" || from == "CREATED") && (to == "RESTARTING" || to == "FAILING");
        {
            let j = self.job_mut(job);
            if ev.fields.name.is_some() && j.name.is_none() {
                j.name = ev.fields.name.clone();
            }
            j.last_incarnation = Some(inc);
            if j.states.len() >= MAX_STATES {
                // Keep the first changes and the most recent ones: memory stays bounded for
                // a job that restarts forever.
                j.states.remove(MAX_STATES / 2);
            }
            j.states.push(JobStateChange {
                ts: ev.ts,
                state: to.clone(),
                incarnation: Some(inc),
            });
            j.last_state = Some((to.clone(), evidence(ev)));
            if globally_terminal(&to) && j.terminal.is_none() {
                j.terminal = Some((to.clone(), ev.ts, evidence(ev)));
                j.terminal_inc = Some(inc);
            }
            if to != "RUNNING" {
                j.end_run();
            }
        }
        if restart {
            let id = self.failovers.len();
            let cause = cause::restart_cause(self, inc, job, ev);
            let rec = self.recovery_for(job);
            self.job_mut(job).open_recovery = Some((id, 0));
            let term = self.leader.map(|(t, _)| t);
            self.failovers.push(Failover {
                id,
                kind: FailoverKind::JobRestart,
                failure_ts: ev.ts,
                new_leader_ts: None,
                leaderless_ms: None,
                from_term: term,
                to_term: term,
                cause,
                jobs: vec![rec],
                advice: Vec::new(),
            });
            self.tracks.push(vec![RecoveryTrack {
                state_before: Some(from),
                ..RecoveryTrack::default()
            }]);
            self.failover_new_inc.push(None);
        }
        if to == "RUNNING" {
            if let Some((f, k)) = self.jobs.get(job).and_then(|j| j.open_recovery) {
                if let Some(r) = self.failovers.get_mut(f).and_then(|fo| fo.jobs.get_mut(k)) {
                    if r.running_ts.is_none() && ev.ts >= self.failovers[f].failure_ts {
                        let failure = self.failovers[f].failure_ts;
                        if let Some(r) = self.failovers[f].jobs.get_mut(k) {
                            r.running_ts = Some(ev.ts);
                            r.rto_ms = Some((ev.ts - failure).num_milliseconds().max(0));
                        }
                    }
                }
            }
        }
    }

    fn completed(&mut self, inc: usize, ev: &Event) {
        let (Some(job), Some(id)) = (ev.job(), ev.fields.checkpoint) else {
            return;
        };
        let savepoint = ev.fields.savepoint.unwrap_or(false);
        let c = Completed {
            id,
            ts: ev.ts,
            savepoint,
            ev: evidence(ev),
        };
        let open = {
            let j = self.job_mut(job);
            j.last_incarnation = Some(inc);
            j.completed += 1;
            if j.max_completed
                .as_ref()
                .map(|(m, _)| id > *m)
                .unwrap_or(true)
            {
                j.max_completed = Some((id, evidence(ev)));
                if j.max_triggered
                    .as_ref()
                    .map(|(m, _)| id > *m)
                    .unwrap_or(true)
                {
                    j.ids_seen += 1;
                }
            }
            if !savepoint
                && j.latest_checkpoint
                    .as_ref()
                    .map(|l| id > l.id)
                    .unwrap_or(true)
            {
                j.latest_checkpoint = Some(c.clone());
                j.start_savepoint = None;
            }
            j.pending.retain(|p| *p > id);
            j.recent.push_back(c);
            while j.recent.len() > RECENT_COMPLETED {
                j.recent.pop_front();
            }
            let run = j.run.get_or_insert_with(|| RunAcc {
                first_id: id,
                first_ts: Some(ev.ts),
                ..RunAcc::default()
            });
            if let Some(prev) = run.last_ts {
                if run.intervals.len() < RUN_SAMPLES {
                    run.intervals.push((ev.ts - prev).num_milliseconds());
                }
            }
            run.last_id = id;
            run.last_ts = Some(ev.ts);
            run.count += 1;
            if savepoint {
                run.savepoints += 1;
            }
            if let Some(d) = ev.fields.duration_ms {
                if run.durations.len() < RUN_SAMPLES {
                    run.durations.push(d);
                }
            }
            if let Some(b) = ev.fields.bytes {
                if run.bytes.len() < RUN_SAMPLES {
                    run.bytes.push(b);
                }
            }
            j.open_recovery
        };
        if let Some((f, k)) = open {
            if let Some(r) = self.failovers.get_mut(f).and_then(|fo| fo.jobs.get_mut(k)) {
                if r.first_completed_after.is_none() {
                    r.first_completed_after = Some(id);
                }
            }
        }
    }

    fn restored(&mut self, inc: usize, ev: &Event) {
        let (Some(job), Some(id)) = (ev.job(), ev.fields.checkpoint) else {
            return;
        };
        let savepoint = ev.fields.savepoint.unwrap_or(false);
        let open = {
            let j = self.job_mut(job);
            j.last_incarnation = Some(inc);
            j.end_run();
            j.restores.push(Restore {
                ts: ev.ts,
                checkpoint: id,
                savepoint,
                incarnation: Some(inc),
            });
            if savepoint && j.latest_checkpoint.is_none() {
                j.start_savepoint = Some(id);
            }
            j.open_recovery
        };
        if let Some((f, k)) = open {
            let done_ts = self
                .jobs
                .get(job)
                .and_then(|j| j.recent.iter().rev().find(|c| c.id == id).map(|c| c.ts));
            let failure = self.failovers.get(f).map(|fo| fo.failure_ts);
            if let Some(r) = self.failovers.get_mut(f).and_then(|fo| fo.jobs.get_mut(k)) {
                if r.restored_checkpoint.is_none() {
                    r.restored_checkpoint = Some(id);
                    r.restored_savepoint = savepoint;
                    r.restored_ts = Some(ev.ts);
                    r.rpo_ms = match (done_ts, failure) {
                        (Some(d), Some(f)) => Some((f - d).num_milliseconds().max(0)),
                        _ => None,
                    };
                }
            }
        }
    }

    /// Record, for leader failovers whose new leader is `inc`, evidence that a job was or
    /// was not recovered.
    fn note_recovery_evidence(&mut self, inc: usize, ev: &Event) {
        if self.pending_failovers.is_empty() {
            return;
        }
        // Only the new leader's job-graph lists speak about every job; any other event can
        // only recover the one job it names. Looking at just that job (instead of every job
        // of the failover on every event) keeps a cluster with thousands of jobs linear.
        let lists = matches!(
            ev.kind,
            Kind::JobGraphsRetrieved | Kind::JobGraphsRecoveredCount
        );
        let recovers = match ev.kind {
            Kind::JobGraphRecovered
            | Kind::JobRecoveryStarted
            | Kind::JobMasterStarted
            | Kind::CheckpointRestored => true,
            Kind::JobState => ev.fields.to.as_deref() == Some("RUNNING"),
            _ => false,
        };
        // Application mode: `main()` submits a job the HA store lost again under its id.
        let resubmits = matches!(ev.kind, Kind::JobSubmitted | Kind::ApplicationSubmitted);
        let about = ev.job().filter(|_| recovers || resubmits);
        if !lists && about.is_none() {
            return;
        }
        // In application mode a job missing from the new leader's job graphs is not lost yet:
        // `main()` runs after the recovery and may submit it again (the operator's last-state
        // upgrade does exactly this, and so does `main()` after an HA metadata loss).
        let application = self.incs.get(inc).is_some_and(|i| i.info.application);
        let mut resubmitted = Vec::new();
        let mut pending = std::mem::take(&mut self.pending_failovers);
        for &f in &pending {
            if self.failover_new_inc.get(f).copied().flatten() != Some(inc) {
                continue;
            }
            let (Some(fo), Some(tracks)) = (self.failovers.get(f), self.tracks.get_mut(f)) else {
                continue;
            };
            let positions: Vec<usize> = match about {
                Some(job) if !lists => fo
                    .jobs
                    .iter()
                    .position(|r| r.job == job)
                    .into_iter()
                    .collect(),
                _ => (0..fo.jobs.len()).collect(),
            };
            for k in positions {
                let (Some(r), Some(track)) = (fo.jobs.get(k), tracks.get_mut(k)) else {
                    continue;
                };
                let job = &r.job;
                if track.recovered.is_some() || track.missing.is_some() {
                    continue;
                }
                let missing = ev.kind == Kind::JobGraphsRetrieved
                    && !ev
                        .fields
                        .jobs
                        .as_ref()
                        .is_some_and(|l| l.iter().any(|x| x == job));
                // Logged after every job graph was recovered: a job not recovered by then
                // was left out, unless it still shows up on this leader later.
                if ev.kind == Kind::JobGraphsRecoveredCount && track.soft_missing.is_none() {
                    track.soft_missing = Some(evidence(ev));
                }
                let recovered = recovers && ev.job() == Some(job.as_str());
                if missing && application {
                    track.soft_missing.get_or_insert_with(|| evidence(ev));
                } else if missing {
                    track.missing = Some(evidence(ev));
                    self.missing_log.push((f, k));
                } else if resubmits && ev.job() == Some(job.as_str()) {
                    if track.resubmitted.is_none() {
                        track.resubmitted = Some(evidence(ev));
                        resubmitted.push((f, k));
                    }
                } else if recovered {
                    track.recovered = Some(evidence(ev));
                }
            }
        }
        for (f, k) in resubmitted {
            if let Some(r) = self.failovers.get_mut(f).and_then(|fo| fo.jobs.get_mut(k)) {
                r.resubmitted = true;
            }
        }
        // Keep only failovers with an undecided job.
        pending.retain(|&f| {
            self.tracks.get(f).is_some_and(|t| {
                t.iter()
                    .any(|x| x.recovered.is_none() && x.missing.is_none())
            })
        });
        self.pending_failovers = pending;
    }

    /// End of input: close what is still open.
    pub fn close(&mut self) {
        for j in self.jobs.values_mut() {
            j.end_run();
        }
        // Terms still open when the logs end.
        for t in self.terms.iter_mut() {
            if !t.open.is_empty() && t.term.to.is_none() {
                t.term.end = TermEnd::Open;
            }
        }
        self.settle_paused(None);
        self.note_leaderless_end();
    }

    /// The logs go on for a while after the last leader's term ended, and nobody took over:
    /// leadership was lost and not regained (FLINK-34007 leaves this picture).
    fn note_leaderless_end(&mut self) {
        const LONG_MS: i64 = 30_000;
        let Some((_, last)) = self.span else { return };
        let Some(latest) = self.terms.iter().max_by_key(|t| t.term.from) else {
            return;
        };
        let (Some(end), TermEnd::Revoked) = (latest.term.to, latest.term.end) else {
            return;
        };
        // Alive JobManagers kept logging after the loss.
        let alive_after = self.incs.iter().any(|i| {
            i.stopping.is_none() && i.info.last_ts - end >= Duration::milliseconds(LONG_MS)
        });
        if alive_after && (last - end).num_milliseconds() >= LONG_MS {
            self.notes.push(format!(
                "No JobManager was leader for the last {} s of the logs: leadership was revoked at {} and                  never granted again although JobManagers kept running (a leader elector that does not                  re-contend looks like this, FLINK-34007).",
                (last - end).num_seconds(),
                crate::events::format_ts(&end)
            ));
        }
    }

    /// Time a leader was alive after `ts`, in ms (sum over terms overlapping `[ts, ∞)`,
    /// open terms counting until their incarnation's last record).
    pub fn leader_alive_after(&self, ts: DateTime<Utc>) -> i64 {
        self.leader_alive_after_except(ts, None)
    }

    /// [`Model::leader_alive_after`], not counting the terms of incarnation `except`.
    pub fn leader_alive_after_except(&self, ts: DateTime<Utc>, except: Option<usize>) -> i64 {
        let mut total = 0;
        for t in self
            .terms
            .iter()
            .filter(|t| Some(t.term.incarnation) != except)
        {
            let end = t
                .term
                .to
                .unwrap_or_else(|| self.incs[t.term.incarnation].info.last_ts);
            let start = t.term.from.max(ts);
            if end > start {
                total += (end - start).num_milliseconds();
            }
        }
        total
    }

    /// Build the final analysis.
    pub fn into_analysis(self, verdict: Outcome, invariants: Vec<Verdict>) -> Analysis {
        let mut jobs = Vec::new();
        let mut by_id = self.jobs;
        for id in &self.job_order {
            if let Some(j) = by_id.remove(id) {
                jobs.push(JobReport {
                    job: j.id,
                    name: j.name,
                    states: j.states,
                    checkpoint_runs: j.runs,
                    completed: j.completed,
                    failed: j.failed,
                    restores: j.restores,
                    terminal: j.terminal.map(|(s, t, _)| (s, t)),
                    cleanup_ts: j.cleanup.map(|(t, _)| t),
                    cleanup_finished_ts: j.cleanup_progress.done_ts,
                    cleanup_failed: j
                        .cleanup_progress
                        .failed_labels()
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                    milestones: j.milestones,
                });
            }
        }
        let mut terms: Vec<Term> = self.terms.into_iter().map(|t| t.term).collect();
        terms.sort_by_key(|t| t.from);
        // Keep `id` equal to the position after sorting; remap failover references.
        let remap: HashMap<usize, usize> =
            terms.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
        for (i, t) in terms.iter_mut().enumerate() {
            t.id = i;
        }
        let mut failovers = self.failovers;
        for f in failovers.iter_mut() {
            f.from_term = f.from_term.and_then(|t| remap.get(&t).copied());
            f.to_term = f.to_term.and_then(|t| remap.get(&t).copied());
        }
        let mut incarnations: Vec<Incarnation> = self.incs.into_iter().map(|i| i.info).collect();
        disambiguate_labels(&mut incarnations);
        let labels: Vec<String> = incarnations.iter().map(|i| i.label.clone()).collect();
        for f in failovers.iter_mut() {
            f.cause.text = cause::resolve_labels(&f.cause.text, &labels);
        }
        Analysis {
            verdict,
            invariants,
            failovers,
            incarnations,
            terms,
            jobs,
            notes: self.notes,
            advice: Vec::new(),
            others: self.others.into_iter().map(|o| o.info).collect(),
            span: self.span,
        }
    }
}

/// Labels come from file names, so the logs of two JobManagers on two hosts (`host-a/flink-…-
/// standalonesession-0-….log`, `host-b/…` with the same name) would read alike: prefix such
/// labels with as many of their directories as it takes to tell the sources apart.
fn disambiguate_labels(incs: &mut [Incarnation]) {
    let base = |label: &str| label.split(" #").next().unwrap_or(label).to_string();
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, inc) in incs.iter().enumerate() {
        groups.entry(base(&inc.label)).or_default().push(i);
    }
    for members in groups.values() {
        let mut streams: Vec<&str> = members
            .iter()
            .filter_map(|&i| incs.get(i).map(|inc| stream_key(&inc.source)))
            .collect();
        streams.sort_unstable();
        streams.dedup();
        if streams.len() < 2 {
            continue;
        }
        let dirs = |s: &str| -> Vec<String> {
            let mut parts: Vec<String> = s.split(['/', '\\']).map(str::to_string).collect();
            parts.pop();
            parts
        };
        let depth = (1..=streams.iter().map(|s| dirs(s).len()).max().unwrap_or(0)).find(|&k| {
            let mut seen: Vec<String> = streams
                .iter()
                .map(|s| {
                    let d = dirs(s);
                    d[d.len().saturating_sub(k)..].join("/")
                })
                .collect();
            seen.sort_unstable();
            seen.dedup();
            seen.len() == streams.len()
        });
        let Some(k) = depth else { continue };
        let updates: Vec<(usize, String)> = members
            .iter()
            .filter_map(|&i| {
                let inc = incs.get(i)?;
                let d = dirs(stream_key(&inc.source));
                let prefix = d[d.len().saturating_sub(k)..].join("/");
                (!prefix.is_empty()).then(|| (i, format!("{prefix}/{}", inc.label)))
            })
            .collect();
        for (i, label) in updates {
            if let Some(inc) = incs.get_mut(i) {
                inc.label = label;
            }
        }
    }
}

#[cfg(test)]
mod label_tests {
    use super::*;

    fn inc(source: &str, label: &str) -> Incarnation {
        Incarnation {
            id: 0,
            source: source.to_string(),
            label: label.to_string(),
            first_ts: DateTime::<Utc>::MIN_UTC,
            last_ts: DateTime::<Utc>::MIN_UTC,
            version: None,
            entrypoint: None,
            identity: None,
            end: IncarnationEnd::LogEnds,
            stopping_ts: None,
            stop_reason: None,
            application: false,
            application_status: None,
        }
    }

    #[test]
    fn same_file_names_on_two_hosts_get_their_directories() {
        let mut incs = vec![
            inc(
                "logs/host-a/flink-root-standalonesession-0-vm.log",
                "standalonesession-0",
            ),
            inc(
                "logs/host-b/flink-root-standalonesession-0-vm.log",
                "standalonesession-0",
            ),
            inc(
                "logs/host-b/flink-root-standalonesession-0-vm.log",
                "standalonesession-0 #2",
            ),
            inc(
                "logs/host-a/flink-root-standalonesession-1-vm.log",
                "standalonesession-1",
            ),
        ];
        disambiguate_labels(&mut incs);
        let labels: Vec<&str> = incs.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "host-a/standalonesession-0",
                "host-b/standalonesession-0",
                "host-b/standalonesession-0 #2",
                "standalonesession-1"
            ]
        );
    }

    #[test]
    fn directories_are_added_until_the_sources_differ() {
        let mut incs = vec![
            inc(
                "a/x/jm/flink-root-standalonesession-0-vm.log",
                "standalonesession-0",
            ),
            inc(
                "b/x/jm/flink-root-standalonesession-0-vm.log",
                "standalonesession-0",
            ),
            inc(
                "flink-root-standalonesession-0-vm.log.1",
                "standalonesession-0",
            ),
        ];
        disambiguate_labels(&mut incs);
        let labels: Vec<&str> = incs.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "a/x/jm/standalonesession-0",
                "b/x/jm/standalonesession-0",
                "standalonesession-0"
            ]
        );
    }
}
