//! Why each failover happened: a [`Cause`] (kind, one sentence, evidence lines) drawn from what
//! the model kept of the old leader's (or the job's) last moments.
//!
//! A leader failover is explained by how the old term ended: the process stopped (signal,
//! fatal error with its exception, out of memory), its log ends without shutdown (killed), or
//! its leadership was revoked, and then by what came just before the revocation (a ZooKeeper
//! connection SUSPENDED / LOST, a Kubernetes lease released or an API error). A job restart is
//! explained by the failed task's exception, a lost TaskManager, or the job's own failure
//! (checkpoint failures over the tolerable count, restarts exhausted). When TaskManager or
//! ZooKeeper logs are in the input, their own last lines join the evidence. When nothing
//! explains a failover, the cause is `unknown` and says what is missing.

use super::evidence;
use super::model::{Cause, CauseKind, Evidence, TermEnd};
use super::state::{IncState, Model};
use crate::events::{role, Event, Kind};
use chrono::{DateTime, Duration, Utc};

/// How long before a revocation or restart its trigger may have been logged.
const BEFORE: i64 = 60;

/// Marks where a JobManager's label goes in a cause's sentence: the final labels are only
/// known when the analysis is built (two hosts' logs of one name get their directories), so
/// [`resolve_labels`] puts them in then.
const LABEL_MARK: char = '\u{1}';

/// The placeholder of incarnation `inc`'s label.
fn label_ref(inc: usize) -> String {
    format!("{LABEL_MARK}{inc}{LABEL_MARK}")
}

/// Replace the label placeholders of `text` by the incarnations' final labels.
pub(crate) fn resolve_labels(text: &str, labels: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut parts = text.split(LABEL_MARK);
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let mut inside = true;
    for p in parts {
        if inside {
            match p.parse::<usize>().ok().and_then(|i| labels.get(i)) {
                Some(l) => out.push_str(l),
                None => out.push_str(p),
            }
        } else {
            out.push_str(p);
        }
        inside = !inside;
    }
    out
}

fn cause(kind: CauseKind, text: String, evidence: Vec<Evidence>) -> Cause {
    Cause {
        kind,
        text,
        evidence,
    }
}

/// The kind an exception's first line points at, if it is telling.
fn exception_kind(exception: &str) -> Option<CauseKind> {
    if exception.contains("OutOfMemoryError") {
        Some(CauseKind::OutOfMemory)
    } else if exception.contains("Exceeded checkpoint tolerable failure threshold") {
        Some(CauseKind::CheckpointFailures)
    } else if exception.contains("Recovery is suppressed") {
        Some(CauseKind::RestartsExhausted)
    } else if exception.contains("is no longer reachable")
        || exception.contains("Heartbeat of TaskManager")
        || exception.contains("heartbeat of TaskManager")
    {
        Some(CauseKind::TaskmanagerLost)
    } else {
        None
    }
}

/// Recent events of an incarnation in `[from, to]`, newest first.
fn recent_between(
    inc: &IncState,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> impl Iterator<Item = &Event> {
    inc.recent
        .iter()
        .rev()
        .filter(move |e| e.ts >= from && e.ts <= to)
}

/// The cause of a leader failover from term `old` to the grant `grant`.
pub(crate) fn leader_cause(m: &Model, old: usize, grant: &Event) -> Cause {
    let Some(t) = m.terms.get(old) else {
        return cause(
            CauseKind::Unknown,
            "unknown: the old leadership term is not in the logs".to_string(),
            vec![evidence(grant)],
        );
    };
    let Some(inc) = m.incs.get(t.term.incarnation) else {
        return cause(
            CauseKind::Unknown,
            "unknown: the old leader's process is not in the logs".to_string(),
            vec![evidence(grant)],
        );
    };
    let label = &label_ref(inc.info.id);
    let end_ts = t.term.to.unwrap_or(grant.ts);
    match t.term.end {
        TermEnd::ProcessStopped => stop_cause(m, inc),
        TermEnd::LogEnded | TermEnd::Open if !inc.open && inc.stopping.is_none() => {
            let ev: Vec<Evidence> = t.end_ev.iter().cloned().collect();
            cause(
                CauseKind::JobmanagerKilled,
                format!(
                    "JobManager {label} killed: its log ends without shutdown lines (kill -9, \
                     OOM kill, node or pod loss)"
                ),
                ev,
            )
        }
        TermEnd::Revoked | TermEnd::Superseded => revoke_cause(m, inc, t.term.from, end_ts, t),
        TermEnd::LogEnded | TermEnd::Open => cause(
            CauseKind::Unknown,
            format!(
                "unknown: {label} still held leadership (no revocation, stop or end of its log) \
                 when another JobManager was granted it: two leaders?"
            ),
            vec![t.grant.clone(), evidence(grant)],
        ),
    }
}

/// A leader's leadership was revoked (or re-granted under a new session): what came before.
fn revoke_cause(
    m: &Model,
    inc: &IncState,
    from: DateTime<Utc>,
    end_ts: DateTime<Utc>,
    t: &super::state::TermState,
) -> Cause {
    let label = &label_ref(inc.info.id);
    let end_line: Vec<Evidence> = t.end_ev.iter().cloned().collect();
    let lo = (end_ts - Duration::seconds(BEFORE)).max(from);
    let hi = end_ts + Duration::seconds(1);
    let what = if t.term.end == TermEnd::Superseded {
        "was re-elected under a new leader session"
    } else {
        "lost its leadership"
    };
    for e in recent_between(inc, lo, hi) {
        match e.kind {
            Kind::HaConnection
                if matches!(e.fields.state.as_deref(), Some("SUSPENDED" | "LOST")) =>
            {
                // The first SUSPENDED of this outage, not the LOST that followed it.
                let first = recent_between(inc, lo, hi)
                    .filter(|x| {
                        x.kind == Kind::HaConnection
                            && matches!(x.fields.state.as_deref(), Some("SUSPENDED" | "LOST"))
                    })
                    .last()
                    .unwrap_or(e);
                let state = first.fields.state.as_deref().unwrap_or("SUSPENDED");
                let mut ev = vec![evidence(first)];
                ev.extend(end_line.iter().cloned());
                let mut text = format!("ZooKeeper connection {state}: {label} {what}");
                if let Some((zk_text, zk_ev)) = zookeeper_side(m, first.ts) {
                    text.push_str("; ");
                    text.push_str(&zk_text);
                    ev.extend(zk_ev);
                }
                return cause(CauseKind::ZookeeperConnection, text, ev);
            }
            Kind::HaError if is_lease_error(e) => {
                let mut ev = vec![evidence(e)];
                ev.extend(end_line.iter().cloned());
                return cause(
                    CauseKind::KubernetesLease,
                    format!(
                        "Kubernetes leader lease lost ({}): {label} {what}",
                        e.fields.reason.as_deref().unwrap_or("HA error")
                    ),
                    ev,
                );
            }
            Kind::LeaderElected if lease_left(inc, e) => {
                let mut ev = vec![evidence(e)];
                ev.extend(end_line.iter().cloned());
                let holder = e.fields.identity.as_deref().unwrap_or("").trim();
                let how = if holder.is_empty() || holder == "null" {
                    "its lease was released (not renewed in time)".to_string()
                } else {
                    format!("the lease went to {holder}")
                };
                return cause(
                    CauseKind::KubernetesLease,
                    format!("Kubernetes leader lease lost, {how}: {label} {what}"),
                    ev,
                );
            }
            _ => {}
        }
    }
    cause(
        CauseKind::LeadershipRevoked,
        format!(
            "{label} {what} with no reason in the logs (no HA connection change, lease or HA \
             error before it)"
        ),
        end_line,
    )
}

/// Whether an HA error is about the Kubernetes leader lease.
fn is_lease_error(e: &Event) -> bool {
    e.fields
        .reason
        .as_deref()
        .is_some_and(|r| r.contains("lock"))
}

/// Whether a `leader_elected` line says this process no longer holds the lease.
fn lease_left(inc: &IncState, e: &Event) -> bool {
    let holder = e.fields.identity.as_deref().unwrap_or("").trim();
    match inc.info.identity.as_deref() {
        Some(me) => holder != me,
        None => holder.is_empty() || holder == "null",
    }
}

/// What the ZooKeeper servers' own logs say around `ts`: a server whose log ends (or that
/// stopped) shortly before the client saw the connection go.
fn zookeeper_side(m: &Model, ts: DateTime<Utc>) -> Option<(String, Vec<Evidence>)> {
    let lo = ts - Duration::seconds(30);
    let hi = ts + Duration::seconds(1);
    for o in m.others.iter().filter(|o| o.info.role == role::ZOOKEEPER) {
        if let Some(stop) = o.stop.as_ref().filter(|s| s.ts >= lo && s.ts <= hi) {
            return Some((
                format!(
                    "the ZooKeeper server {} stopped ({})",
                    o.info.label,
                    stop.fields.reason.as_deref().unwrap_or("shutdown")
                ),
                vec![evidence(stop)],
            ));
        }
        if let Some(end) = o.ended.as_ref().filter(|e| e.ts >= lo && e.ts <= hi) {
            return Some((
                format!(
                    "the ZooKeeper server {}'s log ends just before without shutdown (killed?)",
                    o.info.label
                ),
                vec![evidence(end)],
            ));
        }
    }
    None
}

/// The cause of a leader failover whose old leader's process stopped.
fn stop_cause(m: &Model, inc: &IncState) -> Cause {
    let label = &label_ref(inc.info.id);
    let Some(stop) = inc.stop_event.as_ref() else {
        return cause(
            CauseKind::OrderlyStop,
            format!("JobManager {label} stopped"),
            inc.stopping.iter().cloned().collect(),
        );
    };
    let reason = stop.fields.reason.as_deref().unwrap_or("");
    let mut ev = vec![evidence(stop)];
    // What the process saw just before it stopped.
    let lo = stop.ts - Duration::seconds(BEFORE);
    let ha = recent_between(inc, lo, stop.ts).find(|e| {
        e.kind == Kind::HaConnection
            && matches!(e.fields.state.as_deref(), Some("SUSPENDED" | "LOST"))
    });
    match reason {
        "fatal error" | "start failed" => {
            let (kind, what) = match stop.fields.exception.as_deref() {
                Some(x) => (
                    exception_kind(x)
                        .filter(|k| *k == CauseKind::OutOfMemory)
                        .unwrap_or(CauseKind::FatalError),
                    x.to_string(),
                ),
                None => (
                    CauseKind::FatalError,
                    "the exception is not in the logs".to_string(),
                ),
            };
            let mut text = format!(
                "{} of JobManager {label}: {what}",
                if reason == "start failed" {
                    "start failure"
                } else {
                    "fatal error"
                }
            );
            if let Some(h) = ha {
                text.push_str(&format!(
                    " (after the ZooKeeper connection was {})",
                    h.fields.state.as_deref().unwrap_or("lost")
                ));
                ev.insert(0, evidence(h));
            }
            cause(kind, text, ev)
        }
        "shutdown" | "terminating" => {
            let status = stop
                .fields
                .state
                .as_deref()
                .map(|s| format!(" with application status {s}"))
                .unwrap_or_default();
            match ha {
                Some(h) => {
                    ev.insert(0, evidence(h));
                    let mut text = format!(
                        "ZooKeeper connection {}: JobManager {label} shut down{status}",
                        h.fields.state.as_deref().unwrap_or("SUSPENDED")
                    );
                    if let Some((zk_text, zk_ev)) = zookeeper_side(m, h.ts) {
                        text.push_str("; ");
                        text.push_str(&zk_text);
                        ev.extend(zk_ev);
                    }
                    cause(CauseKind::ZookeeperConnection, text, ev)
                }
                None => cause(
                    CauseKind::OrderlyStop,
                    format!("JobManager {label} shut down{status}"),
                    ev,
                ),
            }
        }
        signal => cause(
            CauseKind::OrderlyStop,
            format!(
                "JobManager {label} stopped by {} (orderly shutdown)",
                if signal.is_empty() {
                    "a signal"
                } else {
                    signal
                }
            ),
            ev,
        ),
    }
}

/// The cause of a job restart within one leadership term, at the job state change `ev`.
pub(crate) fn restart_cause(m: &Model, inc: usize, job: &str, ev: &Event) -> Cause {
    let Some(i) = m.incs.get(inc) else {
        return cause(
            CauseKind::Unknown,
            "unknown: the JobManager is not in the logs".to_string(),
            vec![evidence(ev)],
        );
    };
    let lo = ev.ts - Duration::seconds(BEFORE);
    // A global failure carries its exception on the job's own state change.
    if let Some(x) = ev.fields.exception.as_deref() {
        let kind = exception_kind(x).unwrap_or(CauseKind::JobFailure);
        return with_taskmanager(
            m,
            i,
            lo,
            ev,
            cause(
                kind,
                format!("job {} failed: {x}", super::short(job)),
                vec![evidence(ev)],
            ),
        );
    }
    // The first task (or global) failure just before the restart.
    let failed = recent_between(i, ev.ts - Duration::seconds(30), ev.ts)
        .filter(|e| e.kind == Kind::JobFailure)
        .last();
    if let Some(f) = failed {
        let on = f
            .fields
            .resource
            .as_deref()
            .map(|r| format!(" on {r}"))
            .unwrap_or_default();
        let (kind, what) = match f.fields.exception.as_deref() {
            Some(x) => (
                exception_kind(x).unwrap_or(CauseKind::JobFailure),
                x.to_string(),
            ),
            None => (
                CauseKind::JobFailure,
                "the exception is not in the logs".to_string(),
            ),
        };
        let lost = recent_tm_loss(i, lo, ev.ts, f.fields.resource.as_deref());
        let kind = if lost.is_some() && kind == CauseKind::JobFailure {
            CauseKind::TaskmanagerLost
        } else {
            kind
        };
        let mut evs = Vec::new();
        if let Some(l) = lost {
            evs.push(evidence(l));
        }
        evs.push(evidence(f));
        let what = if f.fields.reason.as_deref() == Some("global failure") {
            format!("the job failed as a whole (global failure): {what}")
        } else if let Some(l) = lost {
            let r = l.fields.resource.as_deref().unwrap_or("?");
            let why = l.fields.reason.as_deref().unwrap_or("lost");
            match f.fields.exception.as_deref() {
                Some(x) if exception_kind(x) != Some(CauseKind::TaskmanagerLost) => {
                    format!("TaskManager {r} lost ({why}); a task failed on it: {x}")
                }
                _ => format!("TaskManager {r} lost ({why}); a task failed on it"),
            }
        } else {
            format!("a task failed{on}: {what}")
        };
        let c = cause(kind, what, evs);
        return with_taskmanager(m, i, lo, ev, c);
    }
    if let Some(l) = recent_tm_loss(i, lo, ev.ts + Duration::seconds(5), None) {
        let r = l.fields.resource.as_deref().unwrap_or("?");
        let why = l.fields.reason.as_deref().unwrap_or("lost");
        let c = cause(
            CauseKind::TaskmanagerLost,
            format!("TaskManager {r} lost: {why}"),
            vec![evidence(l)],
        );
        return with_taskmanager(m, i, lo, ev, c);
    }
    let failures: Vec<&Event> = recent_between(i, lo, ev.ts)
        .filter(|e| e.kind == Kind::CheckpointFailed)
        .collect();
    if let Some(last) = failures.first() {
        return cause(
            CauseKind::CheckpointFailures,
            format!(
                "{} failed checkpoint attempt(s) in the minute before the restart (the failure's \
                 exception is not in the logs)",
                failures.len()
            ),
            vec![evidence(last), evidence(ev)],
        );
    }
    cause(
        CauseKind::Unknown,
        "unknown: no task failure, TaskManager loss or job exception is logged before the restart"
            .to_string(),
        vec![evidence(ev)],
    )
}

/// The latest TaskManager loss of incarnation `i` in `[lo, hi]` (of `resource`, when given).
fn recent_tm_loss<'a>(
    i: &'a IncState,
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
    resource: Option<&str>,
) -> Option<&'a Event> {
    recent_between(i, lo, hi).find(|e| {
        e.kind == Kind::TaskmanagerLost
            && resource.map_or(true, |r| e.fields.resource.as_deref() == Some(r))
    })
}

/// Add what the lost TaskManager's own log says (its stop line or its last line) when the
/// cause names one and its log is in the input.
fn with_taskmanager(m: &Model, i: &IncState, lo: DateTime<Utc>, ev: &Event, mut c: Cause) -> Cause {
    let resource = recent_between(i, lo, ev.ts + Duration::seconds(5)).find_map(|e| match e.kind {
        Kind::TaskmanagerLost | Kind::JobFailure => e.fields.resource.clone(),
        _ => None,
    });
    let Some(resource) = resource else {
        return c;
    };
    let Some(tm) = m
        .tm_by_resource
        .get(&resource)
        .and_then(|&k| m.others.get(k))
    else {
        return c;
    };
    if let Some(stop) = tm.stop.as_ref().filter(|s| s.ts <= ev.ts) {
        let why = stop.fields.reason.as_deref().unwrap_or("stop");
        let exception = stop
            .fields
            .exception
            .as_deref()
            .map(|x| format!(": {x}"))
            .unwrap_or_default();
        if stop
            .fields
            .exception
            .as_deref()
            .is_some_and(|x| x.contains("OutOfMemoryError"))
        {
            c.kind = CauseKind::OutOfMemory;
        } else if c.kind == CauseKind::JobFailure {
            c.kind = CauseKind::TaskmanagerLost;
        }
        c.text.push_str(&format!(
            "; the TaskManager's own log ({}) shows {why}{exception}",
            tm.info.label
        ));
        c.evidence.push(evidence(stop));
    } else if let Some(end) = tm.ended.as_ref().filter(|e| e.ts <= ev.ts) {
        if c.kind == CauseKind::JobFailure {
            c.kind = CauseKind::TaskmanagerLost;
        }
        c.text.push_str(&format!(
            "; the TaskManager's own log ({}) ends without shutdown (killed?)",
            tm.info.label
        ));
        c.evidence.push(evidence(end));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_name_their_kind() {
        assert_eq!(
            exception_kind("java.lang.OutOfMemoryError: Java heap space"),
            Some(CauseKind::OutOfMemory)
        );
        assert_eq!(
            exception_kind(
                "org.apache.flink.util.FlinkRuntimeException: Exceeded checkpoint tolerable failure threshold."
            ),
            Some(CauseKind::CheckpointFailures)
        );
        assert_eq!(
            exception_kind("org.apache.flink.runtime.JobException: Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=3, backoffTimeMS=1000)"),
            Some(CauseKind::RestartsExhausted)
        );
        assert_eq!(
            exception_kind("org.apache.flink.runtime.jobmaster.JobMasterException: TaskManager with id localhost:38583-de3143 is no longer reachable."),
            Some(CauseKind::TaskmanagerLost)
        );
        assert_eq!(exception_kind("java.lang.RuntimeException: boom"), None);
    }

    #[test]
    fn label_placeholders_become_the_final_labels() {
        let labels = vec!["jm-a/standalonesession-0".to_string(), "b".to_string()];
        let text = format!("JobManager {} killed; {} too", label_ref(0), label_ref(1));
        assert_eq!(
            resolve_labels(&text, &labels),
            "JobManager jm-a/standalonesession-0 killed; b too"
        );
        assert_eq!(resolve_labels("no marks", &labels), "no marks");
        assert_eq!(resolve_labels(&label_ref(7), &labels), "7");
    }
}
