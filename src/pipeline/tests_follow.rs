//! Tests of follow mode with several inputs and inputs that join later: time order as far as
//! the inputs have spoken, a silent input released after a while, new inputs read from their
//! first line.

use super::*;
use crate::events::Kind;
use std::io::Read;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

/// A grant line of the tiny grammar at second `s` past 12:00:00.
fn grant(s: u32) -> String {
    format!("2026-11-25 12:00:{s:02},000 INFO  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint   [] - http://127.0.0.1:8081 was granted leadership with leaderSessionID=e121f084-4a4d-4a43-bf6c-09a46f25e587\n")
}

fn opts() -> Options {
    let text = format!(
        "event leadership_granted\n  \
         logger  org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint\n  \
         message {{address:word}} was granted leadership with leaderSessionID={{session:uuid}}\n  \
         set     component=rest\n  \
         sample  {}\n  \
         expect  address=http://127.0.0.1:8081 session=e121f084-4a4d-4a43-bf6c-09a46f25e587 component=rest\n",
        grant(1).trim_end()
    );
    Options {
        zone: Zone::Utc,
        grammar: Arc::new(Grammar::from_files(&[("t.grammar".to_string(), text)]).unwrap()),
        want_unmatched: false,
        progress: false,
        follow: true,
        chunking: Chunking::OFF,
        input_format: Default::default(),
    }
}

/// A byte stream fed through a channel: ends when the sender is dropped.
struct Fed {
    rx: Receiver<Vec<u8>>,
    buf: Vec<u8>,
}

impl Read for Fed {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.buf.is_empty() {
            match self.rx.recv() {
                Ok(b) => self.buf = b,
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len());
        out[..n].copy_from_slice(&self.buf[..n]);
        self.buf.drain(..n);
        Ok(n)
    }
}

fn fed(name: &str) -> (Input, Sender<Vec<u8>>) {
    let (tx, rx) = channel();
    let inp = Input::from_reader(
        name,
        Box::new(Fed {
            rx,
            buf: Vec::new(),
        }),
    );
    (inp, tx)
}

/// Run the pipeline on a thread; (source, second) of every grant as it is delivered.
fn start(inputs: Inputs) -> (Receiver<(String, u32)>, std::thread::JoinHandle<Summary>) {
    let (tx, rx) = channel();
    let h = std::thread::spawn(move || {
        run_inputs(inputs, &opts(), &mut |i| {
            if let Item::Event(e) = i {
                if e.kind == Kind::LeadershipGranted {
                    let s = e.ts.format("%S").to_string().parse().unwrap();
                    let _ = tx.send((e.source.to_string(), s));
                }
            }
            Ok(())
        })
        .unwrap()
    });
    (rx, h)
}

const WAIT: Duration = Duration::from_secs(20);

#[test]
fn inputs_are_merged_by_time_as_far_as_they_have_spoken() {
    let (a, ta) = fed("a");
    let (b, tb) = fed("b");
    let (rx, h) = start(Inputs {
        opened: vec![a, b],
        more: None,
    });
    // `a` speaks first, but of a later instant; `b` has not spoken yet and holds it back.
    ta.send(grant(2).into_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(rx.try_recv().is_err(), "a's line must wait for b");
    tb.send(grant(1).into_bytes()).unwrap();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), ("b".to_string(), 1));
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), ("a".to_string(), 2));
    // b just spoke: a's next line waits for the hold (b might still say something earlier),
    // but not for the end of b.
    tb.send(grant(4).into_bytes()).unwrap();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), ("b".to_string(), 4));
    ta.send(grant(5).into_bytes()).unwrap();
    let t = Instant::now();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), ("a".to_string(), 5));
    assert!(t.elapsed() >= FOLLOW_HOLD / 2, "{:?}", t.elapsed());
    drop((ta, tb));
    let summary = h.join().unwrap();
    assert_eq!(summary.sources.len(), 2);
}

#[test]
fn a_silent_input_holds_the_others_back_only_for_a_while() {
    let (a, ta) = fed("a");
    let (b, tb) = fed("b");
    let (rx, h) = start(Inputs {
        opened: vec![a, b],
        more: None,
    });
    ta.send(grant(3).into_bytes()).unwrap();
    // b never speaks: a's line goes out after FOLLOW_START_HOLD, while b is still open.
    let got = rx.recv_timeout(FOLLOW_START_HOLD + WAIT).unwrap();
    assert_eq!(got, ("a".to_string(), 3));
    drop((ta, tb));
    h.join().unwrap();
}

#[test]
fn inputs_that_join_later_are_read_from_their_first_line() {
    let (a, ta) = fed("a");
    let (more_tx, more_rx) = channel();
    let (rx, h) = start(Inputs {
        opened: vec![a],
        more: Some(more_rx),
    });
    ta.send(grant(1).into_bytes()).unwrap();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), ("a".to_string(), 1));
    // A new pod: its whole backlog, then it stays open.
    let (c, tc) = fed("c");
    tc.send(format!("{}{}", grant(2), grant(4)).into_bytes())
        .unwrap();
    more_tx.send(c).unwrap();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), ("c".to_string(), 2));
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), ("c".to_string(), 4));
    // The pipeline ends once every input has ended and no more can come.
    drop(tc);
    drop(ta);
    std::thread::sleep(Duration::from_millis(50));
    assert!(!h.is_finished(), "more inputs may still come");
    drop(more_tx);
    let summary = h.join().unwrap();
    let names: Vec<&str> = summary.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(summary.total().events, 3);
}
