//! Reading inputs: files, directories, `.gz`, standard input; physical lines with a length
//! cap; `kubectl logs --prefix` / `--timestamps` decorations.
//!
//! Every input is opened (and every directory listed) by [`resolve`] before anything is
//! read, so a missing or unreadable path fails at once with an error that names it. Lines
//! are read as raw bytes by [`LineReader`], which keeps at most [`MAX_LINE`] bytes of a
//! line: a multi-megabyte line (or a binary file without newlines) costs neither memory nor
//! time beyond skipping it.

mod blocks;
pub mod cloudwatch;
mod container_logs;
pub mod cri;
pub mod decode;
pub mod docker;
pub mod document;
pub mod elastic;
pub mod fields;
pub mod find;
pub mod fluentbit;
pub mod gcloud;
pub mod json;
pub mod kube_paths;
pub mod loki;
pub mod pipe;
pub mod stern;
pub mod wrapped;

pub use decode::{Decoder, InputFormat};
pub use wrapped::{Layout, Stream, Wrapped};
pub mod child;

pub use blocks::{Block, Blocks};
mod text_lines;
pub use text_lines::{LineSource, TextLines};

use chrono::{DateTime, Utc};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The most bytes of one physical line that are kept; the rest of the line is skipped and
/// the line counted as truncated.
pub const MAX_LINE: usize = 64 * 1024;

/// Read buffer size: large reads keep the per-line cost low.
const BUF_SIZE: usize = 256 * 1024;

/// How deep directories are searched; deeper ones (or symlink loops) are not followed.
const MAX_DEPTH: usize = 32;

/// An error opening an input, naming the path.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A file or directory could not be opened or listed.
    #[error("cannot open {}: {}", path.display(), os_message(error))]
    Open {
        /// The path as given (or found in a directory).
        path: PathBuf,
        /// The operating-system error (not a `source`: its text is already in the message).
        error: io::Error,
    },
    /// A directory was given that holds no log files.
    #[error("no log files in directory {} (looked for *.log, *.log.N, *.out, *.txt, *.json, *.jsonl, *.ndjson, *.gz)", path.display())]
    NoLogFiles {
        /// The directory.
        path: PathBuf,
    },
}

/// An I/O error's text without the `(os error N)` suffix, for messages meant for people.
pub fn os_message(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(p) => s.get(..p).unwrap_or(&s).to_string(),
        None => s,
    }
}

/// Where an input's bytes come from.
#[derive(Debug)]
enum Origin {
    /// Standard input.
    Stdin,
    /// An opened file (or FIFO).
    File(File),
    /// The files of one container's log, read one after the other
    /// ([`container_logs`]).
    Chain(Vec<(PathBuf, File)>),
    /// Any other byte stream, e.g. a child process's standard output ([`child`]).
    Reader(ByteStream),
    /// Bytes already in memory.
    Bytes(Vec<u8>),
}

/// A byte stream that is neither a file nor standard input.
struct ByteStream(Box<dyn Read + Send>);

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ByteStream")
    }
}

/// One validated input, opened but not read yet.
#[derive(Debug)]
pub struct Input {
    /// The source name: the path as given (or as found below a directory), `-` for stdin,
    /// the pod for a kubelet container log (`/var/log/pods/…`, `/var/log/containers/…`).
    pub name: Arc<str>,
    /// The path, `None` for standard input (a container log of several files: their
    /// directory).
    pub path: Option<PathBuf>,
    /// Size in bytes of a regular file (for progress), `None` for stdin and pipes.
    pub size: Option<u64>,
    origin: Origin,
}

impl Input {
    /// An input read from `reader` front to back, named `name` in events and messages: how
    /// bytes that are not a file (a child process's output, a network stream) become an
    /// input like any other.
    pub fn from_reader(name: &str, reader: Box<dyn Read + Send>) -> Input {
        Input {
            name: Arc::from(name),
            path: None,
            size: None,
            origin: Origin::Reader(ByteStream(reader)),
        }
    }

    /// An input whose bytes are already in memory (tests, fuzzing, library users holding
    /// the text), read like a file of that name.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Input {
        Input {
            name: Arc::from(name),
            path: Some(PathBuf::from(name)),
            size: None,
            origin: Origin::Bytes(bytes),
        }
    }

    /// Whether this input is standard input.
    pub fn is_stdin(&self) -> bool {
        matches!(self.origin, Origin::Stdin)
    }

    /// Turn the input into a buffered byte stream, decompressing gzip when the stream starts
    /// with the gzip magic bytes (whatever the file is called). Bytes read from the
    /// underlying file are added to `counter` (compressed bytes for `.gz`).
    pub fn into_reader(self, counter: Arc<AtomicU64>) -> io::Result<Box<dyn BufRead + Send>> {
        let raw: Box<dyn Read + Send> = match self.origin {
            Origin::Stdin => {
                let stdin = io::stdin();
                pipe::widen(&stdin);
                Box::new(stdin)
            }
            Origin::File(f) => {
                pipe::widen(&f);
                Box::new(f)
            }
            Origin::Chain(files) => {
                let chain = container_logs::ChainReader::new(files, counter);
                return Ok(Box::new(BufReader::with_capacity(BUF_SIZE, chain)));
            }
            Origin::Reader(s) => s.0,
            Origin::Bytes(b) => Box::new(io::Cursor::new(b)),
        };
        let buffered = BufReader::with_capacity(
            BUF_SIZE,
            Counting {
                inner: raw,
                counter,
            },
        );
        decompressing(buffered)
    }
}

/// The gzip magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Whether text starts with a UTF-16 byte order mark (little or big endian): how Windows
/// PowerShell 5's `>` and `Out-File` write what `kubectl logs` printed.
fn is_utf16(start: &[u8]) -> bool {
    start.starts_with(&[0xff, 0xfe]) || start.starts_with(&[0xfe, 0xff])
}

/// The first bytes of a stream, without consuming them. Filled in a loop first (a read may
/// be interrupted), then borrowed: the second call returns the filled buffer as it is.
fn peek<R: BufRead + ?Sized>(r: &mut R) -> io::Result<&[u8]> {
    loop {
        match r.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    r.fill_buf()
}

/// The stream itself, or its gzip decompression when it starts with the gzip magic bytes;
/// then, when the text starts with a UTF-16 byte order mark, its transcoding to UTF-8
/// (invalid units become U+FFFD, like invalid UTF-8 does), so such a log reads like any
/// other instead of as lines of nothing but unparseable bytes.
fn decompressing<R: BufRead + Send + 'static>(
    mut buffered: R,
) -> io::Result<Box<dyn BufRead + Send>> {
    let mut text: Box<dyn BufRead + Send> = if peek(&mut buffered)?.starts_with(&GZIP_MAGIC) {
        Box::new(BufReader::with_capacity(
            BUF_SIZE,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    };
    let start = peek(&mut text)?;
    if is_utf16(start) {
        let encoding = match start.first() {
            Some(0xff) => encoding_rs::UTF_16LE,
            _ => encoding_rs::UTF_16BE,
        };
        // The encoding is the BOM's, given rather than sniffed (the sniffer needs three
        // bytes and misses a log of nothing but the BOM); its decoder removes that one BOM,
        // and a U+FEFF after it stays text.
        let utf8 = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .bom_sniffing(false)
            .build(text);
        text = Box::new(BufReader::with_capacity(BUF_SIZE, utf8));
    }
    Ok(text)
}

impl Input {
    /// A handle for reading this input at any offset from several threads at once, or
    /// `None` unless it is a regular file that does not start with the gzip magic bytes or
    /// a UTF-16 byte order mark (standard input, pipes, compressed and transcoded files are
    /// read front to back only). A file that cannot be examined is `None` too: it is then
    /// read the ordinary way, which reports the error with its line.
    pub fn shared_file(&self) -> Option<SharedFile> {
        let (Origin::File(f), Some(len)) = (&self.origin, self.size) else {
            return None;
        };
        let file = SharedFile {
            file: Arc::new(f.try_clone().ok()?),
            len,
        };
        let mut magic = [0u8; 2];
        let mut got = 0;
        while got < magic.len() {
            let rest = magic.get_mut(got..)?;
            match file.read_at(rest, got as u64) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return None,
            }
        }
        (magic != GZIP_MAGIC && !is_utf16(&magic)).then_some(file)
    }
}

/// A regular file read by offset (`pread`), so that several threads can read sections of it
/// at once without sharing a file position: how one large file is parsed in chunks.
#[derive(Clone, Debug)]
pub struct SharedFile {
    file: Arc<File>,
    len: u64,
}

impl SharedFile {
    /// The file's size when it was opened.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file was empty when it was opened.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Read into `buf` from byte `pos`; 0 at end of file.
    pub fn read_at(&self, buf: &mut [u8], pos: u64) -> io::Result<usize> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_at(&*self.file, buf, pos)
        }
        #[cfg(windows)]
        {
            std::os::windows::fs::FileExt::seek_read(&*self.file, buf, pos)
        }
        #[cfg(not(any(unix, windows)))]
        {
            let _ = (buf, pos);
            Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "positional reads are not supported on this platform",
            ))
        }
    }

    /// The first line start at or after `pos`: `pos` itself when it is 0 or follows a `\n`,
    /// else the byte after the next `\n`, or the end of the file (as it is now) when no `\n`
    /// follows.
    pub fn line_start_at_or_after(&self, pos: u64) -> io::Result<u64> {
        if pos == 0 {
            return Ok(0);
        }
        let mut buf = vec![0u8; 64 * 1024];
        let mut at = pos - 1;
        loop {
            let n = match self.read_at(&mut buf, at) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let Some(read) = buf.get(..n).filter(|r| !r.is_empty()) else {
                return Ok(at);
            };
            if let Some(p) = memchr::memchr(b'\n', read) {
                return Ok(at + p as u64 + 1);
            }
            at += n as u64;
        }
    }

    /// A buffered reader of the bytes from `start` up to `end` (exclusive; `None`: to the
    /// end of the file, however long it has grown). Bytes read are added to `counter`.
    pub fn section(
        &self,
        start: u64,
        end: Option<u64>,
        counter: Arc<AtomicU64>,
    ) -> BufReader<Section> {
        BufReader::with_capacity(
            BUF_SIZE,
            Section {
                file: self.clone(),
                pos: start,
                end,
                counter,
            },
        )
    }
}

/// The bytes of one byte range of a [`SharedFile`], read by offset.
#[derive(Debug)]
pub struct Section {
    file: SharedFile,
    pos: u64,
    end: Option<u64>,
    counter: Arc<AtomicU64>,
}

impl Read for Section {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = match self.end {
            Some(end) => {
                let left = end.saturating_sub(self.pos);
                buf.len().min(usize::try_from(left).unwrap_or(usize::MAX))
            }
            None => buf.len(),
        };
        let Some(dst) = buf.get_mut(..want).filter(|d| !d.is_empty()) else {
            return Ok(0);
        };
        let n = self.file.read_at(dst, self.pos)?;
        self.pos += n as u64;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A reader that counts the bytes it delivers into a shared counter (progress display).
struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The log a file belongs to: a part that log4j's size rotation moved aside, `x.log.1` (or
/// `x.log.1.gz`), belongs to `x.log`; any other name is its own.
pub fn rotation_base(name: &str) -> &str {
    let s = name.strip_suffix(".gz").unwrap_or(name);
    // Looked up for every event: a name that does not end in a digit is no rotated part,
    // with no search backwards through the path.
    if !s.as_bytes().last().is_some_and(u8::is_ascii_digit) {
        return name;
    }
    match s.rsplit_once('.') {
        Some((base, n))
            if base.ends_with(".log") && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            base
        }
        _ => name,
    }
}

/// Whether a file found inside a directory is taken as a log: `*.log`, `*.log.<N>`,
/// `*.out`, `*.txt`, `*.json`, `*.jsonl`, `*.ndjson`, `*.gz`, and the kubelet's rotated container logs
/// `N.log.YYYYMMDD-HHMMSS`; hidden files are not.
pub fn is_log_file_name(name: &str) -> bool {
    if name.starts_with('.') {
        return false;
    }
    if kube_paths::is_rotated_pods_name(name) {
        return true;
    }
    const EXTS: &[&str] = &[".log", ".out", ".txt", ".json", ".jsonl", ".ndjson", ".gz"];
    if EXTS
        .iter()
        .any(|e| name.len() > e.len() && name.ends_with(e))
    {
        return true;
    }
    match name.rfind(".log.") {
        Some(p) if p > 0 => {
            let n = name.get(p + 5..).unwrap_or("");
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// Expand and open every input: `-` (or an empty list) is standard input, a directory
/// stands for its log files (recursively, sorted by name, hidden entries skipped), anything
/// else is opened as a file; the files of one kubelet container log become one input
/// ([`container_logs`]). Nothing is read yet; the first path that cannot be opened, or a
/// directory without log files, is the error.
pub fn resolve(inputs: &[PathBuf]) -> Result<Vec<Input>, InputError> {
    if inputs.is_empty() {
        return Ok(vec![stdin_input()]);
    }
    let mut out = Vec::new();
    for p in inputs {
        if p.as_os_str() == "-" {
            out.push((stdin_input(), false));
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|error| InputError::Open {
            path: p.clone(),
            error,
        })?;
        if meta.is_dir() {
            let mut files = Vec::new();
            let mut seen = Vec::new();
            walk(p, 0, &mut files, &mut seen)?;
            if files.is_empty() {
                return Err(InputError::NoLogFiles { path: p.clone() });
            }
            for f in files {
                out.push((open_file(&f)?, true));
            }
        } else {
            out.push((open_file(p)?, false));
        }
    }
    Ok(container_logs::group(out))
}

fn stdin_input() -> Input {
    Input {
        name: Arc::from("-"),
        path: None,
        size: None,
        origin: Origin::Stdin,
    }
}

fn open_file(p: &Path) -> Result<Input, InputError> {
    let err = |error| InputError::Open {
        path: p.to_path_buf(),
        error,
    };
    let f = File::open(p).map_err(err)?;
    let meta = f.metadata().map_err(err)?;
    if meta.is_dir() {
        return Err(err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a directory",
        )));
    }
    Ok(Input {
        name: Arc::from(p.display().to_string()),
        path: Some(p.to_path_buf()),
        size: meta.is_file().then_some(meta.len()),
        origin: Origin::File(f),
    })
}

/// Collect log files below `dir` in name order. `seen` holds the canonical directories
/// visited, so symlink loops end.
fn walk(
    dir: &Path,
    depth: usize,
    files: &mut Vec<PathBuf>,
    seen: &mut Vec<PathBuf>,
) -> Result<(), InputError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    if let Ok(c) = std::fs::canonicalize(dir) {
        if seen.contains(&c) {
            return Ok(());
        }
        seen.push(c);
    }
    let err = |error| InputError::Open {
        path: dir.to_path_buf(),
        error,
    };
    let mut entries = Vec::new();
    for e in std::fs::read_dir(dir).map_err(err)? {
        let e = e.map_err(err)?;
        entries.push(e.file_name());
    }
    entries.sort();
    for name in entries {
        let lossy = name.to_string_lossy();
        if lossy.starts_with('.') {
            continue;
        }
        let path = dir.join(&name);
        // Follows symlinks; a dangling link is skipped rather than failing the directory.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, depth + 1, files, seen)?;
        } else if is_log_file_name(&lossy) {
            files.push(path);
        }
    }
    Ok(())
}

/// One physical line, as raw bytes without the line terminator (`\n` or `\r\n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawLine<'a> {
    /// 1-based line number in its input.
    pub number: u64,
    /// The kept bytes (at most [`MAX_LINE`]); never a `\n` among them (the pipeline
    /// classifies a pattern layout's message without looking for one).
    pub bytes: &'a [u8],
    /// Whether bytes past [`MAX_LINE`] were skipped.
    pub truncated: bool,
    /// Whether the line has no ANSI escape byte (`0x1b`): the reader scans its buffer for
    /// them once, so that the envelope need not search each line again. `false` when the
    /// line has one, or when the reader did not look.
    pub plain: bool,
    /// The line as text, when the reader knows its bytes are UTF-8 ([`TextLines`] validates
    /// its whole block at once): then it need not be checked again. `None`: not known.
    pub text: Option<&'a str>,
}

/// Reads physical lines with a length cap. A last line without final newline is still a
/// line; an empty input has none.
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Bytes of the inner buffer already handed out as lines but not consumed yet: the
    /// buffer is consumed once, when it runs out, not line by line.
    pending: usize,
    /// Where the next escape byte of the read buffer is, from `pending` on (its length
    /// when there is none), or `None` before the buffer was scanned.
    next_esc: Option<usize>,
    number: u64,
    cap: usize,
    /// The search for line ends.
    newline: find::ByteFinder,
}

impl<R: BufRead> LineReader<R> {
    /// A reader keeping at most [`MAX_LINE`] bytes per line.
    pub fn new(inner: R) -> Self {
        Self::with_cap(inner, MAX_LINE)
    }

    /// A reader keeping at most `cap` bytes per line (tests).
    pub fn with_cap(inner: R, cap: usize) -> Self {
        LineReader {
            inner,
            buf: Vec::new(),
            pending: 0,
            next_esc: None,
            number: 0,
            cap: cap.max(1),
            newline: find::ByteFinder::new(b'\n'),
        }
    }

    /// The number of the last line returned.
    pub fn line_number(&self) -> u64 {
        self.number
    }

    /// The next line, or `None` at end of input. A line lying whole in the read buffer is
    /// returned without copying.
    pub fn next_line(&mut self) -> io::Result<Option<RawLine<'_>>> {
        // Fast path: the whole line is in the buffered bytes after those handed out. Decide
        // first, then borrow again: `fill_buf` with bytes left only returns them, it does
        // not read.
        let fast = loop {
            match self.inner.fill_buf() {
                Ok([]) => return Ok(None),
                Ok(b) => {
                    let rest = b.get(self.pending..).unwrap_or(&[]);
                    if rest.is_empty() {
                        // Every buffered byte was handed out: consume them, read on.
                        self.inner.consume(self.pending);
                        self.pending = 0;
                        self.next_esc = None;
                        continue;
                    }
                    break self.newline.find(rest).filter(|p| *p <= self.cap);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if let Some(p) = fast {
            let start = self.pending;
            let b = self.inner.fill_buf()?;
            let end = start + p;
            // One scan of the buffer for escape bytes, resumed past each one found.
            let esc = match self.next_esc {
                Some(e) if e >= start => e,
                _ => {
                    let from = b.get(start..).unwrap_or(&[]);
                    start + memchr::memchr(ESC, from).unwrap_or(from.len())
                }
            };
            self.next_esc = Some(esc);
            self.pending = (end + 1).min(b.len());
            self.number += 1;
            let bytes = b.get(start..end).unwrap_or(&[]);
            return Ok(Some(RawLine {
                number: self.number,
                bytes: strip_cr(bytes),
                truncated: false,
                plain: esc >= end,
                text: None,
            }));
        }
        if self.pending > 0 {
            self.inner.consume(self.pending);
            self.pending = 0;
        }
        self.next_esc = None;
        // Slow path: the line spans buffer refills or is longer than the cap.
        self.buf.clear();
        let mut truncated = false;
        let mut any = false;
        loop {
            let (used, done) = {
                let b = match self.inner.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if b.is_empty() {
                    break;
                }
                any = true;
                let (chunk, used, done) = match memchr::memchr(b'\n', b) {
                    Some(p) => (b.get(..p).unwrap_or(b), p + 1, true),
                    None => (b, b.len(), false),
                };
                let room = self.cap.saturating_sub(self.buf.len());
                if let Some(kept) = chunk.get(..room).filter(|_| chunk.len() > room) {
                    self.buf.extend_from_slice(kept);
                    truncated = true;
                } else {
                    self.buf.extend_from_slice(chunk);
                }
                (used, done)
            };
            self.inner.consume(used);
            if done {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.number += 1;
        let bytes = if truncated {
            &self.buf[..]
        } else {
            strip_cr(&self.buf)
        };
        Ok(Some(RawLine {
            number: self.number,
            bytes,
            truncated,
            plain: memchr::memchr(ESC, bytes).is_none(),
            text: None,
        }))
    }
}

/// The escape byte that starts an ANSI control sequence.
const ESC: u8 = 0x1b;

fn strip_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// A line with its `kubectl logs` decorations taken off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decorated<'a> {
    /// `--prefix`: the pod name and the container name (empty if absent).
    pub pod: Option<(&'a str, &'a str)>,
    /// `--timestamps`: the container runtime's instant for this line.
    pub ts: Option<DateTime<Utc>>,
    /// What the application wrote.
    pub rest: &'a str,
}

/// Take off `kubectl logs` decorations: `[pod/NAME/CONTAINER] ` (outermost) and an RFC 3339
/// timestamp with up to 9 fractional digits and `Z` or an offset, then one space. Either,
/// both or neither may be present.
/// Whether [`strip_kubectl`] surely finds no decoration on `line`: it starts with neither
/// `kubectl logs --prefix`'s `[pod/` nor a timestamp (a digit). `false` means "maybe".
pub fn surely_undecorated(line: &[u8]) -> bool {
    !matches!(line.first(), Some(b'[' | b'0'..=b'9'))
}

pub fn strip_kubectl(line: &str) -> Decorated<'_> {
    let mut rest = line;
    let mut pod = None;
    if let Some(after) = rest.strip_prefix("[pod/") {
        let b = after.as_bytes();
        if let Some(close) = memchr::memchr(b']', b) {
            let inner = after.get(..close).unwrap_or("");
            let tail = after.get(close + 1..).unwrap_or("");
            let sep_ok = tail.is_empty() || tail.starts_with(' ');
            if sep_ok && !inner.is_empty() && !inner.contains(' ') {
                let (name, container) = inner.split_once('/').unwrap_or((inner, ""));
                if !name.is_empty() {
                    pod = Some((name, container));
                    rest = tail.strip_prefix(' ').unwrap_or(tail);
                }
            }
        }
    }
    let mut ts = None;
    let b = rest.as_bytes();
    if b.get(10) == Some(&b'T') {
        if let Some((t, used)) = parse_rfc3339_prefix(b) {
            let tail = rest.get(used..).unwrap_or("");
            if tail.is_empty() || tail.starts_with(' ') {
                ts = Some(t);
                rest = tail.strip_prefix(' ').unwrap_or(tail);
            }
        }
    }
    Decorated { pod, ts, rest }
}

/// `yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:MM)` at the start of `b`; the instant and the bytes
/// consumed.
pub(crate) fn parse_rfc3339_prefix(b: &[u8]) -> Option<(DateTime<Utc>, usize)> {
    let (naive, mut i) = crate::envelope::parse_naive_ts(b)?;
    match b.get(i)? {
        b'Z' | b'z' => Some((naive.and_utc(), i + 1)),
        s @ (b'+' | b'-') => {
            let d = |k: usize| match b.get(k) {
                Some(c @ b'0'..=b'9') => Some(i64::from(c - b'0')),
                _ => None,
            };
            let h = d(i + 1)? * 10 + d(i + 2)?;
            if b.get(i + 3) != Some(&b':') {
                return None;
            }
            let m = d(i + 4)? * 10 + d(i + 5)?;
            if h > 23 || m > 59 {
                return None;
            }
            i += 6;
            let secs = (h * 3600 + m * 60) * if *s == b'-' { -1 } else { 1 };
            let utc = naive.checked_sub_signed(chrono::TimeDelta::seconds(secs))?;
            Some((utc.and_utc(), i))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(data: &[u8], cap: usize, bufsize: usize) -> Vec<(u64, Vec<u8>, bool)> {
        let mut r = LineReader::with_cap(BufReader::with_capacity(bufsize, data), cap);
        let mut out = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            out.push((l.number, l.bytes.to_vec(), l.truncated));
        }
        out
    }

    #[test]
    fn reads_lines_crlf_and_unterminated_last() {
        for bufsize in [1, 2, 3, 7, 1024] {
            let got = lines(b"a\r\nbb\n\nlast", 100, bufsize);
            assert_eq!(
                got,
                vec![
                    (1, b"a".to_vec(), false),
                    (2, b"bb".to_vec(), false),
                    (3, b"".to_vec(), false),
                    (4, b"last".to_vec(), false)
                ],
                "bufsize {bufsize}"
            );
        }
        assert!(lines(b"", 100, 8).is_empty());
        assert_eq!(lines(b"\n", 100, 8), vec![(1, vec![], false)]);
    }

    #[test]
    fn says_which_lines_hold_no_escape_byte() {
        // Escapes at the start, the end and inside lines, several per line, lines split
        // across buffer refills: `plain` is exactly "no 0x1b in the line's bytes".
        let text: &[u8] =
            b"plain\n\x1b[32mINFO\x1b[m x\nmid \x1b dle\n\nend\x1b\nafter\n\x1b\n\x1b\x1b\nlast";
        for bufsize in [1, 2, 3, 5, 8, 13, 64, 4096] {
            for cap in [4, 100] {
                let mut r = LineReader::with_cap(BufReader::with_capacity(bufsize, text), cap);
                let mut n = 0;
                while let Some(l) = r.next_line().unwrap() {
                    n += 1;
                    assert_eq!(
                        l.plain,
                        !l.bytes.contains(&ESC),
                        "line {} {:?}, bufsize {bufsize}, cap {cap}",
                        l.number,
                        String::from_utf8_lossy(l.bytes)
                    );
                }
                assert_eq!(n, 9);
            }
        }
    }

    #[test]
    fn caps_long_lines() {
        let mut data = vec![b'x'; 1000];
        data.extend_from_slice(b"\nshort\n");
        for bufsize in [16, 64, 4096] {
            let got = lines(&data, 10, bufsize);
            assert_eq!(got.len(), 2);
            assert_eq!(got[0], (1, vec![b'x'; 10], true));
            assert_eq!(got[1], (2, b"short".to_vec(), false));
        }
        // Exactly at the cap is not truncated.
        assert_eq!(
            lines(b"0123456789\n", 10, 4096),
            vec![(1, b"0123456789".to_vec(), false)]
        );
    }

    #[test]
    fn log_file_names() {
        for ok in [
            "a.log",
            "a.log.1",
            "a.log.10",
            "x.out",
            "x.txt",
            "x.json",
            "x.jsonl",
            "x.ndjson",
            "x.log.gz",
            "0.log.20240506-101530",
        ] {
            assert!(is_log_file_name(ok), "{ok}");
        }
        for no in [
            ".hidden.log",
            "a.log.x",
            "a.log.",
            "readme.md",
            "a.gzip",
            ".log",
            "log",
            "0.log.tmp",
            "0.log.20240506-1015",
        ] {
            assert!(!is_log_file_name(no), "{no}");
        }
    }

    #[test]
    fn kubectl_prefix_and_timestamp() {
        let l = "[pod/flink-jm-7d9c8b6f5-abcde/flink-main-container] 2024-05-06T10:15:31.112345678Z 2024-05-06 10:15:31,112 INFO  x.Y [] - m";
        let d = strip_kubectl(l);
        assert_eq!(
            d.pod,
            Some(("flink-jm-7d9c8b6f5-abcde", "flink-main-container"))
        );
        let ts = d.ts.unwrap();
        assert_eq!(ts.timestamp_subsec_nanos(), 112_345_678);
        assert_eq!(d.rest, "2024-05-06 10:15:31,112 INFO  x.Y [] - m");

        let d = strip_kubectl("2024-05-06T12:15:31.1+02:00 hello");
        assert_eq!(d.pod, None);
        assert_eq!(
            d.ts.unwrap(),
            DateTime::parse_from_rfc3339("2024-05-06T10:15:31.1Z").unwrap()
        );
        assert_eq!(d.rest, "hello");

        let d = strip_kubectl("[pod/p/c] \tat x.y(Z.java:1)");
        assert_eq!(d.pod, Some(("p", "c")));
        assert_eq!(d.rest, "\tat x.y(Z.java:1)");

        // Not decorations.
        for l in [
            "2024-05-06T10:15:31,112 INFO x.Y [] - m",
            "2024-05-06 10:15:31,112 INFO x.Y [] - m",
            "[pod/] x",
            "[main] INFO x",
            "[pod/a b/c] x",
        ] {
            let d = strip_kubectl(l);
            assert_eq!((d.pod, d.ts, d.rest), (None, None, l), "{l}");
        }
        // Empty line after decorations.
        let d = strip_kubectl("[pod/p/c] 2024-05-06T10:15:31Z");
        assert_eq!(d.rest, "");
        assert!(d.ts.is_some());
    }

    #[test]
    fn resolve_errors_name_the_path() {
        let e = resolve(&[PathBuf::from("/nonexistent/x.log")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot open /nonexistent/x.log: No such file or directory"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.md"), "x").unwrap();
        let e = resolve(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(matches!(e, InputError::NoLogFiles { .. }));
        assert!(e.to_string().contains(&dir.path().display().to_string()));
    }

    #[test]
    fn resolve_walks_directories_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::create_dir_all(d.join(".git")).unwrap();
        for f in [
            "b.log",
            "a.log.1",
            "sub/c.out",
            ".hidden.log",
            ".git/x.log",
            "skip.md",
        ] {
            std::fs::write(d.join(f), "x\n").unwrap();
        }
        let got: Vec<String> = resolve(&[d.to_path_buf()])
            .unwrap()
            .iter()
            .map(|i| {
                i.path
                    .as_ref()
                    .unwrap()
                    .strip_prefix(d)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(got, vec!["a.log.1", "b.log", "sub/c.out"]);
    }

    #[test]
    fn gzip_detected_by_magic() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plain-name.log");
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"one\ntwo\n").unwrap();
        std::fs::write(&p, enc.finish().unwrap()).unwrap();
        let inp = resolve(&[p]).unwrap().pop().unwrap();
        let counter = Arc::new(AtomicU64::new(0));
        let mut r = LineReader::new(inp.into_reader(counter.clone()).unwrap());
        let mut got = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            got.push(String::from_utf8_lossy(l.bytes).into_owned());
        }
        assert_eq!(got, vec!["one", "two"]);
        assert!(counter.load(Ordering::Relaxed) > 0);
    }

    #[test]
    fn utf16_is_read_as_utf8_and_odd_bytes_as_replacement() {
        let lines = |bytes: Vec<u8>| {
            let inp = Input::from_bytes("u.log", bytes);
            let mut r = LineReader::new(inp.into_reader(Arc::new(AtomicU64::new(0))).unwrap());
            let mut got = Vec::new();
            while let Some(l) = r.next_line().unwrap() {
                got.push(String::from_utf8(l.bytes.to_vec()).unwrap());
            }
            got
        };
        let text = "ä one\ntwo 😀\n";
        let le = [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes));
        let be = [0xfe, 0xff]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(lines(le.collect()), vec!["ä one", "two 😀"]);
        assert_eq!(lines(be.collect()), vec!["ä one", "two 😀"]);
        assert_eq!(lines(vec![0xfe, 0xff]), Vec::<String>::new());
        assert_eq!(lines(vec![0xff, 0xfe]), Vec::<String>::new());
        // One byte order mark is removed, a U+FEFF after it is text.
        assert_eq!(lines(vec![0xfe, 0xff, 0xfe, 0xff]), vec!["\u{feff}"]);
        // A lone surrogate and a last odd byte: replacement characters, never an error.
        assert_eq!(
            lines(vec![0xff, 0xfe, b'a', 0, 0x00, 0xd8, b'\n', 0, b'b']),
            vec!["a\u{fffd}", "\u{fffd}"]
        );
        // UTF-8 is left as it is, its byte order mark too (the envelope skips it).
        assert_eq!(lines(b"\xef\xbb\xbfx\n".to_vec()), vec!["\u{feff}x"]);
    }

    #[test]
    fn shared_file_only_for_plain_regular_files() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.log");
        std::fs::write(&plain, "ab\ncd\n").unwrap();
        let gz = dir.path().join("b.log");
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"ab\n").unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let one_byte = dir.path().join("c.log");
        std::fs::write(&one_byte, [0x1f]).unwrap();
        let utf16 = dir.path().join("d.log");
        std::fs::write(&utf16, [0xff, 0xfe, b'a', 0, b'\n', 0]).unwrap();
        let got: Vec<Option<u64>> = resolve(&[plain, gz, one_byte, utf16])
            .unwrap()
            .iter()
            .map(|i| i.shared_file().map(|f| f.len()))
            .collect();
        assert_eq!(got, vec![Some(6), None, Some(1), None]);
        assert!(stdin_input().shared_file().is_none());
    }

    #[test]
    fn line_starts_and_sections() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.log");
        // 14 bytes, line starts 0, 3, 4, 11; no final newline.
        std::fs::write(&p, "ab\n\nlong x\nend").unwrap();
        let f = resolve(&[p]).unwrap().pop().unwrap().shared_file().unwrap();
        let starts: Vec<u64> = (0..=15)
            .map(|pos| f.line_start_at_or_after(pos).unwrap())
            .collect();
        assert_eq!(
            starts,
            vec![0, 3, 3, 3, 4, 11, 11, 11, 11, 11, 11, 11, 14, 14, 14, 14]
        );
        let counter = Arc::new(AtomicU64::new(0));
        let read = |start, end| {
            let mut s = String::new();
            f.section(start, end, counter.clone())
                .read_to_string(&mut s)
                .unwrap();
            s
        };
        assert_eq!(read(3, Some(11)), "\nlong x\n");
        assert_eq!(read(11, None), "end");
        assert_eq!(read(11, Some(4)), "");
        assert_eq!(counter.load(Ordering::Relaxed), 11);
    }
}
