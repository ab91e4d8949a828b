//! Reading fields of a JSON record the way shippers write them: a key either literally
//! dotted (`"kubernetes.pod.name"`, Elasticsearch's flattened form) or nested
//! (`{"kubernetes":{"pod":{"name":…}}}`), or any mix; instants as RFC 3339 text or epoch
//! numbers.

use crate::envelope::{self, Zone};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::borrow::Cow;

/// The value at a dotted `path`, whichever parts of it are literal dotted keys.
pub fn lookup<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let obj = v.as_object()?;
    if let Some(x) = obj.get(path) {
        return Some(x);
    }
    let mut from = 0;
    while let Some(p) = path.get(from..).and_then(|r| r.find('.')) {
        let cut = from + p;
        if let (Some(head), Some(tail)) = (path.get(..cut), path.get(cut + 1..)) {
            if let Some(inner) = obj.get(head) {
                if let Some(x) = lookup(inner, tail) {
                    return Some(x);
                }
            }
        }
        from = cut + 1;
    }
    None
}

/// The string at `path`, if it is one.
pub fn str_at<'v>(v: &'v Value, path: &str) -> Option<&'v str> {
    lookup(v, path).and_then(Value::as_str)
}

/// The first non-empty string among `paths`.
pub fn first_str<'v>(v: &'v Value, paths: &[&str]) -> Option<&'v str> {
    paths
        .iter()
        .filter_map(|p| str_at(v, p))
        .find(|s| !s.is_empty())
}

/// An instant: RFC 3339 text (a zone-less one is UTC), or a number of epoch milliseconds.
pub fn instant_ms(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::String(s) => rfc3339(s),
        Value::Number(n) => match n.as_i64() {
            Some(ms) => DateTime::from_timestamp_millis(ms),
            None => epoch_f64(n.as_f64()? / 1000.0),
        },
        _ => None,
    }
}

/// An instant: RFC 3339 text, or a number of epoch seconds with a fraction (Fluent Bit's
/// `date`).
pub fn instant_secs(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::String(s) => rfc3339(s),
        Value::Number(n) => epoch_f64(n.as_f64()?),
        _ => None,
    }
}

/// A string of epoch nanoseconds (Loki's `query_range` values).
pub fn epoch_nanos_str(s: &str) -> Option<DateTime<Utc>> {
    let n: i64 = s.trim().parse().ok()?;
    Some(DateTime::from_timestamp_nanos(n))
}

fn epoch_f64(secs: f64) -> Option<DateTime<Utc>> {
    if !secs.is_finite() {
        return None;
    }
    let whole = secs.floor();
    let nanos = ((secs - whole) * 1e9).round().clamp(0.0, 999_999_999.0);
    // `as` saturates; the range check of `from_timestamp` rejects what is out of range.
    DateTime::from_timestamp(whole as i64, nanos as u32)
}

/// RFC 3339 text (`Z` or an offset; nine fraction digits at most), or the same without a
/// zone, read as UTC.
pub fn rfc3339(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let (naive, used) = envelope::parse_naive_ts(s.as_bytes())?;
    s.get(used..).filter(|t| t.is_empty())?;
    Some(naive.and_utc())
}

/// Whether `v` is itself one of the application's JSON log records that the envelope reads
/// (log4j ECS or classic layout, merged into the shipper's record); its text if so: `raw`
/// when the record came as that text, else `v` written out.
pub fn app_record_text<'r>(v: &Value, raw: Option<&'r str>) -> Option<Cow<'r, str>> {
    // Cheap test first: a layout record always has a level.
    if lookup(v, "log.level").is_none() && lookup(v, "level").is_none() {
        return None;
    }
    let text = match raw {
        Some(r) => Cow::Borrowed(r),
        None => Cow::Owned(v.to_string()),
    };
    envelope::parse_line(&text, &Zone::Utc)?;
    Some(text)
}

/// A `u64` at `path` (a number, or digits as text).
pub fn u64_at(v: &Value, path: &str) -> Option<u64> {
    match lookup(v, path)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_nested_and_mixed_keys() {
        let v = json!({"kubernetes.pod.name": "a", "x": {"y.z": 1}, "k": {"p": {"n": "b"}}});
        assert_eq!(str_at(&v, "kubernetes.pod.name"), Some("a"));
        assert_eq!(lookup(&v, "x.y.z"), Some(&json!(1)));
        assert_eq!(str_at(&v, "k.p.n"), Some("b"));
        assert_eq!(lookup(&v, "k.p.m"), None);
        assert_eq!(lookup(&json!("s"), "a"), None);
        assert_eq!(first_str(&v, &["nope", "k.p.n"]), Some("b"));
        let m = json!({"kubernetes": {"pod.name": "c"}});
        assert_eq!(str_at(&m, "kubernetes.pod.name"), Some("c"));
    }

    #[test]
    fn instants() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            instant_ms(&json!("2024-05-06T12:15:31.123456789+02:00")),
            Some(t("2024-05-06T10:15:31.123456789Z"))
        );
        assert_eq!(
            instant_ms(&json!("2024-05-06T10:15:31.5")),
            Some(t("2024-05-06T10:15:31.5Z"))
        );
        assert_eq!(
            instant_ms(&json!(1_715_000_000_123i64)),
            Some(t("2024-05-06T12:53:20.123Z"))
        );
        assert_eq!(
            instant_secs(&json!(1_715_000_000.25)),
            Some(t("2024-05-06T12:53:20.25Z"))
        );
        assert_eq!(
            epoch_nanos_str("1715000000000000001"),
            Some(t("2024-05-06T12:53:20.000000001Z"))
        );
        assert_eq!(instant_ms(&json!("yesterday")), None);
        assert_eq!(instant_ms(&json!(true)), None);
        assert_eq!(instant_secs(&json!(f64::MAX)), None);
        assert_eq!(epoch_nanos_str("x"), None);
    }

    #[test]
    fn app_records() {
        let ecs = json!({"@timestamp":"2024-05-06T10:15:31.112Z","log.level":"INFO","log.logger":"a.B","message":"m"});
        assert!(app_record_text(&ecs, None).is_some());
        let raw = ecs.to_string();
        assert!(matches!(
            app_record_text(&ecs, Some(&raw)),
            Some(Cow::Borrowed(_))
        ));
        assert!(app_record_text(&json!({"log":"x","stream":"stdout"}), None).is_none());
        assert!(app_record_text(&json!({"level":"INFO","message":"no time"}), None).is_none());
        assert_eq!(
            u64_at(&json!({"log":{"offset":12}}), "log.offset"),
            Some(12)
        );
        assert_eq!(u64_at(&json!({"o":"7"}), "o"), Some(7));
    }
}
