//! The progress line on stderr (only ever on a terminal).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Print `read X of Y MiB, Z MiB/s` on stderr about four times a second until `done`.
pub(super) fn progress_loop(bytes: &AtomicU64, total: Option<u64>, done: &AtomicBool) {
    const MIB: f64 = 1024.0 * 1024.0;
    let start = Instant::now();
    let mut shown = false;
    while !done.load(Ordering::Relaxed) {
        // Woken early (unpark) when the pipeline ends.
        std::thread::park_timeout(Duration::from_millis(250));
        if done.load(Ordering::Relaxed) {
            break;
        }
        let b = bytes.load(Ordering::Relaxed) as f64;
        let secs = start.elapsed().as_secs_f64().max(1e-3);
        let line = match total {
            Some(t) if t > 0 => format!(
                "flinkha: read {:.1} of {:.1} MiB ({:.0}%), {:.1} MiB/s",
                b / MIB,
                t as f64 / MIB,
                100.0 * b / t as f64,
                b / MIB / secs
            ),
            _ => format!(
                "flinkha: read {:.1} MiB, {:.1} MiB/s",
                b / MIB,
                b / MIB / secs
            ),
        };
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
        shown = true;
    }
    if shown {
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    }
}
