//! Docker's `json-file` logging driver (`/var/lib/docker/containers/ID/ID-json.log`):
//!
//! ```text
//! {"log":"Log line is here\n","stream":"stdout","time":"2019-01-01T11:11:11.111111111Z"}
//! ```
//!
//! Reference: Docker documentation, "JSON File logging driver" (docs.docker.com, engine /
//! logging / drivers / json-file): one object per line with `log` (the line, with its final
//! newline), `stream` and `time` (RFC 3339, nanoseconds), plus `attrs` when `--log-opt
//! labels=…` / `env=…` ask for them. The daemon splits lines longer than 16 KiB into several
//! records; all but the last lack the final `\n` (moby `daemon/logger`, partial messages),
//! which is how they are joined again.

use super::fields;
use super::wrapped::{strip_newline, Layout, Stream, Wrapped};
use serde_json::Value;
use std::borrow::Cow;

/// A json-file record, or `None` when `v` is not one: `log` and `time` text, and no keys
/// but `log`, `stream`, `time` and `attrs` (a collector's record with more keys is another
/// layout, whose partial lines are not marked by the newline).
pub fn from_object(v: &Value) -> Option<Wrapped<'static>> {
    let obj = v.as_object()?;
    let log = obj.get("log")?.as_str()?;
    let time = obj.get("time")?.as_str()?;
    if obj
        .keys()
        .any(|k| !matches!(k.as_str(), "log" | "stream" | "time" | "attrs"))
    {
        return None;
    }
    let (text, full) = strip_newline(log);
    let mut w = Wrapped::new(Layout::Docker, Cow::Owned(text.to_string()));
    w.ts = Some(fields::rfc3339(time)?);
    w.partial = !full;
    w.stream = obj
        .get("stream")
        .and_then(Value::as_str)
        .map(Stream::from_name)
        .unwrap_or_default();
    // Kubernetes' own labels, when the daemon was told to log them.
    w.pod = fields::str_at(v, "attrs.io.kubernetes.pod.name").map(|s| Cow::Owned(s.to_string()));
    w.container =
        fields::str_at(v, "attrs.io.kubernetes.container.name").map(|s| Cow::Owned(s.to_string()));
    Some(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_and_partial_lines() {
        let w = from_object(&json!({"log":"Log line is here\n","stream":"stdout","time":"2019-01-01T11:11:11.111111111Z"})).unwrap();
        assert_eq!(w.text, "Log line is here");
        assert!(!w.partial);
        assert_eq!(w.stream, Stream::Stdout);
        assert_eq!(w.ts.unwrap().timestamp_subsec_nanos(), 111_111_111);
        let w = from_object(
            &json!({"log":"first half","stream":"stderr","time":"2019-01-01T11:11:11Z"}),
        )
        .unwrap();
        assert!(w.partial);
        let w = from_object(&json!({"log":"x\r\n","stream":"stdout","time":"2019-01-01T11:11:11Z","attrs":{"io.kubernetes.pod.name":"jm-0","io.kubernetes.container.name":"c"}})).unwrap();
        assert_eq!(w.text, "x");
        assert_eq!(w.pod.as_deref(), Some("jm-0"));
        assert_eq!(w.container.as_deref(), Some("c"));
    }

    #[test]
    fn not_docker() {
        for v in [
            json!({"log":"x\n","stream":"stdout"}),
            json!({"log":"x\n","time":"bad"}),
            json!({"log":"x\n","time":"2019-01-01T11:11:11Z","kubernetes":{"pod_name":"p"}}),
            json!({"log":{"level":"INFO"},"time":"2019-01-01T11:11:11Z"}),
            json!(["log"]),
        ] {
            assert!(from_object(&v).is_none(), "{v}");
        }
    }
}
