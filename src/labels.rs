//! Run labels: the `--label KEY=VALUE` pairs a fleet attaches to one run (cluster, region,
//! environment, …), carried into every machine output so that the outputs of hundreds of
//! clusters can be queried together (`"labels"` in JSON, JUnit properties, GitHub
//! annotation titles, one column per label in Parquet / CSV exports).
//!
//! Keys become column names in SQL engines (DuckDB, Spark, Trino), so they are restricted to
//! what those accept unquoted: an ASCII letter or `_`, then letters, digits or `_`, at most
//! [`MAX_KEY`] bytes; and a key may not be the name of a column the exports already have
//! ([`RESERVED`]), which would make a query ambiguous. Values are any text.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// The longest key accepted, in bytes.
pub const MAX_KEY: usize = 64;

/// Names a label key may not take: the columns of the exported tables (events, verdicts,
/// failovers) and the properties flinkha itself writes into JUnit XML. The stats module's
/// tests check that every exported column is listed here.
pub const RESERVED: &[&str] = &[
    // events
    "ts",
    "source",
    "line",
    "kind",
    "text",
    "entrypoint",
    "version",
    "reason",
    "lock",
    "identity",
    "component",
    "session",
    "address",
    "job",
    "jobs",
    "name",
    "from",
    "to",
    "state",
    "resource",
    "path",
    "role",
    "exception",
    "checkpoint",
    "savepoint",
    "bytes",
    "duration_ms",
    "count",
    // verdicts
    "invariant",
    "verdict",
    "because",
    "evidence_count",
    "evidence_ts",
    "evidence_source",
    "evidence_line",
    "evidence",
    "log_from",
    "log_to",
    // failovers
    "failover",
    "failure_ts",
    "new_leader_ts",
    "leaderless_ms",
    "cause",
    "cause_text",
    "latest_completed_before",
    "latest_completed_ts",
    "restored_checkpoint",
    "restored_savepoint",
    "restored_ts",
    "running_ts",
    "rto_ms",
    "rpo_ms",
    "lost_checkpoints",
    // JUnit properties written by flinkha
    "failovers",
];

/// A `--label` that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    /// No `=` between key and value.
    #[error("`{0}` is not KEY=VALUE")]
    NoEquals(String),
    /// The key is not a plain identifier.
    #[error(
        "label key `{0}` must start with a letter or `_` and hold only ASCII letters, digits \
         and `_` (at most {MAX_KEY} bytes): it becomes a column name in SQL engines"
    )]
    BadKey(String),
    /// The key is the name of a column the exports already have.
    #[error("label key `{0}` is already a column of flinkha's outputs; choose another (e.g. `cluster_{0}`)")]
    Reserved(String),
    /// The same key was given twice.
    #[error("label `{0}` given twice")]
    Duplicate(String),
}

/// The labels of one run, in the order given on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(Vec<(String, String)>);

impl Labels {
    /// No labels.
    pub fn none() -> Labels {
        Labels::default()
    }

    /// Labels from `KEY=VALUE` strings; every key checked, none twice.
    pub fn parse<S: AsRef<str>>(pairs: &[S]) -> Result<Labels, LabelError> {
        let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
        for p in pairs {
            let (k, v) = parse_pair(p.as_ref())?;
            if out.iter().any(|(have, _)| *have == k) {
                return Err(LabelError::Duplicate(k));
            }
            out.push((k, v));
        }
        Ok(Labels(out))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `cluster=prod-eu, env=prod` (empty without labels), for titles meant for people.
    pub fn display(&self) -> String {
        self.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A JSON object with the labels in the order given.
impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// One `KEY=VALUE` (split at the first `=`), the key checked.
pub fn parse_pair(s: &str) -> Result<(String, String), LabelError> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| LabelError::NoEquals(s.to_string()))?;
    let k = k.trim();
    if !valid_key(k) {
        return Err(LabelError::BadKey(k.to_string()));
    }
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(k)) {
        return Err(LabelError::Reserved(k.to_string()));
    }
    Ok((k.to_string(), v.to_string()))
}

/// An identifier SQL engines accept unquoted.
fn valid_key(k: &str) -> bool {
    let mut b = k.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        && k.len() <= MAX_KEY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pairs_in_order() {
        let l = Labels::parse(&["cluster=prod-eu", "env=prod", "note=a=b c", "empty="]).unwrap();
        let got: Vec<(&str, &str)> = l.iter().collect();
        assert_eq!(
            got,
            [
                ("cluster", "prod-eu"),
                ("env", "prod"),
                ("note", "a=b c"),
                ("empty", "")
            ]
        );
        assert_eq!(l.display(), "cluster=prod-eu, env=prod, note=a=b c, empty=");
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            r#"{"cluster":"prod-eu","env":"prod","note":"a=b c","empty":""}"#
        );
        assert!(Labels::none().is_empty());
        assert_eq!(serde_json::to_string(&Labels::none()).unwrap(), "{}");
    }

    #[test]
    fn rejects_what_cannot_be_a_column() {
        let err = |s: &[&str]| Labels::parse(s).unwrap_err();
        assert_eq!(err(&["cluster"]), LabelError::NoEquals("cluster".into()));
        for bad in ["=x", "1st=x", "a-b=x", "a.b=x", "k y=x", "é=x"] {
            assert!(matches!(err(&[bad]), LabelError::BadKey(_)), "{bad}");
        }
        assert!(matches!(
            err(&[&format!("{}=x", "k".repeat(65))]),
            LabelError::BadKey(_)
        ));
        assert_eq!(err(&["job=x"]), LabelError::Reserved("job".into()));
        assert_eq!(err(&["RTO_MS=x"]), LabelError::Reserved("RTO_MS".into()));
        assert_eq!(
            err(&["a=1", "b=2", "a=3"]),
            LabelError::Duplicate("a".into())
        );
        let msg = err(&["version=1.20"]).to_string();
        assert!(msg.contains("cluster_version"), "{msg}");
        assert!(Labels::parse(&["_x=1", "A9_z=2"]).is_ok());
    }
}
