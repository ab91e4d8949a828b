//! ANSI colours for terminal output, or none: one switch decided by the command.

use crate::check::model::Outcome;

/// Paints text with ANSI SGR sequences when enabled; otherwise returns it unchanged.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    /// A painter; `color` false makes every method the identity.
    pub fn new(color: bool) -> Style {
        Style { color }
    }

    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{s}\u{1b}[0m")
        } else {
            s.to_string()
        }
    }

    /// Bold.
    pub fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }

    /// Faint, for locations and collapsed detail.
    pub fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }

    /// Green: healthy.
    pub fn green(self, s: &str) -> String {
        self.paint("32", s)
    }

    /// Yellow: degraded, restarting, unknown.
    pub fn yellow(self, s: &str) -> String {
        self.paint("33", s)
    }

    /// Bold red: failure.
    pub fn red(self, s: &str) -> String {
        self.paint("1;31", s)
    }

    /// Cyan: leadership.
    pub fn cyan(self, s: &str) -> String {
        self.paint("36", s)
    }

    /// `PASS` / `FAIL` / `UNKNOWN` in its colour.
    pub fn outcome(self, o: Outcome) -> String {
        self.verdict_colored(o, o.as_str())
    }

    /// The outcome word, coloured, padded to the width of `UNKNOWN`.
    pub fn outcome_padded(self, o: Outcome) -> String {
        let word = o.as_str();
        let pad = " ".repeat(7usize.saturating_sub(word.len()));
        format!("{}{pad}", self.outcome(o))
    }

    /// `s` in the colour of outcome `o`.
    pub fn verdict_colored(self, o: Outcome, s: &str) -> String {
        match o {
            Outcome::Pass => self.green(s),
            Outcome::Unknown => self.yellow(s),
            Outcome::Fail => self.red(s),
        }
    }
}
