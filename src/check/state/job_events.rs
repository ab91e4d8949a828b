//! What job events do to the model: state changes, completed checkpoints, restores, the
//! evidence that a new leader recovered a job, and application mode's re-run `main()`.

use super::*;
use crate::check::cause;
use crate::check::{evidence, HashSet, Proof};
use crate::events::{Event, Kind};
use std::borrow::Cow;

impl Model {
    /// Application mode: whether `ev` of incarnation `inc` shows its `main()` past the point
    /// where it would have submitted a job the HA store lost: with HA an application runs one
    /// job, so `main()` submitting or attaching to another job id passes ours by; so does the
    /// application ending, or the cluster shutting down with an application status (`main()`
    /// ran to its end). A JobManager stopping without one may not have run `main()` at all.
    pub(super) fn note_main_passed(&mut self, inc: usize, ev: &Event) {
        let passes = match ev.kind {
            Kind::ApplicationSubmitted | Kind::ApplicationRecovered => ev.job().is_some(),
            Kind::ApplicationFinished => true,
            Kind::ProcessStopping => self.incs[inc].info.application_status.is_some(),
            _ => false,
        };
        if !passes || self.pending_failovers.is_empty() {
            return;
        }
        for &(f, _) in &self.pending_failovers {
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
    pub(super) fn note_application(&mut self, inc: usize, ev: &Event) {
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
    pub fn revived_job<'e>(&self, ev: &'e Event) -> Option<Cow<'e, str>> {
        match ev.kind {
            Kind::JobRecoveryStarted
            | Kind::JobGraphRecovered
            | Kind::JobMasterStarted
            | Kind::CheckpointRestored
            | Kind::CheckpointTriggered => ev.job().map(Cow::Borrowed),
            // A checkpoint triggered earlier may complete just after the job was cancelled
            // (Flink finalizes in-flight checkpoints): only one never triggered is news.
            Kind::CheckpointCompleted => {
                let job = ev.job()?;
                let triggered = self.jobs.get(job).and_then(|j| j.max_triggered.as_ref());
                match (triggered, ev.fields.checkpoint) {
                    (Some((max, _)), Some(id)) if id <= *max => None,
                    _ => Some(Cow::Borrowed(job)),
                }
            }
            Kind::JobState
                if matches!(ev.fields.to.as_deref(), Some("RUNNING") | Some("CREATED")) =>
            {
                ev.job().map(Cow::Borrowed)
            }
            Kind::NoCheckpointToRestore => self.job_of(ev).map(Cow::Owned),
            _ => None,
        }
    }

    pub(super) fn job_state(&mut self, inc: usize, ev: &Event) {
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
            let j = self.job_mut(job);
            j.open_recovery = Some((id, 0));
            j.failovers.push((id, 0));
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

    pub(super) fn completed(&mut self, inc: usize, ev: &Event) {
        let (Some(job), Some(id)) = (ev.job(), ev.fields.checkpoint) else {
            return;
        };
        let savepoint = ev.fields.savepoint.unwrap_or(false);
        let c = Completed {
            id,
            ts: ev.ts,
            savepoint,
            ev: Proof::of(ev),
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
                j.max_completed = Some((id, c.ev.clone()));
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
            j.pending.drop_through(id);
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

    pub(super) fn restored(&mut self, inc: usize, ev: &Event) {
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
    pub(super) fn note_recovery_evidence(&mut self, inc: usize, ev: &Event) {
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
        // The new leader's list of retrieved job graphs, as a set: it names every job.
        let listed: Option<HashSet<&str>> = match (ev.kind, ev.fields.jobs.as_ref()) {
            (Kind::JobGraphsRetrieved, Some(l)) => Some(l.iter().map(String::as_str).collect()),
            _ => None,
        };
        for (f, undecided) in &mut pending {
            let f = *f;
            if self.failover_new_inc.get(f).copied().flatten() != Some(inc) {
                continue;
            }
            let (Some(fo), Some(tracks)) = (self.failovers.get(f), self.tracks.get_mut(f)) else {
                continue;
            };
            let positions: Vec<usize> = match about {
                Some(job) if !lists => self
                    .jobs
                    .get(job)
                    .and_then(|j| j.failovers.iter().rev().find(|&&(g, _)| g == f))
                    .map(|&(_, k)| k)
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
                    && !listed.as_ref().is_some_and(|l| l.contains(job.as_str()));
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
                    *undecided = undecided.saturating_sub(1);
                } else if resubmits && ev.job() == Some(job.as_str()) {
                    if track.resubmitted.is_none() {
                        track.resubmitted = Some(evidence(ev));
                        resubmitted.push((f, k));
                    }
                } else if recovered {
                    track.recovered = Some(evidence(ev));
                    *undecided = undecided.saturating_sub(1);
                }
            }
        }
        for (f, k) in resubmitted {
            if let Some(r) = self.failovers.get_mut(f).and_then(|fo| fo.jobs.get_mut(k)) {
                r.resubmitted = true;
            }
        }
        // Keep only failovers with an undecided job.
        pending.retain(|&(_, undecided)| undecided > 0);
        self.pending_failovers = pending;
    }
}
