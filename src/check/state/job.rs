//! The state of one job while reading: its checkpoint history collapsed into runs, states,
//! milestones, cleanup, and the per-failover facts invariants use.

use super::*;
use crate::check::cleanup_progress::CleanupProgress;
use crate::check::{evidence, Proof};
use crate::events::{Event, Kind};
use chrono::{DateTime, Utc};
use std::collections::VecDeque;

/// Checkpoint ids triggered and not completed since, ascending, without repeats. Ids
/// mostly arrive in order and leave from the front (a completion drops every id up to
/// its own), so a sorted deque does what a `BTreeSet` did without a node allocation per
/// triggered checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PendingIds(VecDeque<u64>);

impl PendingIds {
    /// Add `id` (no change when it is there already).
    pub fn insert(&mut self, id: u64) {
        match self.0.back() {
            None => self.0.push_back(id),
            Some(&last) if id > last => self.0.push_back(id),
            Some(_) => {
                if let Err(at) = self.0.binary_search(&id) {
                    self.0.insert(at, id);
                }
            }
        }
    }

    /// Drop every id up to `id`, included.
    pub fn drop_through(&mut self, id: u64) {
        while self.0.front().is_some_and(|&p| p <= id) {
            self.0.pop_front();
        }
    }

    /// Drop the smallest id.
    pub fn pop_first(&mut self) -> Option<u64> {
        self.0.pop_front()
    }

    /// The ids, ascending.
    pub fn iter(&self) -> impl Iterator<Item = &u64> {
        self.0.iter()
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Drop them all.
    pub fn clear(&mut self) {
        self.0.clear();
    }
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
    pub ev: Proof,
}

#[derive(Debug, Default)]
pub(super) struct RunAcc {
    pub(super) first_id: u64,
    pub(super) last_id: u64,
    pub(super) count: u64,
    pub(super) first_ts: Option<DateTime<Utc>>,
    pub(super) last_ts: Option<DateTime<Utc>>,
    pub(super) intervals: Vec<i64>,
    pub(super) durations: Vec<u64>,
    pub(super) bytes: Vec<u64>,
    pub(super) savepoints: u64,
}

pub(super) fn median<T: Copy + Ord>(v: &[T]) -> Option<T> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_unstable();
    s.get(s.len() / 2).copied()
}

impl RunAcc {
    pub(super) fn finish(&self) -> Option<CheckpointRun> {
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
    pub max_triggered: Option<(u64, Proof)>,
    /// Highest completed id (checkpoint or savepoint) and its line (since the last id reset).
    pub max_completed: Option<(u64, Proof)>,
    /// Highest completed regular (non-savepoint) checkpoint: the recovery point.
    pub latest_checkpoint: Option<Completed>,
    /// Savepoint the job was started from, when no checkpoint completed since.
    pub start_savepoint: Option<u64>,
    /// Recent completions (bounded).
    pub recent: VecDeque<Completed>,
    /// Triggered ids not completed since (bounded).
    pub pending: PendingIds,
    /// Counts.
    pub completed: u64,
    /// Failed attempts (distinct ids).
    pub failed: u64,
    /// The last failed ids, to count an attempt logged twice once.
    pub(super) recent_failed: VecDeque<u64>,
    /// Distinct checkpoint ids seen (saturating small count, for "seen checkpointing").
    pub ids_seen: u64,
    /// Restores.
    pub restores: Vec<Restore>,
    /// Collapsed runs.
    pub runs: Vec<CheckpointRun>,
    pub(super) run: Option<RunAcc>,
    /// The failover (index, position in its job list) whose recovery is being tracked.
    pub open_recovery: Option<(usize, usize)>,
    /// Every failover the job was part of (index, position in its job list), oldest first:
    /// what looks for a job's failovers reads these instead of every job of every failover,
    /// which took time growing with the square of the jobs.
    pub failovers: Vec<(usize, usize)>,
    /// Incarnation that last logged about this job.
    pub last_incarnation: Option<usize>,
    /// Incarnation that logged the globally terminal state.
    pub terminal_inc: Option<usize>,
}

impl JobState {
    pub(super) fn end_run(&mut self) {
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

    pub(super) fn milestone(&mut self, ev: &Event, inc: usize, detail: Option<String>) {
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
    pub(super) fn cleanup_event(&mut self, ev: &Event, inc: usize) {
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
    pub(super) fn new_life(&mut self) {
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

#[cfg(test)]
mod tests {
    use super::PendingIds;
    use std::collections::BTreeSet;

    /// Random inserts (mostly ascending, some out of order or repeated), drops through an
    /// id and pops: the same ids as a `BTreeSet` after every step.
    #[test]
    fn pending_ids_behave_as_an_ordered_set() {
        let mut seed = 0x9e37_79b9_u64;
        let mut below = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..200 {
            let (mut ids, mut set) = (PendingIds::default(), BTreeSet::new());
            let mut next = 1;
            for _ in 0..200 {
                match below(10) {
                    0..=4 => {
                        next += below(3);
                        ids.insert(next);
                        set.insert(next);
                    }
                    5 | 6 => {
                        let id = below(next + 2);
                        ids.insert(id);
                        set.insert(id);
                    }
                    7 | 8 => {
                        let id = below(next + 2);
                        ids.drop_through(id);
                        set.retain(|p| *p > id);
                    }
                    _ => assert_eq!(ids.pop_first(), set.pop_first()),
                }
                assert!(ids.iter().eq(set.iter()));
                assert_eq!(ids.len(), set.len());
                assert_eq!(ids.is_empty(), set.is_empty());
            }
            ids.clear();
            assert!(ids.is_empty());
        }
    }
}
