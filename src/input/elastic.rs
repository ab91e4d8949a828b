//! Elasticsearch / OpenSearch documents of container logs: a `_search` response's hits
//! (`hits.hits[]`, each with its document in `_source`; read by [`super::document`]), hits
//! one per line (`elasticdump`, scroll scripts), or bare documents one per line.
//!
//! Documents as Filebeat ships them follow ECS:
//!
//! ```text
//! {"@timestamp":"2024-05-06T10:15:31.112Z","message":"2024-05-06 10:15:31,112 INFO …",
//!  "stream":"stdout","log":{"offset":2048,"file":{"path":"/var/log/containers/…"}},
//!  "kubernetes":{"pod":{"name":"flink-jm-0"},"container":{"name":"flink-main-container"},"namespace":"flink"},
//!  "agent":{…},"input":{"type":"container"},"ecs":{"version":"8.0.0"}}
//! ```
//!
//! References: Elasticsearch guide, "Search API" (response body `hits.hits[]._source`,
//! `_score`; hits come by relevance unless `sort` is given); Filebeat reference, "Container
//! input" and "Kubernetes fields" / "add_kubernetes_metadata" (`kubernetes.pod.name`,
//! `kubernetes.container.name`, `kubernetes.namespace`), "Log file content fields"
//! (`log.offset`, `log.file.path`), ECS `@timestamp` and `message`. Fluent Bit's documents
//! are read by [`super::fluentbit`].

use super::fields;
use super::fluentbit;
use super::kube_paths;
use super::wrapped::{strip_newline, Layout, Stream, Wrapped};
use serde_json::Value;
use std::borrow::Cow;

/// Keys only a log shipper's document has (Filebeat, Logstash, Elastic Agent), never an
/// application's JSON log record.
const SHIPPER_KEYS: &[&str] = &[
    "kubernetes",
    "agent",
    "input",
    "ecs",
    "host",
    "container",
    "fields",
    "@metadata",
    "log.file.path",
    "log.offset",
    "data_stream",
];

/// A hit of a search response (`{"_index":…,"_id":…,"_source":{…}}`): its document, read
/// leniently (a store holds documents from any shipper).
pub fn from_hit(hit: &Value) -> Option<Wrapped<'static>> {
    let src = hit.get("_source")?;
    let mut w = super::json::from_value(src, None)
        .or_else(|| from_document(src, None, true))
        .or_else(|| app_record(src))?;
    w.layout = Layout::Elasticsearch;
    Some(w)
}

/// A bare document, or `None` when `v` is not one. Unless `lenient`, the document must show
/// that a shipper made it ([`SHIPPER_KEYS`]); leniently, a `message` (or `log`) with a
/// timestamp is enough.
pub fn from_document(v: &Value, raw: Option<&str>, lenient: bool) -> Option<Wrapped<'static>> {
    let obj = v.as_object()?;
    let message = obj
        .get("message")
        .or_else(|| obj.get("log").filter(|l| l.is_string()))?
        .as_str()?;
    let (mut pod, container) = fluentbit::kube_pod(v);
    let by_shipper_keys = SHIPPER_KEYS
        .iter()
        .filter(|k| **k != "kubernetes")
        .any(|k| fields::lookup(v, k).is_some());
    let shipped = pod.is_some() || by_shipper_keys;
    if !shipped && !lenient {
        return None;
    }
    let path = fields::first_str(v, &["log.file.path", "path"]);
    let mut container = container;
    if pod.is_none() {
        // The container file Filebeat read names the pod; else the file is the source.
        match path.and_then(|p| p.rsplit('/').next()) {
            Some(name) => match kube_paths::containers_file_name(name) {
                Some((p, _, c, _)) => {
                    pod = Some(p.to_string());
                    container = container.or_else(|| Some(c.to_string()));
                }
                None => pod = path.map(str::to_string),
            },
            None => pod = None,
        }
    }
    let (text, _) = strip_newline(message);
    let mut layout = Layout::Elasticsearch;
    let text = match fields::app_record_text(v, raw) {
        // The application's own record naming no source: the envelope reads it as it is.
        Some(_) if pod.is_none() && !lenient => return None,
        Some(t) => {
            if !by_shipper_keys {
                // Its own `kubernetes.*` fields: a log as written, not a store's export.
                layout = Layout::JsonLog;
            }
            Cow::Owned(t.into_owned())
        }
        None => Cow::Owned(text.to_string()),
    };
    let mut w = Wrapped::new(layout, text);
    w.ts = ["@timestamp", "timestamp", "time"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(fields::instant_ms));
    w.stream = fields::str_at(v, "stream")
        .map(Stream::from_name)
        .unwrap_or_default();
    w.offset = fields::u64_at(v, "log.offset");
    w.pod = pod.map(Cow::Owned);
    w.container = container.map(Cow::Owned);
    Some(w)
}

/// A document that is the application's own JSON record (a JSON log decoded by the
/// shipper, nothing else kept).
fn app_record(v: &Value) -> Option<Wrapped<'static>> {
    let text = fields::app_record_text(v, None)?;
    let (pod, container) = fluentbit::kube_pod(v);
    let mut w = Wrapped::new(Layout::Elasticsearch, Cow::Owned(text.into_owned()));
    w.ts = v.get("@timestamp").and_then(fields::instant_ms);
    w.pod = pod.map(Cow::Owned);
    w.container = container.map(Cow::Owned);
    Some(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filebeat() -> Value {
        json!({"@timestamp":"2024-05-06T10:15:31.112Z","message":"2024-05-06 10:15:31,112 INFO a.B [] - m","stream":"stdout",
               "log":{"offset":2048,"file":{"path":"/var/log/containers/x.log"}},
               "kubernetes":{"pod":{"name":"flink-jm-0"},"container":{"name":"flink-main-container"},"namespace":"flink"},
               "input":{"type":"container"},"ecs":{"version":"8.0.0"}})
    }

    #[test]
    fn filebeat_documents_and_hits() {
        let w = from_document(&filebeat(), None, false).unwrap();
        assert_eq!(w.layout, Layout::Elasticsearch);
        assert_eq!(w.pod.as_deref(), Some("flink-jm-0"));
        assert_eq!(w.container.as_deref(), Some("flink-main-container"));
        assert_eq!(w.offset, Some(2048));
        assert_eq!(w.ts.unwrap().timestamp_subsec_millis(), 112);
        assert_eq!(w.text, "2024-05-06 10:15:31,112 INFO a.B [] - m");
        let hit = json!({"_index":"filebeat-8","_id":"x","_score":1.3,"_source":filebeat()});
        assert_eq!(from_hit(&hit).unwrap(), w);
        // Flattened keys, as some exports write them.
        let flat = json!({"@timestamp":"2024-05-06T10:15:31.112Z","message":"x","kubernetes.pod.name":"jm-1"});
        assert_eq!(
            from_document(&flat, None, false).unwrap().pod.as_deref(),
            Some("jm-1")
        );
    }

    #[test]
    fn the_pod_from_the_container_file_name_or_the_file_as_source() {
        let id = "a".repeat(64);
        let v = json!({"@timestamp":"2024-05-06T10:15:31Z","message":"x",
                       "log":{"file":{"path":format!("/var/log/containers/jm-2_flink_main-{id}.log")}}});
        let w = from_document(&v, None, false).unwrap();
        assert_eq!(
            (w.pod.as_deref(), w.container.as_deref()),
            (Some("jm-2"), Some("main"))
        );
        let v = json!({"@timestamp":"2024-05-06T10:15:31Z","message":"x","log":{"file":{"path":"/opt/flink/log/jm.log"}}});
        assert_eq!(
            from_document(&v, None, false).unwrap().pod.as_deref(),
            Some("/opt/flink/log/jm.log")
        );
    }

    #[test]
    fn lenient_only_for_search_hits() {
        let bare = json!({"@timestamp":"2024-05-06T10:15:31Z","message":"x"});
        assert!(from_document(&bare, None, false).is_none());
        assert!(from_hit(&json!({"_source": bare})).is_some());
        let app = json!({"@timestamp":"2024-05-06T10:15:31.112Z","log.level":"INFO","log.logger":"a.B","message":"m"});
        let w = from_hit(&json!({"_source": app})).unwrap();
        assert!(w.text.starts_with('{'));
        assert!(from_hit(&json!({"_source": 3})).is_none());
    }
}
