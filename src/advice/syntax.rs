//! The surface syntax of `when` conditions, parsed with `nom`.
//!
//! Parsers return byte offsets into the value they were given; the caller turns them into
//! columns of the advice file.

use nom::branch::alt;
use nom::bytes::complete::{escaped_transform, is_not, tag, take_while1};
use nom::character::complete::{char, space0, space1};
use nom::combinator::{map, opt, value};
use nom::multi::separated_list1;
use nom::sequence::{delimited, preceded};
use nom::IResult;

/// How a field is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `field=a|b`: equal to one of the values (or to the variable's value).
    Eq,
    /// `field!=a|b`: present and equal to none of them.
    Ne,
    /// `field~text`: present and containing the text.
    Contains,
}

/// The right-hand side of a comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rhs {
    /// Literal alternatives.
    Values(Vec<String>),
    /// `$name`: bound by its first `=` use, compared afterwards.
    Var(String),
}

/// One token after the event kinds of an `event` condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawConstraint {
    /// `field OP value`, at byte `at`.
    Field {
        /// Field name (or `source`).
        field: String,
        /// Comparison.
        op: Op,
        /// Value.
        rhs: Rhs,
        /// Byte offset of the field name.
        at: usize,
    },
    /// `within DURATION` (from the previous event), at byte `at`.
    Within(String, usize),
    /// `after DURATION` (at least that long after the previous event), at byte `at`.
    After(String, usize),
}

/// A condition as written, before names are checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawCond {
    /// `verdict ID OUTCOME[|OUTCOME…]`.
    Verdict {
        /// Invariant id and its offset.
        id: (String, usize),
        /// Outcomes and their offset.
        outcomes: (Vec<String>, usize),
    },
    /// `cluster FACT`.
    Cluster(String, usize),
    /// `[no] event KIND[|KIND…] constraint…`.
    Event {
        /// `no event`: no such event between the neighbouring matched events.
        negated: bool,
        /// Kinds and their offset.
        kinds: (Vec<String>, usize),
        /// Constraints in order.
        constraints: Vec<RawConstraint>,
    },
}

/// A syntax error at byte `at` of the condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset.
    pub at: usize,
    /// What is wrong.
    pub msg: String,
}

fn word(input: &str) -> IResult<&str, &str> {
    take_while1(|c: char| !c.is_whitespace() && c != '|')(input)
}

fn ident(input: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')(input)
}

fn quoted(input: &str) -> IResult<&str, String> {
    delimited(
        char('"'),
        map(
            opt(escaped_transform(
                is_not("\\\""),
                '\\',
                alt((value("\\", tag("\\")), value("\"", tag("\"")))),
            )),
            Option::unwrap_or_default,
        ),
        char('"'),
    )(input)
}

fn literal(input: &str) -> IResult<&str, String> {
    alt((
        quoted,
        map(
            take_while1(|c: char| !c.is_whitespace() && c != '|' && c != '"'),
            str::to_string,
        ),
    ))(input)
}

fn alternatives(input: &str) -> IResult<&str, Vec<String>> {
    separated_list1(char('|'), literal)(input)
}

fn rhs(input: &str) -> IResult<&str, Rhs> {
    alt((
        map(preceded(char('$'), ident), |v: &str| {
            Rhs::Var(v.to_string())
        }),
        map(alternatives, Rhs::Values),
    ))(input)
}

fn op(input: &str) -> IResult<&str, Op> {
    alt((
        value(Op::Ne, tag("!=")),
        value(Op::Eq, tag("=")),
        value(Op::Contains, tag("~")),
    ))(input)
}

fn field_name(input: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_alphanumeric() || c == '_')(input)
}

/// `value` without its leading and trailing whitespace, and the offset of what is left.
fn offset(full: &str, rest: &str) -> usize {
    full.len() - rest.len()
}

/// Parse the value of a `when` line.
pub fn condition(text: &str) -> Result<RawCond, SyntaxError> {
    let err = |rest: &str, msg: String| SyntaxError {
        at: offset(text, rest),
        msg,
    };
    let (rest, _) = space0::<&str, ()>(text).map_err(|_| err(text, "empty condition".into()))?;
    let (rest, head) = ident(rest).map_err(|_: nom::Err<nom::error::Error<&str>>| {
        err(
            rest,
            "a condition starts with `verdict`, `cluster`, `event` or `no event`".into(),
        )
    })?;
    match head {
        "verdict" => {
            let (rest, _) = space1::<&str, ()>(rest)
                .map_err(|_| err(rest, "`verdict` needs an invariant id".into()))?;
            let id_at = offset(text, rest);
            let (rest, id) = ident(rest).map_err(|_: nom::Err<nom::error::Error<&str>>| {
                err(rest, "`verdict` needs an invariant id".into())
            })?;
            let (rest, _) = space1::<&str, ()>(rest)
                .map_err(|_| err(rest, "`verdict ID` needs outcomes (FAIL, UNKNOWN, PASS)".into()))?;
            let out_at = offset(text, rest);
            let (rest, outcomes) = separated_list1(char('|'), word)(rest).map_err(
                |_: nom::Err<nom::error::Error<&str>>| err(rest, "outcomes expected".into()),
            )?;
            if !rest.trim().is_empty() {
                return Err(err(rest.trim_start(), "unexpected text after the outcomes".into()));
            }
            Ok(RawCond::Verdict {
                id: (id.to_string(), id_at),
                outcomes: (outcomes.into_iter().map(str::to_string).collect(), out_at),
            })
        }
        "cluster" => {
            let (rest, _) = space1::<&str, ()>(rest)
                .map_err(|_| err(rest, "`cluster` needs a fact".into()))?;
            let at = offset(text, rest);
            let (rest, fact) = ident(rest).map_err(|_: nom::Err<nom::error::Error<&str>>| {
                err(rest, "`cluster` needs a fact".into())
            })?;
            if !rest.trim().is_empty() {
                return Err(err(rest.trim_start(), "unexpected text after the fact".into()));
            }
            Ok(RawCond::Cluster(fact.to_string(), at))
        }
        "no" | "event" => {
            let mut rest = rest;
            let negated = head == "no";
            if negated {
                let (r, _) = space1::<&str, ()>(rest)
                    .map_err(|_| err(rest, "`no` must be followed by `event`".into()))?;
                let (r, kw) = ident(r).map_err(|_: nom::Err<nom::error::Error<&str>>| {
                    err(r, "`no` must be followed by `event`".into())
                })?;
                if kw != "event" {
                    return Err(err(r, "`no` must be followed by `event`".into()));
                }
                rest = r;
            }
            let (r, _) = space1::<&str, ()>(rest)
                .map_err(|_| err(rest, "`event` needs an event kind".into()))?;
            let kinds_at = offset(text, r);
            let (r, kinds) = separated_list1(char('|'), word)(r).map_err(
                |_: nom::Err<nom::error::Error<&str>>| err(r, "`event` needs an event kind".into()),
            )?;
            let mut constraints = Vec::new();
            let mut rest = r;
            loop {
                let (r, sp) = space0::<&str, ()>(rest).map_err(|_| err(rest, "?".into()))?;
                if r.is_empty() {
                    break;
                }
                if sp.is_empty() {
                    return Err(err(r, "constraints are separated by spaces".into()));
                }
                let at = offset(text, r);
                let (after_name, name) = field_name(r).map_err(
                    |_: nom::Err<nom::error::Error<&str>>| {
                        err(r, "expected `field=value`, `within DURATION` or `after DURATION`".into())
                    },
                )?;
                if name == "within" || name == "after" {
                    if let Ok((r2, _)) = space1::<&str, ()>(after_name) {
                        let (r3, d) = word(r2).map_err(|_: nom::Err<nom::error::Error<&str>>| {
                            err(r2, format!("`{name}` needs a duration (e.g. 30s)"))
                        })?;
                        constraints.push(if name == "within" {
                            RawConstraint::Within(d.to_string(), at)
                        } else {
                            RawConstraint::After(d.to_string(), at)
                        });
                        rest = r3;
                        continue;
                    }
                }
                let (r2, o) = op(after_name).map_err(|_: nom::Err<nom::error::Error<&str>>| {
                    err(after_name, format!("expected `=`, `!=` or `~` after `{name}`"))
                })?;
                let (r3, v) = rhs(r2).map_err(|_: nom::Err<nom::error::Error<&str>>| {
                    err(r2, format!("`{name}` needs a value"))
                })?;
                if !r3.is_empty() && !r3.starts_with(char::is_whitespace) {
                    return Err(err(r3, "unexpected character in a value".into()));
                }
                constraints.push(RawConstraint::Field {
                    field: name.to_string(),
                    op: o,
                    rhs: v,
                    at,
                });
                rest = r3;
            }
            Ok(RawCond::Event {
                negated,
                kinds: (kinds.into_iter().map(str::to_string).collect(), kinds_at),
                constraints,
            })
        }
        other => Err(err(
            rest,
            format!(
                "unknown condition `{other}`: a condition starts with `verdict`, `cluster`, `event` or `no event`"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_parse() {
        assert_eq!(
            condition("verdict single-leader FAIL|UNKNOWN").unwrap(),
            RawCond::Verdict {
                id: ("single-leader".into(), 8),
                outcomes: (vec!["FAIL".into(), "UNKNOWN".into()], 22),
            }
        );
        assert_eq!(
            condition("cluster application").unwrap(),
            RawCond::Cluster("application".into(), 8)
        );
        let c = condition(
            r#"no event process_stopping|leadership_granted reason="fatal error"|x source!=$jm within 30s exception~OutOfMemory"#,
        )
        .unwrap();
        let RawCond::Event {
            negated,
            kinds,
            constraints,
        } = c
        else {
            panic!()
        };
        assert!(negated);
        assert_eq!(kinds.0, vec!["process_stopping", "leadership_granted"]);
        assert_eq!(
            constraints[0],
            RawConstraint::Field {
                field: "reason".into(),
                op: Op::Eq,
                rhs: Rhs::Values(vec!["fatal error".into(), "x".into()]),
                at: 45,
            }
        );
        assert_eq!(
            constraints[1],
            RawConstraint::Field {
                field: "source".into(),
                op: Op::Ne,
                rhs: Rhs::Var("jm".into()),
                at: 68,
            }
        );
        assert_eq!(constraints[2], RawConstraint::Within("30s".into(), 80));
        assert!(matches!(
            &constraints[3],
            RawConstraint::Field {
                op: Op::Contains,
                ..
            }
        ));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = condition("event job_state to").unwrap_err();
        assert_eq!(e.at, 18);
        assert!(e.msg.contains("after `to`"), "{}", e.msg);
        let e = condition("maybe event x").unwrap_err();
        assert!(e.msg.contains("unknown condition `maybe`"), "{}", e.msg);
        let e = condition("no events x").unwrap_err();
        assert!(e.msg.contains("followed by `event`"), "{}", e.msg);
        let e = condition("verdict single-leader").unwrap_err();
        assert!(e.msg.contains("outcomes"), "{}", e.msg);
        let e = condition(r#"event x reason="open"#).unwrap_err();
        assert_eq!(e.at, 15);
    }
}
