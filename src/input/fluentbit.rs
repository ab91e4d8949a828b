//! Fluent Bit records of container logs, as its outputs write them (a file, Elasticsearch /
//! OpenSearch documents, CloudWatch messages):
//!
//! ```text
//! {"@timestamp":"…","log":"2024-05-06 10:15:31,112 INFO …\n","stream":"stdout","time":"…",
//!  "kubernetes":{"pod_name":"flink-jm-0","namespace_name":"flink","container_name":"flink-main-container",…}}
//! ```
//!
//! Reference: Fluent Bit manual, "Kubernetes" filter (metadata under `kubernetes`:
//! `pod_name`, `namespace_name`, `container_name`, `pod_id`, `labels`, …; `Merge_Log` merges
//! a JSON line's own keys into the record), the `tail` input's `docker` and `cri` parsers
//! (`log`, `stream`, `time`; the CRI parser's partial flag is `_p`, or `logtag` in the older
//! regular-expression parser, whose text key is `message`), and the `es` output
//! (`@timestamp`, or `date` in epoch seconds without `Logstash_Format`).

use super::fields;
use super::wrapped::{strip_newline, Layout, Stream, Wrapped};
use serde_json::Value;
use std::borrow::Cow;

/// Pod and container a record's Kubernetes metadata names, in the spellings of Fluent Bit
/// (`kubernetes.pod_name`), Filebeat's ECS (`kubernetes.pod.name`) and OpenTelemetry
/// (`k8s.pod.name`).
pub fn kube_pod(v: &Value) -> (Option<String>, Option<String>) {
    let pod = fields::first_str(
        v,
        &["kubernetes.pod_name", "kubernetes.pod.name", "k8s.pod.name"],
    );
    let container = fields::first_str(
        v,
        &[
            "kubernetes.container_name",
            "kubernetes.container.name",
            "k8s.container.name",
        ],
    );
    (pod.map(str::to_string), container.map(str::to_string))
}

/// A Fluent Bit record, or `None` when `v` is not one: a `log` text (or the CRI parser's
/// `message` with its `logtag`), and Kubernetes metadata or the tail parsers' keys.
pub fn from_record(v: &Value, raw: Option<&str>) -> Option<Wrapped<'static>> {
    let obj = v.as_object()?;
    let (pod, container) = kube_pod(v);
    let tagged = obj.contains_key("_p") || obj.contains_key("logtag");
    let log = match obj.get("log").and_then(Value::as_str) {
        Some(l) => l,
        None if tagged => obj.get("message")?.as_str()?,
        None => return None,
    };
    let parser_keys = tagged
        || obj.contains_key("stream")
        || obj.contains_key("time")
        || obj.contains_key("date");
    if pod.is_none() && !parser_keys {
        return None;
    }
    let (text, _) = strip_newline(log);
    // With `Merge_Log`, the application's own JSON record may be the record itself.
    let text = match fields::app_record_text(v, raw) {
        Some(t) => Cow::Owned(t.into_owned()),
        None => Cow::Owned(text.to_string()),
    };
    let mut w = Wrapped::new(Layout::FluentBit, text);
    w.partial = ["_p", "logtag"]
        .iter()
        .filter_map(|k| obj.get(*k).and_then(Value::as_str))
        .any(|t| t.split(':').next() == Some("P"));
    w.ts = obj
        .get("time")
        .and_then(fields::instant_secs)
        .or_else(|| obj.get("@timestamp").and_then(fields::instant_ms))
        .or_else(|| obj.get("date").and_then(fields::instant_secs))
        .or_else(|| obj.get("timestamp").and_then(fields::instant_ms));
    w.stream = obj
        .get("stream")
        .and_then(Value::as_str)
        .map(Stream::from_name)
        .unwrap_or_default();
    w.pod = pod.map(Cow::Owned);
    w.container = container.map(Cow::Owned);
    Some(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kubernetes_filter_records() {
        let v = json!({"@timestamp":"2024-05-06T10:15:31.112Z","log":"2024-05-06 10:15:31,112 INFO a.B [] - m\n","stream":"stderr","time":"2024-05-06T10:15:31.112345678Z","kubernetes":{"pod_name":"jm-0","namespace_name":"flink","container_name":"flink-main-container"}});
        let w = from_record(&v, None).unwrap();
        assert_eq!(w.layout, Layout::FluentBit);
        assert_eq!(w.text, "2024-05-06 10:15:31,112 INFO a.B [] - m");
        assert_eq!(w.pod.as_deref(), Some("jm-0"));
        assert_eq!(w.container.as_deref(), Some("flink-main-container"));
        assert_eq!(w.stream, Stream::Stderr);
        // `time` (the runtime's, nanoseconds) wins over the output's `@timestamp`.
        assert_eq!(w.ts.unwrap().timestamp_subsec_nanos(), 112_345_678);
        assert!(!w.partial);
    }

    #[test]
    fn cri_parser_partial_flags_and_dates() {
        let v = json!({"date":1715000000.5,"time":"x","stream":"stdout","_p":"P","log":"part"});
        let w = from_record(&v, None).unwrap();
        assert!(w.partial);
        assert_eq!(w.ts.unwrap().timestamp_millis(), 1_715_000_000_500);
        let v =
            json!({"time":"2024-05-06T10:15:31Z","stream":"stdout","logtag":"F","message":"whole"});
        let w = from_record(&v, None).unwrap();
        assert_eq!((w.text.as_ref(), w.partial), ("whole", false));
        // No trailing newline is not a partial line outside Docker's own files.
        let v = json!({"log":"x","kubernetes":{"pod_name":"p"}});
        assert!(!from_record(&v, None).unwrap().partial);
    }

    #[test]
    fn merged_application_record() {
        let v = json!({"@timestamp":"2024-05-06T10:15:31.112Z","log.level":"INFO","log.logger":"a.B","message":"m","log":"{…}","kubernetes":{"pod_name":"jm-0"}});
        let w = from_record(&v, None).unwrap();
        assert!(w.text.starts_with('{'), "{}", w.text);
    }

    #[test]
    fn not_fluent_bit() {
        for v in [
            json!({"log":"x"}),
            json!({"message":"x","stream":"stdout"}),
            json!({"log":1,"stream":"stdout"}),
        ] {
            assert!(from_record(&v, None).is_none(), "{v}");
        }
        assert_eq!(
            kube_pod(&json!({"k8s.pod.name":"o"})).0.as_deref(),
            Some("o")
        );
    }
}
