//! stern's output with its default template: `POD CONTAINER MESSAGE`, the namespace in front
//! with `--all-namespaces` (or several `--namespace`s), the message preceded by the
//! container runtime's timestamp with `--timestamps`:
//!
//! ```text
//! flink-jm-0 flink-main-container 2024-05-06 10:15:31,112 INFO …
//! flink flink-jm-0 flink-main-container 2024-05-06T10:15:31.112345678Z 2024-05-06 10:15:31,112 INFO …
//! ```
//!
//! References: stern's README (flags `--timestamps[=default|short]`, `--color`,
//! `--all-namespaces`, `--template`) and `cmd/cmd.go` (templates `{{.PodName}}
//! {{.ContainerName}} {{.Message}}` without colour, each name wrapped in an ANSI colour with
//! it, `{{.Namespace}} ` in front for several namespaces); `stern/tail.go`: the timestamp is
//! `2006-01-02T15:04:05.000000000Z07:00` (RFC 3339 with nine digits, in `--timezone`, local by
//! default) or, with `--timestamps=short`, `01-02 15:04:05` (no year, no zone: skipped, the
//! application's own instant is used).
//!
//! Two names and a message are what many lines look like, so an input is taken as stern's
//! only once one line, the names taken off, is a record start; from then on its lines are
//! read with that many names.

use super::kube_paths::{is_label, is_subdomain};
use super::wrapped::{Layout, Wrapped};
use std::borrow::Cow;

/// How many names precede the message: 2 (pod, container) or 3 (namespace first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Whether the namespace comes first.
    pub namespace: bool,
}

/// The shape of a stern line whose message (checked by `is_record`) starts a record, or
/// `None` when `line` is not such a line.
pub fn detect(line: &str, is_record: impl Fn(&str) -> bool) -> Option<Shape> {
    // A name starts with a lower-case letter or digit, or a colour code: most lines that are
    // not stern's (stack trace lines, `Caused by:`) end here.
    match line.as_bytes().first() {
        Some(b'a'..=b'z' | b'0'..=b'9' | 0x1b) => {}
        _ => return None,
    }
    [false, true]
        .into_iter()
        .map(|namespace| Shape { namespace })
        .find(|&s| parse(line, s).is_some_and(|w| is_record(&w.text)))
}

/// Take the names (and a timestamp) off a line of the given shape; `None` when the line
/// does not start with valid names.
pub fn parse(line: &str, shape: Shape) -> Option<Wrapped<'_>> {
    let mut rest = line;
    if shape.namespace {
        let (ns, r) = name(rest)?;
        if !is_label(ns) {
            return None;
        }
        rest = r;
    }
    let (pod, r) = name(rest)?;
    let (container, r) = name(r)?;
    if !is_subdomain(pod) || !is_label(container) {
        return None;
    }
    let mut w = Wrapped::new(Layout::Stern, Cow::Borrowed(r));
    w.pod = Some(Cow::Borrowed(pod));
    w.container = Some(Cow::Borrowed(container));
    let b = r.as_bytes();
    if b.get(10) == Some(&b'T') {
        if let Some((ts, used)) = super::parse_rfc3339_prefix(b) {
            if let Some(msg) = r.get(used..).and_then(|m| m.strip_prefix(' ')) {
                w.ts = Some(ts);
                w.text = Cow::Borrowed(msg);
            }
        }
    } else if is_short_ts(b) {
        w.text = Cow::Borrowed(r.get(15..).unwrap_or(""));
    }
    Some(w)
}

/// `MM-DD HH:MM:SS ` at the start.
fn is_short_ts(b: &[u8]) -> bool {
    const SHAPE: &[u8; 15] = b"00-00 00:00:00 ";
    b.len() >= SHAPE.len()
        && SHAPE.iter().zip(b).all(|(s, c)| match s {
            b'0' => c.is_ascii_digit(),
            other => other == c,
        })
}

/// One name up to the next space, ANSI colour codes around it removed; the rest after the
/// space.
fn name(s: &str) -> Option<(&str, &str)> {
    let (tok, rest) = s.split_once(' ')?;
    Some((strip_sgr(tok), rest))
}

/// `tok` without leading and trailing ANSI SGR sequences (`ESC [ … m`).
fn strip_sgr(mut tok: &str) -> &str {
    if memchr::memchr(0x1b, tok.as_bytes()).is_none() {
        return tok;
    }
    while let Some(after) = tok.strip_prefix("\u{1b}[") {
        match after.find('m') {
            Some(p) => tok = after.get(p + 1..).unwrap_or(""),
            None => break,
        }
    }
    while let Some(p) = tok.rfind("\u{1b}[") {
        if tok.get(p..).is_some_and(|t| t.ends_with('m')) {
            tok = tok.get(..p).unwrap_or("");
        } else {
            break;
        }
    }
    tok
}

#[cfg(test)]
mod tests {
    use super::*;

    const REC: &str = "2024-05-06 10:15:31,112 INFO  a.B [] - m";

    fn is_rec(s: &str) -> bool {
        s.starts_with("2024-05-06 10:15:31,112 INFO")
    }

    #[test]
    fn shapes_are_detected_on_a_record() {
        let two = format!("flink-jm-0 flink-main-container {REC}");
        assert_eq!(detect(&two, is_rec), Some(Shape { namespace: false }));
        let three = format!("flink flink-jm-0 flink-main-container {REC}");
        assert_eq!(detect(&three, is_rec), Some(Shape { namespace: true }));
        let w = parse(&three, Shape { namespace: true }).unwrap();
        assert_eq!(
            (w.pod.as_deref(), w.container.as_deref()),
            (Some("flink-jm-0"), Some("flink-main-container"))
        );
        assert_eq!(w.text, REC);
        // A continuation line is read once the shape is known, never detected.
        let cont = "flink-jm-0 flink-main-container \tat a.B.c(B.java:1)";
        assert_eq!(detect(cont, is_rec), None);
        assert_eq!(
            parse(cont, Shape { namespace: false }).unwrap().text,
            "\tat a.B.c(B.java:1)"
        );
        for not in [
            REC.to_string(),
            format!("Caused by: {REC}"),
            format!("jm_0 c {REC}"),
            "\tat x.y(Z.java:1)".to_string(),
            "flink-jm-0".to_string(),
        ] {
            assert_eq!(detect(&not, is_rec), None, "{not}");
        }
    }

    #[test]
    fn timestamps_and_colours() {
        let l = format!("jm-0 c 2024-05-06T12:15:31.112345678+02:00 {REC}");
        let w = parse(&l, Shape { namespace: false }).unwrap();
        assert_eq!(
            w.ts.unwrap().to_rfc3339(),
            "2024-05-06T10:15:31.112345678+00:00"
        );
        assert_eq!(w.text, REC);
        let l = format!("jm-0 c 05-06 10:15:31 {REC}");
        let w = parse(&l, Shape { namespace: false }).unwrap();
        assert_eq!((w.ts, w.text.as_ref()), (None, REC));
        let l = format!("\u{1b}[31mjm-0\u{1b}[0m \u{1b}[1;32mc\u{1b}[0m {REC}");
        assert_eq!(detect(&l, is_rec), Some(Shape { namespace: false }));
        let w = parse(&l, Shape { namespace: false }).unwrap();
        assert_eq!(w.pod.as_deref(), Some("jm-0"));
        assert_eq!(w.container.as_deref(), Some("c"));
        assert_eq!(strip_sgr("\u{1b}[31"), "\u{1b}[31");
    }
}
