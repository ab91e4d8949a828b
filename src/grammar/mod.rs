//! The grammar template language and its compiler.
//!
//! Which log lines are HA events, and what they mean, is data: `*.grammar` files in
//! `grammars/` (embedded in the binary) and, optionally, user files given with
//! `--grammar PATH`. This module parses those files, compiles each template to a regex and
//! classifies log records with them. This documentation is the language's manual.
//!
//! # Files
//!
//! A grammar file is UTF-8 text, read line by line (`\n` or `\r\n`). Blank lines are
//! ignored. A line whose first non-blank character is `#` is a comment; comments are whole
//! lines only (a `#` later in a line is ordinary text).
//!
//! Every other line is `KEYWORD VALUE`: the keyword is the line's first word, the value is
//! the rest of the line after the whitespace (spaces or tabs) that follows the keyword, with
//! trailing whitespace trimmed. Indentation is not significant; by convention `event` and
//! `ignore` start in column 1 and the lines of a template are indented by two spaces.
//!
//! # Templates
//!
//! A template starts with an `event` or `ignore` line and runs until the next one (or the end
//! of the file). Keywords:
//!
//! | keyword   | count                     | value |
//! |-----------|---------------------------|-------|
//! | `event`   | starts a template         | an event kind, snake_case, as [`crate::events::Kind`] names it (`checkpoint_completed`); not `log_end` |
//! | `ignore`  | starts a template         | none: the template matches known, irrelevant lines of a watched logger |
//! | `logger`  | 1 or more lines           | one or more logger names separated by spaces; `*` matches any run of characters (dots included) |
//! | `level`   | optional, repeatable      | levels separated by spaces: `TRACE DEBUG INFO WARN ERROR FATAL`; any level when absent |
//! | `flink`   | optional, once            | free text, informational: the Flink versions that log this (`1.14-2.x`) |
//! | `message` | exactly once              | the message template (see below) |
//! | `set`     | optional, repeatable      | constant fields, `field=value` pairs (see *Pairs*); `event` only |
//! | `sample`  | `event`: 1 or more; `ignore`: optional | one complete, real log line, as Flink writes it |
//! | `expect`  | at most one per `sample`, right after it | the fields the sample produces, `field=value` pairs; `event` only |
//!
//! Example:
//!
//! ```text
//! # CheckpointCoordinator, all versions since 1.14
//! event checkpoint_completed
//!   logger  org.apache.flink.runtime.checkpoint.CheckpointCoordinator
//!   level   INFO
//!   flink   1.14-2.x
//!   message Completed checkpoint {checkpoint:int} for job {job:jobid} ({bytes:int} bytes, checkpointDuration={duration_ms:int} ms, finalizationTime={_:int} ms).
//!   set     savepoint=false
//!   sample  2022-12-11 16:02:23,451 INFO  org.apache.flink.runtime.checkpoint.CheckpointCoordinator [] - Completed checkpoint 1 for job c506b6c290cc2d96a0e3f0eea10395c4 (7735 bytes, checkpointDuration=123 ms, finalizationTime=11 ms).
//!   expect  checkpoint=1 job=c506b6c290cc2d96a0e3f0eea10395c4 bytes=7735 duration_ms=123 savepoint=false
//!
//! ignore
//!   logger  org.apache.flink.runtime.executiongraph.ExecutionGraph
//!   message {_:text} switched from {_:word} to {_:word}{_:rest}
//! ```
//!
//! # Message templates
//!
//! The `message` value is literal text with holes. Literal text matches itself exactly,
//! character for character (spaces included: one space in the template matches one space).
//! `{{` and `}}` stand for a literal `{` and `}`; a lone `}` is an error.
//!
//! A hole is `{name:type}`. `name` is a field of [`crate::events::Fields`] (the list is
//! [`crate::events::FIELD_TYPES`]) or `_` to match and discard. A field may be bound only
//! once per template (by one hole or one `set` pair). `ignore` templates may only use `_`.
//!
//! | type      | matches | value |
//! |-----------|---------|-------|
//! | `int`     | decimal digits `[0-9]+` | number |
//! | `jobid`   | 32 hex digits | text, lower-cased |
//! | `uuid`    | `8-4-4-4-12` hex digits | text, lower-cased |
//! | `session` | a uuid, or 32 hex digits (a fencing token: `JobMasterId`, `ResourceManagerId`) | text, normalised by [`crate::events::normalize_session`] to the dashed uuid |
//! | `hex`     | hex digits `[0-9a-fA-F]+` | text |
//! | `word`    | a run of non-whitespace `\S+` | text |
//! | `state`   | `[A-Z_]+` (`RUNNING`, `SUSPENDED`) | text |
//! | `text`    | any text, as little as possible (may be empty) | text |
//! | `rest`    | any text, as much as possible, to the end of the message | text |
//! | `jobids`  | a Java list of job ids `[id, id, …]`, possibly `[]` | list of lower-cased ids |
//! | `cptype`  | a checkpoint type as in `(type=…)`: `CHECKPOINT`, `SAVEPOINT`, `SYNC_SAVEPOINT`, `SAVEPOINT_SUSPEND`, `CheckpointType{…}`, `SavepointType{…}`; never runs past `(` or `)` | true/false: true iff the text contains `savepoint` (any case) |
//! | `cpkind`  | a word `[A-Za-z]+`: `Checkpoint`, `Savepoint` (as in `… from Savepoint 10 @ …`) | true/false, as `cptype` |
//!
//! The type must fit the field: `int` fills number fields (`checkpoint`, `bytes`,
//! `duration_ms`, `count`), `cptype`/`cpkind` fill true/false fields (`savepoint`), `jobids`
//! fills list fields (`jobs`), every other type fills text fields. A hole whose text cannot be
//! represented (an `int` beyond 64 bits) makes the template not match.
//!
//! A template matches a message when the whole message matches it (the template is anchored
//! at both ends). Leading and trailing whitespace of the log message is ignored (Flink's
//! startup banner lines start with a space); the template itself cannot start or end with
//! whitespace.
//!
//! # Pairs (`set`, `expect`)
//!
//! A list of `field=value` separated by spaces. A value is the text up to the next
//! whitespace, or a double-quoted string `field="two words"` (`\"` and `\\` escape inside
//! quotes). List fields are written `jobs=[a,b]` (no spaces; `jobs=[]` is the empty list).
//! Numbers are decimal, booleans `true` / `false`. `set` constants are added to every event
//! the template produces. An `expect` line may be empty (the sample produces no field).
//!
//! # Loggers
//!
//! A template applies to a record when one of its `logger` patterns names the record's
//! logger. A name matches the logger written in full; it also matches logback / log4j
//! abbreviations, `o.a.f.r.c.CheckpointCoordinator` or `o.a.f.runtime.checkpoint.Checkpoint…`
//! (same number of segments, same final class name, each package segment a prefix of the
//! template's), and a bare class name `CheckpointCoordinator` (log4j `%c{1}`). A glob
//! (`org.apache.flink.*.KubernetesLeaderElector`, `*HaServices`) is matched against the full
//! logger, against the logger's initials form (`o.a.f.k.k.r.KubernetesLeaderElector`, when
//! the logger is abbreviated) and, for a bare class name, against the glob's last segment.
//!
//! # Classification
//!
//! Files are ordered by file name, templates by their place in the file. For one record
//! (level, logger, first line of the message) the first template whose logger and level fit
//! and whose message matches wins:
//!
//! * an `event` template → [`Classified::Event`] with its kind and fields;
//! * an `ignore` template → [`Classified::Ignored`];
//! * no template matched, but some `event` template names the logger (the logger is
//!   *watched*) → [`Classified::Unmatched`]: an unknown line of an HA logger, worth
//!   reporting (it may be a message this grammar does not know yet, or another level);
//! * otherwise → [`Classified::Unwatched`]. `ignore` templates alone do not make a logger
//!   watched.
//!
//! # Samples
//!
//! Loading checks every sample, so a grammar that loads is a grammar whose examples work.
//! The sample line is split with [`crate::envelope::parse_line`] (UTC); then
//!
//! 1. its logger must be named by the template's `logger` lines and its level must pass
//!    `level`;
//! 2. its message (first line) must match this template's `message`;
//! 3. this template must be the first one that matches the sample (else it is *shadowed* by
//!    an earlier template, which is reported with its place);
//! 4. with an `expect` line, the fields produced (holes and `set` constants) must equal the
//!    expected fields exactly: every field produced must be expected and vice versa.
//!    Without `expect`, only steps 1–3 are checked.
//!
//! An `ignore` template's samples must be ignored by it (steps 1–3).
//!
//! # Errors
//!
//! Every error names its place, `file:line:column: what is wrong`, e.g.
//! `grammars/checkpoint.grammar:12:3: sample does not match its template: …`. Columns count
//! characters from 1; hole errors point at the hole's `{`. All errors of all files are
//! reported at once, one per line.
//!
//! # User grammars
//!
//! `--grammar PATH` (repeatable) adds a file, or every `*.grammar` file of a directory. A file
//! whose name (without directories) equals a built-in's, e.g. `checkpoint.grammar`, replaces
//! that built-in; other names add to the built-ins.

mod compile;
mod hole;
mod logger;
mod matcher;
mod syntax;

use crate::envelope::{parse_line, Zone};
use crate::events::{Fields, Kind, FIELD_TYPES};
use compile::{Engine, Template};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The built-in grammar files, embedded in the binary: (file name, text).
const BUILTIN: &[(&str, &str)] = &[
    (
        "application.grammar",
        include_str!("../../grammars/application.grammar"),
    ),
    (
        "checkpoint.grammar",
        include_str!("../../grammars/checkpoint.grammar"),
    ),
    (
        "cleanup.grammar",
        include_str!("../../grammars/cleanup.grammar"),
    ),
    ("job.grammar", include_str!("../../grammars/job.grammar")),
    (
        "jobgraph.grammar",
        include_str!("../../grammars/jobgraph.grammar"),
    ),
    (
        "kubernetes.grammar",
        include_str!("../../grammars/kubernetes.grammar"),
    ),
    (
        "leader.grammar",
        include_str!("../../grammars/leader.grammar"),
    ),
    (
        "process.grammar",
        include_str!("../../grammars/process.grammar"),
    ),
    (
        "roles.grammar",
        include_str!("../../grammars/roles.grammar"),
    ),
    (
        "taskmanager.grammar",
        include_str!("../../grammars/taskmanager.grammar"),
    ),
    (
        "zookeeper.grammar",
        include_str!("../../grammars/zookeeper.grammar"),
    ),
];

/// How many logger names the resolution cache keeps (distinct loggers in real logs number in
/// the hundreds; beyond this, resolution is simply recomputed).
const CACHE_LIMIT: usize = 8192;

/// A compiled, checked set of grammar templates. `classify` is `&self` and the type is
/// `Sync`, so one grammar serves all threads.
pub struct Grammar {
    /// Display names of the files, in load order.
    files: Vec<String>,
    /// This grammar's number, unique in the process: what a [`LoggerCache`] belongs to.
    id: u64,
    /// Every template, files in name order, templates in file order.
    templates: Vec<Template>,
    /// Candidate templates per exact logger name written in some template.
    exact: HashMap<String, Arc<Resolved>, FastHash>,
    /// Templates with an exact logger pattern, by the pattern's final segment (a logger
    /// matches an exact pattern only if their final segments are equal).
    by_final: HashMap<String, Vec<u32>, FastHash>,
    /// Templates with a glob logger pattern.
    globbed: Vec<u32>,
    /// Candidate templates of other loggers (abbreviated, glob-matched, unknown), filled on
    /// first sight, for [`Grammar::classify`]; hot paths use their own [`LoggerCache`].
    cache: RwLock<HashMap<String, Arc<Resolved>, FastHash>>,
    /// How records are matched: the hand matchers (regex fallback), or the regexes alone.
    engine: Engine,
}

/// A caller's own cache of how loggers resolve to templates: one lookup per record, and no
/// lock, so parsing threads do not contend on it. Keep one per parsing thread (it may
/// serve several grammars: entries are keyed by grammar too).
#[derive(Debug, Default)]
pub struct LoggerCache {
    map: HashMap<Box<str>, Arc<Resolved>, FastHash>,
    /// A direct-mapped memo in front of `map`, indexed by [`memo_slot`]: a log has a few
    /// dozen loggers, so a record's logger is nearly always found here with one comparison
    /// of the name, without probing the map (which cost more than classifying most
    /// records). The comparison is the slices' own (`bcmp`, 32 bytes a step): a word loop
    /// over a 55-byte class name cost more.
    memo: Vec<Option<(Box<str>, Arc<Resolved>)>>,
    /// The id of the grammar the entries belong to.
    owner: Option<u64>,
}

impl LoggerCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The resolution of `logger`, when known.
    #[inline]
    fn get(&self, logger: &str) -> Option<&Arc<Resolved>> {
        if let Some(Some((name, r))) = self.memo.get(memo_slot(logger)) {
            if name.as_bytes() == logger.as_bytes() {
                return Some(r);
            }
        }
        self.map.get(logger)
    }

    /// Remember the resolution of `logger` (while the map has room; the memo always).
    fn put(&mut self, logger: &str, r: Arc<Resolved>) {
        if self.memo.is_empty() {
            self.memo = vec![None; MEMO_SLOTS];
        }
        if let Some(slot) = self.memo.get_mut(memo_slot(logger)) {
            *slot = Some((logger.into(), r.clone()));
        }
        if self.map.len() < CACHE_LIMIT {
            self.map.insert(logger.into(), r);
        }
    }
}

/// Slots of [`LoggerCache::memo`] (a power of two).
const MEMO_SLOTS: usize = 256;

/// The memo slot of a logger name: the top bits of the map's own [`WordHasher`].
#[inline]
fn memo_slot(logger: &str) -> usize {
    let mut h = WordHasher::default();
    h.write(logger.as_bytes());
    (h.finish() >> 56) as usize & (MEMO_SLOTS - 1)
}

/// A hash of a logger name from its length and its last 16 bytes: names are looked up
/// once per record and differ mostly at the end (`org.apache.flink.runtime.…`), so hashing
/// all of them costs more than the rare collision (which only costs a comparison). Not DoS
/// resistant, which the bounded caches do not need.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Zero-padded to eight bytes; whole words (the common case) load directly instead of
        // being copied byte by byte, which compiled to a call of `memcpy`.
        let word = |b: &[u8]| match <[u8; 8]>::try_from(b) {
            Ok(w) => u64::from_le_bytes(w),
            Err(_) => {
                let mut w = [0u8; 8];
                for (d, s) in w.iter_mut().zip(b) {
                    *d = *s;
                }
                u64::from_le_bytes(w)
            }
        };
        let n = bytes.len();
        let tail = bytes.get(n.saturating_sub(16)..).unwrap_or(bytes);
        let (a, b) = tail.split_at(tail.len().saturating_sub(8));
        let mut h = self.0 ^ (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for w in [word(a), word(b)] {
            h = (h ^ w).wrapping_mul(0x0000_0100_0000_01b3);
            h ^= h >> 29;
        }
        self.0 = h;
    }

    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }

    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

type FastHash = BuildHasherDefault<WordHasher>;

/// The templates that apply to one logger.
#[derive(Debug)]
struct Resolved {
    /// Some `event` template names the logger.
    watched: bool,
    /// Candidate lists, each ascending: `[0]` holds the templates whose message starts with
    /// a hole (they may match any message), every other list the templates whose literal
    /// prefix starts with one byte, merged in order with those of `[0]`.
    buckets: Vec<Vec<u32>>,
    /// The bucket of a message by its first byte.
    by_first: [u16; 256],
}

impl Resolved {
    /// No template at all.
    fn is_empty(&self) -> bool {
        // Buckets past the first are never empty (each holds the templates of its byte).
        self.buckets.len() <= 1 && self.buckets.first().map_or(true, Vec::is_empty)
    }

    /// The templates that may match a (trimmed) message, in match order.
    fn candidates(&self, msg: &str) -> &[u32] {
        let b = msg
            .as_bytes()
            .first()
            .and_then(|c| self.by_first.get(usize::from(*c)))
            .copied()
            .unwrap_or(0);
        self.buckets
            .get(usize::from(b))
            .map_or(&[][..], Vec::as_slice)
    }
}

/// What the grammar made of one record.
// `Event` is large, but it is the rare case and its fields move straight into an `Event`;
// boxing would cost an allocation per event for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Classified {
    /// An `event` template matched.
    Event {
        /// The event kind.
        kind: Kind,
        /// The fields the template produced (holes and `set` constants), boxed as in
        /// [`Event`](crate::events::Event): every record's classification is returned by
        /// value, and would otherwise carry the whole of them.
        fields: Box<Fields>,
    },
    /// An `ignore` template matched: a known, irrelevant line.
    Ignored,
    /// The logger is watched (named by an `event` template) but no template matched.
    Unmatched,
    /// No `event` template names the logger (and no `ignore` template matched).
    Unwatched,
}

/// An error in, or while reading, grammar files.
#[derive(Debug, thiserror::Error)]
pub enum GrammarError {
    /// A syntax, type or sample error at a place in a grammar file.
    #[error("{file}:{line}:{col}: {msg}")]
    At {
        /// Grammar file name as given (built-ins: `grammars/NAME`).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        col: usize,
        /// What is wrong.
        msg: String,
    },
    /// A grammar file or directory could not be read.
    #[error("{}: cannot read grammar: {error}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error (not a `source`: its text is already in the message, and a
        /// source would print it twice in `flinkha: error: …`).
        error: std::io::Error,
    },
    /// Two grammar files with one name were given to [`Grammar::from_files`].
    #[error("{name}: grammar file given twice")]
    Duplicate {
        /// The file name.
        name: String,
    },
    /// Several errors, one per line.
    #[error("{}", join_errors(.0))]
    Several(Vec<GrammarError>),
}

fn join_errors(errors: &[GrammarError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl GrammarError {
    fn from_list(mut errors: Vec<GrammarError>) -> Result<(), GrammarError> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(GrammarError::Several(errors)),
        }
    }
}

/// A short description of one template, for `--help`-style listings and debugging.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateInfo {
    /// `file:line` of its `event` / `ignore` line.
    pub location: String,
    /// The event kind; `None` for `ignore` templates.
    pub kind: Option<Kind>,
    /// Logger patterns as written.
    pub loggers: Vec<String>,
    /// Levels (empty: any).
    pub levels: Vec<String>,
    /// The `flink` versions note.
    pub flink: Option<String>,
    /// The message template as written.
    pub message: String,
}

/// The file name without directories: the key for ordering and for replacing built-ins.
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

impl Grammar {
    /// Built-in grammars embedded in the binary (every file of `grammars/`), every sample
    /// checked.
    pub fn builtin() -> Result<Grammar, GrammarError> {
        Self::from_files(&builtin_files())
    }

    /// Built-ins plus user files and directories (`--grammar PATH`). A directory contributes
    /// its `*.grammar` files. A file whose name equals a built-in's replaces it; other files
    /// add to the built-ins (a later user file with the same name replaces an earlier one).
    /// The samples of user files are checked; those of the unchanged built-ins are not
    /// (the test suite checks them, see [`Grammar::builtin`]).
    pub fn load(extra: &[PathBuf]) -> Result<Grammar, GrammarError> {
        let mut files = builtin_files();
        for path in extra {
            for (display, text) in read_grammar_path(path)? {
                let key = base_name(&display).to_string();
                match files.iter_mut().find(|(n, _)| base_name(n) == key) {
                    Some(slot) => *slot = (display, text),
                    None => files.push((display, text)),
                }
            }
        }
        // The embedded built-ins' samples are checked by the test suite
        // (`builtin_samples_all_hold`), not on every run: a fifth of the start's
        // instructions. A file with a built-in's name and other text (a user's copy) is
        // checked like any user file.
        Self::compile(&files, |name, text| {
            !BUILTIN
                .iter()
                .any(|(n, t)| base_name(name) == *n && *t == text)
        })
    }

    /// Compile from (file name, text) pairs and check every sample. Files are ordered by
    /// their name without directories; two files with one such name are an error.
    pub fn from_files(files: &[(String, String)]) -> Result<Grammar, GrammarError> {
        Self::compile(files, |_, _| true)
    }

    /// [`Grammar::from_files`], checking the samples of the files `check` (name, text)
    /// says.
    fn compile(
        files: &[(String, String)],
        check: impl Fn(&str, &str) -> bool,
    ) -> Result<Grammar, GrammarError> {
        let mut order: Vec<&(String, String)> = files.iter().collect();
        order.sort_by(|a, b| base_name(&a.0).cmp(base_name(&b.0)));
        for w in order.windows(2) {
            if let [a, b] = w {
                if base_name(&a.0) == base_name(&b.0) {
                    return Err(GrammarError::Duplicate {
                        name: base_name(&b.0).to_string(),
                    });
                }
            }
        }
        let mut errors = Vec::new();
        let mut templates = Vec::new();
        for (name, text) in &order {
            let file: Arc<str> = Arc::from(name.as_str());
            templates.extend(compile::compile_file(&file, text, &mut errors));
        }
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        let mut grammar = Grammar {
            files: order.iter().map(|(n, _)| n.clone()).collect(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            templates,
            exact: HashMap::default(),
            by_final: HashMap::default(),
            globbed: Vec::new(),
            cache: RwLock::new(HashMap::default()),
            engine: Engine::Fast,
        };
        grammar.index();
        let checked: Vec<&str> = order
            .iter()
            .filter(|(n, t)| check(n, t))
            .map(|(n, _)| n.as_str())
            .collect();
        grammar.check_samples(&checked, &mut errors);
        GrammarError::from_list(errors)?;
        Ok(grammar)
    }

    /// Index templates by logger, then precompute the candidates of every exact logger name
    /// that templates write.
    fn index(&mut self) {
        for (i, t) in self.templates.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { continue };
            for p in &t.loggers {
                match p {
                    logger::LoggerPattern::Exact(n) => {
                        let list = self
                            .by_final
                            .entry(logger::final_segment(n).to_string())
                            .or_default();
                        if list.last() != Some(&i) {
                            list.push(i);
                        }
                    }
                    logger::LoggerPattern::Glob(..) => {
                        if self.globbed.last() != Some(&i) {
                            self.globbed.push(i);
                        }
                    }
                }
            }
        }
        let names: Vec<String> = self
            .templates
            .iter()
            .flat_map(|t| &t.loggers)
            .filter_map(|p| match p {
                logger::LoggerPattern::Exact(n) => Some(n.clone()),
                logger::LoggerPattern::Glob(..) => None,
            })
            .collect();
        for n in names {
            if !self.exact.contains_key(&n) {
                let r = Arc::new(self.compute(&n));
                self.exact.insert(n, r);
            }
        }
    }

    fn compute(&self, logger: &str) -> Resolved {
        let mut watched = false;
        let mut maybe: Vec<u32> = self.globbed.clone();
        if let Some(same_final) = self.by_final.get(logger::final_segment(logger)) {
            maybe.extend_from_slice(same_final);
            maybe.sort_unstable();
            maybe.dedup();
        }
        // (first byte of the literal prefix, template), `None` for templates that start
        // with a hole.
        let mut all: Vec<(Option<u8>, u32)> = Vec::new();
        for i in maybe {
            let Some(t) = self.templates.get(i as usize) else {
                continue;
            };
            if !t.logger_ok(logger) {
                continue;
            }
            watched |= t.kind.is_some();
            all.push((t.first_byte(), i));
        }
        let mut firsts: Vec<u8> = all.iter().filter_map(|(b, _)| *b).collect();
        firsts.sort_unstable();
        firsts.dedup();
        let mut buckets = vec![all
            .iter()
            .filter(|(b, _)| b.is_none())
            .map(|(_, i)| *i)
            .collect::<Vec<u32>>()];
        let mut by_first = [0u16; 256];
        for f in firsts {
            let list = all
                .iter()
                .filter(|(b, _)| b.is_none() || *b == Some(f))
                .map(|(_, i)| *i)
                .collect();
            if let (Ok(k), Some(slot)) = (
                u16::try_from(buckets.len()),
                by_first.get_mut(usize::from(f)),
            ) {
                *slot = k;
                buckets.push(list);
            }
        }
        Resolved {
            watched,
            buckets,
            by_first,
        }
    }

    /// The resolution of a logger, shared: from the exact names, or the cache every
    /// parsing thread fills (a real log has a hundred loggers or so, each input's lanes and
    /// chunks meet the same ones, and resolving one tries it against every glob).
    fn resolved(&self, logger: &str) -> Arc<Resolved> {
        if let Some(r) = self.exact.get(logger) {
            return r.clone();
        }
        if let Some(r) = self.cache.read().ok().and_then(|c| c.get(logger).cloned()) {
            return r;
        }
        let r = Arc::new(self.compute(logger));
        if let Ok(mut cache) = self.cache.write() {
            if cache.len() < CACHE_LIMIT {
                cache.insert(logger.to_string(), r.clone());
            }
        }
        r
    }

    /// Run `f` on the templates of `logger`: precomputed for exact names, cached for others.
    fn with_resolved<T>(&self, logger: &str, f: impl FnOnce(&Resolved) -> T) -> T {
        f(&self.resolved(logger))
    }

    /// The index of the first template that takes this record, with its fields for `event`
    /// templates, among the templates `r` of the record's logger.
    fn first_match(
        &self,
        r: &Resolved,
        level: &str,
        message: &str,
        engine: Engine,
        one_line: bool,
    ) -> Option<(usize, Option<Box<Fields>>)> {
        let msg = trim(message);
        let level = compile::level_bit(level);
        for &i in r.candidates(msg) {
            let i = i as usize;
            let Some(t) = self.templates.get(i) else {
                continue;
            };
            if !t.level_bit_ok(level) {
                continue;
            }
            if t.kind.is_some() {
                if let Some(f) = t.fields_in(msg, engine, one_line) {
                    return Some((i, Some(f)));
                }
            } else if t.is_match_in(msg, engine, one_line) {
                return Some((i, None));
            }
        }
        None
    }

    /// What the first matching template of `r` makes of a record whose message's first
    /// line is `head` (evaluated only for a logger with templates: most records have none);
    /// `one_line`: `head` is known to hold no `\n`.
    fn classify_in<'m>(
        &self,
        r: &Resolved,
        level: &str,
        head: impl FnOnce() -> &'m str,
        engine: Engine,
        one_line: bool,
    ) -> Classified {
        if r.is_empty() {
            return Classified::Unwatched;
        }
        let head = head();
        match self.first_match(r, level, head, engine, one_line) {
            Some((i, Some(fields))) => match self.templates.get(i).and_then(|t| t.kind) {
                Some(kind) => Classified::Event { kind, fields },
                None => Classified::Ignored,
            },
            Some((_, None)) => Classified::Ignored,
            None if r.watched => Classified::Unmatched,
            None => Classified::Unwatched,
        }
    }

    /// Classify one record from its level, logger and the first line of its message.
    pub fn classify(&self, level: &str, logger: &str, message_head: &str) -> Classified {
        self.with_resolved(logger.trim(), |r| {
            self.classify_in(r, level, || message_head, self.engine, false)
        })
    }

    /// Match every record with the templates' regexes alone, the reference semantics the
    /// hand matchers are held to (`--regex-only`, and the tests comparing both paths):
    /// the same events, several times slower.
    pub fn use_regex_only(&mut self, on: bool) {
        self.engine = if on { Engine::Regex } else { Engine::Fast };
    }

    /// [`Grammar::classify`] with the caller's own cache of logger resolutions: no lock,
    /// so parsing threads do not contend (the hot path). `message` is the whole message;
    /// templates see its first line, which is only looked for when the logger has some.
    pub fn classify_cached(
        &self,
        cache: &mut LoggerCache,
        level: &str,
        logger: &str,
        message: &str,
    ) -> Classified {
        self.classify_with(cache, level, logger, || first_line(message))
    }

    /// [`Grammar::classify_cached`] of a message that is one line, with no `\n` in it (a
    /// pattern layout's message is the rest of its physical line): the same answer, without
    /// looking for its end again, neither here nor in the matchers. A message with a `\n`
    /// is the caller's error (checked in debug builds).
    pub fn classify_line(
        &self,
        cache: &mut LoggerCache,
        level: &str,
        logger: &str,
        message: &str,
    ) -> Classified {
        debug_assert!(memchr::memchr(b'\n', message.as_bytes()).is_none());
        self.classify_with(cache, level, logger, || {
            message.strip_suffix('\r').unwrap_or(message)
        })
    }

    /// Classify with the caller's cache of logger resolutions; `head` is the message's first
    /// line, without its `\n` (so the matchers need not look for one).
    fn classify_with<'m>(
        &self,
        cache: &mut LoggerCache,
        level: &str,
        logger: &str,
        head: impl FnOnce() -> &'m str,
    ) -> Classified {
        let logger = trim(logger);
        if cache.owner != Some(self.id) {
            cache.map.clear();
            cache.memo.clear();
            cache.owner = Some(self.id);
        }
        if let Some(r) = cache.get(logger) {
            return self.classify_in(r, level, head, self.engine, true);
        }
        let r = self.resolved(logger);
        let out = self.classify_in(&r, level, head, self.engine, true);
        cache.put(logger, r);
        out
    }

    /// [`Grammar::classify`] with the regex engine alone, the reference semantics: tests
    /// compare it with the hand matchers.
    #[cfg(test)]
    pub(crate) fn classify_regex(&self, level: &str, logger: &str, head: &str) -> Classified {
        self.with_resolved(logger.trim(), |r| {
            self.classify_in(r, level, || head, Engine::Regex, false)
        })
    }

    /// Whether a logger is watched (named by some `event` template): its unmatched lines are
    /// worth reporting.
    pub fn is_watched(&self, logger: &str) -> bool {
        self.with_resolved(logger.trim(), |r| r.watched)
    }

    /// Names of the grammar files, in the order their templates apply.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Number of templates (`event` and `ignore`).
    pub fn len(&self) -> usize {
        self.templates.len()
    }

    /// Whether there are no templates at all.
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// A description of every template, in match order.
    pub fn templates(&self) -> Vec<TemplateInfo> {
        self.templates
            .iter()
            .map(|t| TemplateInfo {
                location: format!("{}:{}", t.loc.file, t.loc.line),
                kind: t.kind,
                loggers: t.loggers.iter().map(|p| p.as_str().to_string()).collect(),
                levels: t.levels.clone(),
                flink: t.flink.clone(),
                message: t.message.clone(),
            })
            .collect()
    }

    /// Check the samples of the templates of the files named in `files`.
    fn check_samples(&self, files: &[&str], errors: &mut Vec<GrammarError>) {
        for (ti, t) in self.templates.iter().enumerate() {
            for s in t.samples.iter().filter(|s| files.contains(&&*s.loc.file)) {
                if let Err(e) = self.check_sample(ti, t, s) {
                    errors.push(e);
                }
            }
        }
    }

    fn check_sample(
        &self,
        ti: usize,
        t: &Template,
        s: &compile::Sample,
    ) -> Result<(), GrammarError> {
        let loc = &s.loc;
        let env = parse_line(&s.text, &Zone::Utc).ok_or_else(|| {
            loc.error(
                "sample is not a log line flinkha can read (timestamp LEVEL logger - message)",
            )
        })?;
        if !t.logger_ok(&env.logger) {
            return Err(loc.error(format!(
                "sample logger `{}` is not one of the template's loggers",
                env.logger
            )));
        }
        if !t.level_ok(&env.level) {
            return Err(loc.error(format!(
                "sample level `{}` is not one of the template's levels ({})",
                env.level,
                t.levels.join(" ")
            )));
        }
        let head = env.message.lines().next().unwrap_or("").trim();
        if !t.is_match(head, Engine::Fast) {
            return Err(loc.error(format!(
                "sample does not match its template: {} (message: `{head}`)",
                t.mismatch_hint(head)
            )));
        }
        let first = self.with_resolved(env.logger.trim(), |r| {
            self.first_match(r, &env.level, head, Engine::Fast, true)
        });
        match first {
            Some((fi, _)) if fi < ti => {
                let other = self
                    .templates
                    .get(fi)
                    .map(|o| format!("{}:{}", o.loc.file, o.loc.line))
                    .unwrap_or_default();
                return Err(loc.error(format!(
                    "sample is shadowed: the earlier template at {other} matches it first"
                )));
            }
            Some((fi, _)) if fi == ti => {}
            _ => {
                return Err(loc.error(
                    "sample matches its template but a hole's value cannot be represented (number too large?)",
                ))
            }
        }
        let (Some((eloc, expected)), Some((_, Some(got)))) = (&s.expect, first) else {
            return Ok(());
        };
        if *got == *expected {
            return Ok(());
        }
        Err(eloc.error(format!(
            "expect does not match the sample's fields: {}",
            fields_diff(expected, &got)
        )))
    }
}

/// The first line of a message (a JSON record's message may hold a stack trace), without
/// its `\r`: what templates are matched against.
pub(crate) fn first_line(message: &str) -> &str {
    let head = match memchr::memchr(b'\n', message.as_bytes()) {
        Some(p) => message.get(..p).unwrap_or(message),
        None => message,
    };
    head.strip_suffix('\r').unwrap_or(head)
}

/// `s.trim()`, with a shortcut for the common message that starts and ends with a visible
/// ASCII character.
fn trim(s: &str) -> &str {
    let visible = |c: Option<&u8>| c.is_some_and(|c| *c > b' ' && *c < 0x7f);
    let b = s.as_bytes();
    if visible(b.first()) && visible(b.last()) {
        s
    } else {
        s.trim()
    }
}

/// `field: expected `x`, got `y`` for every field that differs.
fn fields_diff(expected: &Fields, got: &Fields) -> String {
    let mut out = Vec::new();
    for (name, _) in FIELD_TYPES {
        let (e, g) = (expected.get(name), got.get(name));
        match (e, g) {
            (Some(e), Some(g)) if e != g => out.push(format!("{name}: expected `{e}`, got `{g}`")),
            (Some(e), None) => out.push(format!("{name}: expected `{e}`, not produced")),
            (None, Some(g)) => out.push(format!("{name}: produced `{g}`, not expected")),
            _ => {}
        }
    }
    if out.is_empty() {
        "fields differ".to_string()
    } else {
        out.join("; ")
    }
}

impl fmt::Debug for Grammar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Grammar")
            .field("files", &self.files)
            .field("templates", &self.templates.len())
            .finish()
    }
}

fn builtin_files() -> Vec<(String, String)> {
    BUILTIN
        .iter()
        .map(|(n, t)| (format!("grammars/{n}"), (*t).to_string()))
        .collect()
}

/// (display name, text) of a grammar file, or of every `*.grammar` file of a directory in
/// name order.
fn read_grammar_path(path: &Path) -> Result<Vec<(String, String)>, GrammarError> {
    let io = |error| GrammarError::Io {
        path: path.to_path_buf(),
        error,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    let mut paths = Vec::new();
    if meta.is_dir() {
        for entry in std::fs::read_dir(path).map_err(io)? {
            let p = entry.map_err(io)?.path();
            if p.is_file() && p.extension().is_some_and(|e| e == "grammar") {
                paths.push(p);
            }
        }
        paths.sort();
        if paths.is_empty() {
            // A directory without grammars is almost certainly the wrong path: say so rather
            // than run with the built-ins alone.
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no *.grammar files in this directory",
            )));
        }
    } else {
        paths.push(path.to_path_buf());
    }
    paths
        .into_iter()
        .map(|p| {
            let text = read_grammar_file(&p).map_err(|error| GrammarError::Io {
                path: p.clone(),
                error,
            })?;
            Ok((p.display().to_string(), text))
        })
        .collect()
}

/// Largest grammar file read: the built-in ones are a few KiB each.
const MAX_GRAMMAR_BYTES: u64 = 4 << 20;

/// The text of one grammar file, at most [`MAX_GRAMMAR_BYTES`]: `--grammar /dev/zero` (or
/// any endless special file) must end in an error, not read forever.
fn read_grammar_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_GRAMMAR_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_GRAMMAR_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_GRAMMAR_BYTES >> 20),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod equivalence;
#[cfg(test)]
mod tests;
