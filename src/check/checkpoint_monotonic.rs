//! `checkpoint-monotonic`: per job, checkpoint ids strictly increase, across failovers too.
//!
//! The id counter lives in the HA store, so an id that goes back after a failover means HA
//! state was lost (or HA is disabled). `Reset the checkpoint ID of job J to N` is the one
//! legitimate reset.

use super::model::{Outcome, Verdict};
use super::state::Model;
use super::{evidence, short, verdict, Config, Finding, Invariant};
use crate::events::{Event, Kind};
use std::collections::BTreeSet;

/// Invariant id.
pub const ID: &str = "checkpoint-monotonic";

/// State of the invariant.
#[derive(Default)]
pub struct CheckpointMonotonic {
    failed_jobs: BTreeSet<String>,
}

impl Invariant for CheckpointMonotonic {
    fn id(&self) -> &'static str {
        ID
    }

    fn observe(&mut self, ev: &Event, model: &Model, _cfg: &Config, out: &mut Vec<Finding>) {
        let (Some(job), Some(id)) = (ev.job(), ev.fields.checkpoint) else {
            return;
        };
        let Some(j) = model.job(job) else { return };
        if self.failed_jobs.contains(job) {
            return; // one regression is reported once, not once per following id
        }
        let earlier = match ev.kind {
            Kind::CheckpointTriggered => {
                let t = j.max_triggered.as_ref().filter(|(m, _)| *m >= id);
                let c = j.max_completed.as_ref().filter(|(m, _)| *m >= id);
                t.or(c)
            }
            Kind::CheckpointCompleted => j.max_completed.as_ref().filter(|(m, _)| *m >= id),
            _ => None,
        };
        let Some((prev, prev_ev)) = earlier else {
            return;
        };
        let failover = j
            .failovers
            .iter()
            .rev()
            .filter_map(|&(f, _)| model.failovers.get(f))
            .find(|f| f.failure_ts <= ev.ts);
        let mut because = format!(
            "checkpoint id {id} of job {} is not greater than the earlier id {prev}",
            short(job)
        );
        if failover.is_some() && id <= 1 {
            because.push_str(": the id counter restarted after a failover, so the HA store lost its state (or HA is disabled)");
        } else if failover.is_some() {
            because.push_str(" after a failover: the id counter in the HA store went back");
        }
        self.failed_jobs.insert(job.to_string());
        out.push(Finding {
            id: ID,
            job: Some(job.to_string()),
            because,
            evidence: vec![prev_ev.evidence(), evidence(ev)],
        });
    }

    fn finish(&mut self, model: &Model, _cfg: &Config) -> Vec<Verdict> {
        let mut v = Vec::new();
        for id in &model.job_order {
            let Some(j) = model.job(id) else { continue };
            if self.failed_jobs.contains(id) {
                continue;
            }
            let Some((max, max_ev)) = j.max_triggered.as_ref().or(j.max_completed.as_ref()) else {
                v.push(verdict(
                    ID,
                    Outcome::Unknown,
                    Some(id),
                    format!("job {} was never seen checkpointing", short(id)),
                    vec![],
                ));
                continue;
            };
            if j.ids_seen < 2 {
                v.push(verdict(
                    ID,
                    Outcome::Unknown,
                    Some(id),
                    format!(
                        "only one checkpoint id ({max}) of job {} was logged: nothing to compare",
                        short(id)
                    ),
                    vec![max_ev.evidence()],
                ));
                continue;
            }
            let across = j
                .failovers
                .iter()
                .filter(|&&(f, k)| {
                    model
                        .failovers
                        .get(f)
                        .and_then(|fo| fo.jobs.get(k))
                        .is_some_and(|r| r.first_completed_after.is_some())
                })
                .count();
            let tail = if across > 0 {
                format!(", across {across} failover(s)")
            } else {
                String::new()
            };
            v.push(verdict(
                ID,
                Outcome::Pass,
                Some(id),
                format!(
                    "{} checkpoint ids of job {} strictly increased up to {max}{tail}",
                    j.ids_seen,
                    short(id)
                ),
                vec![max_ev.evidence()],
            ));
        }
        v
    }
}
