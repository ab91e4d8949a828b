//! Inputs that are a child process's standard output, e.g. `kubectl logs -f POD`.
//!
//! [`spawn`] starts the command and returns an [`Input`] reading its standard output, and a
//! [`ChildHandle`] to stop it. At the end of the output the process is reaped: a failure exit
//! becomes a read error of the input carrying the process's own words (its standard error),
//! so `kubectl`'s `Error from server (Forbidden): …` reaches the user as the reason. An exit
//! by signal, or a stop through the handle, is an ordinary end of input: that is how a
//! followed stream ends when the user presses Ctrl-C. A reader dropped before the end stops
//! the process, so that no child outlives the pipeline that read it. [`spawn_lenient`] hands
//! a failure to a callback instead and ends the input cleanly: for streams whose failure is
//! expected now and then (a followed pod deleted the moment it was seen).

use super::{os_message, Input};
use std::io::{self, Read};
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// At most this many bytes of the child's standard error are kept for messages.
const STDERR_CAP: usize = 8 * 1024;

/// The command could not be started.
#[derive(Debug, thiserror::Error)]
#[error("cannot run `{program}`: {}", os_message(error))]
pub struct SpawnError {
    /// The program as given.
    pub program: String,
    /// Why (`NotFound` when it is not on `PATH`).
    pub error: io::Error,
}

/// Told why a lenient child failed (see [`spawn_lenient`]).
pub type FailureReport = Arc<dyn Fn(String) + Send + Sync>;

/// What the handle and the reader share.
struct Shared {
    child: Mutex<Child>,
    /// Set by [`ChildHandle::stop`]: the end that follows is not an error.
    stopped: AtomicBool,
    /// `kubectl logs …`, for messages.
    describe: String,
    /// Where a failure goes instead of becoming a read error.
    lenient: Option<FailureReport>,
}

impl Shared {
    fn kill(&self) {
        let mut child = self.child.lock().unwrap_or_else(PoisonError::into_inner);
        if matches!(child.try_wait(), Ok(None)) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Stops the process behind an input; cheap to clone.
#[derive(Clone)]
pub struct ChildHandle {
    shared: Arc<Shared>,
}

impl ChildHandle {
    /// Stop the process (SIGKILL); its input then ends without an error.
    pub fn stop(&self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.shared.kill();
    }

    /// Whether the process has exited (it is reaped if it has).
    pub fn has_exited(&self) -> bool {
        let mut child = self
            .shared
            .child
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        !matches!(child.try_wait(), Ok(None))
    }
}

impl std::fmt::Debug for ChildHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChildHandle({})", self.shared.describe)
    }
}

/// Start `cmd` (standard input closed, standard output and error captured) and return its
/// output as an input named `name`, with a handle that stops it.
pub fn spawn(name: &str, cmd: Command) -> Result<(Input, ChildHandle), SpawnError> {
    start(name, cmd, None)
}

/// Like [`spawn`], but a failure exit ends the input without an error: its message goes to
/// `report`.
pub fn spawn_lenient(
    name: &str,
    cmd: Command,
    report: FailureReport,
) -> Result<(Input, ChildHandle), SpawnError> {
    start(name, cmd, Some(report))
}

fn start(
    name: &str,
    mut cmd: Command,
    lenient: Option<FailureReport>,
) -> Result<(Input, ChildHandle), SpawnError> {
    let describe = describe(&cmd);
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| SpawnError { program, error })?;
    let stdout = child.stdout.take();
    // `kubectl logs` of a long log writes in bursts larger than a 64 KiB pipe: see
    // `super::pipe`.
    if let Some(out) = &stdout {
        super::pipe::widen(out);
    }
    let stderr = child.stderr.take().map(collect_stderr);
    let shared = Arc::new(Shared {
        child: Mutex::new(child),
        stopped: AtomicBool::new(false),
        describe,
        lenient,
    });
    let reader = ChildReader {
        stdout,
        stderr,
        shared: shared.clone(),
        finished: false,
    };
    Ok((
        Input::from_reader(name, Box::new(reader)),
        ChildHandle { shared },
    ))
}

/// `program arg arg …`, as the user would type it.
pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Read the child's standard error on a thread of its own (so that a chatty child never
/// blocks on a full pipe), keeping the first [`STDERR_CAP`] bytes.
fn collect_stderr(mut err: ChildStderr) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match err.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let room = STDERR_CAP.saturating_sub(kept.len());
                    kept.extend_from_slice(buf.get(..n.min(room)).unwrap_or_default());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        String::from_utf8_lossy(&kept).trim().to_string()
    })
}

/// The child's standard output; reaps the child at its end.
struct ChildReader {
    stdout: Option<ChildStdout>,
    stderr: Option<JoinHandle<String>>,
    shared: Arc<Shared>,
    finished: bool,
}

impl ChildReader {
    /// The output ended: wait for the exit and judge it.
    fn finish(&mut self) -> io::Result<()> {
        self.finished = true;
        self.stdout = None;
        let status = loop {
            // Polled, not `wait()`ed under the lock: `stop` must be able to take it.
            let polled = {
                let mut child = self
                    .shared
                    .child
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                child.try_wait()
            };
            match polled {
                Ok(Some(status)) => break status,
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => return Err(e),
            }
        };
        let stderr = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        if status.success() || self.shared.stopped.load(Ordering::SeqCst) {
            return Ok(());
        }
        match status.code() {
            // Ended by a signal (Ctrl-C reaches the whole process group): a normal end.
            None => Ok(()),
            Some(code) => {
                let why = if stderr.is_empty() {
                    "no message on its standard error".to_string()
                } else {
                    stderr
                };
                let msg = format!(
                    "`{}` exited with status {code}: {why}",
                    self.shared.describe
                );
                match &self.shared.lenient {
                    Some(report) => {
                        report(msg);
                        Ok(())
                    }
                    None => Err(io::Error::other(msg)),
                }
            }
        }
    }
}

impl Read for ChildReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.finished || buf.is_empty() {
            return Ok(0);
        }
        let n = match self.stdout.as_mut() {
            Some(out) => out.read(buf)?,
            None => 0,
        };
        if n == 0 {
            self.finish()?;
        }
        Ok(n)
    }
}

impl Drop for ChildReader {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.stopped.store(true, Ordering::SeqCst);
            self.shared.kill();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::sync::atomic::AtomicU64;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        c
    }

    fn read_all(inp: Input) -> io::Result<Vec<String>> {
        let r = inp.into_reader(Arc::new(AtomicU64::new(0)))?;
        BufReader::new(r).lines().collect()
    }

    #[test]
    fn output_is_the_input() {
        let (inp, handle) = spawn("pod-a", sh("printf 'one\\ntwo\\n'")).unwrap();
        assert_eq!(&*inp.name, "pod-a");
        assert!(inp.shared_file().is_none());
        assert_eq!(read_all(inp).unwrap(), ["one", "two"]);
        assert!(handle.has_exited());
    }

    #[test]
    fn a_failure_exit_is_a_read_error_with_the_childs_words() {
        let (inp, _) = spawn(
            "pod-b",
            sh("echo partial; echo 'Error from server (Forbidden): pods is forbidden' >&2; exit 1"),
        )
        .unwrap();
        let err = read_all(inp).unwrap_err().to_string();
        assert!(err.contains("exited with status 1"), "{err}");
        assert!(
            err.contains("Error from server (Forbidden): pods is forbidden"),
            "{err}"
        );
        assert!(err.contains("sh -c echo partial"), "{err}");
    }

    #[test]
    fn a_lenient_failure_is_reported_not_raised() {
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = seen.clone();
        let report: FailureReport = Arc::new(move |m| sink.lock().unwrap().push(m));
        let (inp, _) = spawn_lenient("p", sh("echo a; echo gone >&2; exit 1"), report).unwrap();
        assert_eq!(read_all(inp).unwrap(), ["a"]);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert!(seen[0].ends_with("exited with status 1: gone"), "{seen:?}");
    }

    #[test]
    fn a_stopped_child_ends_its_input_cleanly() {
        let (inp, handle) = spawn("pod-c", sh("echo first; exec sleep 30")).unwrap();
        let mut r = BufReader::new(inp.into_reader(Arc::new(AtomicU64::new(0))).unwrap());
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert_eq!(line, "first\n");
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            handle.stop();
        });
        let mut rest = String::new();
        r.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "");
        stopper.join().unwrap();
    }

    #[test]
    fn dropping_the_input_stops_the_child() {
        let (inp, handle) = spawn("pod-d", sh("exec sleep 30")).unwrap();
        drop(inp);
        assert!(handle.has_exited());
    }

    #[test]
    fn a_missing_program_names_it() {
        let err = spawn("x", Command::new("/nonexistent/kubectl")).unwrap_err();
        assert_eq!(err.error.kind(), io::ErrorKind::NotFound);
        assert!(
            err.to_string()
                .starts_with("cannot run `/nonexistent/kubectl`: "),
            "{err}"
        );
    }
}
