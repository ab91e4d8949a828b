//! Why the pipeline stopped.

use crate::input::{self, InputError};
use std::io;
use std::path::PathBuf;

/// Why the pipeline stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// An input could not be opened (exit 2).
    #[error("cannot open {}: {}", path.display(), input::os_message(error))]
    Input {
        /// The path.
        path: PathBuf,
        /// The operating-system error (not a `source`: its text is already in the message).
        error: io::Error,
    },
    /// A directory input holds no log files (exit 2).
    #[error("no log files in directory {} (looked for *.log, *.log.N, *.out, *.txt, *.json, *.jsonl, *.ndjson, *.gz)", path.display())]
    NoLogFiles {
        /// The directory.
        path: PathBuf,
    },
    /// Reading an input failed part-way (e.g. a corrupt or truncated `.gz`; exit 2: what
    /// the rest held is unknown, and a verdict on a part could pass what the whole fails).
    #[error("cannot read {}{}: {}", path.display(), after_line(*line), input::os_message(error))]
    Read {
        /// The path (`-` for stdin).
        path: PathBuf,
        /// The last line read whole.
        line: u64,
        /// The I/O error (not a `source`: its text is already in the message).
        error: io::Error,
    },
    /// A whole JSON document is not valid JSON of log entries, or ends early (exit 2).
    #[error("cannot read {}: {reason} at line {line}, column {column} ({entries} entries read before)", path.display())]
    Document {
        /// The path (`-` for stdin).
        path: PathBuf,
        /// 1-based line where it went wrong.
        line: u64,
        /// 1-based column.
        column: u64,
        /// Entries read before.
        entries: u64,
        /// What is wrong.
        reason: String,
    },
    /// An input that is not in time order cannot be put in order within bounded memory
    /// (exit 2): a wrong order would give wrong verdicts.
    #[error("cannot put {input} in time order: {reason}")]
    Unordered {
        /// The input's name.
        input: String,
        /// Why, and what to do.
        reason: String,
    },
    /// The sink failed (a closed pipe, a full disk).
    #[error("cannot write output: {}", input::os_message(.0))]
    Sink(io::Error),
    /// A reader thread ended abnormally.
    #[error("internal error: {0}")]
    Internal(String),
}

/// ` after line N`, or nothing before the first line.
fn after_line(line: u64) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" after line {line}")
    }
}

impl PipelineError {
    /// Whether this is the sink's broken pipe (`flinkha … | head`): a quiet, successful end.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, PipelineError::Sink(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<InputError> for PipelineError {
    fn from(e: InputError) -> Self {
        match e {
            InputError::Open { path, error } => PipelineError::Input { path, error },
            InputError::NoLogFiles { path } => PipelineError::NoLogFiles { path },
        }
    }
}
