//! The known-bug advisor: Flink (and bundled library) bugs that broke HA, each with the
//! signature it leaves in the logs, as data.
//!
//! The entries live in `grammars/known-bugs.advice` (embedded in the binary) and, optionally,
//! in user files given with `--advice PATH`. After a check, every entry's signature is
//! matched against the events and verdicts of the run; a match becomes an [`Advice`] note
//! attached to the verdict (or failover) it explains, saying whether the logged Flink version
//! is affected. Notes never change a verdict. This documentation is the file format's manual.
//!
//! # Files
//!
//! An advice file is UTF-8 text, read line by line. Blank lines and whole-line comments
//! (first non-blank character `#`) are ignored. Every other line is `KEYWORD VALUE`, as in
//! the grammar files (see [`crate::grammar`]): the keyword is the first word, the value the
//! rest of the line, trimmed. By convention `bug` starts in column 1 and an entry's other
//! lines are indented by two spaces.
//!
//! # Entries
//!
//! An entry starts with `bug ID` and runs to the next `bug` line or the end of the file.
//!
//! | keyword          | count        | value |
//! |------------------|--------------|-------|
//! | `bug`            | starts it    | the bug's id: `FLINK-34007`, `CURATOR-696` (unique over all files) |
//! | `title`          | once         | what goes wrong, one line |
//! | `affects`        | once         | the affected Flink versions, a range list (see *Versions*) |
//! | `fixed`          | once         | where the fix is, free text (`1.19.0; 1.18 branch (FLINK-34333)`) |
//! | `source`         | 1 or more    | where the version ranges come from (release branches, NOTICE files, …) |
//! | `scope`          | optional     | a range list: the signature only means something on these versions; on others it is not matched at all |
//! | `explains`       | once         | the invariant id whose verdict the note explains, or `failover` |
//! | `when`           | 1 or more    | one condition of the signature (see *Signatures*); all must hold |
//! | `advice`         | once         | what to do |
//! | `sample`         | 0 or more    | `SOURCE LINE`: a log line of the self-test (see *Samples*) |
//! | `sample-verdict` | 0 or more    | `ID OUTCOME [job=JOB]`: a verdict of the self-test |
//!
//! # Signatures
//!
//! A `when` line is one of:
//!
//! * `verdict ID OUTCOME[|OUTCOME…]`: the run has a verdict of invariant `ID` with one of the
//!   outcomes (`FAIL`, `UNKNOWN`, `PASS`). A verdict about one job binds `$job` to it, and the
//!   note is attached to that verdict.
//! * `cluster FACT`: `application` (a JobManager's entrypoint is an application or per-job
//!   cluster), `session` (a session cluster), `kubernetes` (Kubernetes HA: a leader elector
//!   was logged), `zookeeper` (ZooKeeper HA: a JobManager logged a ZooKeeper connection state).
//! * `event KIND[|KIND…] CONSTRAINT…`: an event of one of the kinds (as `flinkha events`
//!   names them, `log_end` included) after the event the previous `event` condition matched
//!   (the first one: anywhere). Event conditions are matched in order, in time order.
//! * `no event KIND[|KIND…] CONSTRAINT…`: no such event between the events the neighbouring
//!   `event` conditions matched (before the first, or after the last one until the end of the
//!   logs or its `within`).
//!
//! Constraints, separated by spaces:
//!
//! * `FIELD=VALUE[|VALUE…]`: the event's field (an event field as in [`crate::events::Fields`],
//!   or `source`, the log or pod) equals one of the values; `"two words"` quotes a value.
//! * `FIELD!=VALUE[|VALUE…]`: the field is set and equals none of them.
//! * `FIELD~TEXT`: the field is set and contains the text.
//! * `FIELD=$name` binds the variable `name` to the field's value at its first use and
//!   requires equality afterwards; `FIELD!=$name` requires a different value (the variable
//!   must be bound by then). `$job` may also be bound by a `verdict` condition.
//! * `within DURATION` (`30s`, `500ms`, `2m`): at most that long after the previous matched
//!   event; `after DURATION`: at least that long after it.
//!
//! # Versions
//!
//! A range list is comma-separated: `1.18.1` (that release), `1.12` or `1.12.x` (every 1.12
//! release), `1.18.0-1.18.1` (inclusive; a short upper bound includes its patch releases:
//! `1.13-1.15` ends with the last 1.15.x), `1.15-` (1.15.0 and later), `<=1.14`, `>=2.0`,
//! `<1.13`. The version a note speaks of is the one the matched JobManagers logged in their
//! startup banner (every JobManager's when the matched lines name none).
//!
//! # Notes
//!
//! * Version affected: `matches FLINK-34007: <title>; affects 1.18.0-1.18.1, fixed in …
//!   (logged Flink 1.18.1). <advice>`.
//! * Version outside the range: `the signature of FLINK-34007 (<title>) matched, but Flink
//!   1.19.3 is not known to be affected (affects …, fixed in …)`.
//! * No version logged: the note says so and gives the affected range.
//!
//! A note is attached to the verdict it explains (the `verdict` condition's, else the verdict
//! of the `explains` invariant, for `$job` when bound) or, with `explains failover`, to the
//! failover the matched lines lead into; when that verdict or failover is not in the run (the
//! invariant was skipped), it is listed on its own. Notes are in every output: text, JSON,
//! JUnit, GitHub, and the timeline.
//!
//! # Samples
//!
//! Loading checks every entry's samples, so a file that loads is one whose examples work: the
//! `sample` lines (`SOURCE` is a name standing for the log, the rest a log line as Flink
//! writes it) are read with the grammar into events (each source ending with a `log_end` at
//! its last line, as real input does), the `sample-verdict` lines stand for the checker's
//! verdicts, and the entry's signature must match them. Each `sample` line must be an event
//! of the grammar.
//!
//! # Errors
//!
//! Every error names its place, `file:line:column: what is wrong`. All errors of all files
//! are reported at once, one per line.
//!
//! # User files
//!
//! `--advice PATH` (repeatable) adds a file, or every `*.advice` file of a directory. A file
//! whose name equals a built-in's (`known-bugs.advice`) replaces it; other names add to it.
//!
//! # Limits
//!
//! The advisor keeps the events its conditions can use (by kind and constant constraints)
//! until the end of the input, leaving out those that cannot change a match: a repeat of a
//! signature's first event with the same compared values, and an event too long after every
//! candidate of the condition before it for its `within` (see [`Advisor`]). So a log of
//! thousands of failed checkpoints keeps one per job. At most [`MAX_KEPT`] are kept; the
//! rest of a stream is not matched, which a note on the analysis says.

mod matcher;
mod syntax;
mod version;

pub use matcher::Advisor;
pub use syntax::{Op, Rhs};
pub use version::VersionSet;

use crate::check::parse_duration;
use crate::check::INVARIANT_IDS;
use crate::envelope::{parse_line, Zone};
use crate::events::{Event, Kind, FIELD_TYPES};
use crate::grammar::{Classified, Grammar};
use chrono::Duration;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use syntax::{RawCond, RawConstraint};

/// The built-in advice files, embedded in the binary: (file name, text).
const BUILTIN: &[(&str, &str)] = &[(
    "known-bugs.advice",
    include_str!("../../grammars/known-bugs.advice"),
)];

/// Events the advisor keeps at most (see *Limits*).
pub const MAX_KEPT: usize = 200_000;

/// The facts a `cluster` condition names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    /// An application (or per-job) cluster.
    Application,
    /// A session cluster.
    Session,
    /// Kubernetes HA.
    Kubernetes,
    /// ZooKeeper HA.
    Zookeeper,
}

/// What a note explains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The verdict of this invariant.
    Invariant(String),
    /// The failover the matched lines lead into.
    Failover,
}

/// A field an event condition compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldRef {
    /// The event's source (log file or pod).
    Source,
    /// An event field, by name.
    Field(&'static str),
}

/// One constraint of an event condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    /// The field.
    pub field: FieldRef,
    /// The comparison.
    pub op: Op,
    /// The value or variable.
    pub rhs: Rhs,
}

/// An `event` or `no event` condition.
#[derive(Clone, Debug, PartialEq)]
pub struct EventCond {
    /// `no event`.
    pub negated: bool,
    /// Any of these kinds.
    pub kinds: Vec<Kind>,
    /// All of these.
    pub constraints: Vec<Constraint>,
    /// At most this long after the previous matched event.
    pub within: Option<Duration>,
    /// At least this long after the previous matched event.
    pub after: Option<Duration>,
}

/// One `when` condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// A verdict with one of the outcomes.
    Verdict {
        /// Invariant id.
        id: String,
        /// Outcomes (`FAIL`, `UNKNOWN`, `PASS`).
        outcomes: Vec<crate::check::model::Outcome>,
    },
    /// A fact about the cluster.
    Cluster(Fact),
    /// An event condition.
    Event(EventCond),
}

/// One known bug.
#[derive(Clone, Debug)]
pub struct Entry {
    /// `FLINK-34007`.
    pub id: String,
    /// One line.
    pub title: String,
    /// Affected Flink versions.
    pub affects: VersionSet,
    /// The `affects` value as written.
    pub affects_text: String,
    /// Versions on which the signature means something (all when absent).
    pub scope: Option<VersionSet>,
    /// Where the fix is.
    pub fixed: String,
    /// Where the ranges come from.
    pub sources: Vec<String>,
    /// What the note explains.
    pub explains: Target,
    /// The signature.
    pub when: Vec<Cond>,
    /// What to do.
    pub advice: String,
    /// `file:line` of the `bug` line.
    pub location: String,
}

/// The loaded advice files.
#[derive(Clone, Debug, Default)]
pub struct Book {
    /// Every entry, files in name order, entries in file order.
    pub entries: Vec<Entry>,
}

/// An error in, or while reading, advice files.
#[derive(Debug, thiserror::Error)]
pub enum AdviceError {
    /// A syntax, name or sample error at a place in an advice file.
    #[error("{file}:{line}:{col}: {msg}")]
    At {
        /// File name as given (built-ins: `grammars/NAME`).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        col: usize,
        /// What is wrong.
        msg: String,
    },
    /// A file or directory could not be read.
    #[error("{}: cannot read advice: {error}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// Several errors, one per line.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Several(Vec<AdviceError>),
}

/// The file name without directories.
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Files larger than this are refused (as for grammars).
const MAX_FILE: u64 = 4 * 1024 * 1024;

fn read_file(path: &Path) -> Result<String, AdviceError> {
    let io = |error| AdviceError::Io {
        path: path.to_path_buf(),
        error,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_FILE {
        return Err(io(std::io::Error::other(format!(
            "larger than {} MiB",
            MAX_FILE / 1024 / 1024
        ))));
    }
    std::fs::read_to_string(path).map_err(io)
}

/// The (display name, text) of a path: a file, or every `*.advice` file of a directory.
fn read_advice_path(path: &Path) -> Result<Vec<(String, String)>, AdviceError> {
    if path.is_dir() {
        let io = |error| AdviceError::Io {
            path: path.to_path_buf(),
            error,
        };
        let mut names: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "advice"))
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(io(std::io::Error::other(
                "no *.advice files in this directory",
            )));
        }
        names
            .iter()
            .map(|p| Ok((p.display().to_string(), read_file(p)?)))
            .collect()
    } else {
        Ok(vec![(path.display().to_string(), read_file(path)?)])
    }
}

impl Book {
    /// The built-in advice (`grammars/known-bugs.advice`), its samples checked with `grammar`.
    pub fn builtin(grammar: &Grammar) -> Result<Book, AdviceError> {
        Self::load(&[], grammar)
    }

    /// Built-ins plus user files and directories (`--advice PATH`); a file named like a
    /// built-in replaces it.
    pub fn load(extra: &[PathBuf], grammar: &Grammar) -> Result<Book, AdviceError> {
        let mut files: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(n, t)| (format!("grammars/{n}"), t.to_string()))
            .collect();
        for path in extra {
            for (display, text) in read_advice_path(path)? {
                let key = base_name(&display).to_string();
                match files.iter_mut().find(|(n, _)| base_name(n) == key) {
                    Some(slot) => *slot = (display, text),
                    None => files.push((display, text)),
                }
            }
        }
        Self::from_files(&files, grammar)
    }

    /// Parse and check (file name, text) pairs, files in name order.
    pub fn from_files(files: &[(String, String)], grammar: &Grammar) -> Result<Book, AdviceError> {
        let mut order: Vec<&(String, String)> = files.iter().collect();
        order.sort_by(|a, b| base_name(&a.0).cmp(base_name(&b.0)));
        let mut errors = Vec::new();
        let mut entries: Vec<Parsed> = Vec::new();
        for (name, text) in order {
            for parsed in parse_file(name, text, &mut errors) {
                if let Some(first) = entries.iter().find(|e| e.entry.id == parsed.entry.id) {
                    errors.push(AdviceError::At {
                        file: name.clone(),
                        line: parsed.line,
                        col: 1,
                        msg: format!(
                            "bug {} is already described at {}",
                            parsed.entry.id, first.entry.location
                        ),
                    });
                    continue;
                }
                if let Err(msg) = matcher::check_samples(&parsed, grammar) {
                    errors.push(AdviceError::At {
                        file: name.clone(),
                        line: parsed.sample_line.unwrap_or(parsed.line),
                        col: 3,
                        msg,
                    });
                }
                entries.push(parsed);
            }
        }
        match errors.len() {
            0 => Ok(Book {
                entries: entries.into_iter().map(|p| p.entry).collect(),
            }),
            1 => Err(errors.remove(0)),
            _ => Err(AdviceError::Several(errors)),
        }
    }
}

/// An entry as parsed, with its samples.
#[derive(Clone, Debug)]
pub(crate) struct Parsed {
    pub entry: Entry,
    /// Line of the `bug` line.
    pub line: usize,
    /// Line of the first sample, if any.
    pub sample_line: Option<usize>,
    /// Sample log lines: (source, line, file line).
    pub samples: Vec<(String, String, usize)>,
    /// Sample verdicts: (id, outcome, job).
    pub sample_verdicts: Vec<(String, crate::check::model::Outcome, Option<String>)>,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Invariant(id) => f.write_str(id),
            Target::Failover => f.write_str("failover"),
        }
    }
}

fn outcome(s: &str) -> Option<crate::check::model::Outcome> {
    use crate::check::model::Outcome;
    match s {
        "FAIL" => Some(Outcome::Fail),
        "UNKNOWN" => Some(Outcome::Unknown),
        "PASS" => Some(Outcome::Pass),
        _ => None,
    }
}

/// Invariant ids a `verdict` condition or `explains` may name.
fn known_invariant(id: &str) -> bool {
    INVARIANT_IDS.contains(&id)
}

/// Field names a constraint may use.
fn field_ref(name: &str) -> Option<FieldRef> {
    if name == "source" {
        return Some(FieldRef::Source);
    }
    FIELD_TYPES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, _)| FieldRef::Field(n))
}

/// One keyword line: keyword, its column, value, the value's byte offset.
struct Line<'a> {
    keyword: &'a str,
    value: &'a str,
    value_at: usize,
}

fn split_line(line: &str) -> Option<Line<'_>> {
    let trimmed = line.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    let indent = line.len() - trimmed.len();
    let kw_len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    let keyword = &trimmed[..kw_len];
    let after = &trimmed[kw_len..];
    let value = after.trim_start();
    let value_at = indent + kw_len + (after.len() - value.len());
    Some(Line {
        keyword,
        value: value.trim_end(),
        value_at,
    })
}

/// 1-based column of byte `at` in `line`.
fn col(line: &str, at: usize) -> usize {
    line.get(..at.min(line.len()))
        .map(|p| p.chars().count() + 1)
        .unwrap_or(1)
}

/// An entry being collected.
#[derive(Default)]
struct Builder {
    id: String,
    line: usize,
    title: Option<String>,
    affects: Option<(VersionSet, String)>,
    scope: Option<VersionSet>,
    fixed: Option<String>,
    sources: Vec<String>,
    explains: Option<Target>,
    when: Vec<Cond>,
    advice: Option<String>,
    samples: Vec<(String, String, usize)>,
    sample_verdicts: Vec<(String, crate::check::model::Outcome, Option<String>)>,
    sample_line: Option<usize>,
    /// An error was reported inside this entry: it is not built, and its missing keywords
    /// are not reported again.
    broken: bool,
}

fn parse_file(file: &str, text: &str, errors: &mut Vec<AdviceError>) -> Vec<Parsed> {
    let mut out = Vec::new();
    let mut cur: Option<Builder> = None;
    let at = |errors: &mut Vec<AdviceError>, line: usize, col: usize, msg: String| {
        errors.push(AdviceError::At {
            file: file.to_string(),
            line,
            col,
            msg,
        })
    };
    let mut seen_errors = errors.len();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let Some(l) = split_line(raw) else { continue };
        let vcol = col(raw, l.value_at);
        if errors.len() > seen_errors {
            if let Some(b) = cur.as_mut() {
                b.broken = true;
            }
            seen_errors = errors.len();
        }
        if l.keyword == "bug" {
            if let Some(b) = cur.take() {
                if let Some(p) = finish(file, b, errors) {
                    out.push(p);
                }
            }
            let ok = !l.value.is_empty()
                && l.value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
            if !ok {
                at(
                    errors,
                    n,
                    vcol,
                    "`bug` needs an id such as FLINK-34007".into(),
                );
            }
            cur = Some(Builder {
                id: l.value.to_string(),
                line: n,
                ..Builder::default()
            });
            continue;
        }
        let Some(b) = cur.as_mut() else {
            at(
                errors,
                n,
                col(raw, raw.len() - raw.trim_start().len()),
                format!(
                    "`{}` outside an entry: entries start with `bug ID`",
                    l.keyword
                ),
            );
            continue;
        };
        let once = |errors: &mut Vec<AdviceError>, set: bool, kw: &str| {
            if set {
                at(errors, n, 1, format!("`{kw}` given twice in bug {}", b.id));
            }
        };
        if l.value.is_empty() {
            at(errors, n, vcol, format!("`{}` needs a value", l.keyword));
            continue;
        }
        match l.keyword {
            "title" => {
                once(errors, b.title.is_some(), "title");
                b.title = Some(l.value.to_string());
            }
            "affects" | "scope" => match VersionSet::parse(l.value) {
                Ok(v) if l.keyword == "affects" => {
                    once(errors, b.affects.is_some(), "affects");
                    b.affects = Some((v, l.value.to_string()));
                }
                Ok(v) => {
                    once(errors, b.scope.is_some(), "scope");
                    b.scope = Some(v);
                }
                Err(e) => at(errors, n, col(raw, l.value_at + e.at), e.msg),
            },
            "fixed" => {
                once(errors, b.fixed.is_some(), "fixed");
                b.fixed = Some(l.value.to_string());
            }
            "source" => b.sources.push(l.value.to_string()),
            "explains" => {
                once(errors, b.explains.is_some(), "explains");
                if l.value == "failover" {
                    b.explains = Some(Target::Failover);
                } else if known_invariant(l.value) {
                    b.explains = Some(Target::Invariant(l.value.to_string()));
                } else {
                    at(
                        errors,
                        n,
                        vcol,
                        format!(
                            "`explains` names an invariant id ({}) or `failover`, not `{}`",
                            INVARIANT_IDS.join(", "),
                            l.value
                        ),
                    );
                }
            }
            "advice" => {
                once(errors, b.advice.is_some(), "advice");
                b.advice = Some(l.value.to_string());
            }
            "when" => match compile_cond(l.value, &b.when) {
                Ok(c) => b.when.push(c),
                Err((off, msg)) => at(errors, n, col(raw, l.value_at + off), msg),
            },
            "sample" => {
                let (src, line) = match l.value.split_once(char::is_whitespace) {
                    Some((s, rest)) if !rest.trim().is_empty() => (s, rest.trim_start()),
                    _ => {
                        at(errors, n, vcol, "`sample` is `SOURCE LOG-LINE`".into());
                        continue;
                    }
                };
                b.sample_line.get_or_insert(n);
                b.samples.push((src.to_string(), line.to_string(), n));
            }
            "sample-verdict" => {
                let parts: Vec<&str> = l.value.split_whitespace().collect();
                let job = parts
                    .get(2)
                    .and_then(|p| p.strip_prefix("job="))
                    .map(str::to_string);
                match (parts.first(), parts.get(1).and_then(|o| outcome(o))) {
                    (Some(id), Some(o))
                        if known_invariant(id) && parts.len() <= 3 && (parts.len() < 3 || job.is_some()) =>
                    {
                        b.sample_line.get_or_insert(n);
                        b.sample_verdicts.push((id.to_string(), o, job));
                    }
                    _ => at(
                        errors,
                        n,
                        vcol,
                        "`sample-verdict` is `INVARIANT-ID FAIL|UNKNOWN|PASS [job=JOB]`".into(),
                    ),
                }
            }
            other => at(
                errors,
                n,
                col(raw, raw.len() - raw.trim_start().len()),
                format!(
                    "unknown keyword `{other}` (known: bug, title, affects, fixed, source, scope, explains, when, advice, sample, sample-verdict)"
                ),
            ),
        }
    }
    if let Some(mut b) = cur.take() {
        b.broken |= errors.len() > seen_errors;
        if let Some(p) = finish(file, b, errors) {
            out.push(p);
        }
    }
    out
}

/// Check that an entry has what it needs and build it.
fn finish(file: &str, b: Builder, errors: &mut Vec<AdviceError>) -> Option<Parsed> {
    if b.broken {
        return None;
    }
    let mut missing = Vec::new();
    if b.title.is_none() {
        missing.push("title");
    }
    if b.affects.is_none() {
        missing.push("affects");
    }
    if b.fixed.is_none() {
        missing.push("fixed");
    }
    if b.sources.is_empty() {
        missing.push("source");
    }
    if b.explains.is_none() {
        missing.push("explains");
    }
    if b.when.is_empty() {
        missing.push("when");
    }
    if b.advice.is_none() {
        missing.push("advice");
    }
    if !missing.is_empty() {
        errors.push(AdviceError::At {
            file: file.to_string(),
            line: b.line,
            col: 1,
            msg: format!("bug {} lacks {}", b.id, missing.join(", ")),
        });
        return None;
    }
    let (affects, affects_text) = b.affects?;
    Some(Parsed {
        entry: Entry {
            id: b.id,
            title: b.title?,
            affects,
            affects_text,
            scope: b.scope,
            fixed: b.fixed?,
            sources: b.sources,
            explains: b.explains?,
            when: b.when,
            advice: b.advice?,
            location: format!("{file}:{}", b.line),
        },
        line: b.line,
        sample_line: b.sample_line,
        samples: b.samples,
        sample_verdicts: b.sample_verdicts,
    })
}

/// The variables the conditions so far bind.
fn bound_vars(conds: &[Cond]) -> Vec<String> {
    let mut v = vec![];
    for c in conds {
        match c {
            Cond::Verdict { .. } => v.push("job".to_string()),
            Cond::Event(e) if !e.negated => {
                for k in &e.constraints {
                    if let (Op::Eq, Rhs::Var(name)) = (k.op, &k.rhs) {
                        v.push(name.clone());
                    }
                }
            }
            _ => {}
        }
    }
    v
}

/// Check the names of one condition; errors carry the byte offset in the value.
fn compile_cond(text: &str, before: &[Cond]) -> Result<Cond, (usize, String)> {
    let raw = syntax::condition(text).map_err(|e| (e.at, e.msg))?;
    match raw {
        RawCond::Verdict {
            id: (id, id_at),
            outcomes: (outs, out_at),
        } => {
            if !known_invariant(&id) {
                return Err((
                    id_at,
                    format!(
                        "unknown invariant `{id}`; known: {}",
                        INVARIANT_IDS.join(", ")
                    ),
                ));
            }
            let mut outcomes = Vec::new();
            for o in outs {
                match outcome(&o) {
                    Some(x) => outcomes.push(x),
                    None => {
                        return Err((
                            out_at,
                            format!("unknown outcome `{o}` (FAIL, UNKNOWN, PASS)"),
                        ))
                    }
                }
            }
            Ok(Cond::Verdict { id, outcomes })
        }
        RawCond::Cluster(fact, at) => {
            let f = match fact.as_str() {
                "application" => Fact::Application,
                "session" => Fact::Session,
                "kubernetes" => Fact::Kubernetes,
                "zookeeper" => Fact::Zookeeper,
                other => {
                    return Err((
                        at,
                        format!(
                            "unknown cluster fact `{other}` (application, session, kubernetes, zookeeper)"
                        ),
                    ))
                }
            };
            Ok(Cond::Cluster(f))
        }
        RawCond::Event {
            negated,
            kinds: (names, kinds_at),
            constraints: raw_constraints,
        } => {
            let mut kinds = Vec::new();
            for k in names {
                match k.parse::<Kind>() {
                    Ok(kind) => kinds.push(kind),
                    Err(e) => return Err((kinds_at, e)),
                }
            }
            let mut bound = bound_vars(before);
            let mut constraints = Vec::new();
            let (mut within, mut after) = (None, None);
            for c in raw_constraints {
                match c {
                    RawConstraint::Within(d, at) => {
                        within = Some(parse_duration(&d).map_err(|e| (at, e))?);
                    }
                    RawConstraint::After(d, at) => {
                        after = Some(parse_duration(&d).map_err(|e| (at, e))?);
                    }
                    RawConstraint::Field { field, op, rhs, at } => {
                        let Some(f) = field_ref(&field) else {
                            return Err((
                                at,
                                format!("unknown field `{field}` (an event field or `source`)"),
                            ));
                        };
                        if let Rhs::Var(name) = &rhs {
                            let is_bound = bound.contains(name);
                            match op {
                                Op::Eq if negated && !is_bound => {
                                    return Err((
                                        at,
                                        format!(
                                            "`${name}` must be bound before a `no event` uses it"
                                        ),
                                    ))
                                }
                                Op::Eq => bound.push(name.clone()),
                                Op::Ne | Op::Contains if !is_bound => {
                                    return Err((
                                        at,
                                        format!("`${name}` is used before it is bound"),
                                    ))
                                }
                                _ => {}
                            }
                        }
                        constraints.push(Constraint { field: f, op, rhs });
                    }
                }
            }
            Ok(Cond::Event(EventCond {
                negated,
                kinds,
                constraints,
                within,
                after,
            }))
        }
    }
}

/// Read sample lines with the grammar into events (sources named as written, line numbers
/// from the advice file). Errors name the sample.
pub(crate) fn sample_events(p: &Parsed, grammar: &Grammar) -> Result<Vec<Event>, String> {
    let mut out = Vec::new();
    for (src, line, n) in &p.samples {
        let Some(env) = parse_line(line, &Zone::Utc) else {
            return Err(format!("sample at line {n} is not a log line"));
        };
        let head = env.message.lines().next().unwrap_or("").trim();
        match grammar.classify(&env.level, &env.logger, head) {
            Classified::Event { kind, fields } => out.push(Event {
                ts: env.ts,
                source: Arc::from(src.as_str()),
                line: *n as u64,
                kind,
                fields,
                text: Arc::from(line.as_str()),
            }),
            _ => return Err(format!("sample at line {n} is no event of the grammar")),
        }
    }
    // As the pipeline does: every log ends with a `log_end` at its last record.
    let mut ends: Vec<Event> = Vec::new();
    for e in out.iter().rev() {
        if !ends.iter().any(|x| x.source == e.source) {
            let mut end = e.clone();
            end.kind = Kind::LogEnd;
            end.fields = Default::default();
            ends.push(end);
        }
    }
    out.extend(ends);
    out.sort_by_key(|e| e.ts);
    Ok(out)
}

#[cfg(test)]
mod tests;
