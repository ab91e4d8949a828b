//! CRI container logs, as containerd and CRI-O write them under `/var/log/pods/…/N.log`:
//!
//! ```text
//! 2016-10-06T00:17:09.669794202Z stdout P log content 1
//! 2016-10-06T00:17:09.669794203Z stderr F log content 2
//! ```
//!
//! Reference: the kubelet's reader, `parseCRILog` in kubernetes
//! `pkg/kubelet/kuberuntime/logs/logs.go`, and the design proposal
//! `kubelet-cri-logging.md` (kubernetes/design-proposals-archive, node): space-separated
//! RFC 3339 timestamp with nanoseconds, stream `stdout` or `stderr`, tags separated by `:`
//! of which the first is `P` (partial: the line goes on in the next one of the same stream;
//! the runtime splits lines over 16 KiB) or `F` (full), one space, the content. Only the
//! first tag is interpreted, as the kubelet does (forward compatibility).

use super::wrapped::{Layout, Stream, Wrapped};
use std::borrow::Cow;

/// Parse one CRI log line, or `None` when `line` is not one. The timestamp must be RFC 3339
/// with a zone (the runtimes write UTC with nine fraction digits).
pub fn parse(line: &str) -> Option<Wrapped<'_>> {
    let b = line.as_bytes();
    if b.get(10) != Some(&b'T') {
        return None;
    }
    let (ts, used) = super::parse_rfc3339_prefix(b)?;
    let rest = line.get(used..)?.strip_prefix(' ')?;
    let (stream, rest) = if let Some(r) = rest.strip_prefix("stdout ") {
        (Stream::Stdout, r)
    } else if let Some(r) = rest.strip_prefix("stderr ") {
        (Stream::Stderr, r)
    } else {
        return None;
    };
    let (tags, content) = match rest.split_once(' ') {
        Some((t, c)) => (t, c),
        None => (rest, ""),
    };
    let first = tags.split(':').next().unwrap_or("");
    let partial = match first {
        "P" => true,
        "F" => false,
        _ => return None,
    };
    let mut w = Wrapped::new(Layout::Cri, Cow::Borrowed(content));
    w.ts = Some(ts);
    w.stream = stream;
    w.partial = partial;
    Some(w)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    #[test]
    fn full_and_partial_lines() {
        let w = parse("2016-10-06T00:17:09.669794202Z stdout P log content 1").unwrap();
        assert_eq!(w.layout, Layout::Cri);
        assert_eq!(w.stream, Stream::Stdout);
        assert!(w.partial);
        assert_eq!(w.text, "log content 1");
        assert_eq!(
            w.ts.unwrap(),
            DateTime::parse_from_rfc3339("2016-10-06T00:17:09.669794202Z").unwrap()
        );
        let w = parse("2016-10-06T00:17:09.669794203Z stderr F log content 2").unwrap();
        assert_eq!((w.stream, w.partial), (Stream::Stderr, false));
        assert!(matches!(w.text, Cow::Borrowed("log content 2")));
        // More tags after the first; an empty line with or without the space.
        let w = parse("2016-10-06T00:17:09Z stdout F:x:y a  b ").unwrap();
        assert_eq!(w.text, "a  b ");
        assert_eq!(parse("2016-10-06T00:17:09Z stdout F ").unwrap().text, "");
        assert_eq!(parse("2016-10-06T00:17:09Z stdout F").unwrap().text, "");
        // A zone offset is read exactly.
        let w = parse("2016-10-06T02:17:09+02:00 stdout F x").unwrap();
        assert_eq!(w.ts.unwrap().to_rfc3339(), "2016-10-06T00:17:09+00:00");
    }

    #[test]
    fn not_cri() {
        for l in [
            "2016-10-06T00:17:09.669794202Z log without stream",
            "2016-10-06T00:17:09.669794202Z stdout X content",
            "2016-10-06T00:17:09.669794202Z stdin F content",
            "2016-10-06 00:17:09,669 INFO x.Y [] - stdout F",
            "2016-10-06T00:17:09.669794202Zstdout F x",
            "2016-10-06T00:17:09.669794202 stdout F no zone",
            "",
            "stdout F x",
        ] {
            assert!(parse(l).is_none(), "{l}");
        }
    }
}
