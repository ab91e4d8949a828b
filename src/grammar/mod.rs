//! Template language (manual being written).

use crate::events::{Fields, Kind};
use std::path::PathBuf;

/// A compiled set of grammar templates.
#[derive(Debug)]
pub struct Grammar {
    files: Vec<String>,
}

/// What the grammar made of one record.
#[derive(Clone, Debug, PartialEq)]
pub enum Classified {
    /// An `event` template matched.
    Event {
        /// The event kind.
        kind: Kind,
        /// The fields the template produced.
        fields: Fields,
    },
    /// An `ignore` template matched.
    Ignored,
    /// The logger is watched but no template matched.
    Unmatched,
    /// No `event` template names the logger.
    Unwatched,
}

/// An error in a grammar file: `file:line:col: what is wrong`.
#[derive(Debug, thiserror::Error)]
pub enum GrammarError {
    /// A syntax or semantic error at a place in a grammar file.
    #[error("{file}:{line}:{col}: {msg}")]
    At {
        /// Grammar file name.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What is wrong.
        msg: String,
    },
    /// A grammar file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl Grammar {
    /// Built-in grammars embedded in the binary.
    pub fn builtin() -> Result<Grammar, GrammarError> {
        Self::from_files(&[])
    }
    /// Built-ins plus user files/directories.
    pub fn load(_extra: &[PathBuf]) -> Result<Grammar, GrammarError> {
        Self::from_files(&[])
    }
    /// Compile from (file name, text) pairs.
    pub fn from_files(files: &[(String, String)]) -> Result<Grammar, GrammarError> {
        Ok(Grammar {
            files: files.iter().map(|f| f.0.clone()).collect(),
        })
    }
    /// Classify one record.
    pub fn classify(&self, _level: &str, _logger: &str, _message_head: &str) -> Classified {
        Classified::Unwatched
    }
    /// Whether a logger is watched.
    pub fn is_watched(&self, _logger: &str) -> bool {
        false
    }
    /// Grammar file names, in load order.
    pub fn files(&self) -> &[String] {
        &self.files
    }
}
