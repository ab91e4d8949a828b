//! `recover-latest`: a restore (after a JobManager failover or a job restart) uses the latest
//! checkpoint completed before the failure, and a job with completed checkpoints never
//! starts again with nothing to restore.

use super::model::{Evidence, Outcome, Verdict};
use super::state::Model;
use super::HashMap;
use super::{evidence, short, verdict, Config, Finding, Invariant};
use crate::events::{Event, Kind};

/// Invariant id.
pub const ID: &str = "recover-latest";

/// Evidence lines a passing verdict shows: the first restores' (each its checkpoint's
/// completion and the restore).
const PASS_EVIDENCE: usize = 6;

#[derive(Default)]
struct PerJob {
    /// Restores from the latest checkpoint, counted.
    restores: usize,
    /// The first of them, as evidence: a job that fails over thousands of times keeps a
    /// verdict's worth, not two lines per failover.
    passed: Vec<Evidence>,
    unknown: Option<(String, Vec<Evidence>)>,
    failed: bool,
}

/// State of the invariant.
#[derive(Default)]
pub struct RecoverLatest {
    jobs: HashMap<String, PerJob>,
}

impl Invariant for RecoverLatest {
    fn id(&self) -> &'static str {
        ID
    }

    fn observe(&mut self, ev: &Event, model: &Model, _cfg: &Config, out: &mut Vec<Finding>) {
        match ev.kind {
            Kind::CheckpointRestored => {
                let (Some(job), Some(id)) = (ev.job(), ev.fields.checkpoint) else {
                    return;
                };
                let Some(j) = model.job(job) else { return };
                if j.resubmitted.is_some() {
                    return; // a re-submitted job's new life: nothing of the old one to restore
                }
                let savepoint = ev.fields.savepoint.unwrap_or(false);
                let in_failover = j.open_recovery.is_some();
                let per = self.jobs.entry(job.to_string()).or_default();
                match &j.latest_checkpoint {
                    Some(latest) if id < latest.id => {
                        per.failed = true;
                        out.push(Finding {
                            id: ID,
                            job: Some(job.to_string()),
                            because: format!(
                                "job {} was restored from {} {id}, but checkpoint {} had completed before the failure: the progress since is lost",
                                short(job),
                                if savepoint { "savepoint" } else { "checkpoint" },
                                latest.id
                            ),
                            evidence: vec![latest.ev.evidence(), evidence(ev)],
                        });
                    }
                    Some(latest) if id == latest.id => {
                        per.restores += 1;
                        if per.passed.len() < PASS_EVIDENCE {
                            per.passed.push(latest.ev.evidence());
                            per.passed.push(evidence(ev));
                        }
                    }
                    Some(latest) => {
                        per.unknown = Some((
                            format!(
                                "job {} was restored from {id}, newer than the last completed checkpoint in the logs ({}): the logs before the failure are incomplete",
                                short(job),
                                latest.id
                            ),
                            vec![latest.ev.evidence(), evidence(ev)],
                        ));
                    }
                    None if in_failover && !savepoint => {
                        per.unknown = Some((
                            format!(
                                "job {} was restored from checkpoint {id}, but no checkpoint completion of it is in the logs: the window before the failure is missing",
                                short(job)
                            ),
                            vec![evidence(ev)],
                        ));
                    }
                    None => {}
                }
            }
            Kind::NoCheckpointToRestore => {
                let Some(job) = model.job_of(ev) else { return };
                let Some(j) = model.job(&job) else { return };
                if j.resubmitted.is_some() {
                    return;
                }
                if let Some(latest) = &j.latest_checkpoint {
                    self.jobs.entry(job.clone()).or_default().failed = true;
                    out.push(Finding {
                        id: ID,
                        job: Some(job.clone()),
                        because: format!(
                            "job {} started again with no checkpoint to restore although checkpoint {} had completed: its state was lost",
                            short(&job),
                            latest.id
                        ),
                        evidence: vec![latest.ev.evidence(), evidence(ev)],
                    });
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, model: &Model, _cfg: &Config) -> Vec<Verdict> {
        let mut v = Vec::new();
        for id in &model.job_order {
            let per = self.jobs.remove(id).unwrap_or_default();
            if per.failed {
                continue;
            }
            if let Some((because, ev)) = per.unknown {
                v.push(verdict(ID, Outcome::Unknown, Some(id), because, ev));
                continue;
            }
            if per.restores > 0 {
                let n = per.restores;
                let ev = per.passed;
                v.push(verdict(
                    ID,
                    Outcome::Pass,
                    Some(id),
                    format!(
                        "{n} restore(s) of job {}, each from the latest completed checkpoint",
                        short(id)
                    ),
                    ev,
                ));
                continue;
            }
            let failovers = model.job(id).map_or(0, |j| j.failovers.len());
            let retrieving = model
                .job(id)
                .map(|j| j.latest_checkpoint.is_none())
                .unwrap_or(true);
            let because = if failovers == 0 {
                format!(
                    "job {} never recovered from a failure: recovery was not exercised",
                    short(id)
                )
            } else if retrieving {
                format!(
                    "job {} went through {failovers} failover(s) but no restore with a checkpoint id and no completed checkpoint before it are in the logs",
                    short(id)
                )
            } else {
                format!(
                    "job {} went through {failovers} failover(s) but no restore of it was logged afterwards",
                    short(id)
                )
            };
            v.push(verdict(ID, Outcome::Unknown, Some(id), because, vec![]));
        }
        v
    }
}
