//! From grammar text to compiled templates: the per-file state machine over keyword lines,
//! hole validation, matcher and regex construction, and message matching.
//!
//! A template matches with its hand matcher ([`super::matcher`]); its regex, the reference
//! semantics, is compiled only when a match needs it (the matcher gave up on a hostile
//! message) or when the template has no hand matcher, so that loading the grammar costs
//! no regex compilation.

use super::hole::{field_type_name, types_for, HoleType};
use super::logger::LoggerPattern;
use super::matcher::{has_at, Found, Matcher, Needle, Span, MAX_HOLES};
use super::syntax::{self, KeywordLine, Piece};
use super::GrammarError;
use crate::events::{self, FieldType, Fields, Kind, Setter, Value, FIELD_TYPES};
use regex::Regex;
use std::sync::{Arc, OnceLock};

/// Messages longer than this compile their regex at load, so that a regex the engine
/// refuses (too large) is an error of the grammar file, not a silent non-match later.
/// Shorter templates cannot come near the regex size limit.
const EAGER_REGEX_LEN: usize = 2048;

/// Which engine matches a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    /// The hand matcher, with the regex where the matcher gives up or is missing.
    Fast,
    /// The regex alone: the reference the hand matcher is tested against.
    Regex,
}

/// A named hole: where its text is and which field it fills.
#[derive(Debug)]
struct Capture {
    /// Index among the template's holes (named and `_`): its matcher span.
    hole: usize,
    /// The field name.
    name: &'static str,
    /// The hole type, which converts the text.
    ty: HoleType,
    /// Sets the field.
    set: Setter,
}

/// Levels a `level` line may name.
const LEVELS: &[&str] = &["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/// The bit of a record's level among [`LEVELS`] (any case, surrounding white space
/// ignored); `0x80` for a level not among them, which only templates without `level` take.
pub(crate) fn level_bit(level: &str) -> u8 {
    // The common case first: the level as log4j writes it, upper case, no padding.
    match level {
        "INFO" => return 1 << 2,
        "WARN" => return 1 << 3,
        "ERROR" => return 1 << 4,
        _ => {}
    }
    let level = level.trim();
    LEVELS
        .iter()
        .position(|l| l.eq_ignore_ascii_case(level))
        .map_or(0x80, |k| 1 << k)
}

/// The level bits a template takes: all of them without `level` lines.
fn level_mask(levels: &[String]) -> u8 {
    if levels.is_empty() {
        return 0xff;
    }
    levels.iter().fold(0, |m, l| m | (level_bit(l) & 0x7f))
}

/// Every keyword of the language.
const KEYWORDS: &str = "event, ignore, logger, level, flink, message, set, sample, expect";

/// A place in a grammar file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Loc {
    /// File name as shown in errors.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub col: usize,
}

impl Loc {
    /// An error at this place.
    pub(crate) fn error(&self, msg: impl Into<String>) -> GrammarError {
        GrammarError::At {
            file: self.file.to_string(),
            line: self.line,
            col: self.col,
            msg: msg.into(),
        }
    }
}

/// A `sample` line with its optional `expect`.
#[derive(Debug)]
pub(crate) struct Sample {
    /// Where the `sample` keyword is.
    pub loc: Loc,
    /// The log line.
    pub text: String,
    /// The expected fields and where the `expect` keyword is.
    pub expect: Option<(Loc, Fields)>,
}

/// One compiled template.
#[derive(Debug)]
pub(crate) struct Template {
    /// Where its `event` / `ignore` line is.
    pub loc: Loc,
    /// The event kind; `None` for `ignore`.
    pub kind: Option<Kind>,
    /// Logger patterns.
    pub loggers: Vec<LoggerPattern>,
    /// Upper-case levels; empty means any.
    pub levels: Vec<String>,
    /// The same as bits of [`level_bit`].
    level_mask: u8,
    /// The `flink` versions note.
    pub flink: Option<String>,
    /// The message template as written.
    pub message: String,
    /// The parsed pieces (for diagnostics).
    pieces: Vec<Piece>,
    /// The hand matcher; `None` for a template with too many holes.
    matcher: Option<Matcher>,
    /// The `^…$` regex of the message, compiled on first use (`None`: it does not compile).
    regex: OnceLock<Option<Regex>>,
    /// Literal text before the first hole.
    prefix: String,
    /// For a template that starts with a hole: its longest literal, searched first.
    longest: Option<Needle>,
    /// Whether the matcher's first hole searches for the longest literal.
    lead_is_longest: bool,
    /// Named holes in capture group order.
    captures: Vec<Capture>,
    /// `set` constants; `None` when there are none (most templates).
    constants: Option<Fields>,
    /// Samples to check.
    pub samples: Vec<Sample>,
}

impl Template {
    /// Whether a record level passes the `level` filter.
    pub(crate) fn level_ok(&self, level: &str) -> bool {
        self.level_bit_ok(level_bit(level))
    }

    /// [`Template::level_ok`] for a level already turned into its [`level_bit`].
    pub(crate) fn level_bit_ok(&self, bit: u8) -> bool {
        self.level_mask & bit != 0
    }

    /// Whether a record logger is named by this template.
    pub(crate) fn logger_ok(&self, logger: &str) -> bool {
        self.loggers.iter().any(|p| p.matches(logger))
    }

    /// The first byte of the literal prefix; `None` when the message starts with a hole.
    pub(crate) fn first_byte(&self) -> Option<u8> {
        self.prefix.as_bytes().first().copied()
    }

    /// The regex, compiled on first use.
    fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| Regex::new(&regex_source(&self.pieces)).ok())
            .as_ref()
    }

    /// Necessary conditions, cheap to test: the literal prefix, the longest literal.
    /// `None`: the message cannot match; else where the longest literal first occurs, when
    /// the template has one and the matcher's first hole searches for the same literal (the
    /// matcher then starts there instead of searching again).
    fn may_match(&self, msg: &str) -> Option<Option<usize>> {
        if !has_at(msg.as_bytes(), 0, self.prefix.as_bytes()) {
            return None;
        }
        match &self.longest {
            Some(f) => {
                let at = f.find_from(msg.as_bytes(), 0)?;
                Some(self.lead_is_longest.then_some(at))
            }
            None => Some(None),
        }
    }

    /// The hand matcher's verdict, `None` when it has none (gave up, or no matcher).
    fn fast(
        &self,
        msg: &str,
        spans: &mut [Span; MAX_HOLES],
        lead_at: Option<usize>,
        one_line: bool,
    ) -> Option<bool> {
        match self
            .matcher
            .as_ref()?
            .run_known(msg, spans, lead_at, one_line)
        {
            Found::Match => Some(true),
            Found::NoMatch => Some(false),
            Found::GaveUp => None,
        }
    }

    /// Whether the message matches, without building fields. `msg` must already be
    /// trimmed.
    pub(crate) fn is_match(&self, msg: &str, engine: Engine) -> bool {
        self.is_match_in(msg, engine, false)
    }

    /// [`Template::is_match`] of a message known to hold no `\n` when `one_line`.
    pub(crate) fn is_match_in(&self, msg: &str, engine: Engine, one_line: bool) -> bool {
        let Some(lead_at) = self.may_match(msg) else {
            return false;
        };
        if engine == Engine::Fast {
            let mut spans = [(0, 0); MAX_HOLES];
            if let Some(m) = self.fast(msg, &mut spans, lead_at, one_line) {
                return m;
            }
        }
        self.regex().is_some_and(|r| r.is_match(msg))
    }

    /// [`Template::fields_in`] of a message that may hold a `\n` (the tests' reference).
    #[cfg(test)]
    pub(crate) fn fields(&self, msg: &str, engine: Engine) -> Option<Box<Fields>> {
        self.fields_in(msg, engine, false)
    }

    /// The fields of a matching message (`set` constants included); `None` if it does not
    /// match or a value cannot be represented. `msg` must already be trimmed, and is known
    /// to hold no `\n` when `one_line`.
    pub(crate) fn fields_in(
        &self,
        msg: &str,
        engine: Engine,
        one_line: bool,
    ) -> Option<Box<Fields>> {
        let lead_at = self.may_match(msg)?;
        if engine == Engine::Fast {
            let mut spans = [(0, 0); MAX_HOLES];
            match self.fast(msg, &mut spans, lead_at, one_line) {
                Some(true) => {
                    return self.build(|c| {
                        let (a, b) = *spans.get(c.hole)?;
                        msg.get(a..b)
                    })
                }
                Some(false) => return None,
                None => {}
            }
        }
        let caps = self.regex()?.captures(msg)?;
        let mut group = 0;
        self.build(|_| {
            group += 1;
            caps.get(group).map(|m| m.as_str())
        })
    }

    /// The hand matcher's answer alone, without the regex: `None` when it has none (no
    /// matcher, or it gave up). For the tests that hold it to the regex.
    #[cfg(test)]
    pub(crate) fn fields_hand(&self, msg: &str) -> Option<Option<Box<Fields>>> {
        let Some(lead_at) = self.may_match(msg) else {
            return Some(None);
        };
        let mut spans = [(0, 0); MAX_HOLES];
        Some(match self.fast(msg, &mut spans, lead_at, false)? {
            true => self.build(|c| {
                let (a, b) = *spans.get(c.hole)?;
                msg.get(a..b)
            }),
            false => None,
        })
    }

    /// The fields from the text of each named hole, in order.
    fn build<'m>(&self, mut text: impl FnMut(&Capture) -> Option<&'m str>) -> Option<Box<Fields>> {
        // Made in the box (`Box::default` writes in place), not on the stack and copied.
        let mut fields: Box<Fields> = match &self.constants {
            Some(c) => Box::new(c.clone()),
            None => Box::default(),
        };
        for c in &self.captures {
            c.ty.convert_with(text(c)?, |v| (c.set)(&mut fields, v))?
                .ok()?;
        }
        Some(fields)
    }

    /// For a message that does not match: the first piece of the template that fails, as a
    /// human hint (`… fails at `…``).
    pub(crate) fn mismatch_hint(&self, msg: &str) -> String {
        let mut good = 0;
        for k in 1..=self.pieces.len() {
            let re = format!("^{}", pieces_regex(self.pieces.get(..k).unwrap_or(&[])));
            match Regex::new(&re) {
                Ok(r) if r.is_match(msg) => good = k,
                _ => break,
            }
        }
        match self.pieces.get(good) {
            None => "the message has extra text at the end".to_string(),
            Some(Piece::Lit(l)) => format!("the template's text `{l}` is not found there"),
            Some(Piece::Hole { name, ty, .. }) => {
                format!("hole `{{{name}:{ty}}}` (or the text after it) does not fit")
            }
        }
    }
}

/// The anchored regex of a whole message template.
fn regex_source(pieces: &[Piece]) -> String {
    format!("^{}$", pieces_regex(pieces))
}

fn pieces_regex(pieces: &[Piece]) -> String {
    let mut re = String::new();
    for p in pieces {
        match p {
            Piece::Lit(l) => re.push_str(&regex::escape(l)),
            Piece::Hole { name, ty, .. } => {
                let frag = HoleType::parse(ty).map(HoleType::regex).unwrap_or_default();
                if name == "_" {
                    re.push_str(&format!("(?:{frag})"));
                } else {
                    re.push_str(&format!("({frag})"));
                }
            }
        }
    }
    re
}

/// `field=value` pairs with the place of each field name.
type PairsAt = Vec<(Loc, String, String)>;

/// A template being read.
struct Draft {
    loc: Loc,
    kind: Option<Kind>,
    loggers: Vec<LoggerPattern>,
    levels: Vec<String>,
    flink: Option<String>,
    message: Option<(Loc, String)>,
    sets: PairsAt,
    samples: Vec<Sample>,
    /// Pairs of the last `expect`, converted once the template is complete.
    expects: Vec<(usize, Loc, PairsAt)>,
}

fn field_type(name: &str) -> Option<(&'static str, FieldType)> {
    FIELD_TYPES.iter().find(|(n, _)| *n == name).copied()
}

fn field_names() -> String {
    FIELD_TYPES
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The typed value of a `set` / `expect` value for a field.
fn typed_value(t: FieldType, raw: &str) -> Result<Value, String> {
    match t {
        FieldType::Str => Ok(Value::Str(raw.to_string())),
        FieldType::Int => raw
            .parse()
            .map(Value::Int)
            .map_err(|_| format!("`{raw}` is not a number")),
        FieldType::Bool => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("`{raw}` is not true or false")),
        },
        FieldType::List => {
            let inner = raw
                .strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .ok_or_else(|| format!("`{raw}` is not a list `[a,b]`"))?;
            Ok(Value::List(
                inner
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ))
        }
    }
}

/// Turn `(loc, field, raw value)` triples into Fields, checking names, types, duplicates.
fn pairs_to_fields(
    pairs: &[(Loc, String, String)],
    errors: &mut Vec<GrammarError>,
) -> (Fields, Vec<&'static str>) {
    let mut fields = Fields::default();
    let mut names: Vec<&'static str> = Vec::new();
    for (loc, name, raw) in pairs {
        let Some((fname, ft)) = field_type(name) else {
            errors.push(loc.error(format!(
                "unknown field `{name}`; fields are: {}",
                field_names()
            )));
            continue;
        };
        if names.contains(&fname) {
            errors.push(loc.error(format!("field `{name}` given twice")));
            continue;
        }
        match typed_value(ft, raw).and_then(|v| fields.set(fname, v)) {
            Ok(()) => names.push(fname),
            Err(e) => errors.push(loc.error(format!("field `{name}`: {e}"))),
        }
    }
    (fields, names)
}

/// Column (1-based, characters) of byte `at` of `line`.
fn col(line: &str, at: usize) -> usize {
    line.get(..at).map_or(at, |s| s.chars().count()) + 1
}

/// Parse and compile one grammar file. Errors are collected, not stopped at.
pub(crate) fn compile_file(
    file: &Arc<str>,
    text: &str,
    errors: &mut Vec<GrammarError>,
) -> Vec<Template> {
    let mut out = Vec::new();
    let mut draft: Option<Draft> = None;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw_line) in text.lines().enumerate() {
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let Some(kl) = syntax::keyword_line(line) else {
            continue;
        };
        let at = |byte: usize| Loc {
            file: file.clone(),
            line: i + 1,
            col: col(line, byte),
        };
        let kw_loc = at(kl.keyword_at);
        match kl.keyword {
            "event" | "ignore" => {
                if let Some(d) = draft.take() {
                    if let Some(t) = finish(d, errors) {
                        out.push(t);
                    }
                }
                draft = start(&kl, kw_loc, &at, errors);
            }
            _ => match draft.as_mut() {
                None => errors.push(kw_loc.error(if is_keyword(kl.keyword) {
                    format!(
                        "`{}` outside a template: start one with `event KIND` or `ignore`",
                        kl.keyword
                    )
                } else {
                    unknown_keyword(kl.keyword)
                })),
                Some(d) => property(d, &kl, kw_loc, &at, errors),
            },
        }
    }
    if let Some(d) = draft.take() {
        if let Some(t) = finish(d, errors) {
            out.push(t);
        }
    }
    out
}

fn is_keyword(k: &str) -> bool {
    matches!(
        k,
        "event" | "ignore" | "logger" | "level" | "flink" | "message" | "set" | "sample" | "expect"
    )
}

fn unknown_keyword(k: &str) -> String {
    format!("unknown keyword `{k}`; expected one of: {KEYWORDS}")
}

fn start(
    kl: &KeywordLine<'_>,
    loc: Loc,
    at: &dyn Fn(usize) -> Loc,
    errors: &mut Vec<GrammarError>,
) -> Option<Draft> {
    let kind = if kl.keyword == "event" {
        if kl.value.is_empty() {
            errors.push(loc.error("`event` needs a kind: `event KIND`"));
            return None;
        }
        if kl.value.contains(char::is_whitespace) {
            errors.push(at(kl.value_at).error(format!(
                "`event` takes exactly one kind, not `{}` (comments go on lines of their own)",
                kl.value
            )));
            return None;
        }
        match kl.value.parse::<Kind>() {
            Ok(Kind::LogEnd) => {
                errors.push(at(kl.value_at).error(
                    "`log_end` is synthetic (made by flinkha at the end of a source), not a grammar event",
                ));
                return None;
            }
            Ok(k) => Some(k),
            Err(_) => {
                let kinds: Vec<&str> = Kind::ALL
                    .iter()
                    .filter(|k| **k != Kind::LogEnd)
                    .map(|k| k.as_str())
                    .collect();
                errors.push(at(kl.value_at).error(format!(
                    "unknown event kind `{}`; kinds are: {}",
                    kl.value,
                    kinds.join(", ")
                )));
                return None;
            }
        }
    } else {
        if !kl.value.is_empty() {
            errors.push(at(kl.value_at).error("`ignore` takes no value"));
        }
        None
    };
    Some(Draft {
        loc,
        kind,
        loggers: Vec::new(),
        levels: Vec::new(),
        flink: None,
        message: None,
        sets: Vec::new(),
        samples: Vec::new(),
        expects: Vec::new(),
    })
}

fn property(
    d: &mut Draft,
    kl: &KeywordLine<'_>,
    loc: Loc,
    at: &dyn Fn(usize) -> Loc,
    errors: &mut Vec<GrammarError>,
) {
    let value = kl.value;
    let needs_value = kl.keyword != "expect";
    if needs_value && is_keyword(kl.keyword) && value.is_empty() {
        errors.push(loc.error(format!("`{}` needs a value", kl.keyword)));
        return;
    }
    match kl.keyword {
        "logger" => d
            .loggers
            .extend(value.split_whitespace().map(LoggerPattern::parse)),
        "level" => {
            for (off, w) in words(value) {
                let up = w.to_ascii_uppercase();
                if LEVELS.contains(&up.as_str()) {
                    d.levels.push(up);
                } else {
                    errors.push(at(kl.value_at + off).error(format!(
                        "unknown level `{w}`; levels are: {}",
                        LEVELS.join(" ")
                    )));
                }
            }
        }
        "flink" => {
            if d.flink.is_some() {
                errors.push(loc.error("`flink` given twice in one template"));
            }
            d.flink = Some(value.to_string());
        }
        "message" => {
            if d.message.is_some() {
                errors.push(loc.error("`message` given twice in one template"));
            } else {
                d.message = Some((at(kl.value_at), value.to_string()));
            }
        }
        "set" => {
            if d.kind.is_none() {
                errors.push(loc.error("`set` in an `ignore` template: it produces no event"));
                return;
            }
            if let Some(p) = pair_list(value, kl.value_at, at, errors) {
                d.sets.extend(p);
            }
        }
        "sample" => d.samples.push(Sample {
            loc,
            text: value.to_string(),
            expect: None,
        }),
        "expect" => {
            if d.kind.is_none() {
                errors.push(
                    loc.error("`expect` in an `ignore` template: its samples must only be ignored"),
                );
                return;
            }
            let n = d.samples.len();
            if n == 0 {
                errors.push(loc.error("`expect` must follow a `sample` line"));
                return;
            }
            if d.expects.last().is_some_and(|(s, _, _)| *s == n - 1) {
                errors.push(loc.error("a second `expect` for one `sample`"));
                return;
            }
            if let Some(p) = pair_list(value, kl.value_at, at, errors) {
                d.expects.push((n - 1, loc, p));
            }
        }
        other => errors.push(loc.error(unknown_keyword(other))),
    }
}

/// Whitespace-separated words with their byte offsets.
fn words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split_whitespace().map(move |w| {
        let off = w.as_ptr() as usize - s.as_ptr() as usize;
        (off, w)
    })
}

fn pair_list(
    value: &str,
    value_at: usize,
    at: &dyn Fn(usize) -> Loc,
    errors: &mut Vec<GrammarError>,
) -> Option<PairsAt> {
    match syntax::pairs(value) {
        Ok(ps) => Some(
            ps.into_iter()
                .map(|p| (at(value_at + p.at), p.name, p.value))
                .collect(),
        ),
        Err(e) => {
            errors.push(at(value_at + e.at).error(e.msg));
            None
        }
    }
}

fn finish(d: Draft, errors: &mut Vec<GrammarError>) -> Option<Template> {
    let before = errors.len();
    let what = match d.kind {
        Some(k) => format!("template `event {k}`"),
        None => "`ignore` template".to_string(),
    };
    if d.loggers.is_empty() {
        errors.push(d.loc.error(format!("{what} has no `logger` line")));
    }
    if d.kind.is_some() && d.samples.is_empty() {
        errors.push(d.loc.error(format!(
            "{what} has no `sample` line: give at least one real log line"
        )));
    }
    let (constants, set_names) = pairs_to_fields(&d.sets, errors);
    let mut samples = d.samples;
    for (idx, loc, pairs) in &d.expects {
        let (fields, _) = pairs_to_fields(pairs, errors);
        if let Some(s) = samples.get_mut(*idx) {
            s.expect = Some((loc.clone(), fields));
        }
    }
    let Some((mloc, message)) = d.message else {
        errors.push(d.loc.error(format!("{what} has no `message` line")));
        return None;
    };
    let hole_at = |byte: usize| Loc {
        col: mloc.col + message.get(..byte).map_or(byte, |s| s.chars().count()),
        ..mloc.clone()
    };
    let pieces = match syntax::message_template(&message) {
        Ok(p) => p,
        Err(e) => {
            errors.push(hole_at(e.at).error(e.msg));
            return None;
        }
    };
    let mut captures: Vec<Capture> = Vec::new();
    let mut hole = 0;
    for p in &pieces {
        let Piece::Hole { name, ty, at } = p else {
            continue;
        };
        let this_hole = hole;
        hole += 1;
        let loc = hole_at(*at);
        let Some(hty) = HoleType::parse(ty) else {
            errors.push(loc.error(format!(
                "unknown hole type `{ty}` in `{{{name}:{ty}}}`; types are: {}",
                HoleType::names()
            )));
            continue;
        };
        if name == "_" {
            continue;
        }
        let Some((fname, ft)) = field_type(name) else {
            errors.push(loc.error(format!(
                "unknown field `{name}` in `{{{name}:{ty}}}`; fields are: {}",
                field_names()
            )));
            continue;
        };
        if hty.field_type() != ft {
            errors.push(loc.error(format!(
                "hole type `{ty}` does not fit field `{name}`, which takes {}: use {}",
                field_type_name(ft),
                types_for(ft)
            )));
            continue;
        }
        if captures.iter().any(|c| c.name == fname) {
            errors.push(loc.error(format!("field `{name}` is bound twice in this message")));
            continue;
        }
        if set_names.contains(&fname) {
            errors.push(loc.error(format!("field `{name}` is bound by this hole and by `set`")));
            continue;
        }
        if d.kind.is_none() {
            errors.push(loc.error(format!(
                "named hole `{{{name}:{ty}}}` in an `ignore` template: use `{{_:{ty}}}`"
            )));
            continue;
        }
        let Some(set) = events::setter(fname) else {
            errors.push(loc.error(format!("unknown field `{name}`")));
            continue;
        };
        captures.push(Capture {
            hole: this_hole,
            name: fname,
            ty: hty,
            set,
        });
    }
    if errors.len() > before {
        return None;
    }
    let matcher = Matcher::new(&pieces);
    let regex = OnceLock::new();
    if matcher.is_none() || message.len() > EAGER_REGEX_LEN {
        match Regex::new(&regex_source(&pieces)) {
            Ok(r) => {
                let _ = regex.set(Some(r));
            }
            Err(e) => {
                errors.push(mloc.error(format!("message does not compile to a regex: {e}")));
                return None;
            }
        }
    }
    let prefix = match pieces.first() {
        Some(Piece::Lit(l)) => l.clone(),
        _ => String::new(),
    };
    let longest = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Lit(l) => Some(l),
            Piece::Hole { .. } => None,
        })
        .max_by_key(|l| l.len())
        .filter(|l| prefix.is_empty() && l.len() >= 4)
        .and_then(|l| Needle::new(l.as_bytes()));
    let lead_is_longest = match (&matcher, &longest) {
        (Some(m), Some(l)) => m.lead_literal() == Some(l.text()),
        _ => false,
    };
    Some(Template {
        loc: d.loc,
        kind: d.kind,
        loggers: d.loggers,
        level_mask: level_mask(&d.levels),
        levels: d.levels,
        flink: d.flink,
        message,
        pieces,
        matcher,
        regex,
        prefix,
        longest,
        lead_is_longest,
        captures,
        constants: (!set_names.is_empty()).then_some(constants),
        samples,
    })
}
