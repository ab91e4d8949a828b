//! Grafana Loki exports:
//!
//! * `logcli query --output=jsonl`, one entry per line:
//!   `{"labels":{"pod":"flink-jm-0",…},"line":"2024-05-06 10:15:31,112 INFO …","timestamp":"2024-05-06T12:15:31.112345678+02:00"}`
//! * the HTTP API's `query_range` response (read whole by [`super::document`]):
//!   `{"status":"success","data":{"resultType":"streams","result":[{"stream":{labels},"values":[["<epoch ns>","<line>"],…]}]}}`
//!
//! References: Loki documentation, "LogCLI" (`--output` `default|raw|jsonl`, `--forward`; the
//! default direction is backward, newest first) and logcli's `pkg/logcli/output/jsonl.go`
//! (keys `labels`, `line`, `timestamp`, the latter RFC 3339 in the `--timezone`, local by
//! default; labels common to every stream of the result are printed once on stderr and left
//! out of each line's); "Loki HTTP API", `GET /loki/api/v1/query_range` (streams with their
//! labels and `[timestamp in ns as text, line]` values, optionally a third element of
//! structured metadata; `direction` backward by default).
//!
//! The pod comes from the labels the usual agents set (`pod`, `pod_name`, `k8s_pod_name`,
//! …). Without one, a stream's remaining labels tell the sources apart (each stream is one
//! log), so they name the source.

use super::fields;
use super::wrapped::{Layout, Stream, Wrapped};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Label names of the pod, as Promtail / Grafana Agent / Alloy (`pod`), older configurations
/// (`pod_name`), OpenTelemetry (`k8s_pod_name`) and others set it.
const POD_LABELS: &[&str] = &["pod", "pod_name", "k8s_pod_name", "kubernetes_pod_name"];
/// Label names of the container.
const CONTAINER_LABELS: &[&str] = &[
    "container",
    "container_name",
    "k8s_container_name",
    "kubernetes_container_name",
];
/// Labels that split one log into several streams without naming another source.
const NOT_SOURCE_LABELS: &[&str] = &[
    "stream",
    "level",
    "detected_level",
    "logtag",
    "service_name",
    "flags",
];

/// A `logcli --output=jsonl` entry, or `None` when `v` is not one (`line` and `timestamp`
/// text).
pub fn from_jsonl(v: &Value) -> Option<Wrapped<'static>> {
    let obj = v.as_object()?;
    let line = obj.get("line")?.as_str()?;
    let ts = fields::rfc3339(obj.get("timestamp")?.as_str()?)?;
    let labels = obj.get("labels").and_then(Value::as_object);
    Some(entry(labels, ts, line))
}

/// One value of a `query_range` stream: `[ns, line, …]` with the stream's labels.
pub fn from_value_pair(
    labels: Option<&Map<String, Value>>,
    pair: &Value,
) -> Option<Wrapped<'static>> {
    let a = pair.as_array()?;
    let ts = fields::epoch_nanos_str(a.first()?.as_str()?)?;
    let line = a.get(1)?.as_str()?;
    Some(entry(labels, ts, line))
}

fn entry(
    labels: Option<&Map<String, Value>>,
    ts: chrono::DateTime<chrono::Utc>,
    line: &str,
) -> Wrapped<'static> {
    let text = line.strip_suffix('\n').unwrap_or(line);
    let mut w = Wrapped::new(Layout::Loki, Cow::Owned(text.to_string()));
    w.ts = Some(ts);
    if let Some(l) = labels {
        let get = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| l.get(*n).and_then(Value::as_str))
                .filter(|s| !s.is_empty())
        };
        w.stream = l
            .get("stream")
            .and_then(Value::as_str)
            .map(Stream::from_name)
            .unwrap_or_default();
        w.pod = match get(POD_LABELS) {
            Some(p) => Some(Cow::Owned(p.to_string())),
            None => source_from_labels(l).map(Cow::Owned),
        };
        w.container = get(CONTAINER_LABELS).map(|c| Cow::Owned(c.to_string()));
    }
    w
}

/// A source name from labels without a pod: `filename` if given (Promtail's file path),
/// else the labels that distinguish streams as `k=v,…` in name order.
fn source_from_labels(l: &Map<String, Value>) -> Option<String> {
    if let Some(f) = l.get("filename").and_then(Value::as_str) {
        return Some(f.to_string());
    }
    let mut parts: Vec<String> = l
        .iter()
        .filter(|(k, _)| !NOT_SOURCE_LABELS.contains(&k.as_str()))
        .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
        .collect();
    parts.sort();
    (!parts.is_empty()).then(|| parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jsonl_entries() {
        let v = json!({"labels":{"pod":"flink-jm-0","container":"flink-main-container","stream":"stderr"},"line":"2024-05-06 10:15:31,112 INFO a.B [] - m","timestamp":"2024-05-06T12:15:31.112345678+02:00"});
        let w = from_jsonl(&v).unwrap();
        assert_eq!(w.layout, Layout::Loki);
        assert_eq!(w.pod.as_deref(), Some("flink-jm-0"));
        assert_eq!(w.container.as_deref(), Some("flink-main-container"));
        assert_eq!(w.stream, Stream::Stderr);
        assert_eq!(
            w.ts.unwrap().to_rfc3339(),
            "2024-05-06T10:15:31.112345678+00:00"
        );
        // Common labels left out: the input's own source.
        let v = json!({"labels":{},"line":"x","timestamp":"2024-05-06T10:15:31Z"});
        assert_eq!(from_jsonl(&v).unwrap().pod, None);
        let v = json!({"line":"x","timestamp":"2024-05-06T10:15:31Z"});
        assert_eq!(from_jsonl(&v).unwrap().pod, None);
        assert!(from_jsonl(&json!({"line":"x","timestamp":5})).is_none());
        assert!(from_jsonl(&json!({"line":"x"})).is_none());
    }

    #[test]
    fn sources_without_a_pod_label() {
        let l = json!({"job":"flink","instance":"vm-1","stream":"stdout"});
        let v = json!({"labels":l,"line":"x","timestamp":"2024-05-06T10:15:31Z"});
        assert_eq!(
            from_jsonl(&v).unwrap().pod.as_deref(),
            Some("instance=vm-1,job=flink")
        );
        let l = json!({"filename":"/opt/flink/log/jm.log","job":"flink"});
        let w = from_value_pair(l.as_object(), &json!(["1715000000000000001", "x\n"])).unwrap();
        assert_eq!(w.pod.as_deref(), Some("/opt/flink/log/jm.log"));
        assert_eq!(w.text, "x");
        assert_eq!(w.ts.unwrap().timestamp_subsec_nanos(), 1);
        // Structured metadata as a third element is fine; a bad timestamp is not.
        assert!(from_value_pair(None, &json!(["1", "x", {"a":"b"}])).is_some());
        assert!(from_value_pair(None, &json!([1, "x"])).is_none());
        assert!(from_value_pair(None, &json!(["1"])).is_none());
    }
}
