//! The part of `kubectl get pods -o json` that flinkha reads: each pod's name, uid,
//! containers and their statuses (restart count, current and last state).
//!
//! Field names follow the Kubernetes API (`v1.PodList`); everything is optional with a
//! default, so documents of any Kubernetes version (and fields added later) are read.

use serde::Deserialize;

/// `kind: List` (or `PodList`) of pods.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct PodList {
    /// The pods.
    #[serde(default)]
    pub items: Vec<Pod>,
}

/// One pod.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Pod {
    /// Name and identity.
    #[serde(default)]
    pub metadata: Metadata,
    /// The containers the pod runs.
    #[serde(default)]
    pub spec: Spec,
    /// What the kubelet reports.
    #[serde(default)]
    pub status: Status,
}

/// `metadata`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// Pod name.
    #[serde(default)]
    pub name: String,
    /// Unique per pod object: a replacement pod with a recycled name has a new uid.
    #[serde(default)]
    pub uid: String,
    /// RFC 3339 creation instant, for a stable order.
    #[serde(default)]
    pub creation_timestamp: Option<String>,
}

/// `spec`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Spec {
    /// The regular containers (init containers are not JobManagers).
    #[serde(default)]
    pub containers: Vec<ContainerSpec>,
}

/// One container of `spec.containers`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct ContainerSpec {
    /// Container name.
    #[serde(default)]
    pub name: String,
}

/// `status`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    #[serde(default)]
    pub phase: String,
    /// Why the pod is in its phase (`Evicted`, …), when the kubelet says.
    #[serde(default)]
    pub reason: Option<String>,
    /// One per container that the kubelet knows of.
    #[serde(default)]
    pub container_statuses: Vec<ContainerStatus>,
}

/// One entry of `status.containerStatuses`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    /// Container name.
    #[serde(default)]
    pub name: String,
    /// How often the container was restarted: the current instance is number
    /// `restart_count` (from 0), the previous one `restart_count - 1`.
    #[serde(default)]
    pub restart_count: u32,
    /// The current instance.
    #[serde(default)]
    pub state: ContainerState,
    /// The previous instance, while the kubelet keeps it.
    #[serde(default)]
    pub last_state: ContainerState,
}

/// `state` / `lastState`: at most one of the three is set.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct ContainerState {
    /// The instance runs.
    #[serde(default)]
    pub running: Option<serde_json::Value>,
    /// The instance ended.
    #[serde(default)]
    pub terminated: Option<Terminated>,
    /// The instance has not started (yet, or again).
    #[serde(default)]
    pub waiting: Option<Waiting>,
}

impl ContainerState {
    /// Whether the instance has written a log that `kubectl logs` can read: it runs or ran.
    pub fn has_log(&self) -> bool {
        self.running.is_some() || self.terminated.is_some()
    }
}

/// `terminated`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Terminated {
    /// Exit code (137: killed).
    #[serde(default)]
    pub exit_code: i64,
    /// `Error`, `OOMKilled`, `Completed`, …
    #[serde(default)]
    pub reason: Option<String>,
}

/// `waiting`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Waiting {
    /// `ContainerCreating`, `CrashLoopBackOff`, `ImagePullBackOff`, …
    #[serde(default)]
    pub reason: Option<String>,
}

impl Pod {
    /// The status of container `name`, if the kubelet reported one.
    pub fn container_status(&self, name: &str) -> Option<&ContainerStatus> {
        self.status
            .container_statuses
            .iter()
            .find(|c| c.name == name)
    }

    /// The container names, in spec order (status order when the spec lists none).
    pub fn container_names(&self) -> Vec<&str> {
        if self.spec.containers.is_empty() {
            self.status
                .container_statuses
                .iter()
                .map(|c| c.name.as_str())
                .collect()
        } else {
            self.spec
                .containers
                .iter()
                .map(|c| c.name.as_str())
                .collect()
        }
    }

    /// The pod's identity across polls: its uid, or its name when the document has none.
    pub fn identity(&self) -> &str {
        if self.metadata.uid.is_empty() {
            &self.metadata.name
        } else {
            &self.metadata.uid
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_real_shaped_pod_list() {
        let doc = r#"{
          "apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
          "items": [{
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "ha-jm-7f9d-x2x9z", "namespace": "flink", "uid": "1b2c",
                         "creationTimestamp": "2026-12-01T08:23:10Z",
                         "labels": {"app": "ha", "component": "jobmanager", "type": "flink-native-kubernetes"}},
            "spec": {"containers": [{"name": "flink-main-container", "image": "flink:1.20.5"}]},
            "status": {"phase": "Running", "containerStatuses": [{
              "name": "flink-main-container", "ready": true, "restartCount": 1,
              "state": {"running": {"startedAt": "2026-12-01T08:23:59Z"}},
              "lastState": {"terminated": {"exitCode": 137, "reason": "Error",
                            "startedAt": "2026-12-01T08:23:11Z", "finishedAt": "2026-12-01T08:23:52Z"}}
            }]}
          }]
        }"#;
        let list: PodList = serde_json::from_str(doc).unwrap();
        let pod = &list.items[0];
        assert_eq!(pod.metadata.name, "ha-jm-7f9d-x2x9z");
        assert_eq!(pod.identity(), "1b2c");
        assert_eq!(pod.container_names(), ["flink-main-container"]);
        let c = pod.container_status("flink-main-container").unwrap();
        assert_eq!(c.restart_count, 1);
        assert!(c.state.has_log());
        assert_eq!(c.last_state.terminated.as_ref().unwrap().exit_code, 137);
    }

    #[test]
    fn missing_fields_default() {
        let list: PodList = serde_json::from_str(
            r#"{"items": [{"metadata": {"name": "p"}, "status": {"phase": "Pending"}}]}"#,
        )
        .unwrap();
        let pod = &list.items[0];
        assert_eq!(pod.identity(), "p");
        assert!(pod.container_names().is_empty());
        assert!(!ContainerState::default().has_log());
    }
}
