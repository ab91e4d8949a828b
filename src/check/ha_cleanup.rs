//! `ha-cleanup`: a job that reached a globally terminal state (FINISHED, CANCELED, FAILED)
//! has its HA data cleaned up while a leader is alive, and a job that did not (e.g. merely
//! SUSPENDED by a leadership loss) keeps it (FLINK-19154, FLINK-34518 deleted it).
//!
//! A cleanup counts when it finished, or when a retry finished the part that had failed: a
//! `Cleanup of JobGraphStore failed for job …` that no later `Removed job graph …` repairs
//! leaves the job graph in the HA store (Flink 1.20 application clusters shutting down during
//! the cleanup, FLINK-37697), where a restarted JobManager finds the job again.

use super::cleanup_progress::CleanupStatus;
use super::model::{Outcome, Verdict};
use super::state::{globally_terminal, stream_key, Model, ZERO_SESSION};
use super::{evidence, short, verdict, Config, Finding, Invariant};
use crate::events::{Event, Kind};
use std::collections::BTreeSet;

/// Invariant id.
pub const ID: &str = "ha-cleanup";

/// How long a leader must stay alive after a job's terminal state, without cleaning up, for
/// the missing cleanup to count as a leak. Flink cleans up within a second or so.
const GRACE_MS: i64 = 3_000;

/// How long (ms) a leader was alive while the cleanup of a job that reached its terminal
/// state at `ts` (logged by incarnation `inc`) was due. An application cluster cleans a
/// finished job's HA data once the application ended (`main()` returned: the job's result
/// is kept for it until then), so the time counts from that end; before it, only other
/// JobManagers' leadership counts (a new leader cleans what the old one left).
fn cleanup_due_for(model: &Model, inc: Option<usize>, ts: chrono::DateTime<chrono::Utc>) -> i64 {
    let app = inc.and_then(|i| model.incs.get(i).map(|x| (i, x)));
    match app {
        Some((_, x)) if x.info.application && x.app_ended.is_some() => {
            model.leader_alive_after(x.app_ended.map_or(ts, |e| e.max(ts)))
        }
        Some((i, x)) if x.info.application => model.leader_alive_after_except(ts, Some(i)),
        _ => model.leader_alive_after(ts),
    }
}

/// How long (ms) the JobManager that logged `e` went on logging after it.
fn lived_after(model: &Model, e: &super::model::Evidence) -> i64 {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(&e.ts) else {
        return 0;
    };
    let t = t.with_timezone(&chrono::Utc);
    let log = stream_key(&e.source);
    model
        .incs
        .iter()
        .filter(|i| stream_key(&i.info.source) == log && i.info.first_ts <= t)
        .max_by_key(|i| i.info.first_ts)
        .map_or(0, |i| (i.info.last_ts - t).num_milliseconds())
}

/// State of the invariant.
#[derive(Default)]
pub struct HaCleanup {
    failed: BTreeSet<String>,
}

impl Invariant for HaCleanup {
    fn id(&self) -> &'static str {
        ID
    }

    fn observe(&mut self, ev: &Event, model: &Model, _cfg: &Config, out: &mut Vec<Finding>) {
        let jobs: Vec<&str> = match ev.kind {
            Kind::HaCleanupStarted | Kind::JobGraphRemoved => ev.job().into_iter().collect(),
            // The whole cluster's HA data goes: every job's.
            Kind::HaCleanupAll => model.job_order.iter().map(String::as_str).collect(),
            _ => return,
        };
        for job in jobs {
            self.judge(job, ev, model, out);
        }
    }

    fn finish(&mut self, model: &Model, _cfg: &Config) -> Vec<Verdict> {
        self.verdicts(model)
    }
}

impl HaCleanup {
    /// A cleanup of `job`'s HA data by `ev`: a violation when the job is known to be live.
    fn judge(&mut self, job: &str, ev: &Event, model: &Model, out: &mut Vec<Finding>) {
        let Some(j) = model.job(job) else { return };
        if j.terminal.is_some() || j.cleanup.is_some() || self.failed.contains(job) {
            return;
        }
        // No status logged: a job that completed checkpoints was running.
        let (state, state_ev) = match (&j.last_state, &j.latest_checkpoint) {
            (Some((s, e)), _) => (s.clone(), e.clone()),
            (None, Some(c)) if j.completed > 0 => {
                ("running (checkpointing)".to_string(), c.ev.evidence())
            }
            _ => return,
        };
        if globally_terminal(&state) {
            return;
        }
        self.failed.insert(job.to_string());
        out.push(Finding {
            id: ID,
            job: Some(job.to_string()),
            because: format!(
                "the HA data of job {} was cleaned up although the job was {state}, not globally terminal: its checkpoints and job graph are gone",
                short(job)
            ),
            evidence: vec![state_ev, evidence(ev)],
        });
    }

    fn verdicts(&mut self, model: &Model) -> Vec<Verdict> {
        let mut v = Vec::new();
        // Without HA (standalone leader election, the all-zero session) there is no HA data.
        let ha_disabled =
            !model.terms.is_empty() && model.terms.iter().all(|t| t.term.session == ZERO_SESSION);
        for id in &model.job_order {
            if self.failed.contains(id) {
                continue;
            }
            let Some(j) = model.job(id) else { continue };
            if ha_disabled && j.cleanup.is_none() {
                v.push(verdict(
                    ID,
                    Outcome::Unknown,
                    Some(id),
                    format!(
                        "HA is disabled (fixed leader session {ZERO_SESSION}): job {} has no HA data to clean up",
                        short(id)
                    ),
                    j.terminal.iter().map(|(_, _, e)| e.clone()).collect(),
                ));
                continue;
            }
            let progress = j.cleanup_progress.status();
            match (&j.terminal, &j.cleanup) {
                (Some((state, _, t_ev)), Some(_)) if matches!(progress, CleanupStatus::Failed(_)) => {
                    let CleanupStatus::Failed(lines) = progress else { continue };
                    // Flink retries a failed cleanup while its JobManager lives, and the next
                    // JobManager finishes what a dead one left (the job result stays dirty):
                    // only a JobManager that lived on without a successful retry proves it.
                    let lived = lines.last().map_or(0, |e| lived_after(model, e));
                    let mut evidence = vec![t_ev.clone()];
                    evidence.extend(lines);
                    let labels = j.cleanup_progress.failed_labels().join(", ");
                    let (outcome, because) = if lived >= GRACE_MS {
                        (Outcome::Fail, format!(
                            "job {} reached {state}, but the cleanup of its HA data failed ({labels}) and no retry finished it although its JobManager lived {:.1} s longer: that data stays in the HA store, where a restarted JobManager finds the job again",
                            short(id),
                            lived as f64 / 1000.0
                        ))
                    } else {
                        (Outcome::Unknown, format!(
                            "job {} reached {state}, but the cleanup of its HA data failed ({labels}) as its JobManager went away, and the logs end before a retry or the next JobManager finished it",
                            short(id)
                        ))
                    };
                    v.push(verdict(ID, outcome, Some(id), because, evidence));
                }
                (Some((state, _, t_ev)), Some((c_ts, _))) if matches!(progress, CleanupStatus::Unfinished(_)) => {
                    let CleanupStatus::Unfinished(start) = progress else { continue };
                    let alive = model.leader_alive_after(*c_ts);
                    let (outcome, because) = if alive >= GRACE_MS {
                        (Outcome::Fail, format!(
                            "job {} reached {state} and the cleanup of its HA data began, but never finished although a leader was alive {:.1} s longer",
                            short(id),
                            alive as f64 / 1000.0
                        ))
                    } else {
                        (Outcome::Unknown, format!(
                            "job {} reached {state} and the cleanup of its HA data began, but the logs end before it finished",
                            short(id)
                        ))
                    };
                    v.push(verdict(ID, outcome, Some(id), because, vec![t_ev.clone(), start]));
                }
                (Some((state, _, t_ev)), Some((_, c_ev))) => {
                    let mut evidence = vec![t_ev.clone(), c_ev.clone()];
                    if let CleanupStatus::Done(done) = progress {
                        if done != *c_ev {
                            evidence.push(done);
                        }
                    }
                    v.push(verdict(
                        ID,
                        Outcome::Pass,
                        Some(id),
                        format!("job {} reached {state} and its HA data was cleaned up", short(id)),
                        evidence,
                    ))
                }
                (Some((state, ts, t_ev)), None) => {
                    let alive = cleanup_due_for(model, j.terminal_inc, *ts);
                    if alive >= GRACE_MS {
                        v.push(verdict(
                            ID,
                            Outcome::Fail,
                            Some(id),
                            format!(
                                "job {} reached {state} but its HA data was never cleaned up although a leader was alive {:.1} s longer (leak)",
                                short(id),
                                alive as f64 / 1000.0
                            ),
                            vec![t_ev.clone()],
                        ));
                    } else {
                        let app_running = j
                            .terminal_inc
                            .and_then(|i| model.incs.get(i))
                            .is_some_and(|x| x.info.application && x.app_ended.is_none());
                        let because = if app_running {
                            format!(
                                "job {} reached {state} in an application cluster, which cleans its HA data once the application ends, and the logs show no end of the application",
                                short(id)
                            )
                        } else {
                            format!(
                                "job {} reached {state}, but the logs end {:.1} s later, before a cleanup could be seen",
                                short(id),
                                alive as f64 / 1000.0
                            )
                        };
                        v.push(verdict(
                            ID,
                            Outcome::Unknown,
                            Some(id),
                            because,
                            vec![t_ev.clone()],
                        ));
                    }
                }
                (None, Some((_, c_ev))) => v.push(verdict(
                    ID,
                    Outcome::Unknown,
                    Some(id),
                    format!("the HA data of job {} was cleaned up but its terminal state is not in the logs", short(id)),
                    vec![c_ev.clone()],
                )),
                (None, None) => {
                    let suspended = j.states.iter().any(|s| s.state == "SUSPENDED");
                    let because = if suspended {
                        format!(
                            "job {} was suspended and kept its HA data, but never reached a globally terminal state in the logs",
                            short(id)
                        )
                    } else {
                        format!("job {} never reached a globally terminal state in the logs: no cleanup was due", short(id))
                    };
                    v.push(verdict(ID, Outcome::Unknown, Some(id), because, vec![]));
                }
            }
        }
        v
    }
}
