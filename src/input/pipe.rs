//! A pipe read from (standard input of `kubectl logs … | flinkha check`, a process
//! substitution, a named pipe) gets a larger kernel buffer.
//!
//! Linux gives a pipe 64 KiB: a writer as fast as `cat` or `zcat` then fills it and sleeps
//! once per 64 KiB, and every read returns at most that much, so both processes are woken
//! thousands of times per gigabyte. With [`PIPE_SIZE`] bytes a read returns as much as the
//! reader asks for (its blocks read in steps of that size too). Measured on the 512 MiB
//! benchmark log (`benches/README.md`, tenth session), eight alternating runs of
//! `cat FILE | flinkha check`: 0.455 s wall and 0.570 CPU-seconds with 64 KiB, 0.370 s and
//! 0.545 with 256 KiB; 1 MiB was no better.

/// The pipe buffer asked for: what one read of a stream block asks for, so that one read
/// can take it whole. At most `/proc/sys/fs/pipe-max-size` (1 MiB by default) is allowed
/// without privileges.
pub const PIPE_SIZE: usize = super::blocks::READ_ROOM;

/// Enlarge the buffer of the pipe `fd` is, if it is one and its buffer is smaller than
/// [`PIPE_SIZE`]; anything else (a file, a terminal, a socket, a refusal) is left as it is.
/// Only a matter of speed: the bytes read are the same either way. Returns the pipe's buffer
/// size afterwards, `None` when `fd` is no pipe.
#[cfg(target_os = "linux")]
pub fn widen(fd: &impl std::os::fd::AsFd) -> Option<usize> {
    // On a descriptor that is not a pipe the call fails (EBADF / EINVAL).
    let now = rustix::pipe::fcntl_getpipe_size(fd).ok()?;
    if now >= PIPE_SIZE {
        return Some(now);
    }
    Some(rustix::pipe::fcntl_setpipe_size(fd, PIPE_SIZE).unwrap_or(now))
}

/// Elsewhere pipes keep their size (no such call): `None`.
#[cfg(not(target_os = "linux"))]
pub fn widen<T>(_fd: &T) -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A pipe's buffer grows to the size asked for, and the bytes through it are the same;
    /// a regular file is no pipe and is left alone.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_pipe_gets_the_larger_buffer_and_a_file_is_left_alone() {
        let (mut rx, mut tx) = std::io::pipe().expect("pipe");
        assert_eq!(widen(&rx), Some(PIPE_SIZE));
        // Larger already: left as it is (asking again changes nothing).
        assert_eq!(widen(&tx), Some(PIPE_SIZE));
        // The whole buffer can be written without a reader: it really is that large.
        let data = vec![b'x'; PIPE_SIZE];
        tx.write_all(&data).expect("write");
        drop(tx);
        let mut back = Vec::new();
        rx.read_to_end(&mut back).expect("read");
        assert_eq!(back, data);
        let file = tempfile::tempfile().expect("temp file");
        assert_eq!(widen(&file), None);
    }
}
