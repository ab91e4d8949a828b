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

/// Bytes a block has room for beyond its size, so that every read asks for at least this
/// much: a buffered reader hands a read this large straight to the stream (no copy through
/// its own buffer), and a pipe gives what it holds in one call.
pub(super) const READ_ROOM: usize = 256 * 1024;

/// A block of whole lines: `bytes()` are the stream's. The buffer behind it is longer (its
/// tail is the room reads go to), and is reused when handed back to [`Blocks::next_block_in`].
#[derive(Debug, Default)]
pub struct Block {
    buf: Vec<u8>,
    len: usize,
}

impl Block {
    /// The block's bytes: whole lines (the stream's last may lack its `\n`).
    pub fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&self.buf)
    }

    /// The number of bytes in the block.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the block holds no bytes (never true of a block [`Blocks`] returns).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Reads a stream as blocks of whole lines of about `size` bytes, each read going straight
/// into the block.
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
    pub fn next_block(&mut self) -> io::Result<Option<Block>> {
        self.next_block_in(Block::default())
    }

    /// [`Blocks::next_block`] into `spare`, a block handed back once parsed (its bytes are
    /// dropped, its buffer reused): a long stream then needs as many block buffers as are
    /// in flight, instead of a fresh one of `size` bytes per block, which the allocator
    /// frees on another thread and the process keeps resident for a while. A reused buffer
    /// is not cleared again: reads overwrite it.
    pub fn next_block_in(&mut self, spare: Block) -> io::Result<Option<Block>> {
        let mut buf = spare.buf;
        let room = self.size.saturating_add(READ_ROOM).max(self.carry.len());
        if buf.is_empty() {
            // A new buffer comes zeroed from the allocator (fresh pages are zero already),
            // instead of being written with zeros here.
            buf = vec![0; room];
        } else if buf.len() < room {
            buf.resize(room, 0);
        }
        let mut len = self.carry.len();
        if let Some(head) = buf.get_mut(..len) {
            head.copy_from_slice(&self.carry);
        }
        self.carry.clear();
        loop {
            // The bytes after the block's last `\n` are the unfinished line.
            if len >= self.size && len > self.line.len {
                let cut = len - self.line.len;
                self.carry
                    .extend_from_slice(buf.get(cut..len).unwrap_or(&[]));
                return Ok(Some(Block { buf, len: cut }));
            }
            if self.eof {
                return Ok((len > 0).then_some(Block { buf, len }));
            }
            // Room for a large read: at least `READ_ROOM` while the block is short of its size.
            if buf.len() - len < READ_ROOM {
                buf.resize(len + READ_ROOM, 0);
            }
            let n = match self.inner.read(buf.get_mut(len..).unwrap_or(&mut [])) {
                Ok(0) => {
                    self.eof = true;
                    continue;
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            len = settle(&mut buf, len, len + n, &mut self.line);
        }
    }
}

/// The bytes `buf[from..to]` were just read after the block's first `from` bytes: cut its
/// over-long lines at [`KEEP`] bytes, moving what follows back over what is skipped; `line`
/// is the last, unfinished line (it carries over between reads). Returns the block's new
/// length.
fn settle(buf: &mut [u8], from: usize, to: usize, line: &mut Partial) -> usize {
    let Some(new) = buf.get(from..to) else {
        return from;
    };
    if !line.skipping && short_lines(line.len, new) {
        line.len = match memchr::memrchr(b'\n', new) {
            Some(p) => new.len() - p - 1,
            None => line.len + new.len(),
        };
        return to;
    }
    // Line by line: a line is kept up to KEEP bytes, the rest skipped. What is kept moves
    // back to `w`, which never passes the byte being read.
    let mut w = from;
    let mut r = from;
    while r < to {
        let rest = buf.get(r..to).unwrap_or(&[]);
        let (part, nl) = match memchr::memchr(b'\n', rest) {
            Some(p) => (p, true),
            None => (rest.len(), false),
        };
        if !line.skipping {
            let kept = part.min(KEEP.saturating_sub(line.len));
            buf.copy_within(r..r + kept, w);
            w += kept;
            line.len += kept;
            if kept < part {
                line.skipping = true;
            }
        }
        if nl {
            if let Some(b) = buf.get_mut(w) {
                *b = b'\n';
            }
            w += 1;
            line.len = 0;
            line.skipping = false;
        }
        r += part + usize::from(nl);
    }
    w
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
        // stream parser recycles them); reads of the stream's own sizes, however large the
        // block's room.
        for (size, bufsize, recycle) in [1, 1000, 70_000, 1 << 20]
            .into_iter()
            .flat_map(|s| [13, 4096, 300_000].map(|r| (s, r)))
            .flat_map(|(s, r)| [(s, r, false), (s, r, true)])
        {
            let stream = Trickle {
                data: &data[..],
                most: bufsize,
            };
            let mut b = Blocks::new(BufReader::with_capacity(bufsize, stream), size);
            let mut got = Vec::new();
            let mut total = 0;
            let mut spare = Block::default();
            while let Some(block) = if recycle {
                b.next_block_in(std::mem::take(&mut spare))
            } else {
                b.next_block()
            }
            .unwrap()
            {
                assert!(
                    block.len() <= size + READ_ROOM + KEEP,
                    "block of {}",
                    block.len()
                );
                assert!(!block.is_empty());
                total += block.len();
                got.extend(lines(block.bytes()));
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

    /// A stream that gives at most `most` bytes per read, as a pipe gives what it holds.
    struct Trickle<'a> {
        data: &'a [u8],
        most: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.most).min(self.data.len());
            let (head, rest) = self.data.split_at(n);
            buf[..n].copy_from_slice(head);
            self.data = rest;
            Ok(n)
        }
    }

    /// Over-long lines cut in place keep the lines a line reader gives, wherever the reads
    /// fall: lines of every length around the cut, split by reads of every size.
    #[test]
    fn over_long_lines_are_cut_where_they_were_read() {
        let mut data = Vec::new();
        for (k, n) in [KEEP - 2, KEEP - 1, KEEP, KEEP + 1, 2 * KEEP + 3, 0, 7]
            .into_iter()
            .enumerate()
        {
            data.extend(std::iter::repeat(b'a' + k as u8).take(n));
            data.push(b'\n');
        }
        let want = lines(&data[..]);
        for most in [1, 7, KEEP - 1, KEEP + 1, 3 * KEEP] {
            let stream = Trickle {
                data: &data[..],
                most,
            };
            let mut b = Blocks::new(BufReader::with_capacity(64, stream), 3 * KEEP);
            let mut got = Vec::new();
            while let Some(block) = b.next_block().unwrap() {
                got.extend(lines(block.bytes()));
            }
            assert_eq!(got, want, "reads of at most {most} bytes");
        }
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
