//! One input parsed to the end (sequentially, or in chunks for a large file), its items keyed
//! for ordering.

use super::chunked::run_chunked;
use super::sources::LaneState;
use super::{Item, Options, PipelineError, SourceSummary};
use crate::input::{Input, LineReader};
use chrono::{DateTime, Utc};
use std::cmp::Ordering as CmpOrdering;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// How a reader lane ended early.
pub(super) enum LaneError {
    /// The consumer went away (sink error elsewhere, or abort): not an error of this lane.
    Stopped,
    /// A real error.
    Fail(PipelineError),
}

impl LaneError {
    pub(super) fn into_error(self) -> PipelineError {
        match self {
            LaneError::Fail(e) => e,
            LaneError::Stopped => PipelineError::Internal("stopped".to_string()),
        }
    }
}

/// An item with its order key within one input.
pub(super) struct Keyed {
    pub(super) ts: DateTime<Utc>,
    pub(super) line: u64,
    /// 0 for a record's own item, 1 for the `log_end` after it.
    pub(super) sub: u8,
    pub(super) item: Item,
}

impl PartialEq for Keyed {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == CmpOrdering::Equal
    }
}
impl Eq for Keyed {}
impl PartialOrd for Keyed {
    fn partial_cmp(&self, o: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(o))
    }
}
impl Ord for Keyed {
    fn cmp(&self, o: &Self) -> CmpOrdering {
        (self.ts, self.line, self.sub).cmp(&(o.ts, o.line, o.sub))
    }
}

/// Parse one input to the end, handing items (in this input's time order) to `emit`. A
/// large regular file is parsed in chunks on the rayon pool ([`Chunking`]).
pub(super) fn run_lane(
    inp: Input,
    opts: &Options,
    bytes: Arc<AtomicU64>,
    abort: &AtomicBool,
    emit: &mut dyn FnMut(Keyed) -> Result<(), LaneError>,
) -> Result<Vec<SourceSummary>, LaneError> {
    let name = inp.name.clone();
    let path = inp.path.clone().unwrap_or_else(|| PathBuf::from("-"));
    let read_err = |line: u64, error: io::Error| {
        LaneError::Fail(PipelineError::Read {
            path: path.clone(),
            line,
            error,
        })
    };
    // Never from inside the pool: waiting there for the pool's own tasks could deadlock.
    let chunked = !opts.follow
        && inp.size.is_some_and(|s| s >= opts.chunking.threshold)
        && rayon::current_thread_index().is_none();
    if let Some(file) = chunked.then(|| inp.shared_file()).flatten() {
        return run_chunked(file, name, opts, bytes, abort, &read_err, emit);
    }
    let reader = inp.into_reader(bytes).map_err(|e| read_err(0, e))?;
    let mut lines = LineReader::new(reader);
    let mut state = LaneState::new(name, opts);
    loop {
        let raw = match lines.next_line() {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                let n = lines.line_number();
                return Err(read_err(n, e));
            }
        };
        let number = raw.number;
        state.line(raw, emit)?;
        if number % 4096 == 0 && abort.load(Ordering::Relaxed) {
            return Err(LaneError::Stopped);
        }
    }
    state.finish(emit)
}
