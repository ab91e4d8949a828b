//! Leadership: grants, revocations and the failovers they make, terms ending with their
//! processes, and who leads at an instant.

use super::*;
use crate::check::cause;
use crate::check::evidence;
use crate::events::{component, Event};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeSet, VecDeque};

impl Model {
    /// End every open term of `inc` at `ts`.
    pub(super) fn end_terms_of(&mut self, inc: usize, ts: DateTime<Utc>, end: TermEnd, ev: &Event) {
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

    pub(super) fn close_inc(
        &mut self,
        inc: usize,
        end: IncarnationEnd,
        ts: DateTime<Utc>,
        ev: &Event,
    ) {
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

    /// Close every incarnation whose rotated log part ended and that did not go on (except
    /// `keep`): a grant elsewhere, or the end of input, settles that it was the end.
    pub(super) fn settle_paused(&mut self, keep: Option<usize>) {
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

    pub(super) fn grant(&mut self, inc: usize, ev: &Event) {
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
    pub(super) fn ended_for_good(&self, t: usize) -> bool {
        self.terms
            .get(t)
            .and_then(|t| self.incs.get(t.term.incarnation))
            .is_some_and(|i| i.info.application_status.is_some())
    }

    pub(super) fn leader_failover(&mut self, old: usize, new: usize, ev: &Event) {
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
            let j = self.job_mut(&r.job);
            j.open_recovery = Some((id, k));
            j.failovers.push((id, k));
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
            self.pending_failovers.push((id, tracks.len()));
        }
        self.tracks.push(tracks);
        self.failover_new_inc
            .push(Some(self.terms[new].term.incarnation));
        self.forget_recent_of_closed();
    }

    /// Drop the recent events of every ended process that does not hold the leader's term:
    /// they served the cause of its last failover, and an ended process neither leads again
    /// nor fails another job, so a long log's memory follows its live JobManagers, not
    /// each of its hundreds of incarnations.
    fn forget_recent_of_closed(&mut self) {
        let leading = self
            .leader
            .and_then(|(t, _)| self.terms.get(t))
            .map(|t| t.term.incarnation);
        for (k, i) in self.incs.iter_mut().enumerate() {
            if !i.open && Some(k) != leading && !i.recent.is_empty() {
                i.recent = VecDeque::new();
            }
        }
    }

    pub(super) fn recovery_for(&self, job: &str) -> JobRecovery {
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

    pub(super) fn revoke(&mut self, inc: usize, ev: &Event) {
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

    /// The logs go on for a while after the last leader's term ended, and nobody took over:
    /// leadership was lost and not regained (FLINK-34007 leaves this picture).
    pub(super) fn note_leaderless_end(&mut self) {
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
}
