//! Joining partial lines: the container runtime splits a line longer than 16 KiB into parts
//! (CRI `P` lines, Docker records without the final newline) that follow each other in the
//! same source and stream; the parts are put back together, as `kubectl logs` does, before
//! the line is read as a record. At most [`crate::input::MAX_LINE`] bytes of a joined line
//! are kept, like any over-long line.

use crate::input::{Stream, MAX_LINE};
use chrono::{DateTime, Utc};

/// The parts of one line seen so far.
#[derive(Debug)]
pub(super) struct Pending {
    /// Index of the pod source (`None`: the input's own).
    pub(super) src: Option<usize>,
    /// The stream.
    pub(super) stream: Stream,
    /// The parts so far.
    pub(super) text: String,
    /// Line number of the first part.
    pub(super) line: u64,
    /// Order key of the first part.
    pub(super) order: u64,
    /// Instant of the first part.
    pub(super) ts: Option<DateTime<Utc>>,
    /// Whether bytes past the cap were dropped.
    pub(super) truncated: bool,
}

/// Partial lines waiting for the rest, per source and stream (rarely more than one).
#[derive(Debug, Default)]
pub(super) struct Joiner {
    pending: Vec<Pending>,
}

impl Joiner {
    /// A part of a line: kept, after the parts before it.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn partial(
        &mut self,
        src: Option<usize>,
        stream: Stream,
        text: &str,
        line: u64,
        order: u64,
        ts: Option<DateTime<Utc>>,
        truncated: bool,
    ) {
        match self
            .pending
            .iter_mut()
            .find(|p| p.src == src && p.stream == stream)
        {
            Some(p) => {
                append(&mut p.text, text, &mut p.truncated);
                p.truncated |= truncated;
            }
            None => {
                let mut p = Pending {
                    src,
                    stream,
                    text: String::new(),
                    line,
                    order,
                    ts,
                    truncated,
                };
                append(&mut p.text, text, &mut p.truncated);
                self.pending.push(p);
            }
        }
    }

    /// The last part of a line: the whole line when parts came before it, else `None` (the
    /// line is whole as it is).
    pub(super) fn complete(
        &mut self,
        src: Option<usize>,
        stream: Stream,
        text: &str,
        truncated: bool,
    ) -> Option<Pending> {
        if self.pending.is_empty() {
            return None;
        }
        let i = self
            .pending
            .iter()
            .position(|p| p.src == src && p.stream == stream)?;
        let mut p = self.pending.swap_remove(i);
        append(&mut p.text, text, &mut p.truncated);
        p.truncated |= truncated;
        Some(p)
    }

    /// Lines whose last part never came (the input ended), in the order they started.
    pub(super) fn drain(&mut self) -> Vec<Pending> {
        let mut v = std::mem::take(&mut self.pending);
        v.sort_by_key(|p| p.order);
        v
    }
}

/// Append `more` to `text`, keeping at most [`MAX_LINE`] bytes (cut at a character
/// boundary).
fn append(text: &mut String, more: &str, truncated: &mut bool) {
    let room = MAX_LINE.saturating_sub(text.len());
    if more.len() <= room {
        text.push_str(more);
        return;
    }
    let mut cut = room;
    while !more.is_char_boundary(cut) {
        cut -= 1;
    }
    text.push_str(more.get(..cut).unwrap_or(""));
    *truncated = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_join_per_source_and_stream() {
        let mut j = Joiner::default();
        assert!(j.complete(None, Stream::Stdout, "whole", false).is_none());
        j.partial(None, Stream::Stdout, "a", 1, 1, None, false);
        j.partial(Some(0), Stream::Stdout, "x", 2, 2, None, false);
        j.partial(None, Stream::Stderr, "e", 3, 3, None, false);
        j.partial(None, Stream::Stdout, "b", 4, 4, None, false);
        let p = j.complete(None, Stream::Stdout, "c", false).unwrap();
        assert_eq!((p.text.as_str(), p.line, p.truncated), ("abc", 1, false));
        let rest: Vec<(u64, String)> = j.drain().into_iter().map(|p| (p.line, p.text)).collect();
        assert_eq!(rest, vec![(2, "x".to_string()), (3, "e".to_string())]);
    }

    #[test]
    fn joined_lines_are_capped() {
        let mut j = Joiner::default();
        let part = "é".repeat(MAX_LINE / 2 - 1) + "a";
        j.partial(None, Stream::Stdout, &part, 1, 1, None, false);
        let p = j.complete(None, Stream::Stdout, &part, false).unwrap();
        assert!(p.truncated);
        assert!(p.text.len() <= MAX_LINE && p.text.len() > MAX_LINE - 4);
    }
}
