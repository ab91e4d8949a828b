//! `recovery-time` (with `--max-rto`): every failover brings each job back to RUNNING within
//! the allowed time, measured from the last sign of the old leader (or the failure).

use super::model::{Outcome, Verdict};
use super::state::Model;
use super::{short, verdict, Config, Finding, Invariant};
use crate::events::Event;

/// Invariant id.
pub const ID: &str = "recovery-time";

/// Stateless: decided from the model's failovers at the end.
pub struct RecoveryTime;

impl Invariant for RecoveryTime {
    fn id(&self) -> &'static str {
        ID
    }

    fn observe(&mut self, _ev: &Event, _model: &Model, _cfg: &Config, _out: &mut Vec<Finding>) {}

    fn finish(&mut self, model: &Model, cfg: &Config) -> Vec<Verdict> {
        let Some(max) = cfg.max_rto else {
            return vec![];
        };
        let max_ms = max.num_milliseconds();
        let mut by_job: Vec<(String, Vec<Verdict>)> = Vec::new();
        for fo in &model.failovers {
            for r in &fo.jobs {
                let v = match r.rto_ms {
                    Some(rto) if rto > max_ms => verdict(
                        ID,
                        Outcome::Fail,
                        Some(&r.job),
                        format!(
                            "job {} took {:.1} s to run again after the failure at {} (allowed {:.1} s)",
                            short(&r.job),
                            rto as f64 / 1000.0,
                            crate::events::format_ts(&fo.failure_ts),
                            max_ms as f64 / 1000.0
                        ),
                        vec![],
                    ),
                    Some(rto) => verdict(
                        ID,
                        Outcome::Pass,
                        Some(&r.job),
                        format!("job {} ran again {:.1} s after the failure (allowed {:.1} s)", short(&r.job), rto as f64 / 1000.0, max_ms as f64 / 1000.0),
                        vec![],
                    ),
                    None => verdict(
                        ID,
                        Outcome::Unknown,
                        Some(&r.job),
                        format!(
                            "job {} was not seen RUNNING again after the failure at {}",
                            short(&r.job),
                            crate::events::format_ts(&fo.failure_ts)
                        ),
                        vec![],
                    ),
                };
                match by_job.iter_mut().find(|(j, _)| *j == r.job) {
                    Some((_, vs)) => vs.push(v),
                    None => by_job.push((r.job.clone(), vec![v])),
                }
            }
        }
        let mut out = Vec::new();
        for id in &model.job_order {
            match by_job.iter().find(|(j, _)| j == id) {
                // The worst failover decides; its sentence explains.
                Some((_, vs)) => {
                    if let Some(worst) = vs.iter().max_by_key(|v| v.verdict) {
                        out.push(worst.clone());
                    }
                }
                None => out.push(verdict(
                    ID,
                    Outcome::Unknown,
                    Some(id),
                    format!(
                        "job {} went through no failover: recovery time was not exercised",
                        short(id)
                    ),
                    vec![],
                )),
            }
        }
        out
    }
}
