//! flinkha: prove, or disprove, that Apache Flink high availability behaved correctly,
//! from the JobManager logs alone.
//!
//! The crate is a pipeline, one module per stage:
//!
//! * [`input`] reads files, directories, `.gz` and stdin, strips `kubectl logs --prefix` /
//!   `--timestamps` decorations, joins multi-line records and merges sources in time order;
//! * [`envelope`] recognises the line layout (log4j pattern, JSON layouts) of one record;
//! * [`grammar`] holds the template language and its compiler: the message patterns live
//!   as data in `grammars/`;
//! * [`events`] defines the typed HA events every later stage consumes;
//! * [`check`] is the state machine that turns events into PASS / FAIL / UNKNOWN verdicts and
//!   explains each failover's cause;
//! * [`advice`] matches known Flink bugs (data in `grammars/known-bugs.advice`) against them;
//! * [`report`] renders verdicts and timelines (text, Markdown, JSON, HTML, JUnit, GitHub);
//! * [`stats`] (feature `stats`) computes checkpoint statistics with polars, and [`export`]
//!   writes the event, verdict and failover tables for fleet-wide queries;
//! * [`kubectl`] finds a cluster's JobManager pods and reads their logs through `kubectl`;
//! * [`labels`] holds the `--label KEY=VALUE` pairs carried into every machine output.
//!
//! Parsing knows nothing of rendering, and invariants consume events, never raw text.

// Production code returns errors; a panic on a log line is a bug. Tests may unwrap.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]
// No unsafe code: system calls go through safe wrappers (std, rustix).
#![forbid(unsafe_code)]

pub mod advice;
pub mod check;
pub mod envelope;
pub mod events;
#[cfg(feature = "stats")]
pub mod export;
pub mod grammar;
pub mod input;
pub mod kubectl;
pub mod labels;
pub mod pipeline;
pub mod report;
#[cfg(feature = "stats")]
pub mod stats;
