//! What the property tests share: the built-in grammar compiled once, the pipeline over
//! in-memory logs, and the checker's verdicts as a sorted multiset.

use flinkha::check::model::Outcome;
use flinkha::check::{Checker, Config};
use flinkha::envelope::Zone;
use flinkha::events::Event;
use flinkha::grammar::Grammar;
use flinkha::input::Input;
use flinkha::pipeline::{run_inputs, Chunking, Inputs, Item, Options};
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The built-in grammars, compiled on first use.
pub fn grammar() -> Arc<Grammar> {
    static G: OnceLock<Arc<Grammar>> = OnceLock::new();
    G.get_or_init(|| Arc::new(Grammar::builtin().unwrap()))
        .clone()
}

/// Every event of the logs (name, bytes), through the whole pipeline; with `follow`, as
/// `--follow` delivers them.
pub fn events_of<'a>(
    logs: impl IntoIterator<Item = (&'a str, Vec<u8>)>,
    zone: Zone,
    follow: bool,
) -> Vec<Event> {
    let opened = logs
        .into_iter()
        .map(|(n, b)| Input::from_bytes(n, b))
        .collect();
    events_of_inputs(opened, zone, follow)
}

/// Every event of the log files under `dir`, found as a directory argument finds them.
#[allow(dead_code)] // the property tests over the samples read no directories
pub fn events_of_dir(dir: &Path, zone: Zone) -> Vec<Event> {
    let opened = flinkha::input::resolve(&[dir.to_path_buf()]).unwrap();
    events_of_inputs(opened, zone, false)
}

fn events_of_inputs(opened: Vec<Input>, zone: Zone, follow: bool) -> Vec<Event> {
    let opts = Options {
        zone,
        grammar: grammar(),
        want_unmatched: false,
        progress: false,
        follow,
        chunking: Chunking::OFF,
        input_format: Default::default(),
    };
    let inputs = Inputs { opened, more: None };
    let mut out = Vec::new();
    run_inputs(inputs, &opts, &mut |i| {
        if let Item::Event(e) = i {
            out.push(e);
        }
        Ok(())
    })
    .unwrap();
    out
}

/// The verdicts as a sorted multiset of (invariant, job, verdict).
pub type Verdicts = Vec<(String, Option<String>, Outcome)>;

/// The checker's verdicts on `evs`.
pub fn verdicts(evs: &[Event]) -> Verdicts {
    let mut c = Checker::new(Config::default());
    for e in evs {
        c.observe(e);
    }
    let mut v: Verdicts = c
        .finish()
        .invariants
        .into_iter()
        .map(|v| (v.id, v.job, v.verdict))
        .collect();
    v.sort_by(|a, b| (&a.0, &a.1, a.2 as u8).cmp(&(&b.0, &b.1, b.2 as u8)));
    v
}
