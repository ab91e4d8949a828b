//! A look at the cluster's JobManager pods ([`Session::poll`]) and, when following, the loop
//! that keeps looking ([`run`]): every log not read yet is started with kubectl and handed
//! over as an input; a new pod or a restarted container thus joins the story from its first
//! line while the rest is still being read.

use super::plan::{LogStream, Notice, Plan, Tracker};
use super::{Kubectl, KubectlError};
use crate::input::child::{ChildHandle, FailureReport};
use crate::input::Input;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// The pods of one cluster and what has been started of their logs.
pub struct Session {
    kubectl: Kubectl,
    selector: String,
    containers: Vec<String>,
    tracker: Tracker,
    handles: Vec<ChildHandle>,
    /// Once following: where a failing `kubectl logs` goes (a pod deleted the moment it
    /// was seen is no reason to stop following the others).
    lenient: Option<FailureReport>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("selector", &self.selector)
            .field("containers", &self.containers)
            .field("running", &self.handles.len())
            .finish()
    }
}

/// What happened during a poll, for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Report {
    /// A log started to be read.
    Started(LogStream),
    /// A log that cannot be read, in whole or in part.
    Notice(Notice),
    /// A followed log's kubectl failed (its input has ended; the others go on).
    StreamFailed(String),
    /// `kubectl get pods` failed this time (it is tried again at the next poll).
    PollFailed(String),
}

/// The result of one look at the pods.
#[derive(Debug, Default)]
pub struct Poll {
    /// How many pods the selector matched.
    pub pods: usize,
    /// The logs started, as inputs (in [`Plan::streams`] order).
    pub inputs: Vec<Input>,
    /// What was started and noticed.
    pub plan: Plan,
}

impl Session {
    /// A session over the pods `selector` matches, reading the `containers` named (empty:
    /// every container).
    pub fn new(kubectl: Kubectl, selector: String, containers: Vec<String>) -> Session {
        Session {
            kubectl,
            selector,
            containers,
            tracker: Tracker::default(),
            handles: Vec::new(),
            lenient: None,
        }
    }

    /// The label selector.
    pub fn selector(&self) -> &str {
        &self.selector
    }

    /// The kubectl the session runs.
    pub fn kubectl(&self) -> &Kubectl {
        &self.kubectl
    }

    /// Look at the pods and start reading every log not read yet (with `-f` for current
    /// instances when `follow`).
    pub fn poll(&mut self, follow: bool) -> Result<Poll, KubectlError> {
        let pods = self.kubectl.get_pods(&self.selector)?;
        let plan = self.tracker.plan(&pods, &self.containers, follow);
        let mut inputs = Vec::with_capacity(plan.streams.len());
        for s in &plan.streams {
            let (input, handle) = self.kubectl.logs(s, self.lenient.as_ref())?;
            inputs.push(input);
            self.handles.push(handle);
        }
        // Forget the processes that are done.
        self.handles.retain(|h| !h.has_exited());
        Ok(Poll {
            pods: pods.items.len(),
            inputs,
            plan,
        })
    }

    /// Stop every kubectl still running; their inputs end as if the logs had ended.
    pub fn stop_all(&mut self) {
        for h in self.handles.drain(..) {
            h.stop();
        }
    }
}

/// Keep polling every `interval` until `stop` says so: each new log goes to `feed`, and
/// what happened to `report`. Then every kubectl is stopped and `feed` is dropped, which lets
/// the pipeline end once the inputs have. A failing poll is reported and retried.
pub fn run(
    mut session: Session,
    feed: Sender<Input>,
    interval: Duration,
    stop: &dyn Fn() -> bool,
    report: &mut dyn FnMut(Report),
) {
    let (failed_tx, failed_rx) = std::sync::mpsc::channel::<String>();
    let failed_tx = std::sync::Mutex::new(failed_tx);
    session.lenient = Some(std::sync::Arc::new(move |m| {
        if let Ok(tx) = failed_tx.lock() {
            let _ = tx.send(m);
        }
    }));
    let mut last_failure: Option<String> = None;
    'polls: loop {
        let until = Instant::now() + interval;
        while Instant::now() < until {
            if stop() {
                break 'polls;
            }
            for m in failed_rx.try_iter() {
                report(Report::StreamFailed(m));
            }
            std::thread::sleep(Duration::from_millis(20).min(interval));
        }
        match session.poll(true) {
            Ok(poll) => {
                last_failure = None;
                for n in poll.plan.notices {
                    report(Report::Notice(n));
                }
                for (s, input) in poll.plan.streams.into_iter().zip(poll.inputs) {
                    report(Report::Started(s));
                    if feed.send(input).is_err() {
                        break 'polls;
                    }
                }
            }
            Err(e) => {
                let msg = e.to_string();
                // Said once per distinct failure, not at every poll.
                if last_failure.as_deref() != Some(msg.as_str()) {
                    report(Report::PollFailed(msg.clone()));
                }
                last_failure = Some(msg);
            }
        }
    }
    session.stop_all();
    drop(feed);
}
