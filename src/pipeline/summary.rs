//! Per-source counts, reported on stderr so that nothing is dropped silently.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Counts for one source, reported on stderr so that nothing is dropped silently.
#[derive(Default, Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SourceSummary {
    /// Source name.
    pub name: String,
    /// Physical lines.
    pub lines: u64,
    /// Records (lines that start a record).
    pub records: u64,
    /// Lines attached to the previous record (stack traces, wrapped messages).
    pub continuation_lines: u64,
    /// Lines that start no record and follow none: not understood.
    pub unparseable: u64,
    /// Lines that were only the first parts of a longer line (CRI `P`, a Docker record
    /// without its newline), joined with what followed.
    pub partial_lines: u64,
    /// Records that became events (the synthetic `log_end` not counted).
    pub events: u64,
    /// Records an `ignore` template matched.
    pub ignored: u64,
    /// Records of watched loggers that matched no template.
    pub unmatched: u64,
    /// Lines longer than [`crate::input::MAX_LINE`] bytes, of which only the start was kept.
    pub truncated_lines: u64,
    /// Records whose local time lies in the hour repeated when daylight saving time ended
    /// and that the source's own order could not place with certainty (its log opens in
    /// that hour): read as the earlier instant.
    pub ambiguous_times: u64,
    /// Instant of the first record.
    pub first_ts: Option<DateTime<Utc>>,
    /// Instant of the last record.
    pub last_ts: Option<DateTime<Utc>>,
}

impl SourceSummary {
    fn add(&mut self, o: &SourceSummary) {
        self.lines += o.lines;
        self.records += o.records;
        self.continuation_lines += o.continuation_lines;
        self.unparseable += o.unparseable;
        self.partial_lines += o.partial_lines;
        self.events += o.events;
        self.ignored += o.ignored;
        self.unmatched += o.unmatched;
        self.truncated_lines += o.truncated_lines;
        self.ambiguous_times += o.ambiguous_times;
        self.first_ts = match (self.first_ts, o.first_ts) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_ts = match (self.last_ts, o.last_ts) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

/// Counts for every source, in input order (pods of one stream in order of appearance).
#[derive(Default, Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// One entry per source.
    pub sources: Vec<SourceSummary>,
}

impl Summary {
    /// All sources added up (name `total`; earliest first and latest last instant).
    pub fn total(&self) -> SourceSummary {
        let mut t = SourceSummary {
            name: "total".to_string(),
            ..SourceSummary::default()
        };
        for s in &self.sources {
            t.add(s);
        }
        t
    }
}
