//! Google Cloud Logging entries, as `gcloud logging read --format=json` prints them (a JSON
//! array read whole by [`super::document`]; one entry per line after `jq -c '.[]'`):
//!
//! ```text
//! {"insertId":"…","logName":"projects/P/logs/stdout","resource":{"type":"k8s_container",
//!   "labels":{"pod_name":"flink-jm-0","container_name":"flink-main-container","namespace_name":"flink",…}},
//!  "textPayload":"2024-05-06 10:15:31,112 INFO …","timestamp":"2024-05-06T10:15:31.112345678Z",…}
//! ```
//!
//! References: Google Cloud SDK reference, `gcloud logging read` ("returned in order of
//! decreasing timestamps, most-recent entries first", `--order=desc` by default); Cloud
//! Logging API reference, `LogEntry` (`textPayload` or `jsonPayload`, `timestamp`,
//! `resource.labels`, `logName`) and the `k8s_container` monitored resource (`pod_name`,
//! `container_name`, `namespace_name`). A JSON line parsed by GKE's agent is in
//! `jsonPayload`, with its text in `message`.

use super::fields;
use super::wrapped::{Layout, Stream, Wrapped};
use serde_json::Value;
use std::borrow::Cow;

/// A log entry, or `None` when `v` is not one: a `textPayload` or `jsonPayload`, and one of
/// the entry's own keys (`resource`, `logName`, `insertId`, `receiveTimestamp`).
pub fn from_entry(v: &Value) -> Option<Wrapped<'static>> {
    let obj = v.as_object()?;
    if !["resource", "logName", "insertId", "receiveTimestamp"]
        .iter()
        .any(|k| obj.contains_key(*k))
    {
        return None;
    }
    let text: Cow<'static, str> = match (obj.get("textPayload"), obj.get("jsonPayload")) {
        (Some(Value::String(t)), _) => Cow::Owned(t.strip_suffix('\n').unwrap_or(t).to_string()),
        (_, Some(p @ Value::Object(_))) => match fields::app_record_text(p, None) {
            Some(t) => Cow::Owned(t.into_owned()),
            None => Cow::Owned(fields::first_str(p, &["message", "log", "msg"])?.to_string()),
        },
        _ => return None,
    };
    let mut w = Wrapped::new(Layout::Gcloud, text);
    w.ts = obj.get("timestamp").and_then(fields::instant_ms);
    w.pod = fields::first_str(v, &["resource.labels.pod_name", "labels.k8s-pod/name"])
        .map(|p| Cow::Owned(p.to_string()));
    w.container =
        fields::str_at(v, "resource.labels.container_name").map(|c| Cow::Owned(c.to_string()));
    // GKE writes a container's stdout and stderr to the logs `stdout` and `stderr`.
    w.stream = fields::str_at(v, "logName")
        .and_then(|n| n.rsplit('/').next())
        .map(Stream::from_name)
        .unwrap_or_default();
    Some(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_and_json_payloads() {
        let v = json!({"insertId":"a","logName":"projects/p/logs/stderr","resource":{"type":"k8s_container","labels":{"pod_name":"jm-0","container_name":"c","namespace_name":"flink"}},"textPayload":"2024-05-06 10:15:31,112 INFO a.B [] - m\n","timestamp":"2024-05-06T10:15:31.112345678Z","receiveTimestamp":"2024-05-06T10:15:32Z"});
        let w = from_entry(&v).unwrap();
        assert_eq!(w.layout, Layout::Gcloud);
        assert_eq!(w.text, "2024-05-06 10:15:31,112 INFO a.B [] - m");
        assert_eq!(
            (w.pod.as_deref(), w.container.as_deref()),
            (Some("jm-0"), Some("c"))
        );
        assert_eq!(w.stream, Stream::Stderr);
        assert_eq!(w.ts.unwrap().timestamp_subsec_nanos(), 112_345_678);
        let v = json!({"insertId":"b","jsonPayload":{"message":"plain text","x":1},"timestamp":"2024-05-06T10:15:31Z"});
        assert_eq!(from_entry(&v).unwrap().text, "plain text");
        let app = json!({"@timestamp":"2024-05-06T10:15:31.112Z","log.level":"INFO","log.logger":"a.B","message":"m"});
        let v = json!({"insertId":"c","jsonPayload":app,"timestamp":"2024-05-06T10:15:31Z"});
        assert!(from_entry(&v).unwrap().text.starts_with('{'));
    }

    #[test]
    fn not_entries() {
        for v in [
            json!({"textPayload":"x"}),
            json!({"insertId":"a"}),
            json!({"insertId":"a","jsonPayload":{"x":1}}),
            json!({"insertId":"a","textPayload":7}),
        ] {
            assert!(from_entry(&v).is_none(), "{v}");
        }
    }
}
