//! `no-resurrection`: a job never runs or gets recovered again after it reached a globally
//! terminal state or after its HA data was cleaned up (FLINK-11813 zombies). A client's fresh
//! submission of the same job id starts a new life and is not a resurrection; in application
//! mode it is: a restarted JobManager re-runs `main()`, which submits the finished job's fixed
//! id again, and the job runs from scratch (with `job-result-store.delete-on-commit: false`
//! Flink refuses that submission, which passes).

use super::model::{Evidence, Outcome, Verdict};
use super::state::{stream_key, Model};
use super::HashMap;
use super::{evidence, short, verdict, Config, Finding, Invariant};
use crate::events::{Event, Kind};
use std::collections::BTreeSet;

/// Invariant id.
pub const ID: &str = "no-resurrection";

/// State of the invariant.
#[derive(Default)]
pub struct NoResurrection {
    failed: BTreeSet<String>,
    /// Lines after the end proving the job stayed dead (skipped recovery, later leaders).
    stayed_dead: HashMap<String, Evidence>,
}

impl Invariant for NoResurrection {
    fn id(&self) -> &'static str {
        ID
    }

    fn observe(&mut self, ev: &Event, model: &Model, cfg: &Config, out: &mut Vec<Finding>) {
        if matches!(
            ev.kind,
            Kind::JobRecoverySkipped | Kind::JobSubmissionRefused
        ) {
            if let Some(j) = ev.job() {
                self.stayed_dead.insert(j.to_string(), evidence(ev));
            }
            return;
        }
        let Some(job) = model.revived_job(ev) else {
            return;
        };
        let job = &*job;
        let Some(j) = model.job(job) else { return };
        // A job that neither ended nor lost its HA data to a cleanup is not resurrected by
        // anything: the case of nearly every event, decided before anything else is looked up.
        if j.terminal.is_none() && (j.cleanup.is_none() || j.cleanup_while_live) {
            return;
        }
        if self.failed.contains(job) {
            return;
        }
        // A checkpoint logged by the same process right around the job's end (the last
        // one finishing as the job does, its line a few milliseconds out of order) is not
        // the job running again.
        let in_flight = matches!(
            ev.kind,
            Kind::CheckpointTriggered | Kind::CheckpointCompleted
        ) && j.terminal.as_ref().is_some_and(|(_, ts, e)| {
            stream_key(&e.source) == stream_key(&ev.source)
                && ev.ts.signed_duration_since(*ts) <= cfg.clock_skew
        });
        if in_flight {
            return;
        }
        let end = match (&j.terminal, &j.cleanup) {
            (Some((state, _, e)), _) => Some((
                format!("reached the globally terminal state {state}"),
                e.clone(),
            )),
            (None, Some((_, e))) if !j.cleanup_while_live => {
                Some(("had its HA data cleaned up".to_string(), e.clone()))
            }
            _ => None,
        };
        let Some((what, end_ev)) = end else { return };
        let from_savepoint =
            ev.kind == Kind::CheckpointRestored && ev.fields.savepoint == Some(true);
        let because = match &j.resubmitted {
            // A client submitted the id again, or the job id was started from a savepoint (an
            // upgrade that keeps its id): a new life.
            Some((inc, _))
                if from_savepoint
                    || !model.incs.get(*inc).is_some_and(|i| i.info.application) =>
            {
                return;
            }
            Some(_) => format!(
                "job {} {what}; then the application's main(), re-run by a JobManager, submitted the same job id again and the job ran again from scratch ({}): the finished application was resurrected (Flink refuses this with job-result-store.delete-on-commit: false)",
                short(job),
                ev.kind
            ),
            None => format!(
                "job {} {what} and later ran or was recovered again ({})",
                short(job),
                ev.kind
            ),
        };
        let mut lines = vec![end_ev];
        if let Some((_, sub)) = &j.resubmitted {
            lines.extend(self.stayed_dead.get(job).cloned());
            lines.push(sub.clone());
        }
        lines.push(evidence(ev));
        self.failed.insert(job.to_string());
        out.push(Finding {
            id: ID,
            job: Some(job.to_string()),
            because,
            evidence: lines,
        });
    }

    fn finish(&mut self, model: &Model, _cfg: &Config) -> Vec<Verdict> {
        let mut v = Vec::new();
        for id in &model.job_order {
            if self.failed.contains(id) {
                continue;
            }
            let Some(j) = model.job(id) else { continue };
            let end = j
                .terminal
                .as_ref()
                .map(|(s, _, e)| (format!("reached {s}"), e.clone()))
                .or_else(|| {
                    j.cleanup
                        .as_ref()
                        .map(|(_, e)| ("had its HA data cleaned up".to_string(), e.clone()))
                });
            match end {
                Some((what, e)) => {
                    let mut ev = vec![e];
                    ev.extend(self.stayed_dead.get(id).cloned());
                    v.push(verdict(
                        ID,
                        Outcome::Pass,
                        Some(id),
                        format!("job {} {what} and never ran or was recovered again", short(id)),
                        ev,
                    ));
                }
                None => v.push(verdict(
                    ID,
                    Outcome::Unknown,
                    Some(id),
                    format!("job {} never reached a globally terminal state in the logs: nothing could resurrect", short(id)),
                    vec![],
                )),
            }
        }
        v
    }
}
