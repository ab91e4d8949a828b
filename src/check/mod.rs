//! The HA state machine and its invariants.
//!
//! Events flow through [`Checker::observe`] once, in time order. A shared [`state::Model`]
//! tracks JobManager incarnations, leadership terms, the process leader, jobs and failovers;
//! each invariant (one file each) watches the events against the model *before* the model
//! applies them, records violations the moment they are proven (so `--follow` can print them
//! at once), and gives its verdicts at [`Checker::finish`].
//!
//! State grows with jobs, leaders and failovers, never with lines: checkpoint history is kept
//! as collapsed runs and a bounded window of recent completions.

mod cause;
pub mod cleanup_progress;
pub mod model;
pub mod state;

mod checkpoint_monotonic;
mod expect_failovers;
mod ha_cleanup;
mod jobs_recovered;
mod leader_session_fresh;
mod no_resurrection;
mod recover_latest;
mod recovery_time;
mod single_job;
mod single_leader;

use crate::advice::{Advisor, Book};
use crate::events::{format_ts, Event, Kind};
use chrono::{DateTime, Duration, Utc};
use model::{Analysis, Evidence, Outcome, Verdict};
use state::Model;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The checker's maps (jobs, leaders, sessions, TaskManagers, verdict counts), looked up
/// for every event: foldhash, seeded per process, costs a fraction of SipHash on these
/// short keys (SipHash was about 5% of `check`'s CPU time).
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A set hashed like [`HashMap`].
pub(crate) type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// Every invariant id, in report order.
pub const INVARIANT_IDS: &[&str] = &[
    single_leader::ID,
    leader_session_fresh::ID,
    checkpoint_monotonic::ID,
    recover_latest::ID,
    jobs_recovered::ID,
    no_resurrection::ID,
    ha_cleanup::ID,
    single_job::ID,
    recovery_time::ID,
    expect_failovers::ID,
];

/// Settings of a check.
#[derive(Clone, Debug)]
pub struct Config {
    /// Tolerated clock difference between JobManagers.
    pub clock_skew: Duration,
    /// Enables `recovery-time`: a failover may take at most this long.
    pub max_rto: Option<Duration>,
    /// Enables `expect-failovers`: at least this many failovers must be seen.
    pub expect_failovers: Option<usize>,
    /// Only these invariant ids (empty: all).
    pub only: Vec<String>,
    /// Skip these invariant ids.
    pub skip: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            clock_skew: Duration::seconds(1),
            max_rto: None,
            expect_failovers: None,
            only: Vec::new(),
            skip: Vec::new(),
        }
    }
}

impl Config {
    /// Whether invariant `id` is selected by `--only` / `--skip`.
    pub fn wants(&self, id: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|o| o == id))
            && !self.skip.iter().any(|s| s == id)
    }

    /// Check `--only` / `--skip` name real invariants.
    pub fn validate(&self) -> Result<(), String> {
        for id in self.only.iter().chain(self.skip.iter()) {
            if !INVARIANT_IDS.contains(&id.as_str()) {
                return Err(format!(
                    "unknown invariant `{id}`; known: {}",
                    INVARIANT_IDS.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// Parse a duration such as `1s`, `500ms`, `2m`, `1h`, `1.5s` or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration `{s}` (examples: 500ms, 1s, 2m, 1h)"))?;
    let ms = match unit.trim() {
        "ms" => n,
        "" | "s" | "sec" => n * 1000.0,
        "m" | "min" => n * 60_000.0,
        "h" => n * 3_600_000.0,
        _ => {
            return Err(format!(
                "invalid duration `{s}` (examples: 500ms, 1s, 2m, 1h)"
            ))
        }
    };
    if !ms.is_finite() || !(0.0..=1e15).contains(&ms) {
        return Err(format!("invalid duration `{s}`"));
    }
    Ok(Duration::milliseconds(ms.round() as i64))
}

/// An event's evidence line as the model keeps it while it may still become proof: the
/// source and text shared, the instant not yet formatted. The checkpoint lines the model
/// remembers by the thousand (the latest triggered and completed, recent completions) are
/// almost never shown; [`Proof::evidence`] makes the line when one is.
#[derive(Clone, Debug)]
pub struct Proof {
    source: Arc<str>,
    line: u64,
    ts: DateTime<Utc>,
    text: Arc<str>,
}

impl Proof {
    /// The proof of `ev`.
    pub fn of(ev: &Event) -> Proof {
        Proof {
            source: ev.source.clone(),
            line: ev.line,
            ts: ev.ts,
            text: ev.text.clone(),
        }
    }

    /// The evidence line, as [`evidence`] gives it for the event.
    pub fn evidence(&self) -> Evidence {
        Evidence {
            source: self.source.clone(),
            line: self.line,
            ts: format_ts(&self.ts),
            text: self.text.clone(),
        }
    }
}

/// The evidence line of an event.
pub fn evidence(ev: &Event) -> Evidence {
    Evidence {
        source: ev.source.clone(),
        line: ev.line,
        ts: format_ts(&ev.ts),
        text: ev.text.clone(),
    }
}

/// A violation proven while reading, kept until the end and printed at once in `--follow`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    /// Invariant id.
    pub id: &'static str,
    /// Job, for per-job invariants.
    pub job: Option<String>,
    /// One sentence.
    pub because: String,
    /// Proof lines.
    pub evidence: Vec<Evidence>,
}

impl Finding {
    fn into_verdict(self) -> Verdict {
        Verdict {
            id: self.id.to_string(),
            verdict: Outcome::Fail,
            job: self.job,
            because: self.because,
            evidence: self.evidence,
            advice: Vec::new(),
        }
    }
}

/// One invariant: watches events against the model, reports at the end.
pub(crate) trait Invariant {
    /// The invariant id.
    fn id(&self) -> &'static str;
    /// Look at `ev` with the model as it was before `ev`; push proven violations.
    fn observe(&mut self, ev: &Event, model: &Model, cfg: &Config, out: &mut Vec<Finding>);
    /// Verdicts once the stream has ended. FAILs already pushed as findings are merged in
    /// by the checker; return the PASS / UNKNOWN verdicts for everything else (a verdict for
    /// a (job) that also has findings is replaced by the FAIL).
    fn finish(&mut self, model: &Model, cfg: &Config) -> Vec<Verdict>;
    /// Observations that are no verdict (e.g. two jobs of one name in a session cluster),
    /// taken once after [`Invariant::finish`].
    fn notes(&mut self) -> Vec<String> {
        Vec::new()
    }
}

/// The streaming checker.
pub struct Checker {
    cfg: Config,
    model: Model,
    invariants: Vec<Box<dyn Invariant + Send>>,
    /// Findings kept for the final verdicts: at most [`KEPT_PER_VERDICT`] per (invariant,
    /// job), since a verdict shows no more evidence than that.
    findings: Vec<Finding>,
    /// How many findings each (invariant, job) has had.
    per_verdict: HashMap<(&'static str, Option<String>), usize>,
    /// Fingerprints of every finding so far, so that one proven twice is reported once. A
    /// log full of violations (a checkpoint counter going back on every line) stays linear
    /// in time and bounded in memory, where comparing with every earlier finding did not.
    seen: HashSet<u64>,
    /// The known-bug advisor, when one was given ([`Checker::with_advice`]).
    advisor: Option<Advisor>,
}

/// Findings kept per (invariant, job): the first becomes the verdict, later ones add their
/// evidence until it holds 8 lines (each finding has at least one), and one more is enough
/// to say "and more violations".
const KEPT_PER_VERDICT: usize = 9;

/// A finding's fingerprint (64-bit: two distinct findings colliding is negligible).
fn fingerprint(f: &Finding) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    f.hash(&mut h);
    h.finish()
}

impl Checker {
    /// A checker with the given settings.
    pub fn new(cfg: Config) -> Self {
        let all: Vec<Box<dyn Invariant + Send>> = vec![
            Box::new(single_leader::SingleLeader::default()),
            Box::new(leader_session_fresh::LeaderSessionFresh::default()),
            Box::new(checkpoint_monotonic::CheckpointMonotonic::default()),
            Box::new(recover_latest::RecoverLatest::default()),
            Box::new(jobs_recovered::JobsRecovered::default()),
            Box::new(no_resurrection::NoResurrection::default()),
            Box::new(ha_cleanup::HaCleanup::default()),
            Box::new(single_job::SingleJob::default()),
            Box::new(recovery_time::RecoveryTime),
            Box::new(expect_failovers::ExpectFailovers),
        ];
        let invariants = all.into_iter().filter(|i| cfg.wants(i.id())).collect();
        Checker {
            model: Model::new(cfg.clock_skew),
            cfg,
            invariants,
            findings: Vec::new(),
            per_verdict: HashMap::default(),
            seen: HashSet::default(),
            advisor: None,
        }
    }

    /// Match the known bugs of `book` against this check: its notes are attached to the
    /// verdicts and failovers they explain (they never change a verdict).
    pub fn with_advice(mut self, book: Arc<Book>) -> Self {
        self.advisor = Some(Advisor::new(book));
        self
    }

    /// Feed one event (in time order). Returns the violations this event proved.
    pub fn observe(&mut self, ev: &Event) -> Vec<Finding> {
        let mut out = Vec::new();
        // TaskManager, ZooKeeper and client lines only explain: no invariant judges them.
        let other = self.model.other_of(ev).is_some()
            || ev
                .fields
                .role
                .as_deref()
                .is_some_and(|r| r != crate::events::role::JOB_MANAGER);
        if !other {
            for inv in &mut self.invariants {
                inv.observe(ev, &self.model, &self.cfg, &mut out);
            }
        }
        self.model.apply(ev);
        if let Some(a) = self.advisor.as_mut() {
            // Signatures speak of JobManagers: the other processes' lines only explain.
            if !other {
                a.observe(ev);
            }
        }
        let mut fresh = Vec::new();
        for f in out {
            if self.seen.insert(fingerprint(&f)) {
                let n = self.per_verdict.entry((f.id, f.job.clone())).or_insert(0);
                *n += 1;
                if *n <= KEPT_PER_VERDICT {
                    self.findings.push(f.clone());
                }
                fresh.push(f);
            }
        }
        fresh
    }

    /// End of input: close the model and produce the analysis.
    pub fn finish(mut self) -> Analysis {
        self.model.close();
        let mut invariants = Vec::new();
        let mut notes = Vec::new();
        for inv in &mut self.invariants {
            let id = inv.id();
            let finals = inv.finish(&self.model, &self.cfg);
            notes.extend(inv.notes());
            // FAILs proven while reading replace the final verdict of the same (id, job).
            let mut fails: Vec<Verdict> = Vec::new();
            // Where each job's FAIL is in `fails`: a log with thousands of failing jobs
            // looked through all of them for every finding and every final verdict.
            let mut at: HashMap<Option<String>, usize> = HashMap::default();
            for f in self.findings.iter().filter(|f| f.id == id) {
                match at.get(&f.job).and_then(|&i| fails.get_mut(i)) {
                    Some(v) => {
                        if v.evidence.len() < 8 {
                            v.evidence.extend(f.evidence.iter().cloned());
                        }
                        if !v.because.ends_with("more violations)") {
                            v.because.push_str(" (and more violations)");
                        }
                    }
                    None => {
                        at.insert(f.job.clone(), fails.len());
                        fails.push(f.clone().into_verdict());
                    }
                }
            }
            for v in finals {
                if v.verdict == Outcome::Fail || !at.contains_key(&v.job) {
                    invariants.push(v);
                }
            }
            invariants.extend(fails);
        }
        let order = |id: &str| {
            INVARIANT_IDS
                .iter()
                .position(|i| *i == id)
                .unwrap_or(usize::MAX)
        };
        invariants.sort_by(|a, b| order(&a.id).cmp(&order(&b.id)).then(a.job.cmp(&b.job)));
        let verdict = invariants
            .iter()
            .map(|v| v.verdict)
            .max()
            .unwrap_or(Outcome::Unknown);
        let mut analysis = self.model.into_analysis(verdict, invariants);
        analysis.notes.extend(notes);
        if let Some(a) = self.advisor.take() {
            a.finish(&mut analysis);
        }
        analysis
    }
}

/// Run a whole, already collected event list through a checker (events are sorted by time
/// first, stable). Convenient for tests and for `stats` / `timeline`.
///
/// A source's `log_end` goes after every event of that source: it is dated at the latest
/// instant the source shows, since the last line of a log is not always its latest (records
/// a millisecond out of order), and a record seen after its log's end would look like a new
/// process.
pub fn analyze_events(events: &[Event], cfg: &Config) -> Analysis {
    let mut latest: HashMap<&str, chrono::DateTime<chrono::Utc>> = HashMap::default();
    for e in events {
        let t = latest.entry(&e.source).or_insert(e.ts);
        *t = (*t).max(e.ts);
    }
    let key = |e: &Event| match e.kind {
        Kind::LogEnd => (latest.get(&*e.source).copied().unwrap_or(e.ts), 1),
        _ => (e.ts, 0),
    };
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by_key(|e| key(e));
    let mut c = Checker::new(cfg.clone());
    for e in sorted {
        if e.kind == Kind::LogEnd && key(e).0 != e.ts {
            let mut end = e.clone();
            end.ts = key(e).0;
            c.observe(&end);
        } else {
            c.observe(e);
        }
    }
    c.finish()
}

/// Short form of a job id for sentences (`6cecd03f`).
pub(crate) fn short(job: &str) -> &str {
    job.get(..8).unwrap_or(job)
}

/// A PASS / UNKNOWN verdict.
pub(crate) fn verdict(
    id: &str,
    outcome: Outcome,
    job: Option<&str>,
    because: impl Into<String>,
    evidence: Vec<Evidence>,
) -> Verdict {
    Verdict {
        id: id.to_string(),
        verdict: outcome,
        job: job.map(str::to_string),
        because: because.into(),
        evidence,
        advice: Vec::new(),
    }
}

#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
mod tests_story;

#[cfg(test)]
mod tests_app;

#[cfg(test)]
mod tests_cause;

#[cfg(test)]
mod tests_slips;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("1s").unwrap(), Duration::seconds(1));
        assert_eq!(
            parse_duration("500ms").unwrap(),
            Duration::milliseconds(500)
        );
        assert_eq!(parse_duration("2m").unwrap(), Duration::minutes(2));
        assert_eq!(
            parse_duration("1.5s").unwrap(),
            Duration::milliseconds(1500)
        );
        assert_eq!(parse_duration("3").unwrap(), Duration::seconds(3));
        assert!(parse_duration("abc").is_err());
        assert!(parse_duration("1 parsec").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn only_and_skip_validate() {
        let cfg = Config {
            only: vec!["single-leader".into()],
            ..Config::default()
        };
        assert!(cfg.validate().is_ok());
        assert!(cfg.wants("single-leader"));
        assert!(!cfg.wants("ha-cleanup"));
        let bad = Config {
            skip: vec!["nope".into()],
            ..Config::default()
        };
        assert!(bad.validate().unwrap_err().contains("unknown invariant"));
    }
}
