//! What a collector or log store wraps around the application's own line: the source it names
//! (pod and container, or a stream), the store's instant, whether the line is only part of a
//! longer one, and the inner line itself, which then goes through the envelopes like any line.

use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::fmt;

/// The collector or store whose layout wrapped a line. Each has a module of its own that
/// cites the tool's documentation of the format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// CRI container log (containerd, CRI-O): `TIMESTAMP STREAM P|F message` ([`super::cri`]).
    Cri,
    /// Docker's json-file logging driver: `{"log":…,"stream":…,"time":…}` ([`super::docker`]).
    Docker,
    /// stern's default template: `[NAMESPACE ]POD CONTAINER [TIMESTAMP ]message`
    /// ([`super::stern`]).
    Stern,
    /// Grafana Loki: `logcli --output=jsonl` lines, `query_range` streams ([`super::loki`]).
    Loki,
    /// An Elasticsearch / OpenSearch document as Filebeat ships it (ECS) ([`super::elastic`]).
    Elasticsearch,
    /// A Fluent Bit record (`log`, `kubernetes.pod_name`), in a file, in Elasticsearch or as a
    /// CloudWatch message ([`super::fluentbit`]).
    FluentBit,
    /// A Google Cloud Logging entry, as `gcloud logging read --format=json` prints it
    /// ([`super::gcloud`]).
    Gcloud,
    /// An AWS CloudWatch Logs event, as `aws logs filter-log-events` prints it
    /// ([`super::cloudwatch`]).
    CloudWatch,
    /// The application's own JSON records where they name their source themselves (an ECS
    /// layout with `kubernetes.*` fields) or come as one document (log4j's `JsonLayout`
    /// pretty-printed, `compact=false`, or as an array, `complete=true`; see
    /// [`super::document`]): a log as written, not a store's export.
    JsonLog,
}

impl Layout {
    /// Whether lines of this layout are written in time order by construction (a container
    /// runtime or a live tail writes them as they come). The others come from a store's query
    /// and may be newest first (Loki's and gcloud's default) or in relevance order
    /// (Elasticsearch), so they are put in time order before records are joined.
    pub fn in_time_order(self) -> bool {
        matches!(self, Layout::Cri | Layout::Docker | Layout::Stern)
    }

    /// Whether the store gives no order along time at all, so that its lines are always
    /// held and sorted: search hits come by relevance, and an export of several shards is
    /// one ordered run after the other.
    pub fn unordered(self) -> bool {
        matches!(self, Layout::Elasticsearch)
    }

    /// Whether every line of an input in this layout carries it, so that a line without it
    /// is malformed (the application's own JSON records may name their source on some lines
    /// only).
    pub fn frames_every_line(self) -> bool {
        !matches!(self, Layout::JsonLog)
    }

    /// The name used in messages and accepted by `--input-format`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Cri => "cri",
            Layout::Docker => "docker",
            Layout::Stern => "stern",
            Layout::Loki => "loki",
            Layout::Elasticsearch => "elasticsearch",
            Layout::FluentBit => "fluent-bit",
            Layout::Gcloud => "gcloud",
            Layout::CloudWatch => "cloudwatch",
            Layout::JsonLog => "json-log",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The output stream a container line was written to: partial lines are joined per stream,
/// as the runtime split them per stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Stream {
    /// Not said, or not stdout / stderr.
    #[default]
    Unknown,
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Stream {
    /// `stdout` / `stderr` (any case), anything else unknown.
    pub fn from_name(s: &str) -> Stream {
        if s.eq_ignore_ascii_case("stdout") {
            Stream::Stdout
        } else if s.eq_ignore_ascii_case("stderr") {
            Stream::Stderr
        } else {
            Stream::Unknown
        }
    }
}

/// One line as a collector or store wrapped it, the wrapping taken off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wrapped<'a> {
    /// Whose layout it was.
    pub layout: Layout,
    /// The source the wrapper names: a pod (or, where the store has no pod, a stream such as
    /// a CloudWatch log stream or a file path); `None`: the input's own source.
    pub pod: Option<Cow<'a, str>>,
    /// The container within the pod, when named.
    pub container: Option<Cow<'a, str>>,
    /// The collector's or store's instant for this line, used instead of the application's
    /// own (as `kubectl logs --timestamps` is).
    pub ts: Option<DateTime<Utc>>,
    /// The output stream.
    pub stream: Stream,
    /// Only the first part of a longer line, which continues in the next line of the same
    /// source and stream (CRI `P`, a Docker `log` without its final newline).
    pub partial: bool,
    /// What the application wrote (its line terminator removed).
    pub text: Cow<'a, str>,
    /// A position of the line in the shipper's source file (Filebeat's `log.offset`), which
    /// orders lines that share an instant.
    pub offset: Option<u64>,
}

impl<'a> Wrapped<'a> {
    /// A wrapped line with only the layout and the text set.
    pub fn new(layout: Layout, text: Cow<'a, str>) -> Self {
        Wrapped {
            layout,
            pod: None,
            container: None,
            ts: None,
            stream: Stream::Unknown,
            partial: false,
            text,
            offset: None,
        }
    }

    /// The same, owning everything it borrowed.
    pub fn into_owned(self) -> Wrapped<'static> {
        Wrapped {
            layout: self.layout,
            pod: self.pod.map(|p| Cow::Owned(p.into_owned())),
            container: self.container.map(|c| Cow::Owned(c.into_owned())),
            ts: self.ts,
            stream: self.stream,
            partial: self.partial,
            text: Cow::Owned(self.text.into_owned()),
            offset: self.offset,
        }
    }

    /// Combine with the wrapping found inside this one's text (a raw CRI line shipped to Loki
    /// unparsed, a Fluent Bit record as a CloudWatch message): the outer layout (it decides
    /// the ordering), the inner text, the inner instant (nearest the application), the outer
    /// source if it names one.
    pub fn nest(self, inner: Wrapped<'static>) -> Wrapped<'static> {
        let outer = self.into_owned();
        Wrapped {
            layout: outer.layout,
            pod: outer.pod.or(inner.pod),
            container: outer.container.or(inner.container),
            ts: inner.ts.or(outer.ts),
            stream: match inner.stream {
                Stream::Unknown => outer.stream,
                s => s,
            },
            partial: inner.partial || outer.partial,
            text: inner.text,
            offset: outer.offset.or(inner.offset),
        }
    }
}

/// `text` without one trailing `\n` (and a `\r` before it); whether there was one.
pub(crate) fn strip_newline(text: &str) -> (&str, bool) {
    match text.strip_suffix('\n') {
        Some(t) => (t.strip_suffix('\r').unwrap_or(t), true),
        None => (text, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_keeps_the_outer_source_and_the_inner_text() {
        let mut outer = Wrapped::new(Layout::Loki, Cow::Borrowed("x stdout F hello"));
        outer.pod = Some(Cow::Borrowed("jm-0"));
        let mut inner = Wrapped::new(Layout::Cri, Cow::Borrowed("hello"));
        inner.partial = true;
        inner.stream = Stream::Stderr;
        inner.ts = DateTime::from_timestamp(5, 0);
        let n = outer.nest(inner.into_owned());
        assert_eq!(n.layout, Layout::Loki);
        assert_eq!(n.pod.as_deref(), Some("jm-0"));
        assert_eq!(n.text, "hello");
        assert!(n.partial);
        assert_eq!(n.stream, Stream::Stderr);
        assert_eq!(n.ts, DateTime::from_timestamp(5, 0));
    }

    #[test]
    fn newline_stripping() {
        assert_eq!(strip_newline("a\n"), ("a", true));
        assert_eq!(strip_newline("a\r\n"), ("a", true));
        assert_eq!(strip_newline("a"), ("a", false));
        assert_eq!(strip_newline("a\r"), ("a\r", false));
        assert_eq!(Stream::from_name("STDERR"), Stream::Stderr);
        assert_eq!(Stream::from_name("x"), Stream::Unknown);
        assert!(Layout::Cri.in_time_order() && !Layout::Loki.in_time_order());
    }
}
