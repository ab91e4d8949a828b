//! `single-leader`: one leader at a time.
//!
//! FAIL when an incarnation was granted leadership of a component while another
//! incarnation's term for it had not ended (proven by that term ending explicitly, or the old
//! leader acting as leader, later than the grant plus the clock skew), when an old leader
//! acted as leader (checkpoint, restore, job start, a job state change other than to
//! SUSPENDED, grant) after a newer leader took over, also while shutting down,
//! or when one job was run by two job masters at once (FLINK-30596). Shutdown lines of a
//! dying leader are not leader actions.

use super::model::{Evidence, Outcome, Verdict};
use super::state::{component_key, globally_terminal, stream_key, Model};
use super::HashMap;
use super::{evidence, short, verdict, Config, Finding, Invariant};
use crate::events::{Event, Kind};
use chrono::{DateTime, Duration, Utc};

/// Invariant id.
pub const ID: &str = "single-leader";

/// A grant made while another incarnation still held the component.
#[derive(Debug)]
struct Pending {
    /// The old leader's log ([`stream_key`]: all parts of a rotated log are one).
    old_source: String,
    granted_at: DateTime<Utc>,
    grant: Evidence,
    old_grant: Evidence,
    component: String,
}

/// A running job master.
#[derive(Debug, Clone)]
struct Master {
    inc: Option<usize>,
    ev: Evidence,
}

/// A job master started while another process's job master had the job: proven a
/// conflict when that process acts on the job (or as leader) later than the clock skew, not
/// when it goes quiet (a killed process's log just stops; with `--follow` its end is not
/// known until the input ends).
#[derive(Debug)]
struct MasterOverlap {
    job: String,
    /// The first job master's log ([`stream_key`]).
    first_source: String,
    first: Evidence,
    second: Evidence,
    at: DateTime<Utc>,
}

/// State of the invariant.
#[derive(Default)]
pub struct SingleLeader {
    pending: Vec<Pending>,
    overlaps: Vec<MasterOverlap>,
    masters: HashMap<String, Master>,
    grants: usize,
    incarnations_with_grants: std::collections::BTreeSet<usize>,
}

/// `ts + d`, saturating at the latest instant chrono can hold: a log may carry a timestamp
/// near it (year +262142), where `+` panics.
fn plus(ts: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    ts.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Invariant for SingleLeader {
    fn id(&self) -> &'static str {
        ID
    }

    fn observe(&mut self, ev: &Event, model: &Model, _cfg: &Config, out: &mut Vec<Finding>) {
        let skew = model.skew();
        let inc = model.inc_of(&ev.source).filter(|i| model.incs[*i].open);
        // Lines of one process come from every part of its rotated log (`x.log.1`, `x.log`),
        // and the end of a part that is not the last (`x.log.1`) is not the end of the
        // process: it may go on in the next part.
        let log = stream_key(&ev.source);
        let ends_log = ev.kind == Kind::LogEnd && log == &*ev.source;
        // 1. Pending overlaps resolved by the old leader's own lines.
        let mut keep = Vec::new();
        for p in self.pending.drain(..) {
            if log != p.old_source || ev.ts <= plus(p.granted_at, skew) {
                if log == p.old_source
                    && (ends_log
                        || matches!(
                            ev.kind,
                            Kind::LeadershipRevoked | Kind::ProcessStopping | Kind::ProcessStarted
                        ))
                {
                    continue; // ended in time
                }
                keep.push(p);
                continue;
            }
            let ends = matches!(ev.kind, Kind::LeadershipRevoked | Kind::ProcessStopping);
            if ends || Model::is_leader_action(ev) {
                let what = if ends {
                    "only gave it up"
                } else {
                    "still acted as leader"
                };
                out.push(Finding {
                    id: ID,
                    job: None,
                    because: format!(
                        "{} was granted `{}` leadership at {} while {} still held it: the old leader {} {:.1} s later",
                        p.grant.source,
                        p.component,
                        p.grant.ts,
                        p.old_source,
                        what,
                        (ev.ts - p.granted_at).num_milliseconds() as f64 / 1000.0
                    ),
                    evidence: vec![p.old_grant.clone(), p.grant.clone(), evidence(ev)],
                });
                continue;
            }
            if ends_log || ev.kind == Kind::ProcessStarted {
                continue; // ended by the newer term: nothing proves an overlap
            }
            keep.push(p);
        }
        self.pending = keep;

        // 2. An old leader acting after a newer leader took over.
        if Model::is_leader_action(ev) && ev.kind != Kind::LeadershipGranted {
            if let (Some(me), Some((leader, since))) = (inc, model.leader_inc()) {
                let leader_still_leads = model
                    .leader
                    .and_then(|(t, _)| model.terms.get(t))
                    .map(|t| t.term.to.map_or(true, |end| end > ev.ts))
                    .unwrap_or(false);
                if leader != me && leader_still_leads && ev.ts > plus(since, skew) {
                    let leader_grant = model
                        .leader
                        .and_then(|(t, _)| model.terms.get(t))
                        .map(|t| t.grant.clone());
                    let mut evs: Vec<Evidence> = leader_grant.into_iter().collect();
                    evs.push(evidence(ev));
                    out.push(Finding {
                        id: ID,
                        job: None,
                        because: format!(
                            "{} acted as leader ({}) at {} although {} had been leader since {}",
                            ev.source,
                            ev.kind,
                            crate::events::format_ts(&ev.ts),
                            model.incs[leader].info.source,
                            crate::events::format_ts(&since)
                        ),
                        evidence: evs,
                    });
                }
            }
        }

        // 4b. Job masters of two processes for one job, proven by the first one's later lines.
        if !self.overlaps.is_empty() {
            let mut keep = Vec::new();
            for o in self.overlaps.drain(..) {
                if log != o.first_source {
                    keep.push(o);
                    continue;
                }
                let about = ev.job() == Some(o.job.as_str());
                let gives_up = ends_log
                    || matches!(ev.kind, Kind::ProcessStopping | Kind::ProcessStarted)
                    || (about
                        && (matches!(ev.kind, Kind::LeadershipRevoked | Kind::JobGraphReleased)
                            || matches!(ev.fields.to.as_deref().or(ev.fields.state.as_deref()), Some(s) if s == "SUSPENDED" || globally_terminal(s))));
                if gives_up {
                    continue;
                }
                let acts = ev.ts > plus(o.at, skew)
                    && (Model::is_leader_action(ev) && (about || ev.job().is_none()));
                if acts {
                    out.push(Finding {
                        id: ID,
                        job: Some(o.job.clone()),
                        because: format!(
                            "job {} was started by a second job master while the first one was still running it (FLINK-30596)",
                            short(&o.job)
                        ),
                        evidence: vec![o.first, o.second, evidence(ev)],
                    });
                    continue;
                }
                keep.push(o);
            }
            self.overlaps = keep;
        }

        match ev.kind {
            // 3. A grant while another incarnation holds the component.
            Kind::LeadershipGranted => {
                self.grants += 1;
                if let Some(i) = inc {
                    self.incarnations_with_grants.insert(i);
                }
                let comp = component_key(ev);
                for t in model.holders_of(&comp) {
                    if Some(t.term.incarnation) == inc {
                        continue;
                    }
                    let old = &model.incs[t.term.incarnation];
                    if !old.open || old.stopping.is_some() {
                        continue;
                    }
                    self.pending.push(Pending {
                        old_source: stream_key(&old.source).to_string(),
                        granted_at: ev.ts,
                        grant: evidence(ev),
                        old_grant: t.grant.clone(),
                        component: comp.clone(),
                    });
                }
            }
            // 4. Two job masters for one job.
            Kind::JobMasterStarted => {
                if let Some(job) = ev.job() {
                    if let Some(m) = self.masters.get(job) {
                        let alive = m
                            .inc
                            .map(|i| model.incs[i].open && model.incs[i].stopping.is_none());
                        let other = m.inc.filter(|i| Some(*i) != inc);
                        if let (Some(true), Some(i)) = (alive, other) {
                            // Another process: proven only by its later lines.
                            self.overlaps.push(MasterOverlap {
                                job: job.to_string(),
                                first_source: stream_key(&model.incs[i].source).to_string(),
                                first: m.ev.clone(),
                                second: evidence(ev),
                                at: ev.ts,
                            });
                        } else if alive.unwrap_or(true) {
                            out.push(Finding {
                                id: ID,
                                job: Some(job.to_string()),
                                because: format!(
                                    "job {} was started by a second job master while the first one was still running it (FLINK-30596)",
                                    short(job)
                                ),
                                evidence: vec![m.ev.clone(), evidence(ev)],
                            });
                        }
                    }
                    self.masters.insert(
                        job.to_string(),
                        Master {
                            inc,
                            ev: evidence(ev),
                        },
                    );
                }
            }
            Kind::JobState | Kind::JobTerminal => {
                let st = ev
                    .fields
                    .to
                    .as_deref()
                    .or(ev.fields.state.as_deref())
                    .unwrap_or("");
                if globally_terminal(st) || st == "SUSPENDED" {
                    if let Some(job) = ev.job() {
                        self.masters.remove(job);
                    }
                }
            }
            Kind::LeadershipRevoked | Kind::JobGraphReleased => {
                if let Some(job) = ev.job() {
                    self.masters.remove(job);
                }
            }
            Kind::LogEnd if !ends_log => {}
            Kind::ProcessStopping | Kind::LogEnd | Kind::ProcessStarted => {
                if let Some(i) = model.inc_of(&ev.source) {
                    self.masters.retain(|_, m| m.inc != Some(i));
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, model: &Model, _cfg: &Config) -> Vec<Verdict> {
        if self.grants == 0 {
            return vec![verdict(
                ID,
                Outcome::Unknown,
                None,
                "no leadership grant was logged: who led cannot be told (are the JobManager logs included?)",
                vec![],
            )];
        }
        let terms = model.terms.len();
        let incs = model.incs.len();
        let ev: Vec<Evidence> = model
            .terms
            .iter()
            .take(4)
            .map(|t| t.grant.clone())
            .collect();
        vec![verdict(
            ID,
            Outcome::Pass,
            None,
            format!(
                "{terms} leadership term(s) over {incs} JobManager incarnation(s), {} of them leader at some time, never two at once",
                self.incarnations_with_grants.len()
            ),
            ev,
        )]
    }
}
