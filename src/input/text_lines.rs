//! The physical lines of a block in memory that is valid UTF-8 as a whole: validated once,
//! with SIMD, instead of line by line, and each line handed out with its text.
//!
//! A stream's blocks and a large file's chunks are parsed whole on the rayon pool; checking
//! every line for UTF-8 on its own cost about 190 instructions a line (a call, and SIMD set
//! up for some 200 bytes), checking the 2 MiB block once a tenth of that. A block that is
//! not valid UTF-8 is read by [`LineReader`] instead, line by line, as before.

use super::find::ByteFinder;
use super::{strip_cr, LineReader, RawLine, ESC, MAX_LINE};
use std::io::{self, BufRead};

/// A reader of physical lines: [`LineReader`] over any reader, [`TextLines`] over text in
/// memory. Both give the same lines, numbers and flags for the same bytes.
pub trait LineSource {
    /// The next line, or `None` at the end.
    fn next_line(&mut self) -> io::Result<Option<RawLine<'_>>>;
    /// The number of the last line returned.
    fn line_number(&self) -> u64;
    /// The whole text the lines come from, when the reader holds it in memory
    /// ([`TextLines`]); `None` for a reader that does not.
    fn held_text(&self) -> Option<&str> {
        None
    }
    /// Where in [`LineSource::held_text`] the last line returned ends (before its line
    /// terminator).
    fn last_line_end(&self) -> usize {
        0
    }
}

impl<R: BufRead> LineSource for LineReader<R> {
    fn next_line(&mut self) -> io::Result<Option<RawLine<'_>>> {
        LineReader::next_line(self)
    }

    fn line_number(&self) -> u64 {
        LineReader::line_number(self)
    }
}

/// The lines of `text`, as [`LineReader`] reads them from its bytes (a last line without
/// final newline is still a line, `\r\n` ends a line too, at most [`MAX_LINE`] bytes are
/// kept), each with [`RawLine::text`] set unless it was truncated (a cut may split a
/// character).
#[derive(Debug)]
pub struct TextLines<'a> {
    text: &'a str,
    /// Where the next line starts.
    pos: usize,
    number: u64,
    cap: usize,
    /// The first escape byte at or after `pos` (the text's length when there is none), or
    /// `None` before the text was scanned: one scan, resumed past each one found.
    next_esc: Option<usize>,
    /// Where the last line returned ends in `text` (its kept bytes).
    last_end: usize,
    /// The search for line ends, set up once.
    newline: ByteFinder,
}

impl<'a> TextLines<'a> {
    /// The lines of `text`, keeping at most [`MAX_LINE`] bytes of each.
    pub fn new(text: &'a str) -> Self {
        Self::with_cap(text, MAX_LINE)
    }

    /// The lines of `text`, keeping at most `cap` bytes of each (tests).
    pub fn with_cap(text: &'a str, cap: usize) -> Self {
        TextLines {
            text,
            pos: 0,
            number: 0,
            cap: cap.max(1),
            next_esc: None,
            last_end: 0,
            newline: ByteFinder::new(b'\n'),
        }
    }

    /// The next line, or `None` at the end of the text.
    pub fn next_text_line(&mut self) -> Option<RawLine<'a>> {
        let b = self.text.as_bytes();
        let start = self.pos;
        let rest = b.get(start..).filter(|r| !r.is_empty())?;
        let (end, next) = match self.newline.find(rest) {
            Some(p) => (start + p, start + p + 1),
            None => (b.len(), b.len()),
        };
        self.pos = next;
        self.number += 1;
        if end - start > self.cap {
            let bytes = b.get(start..start + self.cap).unwrap_or(&[]);
            self.last_end = start + bytes.len();
            return Some(RawLine {
                number: self.number,
                bytes,
                truncated: true,
                plain: memchr::memchr(ESC, bytes).is_none(),
                text: None,
            });
        }
        let esc = match self.next_esc {
            Some(e) if e >= start => e,
            _ => start + memchr::memchr(ESC, rest).unwrap_or(rest.len()),
        };
        self.next_esc = Some(esc);
        let bytes = strip_cr(b.get(start..end).unwrap_or(&[]));
        self.last_end = start + bytes.len();
        Some(RawLine {
            number: self.number,
            bytes,
            truncated: false,
            plain: esc >= end,
            // Both ends lie at a line terminator or at an end of the text: char boundaries.
            text: self.text.get(start..start + bytes.len()),
        })
    }
}

impl LineSource for TextLines<'_> {
    fn next_line(&mut self) -> io::Result<Option<RawLine<'_>>> {
        Ok(self.next_text_line())
    }

    fn line_number(&self) -> u64 {
        self.number
    }

    fn held_text(&self) -> Option<&str> {
        Some(self.text)
    }

    fn last_line_end(&self) -> usize {
        self.last_end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line's number, bytes, and its `truncated` and `plain` flags.
    type Seen = (u64, Vec<u8>, bool, bool);

    /// Every line of `data` as both readers give it (`text` aside, which only one sets).
    fn both(data: &[u8], cap: usize) -> (Vec<RawLine<'_>>, Vec<Seen>) {
        let text = std::str::from_utf8(data).unwrap();
        let mut t = TextLines::with_cap(text, cap);
        let mut fast = Vec::new();
        while let Some(l) = t.next_text_line() {
            // The line is the held text's bytes that end where `last_line_end` says.
            let end = t.last_line_end();
            let held = t.held_text().unwrap().as_bytes();
            assert_eq!(
                held.get(end - l.bytes.len()..end),
                Some(l.bytes),
                "{data:?}"
            );
            fast.push(l);
        }
        let mut r = LineReader::with_cap(data, cap);
        let mut slow = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            slow.push((l.number, l.bytes.to_vec(), l.truncated, l.plain));
        }
        assert_eq!(t.number, r.line_number());
        (fast, slow)
    }

    #[test]
    fn gives_the_lines_the_line_reader_gives() {
        let cases: [&[u8]; 12] = [
            b"",
            b"\n",
            b"\n\n",
            b"a",
            b"a\n",
            b"a\r\nb\r\n\r\nc",
            b"one\ntwo\nthree\n",
            b"\x1b[32mgreen\x1b[0m\nplain\n\x1b\n",
            "caf\u{e9} \u{2014} d\u{e9}j\u{e0}\nvu\n".as_bytes(),
            b"0123456789\n01234567890123\nabc\r\n",
            b"long line that the cap cuts\nshort\n",
            b"\r\r\n\r",
        ];
        for data in cases {
            for cap in [1, 3, 10, 12, 64] {
                let (fast, slow) = both(data, cap);
                let fast_cmp: Vec<_> = fast
                    .iter()
                    .map(|l| (l.number, l.bytes.to_vec(), l.truncated, l.plain))
                    .collect();
                assert_eq!(fast_cmp, slow, "{data:?} cap {cap}");
                for l in &fast {
                    match l.text {
                        Some(t) => assert_eq!(t.as_bytes(), l.bytes, "{data:?} cap {cap}"),
                        None => assert!(l.truncated, "{data:?} cap {cap}"),
                    }
                }
            }
        }
    }
}
