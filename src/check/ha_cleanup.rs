//! `ha-cleanup`: a job that reached a globally terminal state (FINISHED, CANCELED, FAILED)
//! has its HA data cleaned up while a leader is alive, and a job that did not (e.g. merely
//! SUSPENDED by a leadership loss) keeps it (FLINK-19154, FLINK-34518 deleted it).

use super::model::{Outcome, Verdict};
use super::state::{globally_terminal, Model};
use super::{evidence, short, verdict, Config, Finding, Invariant};
use crate::events::{Event, Kind};
use std::collections::BTreeSet;

/// Invariant id.
pub const ID: &str = "ha-cleanup";

/// How long a leader must stay alive after a job's terminal state, without cleaning up, for
/// the missing cleanup to count as a leak. Flink cleans up within a second or so.
const GRACE_MS: i64 = 3_000;

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
        let Some((state, state_ev)) = &j.last_state else {
            return;
        };
        if globally_terminal(state) {
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
            evidence: vec![state_ev.clone(), evidence(ev)],
        });
    }

    fn verdicts(&mut self, model: &Model) -> Vec<Verdict> {
        let mut v = Vec::new();
        for id in &model.job_order {
            if self.failed.contains(id) {
                continue;
            }
            let Some(j) = model.job(id) else { continue };
            match (&j.terminal, &j.cleanup) {
                (Some((state, _, t_ev)), Some((_, c_ev))) => v.push(verdict(
                    ID,
                    Outcome::Pass,
                    Some(id),
                    format!("job {} reached {state} and its HA data was cleaned up", short(id)),
                    vec![t_ev.clone(), c_ev.clone()],
                )),
                (Some((state, ts, t_ev)), None) => {
                    let alive = model.leader_alive_after(*ts);
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
                        v.push(verdict(
                            ID,
                            Outcome::Unknown,
                            Some(id),
                            format!(
                                "job {} reached {state}, but the logs end {:.1} s later, before a cleanup could be seen",
                                short(id),
                                alive as f64 / 1000.0
                            ),
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
