//! What the pipeline delivers: events and unmatched records of watched loggers.

use crate::events::{format_ts, Event};
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use std::sync::Arc;

/// What the pipeline delivers.
// Events are by far the common item; boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A recognised HA event (including the synthetic [`crate::events::Kind::LogEnd`]).
    Event(Event),
    /// A record of a watched logger that no template matched.
    Unmatched(Unmatched),
}

impl Item {
    /// The item's instant.
    pub fn ts(&self) -> DateTime<Utc> {
        match self {
            Item::Event(e) => e.ts,
            Item::Unmatched(u) => u.ts,
        }
    }

    /// The item's source name.
    pub fn source(&self) -> &Arc<str> {
        match self {
            Item::Event(e) => &e.source,
            Item::Unmatched(u) => &u.source,
        }
    }

    /// The item's line number.
    pub fn line(&self) -> u64 {
        match self {
            Item::Event(e) => e.line,
            Item::Unmatched(u) => u.line,
        }
    }
}

/// A record of a watched logger that no grammar template matched: how changed wording in a
/// new Flink version gets noticed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unmatched {
    /// Source name (file path, `-`, or pod).
    #[serde(serialize_with = "ser_arc")]
    pub source: Arc<str>,
    /// 1-based line number of the record's first line in its input.
    pub line: u64,
    /// The record's instant.
    #[serde(serialize_with = "ser_ts")]
    pub ts: DateTime<Utc>,
    /// Log level.
    pub level: String,
    /// Logger name.
    pub logger: String,
    /// The record's first line, kubectl decorations removed.
    pub text: String,
}

fn ser_ts<S: Serializer>(ts: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_ts(ts))
}

fn ser_arc<S: Serializer>(a: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a)
}
