//! Template matching without a regex engine: a message template is a sequence of literals
//! and typed holes, matched here by hand, with the regex's exact semantics.
//!
//! The regex a template compiles to (`^…$`, see `compile.rs`) has leftmost-first semantics:
//! of all the ways the whole message can match, the regex reports the captures of the one a
//! backtracking engine finds first, where greedy repetitions (`[0-9]+`, `\S+`, `.*`) try the
//! longest run first, lazy ones (`.*?`) the shortest, and alternatives left to right. This
//! matcher is that backtracking search: each hole enumerates the ends it could have in the
//! same order of preference, and the first end from which the rest of the template matches
//! wins. Literals are compared bytewise; a lazy hole followed by a literal jumps between the
//! literal's occurrences with `memchr::memmem`.
//!
//! Backtracking can be slow on hostile input, where the regex engines are linear. A match
//! therefore runs on a budget proportional to the message length; when it is spent, the
//! matcher gives up ([`Found::GaveUp`]) and the caller asks the regex, whose answer is by
//! construction the same. Real log lines never come near the budget.
//!
//! Character classes are those of the regex crate in its default (Unicode) mode: `\S` and
//! `\s` are `White_Space` (what [`char::is_whitespace`] tests), `.` is any character but
//! `\n`; `[0-9]`, hex digits, `[A-Z_]` and letters are ASCII.

use super::hole::HoleType;
use super::syntax::Piece;
use crate::input::find::ByteFinder;

/// At most this many holes per template for the hand matcher (spans live on the stack);
/// templates with more use the regex alone. Built-in templates have at most six.
pub(crate) const MAX_HOLES: usize = 16;

/// Budget units per byte of message (each unit is a byte scanned or an end tried).
const BUDGET_PER_BYTE: usize = 16;

/// Budget units every match gets, whatever the message length.
const BUDGET_BASE: usize = 1024;

/// A literal searched for by its rarest byte: `memchr` for that byte, then a comparison.
/// For the short literals of templates this beats a general substring searcher, whose
/// setup costs more than the search on a log line.
#[derive(Debug, Clone)]
pub(crate) struct Needle {
    text: Box<[u8]>,
    /// Index of the byte searched for.
    anchor: usize,
    /// The search for that byte.
    finder: ByteFinder,
}

impl Needle {
    /// A needle for `text` (not empty).
    pub(crate) fn new(text: &[u8]) -> Option<Needle> {
        // Letters and spaces are everywhere in log lines, digits and `.,:-_/=` often;
        // other punctuation is rare.
        let rarity = |c: u8| match c {
            b' ' => 0,
            b'a'..=b'z' => 1,
            b'A'..=b'Z' => 2,
            b'0'..=b'9' | b'.' | b',' | b':' | b'-' | b'_' | b'/' | b'=' => 3,
            _ => 4,
        };
        let anchor = (0..text.len())
            .max_by_key(|&k| (text.get(k).map_or(0, |c| rarity(*c)), std::cmp::Reverse(k)))?;
        Some(Needle {
            text: text.into(),
            anchor,
            finder: ByteFinder::new(*text.get(anchor)?),
        })
    }

    /// The literal searched for.
    pub(crate) fn text(&self) -> &[u8] {
        &self.text
    }

    /// The first position at or after `from` where the literal starts in `hay`.
    pub(crate) fn find_from(&self, hay: &[u8], from: usize) -> Option<usize> {
        let mut at = from.checked_add(self.anchor)?;
        loop {
            let p = at + self.finder.find(hay.get(at..)?)?;
            let start = p - self.anchor;
            if has_at(hay, start, &self.text) {
                return Some(start);
            }
            at = p + 1;
        }
    }
}

/// Byte span `(start, end)` of a hole's text in the message.
pub(crate) type Span = (usize, usize);

/// The outcome of one match attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// The whole message matches; the spans of every hole are filled in, in template order.
    Match,
    /// The message does not match.
    NoMatch,
    /// The budget ran out before the search ended: ask the regex.
    GaveUp,
}

/// One step of a matcher.
#[derive(Debug)]
enum Step {
    /// Literal text, matched bytewise.
    Lit(Box<[u8]>),
    /// A hole whose end is a choice: several ends may have to be tried. For a lazy `text`
    /// hole directly followed by a literal, the finder of that literal: the hole's possible
    /// ends are exactly the literal's occurrences.
    Hole(HoleType, Option<Needle>),
    /// A hole with one possible end, given what follows it (see [`forced`]): no choice, no
    /// backtracking.
    Forced(HoleType),
}

/// Whether a hole of type `ty` followed by `next` (`None`: the end of the template) can
/// end in one place only, so that taking that end without trying others is what the
/// backtracking search does:
///
/// * fixed shapes (`jobid`, `uuid`, `session`, whose two forms exclude each other, and
///   `jobids`, whose parts are all forced) have one end whatever follows;
/// * a greedy run followed by the end, or by a literal whose first byte the run's class
///   cannot hold: a shorter run would leave a byte of the class where the literal (or the
///   end) must start;
/// * `cptype` likewise, its braces part included when present (without it, the literal
///   would have to start at the `{`);
/// * `text` and `rest` followed by the end: only the whole rest of the line can do;
/// * a greedy run of bytes that are never `\n` followed by a `text` or `rest` hole that ends
///   the template (`{_:state}{_:rest}`): that hole takes whatever follows up to the end when
///   no `\n` is left, which the longest run leaves no more of than a shorter one, so the
///   longest run matches if any does.
fn forced(ty: HoleType, next: Option<&Piece>, after: Option<&Piece>) -> bool {
    let first = match next {
        None => None,
        Some(Piece::Lit(l)) => match l.as_bytes().first() {
            Some(c) => Some(*c),
            None => return false,
        },
        Some(Piece::Hole { ty: next_ty, .. }) => {
            let final_dot = after.is_none()
                && matches!(
                    HoleType::parse(next_ty),
                    Some(HoleType::Text | HoleType::Rest)
                );
            return match ty {
                HoleType::JobId | HoleType::Uuid | HoleType::Session | HoleType::JobIds => true,
                HoleType::Int
                | HoleType::Hex
                | HoleType::State
                | HoleType::CpKind
                | HoleType::Word => final_dot,
                _ => false,
            };
        }
    };
    let outside = |class: u8| first.map_or(true, |c| CLASSES[usize::from(c)] & class == 0);
    match ty {
        HoleType::JobId | HoleType::Uuid | HoleType::Session | HoleType::JobIds => true,
        HoleType::Int => outside(DIGIT),
        HoleType::Hex => outside(HEX),
        HoleType::State => outside(STATE),
        HoleType::CpKind => outside(LETTER),
        HoleType::CpType => outside(LETTER_) && first != Some(b'{'),
        HoleType::Word => first.map_or(true, |c| c < 0x80 && ascii_space(c)),
        HoleType::Text | HoleType::Rest => first.is_none(),
    }
}

/// A compiled hand matcher for one message template.
#[derive(Debug)]
pub(crate) struct Matcher {
    steps: Vec<Step>,
}

impl Matcher {
    /// The matcher of a template's pieces; `None` when the template has more than
    /// [`MAX_HOLES`] holes or a hole of unknown type (the compiler reports that).
    pub(crate) fn new(pieces: &[Piece]) -> Option<Matcher> {
        let mut steps = Vec::with_capacity(pieces.len());
        let mut holes = 0;
        for (i, p) in pieces.iter().enumerate() {
            match p {
                Piece::Lit(l) => steps.push(Step::Lit(l.as_bytes().into())),
                Piece::Hole { ty, .. } => {
                    let ty = HoleType::parse(ty)?;
                    holes += 1;
                    let next = pieces.get(i + 1);
                    if forced(ty, next, pieces.get(i + 2)) {
                        steps.push(Step::Forced(ty));
                        continue;
                    }
                    let finder = match (ty, next) {
                        (HoleType::Text, Some(Piece::Lit(next))) if !next.is_empty() => {
                            Needle::new(next.as_bytes())
                        }
                        _ => None,
                    };
                    steps.push(Step::Hole(ty, finder));
                }
            }
        }
        (holes <= MAX_HOLES).then_some(Matcher { steps })
    }

    /// The number of holes (named and `_`), the length `spans` must have.
    #[cfg(test)]
    pub(crate) fn holes(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s, Step::Hole(..) | Step::Forced(_)))
            .count()
    }

    /// The literal the template's first hole searches for, when it starts with a lazy
    /// `text` hole followed by a literal: a caller that already searched `msg` for that
    /// literal can pass where it first occurs to [`Matcher::run_known`].
    pub(crate) fn lead_literal(&self) -> Option<&[u8]> {
        match self.steps.first() {
            Some(Step::Hole(HoleType::Text, Some(f))) => Some(f.text()),
            _ => None,
        }
    }

    /// Match the whole of `msg`. On [`Found::Match`], `spans[k]` is the span of the k-th
    /// hole; `spans` must hold at least [`Matcher::holes`] entries.
    #[cfg(test)]
    pub(crate) fn run(&self, msg: &str, spans: &mut [Span]) -> Found {
        self.run_known(msg, spans, None, false)
    }

    /// [`Matcher::run`], told where the [`Matcher::lead_literal`] first occurs in `msg`
    /// (`lead_at`): the first hole's first end is then not searched for again. The same
    /// answer, and the same budget spent, as without it. `one_line`: the caller knows `msg`
    /// holds no `\n` (it cut the message's first line), so no hole looks for one; the same
    /// answer again.
    pub(crate) fn run_known(
        &self,
        msg: &str,
        spans: &mut [Span],
        lead_at: Option<usize>,
        one_line: bool,
    ) -> Found {
        debug_assert!(!one_line || memchr::memchr(b'\n', msg.as_bytes()).is_none());
        let mut run = Run {
            steps: &self.steps,
            s: msg,
            b: msg.as_bytes(),
            nl: one_line.then_some(msg.len()),
            budget: BUDGET_BASE.saturating_add(msg.len().saturating_mul(BUDGET_PER_BYTE)),
            lead_at: lead_at.filter(|_| self.lead_literal().is_some()),
            spans,
        };
        match run.at(0, 0, 0) {
            Ok(true) => Found::Match,
            Ok(false) => Found::NoMatch,
            Err(OutOfBudget) => Found::GaveUp,
        }
    }
}

/// The budget ran out.
struct OutOfBudget;

/// The state of one match.
struct Run<'a, 's> {
    steps: &'a [Step],
    s: &'a str,
    b: &'a [u8],
    /// The first `\n` of the message (or its length), once a hole needed it: `.` does not
    /// match `\n`.
    nl: Option<usize>,
    budget: usize,
    /// Where the first step's literal first occurs in the message, if the caller knew.
    lead_at: Option<usize>,
    spans: &'s mut [Span],
}

/// `\s` of the regex crate (Unicode `White_Space`) for a byte that starts an ASCII
/// character; non-ASCII characters are looked at whole.
fn ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// Byte classes of the ASCII holes, as bits of [`CLASSES`].
const DIGIT: u8 = 1;
const HEX: u8 = 2;
/// `[A-Z_]`
const STATE: u8 = 4;
/// `[A-Za-z]`
const LETTER: u8 = 8;
/// `[A-Za-z_]`
const LETTER_: u8 = 16;
/// An ASCII byte that is not white space: `\S` for ASCII text.
const NONSPACE: u8 = 32;
/// `{`, `}`, `(` or `)`: what the braces of a `cptype` cannot hold.
const BRACE: u8 = 64;

/// The class bits of every byte.
static CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let mut bits = 0;
        if b.is_ascii_digit() {
            bits |= DIGIT;
        }
        if b.is_ascii_hexdigit() {
            bits |= HEX;
        }
        if b.is_ascii_uppercase() || b == b'_' {
            bits |= STATE;
        }
        if b.is_ascii_alphabetic() {
            bits |= LETTER;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            bits |= LETTER_;
        }
        if b < 0x80 && !matches!(b, b'\t'..=b'\r' | b' ') {
            bits |= NONSPACE;
        }
        if matches!(b, b'{' | b'}' | b'(' | b')') {
            bits |= BRACE;
        }
        t[c] = bits;
        c += 1;
    }
    t
};

/// Whether `lit` occurs in `b` at `pos`: compared a word at a time, inline (the literals
/// of templates are short, and a call to `memcmp` costs more than comparing). The last
/// word overlaps the one before it instead of a byte loop for the tail.
#[inline]
pub(crate) fn has_at(b: &[u8], pos: usize, lit: &[u8]) -> bool {
    let Some(hay) = b.get(pos..pos.saturating_add(lit.len())) else {
        return false;
    };
    let n = lit.len();
    let w8 = |s: &[u8], k: usize| {
        s.get(k..k + 8)
            .and_then(|x| <[u8; 8]>::try_from(x).ok())
            .map(u64::from_ne_bytes)
    };
    let w4 = |s: &[u8], k: usize| {
        s.get(k..k + 4)
            .and_then(|x| <[u8; 4]>::try_from(x).ok())
            .map(u32::from_ne_bytes)
    };
    if n >= 8 {
        let mut k = 0;
        while k + 8 < n {
            if w8(hay, k) != w8(lit, k) {
                return false;
            }
            k += 8;
        }
        w8(hay, n - 8) == w8(lit, n - 8)
    } else if n >= 4 {
        w4(hay, 0) == w4(lit, 0) && w4(hay, n - 4) == w4(lit, n - 4)
    } else {
        hay.iter().zip(lit).all(|(x, y)| x == y)
    }
}

/// Whether all eight bytes of `w` are hex digits (`0-9`, `a-f`, `A-F`), tested at once:
/// every job id of a checkpoint line is 32 of them, which a lookup per byte made a tenth
/// of matching such a line.
fn hex_word(w: [u8; 8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let x = u64::from_le_bytes(w);
    // With every byte below 0x80, `x + (0x80 - lo)` sets a byte's high bit exactly when the
    // byte is at least `lo`, and `x + (0x7f - hi)` exactly when it is above `hi`: no sum
    // carries into the next byte.
    let within = |x: u64, lo: u64, hi: u64| {
        x.wrapping_add(ONES * (0x80 - lo)) & !x.wrapping_add(ONES * (0x7f - hi)) & HIGH
    };
    // A letter in either case is `a-f` once its 0x20 bit is set; no other byte becomes one.
    let hex = within(x, 0x30, 0x39) | within(x | (ONES * 0x20), 0x61, 0x66);
    x & HIGH == 0 && hex == HIGH
}

/// The index of the first `{`, `}`, `(` or `)` in `b` (its length if none): the byte
/// class `BRACE`, searched with `memchr` (a checkpoint type's braces hold some sixty bytes,
/// on every triggered checkpoint).
fn until_brace(b: &[u8]) -> usize {
    let k = memchr::memchr3(b'{', b'}', b'(', b).unwrap_or(b.len());
    memchr::memchr(b')', b.get(..k).unwrap_or(b)).unwrap_or(k)
}

/// The length of the run of ASCII non-white-space bytes (`!`..`~` and the control bytes
/// that are not white space) at the start of `b`, eight bytes at a time.
fn nonspace_run(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut k = 0;
    while let Some(w) = b.get(k..k + 8) {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        let x = u64::from_le_bytes(a);
        // High bit of a byte: it is below `!` (subtraction wraps) or not ASCII. Only the
        // first flagged byte is exact (a borrow can flag the bytes after it), and only it
        // is used.
        let stop = (x.wrapping_sub(ONES * 0x21) | x) & HIGH;
        if stop != 0 {
            let first = k + (stop.trailing_zeros() / 8) as usize;
            // Below `!` is not white space for the control bytes 0x00-0x08, 0x0E-0x1F.
            return first + class_run(b.get(first..).unwrap_or(&[]), NONSPACE);
        }
        k += 8;
    }
    k + class_run(b.get(k..).unwrap_or(&[]), NONSPACE)
}

/// The length of the run of bytes of class `class` at the start of `b`.
fn class_run(b: &[u8], class: u8) -> usize {
    b.iter()
        .position(|&c| CLASSES[usize::from(c)] & class == 0)
        .unwrap_or(b.len())
}

impl Run<'_, '_> {
    fn spend(&mut self, units: usize) -> Result<(), OutOfBudget> {
        match self.budget.checked_sub(units) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(OutOfBudget),
        }
    }

    /// Whether steps `i..` match `b[pos..]` exactly, holes numbered from `hole`. Literals
    /// and forced holes are taken in a loop; a hole with a choice recurses for each end.
    fn at(&mut self, mut i: usize, mut hole: usize, mut pos: usize) -> Result<bool, OutOfBudget> {
        loop {
            match self.steps.get(i) {
                None => return Ok(pos == self.b.len()),
                Some(Step::Lit(l)) => {
                    if !has_at(self.b, pos, l) {
                        return Ok(false);
                    }
                    pos += l.len();
                }
                Some(Step::Forced(ty)) => {
                    let Some(end) = self.forced_end(*ty, pos)? else {
                        return Ok(false);
                    };
                    if let Some(sp) = self.spans.get_mut(hole) {
                        *sp = (pos, end);
                    }
                    hole += 1;
                    pos = end;
                }
                Some(Step::Hole(ty, finder)) => {
                    return self.hole(i, hole, pos, *ty, finder.as_ref())
                }
            }
            i += 1;
        }
    }

    /// The one end of a forced hole at `pos`, if it matches there at all.
    fn forced_end(&mut self, ty: HoleType, pos: usize) -> Result<Option<usize>, OutOfBudget> {
        let run = |me: &mut Self, class: u8| -> Result<Option<usize>, OutOfBudget> {
            let r = me.run_of(pos, class)?;
            Ok((r > pos).then_some(r))
        };
        match ty {
            HoleType::Int => run(self, DIGIT),
            HoleType::Hex => run(self, HEX),
            HoleType::State => run(self, STATE),
            HoleType::CpKind => run(self, LETTER),
            HoleType::JobId => Ok(self.hex32(pos)),
            HoleType::Uuid => Ok(self.uuid(pos)),
            HoleType::Session => Ok(self.uuid(pos).or_else(|| self.hex32(pos))),
            HoleType::JobIds => self.jobids(pos),
            HoleType::Word => {
                let r = self.space_run(pos, false)?;
                Ok((r > pos).then_some(r))
            }
            HoleType::Text | HoleType::Rest => self.dot_limit(pos).map(Some),
            HoleType::CpType => {
                let Some(r) = run(self, LETTER_)? else {
                    return Ok(None);
                };
                Ok(Some(self.braces(r)?.unwrap_or(r)))
            }
        }
    }

    /// The end of a `cptype`'s braces part `\{[^{}()]*\}` at `at`, if there is one.
    fn braces(&mut self, at: usize) -> Result<Option<usize>, OutOfBudget> {
        if self.b.get(at) != Some(&b'{') {
            return Ok(None);
        }
        let inner = self.b.get(at + 1..).unwrap_or(&[]);
        let k = until_brace(inner);
        self.spend(k)?;
        Ok((inner.get(k) == Some(&b'}')).then_some(at + 1 + k + 1))
    }

    /// Hole `hole` (step `i`) ends at `end`: whether the rest matches from there.
    fn end_at(
        &mut self,
        i: usize,
        hole: usize,
        pos: usize,
        end: usize,
    ) -> Result<bool, OutOfBudget> {
        self.spend(1)?;
        // The next literal, checked here: most ends fail on its first byte.
        if let Some(Step::Lit(l)) = self.steps.get(i + 1) {
            if self.b.get(end) != l.first() || !has_at(self.b, end, l) {
                return Ok(false);
            }
        }
        if let Some(sp) = self.spans.get_mut(hole) {
            *sp = (pos, end);
        }
        self.at(i + 1, hole + 1, end)
    }

    /// Whether the step after `i` is the end of the template.
    fn last(&self, i: usize) -> bool {
        self.steps.get(i + 1).is_none()
    }

    /// The end of the longest run of bytes of a class from `pos`, charged to the budget.
    fn run_of(&mut self, pos: usize, class: u8) -> Result<usize, OutOfBudget> {
        let n = class_run(self.b.get(pos..).unwrap_or(&[]), class);
        self.spend(n)?;
        Ok(pos + n)
    }

    /// A greedy `class+` hole: ends from the longest run down to one byte.
    fn greedy(
        &mut self,
        i: usize,
        hole: usize,
        pos: usize,
        class: u8,
    ) -> Result<bool, OutOfBudget> {
        let r = self.run_of(pos, class)?;
        let mut end = r;
        while end > pos {
            if self.end_at(i, hole, pos, end)? {
                return Ok(true);
            }
            end -= 1;
        }
        Ok(false)
    }

    /// Where `.` stops from `pos`: the next `\n` or the end.
    fn dot_limit(&mut self, pos: usize) -> Result<usize, OutOfBudget> {
        let nl = match self.nl {
            Some(nl) => nl,
            None => {
                let nl = memchr::memchr(b'\n', self.b).unwrap_or(self.b.len());
                self.spend(nl / 8)?;
                self.nl = Some(nl);
                nl
            }
        };
        if pos <= nl {
            return Ok(nl);
        }
        let rest = self.b.get(pos..).unwrap_or(&[]);
        let n = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        self.spend(n / 8)?;
        Ok(pos + n)
    }

    fn hole(
        &mut self,
        i: usize,
        hole: usize,
        pos: usize,
        ty: HoleType,
        finder: Option<&Needle>,
    ) -> Result<bool, OutOfBudget> {
        match ty {
            HoleType::Int => self.greedy(i, hole, pos, DIGIT),
            HoleType::Hex => self.greedy(i, hole, pos, HEX),
            HoleType::State => self.greedy(i, hole, pos, STATE),
            HoleType::CpKind => self.greedy(i, hole, pos, LETTER),
            HoleType::JobId => match self.hex32(pos) {
                Some(end) => self.end_at(i, hole, pos, end),
                None => Ok(false),
            },
            HoleType::Uuid => match self.uuid(pos) {
                Some(end) => self.end_at(i, hole, pos, end),
                None => Ok(false),
            },
            HoleType::Session => {
                // `(?:UUID|HEX32)`: the uuid first. (They exclude each other: a uuid has a
                // `-` where 32 hex digits have a digit.)
                if let Some(end) = self.uuid(pos) {
                    if self.end_at(i, hole, pos, end)? {
                        return Ok(true);
                    }
                }
                match self.hex32(pos) {
                    Some(end) => self.end_at(i, hole, pos, end),
                    None => Ok(false),
                }
            }
            HoleType::Word => self.word(i, hole, pos),
            HoleType::Text => self.text(i, hole, pos, finder),
            HoleType::Rest => self.rest(i, hole, pos),
            HoleType::JobIds => match self.jobids(pos)? {
                Some(end) => self.end_at(i, hole, pos, end),
                None => Ok(false),
            },
            HoleType::CpType => self.cptype(i, hole, pos),
        }
    }

    /// 32 hex digits at `pos`.
    fn hex32(&self, pos: usize) -> Option<usize> {
        let d = self.b.get(pos..pos + 32)?;
        d.chunks_exact(8)
            .all(|w| <[u8; 8]>::try_from(w).is_ok_and(hex_word))
            .then_some(pos + 32)
    }

    /// `8-4-4-4-12` hex digits at `pos`.
    fn uuid(&self, pos: usize) -> Option<usize> {
        let d = self.b.get(pos..pos + 36)?;
        let ok = d.iter().enumerate().all(|(k, &c)| match k {
            8 | 13 | 18 | 23 => c == b'-',
            _ => is_hex(c),
        });
        ok.then_some(pos + 36)
    }

    /// Where the run of characters from `pos` for which `is_whitespace` is `space` ends.
    fn space_run(&mut self, pos: usize, space: bool) -> Result<usize, OutOfBudget> {
        let mut k = pos;
        if !space {
            k += nonspace_run(self.b.get(pos..).unwrap_or(&[]));
        }
        while let Some(&c) = self.b.get(k) {
            if c < 0x80 {
                if ascii_space(c) != space {
                    break;
                }
                k += 1;
            } else {
                let Some(ch) = self.s.get(k..).and_then(|r| r.chars().next()) else {
                    break;
                };
                if ch.is_whitespace() != space {
                    break;
                }
                k += ch.len_utf8();
            }
        }
        self.spend(k - pos)?;
        Ok(k)
    }

    /// `\S+`, greedy, over characters.
    fn word(&mut self, i: usize, hole: usize, pos: usize) -> Result<bool, OutOfBudget> {
        let mut end = self.space_run(pos, false)?;
        while end > pos {
            if self.end_at(i, hole, pos, end)? {
                return Ok(true);
            }
            end -= 1;
            while end > pos && !self.s.is_char_boundary(end) {
                end -= 1;
            }
        }
        Ok(false)
    }

    /// `.*?`, lazy: the shortest text first.
    fn text(
        &mut self,
        i: usize,
        hole: usize,
        pos: usize,
        finder: Option<&Needle>,
    ) -> Result<bool, OutOfBudget> {
        let limit = self.dot_limit(pos)?;
        if self.last(i) {
            // `.*?$`: only the whole rest can do.
            return if limit == self.b.len() {
                self.end_at(i, hole, pos, limit)
            } else {
                Ok(false)
            };
        }
        if let Some(f) = finder {
            // The ends are where the next literal occurs (each starts on a character
            // boundary: a literal starts with a whole character).
            let mut from = pos;
            // The literal's first occurrence, when known: nothing starts before it.
            let mut known = self.lead_at.filter(|&p| i == 0 && pos <= p);
            while from <= limit {
                let found = match known.take() {
                    Some(p) => Some(p),
                    None => f.find_from(self.b, from),
                };
                let Some(end) = found else {
                    self.spend(self.b.len().saturating_sub(from) / 8)?;
                    return Ok(false);
                };
                self.spend((end - from) / 8 + 1)?;
                if end > limit {
                    return Ok(false);
                }
                if self.end_at(i, hole, pos, end)? {
                    return Ok(true);
                }
                from = end + 1;
            }
            return Ok(false);
        }
        let mut end = pos;
        loop {
            if self.end_at(i, hole, pos, end)? {
                return Ok(true);
            }
            if end >= limit {
                return Ok(false);
            }
            end += 1;
            while end < limit && !self.s.is_char_boundary(end) {
                end += 1;
            }
        }
    }

    /// `.*`, greedy: the longest text first.
    fn rest(&mut self, i: usize, hole: usize, pos: usize) -> Result<bool, OutOfBudget> {
        let limit = self.dot_limit(pos)?;
        if self.last(i) {
            return if limit == self.b.len() {
                self.end_at(i, hole, pos, limit)
            } else {
                Ok(false)
            };
        }
        let mut end = limit;
        loop {
            if self.end_at(i, hole, pos, end)? {
                return Ok(true);
            }
            if end <= pos {
                return Ok(false);
            }
            end -= 1;
            while end > pos && !self.s.is_char_boundary(end) {
                end -= 1;
            }
        }
    }

    /// `\s*` from `pos` (Unicode white space), its end.
    fn spaces(&mut self, pos: usize) -> Result<usize, OutOfBudget> {
        self.space_run(pos, true)
    }

    /// `\[(?:\s*H\s*(?:,\s*H\s*)*)?\]` with `H` 32 hex digits: its one possible end. Every
    /// part is forced (white space cannot be a hex digit, a comma or a bracket), so the
    /// list matches in at most one way.
    fn jobids(&mut self, pos: usize) -> Result<Option<usize>, OutOfBudget> {
        if self.b.get(pos) != Some(&b'[') {
            return Ok(None);
        }
        let open = pos + 1;
        if self.b.get(open) == Some(&b']') {
            return Ok(Some(open + 1));
        }
        let mut at = self.spaces(open)?;
        loop {
            let Some(after) = self.hex32(at) else {
                return Ok(None);
            };
            self.spend(32)?;
            at = self.spaces(after)?;
            match self.b.get(at) {
                Some(b']') => return Ok(Some(at + 1)),
                Some(b',') => at = self.spaces(at + 1)?,
                _ => return Ok(None),
            }
        }
    }

    /// `[A-Za-z_]+(?:\{[^{}()]*\})?`: for each letter run, longest first, with the braces
    /// part and then without.
    fn cptype(&mut self, i: usize, hole: usize, pos: usize) -> Result<bool, OutOfBudget> {
        let r = self.run_of(pos, LETTER_)?;
        let mut letters_end = r;
        while letters_end > pos {
            if let Some(end) = self.braces(letters_end)? {
                if self.end_at(i, hole, pos, end)? {
                    return Ok(true);
                }
            }
            if self.end_at(i, hole, pos, letters_end)? {
                return Ok(true);
            }
            letters_end -= 1;
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::syntax::message_template;

    /// `has_at` is `b[pos..]` starting with `lit`, for every literal length up to three
    /// words, every position, and a difference at every byte.
    #[test]
    fn has_at_is_a_comparison_of_slices() {
        let b: Vec<u8> = (0..40u8).map(|k| b'a' + k % 26).collect();
        for n in 0..=24 {
            for pos in 0..=b.len() + 1 {
                let same = b.get(pos..pos + n).map(<[u8]>::to_vec);
                let Some(lit) = same else {
                    assert!(!has_at(&b, pos, &vec![b'a'; n]), "n {n} pos {pos}");
                    continue;
                };
                assert!(has_at(&b, pos, &lit), "n {n} pos {pos}");
                for k in 0..n {
                    let mut other = lit.clone();
                    other[k] ^= 0x20;
                    assert!(!has_at(&b, pos, &other), "n {n} pos {pos} byte {k}");
                }
            }
        }
        assert!(has_at(b"", 0, b""));
        assert!(!has_at(b"", 1, b""));
    }

    /// `hex_word` is a per-byte hex test: every byte value at every position of a word of
    /// hex digits, and of a word whose other bytes are not hex (so that no neighbour's
    /// answer can stand in for the byte's own), and words of two arbitrary bytes.
    #[test]
    fn hex_word_is_a_test_of_every_byte() {
        for base in [*b"0123abCD", *b"zzzzzzzz", [0xff; 8], [0x80; 8], [0x2f; 8]] {
            for pos in 0..8 {
                for v in 0..=255u8 {
                    let mut w = base;
                    w[pos] = v;
                    let want = w.iter().all(u8::is_ascii_hexdigit);
                    assert_eq!(hex_word(w), want, "{w:?}");
                }
            }
        }
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let w = [b'f', a, b'0', b'9', b, b'A', b'F', b'a'];
                let want = a.is_ascii_hexdigit() && b.is_ascii_hexdigit();
                assert_eq!(hex_word(w), want, "{w:?}");
            }
        }
    }

    /// `until_brace` finds the first byte of the class `BRACE`, whichever of the four it is
    /// and wherever the others are.
    #[test]
    fn until_brace_is_the_first_byte_of_the_brace_class() {
        let first = |b: &[u8]| {
            b.iter()
                .position(|&c| CLASSES[usize::from(c)] & BRACE != 0)
                .unwrap_or(b.len())
        };
        let base = b"name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD".to_vec();
        assert_eq!(until_brace(&base), base.len());
        assert_eq!(until_brace(b""), 0);
        for a in [b'{', b'}', b'(', b')', b'x'] {
            for b in [b'{', b'}', b'(', b')', b'x'] {
                for i in 0..base.len() {
                    for j in [0, i / 2, i, base.len() - 1] {
                        let mut t = base.clone();
                        t[i] = a;
                        t[j] = b;
                        assert_eq!(
                            until_brace(&t),
                            first(&t),
                            "{}",
                            String::from_utf8_lossy(&t)
                        );
                    }
                }
            }
        }
    }

    fn spans(template: &str, msg: &str) -> Option<Vec<String>> {
        let m = Matcher::new(&message_template(template).unwrap()).unwrap();
        let mut sp = [(0, 0); MAX_HOLES];
        match m.run(msg, &mut sp) {
            Found::Match => Some(
                sp[..m.holes()]
                    .iter()
                    .map(|(a, b)| msg[*a..*b].to_string())
                    .collect(),
            ),
            Found::NoMatch => None,
            Found::GaveUp => panic!("gave up on {msg:?}"),
        }
    }

    #[test]
    fn greedy_and_lazy_priorities() {
        // Lazy text takes the first ` (` that lets the rest match.
        assert_eq!(
            spans(
                "{_:text} ({_:word}) switched from {_:state} to {_:state}{_:rest}",
                "Source: a (1/2) (x_y_0_0) switched from CREATED to SCHEDULED."
            ),
            Some(vec![
                "Source: a (1/2)".into(),
                "x_y_0_0".into(),
                "CREATED".into(),
                "SCHEDULED".into(),
                ".".into()
            ])
        );
        // Greedy word backs off to the last `(jobId: ` of its run.
        assert_eq!(
            spans(
                "Recovered {_:word}(jobId: {_:hex}).",
                "Recovered A(jobId: B(jobId: ff)."
            ),
            None
        );
        assert_eq!(
            spans(
                "Recovered {_:word}(jobId:{_:hex}).",
                "Recovered A(jobId:B(jobId:ff)."
            ),
            Some(vec!["A(jobId:B".into(), "ff".into()])
        );
        // Greedy rest before a literal: the last occurrence.
        assert_eq!(
            spans("{_:rest} at {_:word}", "a at b at c"),
            Some(vec!["a at b".into(), "c".into()])
        );
        // Lazy text before a hole: the shortest.
        assert_eq!(
            spans("x{_:text}{_:int}", "xab12"),
            Some(vec!["ab".into(), "12".into()])
        );
        assert_eq!(
            spans("{_:int}{_:int}", "123"),
            Some(vec!["12".into(), "3".into()])
        );
    }

    #[test]
    fn fixed_holes() {
        let j = "c506b6c290cc2d96a0e3f0eea10395c4";
        assert!(spans("job {_:jobid}.", &format!("job {j}.")).is_some());
        assert!(spans("job {_:jobid}.", &format!("job {j}0.")).is_none());
        let u = "12dc9230-72cd-49e6-a6ad-48903369f0bf";
        assert!(spans("s {_:session}", &format!("s {u}")).is_some());
        assert!(spans("s {_:session}", &format!("s {j}")).is_some());
        assert!(spans("s {_:uuid}", &format!("s {j}")).is_none());
        assert_eq!(
            spans("ids {_:jobids} x", &format!("ids [ {j} ,{j}] x")),
            Some(vec![format!("[ {j} ,{j}]")])
        );
        assert!(spans("ids {_:jobids}", "ids [ ]").is_none());
        assert!(spans("ids {_:jobids}", "ids []").is_some());
        assert_eq!(
            spans("(type={_:cptype}) @", "(type=CheckpointType{name='x'}) @"),
            Some(vec!["CheckpointType{name='x'}".into()])
        );
        assert!(spans("(type={_:cptype}) @", "(type=A{b(c)}) @").is_none());
    }

    #[test]
    fn dot_stops_at_newline() {
        assert!(spans("a{_:rest}", "ab\nc").is_none());
        assert!(spans("a{_:text}", "ab\nc").is_none());
        assert!(spans("a{_:word}", "ab\u{a0}").is_none());
        assert_eq!(
            spans("a{_:rest}", "a\u{e9}\u{e9}"),
            Some(vec!["\u{e9}\u{e9}".into()])
        );
    }

    /// xorshift64*: seeded, dependency-free.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % (n.max(1) as u64)) as usize
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
    }

    const LITS: &[&str] = &[
        " ", "(", ")", "{", "}", "[", "]", ",", "=", "-", "a", "ab", "x", "_", "0", " for ", ") ",
        " (", "\u{a0}", "\u{e9}", "\n", "aa",
    ];

    /// A value that a hole of `ty` may or may not accept, to be surrounded by literals.
    fn value(rng: &mut Rng, ty: HoleType) -> String {
        let hex = "0123456789abcdefABCDEF";
        let hexes = |rng: &mut Rng, n: usize| -> String {
            (0..n)
                .map(|_| hex.as_bytes()[rng.below(hex.len())] as char)
                .collect()
        };
        match ty {
            HoleType::Int => rng
                .pick(&["0", "12", "007", "1a", "99999999999999999999999", ""])
                .into(),
            HoleType::Hex => {
                let n = 1 + rng.below(6);
                hexes(rng, n)
            }
            HoleType::JobId | HoleType::JobIds | HoleType::Session | HoleType::Uuid => {
                let id = |rng: &mut Rng| {
                    let n = 31 + rng.below(3);
                    hexes(rng, n)
                };
                let uuid = |rng: &mut Rng| {
                    format!(
                        "{}-{}-{}-{}-{}",
                        hexes(rng, 8),
                        hexes(rng, 4),
                        hexes(rng, 4),
                        hexes(rng, 4),
                        hexes(rng, 12)
                    )
                };
                match rng.below(5) {
                    0 => uuid(rng),
                    1 => format!("[{}]", id(rng)),
                    2 => format!("[ {} ,{}\u{a0}]", id(rng), id(rng)),
                    3 => rng.pick(&["[]", "[ ]", "[,]"]).into(),
                    _ => id(rng),
                }
            }
            HoleType::CpType | HoleType::CpKind => rng
                .pick(&[
                    "CHECKPOINT",
                    "A{b}",
                    "A{}",
                    "A{b(c)}",
                    "A{",
                    "Ab_C{x=1, y='z'}",
                    "Savepoint",
                    "x{y}{z}",
                ])
                .into(),
            _ => (0..rng.below(4)).map(|_| rng.pick(LITS)).collect(),
        }
    }

    /// A run hole before a final `rest` or `text` hole takes its longest run without trying
    /// shorter ones (it is forced), and the answers stay the regex's: with and without a
    /// `\n` after the run, and with the run empty.
    #[test]
    fn a_run_before_a_final_dot_hole_is_forced() {
        for (ty, run) in [
            ("state", "RUNNING"),
            ("int", "123"),
            ("hex", "9aF"),
            ("cpkind", "Checkpoint"),
            ("word", "a/b:c"),
        ] {
            for last in ["rest", "text"] {
                let t = format!("to {{a:{ty}}}{{b:{last}}}");
                let pieces = message_template(&t).unwrap();
                let m = Matcher::new(&pieces).unwrap();
                assert!(matches!(m.steps[1], Step::Forced(_)), "{t}: {:?}", m.steps);
                let re = regex::Regex::new(&format!(
                    "^to ({})({})$",
                    HoleType::parse(ty).unwrap().regex(),
                    HoleType::parse(last).unwrap().regex()
                ))
                .unwrap();
                for tail in ["", ".", " x", ".\nmore", "\n", " y\nz"] {
                    for r in [run, ""] {
                        let msg = format!("to {r}{tail}");
                        let want = re
                            .captures(&msg)
                            .map(|c| vec![c[1].to_string(), c[2].to_string()]);
                        assert_eq!(spans(&t, &msg), want, "{t} on {msg:?}");
                    }
                }
            }
        }
    }

    /// Random templates of every hole type between random literals, on messages made to
    /// nearly fit them: the hand matcher's spans are the regex's captures, hole by hole.
    #[test]
    fn random_templates_agree_with_the_regex() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let (mut matched, mut compared, mut hinted_runs) = (0, 0, 0);
        for _ in 0..1500 {
            let mut pieces: Vec<Piece> = Vec::new();
            for _ in 0..1 + rng.below(5) {
                if rng.below(3) == 0 {
                    let l = rng.pick(LITS).to_string();
                    match pieces.last_mut() {
                        Some(Piece::Lit(prev)) => prev.push_str(&l),
                        _ => pieces.push(Piece::Lit(l)),
                    }
                } else {
                    let (name, ty) = HoleType::ALL[rng.below(HoleType::ALL.len())];
                    pieces.push(Piece::Hole {
                        name: "x".into(),
                        ty: name.into(),
                        at: 0,
                    });
                    let _ = ty;
                }
            }
            let re: String = pieces
                .iter()
                .map(|p| match p {
                    Piece::Lit(l) => regex::escape(l),
                    Piece::Hole { ty, .. } => format!("({})", HoleType::parse(ty).unwrap().regex()),
                })
                .collect();
            let re = regex::Regex::new(&format!("^{re}$")).unwrap();
            let m = Matcher::new(&pieces).unwrap();
            for _ in 0..40 {
                let mut msg = String::new();
                for p in &pieces {
                    match p {
                        Piece::Lit(l) if rng.below(8) > 0 => msg.push_str(l),
                        Piece::Lit(_) => msg.push_str(rng.pick(LITS)),
                        Piece::Hole { ty, .. } => {
                            msg.push_str(&value(&mut rng, HoleType::parse(ty).unwrap()))
                        }
                    }
                    if rng.below(10) == 0 {
                        msg.push_str(rng.pick(LITS));
                    }
                }
                let mut sp = [(0, 0); MAX_HOLES];
                let want = re.captures(&msg).map(|c| {
                    (1..c.len())
                        .map(|k| c.get(k).map(|g| (g.start(), g.end())).unwrap())
                        .collect::<Vec<_>>()
                });
                let found = m.run(&msg, &mut sp);
                // Told where the first hole's literal first occurs, the same answer.
                if let Some(lit) = m.lead_literal() {
                    let needle = Needle::new(lit).unwrap();
                    if let Some(at) = needle.find_from(msg.as_bytes(), 0) {
                        let mut known = [(0, 0); MAX_HOLES];
                        let hinted = m.run_known(&msg, &mut known, Some(at), false);
                        assert_eq!(
                            hinted, found,
                            "template {pieces:?} on {msg:?}, lead at {at}"
                        );
                        if found == Found::Match {
                            assert_eq!(known[..m.holes()], sp[..m.holes()], "{msg:?}");
                        }
                        hinted_runs += 1;
                    }
                }
                let got = match found {
                    Found::Match => Some(sp[..m.holes()].to_vec()),
                    Found::NoMatch => None,
                    Found::GaveUp => continue,
                };
                compared += 1;
                matched += usize::from(got.is_some());
                assert_eq!(got, want, "template {pieces:?} on {msg:?}");
            }
        }
        assert!(
            hinted_runs > 500,
            "{hinted_runs} runs told the lead literal"
        );
        assert!(
            compared > 50_000 && matched > 5_000,
            "{compared} compared, {matched} matched"
        );
    }

    #[test]
    fn needles_find_what_a_plain_search_finds() {
        let mut rng = Rng(99);
        let alphabet = [" ", "(", ")", "a", "b", " (", "x)", "\u{e9}"];
        for _ in 0..3000 {
            let hay: String = (0..rng.below(30)).map(|_| rng.pick(&alphabet)).collect();
            let lit: String = (0..1 + rng.below(3)).map(|_| rng.pick(&alphabet)).collect();
            let n = Needle::new(lit.as_bytes()).unwrap();
            for from in 0..=hay.len() + 1 {
                let want = hay
                    .as_bytes()
                    .windows(lit.len())
                    .enumerate()
                    .skip(from)
                    .find(|(_, w)| *w == lit.as_bytes())
                    .map(|(k, _)| k);
                assert_eq!(
                    n.find_from(hay.as_bytes(), from),
                    want,
                    "{lit:?} in {hay:?} from {from}"
                );
            }
        }
    }

    #[test]
    fn word_runs_eight_bytes_at_a_time() {
        let mut rng = Rng(77);
        let bytes: &[u8] = b"ab!~\x00\x08\x0b \t\r\x1f\x7f\x80\xc3\xa9zZ09";
        for len in 0..40 {
            for _ in 0..200 {
                let v: Vec<u8> = (0..len).map(|_| bytes[rng.below(bytes.len())]).collect();
                assert_eq!(nonspace_run(&v), class_run(&v, NONSPACE), "{v:?}");
            }
        }
    }

    #[test]
    fn hostile_input_gives_up_instead_of_taking_forever() {
        let m = Matcher::new(&message_template("{_:text}a{_:text}a{_:text}a{_:text}b").unwrap())
            .unwrap();
        let msg = "a".repeat(5000);
        let mut sp = [(0, 0); MAX_HOLES];
        assert_eq!(m.run(&msg, &mut sp), Found::GaveUp);
    }
}
