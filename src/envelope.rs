//! Line layouts: recognise one physical log line as the start of a record and split it into
//! timestamp, level, logger and message.
//!
//! Supported layouts, detected per line:
//!
//! * Flink's log4j pattern `%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n`, tolerant of
//!   collapsed padding, a missing or non-empty `[...]` part, `.` instead of `,` before the
//!   milliseconds and `T` between date and time;
//! * logback's `yyyy-MM-dd HH:mm:ss.SSS [thread] LEVEL logger - message`;
//! * JSON layouts (one object per line): log4j `JsonTemplateLayout` ECS (`@timestamp`,
//!   `log.level`, `log.logger`, `message`, dotted or nested keys) and log4j's classic
//!   `JsonLayout` (`instant` or `timeMillis`, `level`, `loggerName`, `message`).
//!
//! The log4j path is the hot path: byte positions and `memchr`, no regex, no allocation.
//! Only lines starting with `{` are tried as JSON. ANSI colour codes are taken out first,
//! wherever they are; only lines that have some are copied for that.

use chrono::{
    DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// The time zone of log timestamps that carry none (log4j `%d` prints local time).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Zone {
    /// Coordinated Universal Time (the default; what containers usually run in).
    #[default]
    Utc,
    /// A fixed offset from UTC, e.g. `+02:00`.
    Fixed(FixedOffset),
    /// An IANA time zone with daylight-saving rules, e.g. `Europe/Berlin`.
    Named(chrono_tz::Tz),
}

impl Zone {
    /// Interpret a local wall-clock time in this zone and return the UTC instant.
    ///
    /// An ambiguous local time (the hour repeated when daylight saving ends) resolves to the
    /// earlier instant; a local time in the gap when daylight saving starts, which a correct
    /// clock never prints, is read with the offset in force just before the gap.
    /// Inlined: every record is read with it, and mostly in UTC.
    #[inline]
    pub fn to_utc(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        match self {
            Zone::Utc => Some(local.and_utc()),
            _ => self.offset_to_utc(local),
        }
    }

    /// [`Zone::to_utc`] for a zone other than UTC.
    fn offset_to_utc(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        match self {
            Zone::Utc => Some(local.and_utc()),
            Zone::Fixed(off) => local
                .checked_sub_signed(TimeDelta::seconds(i64::from(off.local_minus_utc())))
                .map(|n| n.and_utc()),
            Zone::Named(tz) => {
                if let Some(t) = tz.from_local_datetime(&local).earliest() {
                    return Some(t.with_timezone(&Utc));
                }
                let before = local.checked_sub_signed(TimeDelta::hours(3))?;
                let off = tz.from_local_datetime(&before).earliest()?.offset().fix();
                local
                    .checked_sub_signed(TimeDelta::seconds(i64::from(off.local_minus_utc())))
                    .map(|n| n.and_utc())
            }
        }
    }
}

impl Zone {
    /// When `ts` is the earlier of two instants that this zone's clocks show as the same
    /// wall-clock time (the hour repeated when daylight saving time ends), the later one.
    /// [`Zone::to_utc`] reads such a time as the earlier instant; which one a log line
    /// meant only the order of the log's lines can tell.
    #[inline]
    pub fn later_reading(&self, ts: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Zone::Named(tz) => Self::later_named(tz, ts),
            _ => None,
        }
    }

    /// [`Zone::later_reading`] in a named zone, the only kind with repeated hours.
    fn later_named(tz: &chrono_tz::Tz, ts: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = ts.with_timezone(tz).naive_local();
        match tz.from_local_datetime(&local) {
            chrono::LocalResult::Ambiguous(a, b) if a.with_timezone(&Utc) == ts => {
                Some(b.with_timezone(&Utc))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Utc => f.write_str("UTC"),
            Zone::Fixed(o) => write!(f, "{o}"),
            Zone::Named(tz) => f.write_str(tz.name()),
        }
    }
}

/// Error of [`Zone::from_str`]: says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid time zone `{0}`: expected `UTC`, an offset such as `+02:00` or `-0530`, or an IANA name such as `Europe/Berlin`")]
pub struct ZoneError(pub String);

impl FromStr for Zone {
    type Err = ZoneError;

    /// Accepts `UTC` / `Z` (any case), an offset `±HH`, `±HHMM` or `±HH:MM`, or an IANA
    /// time-zone name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("utc") || t.eq_ignore_ascii_case("z") {
            return Ok(Zone::Utc);
        }
        if let Some(rest) = t.strip_prefix('+').or_else(|| t.strip_prefix('-')) {
            let sign = if t.starts_with('-') { -1 } else { 1 };
            let digits: String = rest.chars().filter(|c| *c != ':').collect();
            let ok_shape = rest.bytes().all(|b| b.is_ascii_digit() || b == b':')
                && (digits.len() == 2 || digits.len() == 4)
                && (!rest.contains(':')
                    || rest.len() == 5 && rest.as_bytes().get(2) == Some(&b':'));
            if ok_shape {
                let h: i32 = digits.get(0..2).and_then(|x| x.parse().ok()).unwrap_or(99);
                let m: i32 = digits.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
                if h <= 23 && m <= 59 {
                    if let Some(o) = FixedOffset::east_opt(sign * (h * 3600 + m * 60)) {
                        return Ok(if o.local_minus_utc() == 0 {
                            Zone::Utc
                        } else {
                            Zone::Fixed(o)
                        });
                    }
                }
            }
            return Err(ZoneError(s.to_string()));
        }
        t.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| ZoneError(s.to_string()))
    }
}

/// One log record's first line, split into its parts. Text parts borrow from the line
/// whenever possible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// The record's instant, UTC.
    pub ts: DateTime<Utc>,
    /// Log level as written (`INFO`, `WARN`, …; JSON levels are upper-cased).
    pub level: Cow<'a, str>,
    /// Logger name (usually the full class name).
    pub logger: Cow<'a, str>,
    /// The message: everything after the layout's ` - ` separator (JSON: the `message`
    /// value, which may contain newlines).
    pub message: Cow<'a, str>,
    /// Whether the text parsed had no ANSI escape byte at all: its parts need no
    /// [`strip_ansi`] (which then saves searching the line for one a second time).
    pub plain: bool,
    /// Whether the instant came with its own zone or as epoch time (JSON layouts' RFC 3339
    /// or epoch timestamps): it needs no local reading, so nothing about it is ambiguous in
    /// the hour a DST change repeats.
    pub exact: bool,
}

impl Envelope<'_> {
    /// The same envelope owning its text.
    pub fn into_owned(self) -> Envelope<'static> {
        Envelope {
            ts: self.ts,
            level: Cow::Owned(self.level.into_owned()),
            logger: Cow::Owned(self.logger.into_owned()),
            message: Cow::Owned(self.message.into_owned()),
            plain: self.plain,
            exact: self.exact,
        }
    }
}

/// Parse `line` as the first line of a log record, or `None` when it is not one (a
/// continuation line, a banner, garbage). Timestamps without a zone are read in `zone`.
///
/// A trailing `\r` (and a leading byte-order mark) is ignored, and so are ANSI colour codes
/// anywhere in the line (log4j's `%highlight`, a console appender's colours kept by the
/// container runtime): see [`strip_ansi`]. Only a line that has some is copied.
pub fn parse_line<'a>(line: &'a str, zone: &Zone) -> Option<Envelope<'a>> {
    if memchr::memchr(ESC, line.as_bytes()).is_some() {
        let clean = strip_ansi(line);
        return parse_plain(&clean, zone).map(|e| Envelope {
            plain: false,
            ..e.into_owned()
        });
    }
    parse_plain(line, zone)
}

/// [`parse_line`] for a line known to hold no escape byte (its reader looked): the same
/// envelope, without searching the line for one.
pub fn parse_plain_line<'a>(line: &'a str, zone: &Zone) -> Option<Envelope<'a>> {
    debug_assert!(memchr::memchr(ESC, line.as_bytes()).is_none());
    parse_plain(line, zone)
}

/// Whether `line` (holding no escape byte) is surely no record's first line, told from its
/// first bytes alone: what [`parse_plain_line`] returns `None` for without parsing. Lines
/// of a stack trace (`\tat …`, `Caused by: …`) are the common case; `false` means "maybe".
pub fn surely_no_record(line: &[u8]) -> bool {
    match line.first() {
        // A timestamp, a JSON object, or a byte-order mark and what follows it.
        None | Some(b'0'..=b'9' | b'{' | 0x80..) => false,
        // Indented: a record only if a JSON object follows the white space (`trim_start`'s
        // ASCII white space; a character beyond ASCII is left to the parser).
        Some(b' ' | b'\t') => {
            let k = line
                .iter()
                .position(|c| !matches!(c, b'\t'..=b'\r' | b' '))
                .unwrap_or(line.len());
            line.get(k).map_or(true, |c| *c != b'{' && *c < 0x80)
        }
        Some(_) => true,
    }
}

/// The escape byte that starts an ANSI control sequence.
const ESC: u8 = 0x1b;

/// `text` without ANSI control sequences: CSI sequences `ESC [ parameters intermediates
/// final` (SGR colours such as `ESC[32m` and `ESC[0;39m`, but also erase-line codes), and
/// other escapes `ESC intermediates final` (`ESC ( B`). Borrowed, not copied, when there is no escape byte. An escape
/// byte cut off at the end of the text is dropped.
pub fn strip_ansi(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let Some(first) = memchr::memchr(ESC, b) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut keep_from = 0;
    let mut i = first;
    while let Some(p) = b.get(i..).and_then(|r| memchr::memchr(ESC, r)) {
        let start = i + p;
        out.push_str(text.get(keep_from..start).unwrap_or(""));
        let mut j = start + 1;
        match b.get(j) {
            Some(b'[') => {
                j += 1;
                // Parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte
                // 0x40–0x7E; anything else ends the sequence there (malformed).
                while matches!(b.get(j), Some(0x30..=0x3f)) {
                    j += 1;
                }
                while matches!(b.get(j), Some(0x20..=0x2f)) {
                    j += 1;
                }
                if matches!(b.get(j), Some(0x40..=0x7e)) {
                    j += 1;
                }
            }
            // Other escapes: intermediate bytes 0x20–0x2F, then a final byte 0x30–0x7E
            // (`ESC ( B` selects a character set, `ESC =` a keypad mode, …).
            _ => {
                while matches!(b.get(j), Some(0x20..=0x2f)) {
                    j += 1;
                }
                if matches!(b.get(j), Some(0x30..=0x7e)) {
                    j += 1;
                }
            }
        }
        // Sequences are ASCII: `j` is a char boundary unless the text is cut oddly; then
        // resume at the next boundary.
        while j < b.len() && !text.is_char_boundary(j) {
            j += 1;
        }
        keep_from = j;
        i = j;
    }
    out.push_str(text.get(keep_from..).unwrap_or(""));
    Cow::Owned(out)
}

/// [`parse_line`] for a line without escape codes.
fn parse_plain<'a>(line: &'a str, zone: &Zone) -> Option<Envelope<'a>> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    match line.as_bytes().first()? {
        b'0'..=b'9' => parse_pattern(line, zone),
        b'{' => parse_json(line, zone),
        b' ' | b'\t' => {
            let t = line.trim_start();
            if t.starts_with('{') {
                parse_json(t, zone)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Index of the first byte at or after `i` that is not a space or tab. Padding runs (the
/// logger is padded to 60 columns) are skipped eight bytes at a time.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    const SPACES: u64 = 0x2020_2020_2020_2020;
    while let Some(w) = b.get(i..i + 8) {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        let x = u64::from_le_bytes(a) ^ SPACES;
        if x != 0 {
            // The bytes before the first non-space one are spaces.
            i += (x.trailing_zeros() / 8) as usize;
            break;
        }
        i += 8;
    }
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// Index of the first space or tab at or after `i` (or the end).
fn find_ws(b: &[u8], i: usize) -> usize {
    match b.get(i..) {
        Some(rest) => i + memchr::memchr2(b' ', b'\t', rest).unwrap_or(rest.len()),
        None => b.len(),
    }
}

/// Parse a naive timestamp `yyyy-MM-dd[ T]HH:mm:ss[,.]fffffffff` (fraction optional, 1 to
/// 9 digits) at the start of `b`; returns it and the number of bytes consumed.
pub(crate) fn parse_naive_ts(b: &[u8]) -> Option<(NaiveDateTime, usize)> {
    let h: &[u8; 19] = b.get(..19)?.try_into().ok()?;
    // A byte that is not a digit wraps to 10 or more.
    let d = |k: usize| u32::from(h[k].wrapping_sub(b'0'));
    if h[16] != b':' || d(17) > 9 || d(18) > 9 {
        return None;
    }
    let sec = d(17) * 10 + d(18);
    let (date, hour, min) = cached_minute(h, || {
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15];
        if digits.iter().fold(0, |bad, &k| bad | u32::from(d(k) > 9)) != 0
            || h[4] != b'-'
            || h[7] != b'-'
            || !matches!(h[10], b' ' | b'T')
            || h[13] != b':'
        {
            return None;
        }
        let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
        let date = NaiveDate::from_ymd_opt(
            i32::try_from(year).ok()?,
            d(5) * 10 + d(6),
            d(8) * 10 + d(9),
        )?;
        let (hour, min) = (d(11) * 10 + d(12), d(14) * 10 + d(15));
        NaiveTime::from_hms_opt(hour, min, 0)?;
        Some((date, hour, min))
    })?;
    let mut i = 19;
    let mut nanos = 0u32;
    let digit = |k: usize| b.get(k).map_or(10, |c| u32::from(c.wrapping_sub(b'0')));
    let (m0, m1, m2) = (digit(20), digit(21), digit(22));
    let fraction = matches!(b.get(i), Some(b',' | b'.'));
    if fraction && m0.max(m1).max(m2) <= 9 && digit(23) > 9 {
        // Milliseconds (`,SSS`, log4j's and logback's default), read at once.
        nanos = (m0 * 100 + m1 * 10 + m2) * 1_000_000;
        i = 23;
    } else if fraction && m0 <= 9 {
        i += 1;
        let mut digits = 0;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if digits < 9 {
                nanos = nanos * 10 + u32::from(c - b'0');
                digits += 1;
            }
            i += 1;
        }
        nanos *= POW10[9 - digits];
    }
    let time = NaiveTime::from_hms_nano_opt(hour, min, sec, nanos)?;
    Some((NaiveDateTime::new(date, time), i))
}

/// `10^k` for the digits a fraction lacks to be nanoseconds.
const POW10: [u32; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// The date, hour and minute of `b[..16]` (`yyyy-MM-dd HH:mm`, from `read` when it is not
/// the last one read, which checks it): consecutive records nearly always share their
/// minute, so the last one is remembered per thread and only the seconds and fraction are
/// read per record.
fn cached_minute(
    b: &[u8],
    read: impl FnOnce() -> Option<(NaiveDate, u32, u32)>,
) -> Option<(NaiveDate, u32, u32)> {
    use std::cell::Cell;
    type Minute = ([u8; 16], (NaiveDate, u32, u32));
    thread_local! {
        static LAST: Cell<Option<Minute>> = const { Cell::new(None) };
    }
    let key: [u8; 16] = b.get(..16)?.try_into().ok()?;
    LAST.with(|last| {
        if let Some((k, m)) = last.get() {
            if k == key {
                return Some(m);
            }
        }
        let m = read()?;
        last.set(Some((key, m)));
        Some(m)
    })
}

/// The length of a level word at the start of `b` (log4j and logback names), if it is one
/// and ends there (at a space, a tab or the end).
fn level_len(b: &[u8]) -> Option<usize> {
    let n = match b.first()? {
        b'I' if b.starts_with(b"INFO") => 4,
        b'W' if b.starts_with(b"WARN") => 4,
        b'E' if b.starts_with(b"ERROR") => 5,
        b'D' if b.starts_with(b"DEBUG") => 5,
        b'T' if b.starts_with(b"TRACE") => 5,
        b'F' if b.starts_with(b"FATAL") => 5,
        _ => return None,
    };
    matches!(b.get(n), None | Some(b' ' | b'\t')).then_some(n)
}

/// The log4j / logback pattern layouts.
fn parse_pattern<'a>(line: &'a str, zone: &Zone) -> Option<Envelope<'a>> {
    let b = line.as_bytes();
    let (naive, mut i) = parse_naive_ts(b)?;
    if !matches!(b.get(i), Some(b' ' | b'\t')) {
        return None;
    }
    i = skip_ws(b, i);
    // logback: `[thread name] LEVEL`; the thread name may contain spaces.
    if b.get(i) == Some(&b'[') {
        let close = memchr::memchr(b']', b.get(i..)?)?;
        i = skip_ws(b, i + close + 1);
    }
    let level_end = i + level_len(b.get(i..)?)?;
    let lvl = line.get(i..level_end)?;
    i = skip_ws(b, level_end);
    let logger_end = find_ws(b, i);
    if logger_end == i {
        return None;
    }
    let logger = line.get(i..logger_end)?;
    let rest_start = skip_ws(b, logger_end);
    let rest = b.get(rest_start..)?;
    let msg_off = message_offset(rest)?;
    let message = line.get(rest_start + msg_off..).unwrap_or("");
    Some(Envelope {
        ts: zone.to_utc(naive)?,
        level: Cow::Borrowed(lvl),
        logger: Cow::Borrowed(logger),
        message: Cow::Borrowed(message),
        plain: true,
        exact: false,
    })
}

/// Where the message starts in `rest` (the part after the logger and its padding): after
/// the first ` - ` that follows the optional `[...]` context. A line ending in the separator
/// itself has an empty message.
fn message_offset(rest: &[u8]) -> Option<usize> {
    if rest.starts_with(b"[] - ") {
        return Some(5);
    }
    if rest.starts_with(b"- ") {
        return Some(2);
    }
    if rest == b"-" {
        return Some(rest.len());
    }
    if rest.first() == Some(&b'[') {
        if let Some(p) = find_anchored(rest, b"] - ", 0) {
            return Some(p + 4);
        }
        if rest.ends_with(b"] -") {
            return Some(rest.len());
        }
    }
    if let Some(p) = find_anchored(rest, b" - ", 1) {
        return Some(p + 3);
    }
    if rest.ends_with(b" -") {
        return Some(rest.len());
    }
    None
}

/// Position of the first `pat` in `hay`, searching with `memchr` for the byte
/// `pat[anchor]` (pick a rare one): for the short separators here this beats setting up a
/// substring searcher on every line.
fn find_anchored(hay: &[u8], pat: &[u8], anchor: usize) -> Option<usize> {
    let a = *pat.get(anchor)?;
    let mut from = anchor;
    while let Some(p) = memchr::memchr(a, hay.get(from..)?) {
        let start = from + p - anchor;
        if hay.get(start..start + pat.len()) == Some(pat) {
            return Some(start);
        }
        from += p + 1;
    }
    None
}

/// The JSON layouts.
fn parse_json<'a>(line: &'a str, zone: &Zone) -> Option<Envelope<'a>> {
    use serde_json::Value;
    let v: Value = serde_json::from_str(line).ok()?;
    let obj = v.as_object()?;
    // A key either literally dotted (`"log.level"`) or nested (`{"log":{"level":…}}`).
    let get = |dotted: &str| -> Option<&Value> {
        if let Some(x) = obj.get(dotted) {
            return Some(x);
        }
        let mut cur = &v;
        for part in dotted.split('.') {
            cur = cur.get(part)?;
        }
        Some(cur)
    };
    let (ts, exact) = if let Some(t) = get("@timestamp").or_else(|| get("timestamp")) {
        json_ts(t, zone)?
    } else if let Some(inst) = obj.get("instant") {
        let secs = inst.get("epochSecond")?.as_i64()?;
        let nanos = inst
            .get("nanoOfSecond")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        (
            DateTime::from_timestamp(secs, u32::try_from(nanos).ok()?)?,
            true,
        )
    } else if let Some(ms) = obj.get("timeMillis") {
        (DateTime::from_timestamp_millis(ms.as_i64()?)?, true)
    } else {
        return None;
    };
    let level = get("log.level")
        .or_else(|| obj.get("level"))
        .and_then(Value::as_str)?;
    let logger = get("log.logger")
        .or_else(|| obj.get("loggerName"))
        .or_else(|| obj.get("logger_name"))
        .or_else(|| obj.get("logger"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let message = match obj.get("message") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    // Escapes inside JSON strings (`\u001b[32m`) are colour codes too.
    let level = strip_ansi(level);
    let level = if level.bytes().any(|c| c.is_ascii_lowercase()) {
        level.to_ascii_uppercase()
    } else {
        level.into_owned()
    };
    Some(Envelope {
        ts,
        level: Cow::Owned(level),
        logger: Cow::Owned(strip_ansi(logger).into_owned()),
        message: Cow::Owned(match strip_ansi(&message) {
            Cow::Borrowed(_) => message,
            Cow::Owned(clean) => clean,
        }),
        plain: true,
        exact,
    })
}

/// A JSON timestamp: RFC 3339 text with a zone (exact), text without one (read in `zone`),
/// or a number of epoch milliseconds; with whether it was exact.
fn json_ts(v: &serde_json::Value, zone: &Zone) -> Option<(DateTime<Utc>, bool)> {
    if let Some(ms) = v.as_i64() {
        return Some((DateTime::from_timestamp_millis(ms)?, true));
    }
    let s = v.as_str()?.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some((t.with_timezone(&Utc), true));
    }
    let (naive, used) = parse_naive_ts(s.as_bytes())?;
    let tail = s.get(used..)?.trim_start();
    if tail.is_empty() {
        return Some((zone.to_utc(naive)?, false));
    }
    if tail == "Z" || tail == "z" {
        return Some((naive.and_utc(), true));
    }
    let off: Zone = tail.parse().ok()?;
    Some((off.to_utc(naive)?, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn flink_padded_line() {
        let l = "2026-11-25 12:36:55,137 INFO  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint     [] - http://127.0.0.1:8081 was granted leadership with leaderSessionID=79f1aa78-d705-4f10-b2d4-cabd6801d714";
        let e = parse_line(l, &Zone::Utc).unwrap();
        assert_eq!(e.ts, utc("2026-11-25T12:36:55.137Z"));
        assert_eq!(e.level, "INFO");
        assert_eq!(
            e.logger,
            "org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint"
        );
        assert!(e.message.starts_with("http://127.0.0.1:8081 was granted"));
        assert!(matches!(e.message, Cow::Borrowed(_)));
    }

    #[test]
    fn collapsed_whitespace_and_no_brackets() {
        let l = "2022-12-11 15:29:32,378 INFO org.apache.flink.kubernetes.kubeclient.resources.KubernetesLeaderElector [] - New leader elected 3e81a3e8 for x.";
        let e = parse_line(l, &Zone::Utc).unwrap();
        assert_eq!(e.message, "New leader elected 3e81a3e8 for x.");
        let l = "2022-12-11 15:29:32,378 WARN org.x.Y - a - b";
        let e = parse_line(l, &Zone::Utc).unwrap();
        assert_eq!(e.level, "WARN");
        assert_eq!(e.logger, "org.x.Y");
        assert_eq!(e.message, "a - b");
    }

    #[test]
    fn message_may_contain_separator_and_mdc() {
        let l = "2024-01-01 00:00:00,001 ERROR org.x.Y [flink-job-id=abc] - left - right\r";
        let e = parse_line(l, &Zone::Utc).unwrap();
        assert_eq!(e.message, "left - right");
        let l = "2024-01-01 00:00:00,001 INFO  org.x.Y                  [] - ";
        assert_eq!(parse_line(l, &Zone::Utc).unwrap().message, "");
        let l = "2024-01-01 00:00:00,001 INFO  org.x.Y [] -";
        assert_eq!(parse_line(l, &Zone::Utc).unwrap().message, "");
    }

    #[test]
    fn logback_layout() {
        let l = "2024-05-06 10:15:31.112 [flink-akka.actor.default-dispatcher-5] INFO  o.a.f.r.c.CheckpointCoordinator - Completed checkpoint 1 for job x.";
        let e = parse_line(l, &Zone::Utc).unwrap();
        assert_eq!(e.ts, utc("2024-05-06T10:15:31.112Z"));
        assert_eq!(e.logger, "o.a.f.r.c.CheckpointCoordinator");
        assert_eq!(e.message, "Completed checkpoint 1 for job x.");
        let l = "2024-05-06 10:15:31.112 [Checkpoint Timer] WARN x.Y - m";
        assert_eq!(parse_line(l, &Zone::Utc).unwrap().logger, "x.Y");
    }

    #[test]
    fn rejects_non_records() {
        for l in [
            "",
            "\tat org.apache.flink.Foo.bar(Foo.java:1)",
            "INFO  [] - Loading configuration property: a, b",
            "2026-11-25 12:36:52,258 NOTALEVEL x.Y [] - m",
            "2026-11-25 12:36:52,258 INFO x.Y no separator",
            "2026-13-25 12:36:52,258 INFO x.Y [] - bad month",
            "2026-11-25 12:36:52,258",
            "2026-11-25",
            "{not json",
            "{\"a\":1}",
            "\u{0}\u{0}\u{0}",
        ] {
            assert!(parse_line(l, &Zone::Utc).is_none(), "{l:?}");
        }
    }

    #[test]
    fn zones() {
        let l = "2024-07-01 12:00:00,000 INFO x.Y [] - m";
        let berlin: Zone = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            parse_line(l, &berlin).unwrap().ts,
            utc("2024-07-01T10:00:00Z")
        );
        let fixed: Zone = "+02:00".parse().unwrap();
        assert_eq!(
            parse_line(l, &fixed).unwrap().ts,
            utc("2024-07-01T10:00:00Z")
        );
        let neg: Zone = "-0530".parse().unwrap();
        assert_eq!(parse_line(l, &neg).unwrap().ts, utc("2024-07-01T17:30:00Z"));
        assert_eq!("utc".parse::<Zone>().unwrap(), Zone::Utc);
        assert_eq!("+00:00".parse::<Zone>().unwrap(), Zone::Utc);
        for bad in ["Mars/Olympus", "+25:00", "+2:00", "", "+02:60"] {
            let e = bad.parse::<Zone>().unwrap_err();
            assert!(e.to_string().contains("IANA"), "{bad}");
        }
        // Ambiguous hour at the end of DST: earlier instant; gap: offset before the gap.
        let amb = NaiveDate::from_ymd_opt(2024, 10, 27)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(berlin.to_utc(amb).unwrap(), utc("2024-10-27T00:30:00Z"));
        let gap = NaiveDate::from_ymd_opt(2024, 3, 31)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(berlin.to_utc(gap).unwrap(), utc("2024-03-31T01:30:00Z"));
        // The other reading of the repeated hour.
        assert_eq!(
            berlin.later_reading(utc("2024-10-27T00:30:00Z")),
            Some(utc("2024-10-27T01:30:00Z"))
        );
        for t in [
            "2024-10-27T01:30:00Z",
            "2024-10-26T23:59:59Z",
            "2024-03-31T01:30:00Z",
        ] {
            assert_eq!(berlin.later_reading(utc(t)), None, "{t}");
        }
        assert_eq!(Zone::Utc.later_reading(utc("2024-10-27T00:30:00Z")), None);
        assert_eq!(fixed.later_reading(utc("2024-10-27T00:30:00Z")), None);
    }

    #[test]
    fn json_ecs_dotted_and_nested() {
        let l = r#"{"@timestamp":"2026-11-25T12:36:55.137Z","log.level":"INFO","message":"Hello - world","log.logger":"org.x.Y","process.thread.name":"main"}"#;
        let e = parse_line(l, &Zone::Utc).unwrap();
        assert_eq!(e.ts, utc("2026-11-25T12:36:55.137Z"));
        assert_eq!(e.level, "INFO");
        assert_eq!(e.logger, "org.x.Y");
        assert_eq!(e.message, "Hello - world");
        let l = r#"{"@timestamp":"2026-11-25T12:36:55.137","log":{"level":"warn","logger":"org.x.Z"},"message":"a\nb"}"#;
        let e = parse_line(l, &"+01:00".parse().unwrap()).unwrap();
        assert_eq!(e.ts, utc("2026-11-25T11:36:55.137Z"));
        assert_eq!(e.level, "WARN");
        assert_eq!(e.logger, "org.x.Z");
        assert_eq!(e.message, "a\nb");
    }

    #[test]
    fn json_classic() {
        let l = r#"{"instant":{"epochSecond":1795610203,"nanoOfSecond":520000000},"thread":"main","level":"INFO","loggerName":"org.x.Y","message":"m","endOfBatch":false,"thrown":{"name":"java.lang.Exception","message":"boom"}}"#;
        let e = parse_line(l, &Zone::Utc).unwrap();
        assert_eq!(e.ts.timestamp_millis(), 1_795_610_203_520);
        assert_eq!(e.logger, "org.x.Y");
        let l =
            r#"  {"timeMillis":1795610203520,"level":"ERROR","loggerName":"a.B","message":"x"}"#;
        let e = parse_line(l, &Zone::Utc).unwrap();
        assert_eq!(e.ts.timestamp_millis(), 1_795_610_203_520);
        assert_eq!(e.level, "ERROR");
    }

    #[test]
    fn anchored_search() {
        assert_eq!(find_anchored(b"a - b - c", b" - ", 1), Some(1));
        assert_eq!(find_anchored(b"a-b -c - d", b" - ", 1), Some(6));
        assert_eq!(find_anchored(b"- x", b" - ", 1), None);
        assert_eq!(find_anchored(b"[x]] - m", b"] - ", 0), Some(3));
        assert_eq!(find_anchored(b"", b"] - ", 0), None);
        assert_eq!(find_anchored(b" -", b" - ", 1), None);
    }

    /// The straightforward definition of the pattern layouts (byte by byte, every check
    /// spelled out), which the fast parser must equal on every line.
    fn reference<'a>(line: &'a str, zone: &Zone) -> Option<Envelope<'a>> {
        let b = line.as_bytes();
        let dig = |i: usize| match b.get(i) {
            Some(c @ b'0'..=b'9') => Some(u32::from(c - b'0')),
            _ => None,
        };
        let n2 = |i: usize| Some(dig(i)? * 10 + dig(i + 1)?);
        let year = n2(0)? * 100 + n2(2)?;
        if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let (month, day) = (n2(5)?, n2(8)?);
        if !matches!(b.get(10), Some(b' ' | b'T'))
            || b.get(13) != Some(&b':')
            || b.get(16) != Some(&b':')
        {
            return None;
        }
        let (hour, min, sec) = (n2(11)?, n2(14)?, n2(17)?);
        let mut i = 19;
        let mut nanos = 0u32;
        if matches!(b.get(i), Some(b',' | b'.')) && dig(i + 1).is_some() {
            i += 1;
            let mut digits = 0;
            while let Some(d) = dig(i) {
                if digits < 9 {
                    nanos = nanos * 10 + d;
                    digits += 1;
                }
                i += 1;
            }
            for _ in digits..9 {
                nanos *= 10;
            }
        }
        let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
        let naive = NaiveDateTime::new(date, NaiveTime::from_hms_nano_opt(hour, min, sec, nanos)?);
        let ws = |mut i: usize| {
            while matches!(b.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            i
        };
        let until_ws = |i: usize| {
            (i..b.len())
                .find(|k| matches!(b[*k], b' ' | b'\t'))
                .unwrap_or(b.len())
        };
        if !matches!(b.get(i), Some(b' ' | b'\t')) {
            return None;
        }
        i = ws(i);
        if b.get(i) == Some(&b'[') {
            let close = b[i..].iter().position(|c| *c == b']')?;
            i = ws(i + close + 1);
        }
        let level_end = until_ws(i);
        if !["INFO", "WARN", "ERROR", "DEBUG", "TRACE", "FATAL"].contains(&&line[i..level_end]) {
            return None;
        }
        let level = &line[i..level_end];
        i = ws(level_end);
        let logger_end = until_ws(i);
        if logger_end == i {
            return None;
        }
        let logger = &line[i..logger_end];
        let rest_start = ws(logger_end);
        let msg_off = message_offset(&b[rest_start..])?;
        Some(Envelope {
            ts: zone.to_utc(naive)?,
            level: Cow::Borrowed(level),
            logger: Cow::Borrowed(logger),
            message: Cow::Borrowed(&line[rest_start + msg_off..]),
            plain: true,
            exact: false,
        })
    }

    /// Seeded lines made of the pieces of a log4j / logback line, each piece sometimes
    /// broken, padded or swapped for another.
    #[test]
    fn fast_parser_equals_the_reference() {
        let mut seed = 0x5eed_u64;
        let mut below = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let dates = [
            "2026-11-25 12:36:55,137",
            "2026-11-25T12:36:55.1",
            "2026-11-25 12:36:55",
            "2024-02-29 23:59:59,999999999999",
            "2023-02-29 00:00:00,000",
            "2026-13-01 00:00:00,000",
            "2026-11-25 24:00:00,000",
            "2026-11-25 12:60:00,000",
            "2026-11-25 12:00:60,000",
            "2026-11-25 12:36:5",
            "2026-11-2512:36:55,137",
            "0000-01-01 00:00:00,0",
            "2026-11-25 12:36:55,",
            // The minute of the first one, remembered, with a bad second or separator.
            "2026-11-25 12:36:5x,137",
            "2026-11-25 12:36;55,137",
            "2026-11-25 12:36:61,137",
            "2026-11-25 12:37:00,000",
            // Around the three-digit fraction read at once.
            "2026-11-25 12:37:00.137",
            "2026-11-25 12:37:00,13",
            "2026-11-25 12:37:00,1370",
            "2026-11-25 12:37:00,13x",
            "2026-11-25 12:37:00;137",
        ];
        let gaps = ["", " ", "  ", "\t", " \t ", "                    "];
        let levels = [
            "INFO",
            "WARN",
            "ERROR",
            "DEBUG",
            "TRACE",
            "FATAL",
            "INFOX",
            "INF",
            "info",
            "[main] INFO",
            "[a b] WARN",
        ];
        let loggers = [
            "org.apache.flink.X",
            "o.a.f.r.c.CheckpointCoordinator",
            "x",
            "",
            "a\u{e9}b",
        ];
        let seps = [
            "[] - ",
            "- ",
            "-",
            "[] -",
            "[x] - ",
            "[x]] - ",
            " - ",
            "[] ",
            "x - y",
            "[flink-job-id=abc] - ",
        ];
        let msgs = [
            "",
            "m",
            "a - b",
            "Completed checkpoint 1 for job x.",
            "\u{e9}\u{1F600}",
        ];
        let zones: [Zone; 2] = [Zone::Utc, "+02:00".parse().unwrap()];
        let mut records = 0;
        for _ in 0..60_000 {
            let mut l = String::new();
            for part in [
                &dates[..],
                &gaps,
                &levels,
                &gaps,
                &loggers,
                &gaps,
                &seps,
                &msgs,
            ] {
                l.push_str(part[below(part.len())]);
                if below(6) == 0 {
                    l.push(' ');
                }
            }
            if below(10) == 0 {
                let mut cut = below(l.len() + 1);
                while !l.is_char_boundary(cut) {
                    cut -= 1;
                }
                l.truncate(cut);
            }
            let z = &zones[below(2)];
            let want = reference(&l, z);
            records += usize::from(want.is_some());
            assert_eq!(parse_pattern(&l, z), want, "{l:?}");
        }
        assert!(records > 2_000, "{records} records");
    }

    #[test]
    fn padding_is_skipped_in_words() {
        for n in 0..40 {
            let mut b = vec![b' '; n];
            b.push(b'x');
            assert_eq!(skip_ws(&b, 0), n);
            b.insert(n / 2, b'\t');
            assert_eq!(skip_ws(&b, 0), n + 1);
        }
    }

    #[test]
    fn word_end_is_the_first_space_or_tab() {
        let naive = |b: &[u8], i: usize| {
            (i..b.len())
                .find(|&k| matches!(b[k], b' ' | b'\t'))
                .unwrap_or(b.len())
        };
        let alphabet = [
            b'a',
            b' ',
            b'\t',
            0x00,
            0x01,
            0x20 ^ 0x80,
            0x09 ^ 0x80,
            0xff,
            b'!',
        ];
        let mut seed = 0x1234_5678_u64;
        for _ in 0..4000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 40) as usize;
            let b: Vec<u8> = (0..len)
                .map(|k| alphabet[((seed >> (k % 50)) as usize + k * 7) % alphabet.len()])
                .collect();
            for i in 0..=len + 2 {
                assert_eq!(find_ws(&b, i), naive(&b, i), "{b:?} from {i}");
            }
        }
    }

    #[test]
    fn ansi_colours_anywhere_are_ignored() {
        let plain = "2024-05-06 10:15:31,112 INFO  org.x.Y [] - Completed checkpoint 7 for job x.";
        let want = parse_line(plain, &Zone::Utc).unwrap();
        for coloured in [
            // log4j %highlight{%-5p}: the padding sits inside the colour.
            "2024-05-06 10:15:31,112 \x1b[32mINFO \x1b[m org.x.Y [] - Completed checkpoint 7 for job x.",
            // The whole line highlighted, with reset codes of logback's %clr.
            "\x1b[0;39m2024-05-06 10:15:31,112\x1b[0;39m \x1b[1;32mINFO\x1b[0;39m  \x1b[36morg.x.Y\x1b[0;39m [] - Completed checkpoint 7 for job x.\x1b[0m",
            // A 256-colour code and an erase-line code.
            "2024-05-06 10:15:31,112 \x1b[38;5;2mINFO\x1b[0m  org.x.Y [] - Completed checkpoint 7 for job x.\x1b[K\r",
        ] {
            let e = parse_line(coloured, &Zone::Utc).unwrap_or_else(|| panic!("{coloured:?}"));
            // Only the flag tells them apart: the record's text still needs its codes off.
            assert!(want.plain && !e.plain, "{coloured:?}");
            assert_eq!(Envelope { plain: true, ..e }, want, "{coloured:?}");
        }
        let json = r#"{"@timestamp":"2024-05-06T10:15:31.112Z","log.level":"\u001b[32mINFO\u001b[m","log.logger":"org.x.Y","message":"Completed checkpoint 7 for job x.\u001b[0m"}"#;
        let e = parse_line(json, &Zone::Utc).unwrap();
        assert_eq!(
            (e.level.as_ref(), e.message.as_ref()),
            ("INFO", want.message.as_ref())
        );
    }

    #[test]
    fn strip_ansi_borrows_plain_text_and_survives_odd_escapes() {
        assert!(matches!(
            strip_ansi("no escapes"),
            Cow::Borrowed("no escapes")
        ));
        assert_eq!(strip_ansi("a\x1b[1;31mb\x1b[0mc"), "abc");
        assert_eq!(strip_ansi("\x1b(Bx\x1b"), "x");
        assert_eq!(strip_ansi("\x1b[12"), "");
        assert_eq!(
            strip_ansi("\x1b[31m\u{e9}t\u{e9}\x1b\u{e9}"),
            "\u{e9}t\u{e9}\u{e9}"
        );
        assert_eq!(strip_ansi("\x1b\x1b[m!"), "!");
    }

    #[test]
    fn iso_t_and_nanos() {
        let l = "2026-11-25T12:36:55.123456789 INFO x.Y [] - m";
        let e = parse_line(l, &Zone::Utc).unwrap();
        assert_eq!(e.ts.timestamp_subsec_nanos(), 123_456_789);
        let l = "2026-11-25 12:36:55 INFO x.Y [] - m";
        assert_eq!(
            parse_line(l, &Zone::Utc).unwrap().ts,
            utc("2026-11-25T12:36:55Z")
        );
    }
}
