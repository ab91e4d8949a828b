//! `expect-failovers` (with `--expect-failovers N`): at least N failovers were seen, so a CI
//! step can prove the chaos it injected really happened.

use super::model::{Outcome, Verdict};
use super::state::Model;
use super::{verdict, Config, Finding, Invariant};
use crate::events::Event;

/// Invariant id.
pub const ID: &str = "expect-failovers";

/// Stateless: counts the model's failovers at the end.
pub struct ExpectFailovers;

impl Invariant for ExpectFailovers {
    fn id(&self) -> &'static str {
        ID
    }

    fn observe(&mut self, _ev: &Event, _model: &Model, _cfg: &Config, _out: &mut Vec<Finding>) {}

    fn finish(&mut self, model: &Model, cfg: &Config) -> Vec<Verdict> {
        let Some(n) = cfg.expect_failovers else {
            return vec![];
        };
        let seen = model.failovers.len();
        let outcome = if seen >= n {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        vec![verdict(
            ID,
            outcome,
            None,
            format!("{seen} failover(s) seen, at least {n} expected"),
            vec![],
        )]
    }
}
