//! One JSON object per line from a collector or store (Docker, Fluent Bit, Filebeat /
//! Elasticsearch, Loki's logcli, gcloud, CloudWatch): which one it is, and the line inside.
//!
//! An application's own JSON log records (log4j ECS or classic layout) are left alone: they
//! are the envelope's to read. A line is parsed here only when it names one of the keys
//! the wrappers have (a byte search, so that JSON-layout logs are not parsed twice), and it
//! is taken as wrapped only when it has one wrapper's keys.

use super::wrapped::Wrapped;
use super::{cloudwatch, docker, elastic, fluentbit, gcloud, loki};
use memchr::memmem;
use serde_json::Value;

/// Keys of which a wrapper has at least one and an application's JSON layout none.
const MARKERS: &[&[u8]] = &[
    b"\"log\":\"",
    b"\"log\": \"",
    b"\"line\":",
    b"\"_source\"",
    b"\"kubernetes",
    b"\"k8s.",
    b"\"textPayload\"",
    b"\"jsonPayload\"",
    b"\"logStreamName\"",
    b"\"ingestionTime\"",
    b"\"stream\"",
    b"\"agent\"",
    b"\"input\"",
    b"\"resource\"",
    b"\"logtag\"",
    b"\"_p\"",
];

/// The wrapped line in a JSON line `line` (starting with `{`), or `None` when it is not one
/// of a collector's or store's layouts.
pub fn decode_line(line: &str) -> Option<Wrapped<'static>> {
    let b = line.as_bytes();
    if !MARKERS.iter().any(|m| memmem::find(b, m).is_some()) {
        return None;
    }
    let v: Value = serde_json::from_str(line).ok()?;
    from_value(&v, Some(line))
}

/// The wrapped line in a JSON record, trying each layout by its own keys; `raw` is the
/// record's text when it came as one line. `None`: no wrapper's record (an application's
/// own JSON record without a pod is not one).
pub fn from_value(v: &Value, raw: Option<&str>) -> Option<Wrapped<'static>> {
    let obj = v.as_object()?;
    if obj.get("_source").is_some_and(Value::is_object) {
        return elastic::from_hit(v);
    }
    loki::from_jsonl(v)
        .or_else(|| gcloud::from_entry(v))
        .or_else(|| cloudwatch::from_event(v))
        .or_else(|| docker::from_object(v))
        .or_else(|| fluentbit::from_record(v, raw))
        .or_else(|| elastic::from_document(v, raw, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::wrapped::Layout;

    #[test]
    fn each_layout_by_its_keys() {
        let cases = [
            (
                r#"{"log":"x\n","stream":"stdout","time":"2019-01-01T11:11:11Z"}"#,
                Layout::Docker,
            ),
            (
                r#"{"labels":{"pod":"p"},"line":"x","timestamp":"2019-01-01T11:11:11Z"}"#,
                Layout::Loki,
            ),
            (
                r#"{"_index":"i","_source":{"@timestamp":"2019-01-01T11:11:11Z","message":"x"}}"#,
                Layout::Elasticsearch,
            ),
            (
                r#"{"@timestamp":"2019-01-01T11:11:11Z","message":"x","agent":{"type":"filebeat"}}"#,
                Layout::Elasticsearch,
            ),
            (
                r#"{"log":"x","kubernetes":{"pod_name":"p"}}"#,
                Layout::FluentBit,
            ),
            (
                r#"{"insertId":"a","textPayload":"x","timestamp":"2019-01-01T11:11:11Z"}"#,
                Layout::Gcloud,
            ),
            (
                r#"{"logStreamName":"s","timestamp":1,"message":"x","ingestionTime":2}"#,
                Layout::CloudWatch,
            ),
        ];
        for (line, layout) in cases {
            let w = decode_line(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(w.layout, layout, "{line}");
            assert_eq!(w.text, "x", "{line}");
        }
    }

    #[test]
    fn application_json_is_not_wrapped() {
        for line in [
            r#"{"@timestamp":"2026-11-25T12:36:55.137Z","log.level":"INFO","message":"m","log.logger":"a.B","process.thread.name":"main"}"#,
            r#"{"@timestamp":"2026-11-25T12:36:55.137Z","log":{"level":"INFO","logger":"a.B"},"message":"m"}"#,
            r#"{"instant":{"epochSecond":1,"nanoOfSecond":0},"level":"INFO","loggerName":"a.B","message":"m"}"#,
            // Has a marker, but is still the application's record and names no pod.
            r#"{"@timestamp":"2026-11-25T12:36:55.137Z","log.level":"INFO","log.logger":"a.B","message":"m","stream":"x"}"#,
            r#"{"stream":"stdout"}"#,
            r#"{"log":"x","stream":"#,
        ] {
            assert!(decode_line(line).is_none(), "{line}");
        }
        // With a pod it is a wrapped record, whose text is the record itself.
        let line = r#"{"@timestamp":"2026-11-25T12:36:55.137Z","log.level":"INFO","log.logger":"a.B","message":"m","kubernetes":{"pod":{"name":"jm-0"}}}"#;
        let w = decode_line(line).unwrap();
        assert_eq!(w.pod.as_deref(), Some("jm-0"));
        assert_eq!(w.text, line);
        assert_eq!(w.layout, Layout::JsonLog);
        assert!(!w.layout.frames_every_line());
        // Shipped by Filebeat, which decoded the JSON line: a store's document.
        let line = r#"{"@timestamp":"2026-11-25T12:36:55.137Z","log.level":"INFO","log.logger":"a.B","message":"m","kubernetes":{"pod":{"name":"jm-0"}},"agent":{"type":"filebeat"}}"#;
        assert_eq!(decode_line(line).unwrap().layout, Layout::Elasticsearch);
    }
}
