"""The scenarios: what each one does to a real cluster, what it knows happened (the ground truth,
from Flink's REST API and the harness's own actions), and the verdicts flinkha must reach.

A scenario function drives the cluster and returns a Truth. `expect` turns that truth into the
per-invariant verdicts: listed invariants must match exactly; an invariant not listed must not
FAIL (it may PASS or be UNKNOWN), so a new invariant elsewhere in the project does not break the
harness but a false alarm on a clean failover does.
"""

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from cluster import Cluster, Process, SESSION_TIMEOUT_MS
from distro import JOB_CLASS

ALL = ("single-leader", "leader-session-fresh", "checkpoint-monotonic", "recover-latest",
       "jobs-recovered", "no-resurrection", "ha-cleanup")


@dataclass
class Failure:
    """One failure the harness injected while `job` ran, and what Flink did about it."""
    job: str
    kind: str                   # "leader" (a JobManager lost leadership) or "job_restart"
    action: str                 # what was done, for messages
    at: float                   # wall-clock instant of the action
    latest_completed: int       # last "Completed checkpoint" id the failed leader logged
    restored: int | None = None  # checkpoint id Flink's REST API says the job restored from
    running_again_at: float | None = None  # when the harness saw the job RUNNING again


@dataclass
class Truth:
    """What the harness knows happened in one run."""
    jobs: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    lost_jobs: list[str] = field(default_factory=list)  # jobs the next leader did not know at all
    cancelled: list[str] = field(default_factory=list)


@dataclass
class Scenario:
    name: str
    summary: str
    ha: str                     # "zookeeper" or "NONE"
    run: object                 # (Cluster, job jar, Truth) -> None
    expect: object              # (Truth, flink version) -> {invariant: {verdicts}}
    overall: str                # flinkha's overall verdict


def _start(c: Cluster, jar: Path, jms: int) -> tuple[list[Process], Process, str]:
    """ZooKeeper (with HA), `jms` JobManagers, one TaskManager, the job running and checkpointing."""
    if c.ha == "zookeeper":
        c.start_zookeeper("zk-1")
    elif c.ha == "kubernetes":
        c.start_k8s_api()
    names = ["jm-a", "jm-b", "jm-c"][:jms]
    first = c.start_jobmanager(names[0])
    leader = c.leader_among([first], 180) if c.ha != "NONE" else first
    others = [c.start_jobmanager(n) for n in names[1:]]
    c.start_taskmanager("tm-1")
    job = c.submit(leader, jar, JOB_CLASS, ["--delay-ms", "5"])
    c.wait_job_state(leader, job, {"RUNNING"})
    c.wait_checkpoints(leader, job, 4)
    return [first, *others], leader, job


def _recovered(c: Cluster, failure: Failure, leader: Process, checkpoints_after: int = 3) -> None:
    """Waits until the new leader runs the job again and has checkpointed; records what it restored."""
    c.wait_job_state(leader, failure.job, {"RUNNING"}, 240)
    failure.running_again_at = c.act(f"{leader.name}: job {failure.job} RUNNING again")
    at_running = c.restored_checkpoint(leader, failure.job)  # before any later restart can replace it
    before = len(c.completed_checkpoints(leader, failure.job))
    c.wait_checkpoints(leader, failure.job, before + checkpoints_after, 240)
    failure.restored = at_running if at_running is not None else c.restored_checkpoint(leader, failure.job)
    c.act(f"{leader.name}: REST says job {failure.job} restored checkpoint {failure.restored}")


def _finish(c: Cluster, leader: Process, t: Truth) -> None:
    for job in t.jobs:
        c.cancel(leader, job)
        t.cancelled.append(job)
    c.act("stopping the cluster")
    c.stop_all()


def _leader_loss(c: Cluster, jar: Path, t: Truth, jms: int, action: str) -> None:
    """The leader dies (kill -9 or SIGTERM); a standby, or a JobManager started anew, takes over."""
    procs, leader, job = _start(c, jar, jms)
    t.jobs.append(job)
    grants = c.grants(procs)
    at = c.kill9(leader) if action == "kill -9" else c.sigterm(leader)
    latest = c.completed_checkpoints(leader, job)[-1]
    f = Failure(job, "leader", f"{action} of leader {leader.name}", at, latest)
    t.failures.append(f)
    standbys = [p for p in procs if p is not leader]
    if not standbys:
        standbys = [c.start_jobmanager("jm-b")]
    new = c.leader_among(standbys, 240, grants)
    _recovered(c, f, new)
    _finish(c, new, t)


def jm_kill_restart(c: Cluster, jar: Path, t: Truth) -> None:
    _leader_loss(c, jar, t, jms=1, action="kill -9")


def leader_standby_kill(c: Cluster, jar: Path, t: Truth) -> None:
    _leader_loss(c, jar, t, jms=2, action="kill -9")


def sigterm(c: Cluster, jar: Path, t: Truth) -> None:
    _leader_loss(c, jar, t, jms=2, action="SIGTERM")


def double_failover(c: Cluster, jar: Path, t: Truth) -> None:
    """Three JobManagers: kill -9 the leader; once the new leader has recovered the job and
    checkpointed, kill -9 it too; the third one takes over."""
    procs, leader, job = _start(c, jar, jms=3)
    t.jobs.append(job)
    for round_ in (1, 2):
        grants = c.grants(procs)
        at = c.kill9(leader)
        f = Failure(job, "leader", f"kill -9 of leader {leader.name} (failover {round_})", at,
                    c.completed_checkpoints(leader, job)[-1])
        t.failures.append(f)
        procs = [p for p in procs if p is not leader]
        leader = c.leader_among(procs, 240, grants)
        _recovered(c, f, leader, checkpoints_after=2)
    _finish(c, leader, t)


def tm_kill(c: Cluster, jar: Path, t: Truth) -> None:
    """The TaskManager dies; the leader stays and restarts the job from its latest checkpoint."""
    _, leader, job = _start(c, jar, jms=1)
    t.jobs.append(job)
    tm = next(p for p in c.procs if p.name == "tm-1")
    at = c.kill9(tm)
    f = Failure(job, "job_restart", "kill -9 of the only TaskManager", at, 0)
    t.failures.append(f)
    c.start_taskmanager("tm-2")
    c.wait_log(leader, rf"Job .*\({job}\) switched from state RUNNING to (RESTARTING|FAILING)", 120,
               f"job {job} restarting on {leader.name}")
    f.latest_completed = c.completed_checkpoints(leader, job)[-1]
    _recovered(c, f, leader)
    _finish(c, leader, t)


def zk_outage(c: Cluster, jar: Path, t: Truth) -> None:
    """ZooKeeper dies for twice the session timeout and comes back with its data."""
    procs, leader, job = _start(c, jar, jms=2)
    t.jobs.append(job)
    grants = c.grants(procs)
    zk = next(p for p in c.procs if p.kind == "zookeeper")
    at = c.kill9(zk)
    outage = 2 * SESSION_TIMEOUT_MS / 1000
    c.wait_log(leader, r"(?i)(suspended|lost).*(zookeeper|connection)|connection.*(suspended|lost)",
               outage + 60, f"{leader.name} noticing the ZooKeeper outage")
    time.sleep(max(0.0, at + outage - time.time()))  # the outage itself lasts a fixed time
    latest = c.completed_checkpoints(leader, job)[-1]
    f = Failure(job, "leader", "ZooKeeper killed for twice the session timeout", at, latest)
    t.failures.append(f)
    c.start_zookeeper("zk-2")
    new = c.leader_among(procs, 240, grants)
    _recovered(c, f, new)
    _finish(c, new, t)


def no_ha(c: Cluster, jar: Path, t: Truth) -> None:
    """HA disabled: the JobManager is killed and started again; the job is gone (negative case)."""
    _, leader, job = _start(c, jar, jms=1)
    t.jobs.append(job)
    tm = next(p for p in c.procs if p.kind == "taskmanager")
    at = c.kill9(leader)
    latest = c.completed_checkpoints(leader, job)[-1]
    t.failures.append(Failure(job, "leader", "kill -9 of the only JobManager (HA off)", at, latest))
    _lost_after_restart(c, t, tm, job)


def ha_metadata_lost(c: Cluster, jar: Path, t: Truth) -> None:
    """HA on, but ZooKeeper's data is wiped while the JobManager is down: the job is gone."""
    _, leader, job = _start(c, jar, jms=1)
    t.jobs.append(job)
    tm = next(p for p in c.procs if p.kind == "taskmanager")
    at = c.kill9(leader)
    latest = c.completed_checkpoints(leader, job)[-1]
    t.failures.append(Failure(job, "leader", "kill -9 of the JobManager, ZooKeeper data wiped", at, latest))
    zk = next(p for p in c.procs if p.kind == "zookeeper")
    c.sigterm(zk)
    shutil.rmtree(c.run_dir / "zk-data")
    c.act("wiped ZooKeeper's data folder (HA metadata lost; HA storage and checkpoints kept)")
    c.start_zookeeper("zk-2")
    _lost_after_restart(c, t, tm, job)


def _lost_after_restart(c: Cluster, t: Truth, tm: Process, job: str) -> None:
    registered = len(tm.grep(r"Successful registration at resource manager"))
    b = c.start_jobmanager("jm-b")
    if c.ha != "NONE":
        c.leader_among([b], 240)
    c.wait_log(tm, r"Successful registration at resource manager", 240,
               f"{tm.name} registered at {b.name}", count=registered + 1)
    overview = c.wait(lambda: c.rest_or_none(b, "/jobs/overview"), 120, f"job overview of {b.name}", b)
    known = {j["jid"] for j in overview.get("jobs", [])}
    if job not in known:
        t.lost_jobs.append(job)
    c.act(f"{b.name} knows jobs {sorted(known)}; job {job} {'lost' if job not in known else 'known'}")
    c.act("stopping the cluster")
    c.stop_all()


def app_jm_kill_restart(c: Cluster, jar: Path, t: Truth) -> None:
    """Application mode (`standalone-job.sh`), ZooKeeper HA: the JobManager runs the job's main()
    itself; kill -9 it and start it again with the same command; it recovers the same job id from
    the latest checkpoint. Cancelling the job then ends the application and the cluster."""
    c.start_zookeeper("zk-1")
    args = ["--delay-ms", "5"]
    a = c.start_application_jobmanager("jm-a", jar, JOB_CLASS, args)
    c.leader_among([a], 180)
    tm = c.start_taskmanager("tm-1")
    jobs = c.wait(lambda: (o := c.rest_or_none(a, "/jobs/overview")) and o.get("jobs"), 180,
                  f"the application's job on {a.name}", a)
    job = jobs[0]["jid"]
    t.jobs.append(job)
    c.act(f"{a.name} runs the application's job {job}")
    c.wait_job_state(a, job, {"RUNNING"})
    c.wait_checkpoints(a, job, 4)
    at = c.kill9(a)
    f = Failure(job, "leader", f"kill -9 of application JobManager {a.name}", at,
                c.completed_checkpoints(a, job)[-1])
    t.failures.append(f)
    b = c.start_application_jobmanager("jm-b", jar, JOB_CLASS, args)
    c.leader_among([b], 240)
    _recovered(c, f, b)
    c.rest(b, "PATCH", f"/jobs/{job}?mode=cancel")
    c.act(f"cancel job {job} through {b.name}: the application ends")
    t.cancelled.append(job)
    c.wait(lambda: not b.alive(), 180, f"{b.name} shutting down after its application ended")
    c.act(f"{b.name} exited with code {b.popen.returncode}")
    c.sigterm(tm)
    c.act("stopping the cluster")
    c.stop_all()


# ---------------------------------------------------------------------- expectations
def _recover_latest(t: Truth) -> str:
    """PASS when every restore Flink reports used a checkpoint at least as new as the latest one
    completed before the failure; FAIL otherwise (Flink itself would then be wrong)."""
    ok = all(f.restored is not None and f.restored >= f.latest_completed for f in t.failures)
    return "PASS" if ok else "FAIL"


def expect_all_pass(t: Truth, version: str) -> dict:
    e = {inv: {"PASS"} for inv in ALL}
    e["recover-latest"] = {_recover_latest(t)}
    return e


def expect_same_leader(t: Truth, version: str) -> dict:
    """One leader throughout: the invariants about a change of leader have nothing to judge, and
    a vacuous check is UNKNOWN, never PASS."""
    e = expect_all_pass(t, version)
    e["leader-session-fresh"] = {"UNKNOWN"}
    e["jobs-recovered"] = {"UNKNOWN"}
    return e


def expect_job_lost(t: Truth, version: str) -> dict:
    return {
        "single-leader": {"PASS"},
        "checkpoint-monotonic": {"PASS"},
        "jobs-recovered": {"FAIL"} if t.lost_jobs else {"PASS"},
    }


SCENARIOS = {s.name: s for s in [
    Scenario("jm-kill-restart", "ZooKeeper HA, one JobManager: kill -9, start a new one; it recovers the "
             "job from the latest checkpoint; cancel; stop", "zookeeper", jm_kill_restart,
             expect_all_pass, "PASS"),
    Scenario("leader-standby-kill", "ZooKeeper HA, leader + standby: kill -9 the leader; the standby takes "
             "over after the session timeout", "zookeeper", leader_standby_kill, expect_all_pass, "PASS"),
    Scenario("sigterm", "ZooKeeper HA, leader + standby: SIGTERM the leader (graceful); the standby takes "
             "over at once", "zookeeper", sigterm, expect_all_pass, "PASS"),
    Scenario("double-failover", "ZooKeeper HA, three JobManagers: kill -9 the leader, then the next "
             "leader once it has recovered and checkpointed; the third takes over", "zookeeper",
             double_failover, expect_all_pass, "PASS"),
    Scenario("tm-kill", "ZooKeeper HA: kill -9 the TaskManager, start another; the same leader restarts "
             "the job from the latest checkpoint", "zookeeper", tm_kill, expect_same_leader, "UNKNOWN"),
    Scenario("zk-outage", "ZooKeeper HA, leader + standby: kill -9 ZooKeeper for twice the session "
             "timeout, restart it with its data; leadership is revoked and granted again",
             "zookeeper", zk_outage, expect_all_pass, "PASS"),
    Scenario("k8s-leader-standby-kill", "Kubernetes HA (ConfigMaps on the harness's API stand-in), "
             "leader + standby: kill -9 the leader; the standby takes over when the lease expires",
             "kubernetes", leader_standby_kill, expect_all_pass, "PASS"),
    Scenario("k8s-jm-kill-restart", "Kubernetes HA (API stand-in), one JobManager: kill -9, start a new "
             "one; it recovers the job from the latest checkpoint", "kubernetes", jm_kill_restart,
             expect_all_pass, "PASS"),
    Scenario("app-jm-kill-restart", "application mode (standalone-job.sh), ZooKeeper HA: kill -9 the "
             "JobManager, start it again; it recovers the same job; cancel ends the application",
             "zookeeper", app_jm_kill_restart, expect_all_pass, "PASS"),
    Scenario("no-ha", "negative: HA disabled; kill -9 the JobManager and start a new one: the job is "
             "lost and jobs-recovered must FAIL", "NONE", no_ha, expect_job_lost, "FAIL"),
    Scenario("ha-metadata-lost", "negative: ZooKeeper HA, kill -9 the JobManager and wipe ZooKeeper's "
             "data: the new leader knows no job and jobs-recovered must FAIL", "zookeeper",
             ha_metadata_lost, expect_job_lost, "FAIL"),
]}

CI_SCENARIO = "jm-kill-restart"
