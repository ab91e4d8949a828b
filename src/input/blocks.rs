//! A stream cut into blocks of whole lines, so that a stream (standard input, a pipe, a
//! compressed file) can be parsed in parallel like the chunks of a large file.
//!
//! Each block holds whole lines only (the last line of the stream may lack its `\n`); the
//! bytes are the stream's, except that a line longer than [`MAX_LINE`] `+ 1` bytes is cut
//! there and the rest of it skipped, so that memory stays bounded. That changes nothing a
//! [`super::LineReader`] returns: it keeps [`MAX_LINE`] bytes of such a line and marks it
//! truncated either way (the one byte more tells it the line was longer).

use super::MAX_LINE;
use std::io::{self, BufRead};

/// Bytes kept of an over-long line: one more than [`MAX_LINE`], so it still reads as truncated.
const KEEP: usize = MAX_LINE + 1;

/// Reads a stream as blocks of whole lines of about `size` bytes.
pub struct Blocks<R> {
    inner: R,
    size: usize,
    /// The start of the next block: the partial line after the last block's final `\n`.
    carry: Vec<u8>,
    /// The line being read when the last read ended: its length so far (it is `carry` when
    /// a block starts), and whether its rest is being skipped (it is over-long).
    line: Partial,
    eof: bool,
}

/// The last, unfinished line of the bytes read so far.
#[derive(Clone, Copy, Debug, Default)]
struct Partial {
    len: usize,
    skipping: bool,
}

impl<R: BufRead> Blocks<R> {
    /// Blocks of at least `size` bytes (a block ends at the first line end after that, or at
    /// the end of the stream).
    pub fn new(inner: R, size: usize) -> Self {
        Blocks {
            inner,
            size: size.max(1),
            carry: Vec::new(),
            line: Partial::default(),
            eof: false,
        }
    }

    /// The next block, or `None` at the end of the stream. After an error the bytes read
    /// so far are lost; the error is what the caller reports.
    pub fn next_block(&mut self) -> io::Result<Option<Vec<u8>>> {
        self.next_block_in(Vec::new())
    }

    /// [`Blocks::next_block`] into `spare`, a block handed back once parsed (its bytes are
    /// dropped, its allocation reused): a long stream then needs as many block buffers as
    /// are in flight, instead of a fresh one of `size` bytes per block, which the allocator
    /// frees on another thread and the process keeps resident for a while.
    pub fn next_block_in(&mut self, mut spare: Vec<u8>) -> io::Result<Option<Vec<u8>>> {
        spare.clear();
        spare.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut block = spare;
        loop {
            // The bytes after the block's last `\n` are the unfinished line.
            if block.len() >= self.size && block.len() > self.line.len {
                let cut = block.len() - self.line.len;
                self.carry
                    .extend_from_slice(block.get(cut..).unwrap_or(&[]));
                block.truncate(cut);
                return Ok(Some(block));
            }
            if self.eof {
                return Ok((!block.is_empty()).then_some(block));
            }
            let used = {
                let buf = match self.inner.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if buf.is_empty() {
                    self.eof = true;
                    continue;
                }
                if block.capacity() < self.size {
                    block.reserve(self.size + buf.len() - block.len());
                }
                append(&mut block, buf, &mut self.line);
                buf.len()
            };
            self.inner.consume(used);
        }
    }
}

/// Append `buf` to `block`, cutting over-long lines at [`KEEP`] bytes; `line` is the last,
/// unfinished line (it carries over between calls).
fn append(block: &mut Vec<u8>, buf: &[u8], line: &mut Partial) {
    if !line.skipping && short_lines(line.len, buf) {
        block.extend_from_slice(buf);
        line.len = match memchr::memrchr(b'\n', buf) {
            Some(p) => buf.len() - p - 1,
            None => line.len + buf.len(),
        };
        return;
    }
    // Line by line: a line is kept up to KEEP bytes, the rest skipped.
    let skipping = &mut line.skipping;
    let mut line_len = line.len;
    let mut rest = buf;
    while !rest.is_empty() {
        let (part, nl) = match memchr::memchr(b'\n', rest) {
            Some(p) => (rest.get(..p).unwrap_or(rest), true),
            None => (rest, false),
        };
        if !*skipping {
            let room = KEEP.saturating_sub(line_len);
            let kept = part.get(..room).unwrap_or(part);
            block.extend_from_slice(kept);
            line_len += kept.len();
            if kept.len() < part.len() {
                *skipping = true;
            }
        }
        if nl {
            block.push(b'\n');
            line_len = 0;
            *skipping = false;
        }
        rest = rest.get(part.len() + usize::from(nl)..).unwrap_or(&[]);
    }
    line.len = line_len;
}

/// Whether appending `buf` to a block whose last line so far has `partial` bytes surely
/// makes no line longer than [`KEEP`]: the first line's end is near enough, the part after
/// the last `\n` is short, and each of the windows of `KEEP / 2` bytes that tile the part
/// between holds a `\n` (then no two line ends are `KEEP` or more bytes apart). A cheap test
/// that is nearly always true; when it is not, the careful way decides.
fn short_lines(partial: usize, buf: &[u8]) -> bool {
    let (Some(first), Some(last)) = (memchr::memchr(b'\n', buf), memchr::memrchr(b'\n', buf))
    else {
        return partial + buf.len() <= KEEP;
    };
    if partial + first > KEEP || buf.len() - last > KEEP {
        return false;
    }
    // Windows tiling the bytes from `first` to `last`: a run without `\n` of 2w bytes or
    // more would hold one of them whole.
    let w = KEEP / 2;
    let mut at = first + 1;
    while at + w <= last {
        if buf
            .get(at..at + w)
            .and_then(|win| memchr::memchr(b'\n', win))
            .is_none()
        {
            return false;
        }
        at += w;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::LineReader;
    use std::io::BufReader;

    /// Each line as (length, first byte, last byte, truncated): enough to tell lines apart
    /// here, and short in a failure message.
    fn lines<R: BufRead>(r: R) -> Vec<(usize, u8, u8, bool)> {
        let mut l = LineReader::new(r);
        let mut out = Vec::new();
        while let Some(x) = l.next_line().unwrap() {
            let b = x.bytes;
            out.push((
                b.len(),
                *b.first().unwrap_or(&0),
                *b.last().unwrap_or(&0),
                x.truncated,
            ));
        }
        out
    }

    /// Lines read block by block are the lines of the whole stream, for short and
    /// over-long lines, with or without a final newline, whatever the read sizes.
    #[test]
    fn blocks_hold_the_streams_lines() {
        let long = |n: usize, c: u8| vec![c; n];
        let mut data = Vec::new();
        for (k, n) in [
            3,
            0,
            KEEP - 1,
            KEEP,
            KEEP + 1,
            KEEP + 2,
            3 * KEEP,
            10,
            200_000,
            5,
        ]
        .into_iter()
        .enumerate()
        {
            data.extend(long(n, b'a' + k as u8));
            if k % 3 == 0 {
                data.push(b'\r');
            }
            data.push(b'\n');
        }
        data.extend(b"last without newline");
        let want = lines(&data[..]);
        // Fresh blocks, and each block handed back with its bytes still in it (as the
        // stream parser recycles them).
        for (size, bufsize, recycle) in [1, 1000, 70_000, 1 << 20]
            .into_iter()
            .flat_map(|s| [13, 4096, 300_000].map(|r| (s, r)))
            .flat_map(|(s, r)| [(s, r, false), (s, r, true)])
        {
            let mut b = Blocks::new(BufReader::with_capacity(bufsize, &data[..]), size);
            let mut got = Vec::new();
            let mut total = 0;
            let mut spare = Vec::new();
            while let Some(block) = if recycle {
                b.next_block_in(std::mem::take(&mut spare))
            } else {
                b.next_block()
            }
            .unwrap()
            {
                assert!(
                    block.len() <= size + 2 * KEEP + bufsize,
                    "block of {}",
                    block.len()
                );
                total += block.len();
                got.extend(lines(&block[..]));
                spare = block;
            }
            assert_eq!(
                got, want,
                "size {size}, read size {bufsize}, recycled {recycle}"
            );
            assert!(total < data.len());
        }
        assert!(Blocks::new(&b""[..], 10).next_block().unwrap().is_none());
    }

    #[test]
    fn the_window_test_is_only_a_shortcut() {
        let mut buf = vec![b'x'; 10];
        buf.push(b'\n');
        buf.extend(vec![b'y'; KEEP + 5]);
        buf.push(b'\n');
        buf.extend(b"z\n");
        assert!(!short_lines(0, &buf));
        let ok: Vec<u8> = b"ab\ncd\n".repeat(50_000);
        assert!(short_lines(0, &ok));
        assert!(!short_lines(KEEP, &ok));
    }
}
