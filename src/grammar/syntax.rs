//! The surface syntax of grammar files, parsed with `nom`: keyword lines, message templates
//! (literals, holes, brace escapes) and `field=value` pair lists (`set`, `expect`).
//!
//! Parsers here return byte offsets into the text they were given; the caller turns them
//! into 1-based columns of the grammar file.

use nom::branch::alt;
use nom::bytes::complete::{escaped_transform, is_not, tag, take_while1};
use nom::character::complete::{char, none_of, one_of, space0, space1};
use nom::combinator::{eof, map, value};
use nom::sequence::{delimited, separated_pair, tuple};
use nom::IResult;

/// One non-blank, non-comment line of a grammar file, split into keyword and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeywordLine<'a> {
    /// The first word of the line.
    pub keyword: &'a str,
    /// Byte offset of the keyword in the line.
    pub keyword_at: usize,
    /// The rest of the line after the separating whitespace, trailing whitespace trimmed.
    pub value: &'a str,
    /// Byte offset of the value in the line (the line's length when there is no value).
    pub value_at: usize,
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace()
}

fn keyword_and_sep(input: &str) -> IResult<&str, (&str, &str, &str)> {
    tuple((space0, take_while1(is_word_char), alt((space1, eof))))(input)
}

/// Split a grammar line. `None` for blank lines and whole-line comments (first non-blank
/// character `#`).
pub(crate) fn keyword_line(line: &str) -> Option<KeywordLine<'_>> {
    let trimmed = line.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    let (rest, (indent, keyword, _sep)) = keyword_and_sep(line).ok()?;
    let value = rest.trim_end();
    Some(KeywordLine {
        keyword,
        keyword_at: indent.len(),
        value,
        value_at: line.len() - rest.len(),
    })
}

/// A piece of a message template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Literal text, escapes resolved.
    Lit(String),
    /// A hole `{name:type}` starting at byte `at` of the template.
    Hole {
        /// Field name or `_`.
        name: String,
        /// Type name as written.
        ty: String,
        /// Byte offset of the `{`.
        at: usize,
    },
}

/// An error in a message template, at byte `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PieceError {
    /// Byte offset of the offending character.
    pub at: usize,
    /// What is wrong.
    pub msg: String,
}

enum Raw<'a> {
    Lit(&'a str),
    Hole(&'a str, &'a str),
}

fn ident(input: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_')(input)
}

fn hole(input: &str) -> IResult<&str, Raw<'_>> {
    map(
        delimited(
            char('{'),
            separated_pair(ident, char(':'), ident),
            char('}'),
        ),
        |(n, t)| Raw::Hole(n, t),
    )(input)
}

fn raw_piece(input: &str) -> IResult<&str, Raw<'_>> {
    alt((
        value(Raw::Lit("{"), tag("{{")),
        value(Raw::Lit("}"), tag("}}")),
        hole,
        map(is_not("{}"), Raw::Lit),
    ))(input)
}

impl Clone for Raw<'_> {
    fn clone(&self) -> Self {
        match self {
            Raw::Lit(s) => Raw::Lit(s),
            Raw::Hole(n, t) => Raw::Hole(n, t),
        }
    }
}

/// Parse a message template into pieces; adjacent literals are merged.
pub(crate) fn message_template(text: &str) -> Result<Vec<Piece>, PieceError> {
    let mut out: Vec<Piece> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let at = text.len() - rest.len();
        match raw_piece(rest) {
            Ok((next, Raw::Lit(l))) => {
                if let Some(Piece::Lit(prev)) = out.last_mut() {
                    prev.push_str(l);
                } else {
                    out.push(Piece::Lit(l.to_string()));
                }
                rest = next;
            }
            Ok((next, Raw::Hole(n, t))) => {
                out.push(Piece::Hole {
                    name: n.to_string(),
                    ty: t.to_string(),
                    at,
                });
                rest = next;
            }
            Err(_) => return Err(piece_error(rest, at)),
        }
    }
    Ok(out)
}

fn piece_error(rest: &str, at: usize) -> PieceError {
    if rest.starts_with('}') {
        return PieceError {
            at,
            msg: "unescaped `}`: write `}}` for a literal brace".to_string(),
        };
    }
    let shown: String = rest.chars().take(40).collect();
    match rest.find('}') {
        None => PieceError {
            at,
            msg: format!(
                "unterminated hole `{shown}`: missing `}}` (write `{{{{` for a literal brace)"
            ),
        },
        Some(end) => {
            let inner = rest.get(..=end).unwrap_or(rest);
            PieceError {
                at,
                msg: format!(
                    "bad hole `{inner}`: expected `{{name:type}}` (write `{{{{` for a literal brace)"
                ),
            }
        }
    }
}

/// One `field=value` pair of a `set` or `expect` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pair {
    /// The field name.
    pub name: String,
    /// The value, quotes removed and escapes resolved.
    pub value: String,
    /// Byte offset of the field name in the pair list.
    pub at: usize,
}

fn quoted(input: &str) -> IResult<&str, String> {
    alt((
        value(String::new(), tag("\"\"")),
        delimited(
            char('"'),
            escaped_transform(none_of("\\\""), '\\', one_of("\\\"")),
            char('"'),
        ),
    ))(input)
}

fn bare(input: &str) -> IResult<&str, String> {
    map(take_while1(|c: char| !c.is_whitespace()), str::to_string)(input)
}

fn pair(input: &str) -> IResult<&str, (&str, String)> {
    separated_pair(ident, char('='), alt((quoted, bare)))(input)
}

/// Parse `field=value field="two words" jobs=[a,b]` into pairs; an empty text is no pairs.
pub(crate) fn pairs(text: &str) -> Result<Vec<Pair>, PieceError> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let at = text.len() - rest.len();
        match pair(rest) {
            Ok((next, (name, value))) => {
                if !(next.is_empty() || next.starts_with(char::is_whitespace)) {
                    return Err(PieceError {
                        at: text.len() - next.len(),
                        msg: "expected a space between `field=value` pairs".to_string(),
                    });
                }
                out.push(Pair {
                    name: name.to_string(),
                    value,
                    at,
                });
                rest = next.trim_start();
            }
            Err(_) => {
                let shown: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
                return Err(PieceError {
                    at,
                    msg: format!(
                        "bad pair `{shown}`: expected `field=value` or `field=\"value with spaces\"`"
                    ),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_lines() {
        assert_eq!(keyword_line("   "), None);
        assert_eq!(keyword_line("  # note"), None);
        let k = keyword_line("  message Completed {x:int}.  ").unwrap();
        assert_eq!(k.keyword, "message");
        assert_eq!(k.keyword_at, 2);
        assert_eq!(k.value, "Completed {x:int}.");
        assert_eq!(k.value_at, 10);
        let k = keyword_line("ignore").unwrap();
        assert_eq!((k.keyword, k.value, k.value_at), ("ignore", "", 6));
        let k = keyword_line("\tlevel\tINFO WARN").unwrap();
        assert_eq!((k.keyword, k.value), ("level", "INFO WARN"));
    }

    #[test]
    fn templates_with_escapes() {
        let p = message_template("a {{b}} {job:jobid}}} {_:rest}").unwrap();
        assert_eq!(
            p,
            vec![
                Piece::Lit("a {b} ".into()),
                Piece::Hole {
                    name: "job".into(),
                    ty: "jobid".into(),
                    at: 8
                },
                Piece::Lit("} ".into()),
                Piece::Hole {
                    name: "_".into(),
                    ty: "rest".into(),
                    at: 22
                },
            ]
        );
        let e = message_template("x {job:jobid").unwrap_err();
        assert_eq!(e.at, 2);
        assert!(e.msg.contains("unterminated"), "{}", e.msg);
        let e = message_template("x {job} y").unwrap_err();
        assert!(e.msg.contains("bad hole `{job}`"), "{}", e.msg);
        let e = message_template("x } y").unwrap_err();
        assert_eq!(e.at, 2);
    }

    #[test]
    fn pair_lists() {
        let p = pairs(r#"a=1 b="two words" c=[x,y] d=[] e="q\"t""#).unwrap();
        let v: Vec<(&str, &str, usize)> = p
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str(), p.at))
            .collect();
        assert_eq!(
            v,
            vec![
                ("a", "1", 0),
                ("b", "two words", 4),
                ("c", "[x,y]", 18),
                ("d", "[]", 26),
                ("e", "q\"t", 31)
            ]
        );
        assert!(pairs("").unwrap().is_empty());
        assert_eq!(pairs("a=1 =2").unwrap_err().at, 4);
        assert!(pairs(r#"a="x"b"#).is_err());
    }
}
