//! Hole types: what a `{name:type}` hole matches (a regex fragment) and the typed value it
//! produces.

use crate::events::{normalize_session, FieldType, Value};

/// The type of a hole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HoleType {
    /// Decimal digits → Int.
    Int,
    /// 32 hex digits → lower-case Str.
    JobId,
    /// `8-4-4-4-12` hex → lower-case Str.
    Uuid,
    /// A UUID or a 32-hex fencing token → normalised session Str.
    Session,
    /// Hex digits → Str.
    Hex,
    /// Non-whitespace run → Str.
    Word,
    /// `[A-Z_]+` → Str.
    State,
    /// Lazy, possibly empty text → Str.
    Text,
    /// Everything up to the end → Str.
    Rest,
    /// A Java list of job ids `[a, b]` → List of lower-case ids.
    JobIds,
    /// A checkpoint type rendering inside `(type=…)` → Bool savepoint.
    CpType,
    /// `Checkpoint` / `Savepoint` word → Bool savepoint.
    CpKind,
}

const HEX32: &str = "[0-9a-fA-F]{32}";
const UUID: &str = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

impl HoleType {
    /// Every type with its name in the language.
    pub(crate) const ALL: &'static [(&'static str, HoleType)] = &[
        ("int", HoleType::Int),
        ("jobid", HoleType::JobId),
        ("uuid", HoleType::Uuid),
        ("session", HoleType::Session),
        ("hex", HoleType::Hex),
        ("word", HoleType::Word),
        ("state", HoleType::State),
        ("text", HoleType::Text),
        ("rest", HoleType::Rest),
        ("jobids", HoleType::JobIds),
        ("cptype", HoleType::CpType),
        ("cpkind", HoleType::CpKind),
    ];

    /// The type called `name`.
    pub(crate) fn parse(name: &str) -> Option<HoleType> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }

    /// Names of every type, for error messages.
    pub(crate) fn names() -> String {
        Self::ALL
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The regex fragment (no capturing groups inside).
    pub(crate) fn regex(self) -> String {
        match self {
            HoleType::Int => "[0-9]+".into(),
            HoleType::JobId => HEX32.into(),
            HoleType::Uuid => UUID.into(),
            HoleType::Session => format!("(?:{UUID}|{HEX32})"),
            HoleType::Hex => "[0-9a-fA-F]+".into(),
            HoleType::Word => r"\S+".into(),
            HoleType::State => "[A-Z_]+".into(),
            HoleType::Text => ".*?".into(),
            HoleType::Rest => ".*".into(),
            HoleType::JobIds => format!(r"\[(?:\s*{HEX32}\s*(?:,\s*{HEX32}\s*)*)?\]"),
            HoleType::CpType => r"[A-Za-z_]+(?:\{[^{}()]*\})?".into(),
            HoleType::CpKind => "[A-Za-z]+".into(),
        }
    }

    /// The field type a hole of this type can fill.
    pub(crate) fn field_type(self) -> FieldType {
        match self {
            HoleType::Int => FieldType::Int,
            HoleType::CpType | HoleType::CpKind => FieldType::Bool,
            HoleType::JobIds => FieldType::List,
            _ => FieldType::Str,
        }
    }

    /// The value of a matched text (tests); `None` when it cannot be represented.
    #[cfg(test)]
    pub(crate) fn convert(self, text: &str) -> Option<Value> {
        self.convert_with(text, |v| v)
    }

    /// The value of a matched text handed straight to `k`; `None` when it cannot be
    /// represented (integer overflow). Built where `k` takes it (a field's setter, on every
    /// hole of every event) instead of returned and then copied there, a copy the processor
    /// could not forward from the stores that had just made it.
    #[inline(always)]
    pub(crate) fn convert_with<R>(self, text: &str, k: impl FnOnce(Value) -> R) -> Option<R> {
        Some(match self {
            HoleType::Int => k(Value::Int(text.parse().ok()?)),
            HoleType::JobId | HoleType::Uuid => k(Value::Str(text.to_ascii_lowercase())),
            HoleType::Session => k(Value::Str(normalize_session(text))),
            HoleType::Hex | HoleType::Word | HoleType::State | HoleType::Text | HoleType::Rest => {
                k(Value::Str(text.to_string()))
            }
            HoleType::JobIds => k(Value::List(
                text.trim_start_matches('[')
                    .trim_end_matches(']')
                    .split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect(),
            )),
            HoleType::CpType | HoleType::CpKind => {
                k(Value::Bool(contains_ignore_case(text, b"savepoint")))
            }
        })
    }
}

/// Whether `text` contains `word` (lower-case ASCII, not empty) in any case, without a
/// lower-cased copy: only where its first letter occurs (found with `memchr2`) is the rest
/// compared, since a checkpoint's type text (`CheckpointType{name='Checkpoint',
/// sharingFilesStrategy=FORWARD_BACKWARD}`) is read on every triggered checkpoint.
fn contains_ignore_case(text: &str, word: &[u8]) -> bool {
    let (Some(&first), b) = (word.first(), text.as_bytes()) else {
        return true;
    };
    let mut from = 0;
    while let Some(p) = b
        .get(from..)
        .and_then(|r| memchr::memchr2(first, first.to_ascii_uppercase(), r))
    {
        let at = from + p;
        if b.get(at..at + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
        {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The name of a field type, for error messages.
pub(crate) fn field_type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::Str => "text",
        FieldType::Int => "a number",
        FieldType::Bool => "true/false",
        FieldType::List => "a list",
    }
}

/// Hole types that fit a field type, for error messages.
pub(crate) fn types_for(t: FieldType) -> String {
    HoleType::ALL
        .iter()
        .filter(|(_, h)| h.field_type() == t)
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn full(t: HoleType, s: &str) -> bool {
        Regex::new(&format!("^(?:{})$", t.regex()))
            .unwrap()
            .is_match(s)
    }

    #[test]
    fn int() {
        assert!(full(HoleType::Int, "7735"));
        assert!(!full(HoleType::Int, "-1"));
        assert!(!full(HoleType::Int, ""));
        assert_eq!(HoleType::Int.convert("42"), Some(Value::Int(42)));
        assert_eq!(HoleType::Int.convert("99999999999999999999999"), None);
    }

    #[test]
    fn ids() {
        let j = "C506B6C290CC2D96A0E3F0EEA10395C4";
        assert!(full(HoleType::JobId, j));
        assert!(!full(HoleType::JobId, &j[1..]));
        assert_eq!(
            HoleType::JobId.convert(j),
            Some(Value::Str("c506b6c290cc2d96a0e3f0eea10395c4".into()))
        );
        let u = "12dc9230-72cd-49e6-a6ad-48903369f0bf";
        assert!(full(HoleType::Uuid, u));
        assert!(!full(HoleType::Uuid, "12dc923072cd49e6a6ad48903369f0bf"));
        assert!(full(HoleType::Session, u));
        assert!(full(HoleType::Session, "a6ad48903369f0bf12dc923072cd49e6"));
        assert_eq!(
            HoleType::Session.convert("a6ad48903369f0bf12dc923072cd49e6"),
            Some(Value::Str(u.into()))
        );
        assert!(full(HoleType::Hex, "00ff"));
        assert!(!full(HoleType::Hex, "0g"));
    }

    #[test]
    fn words_and_text() {
        assert!(full(HoleType::Word, "a.b:c"));
        assert!(!full(HoleType::Word, "a b"));
        assert!(full(HoleType::State, "RUNNING"));
        assert!(full(HoleType::State, "SUSPENDED_X"));
        assert!(!full(HoleType::State, "Running"));
        assert!(full(HoleType::Text, ""));
        assert!(full(HoleType::Rest, "anything at all"));
    }

    #[test]
    fn job_id_lists() {
        let a = "c506b6c290cc2d96a0e3f0eea10395c4";
        let b = "A506B6C290CC2D96A0E3F0EEA10395C4";
        assert!(full(HoleType::JobIds, "[]"));
        assert!(full(HoleType::JobIds, &format!("[{a}]")));
        assert!(full(HoleType::JobIds, &format!("[{a}, {b}]")));
        assert!(!full(HoleType::JobIds, "[x]"));
        assert_eq!(
            HoleType::JobIds.convert(&format!("[{a}, {b}]")),
            Some(Value::List(vec![a.into(), b.to_ascii_lowercase()]))
        );
        assert_eq!(HoleType::JobIds.convert("[]"), Some(Value::List(vec![])));
    }

    #[test]
    fn checkpoint_types() {
        for (s, sp) in [
            ("CHECKPOINT", false),
            ("SAVEPOINT", true),
            ("SYNC_SAVEPOINT", true),
            ("SAVEPOINT_SUSPEND", true),
            (
                "CheckpointType{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD}",
                false,
            ),
            (
                "SavepointType{name='Suspend Savepoint', postCheckpointAction=SUSPEND, formatType=CANONICAL}",
                true,
            ),
        ] {
            assert!(full(HoleType::CpType, s), "{s}");
            assert_eq!(HoleType::CpType.convert(s), Some(Value::Bool(sp)), "{s}");
        }
        // It cannot run past the closing parenthesis of `(type=…)`.
        let re = Regex::new(&format!(r"^\(type=({})\) @", HoleType::CpType.regex())).unwrap();
        let c = re.captures("(type=CHECKPOINT) @ 1 (x) @").unwrap();
        assert_eq!(c.get(1).unwrap().as_str(), "CHECKPOINT");
        assert!(!full(HoleType::CpType, "CHECKPOINT) @ (x"));
        assert_eq!(
            HoleType::CpKind.convert("Savepoint"),
            Some(Value::Bool(true))
        );
        assert_eq!(
            HoleType::CpKind.convert("Checkpoint"),
            Some(Value::Bool(false))
        );
    }

    #[test]
    fn names_round_trip() {
        for (n, t) in HoleType::ALL {
            assert_eq!(HoleType::parse(n), Some(*t));
        }
        assert_eq!(HoleType::parse("float"), None);
    }

    #[test]
    fn savepoint_is_found_in_any_case_wherever_it_is() {
        let reference = |t: &str| {
            t.as_bytes()
                .windows(9)
                .any(|w| w.eq_ignore_ascii_case(b"savepoint"))
        };
        let texts = [
            "CheckpointType{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD}",
            "SavepointType{name='Savepoint', postCheckpointAction=NONE, formatType=CANONICAL}",
            "SAVEPOINT",
            "sync savepoint",
            "ssavepoin",
            "savepoin",
            "sssavepointt",
            "",
            "s",
            "Sävepoint savepoinT",
            "checkpoint",
        ];
        for t in texts {
            assert_eq!(contains_ignore_case(t, b"savepoint"), reference(t), "{t:?}");
        }
    }
}
