//! The state machine shared by all invariants: incarnations, leadership terms, the process
//! leader, jobs with their checkpoint history, and failovers.
//!
//! [`Model::apply`] consumes one event; invariants read the model through its public fields
//! and helpers. Memory grows with incarnations, terms, jobs and failovers, not with lines:
//! checkpoint history is collapsed into runs with bounded samples.

use super::cause;
use super::model::*;
use super::HashMap;
use super::{evidence, Proof};
use crate::events::{component, role, Event, Kind, LOG_END_ROTATED};
use chrono::{DateTime, Duration, Utc};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

mod job;
mod job_events;
mod jobs;
mod labels;
mod leadership;

use job::RunAcc;
pub use job::{Completed, JobState, PendingIds, RecoveryTrack};
pub use jobs::Jobs;
use labels::disambiguate_labels;
pub use labels::{base_label, stream_key};

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
    /// The jobs this incarnation is bringing up or restarting, oldest first, each with
    /// whether its restore line is still to come: `No checkpoint found during restore.`
    /// names no job, and belongs to the latest of those still waiting, not to whichever
    /// job another thread logged about last.
    restore_waits: Vec<(String, bool)>,
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

/// The shared model.
#[derive(Debug)]
pub struct Model {
    skew: Duration,
    /// Incarnations in order of appearance.
    pub incs: Vec<IncState>,
    current: HashMap<Arc<str>, usize>,
    /// The source [`Model::inc_of`] answered for last, with its answer (forgotten when
    /// `current` changes): an event asks about its source several times, consecutive
    /// events mostly come from one source, and a source's events share its name's `Arc`,
    /// so one pointer comparison replaces the rotation suffix's parsing and the path's
    /// hashing. The `Arc` kept here keeps its address from being reused for another name.
    inc_memo: RefCell<Option<(Arc<str>, Option<usize>)>>,
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
    pub jobs: Jobs,
    /// Job ids in order of first appearance.
    pub job_order: Vec<String>,
    /// Failovers.
    pub failovers: Vec<Failover>,
    /// Per failover, per job (same order as `failovers[i].jobs`): extra tracking.
    pub tracks: Vec<Vec<RecoveryTrack>>,
    /// Leader failovers' new-leader incarnation, per failover index.
    pub failover_new_inc: Vec<Option<usize>>,
    /// Leader failovers with a job whose recovery is not decided yet, each with how many
    /// of its jobs are undecided (so that each event looks at a handful of failovers, not at
    /// all of them, and none counts its open jobs again on every event).
    pending_failovers: Vec<(usize, usize)>,
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
            current: HashMap::default(),
            inc_memo: RefCell::new(None),
            terms: Vec::new(),
            open_terms: Vec::new(),
            leader: None,
            dispatcher_grants_seen: false,
            jobs: Jobs::default(),
            job_order: Vec::new(),
            failovers: Vec::new(),
            tracks: Vec::new(),
            failover_new_inc: Vec::new(),
            pending_failovers: Vec::new(),
            paused_incs: Vec::new(),
            missing_log: Vec::new(),
            others: Vec::new(),
            other_index: HashMap::default(),
            tm_by_resource: HashMap::default(),
            notes: Vec::new(),
            span: None,
            sessions: HashMap::default(),
        }
    }

    /// The tolerated clock skew.
    pub fn skew(&self) -> Duration {
        self.skew
    }

    /// The current incarnation of a source, if any.
    pub fn inc_of(&self, source: &Arc<str>) -> Option<usize> {
        let Ok(mut memo) = self.inc_memo.try_borrow_mut() else {
            return self.current.get(stream_key(source)).copied();
        };
        if let Some((s, inc)) = memo.as_ref().filter(|(s, _)| Arc::ptr_eq(s, source)) {
            debug_assert_eq!(s, source);
            return *inc;
        }
        let inc = self.current.get(stream_key(source)).copied();
        *memo = Some((source.clone(), inc));
        inc
    }

    /// The job an event is about: its own `job` field; for a restore line without one
    /// (`No checkpoint found during restore.`), the latest job of its incarnation whose
    /// restore is still to come; else the job its incarnation last logged about.
    pub fn job_of(&self, ev: &Event) -> Option<String> {
        if let Some(j) = ev.job() {
            return Some(j.to_string());
        }
        let inc = self.incs.get(self.inc_of(&ev.source)?)?;
        if ev.kind == Kind::NoCheckpointToRestore {
            if let Some((j, _)) = inc.restore_waits.iter().rev().find(|(_, w)| *w) {
                return Some(j.clone());
            }
        }
        inc.current_job.clone()
    }

    /// Keep [`IncState::restore_waits`] up to date after `ev` was applied. A job waits for
    /// its restore line from its JobMaster's grant or its switch to RESTARTING; `Starting
    /// execution of job` and RESTARTING to RUNNING make it the latest waiting one if its
    /// restore is still to come; its restore line, a checkpoint or its end stop the wait.
    /// `job` is `job_of(ev)` before `ev` was applied.
    fn track_restore_wait(&mut self, inc: usize, ev: &Event, job: Option<Cow<'_, str>>) {
        /// Jobs of one incarnation remembered at most (a session cluster's jobs come and go).
        const MAX_WAITS: usize = 256;
        let Some(job) = job else { return };
        let to = ev.fields.to.as_deref();
        enum Step {
            /// Waits (again) from now on.
            Arm,
            /// Waits from now on, unless its restore came already (real Flink logs the
            /// restore before `Starting execution of job`, and after RESTARTING to RUNNING;
            /// either order is taken).
            Refresh,
            /// Its restore came, or it checkpoints: it waits no more.
            Done,
            /// It ended here.
            Forget,
        }
        let step = match ev.kind {
            Kind::LeadershipGranted
                if ev.fields.component.as_deref() == Some(component::JOB_MASTER) =>
            {
                Step::Arm
            }
            Kind::JobMasterStarted => Step::Refresh,
            Kind::JobState => match to {
                Some("RESTARTING") => Step::Arm,
                Some("RUNNING") if ev.fields.from.as_deref() == Some("RESTARTING") => Step::Refresh,
                Some(s) if s == "SUSPENDED" || globally_terminal(s) => Step::Forget,
                _ => return,
            },
            Kind::CheckpointRestored
            | Kind::NoCheckpointToRestore
            | Kind::CheckpointTriggered
            | Kind::CheckpointCompleted => Step::Done,
            Kind::JobGraphReleased => Step::Forget,
            _ => return,
        };
        let waits = &mut self.incs[inc].restore_waits;
        let at = waits.iter().position(|(j, _)| *j == *job);
        match (step, at) {
            (Step::Arm, Some(k)) => {
                let (j, _) = waits.remove(k);
                waits.push((j, true));
            }
            (Step::Refresh, Some(k)) if waits[k].1 => {
                let w = waits.remove(k);
                waits.push(w);
            }
            (Step::Arm | Step::Refresh, None) => {
                if waits.len() >= MAX_WAITS {
                    waits.remove(0);
                }
                waits.push((job.into_owned(), true));
            }
            (Step::Done, Some(k)) => waits[k].1 = false,
            (Step::Forget, Some(k)) => {
                waits.remove(k);
            }
            _ => {}
        }
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
        let (j, new) = self.jobs.get_or_add(id);
        if new {
            self.job_order.push(id.to_string());
        }
        j
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
            restore_waits: Vec::new(),
            banner_seen: false,
            app_ended: None,
            paused: None,
            stop_event: None,
            recent: VecDeque::new(),
        });
        self.current.insert(Arc::from(stream_key(&ev.source)), id);
        self.inc_memo.get_mut().take();
        id
    }

    /// The process (not a JobManager) that wrote `ev`, if its lines said so: this event's
    /// own `role`, or an earlier one of its log.
    pub fn other_of(&self, ev: &Event) -> Option<usize> {
        // Asked twice per event, and most inputs hold JobManager logs only: no need to
        // read the source's rotation suffix then.
        if self.other_index.is_empty() {
            return None;
        }
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
                    let rotated = stream_key(&ev.source) != &*ev.source
                        || ev.fields.reason.as_deref() == Some(LOG_END_ROTATED);
                    if self.incs[inc].open && rotated {
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
        // Whose restore a job-less restore line is, decided before this line changes it.
        let restore_job = match ev.kind {
            Kind::NoCheckpointToRestore => self.job_of(ev).map(Cow::Owned),
            Kind::LeadershipGranted
            | Kind::JobMasterStarted
            | Kind::JobState
            | Kind::CheckpointRestored
            | Kind::CheckpointTriggered
            | Kind::CheckpointCompleted
            | Kind::JobGraphReleased => ev.job().map(Cow::Borrowed),
            _ => None,
        };
        {
            let i = &mut self.incs[inc];
            i.info.last_ts = i.info.last_ts.max(ev.ts);
            // The process goes on in the next part of its rotated log.
            if i.paused.take().is_some() {
                self.paused_incs.retain(|&x| x != inc);
            }
            // Nearly every line names the job the last one named: no copy then.
            if let Some(j) = ev.job().filter(|j| i.current_job.as_deref() != Some(*j)) {
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
                        j.max_triggered = Some((id, Proof::of(ev)));
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
        self.track_restore_wait(inc, ev, restore_job);
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

    /// Build the final analysis.
    pub fn into_analysis(self, verdict: Outcome, invariants: Vec<Verdict>) -> Analysis {
        let mut jobs = Vec::new();
        for j in self.jobs.into_vec() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testutil::ev;

    /// `inc_of` remembers its last answer: the answer must follow new incarnations of the
    /// same source and hold for another `Arc` of the same name and for a rotated part.
    #[test]
    fn inc_of_follows_new_incarnations_of_a_source() {
        let mut m = Model::new(Duration::seconds(1));
        let started = |s: &str, line: u64, t: f64| {
            ev(s, line, t, Kind::ProcessStarted, &[("version", "1.20.5")])
        };
        let first = started("jm-a.log", 1, 0.0);
        m.apply(&first);
        let a = first.source.clone();
        assert_eq!(m.inc_of(&a), Some(0));
        assert_eq!(m.inc_of(&Arc::from("jm-a.log")), Some(0));
        assert_eq!(m.inc_of(&Arc::from("jm-a.log.1")), Some(0));
        assert_eq!(m.inc_of(&Arc::from("jm-b.log")), None);
        assert_eq!(m.inc_of(&a), Some(0));
        m.apply(&started("jm-b.log", 1, 1.0));
        assert_eq!(m.inc_of(&Arc::from("jm-b.log")), Some(1));
        // The same source's process restarts (its banner was seen): a new incarnation.
        let mut again = started("jm-a.log", 9, 2.0);
        again.source = a.clone();
        m.apply(&again);
        assert_eq!(m.incs.len(), 3);
        assert_eq!(m.inc_of(&a), Some(2));
        assert_eq!(m.inc_of(&Arc::from("jm-a.log")), Some(2));
    }
}
