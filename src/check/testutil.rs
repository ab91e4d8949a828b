//! Builders for hand-written event streams in unit tests.

use crate::events::{Event, Fields, Kind};
use chrono::{DateTime, TimeZone, Utc};
use std::sync::Arc;

/// `12:00:00` plus `s` seconds on a fixed day.
pub fn at(s: f64) -> DateTime<Utc> {
    let base = Utc
        .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
        .single()
        .unwrap_or_default();
    base + chrono::Duration::milliseconds((s * 1000.0) as i64)
}

/// An event of `kind` in `source` at second `s`, with fields set from `kv` pairs.
pub fn ev(source: &str, line: u64, s: f64, kind: Kind, kv: &[(&str, &str)]) -> Event {
    let mut fields = Fields::default();
    for (k, v) in kv {
        let val = match *k {
            "checkpoint" | "bytes" | "duration_ms" | "count" => {
                crate::events::Value::Int(v.parse().unwrap_or_default())
            }
            "savepoint" => crate::events::Value::Bool(*v == "true"),
            "jobs" => crate::events::Value::List(
                v.split(',')
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
            _ => crate::events::Value::Str(v.to_string()),
        };
        let _ = fields.set(k, val);
    }
    Event {
        ts: at(s),
        source: Arc::from(source),
        line,
        kind,
        fields: Box::new(fields),
        text: format!("{kind} {kv:?}").into(),
    }
}
