//! Which logs to read: every container instance of the JobManager pods whose log kubectl can
//! still give, each once, across the polls of a followed cluster.
//!
//! A container's instances are numbered by the restart count at which they ran: the current
//! one is `restartCount`, `kubectl logs --previous` gives `restartCount - 1`, and older ones
//! are gone (the kubelet keeps one terminated instance). [`Tracker`] remembers per pod
//! (by uid, so a replacement pod with a recycled name is new) and container the next
//! instance not read yet, so that a restart seen at the next poll is read from its first line
//! and nothing is read twice.

use super::pods::{Pod, PodList};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// One log to read: one instance of one container of one pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogStream {
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// Instance number: the restart count at which it ran, from 0.
    pub instance: u32,
    /// Read with `--previous`: the instance before the current one.
    pub previous: bool,
    /// Keep reading while it grows (`kubectl logs -f`): the current instance, when following.
    pub follow: bool,
    /// The source name in events and reports: `POD#N`, or `POD/CONTAINER#N` in a pod with
    /// several containers.
    pub name: String,
}

/// Something worth telling the user about the logs read or not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Instances `from..=to` of a container restarted more often than kubectl keeps logs of.
    Lost {
        /// Pod name.
        pod: String,
        /// Container name.
        container: String,
        /// First lost instance.
        from: u32,
        /// Last lost instance.
        to: u32,
    },
    /// The container restarted, but the kubelet no longer has the previous instance.
    NoPrevious {
        /// Pod name.
        pod: String,
        /// Container name.
        container: String,
        /// The instance that is gone.
        instance: u32,
    },
    /// The container has not started: it has no log (yet).
    Waiting {
        /// Pod name.
        pod: String,
        /// Container name.
        container: String,
        /// The kubelet's reason (`ContainerCreating`, `CrashLoopBackOff`, …).
        reason: String,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::Lost {
                pod,
                container,
                from,
                to,
            } => {
                let which = if from == to {
                    format!("instance {from}")
                } else {
                    format!("instances {from} to {to}")
                };
                write!(
                    f,
                    "pod {pod} container {container}: the log of {which} is gone (the kubelet keeps \
                     only the last terminated instance); the story misses that part"
                )
            }
            Notice::NoPrevious {
                pod,
                container,
                instance,
            } => write!(
                f,
                "pod {pod} container {container} restarted, but the kubelet no longer has the log \
                 of instance {instance} (kubectl logs --previous); the story misses that part"
            ),
            Notice::Waiting {
                pod,
                container,
                reason,
            } => write!(
                f,
                "pod {pod} container {container} has no log: it is waiting to start ({reason})"
            ),
        }
    }
}

/// The logs to start reading after one look at the pods.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Logs to read, in pod order (oldest pod first), previous instance before current.
    pub streams: Vec<LogStream>,
    /// What could not be read, or only in part.
    pub notices: Vec<Notice>,
    /// Containers with no log at all (never started): an error when not following.
    pub missing: Vec<Notice>,
}

/// What has been read of each container so far.
#[derive(Debug, Default)]
pub struct Tracker {
    /// (pod uid, container) → the next instance not started yet.
    next: HashMap<(String, String), u32>,
    /// (pod uid, container, restart count) already reported as waiting.
    waiting: HashSet<(String, String, u32)>,
}

impl Tracker {
    /// The logs to start now, given the current pods. `containers` limits the containers
    /// read (empty: all). With `follow`, the current instance of each container is read with
    /// `-f`, and a container still waiting to start is noted once (not missing: it is read
    /// when it starts).
    pub fn plan(&mut self, pods: &PodList, containers: &[String], follow: bool) -> Plan {
        let mut plan = Plan::default();
        let mut sorted: Vec<&Pod> = pods.items.iter().collect();
        sorted.sort_by(|a, b| {
            (&a.metadata.creation_timestamp, &a.metadata.name)
                .cmp(&(&b.metadata.creation_timestamp, &b.metadata.name))
        });
        for pod in sorted {
            let names = pod.container_names();
            let several = names.len() > 1;
            for container in names {
                if !containers.is_empty() && !containers.iter().any(|c| c == container) {
                    continue;
                }
                self.container(pod, container, several, follow, &mut plan);
            }
        }
        plan
    }

    fn container(
        &mut self,
        pod: &Pod,
        container: &str,
        several: bool,
        follow: bool,
        plan: &mut Plan,
    ) {
        let name = &pod.metadata.name;
        let stream = |instance: u32, previous: bool, follow: bool| LogStream {
            pod: name.clone(),
            container: container.to_string(),
            instance,
            previous,
            follow,
            name: if several {
                format!("{name}/{container}#{instance}")
            } else {
                format!("{name}#{instance}")
            },
        };
        let key = (pod.identity().to_string(), container.to_string());
        let next = self.next.get(&key).copied().unwrap_or(0);
        let waiting_reason = |reason: Option<&str>| reason.unwrap_or("no status yet").to_string();
        let Some(status) = pod.container_status(container) else {
            let notice = Notice::Waiting {
                pod: name.clone(),
                container: container.to_string(),
                reason: waiting_reason(Some(pod.status.phase.as_str()).filter(|p| !p.is_empty())),
            };
            self.note_waiting(&key, 0, notice, next == 0, follow, plan);
            return;
        };
        let current = status.restart_count;
        let mut read_any = next > 0;
        // Instances before the current one that have not been read: only the last is kept.
        if next < current {
            if next + 1 < current {
                plan.notices.push(Notice::Lost {
                    pod: name.clone(),
                    container: container.to_string(),
                    from: next,
                    to: current - 2,
                });
            }
            if status.last_state.terminated.is_some() {
                plan.streams.push(stream(current - 1, true, false));
                read_any = true;
            } else {
                plan.notices.push(Notice::NoPrevious {
                    pod: name.clone(),
                    container: container.to_string(),
                    instance: current - 1,
                });
            }
        }
        let mut next_after = next.max(current);
        if next <= current && status.state.has_log() {
            plan.streams.push(stream(current, false, follow));
            next_after = current + 1;
        } else if next <= current {
            let reason = waiting_reason(
                status
                    .state
                    .waiting
                    .as_ref()
                    .and_then(|w| w.reason.as_deref()),
            );
            let notice = Notice::Waiting {
                pod: name.clone(),
                container: container.to_string(),
                reason,
            };
            self.note_waiting(&key, current, notice, !read_any, follow, plan);
        }
        self.next.insert(key, next_after);
    }

    /// A container instance that has not started: missing (when nothing of the container
    /// was read and not following), else a notice, once per instance.
    fn note_waiting(
        &mut self,
        key: &(String, String),
        instance: u32,
        notice: Notice,
        nothing_read: bool,
        follow: bool,
        plan: &mut Plan,
    ) {
        if !follow && nothing_read {
            plan.missing.push(notice);
        } else if self
            .waiting
            .insert((key.0.clone(), key.1.clone(), instance))
        {
            plan.notices.push(notice);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods(doc: serde_json::Value) -> PodList {
        serde_json::from_value(doc).unwrap()
    }

    fn pod(
        name: &str,
        uid: &str,
        restarts: u32,
        state: serde_json::Value,
        last: serde_json::Value,
    ) -> serde_json::Value {
        serde_json::json!({
            "metadata": {"name": name, "uid": uid, "creationTimestamp": "2026-12-01T08:00:00Z"},
            "spec": {"containers": [{"name": "flink-main-container"}]},
            "status": {"phase": "Running", "containerStatuses": [{
                "name": "flink-main-container", "restartCount": restarts,
                "state": state, "lastState": last}]}
        })
    }

    fn running() -> serde_json::Value {
        serde_json::json!({"running": {"startedAt": "2026-12-01T08:00:00Z"}})
    }

    fn killed() -> serde_json::Value {
        serde_json::json!({"terminated": {"exitCode": 137, "reason": "Error"}})
    }

    fn names(p: &Plan) -> Vec<(String, bool, bool)> {
        p.streams
            .iter()
            .map(|s| (s.name.clone(), s.previous, s.follow))
            .collect()
    }

    #[test]
    fn a_restarted_container_is_read_previous_then_current() {
        let list = pods(serde_json::json!({"items": [pod("jm", "u1", 1, running(), killed())]}));
        let p = Tracker::default().plan(&list, &[], false);
        assert_eq!(
            names(&p),
            [
                ("jm#0".to_string(), true, false),
                ("jm#1".to_string(), false, false)
            ]
        );
        assert_eq!(p.streams[0].instance, 0);
        assert!(p.notices.is_empty() && p.missing.is_empty());
    }

    #[test]
    fn following_reads_each_instance_once_from_its_first_line() {
        let mut t = Tracker::default();
        let first = pods(
            serde_json::json!({"items": [pod("jm", "u1", 0, running(), serde_json::json!({}))]}),
        );
        assert_eq!(
            names(&t.plan(&first, &[], true)),
            [("jm#0".to_string(), false, true)]
        );
        // Same state again: nothing new.
        assert!(t.plan(&first, &[], true).streams.is_empty());
        // Killed, waiting to be restarted: nothing to read, noted once.
        let waiting = serde_json::json!({"waiting": {"reason": "CrashLoopBackOff"}});
        let crashed = pods(serde_json::json!({"items": [pod("jm", "u1", 1, waiting, killed())]}));
        let p = t.plan(&crashed, &[], true);
        assert!(p.streams.is_empty(), "instance 0 was followed already");
        assert_eq!(p.notices.len(), 1);
        assert!(
            p.notices[0].to_string().contains("CrashLoopBackOff"),
            "{:?}",
            p.notices
        );
        assert!(t.plan(&crashed, &[], true).notices.is_empty());
        // Restarted: instance 1 from its first line.
        let restarted =
            pods(serde_json::json!({"items": [pod("jm", "u1", 1, running(), killed())]}));
        assert_eq!(
            names(&t.plan(&restarted, &[], true)),
            [("jm#1".to_string(), false, true)]
        );
        // Two restarts between polls: instance 2 is lost, 3 comes via --previous.
        let later = pods(serde_json::json!({"items": [pod("jm", "u1", 4, running(), killed())]}));
        let p = t.plan(&later, &[], true);
        assert_eq!(
            names(&p),
            [
                ("jm#3".to_string(), true, false),
                ("jm#4".to_string(), false, true)
            ]
        );
        assert_eq!(
            p.notices,
            [Notice::Lost {
                pod: "jm".into(),
                container: "flink-main-container".into(),
                from: 2,
                to: 2
            }]
        );
    }

    #[test]
    fn a_replacement_pod_is_new_even_with_the_same_name() {
        let mut t = Tracker::default();
        let a = pods(
            serde_json::json!({"items": [pod("jm-0", "u1", 0, running(), serde_json::json!({}))]}),
        );
        t.plan(&a, &[], true);
        let b = pods(
            serde_json::json!({"items": [pod("jm-0", "u2", 0, running(), serde_json::json!({}))]}),
        );
        assert_eq!(
            names(&t.plan(&b, &[], true)),
            [("jm-0#0".to_string(), false, true)]
        );
    }

    #[test]
    fn a_container_without_log_is_missing_unless_following() {
        let creating = serde_json::json!({"waiting": {"reason": "ContainerCreating"}});
        let list = pods(serde_json::json!({"items": [
            pod("jm-a", "u1", 0, running(), serde_json::json!({})),
            pod("jm-b", "u2", 0, creating, serde_json::json!({})),
        ]}));
        let p = Tracker::default().plan(&list, &[], false);
        assert_eq!(names(&p), [("jm-a#0".to_string(), false, false)]);
        assert_eq!(p.missing.len(), 1);
        assert_eq!(
            p.missing[0].to_string(),
            "pod jm-b container flink-main-container has no log: it is waiting to start (ContainerCreating)"
        );
        let p = Tracker::default().plan(&list, &[], true);
        assert!(p.missing.is_empty());
        assert_eq!(p.notices.len(), 1);
    }

    #[test]
    fn a_gone_previous_log_is_noted() {
        let list = pods(
            serde_json::json!({"items": [pod("jm", "u1", 1, running(), serde_json::json!({}))]}),
        );
        let p = Tracker::default().plan(&list, &[], false);
        assert_eq!(names(&p), [("jm#1".to_string(), false, false)]);
        assert!(matches!(
            p.notices[..],
            [Notice::NoPrevious { instance: 0, .. }]
        ));
    }

    #[test]
    fn several_containers_name_the_container_and_can_be_chosen() {
        let list = pods(serde_json::json!({"items": [{
            "metadata": {"name": "jm", "uid": "u"},
            "spec": {"containers": [{"name": "flink-main-container"}, {"name": "istio-proxy"}]},
            "status": {"containerStatuses": [
                {"name": "istio-proxy", "restartCount": 0, "state": {"running": {}}},
                {"name": "flink-main-container", "restartCount": 0, "state": {"running": {}}}
            ]}
        }]}));
        let p = Tracker::default().plan(&list, &[], false);
        assert_eq!(
            names(&p),
            [
                ("jm/flink-main-container#0".to_string(), false, false),
                ("jm/istio-proxy#0".to_string(), false, false)
            ]
        );
        let only = Tracker::default().plan(&list, &["flink-main-container".to_string()], false);
        assert_eq!(only.streams.len(), 1);
    }
}
