//! AWS CloudWatch Logs events, as `aws logs filter-log-events` prints them (the `events`
//! array of the output, read whole by [`super::document`]; one event per line after
//! `jq -c '.events[]'`):
//!
//! ```text
//! {"events":[{"logStreamName":"…","timestamp":1715000000123,"message":"…","ingestionTime":1715000000500,"eventId":"…"}],
//!  "searchedLogStreams":[…]}
//! ```
//!
//! References: AWS CLI command reference, `aws logs filter-log-events` and `get-log-events`
//! (`timestamp` and `ingestionTime` in milliseconds since the epoch, `message`,
//! `logStreamName`); Fluent Bit manual, "Amazon CloudWatch" output (`log_stream_prefix` plus
//! the record's tag, which for the `tail` input of `/var/log/containers/*.log` is
//! `kube.var.log.containers.POD_NAMESPACE_CONTAINER-ID.log`; the message is the record as
//! JSON unless `log_key` picks one field) and Container Insights' stream names
//! (`HOST-application.var.log.containers.POD_NAMESPACE_CONTAINER-ID.log`). A message that is
//! Fluent Bit's JSON is unwrapped once more by [`super::fluentbit`].

use super::fields;
use super::kube_paths;
use super::wrapped::{Layout, Wrapped};
use serde_json::Value;
use std::borrow::Cow;

/// An event, or `None` when `v` is not one: `message` text and a numeric `timestamp`.
pub fn from_event(v: &Value) -> Option<Wrapped<'static>> {
    let obj = v.as_object()?;
    let message = obj.get("message")?.as_str()?;
    let ts = obj.get("timestamp").filter(|t| t.is_number())?;
    let text = message.strip_suffix('\n').unwrap_or(message);
    let mut w = Wrapped::new(Layout::CloudWatch, Cow::Owned(text.to_string()));
    w.ts = fields::instant_ms(ts);
    if let Some(stream) = obj.get("logStreamName").and_then(Value::as_str) {
        match pod_of_stream(stream) {
            Some((pod, container)) => {
                w.pod = Some(Cow::Owned(pod.to_string()));
                w.container = Some(Cow::Owned(container.to_string()));
            }
            // Each stream is one log: without a pod, the stream is the source.
            None => w.pod = Some(Cow::Owned(stream.to_string())),
        }
    }
    Some(w)
}

/// Pod and container of a stream named after a `/var/log/containers/` file.
fn pod_of_stream(stream: &str) -> Option<(&str, &str)> {
    let at = stream.rfind("var.log.containers.")?;
    let name = stream.get(at + "var.log.containers.".len()..)?;
    let (pod, _, container, _) = kube_paths::containers_file_name(name)?;
    Some((pod, container))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_and_stream_names() {
        let id = "0123456789abcdef".repeat(4);
        let v = json!({"logStreamName":format!("ip-10-0-1-2.ec2.internal-application.var.log.containers.jm-0_flink_flink-main-container-{id}.log"),
                       "timestamp":1715000000123i64,"message":"2024-05-06 10:15:31,112 INFO a.B [] - m\n","ingestionTime":1715000000500i64,"eventId":"1"});
        let w = from_event(&v).unwrap();
        assert_eq!(w.layout, Layout::CloudWatch);
        assert_eq!(
            (w.pod.as_deref(), w.container.as_deref()),
            (Some("jm-0"), Some("flink-main-container"))
        );
        assert_eq!(w.ts.unwrap().timestamp_millis(), 1_715_000_000_123);
        assert_eq!(w.text, "2024-05-06 10:15:31,112 INFO a.B [] - m");
        let v = json!({"logStreamName":"jobmanager-1","timestamp":1,"message":"x"});
        assert_eq!(from_event(&v).unwrap().pod.as_deref(), Some("jobmanager-1"));
        let v = json!({"timestamp":1,"message":"x","ingestionTime":2});
        assert_eq!(from_event(&v).unwrap().pod, None);
        assert!(from_event(&json!({"timestamp":"1","message":"x"})).is_none());
        assert!(from_event(&json!({"message":"x"})).is_none());
    }
}
