//! How far one job's HA cleanup got: which parts started, finished, failed, and whether a
//! retry finished a failed part.
//!
//! Flink (1.15+) cleans a globally terminal job's resources concurrently and retries each
//! failed part: the job graph store (`Removed job graph …` when done), the HA services
//! (checkpoints, counter, leader entries: `Clean up …` / `Finished cleaning up … for job …`),
//! and non-HA parts (blobs, metrics). A failed attempt logs `Cleanup of LABEL failed for job …`;
//! a successful retry logs only the part's own success line. So a cleanup counts when it
//! finished, or when a retry finished the part that had failed.

use super::model::Evidence;
use crate::events::Kind;
use chrono::{DateTime, Utc};

/// The cleanup facts of one job (of its current life: a re-submitted job starts afresh).
#[derive(Clone, Debug, Default)]
pub struct CleanupProgress {
    /// The first `Clean up the high availability data for job …` line.
    pub started: Option<Evidence>,
    /// The last `Finished cleaning up the high availability data for job …` line.
    pub finished: Option<Evidence>,
    /// The last `Removed job graph …` / `Removed execution plan …` line.
    pub graph_removed: Option<Evidence>,
    /// The cluster-wide cleanup (`Clean up all data for …`): every job's HA data goes.
    pub all_removed: Option<Evidence>,
    /// Failed parts of the HA data that no later success line finished, as (label, line).
    pub failures: Vec<(String, Evidence)>,
    /// When the cleanup was last seen complete (none while a part is failed).
    pub done_ts: Option<DateTime<Utc>>,
}

/// What a job's cleanup amounts to.
#[derive(Clone, Debug, PartialEq)]
pub enum CleanupStatus {
    /// No cleanup line at all.
    None,
    /// Finished (or the store's removal was logged, in versions that log nothing else).
    Done(Evidence),
    /// A part of the HA data failed to be cleaned and no retry finished it: the start line (if
    /// any) and the failure lines.
    Failed(Vec<Evidence>),
    /// Began but its end is not in the logs (and no failure was logged).
    Unfinished(Evidence),
}

/// Which part of the HA data a cleanup label names, if any: the job graph store or the HA
/// services. Blobs, metrics and the runner registry are not HA metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    GraphStore,
    HaServices,
}

fn part(label: &str) -> Option<Part> {
    let l = label.to_ascii_lowercase();
    if l.contains("jobgraph") || l.contains("executionplan") || l.contains("job graph") {
        Some(Part::GraphStore)
    } else if l.contains("highavailability") || l.contains("ha services") {
        Some(Part::HaServices)
    } else {
        None
    }
}

/// Failures kept per job (distinct labels; a handful exist).
const MAX_FAILURES: usize = 8;

impl CleanupProgress {
    /// Take one cleanup event of this job (`ha_cleanup_*`, `job_graph_removed`) at `ts`.
    pub fn apply(&mut self, kind: Kind, reason: Option<&str>, ts: DateTime<Utc>, line: Evidence) {
        self.take(kind, reason, line);
        match self.status() {
            CleanupStatus::Done(_) => self.done_ts = Some(ts),
            CleanupStatus::Failed(_) => self.done_ts = None,
            _ => {}
        }
    }

    fn take(&mut self, kind: Kind, reason: Option<&str>, line: Evidence) {
        match kind {
            Kind::HaCleanupStarted => {
                self.started.get_or_insert(line);
            }
            Kind::HaCleanupFinished => {
                self.failures
                    .retain(|(l, _)| part(l) != Some(Part::HaServices));
                self.finished = Some(line);
            }
            Kind::JobGraphRemoved => {
                self.failures
                    .retain(|(l, _)| part(l) != Some(Part::GraphStore));
                self.graph_removed = Some(line);
            }
            Kind::HaCleanupAll => {
                self.failures.clear();
                self.all_removed = Some(line);
            }
            Kind::HaCleanupFailed => {
                let label = reason.unwrap_or_default().to_string();
                if part(&label).is_none() {
                    return;
                }
                // Repeated attempts of one part: the first failure line is the proof.
                if !self.failures.iter().any(|(l, _)| *l == label)
                    && self.failures.len() < MAX_FAILURES
                {
                    self.failures.push((label, line));
                }
            }
            _ => {}
        }
    }

    /// The status now.
    pub fn status(&self) -> CleanupStatus {
        if !self.failures.is_empty() {
            let mut ev: Vec<Evidence> = self.started.iter().cloned().collect();
            ev.extend(self.failures.iter().map(|(_, e)| e.clone()));
            return CleanupStatus::Failed(ev);
        }
        if let Some(e) = self.finished.as_ref().or(self.all_removed.as_ref()) {
            return CleanupStatus::Done(e.clone());
        }
        match (&self.started, &self.graph_removed) {
            (Some(s), _) => CleanupStatus::Unfinished(s.clone()),
            (None, Some(g)) => CleanupStatus::Done(g.clone()),
            (None, None) => CleanupStatus::None,
        }
    }

    /// The labels of the failed parts, for sentences (`JobGraphStore`).
    pub fn failed_labels(&self) -> Vec<&str> {
        self.failures.iter().map(|(l, _)| l.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(p: &mut CleanupProgress, kind: Kind, reason: Option<&str>, e: Evidence) {
        p.apply(kind, reason, DateTime::<Utc>::default(), e);
    }

    fn line(n: u64) -> Evidence {
        Evidence {
            source: "jm.log".into(),
            line: n,
            ts: String::new(),
            text: format!("line {n}").into(),
        }
    }

    #[test]
    fn a_failed_part_stays_failed_until_its_own_success_line() {
        let mut p = CleanupProgress::default();
        apply(&mut p, Kind::HaCleanupStarted, None, line(1));
        apply(&mut p, Kind::HaCleanupFinished, None, line(2));
        apply(
            &mut p,
            Kind::HaCleanupFailed,
            Some("JobGraphStore"),
            line(3),
        );
        assert_eq!(p.status(), CleanupStatus::Failed(vec![line(1), line(3)]));
        assert_eq!(p.failed_labels(), vec!["JobGraphStore"]);
        // The HA services finishing again does not repair the job graph store.
        apply(&mut p, Kind::HaCleanupFinished, None, line(4));
        assert!(matches!(p.status(), CleanupStatus::Failed(_)));
        // A retry (here: by the next JobManager) removes the job graph.
        apply(&mut p, Kind::JobGraphRemoved, None, line(5));
        assert_eq!(p.status(), CleanupStatus::Done(line(4)));
    }

    #[test]
    fn non_ha_parts_do_not_count_and_the_cluster_wide_cleanup_repairs_all() {
        let mut p = CleanupProgress::default();
        apply(&mut p, Kind::HaCleanupStarted, None, line(1));
        apply(&mut p, Kind::HaCleanupFailed, Some("BlobServer"), line(2));
        assert_eq!(p.status(), CleanupStatus::Unfinished(line(1)));
        apply(
            &mut p,
            Kind::HaCleanupFailed,
            Some("HighAvailabilityServices"),
            line(3),
        );
        apply(
            &mut p,
            Kind::HaCleanupFailed,
            Some("HighAvailabilityServices"),
            line(4),
        );
        assert_eq!(p.status(), CleanupStatus::Failed(vec![line(1), line(3)]));
        apply(&mut p, Kind::HaCleanupAll, None, line(5));
        assert_eq!(p.status(), CleanupStatus::Done(line(5)));
    }

    #[test]
    fn a_removal_alone_is_a_cleanup_in_versions_that_log_nothing_else() {
        let mut p = CleanupProgress::default();
        assert_eq!(p.status(), CleanupStatus::None);
        apply(&mut p, Kind::JobGraphRemoved, None, line(1));
        assert_eq!(p.status(), CleanupStatus::Done(line(1)));
    }
}
