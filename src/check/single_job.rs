//! `single-job`: one application does not run twice. A job submitter that re-submits while
//! HA recovery also brought the job back (operators that give the job a new id on every
//! submitter restart) leaves two copies running, each writing to the same sinks.
//!
//! FAIL when, in an application (or per-job) cluster, a job with the same name as another
//! one but another job id runs while that other one still runs, and one of the two was
//! brought back by HA recovery. Two jobs of one name in a session cluster can be intended,
//! and so can several jobs of one name that an application runs without any recovery: those
//! are notes. A job that runs after its namesake reached a terminal state (or was suspended,
//! or lost its JobManager) is a resubmission, no violation. One job id under two job masters
//! is `single-leader`'s business.

use super::model::{Evidence, Outcome, Verdict};
use super::state::{globally_terminal, Model};
use super::{evidence, short, verdict, Config, Finding, Invariant};
use super::{HashMap, HashSet};
use crate::events::{Event, Kind};
use std::collections::BTreeSet;

/// Invariant id.
pub const ID: &str = "single-job";

/// Notes kept at most (one per pair of jobs).
const MAX_NOTES: usize = 20;

/// What the invariant remembers of one job id.
#[derive(Default)]
struct Seen {
    submitted: Option<Evidence>,
    recovered: Option<Evidence>,
    running: Option<Evidence>,
}

/// State of the invariant.
#[derive(Default)]
pub struct SingleJob {
    jobs: HashMap<String, Seen>,
    /// Job ids per job name that may still run, in order of first appearance (ids found not
    /// running are dropped when the list is scanned, and come back when they run again).
    by_name: HashMap<String, Vec<String>>,
    /// The job ids in some list of `by_name`.
    listed: HashSet<String>,
    /// Jobs already reported as a second copy (FAIL or note): each at most once.
    reported: BTreeSet<String>,
    ran: usize,
    notes: Vec<String>,
}

/// Whether the cluster runs in application (or per-job) mode, from the JobManagers' banners
/// and `main()`'s own lines.
fn application_mode(model: &Model) -> Option<bool> {
    let mut known = None;
    for i in &model.incs {
        if i.info.application {
            return Some(true);
        }
        if let Some(e) = i.info.entrypoint.as_deref() {
            if e.contains("Application") || e.contains("JobCluster") {
                return Some(true);
            }
            known = Some(false);
        }
    }
    known
}

/// Whether job `id` is running now as far as the model knows: not terminal, not suspended,
/// on a JobManager that is alive.
fn still_runs(model: &Model, id: &str) -> bool {
    let Some(j) = model.job(id) else { return false };
    if j.is_terminal() {
        return false;
    }
    let live_state = j
        .last_state
        .as_ref()
        .is_some_and(|(s, _)| !globally_terminal(s) && s != "SUSPENDED");
    let live_jm = j
        .last_incarnation
        .and_then(|i| model.incs.get(i))
        .is_some_and(|i| i.open && i.stopping.is_none());
    live_state && live_jm
}

impl Invariant for SingleJob {
    fn id(&self) -> &'static str {
        ID
    }

    fn observe(&mut self, ev: &Event, model: &Model, _cfg: &Config, out: &mut Vec<Finding>) {
        let Some(job) = ev.job() else { return };
        match ev.kind {
            Kind::JobSubmitted => {
                self.jobs.entry(job.to_string()).or_default().submitted = Some(evidence(ev));
            }
            Kind::JobGraphRecovered | Kind::JobRecoveryStarted => {
                let s = self.jobs.entry(job.to_string()).or_default();
                s.recovered.get_or_insert_with(|| evidence(ev));
            }
            _ => {}
        }
        // Every checkpoint line has a job: nothing is copied, nor its name looked up, unless
        // the job is new here.
        let name = || {
            ev.fields
                .name
                .as_deref()
                .or_else(|| model.job(job).and_then(|j| j.name.as_deref()))
        };
        if !self.listed.contains(job) {
            if let Some(n) = name() {
                self.listed.insert(job.to_string());
                self.by_name
                    .entry(n.to_string())
                    .or_default()
                    .push(job.to_string());
            }
        }
        if ev.kind != Kind::JobState || ev.fields.to.as_deref() != Some("RUNNING") {
            return;
        }
        let Some(name) = name().map(str::to_string) else {
            return;
        };
        let first_run = {
            let s = self.jobs.entry(job.to_string()).or_default();
            let first = s.running.is_none();
            s.running = Some(evidence(ev));
            first
        };
        if first_run {
            self.ran += 1;
        }
        if self.reported.contains(job) {
            return;
        }
        // The first other job of this name that still runs; the ones that do not are dropped
        // from the list, so a name with thousands of jobs stays cheap.
        let mut other = None;
        if let Some(ids) = self.by_name.get_mut(&name) {
            let mut i = 0;
            while let Some(x) = ids.get(i) {
                if x == job {
                    i += 1;
                } else if still_runs(model, x) {
                    other = Some(x.clone());
                    break;
                } else {
                    self.listed.remove(x);
                    ids.swap_remove(i);
                }
            }
        }
        if let Some(other) = other.filter(|o| !self.reported.contains(o)) {
            self.reported.insert(job.to_string());
            self.reported.insert(other.clone());
            let (a, b) = (self.jobs.get(&other), self.jobs.get(job));
            let recovered = a.and_then(|s| s.recovered.as_ref()).is_some()
                || b.and_then(|s| s.recovered.as_ref()).is_some();
            let mut lines: Vec<Evidence> = Vec::new();
            for s in [a, b].into_iter().flatten() {
                lines.extend(s.submitted.iter().cloned());
                lines.extend(s.recovered.iter().cloned());
            }
            if let Some(r) = a.and_then(|s| s.running.clone()) {
                lines.push(r);
            }
            lines.push(evidence(ev));
            let app = application_mode(model);
            if app == Some(true) && recovered {
                // About an application, not one job id: it replaces the global verdict.
                out.push(Finding {
                    id: ID,
                    job: None,
                    because: format!(
                        "job {} (`{name}`) runs while job {} of the same application still runs: \
                         HA recovery brought one back and the other was submitted again, so the \
                         application runs twice",
                        short(job),
                        short(&other)
                    ),
                    evidence: lines,
                });
            } else if self.notes.len() < MAX_NOTES {
                let why = match app {
                    Some(true) => "an application cluster without HA recovery in between: several jobs of one name, intended or a submitter that submits twice?",
                    _ => "a session cluster, where two jobs of one name can be intended",
                };
                let at: Vec<String> = lines
                    .iter()
                    .map(|e| format!("{}:{}", e.source, e.line))
                    .collect();
                self.notes.push(format!(
                    "jobs {} and {}, both named `{name}`, ran at the same time ({why}) ({})",
                    short(&other),
                    short(job),
                    at.join(", ")
                ));
            }
        }
    }

    fn finish(&mut self, model: &Model, _cfg: &Config) -> Vec<Verdict> {
        if self.ran == 0 {
            return vec![verdict(
                ID,
                Outcome::Unknown,
                None,
                "no job was seen RUNNING",
                vec![],
            )];
        }
        let mode = match application_mode(model) {
            Some(true) => "application cluster",
            Some(false) => "session cluster",
            None => "cluster mode not logged",
        };
        vec![verdict(
            ID,
            Outcome::Pass,
            None,
            format!(
                "no application ran under two job ids at once ({} job id(s) ran; {mode})",
                self.ran
            ),
            vec![],
        )]
    }

    fn notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }
}
