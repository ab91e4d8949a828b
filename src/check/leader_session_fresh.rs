//! `leader-session-fresh`: every new leadership term uses a leader session id never used
//! before by another term.

use super::model::{Evidence, Outcome, Verdict};
use super::state::{Model, UNKNOWN_SESSION, ZERO_SESSION};
use super::{evidence, verdict, Config, Finding, Invariant};
use crate::events::{Event, Kind};

/// Invariant id.
pub const ID: &str = "leader-session-fresh";

/// State of the invariant.
#[derive(Default)]
pub struct LeaderSessionFresh {
    zero: Option<Evidence>,
}

impl Invariant for LeaderSessionFresh {
    fn id(&self) -> &'static str {
        ID
    }

    fn observe(&mut self, ev: &Event, model: &Model, _cfg: &Config, out: &mut Vec<Finding>) {
        if ev.kind != Kind::LeadershipGranted {
            return;
        }
        let Some(session) = ev.fields.session.as_deref() else {
            return;
        };
        if session == UNKNOWN_SESSION {
            return;
        }
        if session == ZERO_SESSION {
            self.zero.get_or_insert_with(|| evidence(ev));
            return;
        }
        let inc = model.inc_of(&ev.source).filter(|i| model.incs[*i].open);
        // Joining an open term of the same incarnation is the same term, not a new one.
        let joins_open = inc.is_some_and(|i| model.open_term_id(i, session).is_some());
        if joins_open {
            return;
        }
        if let Some(&t) = model.sessions.get(session) {
            let old = &model.terms[t];
            out.push(Finding {
                id: ID,
                job: None,
                because: format!(
                    "a new leadership term reused leader session id {session}, first granted to {} at {}",
                    old.grant.source, old.grant.ts
                ),
                evidence: vec![old.grant.clone(), evidence(ev)],
            });
        }
    }

    fn finish(&mut self, model: &Model, _cfg: &Config) -> Vec<Verdict> {
        let real: Vec<_> = model
            .terms
            .iter()
            .filter(|t| t.term.session != ZERO_SESSION && t.term.session != UNKNOWN_SESSION)
            .collect();
        if real.is_empty() {
            if let Some(z) = &self.zero {
                return vec![verdict(
                    ID,
                    Outcome::Unknown,
                    None,
                    format!("leadership used the fixed session id {ZERO_SESSION}: HA is disabled, there is no leader election to judge"),
                    vec![z.clone()],
                )];
            }
            return vec![verdict(
                ID,
                Outcome::Unknown,
                None,
                "no leadership grant with a session id was logged",
                vec![],
            )];
        }
        if real.len() < 2 {
            return vec![verdict(
                ID,
                Outcome::Unknown,
                None,
                "only one leadership term was logged: no new term to compare its session id with",
                real.iter().map(|t| t.grant.clone()).collect(),
            )];
        }
        vec![verdict(
            ID,
            Outcome::Pass,
            None,
            format!(
                "{} leadership terms, each with its own leader session id",
                real.len()
            ),
            real.iter().take(4).map(|t| t.grant.clone()).collect(),
        )]
    }
}
