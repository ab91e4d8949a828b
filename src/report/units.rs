//! Shared formatting of instants, durations, sizes and identifiers for all renderers.

use chrono::{DateTime, Utc};

/// A duration in milliseconds, human-readable: `914 ms`, `12.5 s`, `2m 05s`, `1h 02m`.
pub fn duration_ms(ms: i64) -> String {
    if ms < 0 {
        return format!("-{}", duration_ms(ms.saturating_neg()));
    }
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        let s = ms / 1000;
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        let m = ms / 60_000;
        format!("{}h {:02}m", m / 60, m % 60)
    }
}

/// A size in bytes with binary prefixes written the way Flink's web UI writes them:
/// `512 B`, `7.7 KB`, `1.2 MB`, `3.4 GB`.
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if b < 1024 {
        return format!("{b} B");
    }
    let mut v = b as f64 / 1024.0;
    let mut unit = UNITS[0];
    for u in UNITS.iter().skip(1) {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

/// The first 8 characters of a job id or session id (hex digits and dashes): enough to tell
/// them apart in a chart. Anything else (`(not logged)`, a pod name) is returned whole.
pub fn short(id: &str) -> &str {
    if !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return id;
    }
    match id.char_indices().nth(8) {
        Some((i, _)) => id.get(..i).unwrap_or(id),
        None => id,
    }
}

/// How instants are written: clock time only when the logs cover one UTC day, else with
/// the date.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// Whether to print the date.
    pub with_date: bool,
}

impl Clock {
    /// The clock for logs spanning `span`.
    pub fn for_span(span: Option<(DateTime<Utc>, DateTime<Utc>)>) -> Clock {
        let with_date = match span {
            Some((a, b)) => a.date_naive() != b.date_naive(),
            None => true,
        };
        Clock { with_date }
    }

    /// `12:36:51.606` or `2026-11-25 12:36:51.606`.
    pub fn at(self, ts: DateTime<Utc>) -> String {
        if self.with_date {
            ts.format("%Y-%m-%d %H:%M:%S%.3f").to_string()
        } else {
            ts.format("%H:%M:%S%.3f").to_string()
        }
    }
}

/// `2026-11-25 12:36:51.606`.
pub fn full(ts: DateTime<Utc>) -> String {
    ts.format("%Y-%m-%d %H:%M:%S%.3f").to_string()
}

/// Milliseconds from `a` to `b`.
pub fn between(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    (b - a).num_milliseconds()
}

/// A list of checkpoint ids compressed into ranges: `16`, `16, 18`, `16–19`.
pub fn id_list(ids: &[u64]) -> String {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut iter = sorted.into_iter().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        // `checked_add`: a log may name checkpoint u64::MAX.
        while let Some(next) = end.checked_add(1).filter(|n| iter.peek() == Some(n)) {
            end = next;
            iter.next();
        }
        parts.push(match end - start {
            0 => start.to_string(),
            1 => format!("{start}, {end}"),
            _ => format!("{start}–{end}"),
        });
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_ms(914), "914 ms");
        assert_eq!(duration_ms(12_504), "12.5 s");
        assert_eq!(duration_ms(125_000), "2m 05s");
        assert_eq!(duration_ms(3_720_000), "1h 02m");
        assert_eq!(duration_ms(-1500), "-1.5 s");
        assert_eq!(duration_ms(i64::MIN), "-2562047788015h 12m");
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(7884), "7.7 KB");
        assert_eq!(bytes(1_258_291), "1.2 MB");
    }

    #[test]
    fn ids() {
        assert_eq!(short("6cecd03fbdf46ddd31c32d9bdc34c1b5"), "6cecd03f");
        assert_eq!(short("abc"), "abc");
        assert_eq!(short("e121f084-4a4d-4a43-bf6c-09a46f25e587"), "e121f084");
        assert_eq!(short("(not logged)"), "(not logged)");
        assert_eq!(id_list(&[16]), "16");
        assert_eq!(id_list(&[19, 16, 17, 18, 21, 23, 24]), "16–19, 21, 23, 24");
        assert_eq!(id_list(&[u64::MAX]), "18446744073709551615");
        assert_eq!(
            id_list(&[u64::MAX, u64::MAX - 2, u64::MAX - 1]),
            "18446744073709551613–18446744073709551615"
        );
    }
}
