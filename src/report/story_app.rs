//! The parts of the timeline's story that application mode (and an HA cleanup that went wrong)
//! adds: `main()` submitting the job or finding it recovered, a refused re-submission, a
//! skipped recovery, a job starting over from nothing, a cleanup part failing, and the cluster
//! shutting itself down after its application ended.

use super::timeline::{is_globally_terminal, jm_label, job_label, Entry, Tone};
use super::units::{self, Clock};
use crate::check::model::{Analysis, Incarnation, JobReport, Milestone};
use crate::events::Kind;

/// What a milestone says, and how it reads (colour class).
fn milestone_text(a: &Analysis, m: &Milestone) -> Option<(String, Tone)> {
    let on = m
        .incarnation
        .map(|i| format!(" on {}", jm_label(a, i)))
        .unwrap_or_default();
    let detail = m.detail.as_deref().unwrap_or("?");
    Some(match m.kind {
        Kind::ApplicationSubmitted => (format!("submitted by the application's main(){on}"), Tone::Plain),
        Kind::ApplicationRecovered => (
            format!("main(){on} found the job recovered from the HA store and did not submit it again"),
            Tone::Good,
        ),
        Kind::JobSubmissionRefused => (
            format!("submission{on} refused: the job already reached a globally terminal state (JobResultStore)"),
            Tone::Good,
        ),
        Kind::JobRecoverySkipped => (
            format!("recovery{on} skipped: the job already reached a globally terminal state"),
            Tone::Plain,
        ),
        Kind::HaCleanupFailed => (format!("HA cleanup of {detail} FAILED{on}"), Tone::Bad),
        Kind::NoCheckpointToRestore => (
            format!("started again from nothing{on}: checkpoint {detail} was not restored, its state is lost"),
            Tone::Bad,
        ),
        _ => return None,
    })
}

/// The job's milestones as story entries.
pub(crate) fn milestone_entries(a: &Analysis, j: &JobReport, out: &mut Vec<Entry>) {
    let who = job_label(&j.job);
    for m in &j.milestones {
        if let Some((what, tone)) = milestone_text(a, m) {
            out.push(Entry {
                ts: m.ts,
                rank: 6,
                who: who.clone(),
                what,
                tone,
                failover: None,
            });
        }
    }
}

/// The HA cleanup of a job as story entries, from its milestones: a cleanup that began and
/// finished within a second is one line, `HA data cleaned up (… after CANCELED)`; otherwise
/// its beginning, each failed part and its completion (a retry, or the next JobManager)
/// are lines of their own.
pub(crate) fn cleanup_entries(j: &JobReport, out: &mut Vec<Entry>) {
    let who = job_label(&j.job);
    let ms: Vec<&Milestone> = j
        .milestones
        .iter()
        .filter(|m| {
            matches!(
                m.kind,
                Kind::HaCleanupStarted | Kind::HaCleanupFinished | Kind::HaCleanupFailed
            )
        })
        .collect();
    // The globally terminal state the cleanup follows (of the job's last life, else of an
    // earlier one).
    let after = |ts| {
        j.terminal
            .as_ref()
            .filter(|(_, t)| *t <= ts)
            .map(|(s, t)| (s.as_str(), *t))
            .or_else(|| {
                j.states
                    .iter()
                    .rev()
                    .find(|s| s.ts <= ts && is_globally_terminal(&s.state))
                    .map(|s| (s.state.as_str(), s.ts))
            })
            .map(|(s, t)| format!(" ({} after {s})", units::duration_ms(units::between(t, ts))))
            .unwrap_or_default()
    };
    if ms.is_empty() {
        // No milestones (an analysis built elsewhere): the cleanup instant alone.
        if let Some(ts) = j.cleanup_ts {
            out.push(Entry {
                ts,
                rank: 6,
                who,
                what: format!("HA data cleaned up{}", after(ts)),
                tone: Tone::Good,
                failover: None,
            });
        }
        return;
    }
    // A part failing within a second of `ts`: the cleanup is not done although one part is.
    let fails_soon = |ts| {
        ms.iter().any(|f| {
            f.kind == Kind::HaCleanupFailed && f.ts >= ts && units::between(ts, f.ts) <= 1_000
        })
    };
    let mut failed_before = false;
    let mut k = 0;
    while let Some(m) = ms.get(k) {
        k += 1;
        let (what, tone) = match m.kind {
            Kind::HaCleanupStarted => match ms.get(k) {
                Some(n)
                    if n.kind == Kind::HaCleanupFinished
                        && units::between(m.ts, n.ts) <= 1_000
                        && !fails_soon(m.ts) =>
                {
                    k += 1;
                    (format!("HA data cleaned up{}", after(m.ts)), Tone::Good)
                }
                _ => (format!("HA cleanup began{}", after(m.ts)), Tone::Warn),
            },
            Kind::HaCleanupFailed => {
                failed_before = true;
                continue; // told by `milestone_entries`
            }
            _ if fails_soon(m.ts) => continue,
            _ => {
                let mut what = if m.detail.as_deref() == Some("all") {
                    "HA data cleaned up with the whole cluster's".to_string()
                } else {
                    "HA cleanup finished".to_string()
                };
                if std::mem::take(&mut failed_before) {
                    what.push_str(": a retry finished what had failed");
                }
                (what, Tone::Good)
            }
        };
        out.push(Entry {
            ts: m.ts,
            rank: 6,
            who: who.clone(),
            what,
            tone,
            failover: None,
        });
    }
    if !j.cleanup_failed.is_empty() {
        if let Some(last) = ms.last() {
            out.push(Entry {
                ts: last.ts,
                rank: 8,
                who,
                what: format!(
                    "no retry finished the cleanup of {}: that HA data stays in the HA store",
                    j.cleanup_failed.join(", ")
                ),
                tone: Tone::Bad,
                failover: None,
            });
        }
    }
}

/// The job's HA cleanup in a few words, for job summaries: `HA data cleaned up at …`, or that
/// it failed or did not finish.
pub(crate) fn cleanup_summary(j: &JobReport, clock: Clock) -> String {
    let at = j.cleanup_ts.map(|t| clock.at(t)).unwrap_or_default();
    if !j.cleanup_failed.is_empty() {
        format!(
            "HA cleanup began at {at}, FAILED ({}) and no retry finished it",
            j.cleanup_failed.join(", ")
        )
    } else if j.cleanup_finished_ts.is_none() {
        format!("HA cleanup began at {at}, its end is not in the logs")
    } else {
        format!("HA data cleaned up at {at}")
    }
}

/// `JobManager started (…)` details for an application-mode JobManager.
pub(crate) fn mode_text(inc: &Incarnation) -> &'static str {
    if inc.application {
        "; application mode: it runs the job's main()"
    } else {
        ""
    }
}

/// How an application-mode JobManager's stop reads: the cluster ending for good after its
/// application ended, which is no failover.
pub(crate) fn application_stop_text(inc: &Incarnation) -> Option<String> {
    inc.application_status.as_ref().map(|s| {
        format!("application ended {s}: the cluster shuts itself down for good (no failover)")
    })
}
