//! Whole JSON documents of log entries, read as a stream: an Elasticsearch / OpenSearch
//! `_search` response (`hits.hits[]`), a Loki `query_range` response (`data.result[]`
//! streams of `[ns, line]` values), `gcloud logging read --format=json` (an array of
//! entries), `aws logs filter-log-events` (`events[]`), a pretty-printed JSON log (log4j's
//! `JsonLayout` with `compact=false`), or several such documents one after the other.
//!
//! The document is never held whole: serde's visitors walk it and hand each entry over as
//! soon as it is read (one entry, or for Loki one stream's values when its labels come
//! after them, is the most held at once here; what ordering needs is held by the pipeline).
//! Each format's entry is read by its own module ([`super::elastic`], [`super::loki`],
//! [`super::gcloud`], [`super::cloudwatch`]).

use super::wrapped::Wrapped;
use super::{elastic, fields, json, loki};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;
use std::io::{self, BufRead, Read};

/// First keys of the documents read here (a line-per-entry format never starts with one).
const DOCUMENT_KEYS: &[&str] = &[
    "took",
    "timed_out",
    "_shards",
    "hits",
    "_scroll_id",
    "pit_id",
    "status",
    "data",
    "events",
    "searchedLogStreams",
    "nextToken",
    "nextForwardToken",
    "nextBackwardToken",
    "entries",
    "nextPageToken",
];

/// Whether input starting with `head` is a whole JSON document rather than lines: `Some`
/// once that can be told, `None` when more bytes are needed (and `eof` is false). A
/// document starts with `[` and then `{`, or `]` and the end of its line, or with `{` and then a newline
/// (pretty-printed) or one of [`DOCUMENT_KEYS`].
pub fn sniff(head: &[u8], eof: bool) -> Option<bool> {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let Some(start) = head.iter().position(|c| !ws(c)) else {
        return eof.then_some(false);
    };
    let rest = head.get(start + 1..).unwrap_or(&[]);
    let next = rest.iter().position(|c| !ws(c));
    match head.get(start) {
        Some(b'[') => match next.and_then(|p| rest.get(p).map(|c| (p, c))) {
            Some((_, b'{')) => Some(true),
            // An empty array is a document only when nothing but white space follows it
            // on its line: `[] - message` is a log line (an empty MDC first).
            Some((p, b']')) => {
                let after = rest.get(p + 1..).unwrap_or(&[]);
                match after.iter().find(|c| !matches!(c, b' ' | b'\t')) {
                    Some(b'\n' | b'\r') => Some(true),
                    Some(_) => Some(false),
                    None => eof.then_some(true),
                }
            }
            Some(_) => Some(false),
            None => eof.then_some(false),
        },
        Some(b'{') => {
            let gap = rest.get(..next.unwrap_or(rest.len())).unwrap_or(&[]);
            if gap.contains(&b'\n') {
                return Some(true);
            }
            match next.and_then(|p| rest.get(p..)) {
                Some(k) if k.first() == Some(&b'"') => {
                    let body = k.get(1..).unwrap_or(&[]);
                    match memchr::memchr2(b'"', b'\\', body) {
                        Some(q) if body.get(q) == Some(&b'"') => {
                            let key = body.get(..q).unwrap_or(&[]);
                            Some(DOCUMENT_KEYS.iter().any(|d| d.as_bytes() == key))
                        }
                        Some(_) => Some(false),
                        None => eof.then_some(false),
                    }
                }
                Some(_) => Some(false),
                None => eof.then_some(false),
            }
        }
        _ => Some(false),
    }
}

/// How the entries of a document are ordered by the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrangement {
    /// In some order along time (gcloud newest first, CloudWatch oldest first, a JSON log
    /// as written): it can be recognised from the first entries.
    Sequence,
    /// In no order along time: search hits by relevance, Loki streams one after the other.
    Unordered,
}

/// One entry of a document.
#[derive(Debug)]
pub struct Entry {
    /// 1-based number of the entry in the input.
    pub number: u64,
    /// How the entry's container orders its entries.
    pub arrangement: Arrangement,
    /// The entry's line, or `None` when the entry is not one of a log store's (counted as
    /// unparseable, not fatal).
    pub wrapped: Option<Wrapped<'static>>,
}

/// Why reading a document stopped.
#[derive(Debug)]
pub enum DocError<E> {
    /// The text is not JSON, or ends in the middle of the document.
    Syntax {
        /// 1-based line of the input where it went wrong.
        line: u64,
        /// 1-based column.
        column: u64,
        /// Entries read before.
        entries: u64,
        /// What is wrong, for people.
        reason: String,
    },
    /// Reading the bytes failed.
    Io(io::Error),
    /// The entry handler stopped the reading with this error.
    Stopped(E),
}

/// Read every document in `r` (one, or several one after the other), handing each entry to
/// `on_entry` in document order; returns the number of entries.
pub fn read<R: BufRead, E>(
    r: R,
    on_entry: &mut dyn FnMut(Entry) -> Result<(), E>,
) -> Result<u64, DocError<E>> {
    let mut input = Counted {
        inner: r,
        lines: 0,
        column: 0,
    };
    let mut sink = Sink {
        on_entry,
        entries: 0,
        stopped: None,
    };
    loop {
        if !skip_whitespace(&mut input).map_err(DocError::Io)? {
            return Ok(sink.entries);
        }
        let (base_line, base_col) = (input.lines, input.column);
        let mut de = serde_json::Deserializer::from_reader(&mut input);
        if let Err(e) = (Top { sink: &mut sink }).deserialize(&mut de) {
            if let Some(stop) = sink.stopped.take() {
                return Err(DocError::Stopped(stop));
            }
            if e.is_io() {
                return Err(DocError::Io(io::Error::from(e)));
            }
            let line = base_line + e.line() as u64;
            let column = if e.line() <= 1 {
                base_col + e.column() as u64
            } else {
                e.column() as u64
            };
            let msg = e.to_string();
            let msg = match msg.rfind(" at line ") {
                Some(p) => msg.get(..p).unwrap_or(&msg).to_string(),
                None => msg,
            };
            let reason = if e.is_eof() {
                format!("the JSON document ends early (truncated?): {msg}")
            } else {
                format!("not a JSON document of log entries: {msg}")
            };
            return Err(DocError::Syntax {
                line,
                column,
                entries: sink.entries,
                reason,
            });
        }
    }
}

/// Skip whitespace between documents; `false` at the end of the input.
fn skip_whitespace<R: BufRead>(r: &mut Counted<R>) -> io::Result<bool> {
    loop {
        let buf = match r.inner.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(false);
        }
        let len = buf.len();
        let n = buf
            .iter()
            .position(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
            .unwrap_or(len);
        let (lines, column) = position_after(buf.get(..n).unwrap_or(&[]), r.lines, r.column);
        r.lines = lines;
        r.column = column;
        r.inner.consume(n);
        if n < len {
            return Ok(true);
        }
    }
}

/// Line and column after `bytes`, from the ones before.
fn position_after(bytes: &[u8], mut lines: u64, mut column: u64) -> (u64, u64) {
    for &c in bytes {
        if c == b'\n' {
            lines += 1;
            column = 0;
        } else {
            column += 1;
        }
    }
    (lines, column)
}

/// A reader that counts the lines (and the column in the last one) of what it delivered.
struct Counted<R> {
    inner: R,
    lines: u64,
    column: u64,
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let buf = self.inner.fill_buf()?;
        let n = buf.len().min(out.len());
        let (src, dst) = (
            buf.get(..n).unwrap_or(&[]),
            out.get_mut(..n).unwrap_or(&mut []),
        );
        dst.copy_from_slice(src);
        let (l, c) = position_after(src, self.lines, self.column);
        self.lines = l;
        self.column = c;
        self.inner.consume(n);
        Ok(n)
    }
}

/// Where entries go, and why the reading was stopped.
struct Sink<'f, E> {
    on_entry: &'f mut dyn FnMut(Entry) -> Result<(), E>,
    entries: u64,
    stopped: Option<E>,
}

impl<E> Sink<'_, E> {
    fn emit<Er: de::Error>(
        &mut self,
        arrangement: Arrangement,
        wrapped: Option<Wrapped<'static>>,
    ) -> Result<(), Er> {
        self.entries += 1;
        let entry = Entry {
            number: self.entries,
            arrangement,
            wrapped: wrapped.map(super::decode::nested),
        };
        (self.on_entry)(entry).map_err(|e| {
            self.stopped = Some(e);
            Er::custom("stopped")
        })
    }
}

/// An entry object of any store (a gcloud entry, a CloudWatch event, a hit, a record of a
/// pretty-printed JSON log).
fn entry_of(v: &Value) -> Option<Wrapped<'static>> {
    if v.get("_source").is_some() {
        return elastic::from_hit(v);
    }
    json::from_value(v, None)
        .or_else(|| elastic::from_document(v, None, true))
        .or_else(|| {
            let text = fields::app_record_text(v, None)?;
            Some(Wrapped::new(
                super::wrapped::Layout::JsonLog,
                std::borrow::Cow::Owned(text.into_owned()),
            ))
        })
}

/// The top-level value: an array of entries, a container object, or one entry object.
struct Top<'s, 'f, E> {
    sink: &'s mut Sink<'f, E>,
}

impl<'de, E> DeserializeSeed<'de> for Top<'_, '_, E> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, E> Visitor<'de> for Top<'_, '_, E> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array or object of log entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        entries(self.sink, seq, Arrangement::Sequence)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut container = false;
        let mut rest = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "hits" => {
                    container = true;
                    map.next_value_seed(Hits {
                        sink: &mut *self.sink,
                    })?;
                }
                "data" => {
                    container = true;
                    map.next_value_seed(LokiData {
                        sink: &mut *self.sink,
                    })?;
                }
                "events" | "entries" => {
                    container = true;
                    map.next_value_seed(Entries {
                        sink: &mut *self.sink,
                        arrangement: Arrangement::Sequence,
                    })?;
                }
                _ if container => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    rest.insert(key, map.next_value::<Value>()?);
                }
            }
        }
        if container {
            return Ok(());
        }
        // A document that is one entry (a pretty-printed record).
        let v = Value::Object(rest);
        let w = entry_of(&v);
        self.sink.emit(Arrangement::Sequence, w)
    }
}

fn entries<'de, A: SeqAccess<'de>, E>(
    sink: &mut Sink<'_, E>,
    mut seq: A,
    arrangement: Arrangement,
) -> Result<(), A::Error> {
    while let Some(v) = seq.next_element::<Value>()? {
        let w = entry_of(&v);
        sink.emit(arrangement, w)?;
    }
    Ok(())
}

/// An array of entries.
struct Entries<'s, 'f, E> {
    sink: &'s mut Sink<'f, E>,
    arrangement: Arrangement,
}

impl<'de, E> DeserializeSeed<'de> for Entries<'_, '_, E> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, E> Visitor<'de> for Entries<'_, '_, E> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of log entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        entries(self.sink, seq, self.arrangement)
    }

    fn visit_unit<Er: de::Error>(self) -> Result<(), Er> {
        Ok(())
    }
}

/// A search response's `hits`: `{"total":…,"hits":[…]}`.
struct Hits<'s, 'f, E> {
    sink: &'s mut Sink<'f, E>,
}

impl<'de, E> DeserializeSeed<'de> for Hits<'_, '_, E> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, E> Visitor<'de> for Hits<'_, '_, E> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a search response's hits")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "hits" {
                map.next_value_seed(Entries {
                    sink: &mut *self.sink,
                    arrangement: Arrangement::Unordered,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        entries(self.sink, seq, Arrangement::Unordered)
    }
}

/// A Loki response's `data`: `{"resultType":"streams","result":[…]}`.
struct LokiData<'s, 'f, E> {
    sink: &'s mut Sink<'f, E>,
}

impl<'de, E> DeserializeSeed<'de> for LokiData<'_, '_, E> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, E> Visitor<'de> for LokiData<'_, '_, E> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Loki response's data")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "result" {
                map.next_value_seed(Streams {
                    sink: &mut *self.sink,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        entries(self.sink, seq, Arrangement::Sequence)
    }
}

/// Loki's `result`: an array of streams.
struct Streams<'s, 'f, E> {
    sink: &'s mut Sink<'f, E>,
}

impl<'de, E> DeserializeSeed<'de> for Streams<'_, '_, E> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, E> Visitor<'de> for Streams<'_, '_, E> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of Loki streams")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(LokiStream {
                sink: &mut *self.sink,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One Loki stream: `{"stream":{labels},"values":[[ns, line], …]}`.
struct LokiStream<'s, 'f, E> {
    sink: &'s mut Sink<'f, E>,
}

impl<'de, E> DeserializeSeed<'de> for LokiStream<'_, '_, E> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, E> Visitor<'de> for LokiStream<'_, '_, E> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Loki stream")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut labels: Option<Map<String, Value>> = None;
        // Values read before the labels, held until the labels come.
        let mut early: Vec<Value> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "stream" | "metric" => labels = map.next_value::<Option<Map<String, Value>>>()?,
                "values" => match &labels {
                    Some(l) => map.next_value_seed(LokiValues {
                        sink: &mut *self.sink,
                        labels: Some(l),
                    })?,
                    None => early = map.next_value::<Vec<Value>>()?,
                },
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        for v in early {
            let w = loki::from_value_pair(labels.as_ref(), &v);
            self.sink.emit(Arrangement::Unordered, w)?;
        }
        Ok(())
    }
}

/// A stream's values, handed over one by one.
struct LokiValues<'s, 'f, 'l, E> {
    sink: &'s mut Sink<'f, E>,
    labels: Option<&'l Map<String, Value>>,
}

impl<'de, E> DeserializeSeed<'de> for LokiValues<'_, '_, '_, E> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, E> Visitor<'de> for LokiValues<'_, '_, '_, E> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Loki values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            let w = loki::from_value_pair(self.labels, &v);
            self.sink.emit(Arrangement::Unordered, w)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::wrapped::Layout;

    fn read_all(text: &str) -> Result<Vec<Entry>, DocError<()>> {
        let mut out = Vec::new();
        read(text.as_bytes(), &mut |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    fn texts(es: &[Entry]) -> Vec<String> {
        es.iter()
            .map(|e| {
                e.wrapped
                    .as_ref()
                    .map(|w| w.text.to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn sniffing() {
        for doc in [
            "[\n  {\n",
            "[]",
            "[] \n",
            " \n[{\"a\":1}]",
            "{\n  \"took\"",
            "{\"took\":3,",
            "{\"status\":\"success\",\"data\"",
            "{\"events\":[",
            "\u{feff}[{",
            "{\n",
        ] {
            assert_eq!(sniff(doc.as_bytes(), true), Some(true), "{doc:?}");
        }
        for lines in [
            "{\"log\":\"x\"}\n",
            "{\"@timestamp\":\"2024\"}",
            "[pod/jm-0/c] x",
            "[main] INFO x",
            "  [] - Completed checkpoint 12",
            "[]x",
            "2024-05-06 10:15:31,112 INFO x",
            "",
            "{}",
            "{\"a\\\"b\":1}",
        ] {
            assert_eq!(sniff(lines.as_bytes(), true), Some(false), "{lines:?}");
        }
        for undecided in ["", "  ", "[", "{", "{\"tim", "[ "] {
            assert_eq!(sniff(undecided.as_bytes(), false), None, "{undecided:?}");
        }
    }

    #[test]
    fn search_response_hits() {
        let doc = r#"{"took":5,"timed_out":false,"_shards":{"total":1},
          "hits":{"total":{"value":2,"relation":"eq"},"max_score":1.0,"hits":[
            {"_index":"f","_id":"1","_score":1.0,"_source":{"@timestamp":"2024-05-06T10:15:31.112Z","message":"b","kubernetes":{"pod":{"name":"jm-0"}}}},
            {"_index":"f","_id":"2","_score":0.5,"_source":{"@timestamp":"2024-05-06T10:15:30.000Z","message":"a","kubernetes":{"pod":{"name":"jm-0"}}}}
          ]}}"#;
        let es = read_all(doc).unwrap();
        assert_eq!(texts(&es), vec!["b", "a"]);
        assert!(es.iter().all(|e| e.arrangement == Arrangement::Unordered));
        assert_eq!(es[1].number, 2);
        let w = es[0].wrapped.as_ref().unwrap();
        assert_eq!(
            (w.layout, w.pod.as_deref()),
            (Layout::Elasticsearch, Some("jm-0"))
        );
    }

    #[test]
    fn loki_streams_with_labels_before_or_after_values() {
        let doc = r#"{"status":"success","data":{"resultType":"streams","result":[
            {"stream":{"pod":"jm-0"},"values":[["1715000000000000002","two"],["1715000000000000001","one"]]},
            {"values":[["1715000000000000003","three"]],"stream":{"pod":"jm-1"}}
          ],"stats":{"summary":{}}}}"#;
        let es = read_all(doc).unwrap();
        assert_eq!(texts(&es), vec!["two", "one", "three"]);
        let pods: Vec<_> = es
            .iter()
            .map(|e| {
                e.wrapped
                    .as_ref()
                    .unwrap()
                    .pod
                    .as_deref()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(pods, vec!["jm-0", "jm-0", "jm-1"]);
    }

    #[test]
    fn gcloud_arrays_cloudwatch_events_and_concatenated_documents() {
        let doc = r#"[
  {"insertId":"1","textPayload":"new","timestamp":"2024-05-06T10:15:32Z","resource":{"labels":{"pod_name":"jm-0"}}},
  {"insertId":"2","textPayload":"old","timestamp":"2024-05-06T10:15:31Z","resource":{"labels":{"pod_name":"jm-0"}}}
]
{"events":[{"logStreamName":"s","timestamp":1715000000000,"message":"cw","ingestionTime":1,"eventId":"e"}],"searchedLogStreams":[]}
"#;
        let es = read_all(doc).unwrap();
        assert_eq!(texts(&es), vec!["new", "old", "cw"]);
        assert!(es.iter().all(|e| e.arrangement == Arrangement::Sequence));
        assert_eq!(es[2].wrapped.as_ref().unwrap().layout, Layout::CloudWatch);
    }

    #[test]
    fn pretty_printed_json_log_and_unknown_entries() {
        let doc = "{\n  \"instant\" : {\"epochSecond\" : 1715000000, \"nanoOfSecond\" : 0},\n  \"level\" : \"INFO\",\n  \"loggerName\" : \"a.B\",\n  \"message\" : \"m\"\n}\n{\n  \"instant\" : {\"epochSecond\" : 1715000001},\n  \"level\" : \"INFO\",\n  \"loggerName\" : \"a.B\",\n  \"message\" : \"n\"\n}\n[{\"x\":1}, 3]";
        let es = read_all(doc).unwrap();
        assert_eq!(es.len(), 4);
        assert!(es[0].wrapped.as_ref().unwrap().text.contains("\"m\""));
        assert!(es[2].wrapped.is_none() && es[3].wrapped.is_none());
    }

    #[test]
    fn truncated_and_broken_documents_say_where() {
        let doc = "[\n {\"insertId\":\"1\",\"textPayload\":\"a\",\"timestamp\":\"2024-05-06T10:15:32Z\"},\n {\"insertId\":\"2\",\"textPa";
        match read_all(doc) {
            Err(DocError::Syntax {
                line,
                entries,
                reason,
                ..
            }) => {
                assert_eq!((line, entries), (3, 1));
                assert!(reason.contains("ends early"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let doc = "{\"events\":[]}\n\n {\"events\": [} ";
        match read_all(doc) {
            Err(DocError::Syntax {
                line,
                column,
                reason,
                ..
            }) => {
                assert_eq!((line, column), (3, 14));
                assert!(reason.starts_with("not a JSON document"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(read_all("\"text\""), Err(DocError::Syntax { .. })));
    }

    #[test]
    fn the_handler_can_stop_the_reading() {
        let doc = r#"[{"insertId":"1","textPayload":"a"},{"insertId":"2","textPayload":"b"}]"#;
        let mut n = 0;
        let r = read(doc.as_bytes(), &mut |_| {
            n += 1;
            Err("full")
        });
        assert!(matches!(r, Err(DocError::Stopped("full"))));
        assert_eq!(n, 1);
    }
}
