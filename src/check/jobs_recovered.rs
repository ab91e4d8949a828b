//! `jobs-recovered`: every job that was not globally terminal when its leader went away is
//! recovered by the next leader.

use super::model::{FailoverKind, Outcome, Verdict};
use super::state::Model;
use super::{short, verdict, Config, Finding, Invariant};
use crate::events::Event;
use std::collections::BTreeSet;

/// Invariant id.
pub const ID: &str = "jobs-recovered";

/// State of the invariant.
#[derive(Default)]
pub struct JobsRecovered {
    reported: BTreeSet<(usize, String)>,
    /// How much of the model's `missing_log` has been looked at.
    seen: usize,
}

impl JobsRecovered {
    fn scan(&mut self, model: &Model, out: &mut Vec<Finding>) {
        let fresh = model
            .missing_log
            .get(self.seen..)
            .unwrap_or_default()
            .to_vec();
        self.seen = model.missing_log.len();
        for (f, k) in fresh {
            let Some(fo) = model.failovers.get(f) else {
                continue;
            };
            let Some(r) = fo.jobs.get(k) else { continue };
            let Some(track) = model.tracks.get(f).and_then(|t| t.get(k)) else {
                continue;
            };
            let Some(missing) = &track.missing else {
                continue;
            };
            {
                if !self.reported.insert((f, r.job.clone())) {
                    continue;
                }
                let new_src = model
                    .failover_new_inc
                    .get(f)
                    .copied()
                    .flatten()
                    .map(|i| model.incs[i].info.source.clone())
                    .unwrap_or_default();
                let state = track
                    .state_before
                    .clone()
                    .unwrap_or_else(|| "not terminal".into());
                let mut evidence = Vec::new();
                if let Some(j) = model.job(&r.job) {
                    if let Some((_, e)) = &j.last_state {
                        evidence.push(e.clone());
                    }
                }
                evidence.push(missing.clone());
                out.push(Finding {
                    id: ID,
                    job: Some(r.job.clone()),
                    because: format!(
                        "job {} was {state} when its leader went away ({}), but the new leader {new_src} did not recover it",
                        short(&r.job),
                        crate::events::format_ts(&fo.failure_ts)
                    ),
                    evidence,
                });
            }
        }
    }
}

impl Invariant for JobsRecovered {
    fn id(&self) -> &'static str {
        ID
    }

    fn observe(&mut self, _ev: &Event, model: &Model, _cfg: &Config, out: &mut Vec<Finding>) {
        // The model records recovery evidence as it applies events; a proof of a missing job
        // becomes visible here on the next event at the latest.
        self.scan(model, out);
    }

    fn finish(&mut self, model: &Model, _cfg: &Config) -> Vec<Verdict> {
        let mut late = Vec::new();
        self.scan(model, &mut late);
        let mut v: Vec<Verdict> = late
            .into_iter()
            .map(|f| verdict(ID, Outcome::Fail, f.job.as_deref(), f.because, f.evidence))
            .collect();
        let failed: BTreeSet<String> = v.iter().filter_map(|x| x.job.clone()).collect();
        for id in &model.job_order {
            if failed.contains(id) {
                continue;
            }
            let mut involved = 0;
            let mut recovered = Vec::new();
            // Application mode: failovers after which `main()` submitted the job again.
            let mut resubmitted = Vec::new();
            let mut open = None;
            let mut left_out = None;
            // Application mode: missing from the job graphs, `main()` not yet past it.
            let mut main_pending = None;
            let places = model.job(id).map(|j| j.failovers.as_slice());
            for &(f, k) in places.unwrap_or_default() {
                let Some(fo) = model
                    .failovers
                    .get(f)
                    .filter(|fo| fo.kind == FailoverKind::Leader)
                else {
                    continue;
                };
                {
                    involved += 1;
                    let track = model.tracks.get(f).and_then(|t| t.get(k));
                    match track.and_then(|t| t.recovered.clone()) {
                        Some(e) => {
                            if let Some(t) = track.filter(|t| t.resubmitted.is_some()) {
                                resubmitted.extend(t.soft_missing.iter().cloned());
                                resubmitted.extend(t.resubmitted.iter().cloned());
                                resubmitted.push(e.clone());
                            }
                            recovered.push(e)
                        }
                        None => {
                            open = Some(fo.failure_ts);
                            let application = model
                                .failover_new_inc
                                .get(f)
                                .copied()
                                .flatten()
                                .and_then(|i| model.incs.get(i))
                                .is_some_and(|i| i.info.application);
                            let waits =
                                application && track.is_some_and(|t| t.main_passed.is_none());
                            let again = track.and_then(|t| t.resubmitted.clone());
                            match track.and_then(|t| t.soft_missing.clone()) {
                                // Submitted again, not yet seen running.
                                Some(e) if again.is_some() => {
                                    main_pending = Some((fo.failure_ts, e, again))
                                }
                                Some(e) if waits => main_pending = Some((fo.failure_ts, e, None)),
                                Some(e) => {
                                    let mut e = vec![e];
                                    e.extend(track.and_then(|t| t.main_passed.clone()));
                                    left_out = Some((
                                        fo.failure_ts,
                                        e,
                                        track.and_then(|t| t.state_before.clone()),
                                    ));
                                }
                                None => {}
                            }
                        }
                    }
                }
            }
            if involved == 0 {
                v.push(verdict(
                    ID,
                    Outcome::Unknown,
                    Some(id),
                    format!("no leader failover happened while job {} was running: recovery was not exercised", short(id)),
                    vec![],
                ));
            } else if let Some((ts, e, state)) = left_out {
                let mut evidence: Vec<_> = model
                    .job(id)
                    .and_then(|j| j.last_state.as_ref().map(|(_, e)| e.clone()))
                    .into_iter()
                    .collect();
                let main = if e.len() > 1 {
                    ", and its application's main() went past it without submitting it again"
                } else {
                    ""
                };
                evidence.extend(e);
                v.push(verdict(
                    ID,
                    Outcome::Fail,
                    Some(id),
                    format!(
                        "job {} was {} when its leader went away ({}); the new leader finished recovering job graphs without it and never ran it{main}",
                        short(id),
                        state.unwrap_or_else(|| "not terminal".into()),
                        crate::events::format_ts(&ts)
                    ),
                    evidence,
                ));
            } else if let Some((ts, e, again)) = main_pending {
                let because = match &again {
                    Some(_) => format!(
                        "after the failover at {} job {} was not among the job graphs the new leader recovered; its application's main() submitted it again, but the logs end before it ran",
                        crate::events::format_ts(&ts),
                        short(id)
                    ),
                    None => format!(
                        "after the failover at {} job {} was not among the job graphs the new leader recovered, and the logs end before its application's main() submitted it again, submitted another job or ended: in application mode main() may still bring it back",
                        crate::events::format_ts(&ts),
                        short(id)
                    ),
                };
                let mut evidence = vec![e];
                evidence.extend(again);
                v.push(verdict(ID, Outcome::Unknown, Some(id), because, evidence));
            } else if let Some(ts) = open {
                v.push(verdict(
                    ID,
                    Outcome::Unknown,
                    Some(id),
                    format!(
                        "after the failover at {} the new leader's logs show no recovery of job {} (and no proof that it was left out)",
                        crate::events::format_ts(&ts),
                        short(id)
                    ),
                    recovered,
                ));
            } else if !resubmitted.is_empty() {
                v.push(verdict(
                    ID,
                    Outcome::Pass,
                    Some(id),
                    format!(
                        "job {} ran again on the new leader after each of {involved} leader failover(s); at least once it was not in the HA store's job graphs and the application's main() submitted it again under its id (whether its state survived is recover-latest's verdict)",
                        short(id)
                    ),
                    resubmitted.into_iter().take(6).collect(),
                ));
            } else {
                v.push(verdict(
                    ID,
                    Outcome::Pass,
                    Some(id),
                    format!("job {} was recovered by the new leader after each of {involved} leader failover(s)", short(id)),
                    recovered.into_iter().take(4).collect(),
                ));
            }
        }
        v
    }
}
