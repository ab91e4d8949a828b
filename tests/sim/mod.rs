//! A Flink HA simulator for property tests (Jepsen-style generation).
//!
//! A history is a list of operations ([`Op`]): JobManagers starting, killed (-9) or stopped
//! (SIGTERM), the leader losing its ZooKeeper / Kubernetes connection, jobs submitted,
//! checkpointing, failing over, cancelled, finished. [`simulate`] plays the operations on a
//! model of a correct Flink cluster (an operation that does not apply at its point is
//! skipped, so every sub-list of a history is a history too: that is how failures shrink)
//! and yields the log records each JobManager writes: leadership terms with fresh sessions,
//! recovery of every job from its latest checkpoint by each new leader, HA cleanup of every
//! globally terminal job. [`render`] writes the records as log files with the real wordings
//! of several Flink versions (the grammar samples) in several layouts. An [`Inject`]ion
//! turns the history into one with exactly one kind of HA violation.

#![allow(dead_code)] // each test file uses part of it

use std::fmt::Write as _;

/// A small, fast, seedable generator (splitmix64).
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn hex(&mut self, digits: usize) -> String {
        let mut s = String::new();
        while s.len() < digits {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(digits);
        s
    }
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
}

/// One operation of a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// A new JobManager process starts (at most four running).
    StartJm,
    /// The leader is killed with -9: its log just ends.
    KillLeader,
    /// The leader gets SIGTERM: it suspends its jobs and shuts down.
    StopLeader,
    /// A standby (not the leader) is killed.
    KillStandby,
    /// The leader loses its HA connection: it revokes its leadership and suspends its jobs;
    /// a new term starts (maybe on the same process).
    HaLoss,
    /// A job is submitted to the leader.
    Submit,
    /// Job `n` (modulo the live jobs) completes a checkpoint.
    Checkpoint(u8),
    /// Job `n` fails over within the leader: restarts from its latest checkpoint.
    JobRestart(u8),
    /// Job `n` is cancelled; its HA data is cleaned up.
    Cancel(u8),
    /// Job `n` finishes; its HA data is cleaned up.
    Finish(u8),
    /// Time passes.
    Idle,
}

/// A random history of about `len` operations.
pub fn generate(rng: &mut Rng, len: usize) -> Vec<Op> {
    let mut ops = vec![Op::StartJm];
    for _ in 0..rng.below(3) {
        ops.push(Op::StartJm);
    }
    ops.push(Op::Submit);
    while ops.len() < len {
        let n = rng.below(256) as u8;
        let op = match rng.below(100) {
            0..=29 => Op::Checkpoint(n),
            30..=39 => Op::Idle,
            40..=47 => Op::StartJm,
            48..=54 => Op::KillLeader,
            55..=59 => Op::StopLeader,
            60..=64 => Op::HaLoss,
            65..=67 => Op::KillStandby,
            68..=77 => Op::Submit,
            78..=85 => Op::JobRestart(n),
            86..=91 => Op::Cancel(n),
            _ => Op::Finish(n),
        };
        ops.push(op);
    }
    ops
}

/// What a log record says (one line each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Say {
    Banner,
    Sigterm,
    ShuttingDown,
    HaState(&'static str),
    GrantRm(String),
    GrantRest(String),
    GrantDispatcher(String),
    GrantJobMaster(String, String),
    RevokeRest,
    RevokeDispatcher(String),
    RevokeRm(String),
    RevokeJobMaster(String, String),
    Retrieved(Vec<String>),
    TryRecover(String),
    Recovered(String),
    RecoveredCount(usize),
    Submitted(String),
    JobMasterStarted(String, String),
    NoCheckpoint,
    Restoring(String, u64),
    State(String, &'static str, &'static str),
    Terminal(String, &'static str),
    Triggered(String, u64),
    Completed(String, u64),
    CleanupStarted(String),
    CleanupFinished(String),
    GraphRemoved(String),
    GraphReleased(String),
    /// A line of no HA meaning (noise).
    Noise,
}

/// One log record of one JobManager process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rec {
    /// JobManager process (one log file each).
    pub jm: usize,
    /// Milliseconds since the history's start.
    pub ms: i64,
    pub say: Say,
}

/// A simulated run: the records of every JobManager process in the order each wrote them.
#[derive(Clone, Debug)]
pub struct Run {
    pub recs: Vec<Rec>,
    pub processes: usize,
    /// Facts the injections need: per leader term (jm, grant ms, session).
    pub terms: Vec<(usize, i64, String)>,
}

#[derive(Clone, Debug)]
struct Job {
    id: String,
    name: String,
    running: bool,
    latest: Option<u64>,
    next_id: u64,
    done: bool,
}

struct Sim<'r> {
    rng: &'r mut Rng,
    ms: i64,
    alive: Vec<usize>,
    processes: usize,
    leader: Option<(usize, String)>,
    jobs: Vec<Job>,
    recs: Vec<Rec>,
    terms: Vec<(usize, i64, String)>,
}

impl Sim<'_> {
    fn tick(&mut self, lo: i64, hi: i64) {
        self.ms += lo + self.rng.below((hi - lo).max(1) as u64) as i64;
    }
    fn say(&mut self, jm: usize, say: Say) {
        self.tick(1, 40);
        self.recs.push(Rec {
            jm,
            ms: self.ms,
            say,
        });
    }
    fn start(&mut self) -> usize {
        let jm = self.processes;
        self.processes += 1;
        self.alive.push(jm);
        self.say(jm, Say::Banner);
        self.say(jm, Say::Noise);
        self.say(jm, Say::HaState("CONNECTED"));
        jm
    }
    /// `jm` becomes leader: fresh session, grants, recovery of every live job.
    fn elect(&mut self, jm: usize) {
        let s = self.rng.uuid();
        self.tick(200, 3000);
        self.say(jm, Say::GrantRm(s.clone()));
        self.say(jm, Say::GrantRest(s.clone()));
        self.say(jm, Say::GrantDispatcher(s.clone()));
        self.terms.push((jm, self.ms, s.clone()));
        self.leader = Some((jm, s.clone()));
        let live: Vec<String> = self
            .jobs
            .iter()
            .filter(|j| !j.done)
            .map(|j| j.id.clone())
            .collect();
        self.say(jm, Say::Retrieved(live.clone()));
        for id in &live {
            self.say(jm, Say::TryRecover(id.clone()));
            self.say(jm, Say::Recovered(id.clone()));
        }
        self.say(jm, Say::RecoveredCount(live.len()));
        for k in 0..self.jobs.len() {
            if self.jobs[k].done {
                continue;
            }
            self.run_job(jm, k, &s);
        }
    }
    /// Job master of job `k` started by leader `jm` in session `s`, restored, RUNNING.
    fn run_job(&mut self, jm: usize, k: usize, s: &str) {
        let id = self.jobs[k].id.clone();
        self.say(jm, Say::GrantJobMaster(id.clone(), s.to_string()));
        // Real Flink restores while it builds the JobMaster, before `Starting execution`;
        // the other order is taken too, so that neither is relied on.
        let restore_first = self.rng.chance(50);
        if !restore_first {
            self.say(jm, Say::JobMasterStarted(id.clone(), s.to_string()));
        }
        self.restore(jm, k);
        if restore_first {
            self.say(jm, Say::JobMasterStarted(id.clone(), s.to_string()));
        }
        self.say(jm, Say::State(id, "CREATED", "RUNNING"));
        self.jobs[k].running = true;
    }
    /// Job `k`'s restore line, as leader `jm` logs it.
    fn restore(&mut self, jm: usize, k: usize) {
        let id = self.jobs[k].id.clone();
        match self.jobs[k].latest {
            Some(c) => self.say(jm, Say::Restoring(id, c)),
            None => self.say(jm, Say::NoCheckpoint),
        }
    }
    /// After the leader went away: the first other live process takes over, or a new one
    /// is started when none is left.
    fn failover(&mut self, exclude: Option<usize>) {
        self.leader = None;
        self.tick(1000, 8000);
        let next = self.alive.iter().copied().find(|&j| Some(j) != exclude);
        let jm = match next {
            Some(j) => j,
            None => self.start(),
        };
        self.elect(jm);
    }
    fn live_job(&self, n: u8) -> Option<usize> {
        let live: Vec<usize> = (0..self.jobs.len())
            .filter(|&k| !self.jobs[k].done && self.jobs[k].running)
            .collect();
        live.get(usize::from(n) % live.len().max(1)).copied()
    }
    fn terminal(&mut self, n: u8, to: &'static str) {
        let (Some((jm, _)), Some(k)) = (self.leader.clone(), self.live_job(n)) else {
            return;
        };
        let id = self.jobs[k].id.clone();
        if to == "CANCELED" {
            self.say(jm, Say::State(id.clone(), "RUNNING", "CANCELLING"));
            self.say(jm, Say::State(id.clone(), "CANCELLING", "CANCELED"));
        } else {
            self.say(jm, Say::State(id.clone(), "RUNNING", to));
        }
        self.say(jm, Say::Terminal(id.clone(), to));
        self.say(jm, Say::CleanupStarted(id.clone()));
        self.say(jm, Say::CleanupFinished(id.clone()));
        self.say(jm, Say::GraphRemoved(id));
        self.jobs[k].done = true;
        self.jobs[k].running = false;
    }
    fn apply(&mut self, op: &Op) {
        match op {
            Op::StartJm => {
                if self.alive.len() < 4 {
                    self.tick(100, 2000);
                    let jm = self.start();
                    if self.leader.is_none() {
                        self.elect(jm);
                    }
                }
            }
            Op::KillLeader => {
                if let Some((jm, _)) = self.leader.clone() {
                    self.alive.retain(|&j| j != jm);
                    for j in &mut self.jobs {
                        j.running = false;
                    }
                    self.failover(Some(jm));
                }
            }
            Op::StopLeader => {
                if let Some((jm, s)) = self.leader.clone() {
                    self.say(jm, Say::Sigterm);
                    self.say(jm, Say::ShuttingDown);
                    self.suspend_all(jm, &s);
                    self.alive.retain(|&j| j != jm);
                    self.failover(Some(jm));
                }
            }
            Op::KillStandby => {
                let leader = self.leader.as_ref().map(|(j, _)| *j);
                if let Some(&jm) = self.alive.iter().find(|&&j| Some(j) != leader) {
                    self.alive.retain(|&j| j != jm);
                }
            }
            Op::HaLoss => {
                if let Some((jm, s)) = self.leader.clone() {
                    self.say(jm, Say::HaState("SUSPENDED"));
                    self.say(jm, Say::RevokeRest);
                    self.say(jm, Say::RevokeDispatcher(s.clone()));
                    self.say(jm, Say::RevokeRm(s.clone()));
                    self.suspend_all(jm, &s);
                    self.say(jm, Say::HaState("RECONNECTED"));
                    // The new term goes to another process, or to the same one.
                    let other = self.rng.chance(50);
                    self.failover(if other { Some(jm) } else { None });
                }
            }
            Op::Submit => {
                let live = self.jobs.iter().filter(|j| !j.done).count();
                if let (Some((jm, s)), true) = (self.leader.clone(), live < 3) {
                    let id = self.rng.hex(32);
                    let name = format!("Job-{}", self.jobs.len());
                    self.jobs.push(Job {
                        id: id.clone(),
                        name,
                        running: false,
                        latest: None,
                        next_id: 1,
                        done: false,
                    });
                    self.say(jm, Say::Submitted(id));
                    let k = self.jobs.len() - 1;
                    self.run_job(jm, k, &s);
                }
            }
            Op::Checkpoint(n) => {
                if let (Some((jm, _)), Some(k)) = (self.leader.clone(), self.live_job(*n)) {
                    self.tick(500, 3000);
                    let id = self.jobs[k].id.clone();
                    let c = self.jobs[k].next_id;
                    self.jobs[k].next_id += 1 + self.rng.below(2);
                    self.say(jm, Say::Triggered(id.clone(), c));
                    self.say(jm, Say::Completed(id, c));
                    self.jobs[k].latest = Some(c);
                }
            }
            Op::JobRestart(n) => {
                if let (Some((jm, _)), Some(k)) = (self.leader.clone(), self.live_job(*n)) {
                    let id = self.jobs[k].id.clone();
                    self.say(jm, Say::State(id.clone(), "RUNNING", "RESTARTING"));
                    self.tick(100, 2000);
                    // Real Flink switches to RUNNING, then restores; both orders are taken.
                    let running_first = self.rng.chance(50);
                    if running_first {
                        self.say(jm, Say::State(id.clone(), "RESTARTING", "RUNNING"));
                    }
                    self.restore(jm, k);
                    if !running_first {
                        self.say(jm, Say::State(id, "RESTARTING", "RUNNING"));
                    }
                }
            }
            Op::Cancel(n) => self.terminal(*n, "CANCELED"),
            Op::Finish(n) => self.terminal(*n, "FINISHED"),
            Op::Idle => {
                self.tick(1000, 10_000);
                if let Some((jm, _)) = self.leader.clone() {
                    self.say(jm, Say::Noise);
                }
            }
        }
    }
    /// The old leader gives up its jobs (leadership lost or shutting down).
    fn suspend_all(&mut self, jm: usize, s: &str) {
        for k in 0..self.jobs.len() {
            if self.jobs[k].done || !self.jobs[k].running {
                continue;
            }
            let id = self.jobs[k].id.clone();
            self.say(jm, Say::RevokeJobMaster(id.clone(), s.to_string()));
            self.say(jm, Say::State(id.clone(), "RUNNING", "SUSPENDED"));
            self.say(jm, Say::Terminal(id.clone(), "SUSPENDED"));
            self.say(jm, Say::GraphReleased(id));
            self.jobs[k].running = false;
        }
    }
}

/// Play `ops` on a correct cluster. The leader lives 5 s past the last operation, so that
/// cleanups and recoveries are seen to completion.
pub fn simulate(ops: &[Op], seed: u64) -> Run {
    let mut rng = Rng(seed ^ 0x5eed);
    let mut sim = Sim {
        rng: &mut rng,
        ms: 0,
        alive: Vec::new(),
        processes: 0,
        leader: None,
        jobs: Vec::new(),
        recs: Vec::new(),
        terms: Vec::new(),
    };
    for op in ops {
        sim.apply(op);
    }
    if let Some((jm, _)) = sim.leader.clone() {
        sim.tick(5000, 6000);
        sim.say(jm, Say::Noise);
    }
    let (mut recs, processes, terms) = (sim.recs, sim.processes, sim.terms);
    // Real logs: neighbouring records of one process a millisecond out of order, written by
    // different threads: never a checkpoint's completion before its trigger, never two
    // records of one job unless one is its checkpoint coordinator's, never a JobMaster's
    // job-less restore line and another step of a JobMaster's start. Each record moves by
    // one place at most (a chain of swaps would carry a time across causal order).
    let mut i = 1;
    while i < recs.len() {
        let (a, b) = (&recs[i - 1].say, &recs[i].say);
        let coordinator = |s: &Say| matches!(s, Say::Triggered(..) | Say::Completed(..));
        let same_job = job_of(a).is_some() && job_of(a) == job_of(b);
        let one_thread = match (job_master_step(a), job_master_step(b)) {
            (Some(x), Some(y)) => x.is_none() || y.is_none() || x == y,
            _ => false,
        };
        if recs[i].jm == recs[i - 1].jm
            && recs[i].ms - recs[i - 1].ms <= 3
            && !matches!(b, Say::Completed(..))
            && !one_thread
            && (!same_job || coordinator(a) || coordinator(b))
            && rng.chance(30)
        {
            let m = recs[i].ms;
            recs[i].ms = recs[i - 1].ms;
            recs[i - 1].ms = m;
            i += 1;
        }
        i += 1;
    }
    Run {
        recs,
        processes,
        terms,
    }
}

/// How the logs are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Flink's log4j pattern with its padding.
    Log4j,
    /// The same with collapsed whitespace.
    Collapsed,
    /// log4j `JsonTemplateLayout` (ECS), one object per line.
    Json,
    /// One `kubectl logs --prefix --timestamps` stream of every JobManager pod.
    Kubectl,
}

pub const LAYOUTS: [Layout; 4] = [
    Layout::Log4j,
    Layout::Collapsed,
    Layout::Json,
    Layout::Kubectl,
];

/// Which Flink's wordings (from the grammar samples).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wording {
    /// Flink 1.18 – 1.20 with ZooKeeper HA.
    Flink120,
    /// Flink 2.x (execution plans, stream graphs).
    Flink2,
    /// Flink 1.15-style lines with Kubernetes HA services.
    Kubernetes,
}

pub const WORDINGS: [Wording; 3] = [Wording::Flink120, Wording::Flink2, Wording::Kubernetes];

/// Rendering settings.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub layout: Layout,
    pub wording: Wording,
    /// Unix milliseconds of the history's start.
    pub base_ms: i64,
    /// Pattern layouts print this zone's local time (`None`: UTC).
    pub local: Option<chrono_tz::Tz>,
}

/// A log file: name and text.
pub type Log = (String, String);

fn fencing_token(session: &str) -> String {
    let h: String = session.chars().filter(|c| *c != '-').collect();
    format!("{}{}", &h[16..], &h[..16])
}

fn name_of(job: &str) -> String {
    format!("HA-Lab-{}", &job[..4])
}

/// (level, logger, message) of one record.
fn line_of(say: &Say, w: Wording, epoch_ms: i64) -> (&'static str, &'static str, String) {
    use Wording::*;
    const CE: &str = "org.apache.flink.runtime.entrypoint.ClusterEntrypoint";
    const CC: &str = "org.apache.flink.runtime.checkpoint.CheckpointCoordinator";
    const DISP: &str = "org.apache.flink.runtime.dispatcher.StandaloneDispatcher";
    const EG: &str = "org.apache.flink.runtime.executiongraph.ExecutionGraph";
    const SDLP: &str = "org.apache.flink.runtime.dispatcher.runner.SessionDispatcherLeaderProcess";
    let store = match w {
        Flink2 => "org.apache.flink.runtime.jobmanager.DefaultExecutionPlanStore",
        _ => "org.apache.flink.runtime.jobmanager.DefaultJobGraphStore",
    };
    let handle = match w {
        Flink2 => "ZooKeeperStateHandleStore{namespace='flink/lab/execution-plans'}",
        Flink120 => "ZooKeeperStateHandleStore{namespace='flink/lab/jobgraphs'}",
        Kubernetes => "KubernetesStateHandleStore{configMapName='my-flink-cluster-config-map'}",
    };
    let ha_services = match w {
        Kubernetes => {
            "org.apache.flink.kubernetes.highavailability.KubernetesLeaderElectionHaServices"
        }
        _ => {
            "org.apache.flink.runtime.highavailability.zookeeper.ZooKeeperLeaderElectionHaServices"
        }
    };
    match say {
        Say::Banner => (
            "INFO",
            CE,
            format!(
                " Starting StandaloneSessionClusterEntrypoint (Version: {}, Scala: 2.12, Rev:a8c8b1c, Date:2023-12-19T22:17:36+01:00)",
                match w {
                    Flink120 => "1.20.5",
                    Flink2 => "2.3.0",
                    Kubernetes => "1.15.2",
                }
            ),
        ),
        Say::Sigterm => ("WARN", CE, "RECEIVED SIGNAL 15: SIGTERM. Shutting down as requested.".into()),
        Say::ShuttingDown => (
            "INFO",
            CE,
            "Shutting StandaloneSessionClusterEntrypoint down with application status UNKNOWN. Diagnostics Cluster entrypoint has been closed externally..".into(),
        ),
        Say::HaState(s) => match w {
            Kubernetes => ("INFO", "org.apache.flink.runtime.util.Noise", format!("Connection state {s}")),
            _ => (
                "INFO",
                "org.apache.flink.shaded.curator5.org.apache.curator.framework.state.ConnectionStateManager",
                format!("State change: {s}"),
            ),
        },
        Say::GrantRm(s) => match w {
            Kubernetes => (
                "INFO",
                "org.apache.flink.runtime.resourcemanager.StandaloneResourceManager",
                format!("ResourceManager akka.tcp://flink@10.244.0.10:6123/user/rpc/resourcemanager_0 was granted leadership with fencing token {}", fencing_token(s)),
            ),
            _ => (
                "INFO",
                "org.apache.flink.runtime.resourcemanager.ResourceManagerServiceImpl",
                format!("Resource manager service is granted leadership with session id {s}."),
            ),
        },
        Say::GrantRest(s) => (
            "INFO",
            "org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint",
            format!("http://127.0.0.1:8081 was granted leadership with leaderSessionID={s}"),
        ),
        Say::GrantDispatcher(s) => (
            "INFO",
            "org.apache.flink.runtime.dispatcher.runner.DefaultDispatcherRunner",
            format!("DefaultDispatcherRunner was granted leadership with leader id {s}. Creating new DispatcherLeaderProcess."),
        ),
        Say::GrantJobMaster(j, s) => (
            "INFO",
            "org.apache.flink.runtime.jobmaster.JobMasterServiceLeadershipRunner",
            format!("JobMasterServiceLeadershipRunner for job {j} was granted leadership with leader id {s}. Creating new JobMasterServiceProcess."),
        ),
        Say::RevokeRest => (
            "INFO",
            "org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint",
            "http://127.0.0.1:8081 lost leadership".into(),
        ),
        Say::RevokeDispatcher(s) => (
            "INFO",
            "org.apache.flink.runtime.dispatcher.runner.DefaultDispatcherRunner",
            format!("DefaultDispatcherRunner was revoked the leadership with leader id {s}. Stopping the DispatcherLeaderProcess."),
        ),
        Say::RevokeRm(s) => match w {
            Kubernetes => (
                "INFO",
                "org.apache.flink.runtime.resourcemanager.StandaloneResourceManager",
                "ResourceManager akka.tcp://flink@10.244.0.10:6123/user/rpc/resourcemanager_0 was revoked leadership. Clearing fencing token.".into(),
            ),
            _ => (
                "INFO",
                "org.apache.flink.runtime.resourcemanager.ResourceManagerServiceImpl",
                format!("Resource manager service is revoked leadership with session id {s}."),
            ),
        },
        Say::RevokeJobMaster(j, s) => (
            "INFO",
            "org.apache.flink.runtime.jobmaster.JobMasterServiceLeadershipRunner",
            format!("JobMasterServiceLeadershipRunner for job {j} was revoked leadership with leader id {s}. Stopping current JobMasterServiceProcess."),
        ),
        Say::Retrieved(ids) => ("INFO", store, format!("Retrieved job ids [{}] from {handle}", ids.join(", "))),
        Say::TryRecover(j) => ("INFO", SDLP, format!("Trying to recover job with job id {j}.")),
        Say::Recovered(j) => match w {
            Flink2 => ("INFO", store, format!("Recovered StreamGraph(jobId: {j}).")),
            _ => ("INFO", store, format!("Recovered JobGraph(jobId: {j}).")),
        },
        Say::RecoveredCount(n) => ("INFO", SDLP, format!("Successfully recovered {n} persisted job graphs.")),
        Say::Submitted(j) => match w {
            Flink2 => ("INFO", DISP, format!("Received job submission '{}' ({j}).", name_of(j))),
            Flink120 => ("INFO", DISP, format!("Received JobGraph submission '{}' ({j}).", name_of(j))),
            Kubernetes => ("INFO", DISP, format!("Received JobGraph submission {j} ({}).", name_of(j))),
        },
        Say::JobMasterStarted(j, s) => (
            "INFO",
            "org.apache.flink.runtime.jobmaster.JobMaster",
            format!("Starting execution of job '{}' ({j}) under job master id {}.", name_of(j), fencing_token(s)),
        ),
        Say::NoCheckpoint => ("INFO", CC, "No checkpoint found during restore.".into()),
        Say::Restoring(j, c) => (
            "INFO",
            CC,
            format!("Restoring job {j} from Checkpoint {c} @ {} for {j} located at file:/opt/flink-lab/checkpoints/{j}/chk-{c}.", epoch_ms - 3000),
        ),
        Say::State(j, from, to) => (
            "INFO",
            EG,
            format!("Job {} ({j}) switched from state {from} to {to}.", name_of(j)),
        ),
        Say::Terminal(j, s) => match w {
            Kubernetes if *s != "SUSPENDED" => ("INFO", DISP, format!("Job {j} reached globally terminal state {s}.")),
            _ => ("INFO", DISP, format!("Job {j} reached terminal state {s}.")),
        },
        Say::Triggered(j, c) => match w {
            Kubernetes => ("INFO", CC, format!("Triggering checkpoint {c} (type=CHECKPOINT) @ {epoch_ms} for job {j}.")),
            _ => (
                "INFO",
                CC,
                format!("Triggering checkpoint {c} (type=CheckpointType{{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD}}) @ {epoch_ms} for job {j}."),
            ),
        },
        Say::Completed(j, c) => match w {
            Kubernetes => ("INFO", CC, format!("Completed checkpoint {c} for job {j} (7735 bytes in 134 ms).")),
            _ => (
                "INFO",
                CC,
                format!("Completed checkpoint {c} for job {j} (3206 bytes, checkpointDuration=102 ms, finalizationTime=8 ms)."),
            ),
        },
        Say::CleanupStarted(j) => ("INFO", ha_services, format!("Clean up the high availability data for job {j}.")),
        Say::CleanupFinished(j) => ("INFO", ha_services, format!("Finished cleaning up the high availability data for job {j}.")),
        Say::GraphRemoved(j) => match w {
            Flink2 => ("INFO", store, format!("Removed execution plan {j} from {handle}.")),
            _ => ("INFO", store, format!("Removed job graph {j} from {handle}.")),
        },
        Say::GraphReleased(j) => ("INFO", "org.apache.flink.runtime.jobmanager.DefaultJobGraphStore", format!("Released job graph {j} from {handle}.")),
        Say::Noise => (
            "INFO",
            "org.apache.flink.runtime.resourcemanager.slotmanager.FineGrainedSlotManager",
            "Received resource requirements from job 0a448493b4782967b150582570326227: [ResourceRequirement{resourceProfile=ResourceProfile{UNKNOWN}, numberOfRequiredSlots=2}]".into(),
        ),
    }
}

/// `yyyy-MM-dd HH:mm:ss,SSS` (UTC or local), RFC 3339 UTC with milliseconds and with
/// nanoseconds, of unix milliseconds.
pub fn stamps(unix_ms: i64, local: Option<chrono_tz::Tz>) -> (String, String, String) {
    let t = chrono::DateTime::from_timestamp_millis(unix_ms).unwrap_or_default();
    let pattern = match local {
        Some(tz) => t
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M:%S,%3f")
            .to_string(),
        None => t.format("%Y-%m-%d %H:%M:%S,%3f").to_string(),
    };
    (
        pattern,
        t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        t.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string(),
    )
}

/// The file name of JobManager process `jm`.
pub fn file_of(jm: usize) -> String {
    format!("flink-root-standalonesession-{jm}-vm.log")
}

/// The logs of a run: one file per JobManager process, or one kubectl stream.
pub fn render(run: &Run, style: Style) -> Vec<Log> {
    let mut files: Vec<String> = vec![String::new(); run.processes];
    let mut stream: Vec<(i64, usize, String)> = Vec::new();
    // The container runtime stamps each pod's lines as it receives them: in their order.
    let mut received = vec![i64::MIN; run.processes];
    for (n, r) in run.recs.iter().enumerate() {
        let unix = style.base_ms + r.ms;
        let (level, logger, msg) = line_of(&r.say, style.wording, unix);
        let (log4j, iso, _) = stamps(unix, style.local);
        let at = received.get(r.jm).map_or(unix, |&t| t.max(unix));
        if let Some(t) = received.get_mut(r.jm) {
            *t = at;
        }
        let nanos = stamps(at, None).2;
        let line = match style.layout {
            Layout::Log4j | Layout::Kubectl => {
                format!("{log4j} {level:<5} {logger:<60} [] - {msg}")
            }
            Layout::Collapsed => format!("{log4j} {level} {logger} [] - {msg}"),
            Layout::Json => serde_json::json!({
                "@timestamp": iso,
                "log.level": level,
                "message": msg,
                "ecs.version": "1.2.0",
                "process.thread.name": "flink-pekko.actor.default-dispatcher-5",
                "log.logger": logger,
            })
            .to_string(),
        };
        match style.layout {
            Layout::Kubectl => stream.push((
                at,
                n,
                format!(
                    "[pod/flink-jm-{}/flink-main-container] {nanos} {line}",
                    r.jm
                ),
            )),
            _ => {
                if let Some(f) = files.get_mut(r.jm) {
                    f.push_str(&line);
                    f.push('\n');
                }
            }
        }
    }
    if style.layout == Layout::Kubectl {
        // kubectl interleaves the pods' lines roughly by time, each pod in its own order.
        stream.sort_by_key(|(t, n, _)| (*t, *n));
        let mut text = String::new();
        for (_, _, l) in stream {
            text.push_str(&l);
            text.push('\n');
        }
        return vec![("kubectl.log".to_string(), text)];
    }
    files
        .into_iter()
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(jm, t)| (file_of(jm), t))
        .collect()
}

/// One kind of HA violation injected into a correct run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inject {
    /// A new leader restores an older checkpoint than the latest completed one.
    RestoreOlder,
    /// A checkpoint id not greater than an earlier one of the same job.
    IdsBack,
    /// A new leadership term reuses the first term's leader session id.
    ReusedSession,
    /// The old leader switches a job to RESTARTING after the new leader's grant.
    OldLeaderRestarts,
    /// The old leader switches a job to RUNNING after the new leader's grant.
    OldLeaderRuns,
    /// The old leader completes a checkpoint after the new leader's grant.
    OldLeaderCheckpoints,
    /// A new leader does not recover one of the jobs.
    JobNotRecovered,
    /// A job is recovered again after its HA data was cleaned up.
    Resurrection,
    /// A globally terminal job's HA data is never cleaned up.
    MissingCleanup,
    /// A running job's HA data is cleaned up.
    PrematureCleanup,
}

pub const INJECTIONS: [Inject; 10] = [
    Inject::RestoreOlder,
    Inject::IdsBack,
    Inject::ReusedSession,
    Inject::OldLeaderRestarts,
    Inject::OldLeaderRuns,
    Inject::OldLeaderCheckpoints,
    Inject::JobNotRecovered,
    Inject::Resurrection,
    Inject::MissingCleanup,
    Inject::PrematureCleanup,
];

impl Inject {
    /// The invariant that must FAIL, and only it.
    pub fn invariant(self) -> &'static str {
        match self {
            Inject::RestoreOlder => "recover-latest",
            Inject::IdsBack => "checkpoint-monotonic",
            Inject::ReusedSession => "leader-session-fresh",
            Inject::OldLeaderRestarts | Inject::OldLeaderRuns | Inject::OldLeaderCheckpoints => {
                "single-leader"
            }
            Inject::JobNotRecovered => "jobs-recovered",
            Inject::Resurrection => "no-resurrection",
            Inject::MissingCleanup | Inject::PrematureCleanup => "ha-cleanup",
        }
    }
}

/// The job a record is about.
fn job_of(say: &Say) -> Option<&str> {
    match say {
        Say::GrantJobMaster(j, _)
        | Say::RevokeJobMaster(j, _)
        | Say::TryRecover(j)
        | Say::Recovered(j)
        | Say::Submitted(j)
        | Say::JobMasterStarted(j, _)
        | Say::Restoring(j, _)
        | Say::State(j, _, _)
        | Say::Terminal(j, _)
        | Say::Triggered(j, _)
        | Say::Completed(j, _)
        | Say::CleanupStarted(j)
        | Say::CleanupFinished(j)
        | Say::GraphRemoved(j)
        | Say::GraphReleased(j) => Some(j),
        _ => None,
    }
}

/// For a step of a JobMaster's life (its grant, start, restore line, state changes), the
/// job it is about (`None` for the restore line that names none).
fn job_master_step(say: &Say) -> Option<Option<&str>> {
    match say {
        Say::GrantJobMaster(j, _)
        | Say::JobMasterStarted(j, _)
        | Say::Restoring(j, _)
        | Say::State(j, _, _) => Some(Some(j)),
        Say::NoCheckpoint => Some(None),
        _ => None,
    }
}

/// Insert `rec` after every record of the run dated no later than it.
fn insert(recs: &mut Vec<Rec>, rec: Rec) {
    let at = recs
        .iter()
        .rposition(|r| r.ms <= rec.ms)
        .map_or(0, |p| p + 1);
    recs.insert(at, rec);
}

/// Apply `what` at a place chosen by `pick` among the applicable ones; `None` when the run
/// has no such place.
pub fn inject(run: &Run, what: Inject, pick: u64) -> Option<Run> {
    let mut recs = run.recs.clone();
    let choose = |n: usize| (pick % n.max(1) as u64) as usize;
    // Index of the last record (any process) before the end of the run.
    let end_ms = recs.iter().map(|r| r.ms).max().unwrap_or(0);
    match what {
        Inject::RestoreOlder => {
            let places: Vec<(usize, u64)> = recs
                .iter()
                .enumerate()
                .filter_map(|(i, r)| match &r.say {
                    Say::Restoring(j, c) => recs[..i]
                        .iter()
                        .filter_map(|p| match &p.say {
                            Say::Completed(pj, pc) if pj == j && pc < c => Some(*pc),
                            _ => None,
                        })
                        .max()
                        .map(|older| (i, older)),
                    _ => None,
                })
                .collect();
            let (i, older) = *places.get(choose(places.len()))?;
            if let Say::Restoring(_, c) = &mut recs[i].say {
                *c = older;
            }
        }
        Inject::IdsBack => {
            let places: Vec<(usize, u64)> = recs
                .iter()
                .enumerate()
                .filter_map(|(i, r)| match &r.say {
                    Say::Triggered(j, c) => recs[..i]
                        .iter()
                        .filter_map(|p| match &p.say {
                            Say::Completed(pj, pc) if pj == j && pc < c => Some(*pc),
                            _ => None,
                        })
                        .max()
                        .map(|older| (i, older)),
                    _ => None,
                })
                .collect();
            let (i, older) = *places.get(choose(places.len()))?;
            let (j, c) = match &recs[i].say {
                Say::Triggered(j, c) => (j.clone(), *c),
                _ => return None,
            };
            for r in recs.iter_mut().skip(i) {
                match &mut r.say {
                    Say::Triggered(rj, rc) | Say::Completed(rj, rc) if *rj == j && *rc == c => {
                        *rc = older
                    }
                    _ => {}
                }
            }
        }
        Inject::ReusedSession => {
            let first = &run.terms.first()?.2;
            let later: Vec<&(usize, i64, String)> = run.terms.iter().skip(1).collect();
            let (_, _, s) = later.get(choose(later.len()))?;
            for r in &mut recs {
                match &mut r.say {
                    Say::GrantRm(x)
                    | Say::GrantRest(x)
                    | Say::GrantDispatcher(x)
                    | Say::GrantJobMaster(_, x)
                    | Say::RevokeDispatcher(x)
                    | Say::RevokeRm(x)
                    | Say::RevokeJobMaster(_, x)
                    | Say::JobMasterStarted(_, x)
                        if x == s =>
                    {
                        *x = first.clone()
                    }
                    _ => {}
                }
            }
        }
        Inject::OldLeaderRestarts | Inject::OldLeaderRuns | Inject::OldLeaderCheckpoints => {
            // A failover to another process, with a job the new leader runs.
            let mut places = Vec::new();
            for w in run.terms.windows(2) {
                let ((old, _, _), (new, grant, _)) = (&w[0], &w[1]);
                if old == new {
                    continue;
                }
                let at = grant + 2500;
                let next_term = run
                    .terms
                    .iter()
                    .map(|t| t.1)
                    .find(|&t| t > *grant)
                    .unwrap_or(i64::MAX);
                // The new leader must still lead then (alive, logging after it).
                let new_alive = recs.iter().any(|r| r.jm == *new && r.ms > at + 500);
                if at + 500 >= next_term || at > end_ms || !new_alive {
                    continue;
                }
                for r in &recs {
                    if let (Say::State(j, "CREATED", "RUNNING"), true) =
                        (&r.say, r.jm == *new && r.ms >= *grant && r.ms < at)
                    {
                        // The checkpoint variant needs a job that checkpoints no more,
                        // or its id would clash with the new leader's.
                        let later_ckpt = recs.iter().any(|x| {
                            x.ms > *grant
                                && (matches!(&x.say, Say::Triggered(xj, _) | Say::Completed(xj, _) | Say::Restoring(xj, _) if xj == j)
                                    || x.say == Say::NoCheckpoint)
                        }) || next_term != i64::MAX;
                        // Not while the job ends (a terminal state is the new leader's).
                        let ends_near = recs.iter().any(|x| {
                            x.ms <= at + 1000
                                && matches!(&x.say, Say::Terminal(xj, _) | Say::CleanupStarted(xj) if xj == j)
                        });
                        if ends_near {
                            continue;
                        }
                        let max_id = recs
                            .iter()
                            .filter_map(|x| match &x.say {
                                Say::Completed(xj, c) | Say::Triggered(xj, c) if xj == j => {
                                    Some(*c)
                                }
                                _ => None,
                            })
                            .max()
                            .unwrap_or(0);
                        if what != Inject::OldLeaderCheckpoints || !later_ckpt {
                            places.push((*old, at, j.clone(), max_id));
                        }
                    }
                }
            }
            let (old, at, j, max_id) = places.get(choose(places.len()))?.clone();
            let say = match what {
                Inject::OldLeaderRestarts => Say::State(j, "RUNNING", "RESTARTING"),
                Inject::OldLeaderRuns => Say::State(j, "RESTARTING", "RUNNING"),
                _ => Say::Completed(j, max_id + 1),
            };
            insert(
                &mut recs,
                Rec {
                    jm: old,
                    ms: at,
                    say,
                },
            );
        }
        Inject::JobNotRecovered => {
            let mut places = Vec::new();
            for (i, r) in recs.iter().enumerate() {
                if let Say::Retrieved(ids) = &r.say {
                    if run.terms.first().map(|t| t.1) < Some(r.ms) {
                        for j in ids {
                            places.push((i, j.clone()));
                        }
                    }
                }
            }
            let (i, j) = places.get(choose(places.len()))?.clone();
            let jm = recs[i].jm;
            if let Say::Retrieved(ids) = &mut recs[i].say {
                ids.retain(|x| *x != j);
            }
            if let Some(k) = (i..recs.len())
                .find(|&k| recs[k].jm == jm && matches!(recs[k].say, Say::RecoveredCount(_)))
            {
                if let Say::RecoveredCount(n) = &mut recs[k].say {
                    *n = n.saturating_sub(1);
                }
            }
            // Every later record about the job goes, and the restore lines (which name no
            // job) that follow a record about it.
            let mut follows_job = vec![false; run.processes];
            let mut out: Vec<Rec> = Vec::new();
            for (k, r) in recs.into_iter().enumerate() {
                let about = job_of(&r.say) == Some(j.as_str());
                let its_restore = r.say == Say::NoCheckpoint && follows_job[r.jm];
                if r.say != Say::NoCheckpoint {
                    follows_job[r.jm] = about;
                }
                if k > i && (about || its_restore) {
                    continue;
                }
                out.push(r);
            }
            recs = out;
        }
        Inject::Resurrection => {
            let places: Vec<(usize, String)> = recs
                .iter()
                .filter_map(|r| match &r.say {
                    Say::CleanupStarted(j) if r.ms + 2500 < end_ms => Some((r.jm, j.clone())),
                    _ => None,
                })
                .collect();
            let (jm, j) = places.get(choose(places.len()))?.clone();
            let at = recs
                .iter()
                .find(|r| r.say == Say::GraphRemoved(j.clone()))?
                .ms
                + 1000;
            // Still the leader then, and still alive; not between a job master's start and
            // its restore line (which names no job: it belongs to the job logged before).
            let next = recs.iter().find(|r| r.jm == jm && r.ms > at)?;
            if next.say == Say::NoCheckpoint {
                return None;
            }
            let leader_then = run.terms.iter().rev().find(|t| t.1 <= at + 1).map(|t| t.0);
            let gave_up = recs.iter().any(|r| {
                r.jm == jm
                    && r.ms <= at + 1
                    && matches!(r.say, Say::RevokeRest | Say::Sigterm)
                    && recs
                        .iter()
                        .any(|c| c.say == Say::CleanupStarted(j.clone()) && c.ms < r.ms)
            });
            if leader_then != Some(jm) || gave_up {
                return None;
            }
            insert(
                &mut recs,
                Rec {
                    jm,
                    ms: at + 1,
                    say: Say::Recovered(j.clone()),
                },
            );
            insert(
                &mut recs,
                Rec {
                    jm,
                    ms: at,
                    say: Say::TryRecover(j),
                },
            );
        }
        Inject::MissingCleanup => {
            let places: Vec<String> = recs
                .iter()
                .filter_map(|r| match &r.say {
                    Say::CleanupStarted(j) if r.ms + 4000 < end_ms => Some(j.clone()),
                    _ => None,
                })
                .collect();
            let j = places.get(choose(places.len()))?.clone();
            recs.retain(|r| {
                !matches!(&r.say, Say::CleanupStarted(x) | Say::CleanupFinished(x) | Say::GraphRemoved(x) if *x == j)
            });
        }
        Inject::PrematureCleanup => {
            let places: Vec<(usize, i64, String)> = recs
                .iter()
                .filter_map(|r| match &r.say {
                    Say::Completed(j, _) => Some((r.jm, r.ms + 1, j.clone())),
                    _ => None,
                })
                // The job still runs for a while (not as it ends).
                .filter(|(_, at, j)| {
                    !recs.iter().any(|x| {
                        x.ms <= at + 1000
                            && x.ms >= *at - 5
                            && matches!(&x.say, Say::State(xj, _, to) if xj == j && *to != "RUNNING")
                    })
                })
                .collect();
            let (jm, at, j) = places.get(choose(places.len()))?.clone();
            insert(
                &mut recs,
                Rec {
                    jm,
                    ms: at,
                    say: Say::CleanupStarted(j),
                },
            );
        }
    }
    Some(Run {
        recs,
        processes: run.processes,
        terms: run.terms.clone(),
    })
}
