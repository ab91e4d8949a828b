#!/usr/bin/env python3
"""Make the mutated copies of real corpus logs that the violation tests use.

Each case is a directory with every JobManager log of one real scenario from
samples/corpus/, one of them changed by dropping, reordering or altering a few lines, and a
MANIFEST.md saying what was changed and which verdict a correct analyzer must reach.
Run from the repository root: python3 samples/mutations/mutate.py
"""
import os
import re
import shutil

CORPUS = "samples/corpus"
K8S = "samples/corpus-k8s"
K8S_APP = "samples/corpus-k8s-app"
OUT = "samples/mutations"


def jm_logs(corpus, scenario):
    """The JobManager logs of a scenario: {index: file name} (session or application mode)."""
    out = {}
    for fn in sorted(os.listdir(f"{corpus}/{scenario}")):
        m = re.search(r"-(?:standalonesession|standalonejob)-(\d+)-", fn)
        if fn.endswith(".log") and m:
            out[int(m.group(1))] = fn
    return out


def case(name, scenario, changes, expect, what, corpus=CORPUS):
    """changes: {jm index: function(lines) -> lines}; `corpus`: samples/corpus (ZooKeeper HA),
    samples/corpus-k8s or samples/corpus-k8s-app."""
    d = f"{OUT}/{name}"
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for n, fn in jm_logs(corpus, scenario).items():
        with open(f"{corpus}/{scenario}/{fn}", encoding="utf-8") as f:
            lines = f.read().split("\n")
        if n in changes:
            new = changes[n](list(lines))
            assert new != lines, f"{name}: mutation of {fn} changed nothing"
            lines = new
        with open(f"{d}/{fn}", "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
    with open(f"{d}/MANIFEST.md", "w", encoding="utf-8") as f:
        where = scenario if corpus == CORPUS else f"{corpus.split('/')[-1]}/{scenario}"
        f.write(f"# Mutation `{name}` of the real `{where}` logs\n\n{what}\n\n"
                f"## Expected verdict\n\n{expect}\n")


def find(lines, needle, start=0):
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i
    raise SystemExit(f"not found: {needle}")


def sub_all(old, new):
    return lambda lines: [l.replace(old, new) for l in lines]


def compose(*fs):
    def run(lines):
        for f in fs:
            lines = f(lines)
        return lines
    return run


# single-leader: JM#1's grant lines moved 24 s earlier (reordered before the line that
# preceded them), while JM#0 is still leader and checkpointing.
def early_grant(lines):
    i = find(lines, "was granted leadership with leaderSessionID=")
    grants = [l.replace("12:34:29,", "12:34:05,") for l in lines[i:i + 3]]
    del lines[i:i + 3]
    j = find(lines, "12:34:19,232")
    return lines[:j] + grants + lines[j:]


case("single-leader-overlap", "1.20.5/happy", {1: early_grant},
     "`single-leader` FAIL: standalonesession-1 is granted leadership at 12:34:05 while "
     "standalonesession-0 still leads and completes checkpoints until 12:34:18.",
     "In `flink-root-standalonesession-1-vm.log` the REST endpoint, dispatcher and resource "
     "manager grant lines (12:34:29) are moved before the 12:34:19 line and dated 12:34:05.")

# leader-session-fresh: JM#1 reuses JM#0's leader session id (both renderings).
case("leader-session-reused", "1.20.5/jm-restart",
     {1: compose(sub_all("79f1aa78-d705-4f10-b2d4-cabd6801d714", "e121f084-4a4d-4a43-bf6c-09a46f25e587"),
                 sub_all("b2d4cabd6801d71479f1aa78d7054f10", "bf6c09a46f25e587e121f0844a4d4a43"))},
     "`leader-session-fresh` FAIL: the second term reuses session e121f084-….",
     "In `flink-root-standalonesession-1-vm.log` the leader session id "
     "79f1aa78-d705-4f10-b2d4-cabd6801d714 (and its job master id form) is replaced by the first "
     "leader's e121f084-4a4d-4a43-bf6c-09a46f25e587.")


# checkpoint-monotonic: after the failover the ids start again at 1 (HA data lost).
def renumber(lines):
    def f(m):
        return f"{m.group(1)}{int(m.group(2)) - 12}{m.group(3)}"
    start = find(lines, "Restoring job")
    return lines[:start] + [re.sub(r"((?:Triggering|Completed) checkpoint )(\d+)( )", f, l) for l in lines[start:]]


case("checkpoint-id-reset", "1.20.5/jm-restart", {1: renumber},
     "`checkpoint-monotonic` FAIL: checkpoint 1 of job 6cecd03f is triggered after checkpoint "
     "12 completed before the failover: the id counter restarted.",
     "In `flink-root-standalonesession-1-vm.log` every `Triggering checkpoint N` / `Completed "
     "checkpoint N` after the restore is renumbered N-12 (13 becomes 1).")

# recover-latest: restore from 14 instead of the latest completed 15.
case("restore-older", "1.20.5/happy",
     {1: lambda ls: [l.replace("from Checkpoint 15 @", "from Checkpoint 14 @") for l in ls]},
     "`recover-latest` FAIL: job 17dbae1c is restored from checkpoint 14 although 15 completed "
     "before the leader was killed.",
     "In `flink-root-standalonesession-1-vm.log` `Restoring job … from Checkpoint 15` becomes "
     "`… from Checkpoint 14`.")

# jobs-recovered: the new leader's retrieved job ids lack the running job.
case("job-missing", "1.20.5/happy",
     {1: lambda ls: [l.replace("Retrieved job ids [17dbae1cf71efbf7ed4346261571f647]", "Retrieved job ids []") for l in ls]},
     "`jobs-recovered` FAIL: job 17dbae1c was RUNNING when standalonesession-0 was killed, but "
     "the new leader retrieved no job ids.",
     "In `flink-root-standalonesession-1-vm.log` `Retrieved job ids [17dbae1c…]` becomes "
     "`Retrieved job ids []`.")


# no-resurrection: the job is recovered again after its HA cleanup.
def resurrect(lines):
    rec = [lines[find(lines, "Trying to recover job with job id")], lines[find(lines, "Recovered JobGraph")]]
    rec = [re.sub(r"^2026-11-25 \d\d:\d\d:\d\d,\d\d\d", "2026-11-25 12:37:18,000", l) for l in rec]
    j = find(lines, "Removed job graph") + 1
    return lines[:j] + rec + lines[j:]


case("resurrection", "1.20.5/jm-restart", {1: resurrect},
     "`no-resurrection` FAIL: job 6cecd03f is recovered again at 12:37:18, after it was "
     "CANCELED and its HA data cleaned up.",
     "In `flink-root-standalonesession-1-vm.log` copies of the `Trying to recover job …` and "
     "`Recovered JobGraph(…)` lines, dated 12:37:18, are inserted after `Removed job graph …`.")

# ha-cleanup (leak): the cleanup lines are dropped.
case("cleanup-missing", "1.20.5/jm-restart",
     {1: lambda ls: [l for l in ls if "Clean up the high availability data" not in l
                     and "Finished cleaning up the high availability data for job" not in l
                     and "Removed job graph" not in l]},
     "`ha-cleanup` FAIL: job 6cecd03f reached CANCELED, the leader lived 5 s longer, and its HA "
     "data was never cleaned up.",
     "In `flink-root-standalonesession-1-vm.log` the lines `Clean up the high availability data "
     "for job …`, `Finished cleaning up …` and `Removed job graph …` are dropped.")


# ha-cleanup (suspended): the HA data of a merely SUSPENDED job is cleaned up.
def clean_suspended(lines):
    j = find(lines, "reached terminal state SUSPENDED") + 1
    line = ("2026-11-25 13:04:17,400 INFO  org.apache.flink.runtime.highavailability.zookeeper."
            "ZooKeeperLeaderElectionHaServices [] - Clean up the high availability data for job "
            "01520cfd5912b5dc972dddae638a6a1b.")
    return lines[:j] + [line] + lines[j:]


case("cleanup-suspended", "1.20.5/zk-outage", {0: clean_suspended},
     "`ha-cleanup` FAIL: the HA data of job 01520cfd is cleaned up right after the job was "
     "SUSPENDED by the ZooKeeper outage (FLINK-34518-like).",
     "In `flink-root-standalonesession-0-vm.log` a `Clean up the high availability data for job "
     "01520cfd…` line is inserted after `Job … reached terminal state SUSPENDED.`")


# single-leader (FLINK-30596): a second job master starts the same job.
def second_master(lines):
    i = find(lines, "Starting execution of job")
    dup = re.sub(r"^2026-11-25 \d\d:\d\d:\d\d,\d\d\d", "2026-11-25 12:34:32,000", lines[i])
    dup = dup.replace("a6ad48903369f0bf12dc923072cd49e6", "0123456789abcdef0123456789abcdef")
    j = find(lines, "12:34:32,", i) if any("12:34:32," in l for l in lines[i:]) else i + 1
    return lines[:j] + [dup] + lines[j:]


case("two-job-masters", "1.20.5/happy", {1: second_master},
     "`single-leader` FAIL (job 17dbae1c): a second job master starts the job at 12:34:32 while "
     "the first one still runs it (FLINK-30596).",
     "In `flink-root-standalonesession-1-vm.log` a copy of `Starting execution of job … under "
     "job master id …`, dated 12:34:32 with another job master id, is inserted.")


# --- Known-bug signatures (grammars/known-bugs.advice) ---------------------------------------------
#
# One case per bug whose signature no case above shows: the lines a run affected by the bug would
# log, put into a real log. The versions stay as logged; tests/advice_corpus.rs rewrites the
# startup banners to an affected and to a fixed version and expects the note to say so.

LOGGERS = {
    "entry": "org.apache.flink.runtime.entrypoint.ClusterEntrypoint",
    "ckfail": "org.apache.flink.runtime.checkpoint.CheckpointFailureManager",
    "ckpt": "org.apache.flink.runtime.checkpoint.CheckpointCoordinator",
    "disp": "org.apache.flink.runtime.dispatcher.StandaloneDispatcher",
    "eg": "org.apache.flink.runtime.executiongraph.ExecutionGraph",
    "jm": "org.apache.flink.runtime.jobmaster.JobMaster",
    "runner": "org.apache.flink.runtime.jobmaster.JobMasterServiceLeadershipRunner",
    "zkha": "org.apache.flink.runtime.highavailability.zookeeper.ZooKeeperLeaderElectionHaServices",
    "k8sha": "org.apache.flink.kubernetes.highavailability.KubernetesLeaderElectionHaServices",
    "les": "org.apache.flink.runtime.leaderelection.DefaultLeaderElectionService",
}


def log(ts, level, logger, msg):
    """A log4j line as Flink's default pattern writes it (`%-5p %-60c %x - %m`)."""
    return f"{ts} {level:<5} {LOGGERS.get(logger, logger):<60} [] - {msg}"


def stamp(line):
    return line[:23]


def fatal(ts, exception):
    return [log(ts, "ERROR", "entry", "Fatal error occurred in the cluster entrypoint."),
            exception,
            "\tat org.apache.flink.runtime.checkpoint.DefaultCompletedCheckpointStoreUtils.retrieveCompletedCheckpoint(DefaultCompletedCheckpointStoreUtils.java:146) ~[flink-dist.jar:?]"]


def crash_after(needle, ts, exception, last=True):
    """The process dies with a fatal error right after the (last) line containing `needle`:
    the log ends there."""
    def run(lines):
        idx = [i for i, l in enumerate(lines) if needle in l]
        if not idx:
            raise SystemExit(f"not found: {needle}")
        i = idx[-1] if last else idx[0]
        return lines[:i + 1] + fatal(ts, exception)
    return run


def insert_after(needle, new, last=False):
    def run(lines):
        idx = [i for i, l in enumerate(lines) if needle in l]
        if not idx:
            raise SystemExit(f"not found: {needle}")
        i = (idx[-1] if last else idx[0]) + 1
        return lines[:i] + new + lines[i:]
    return run


MISSING = ("java.io.FileNotFoundException: /opt/flink-lab/ha/lab/completedCheckpoint7a1f3c2b9d04 "
           "(No such file or directory)")
J_ZK = "01520cfd5912b5dc972dddae638a6a1b"
J_RESTART = "6cecd03fbdf46ddd31c32d9bdc34c1b5"
J_APP = "00000000372f21800000000000000000"

# FLINK-19154: the application-mode JobManager shuts down with status UNKNOWN and removes all HA data
# although its job was still running.
case("advice-flink-19154", "2.3.0/app-jm-restart",
     {0: lambda ls: ls[:-1] + [
         log("2026-12-01 09:19:54,070", "INFO", "entry",
             "Shutting StandaloneApplicationClusterEntryPoint down with application status UNKNOWN. "
             "Diagnostics Cluster entrypoint has been closed externally.."),
         log("2026-12-01 09:19:54,080", "INFO", "k8sha",
             "Clean up all data for KubernetesLeaderElectionHaServices."),
         log("2026-12-01 09:19:54,095", "INFO", "k8sha",
             "Finished cleaning up the high availability data.")] + ls[-1:]},
     "`ha-cleanup` FAIL (job 00000000): its HA data is cleaned up while it runs. The note: the "
     "signature of FLINK-19154 (affects 1.11.0-1.11.2).",
     "At the end of `flink-root-standalonejob-0-vm.log` (the killed JobManager) the lines `Shutting "
     "… down with application status UNKNOWN`, `Clean up all data for …` and `Finished cleaning up "
     "the high availability data.` are inserted.", corpus=K8S_APP)

# FLINK-25486: ZooKeeper SUSPENDED, the JobManager shuts down with status UNKNOWN, then deletes HA data.
case("advice-flink-25486", "1.20.5/zk-outage",
     {0: insert_after("down with application status UNKNOWN", [
         log("2026-11-25 13:04:37,390", "INFO", "zkha",
             f"Clean up the high availability data for job {J_ZK}.")])},
     "`ha-cleanup` FAIL (job 01520cfd): the HA data of a job that was only SUSPENDED is cleaned up "
     "after the shutdown with status UNKNOWN. The note: FLINK-25486 (affects <=1.14).",
     "In `flink-root-standalonesession-0-vm.log` a `Clean up the high availability data for job "
     "01520cfd…` line is inserted after `Shutting … down with application status UNKNOWN`.")


# FLINK-10052: SUSPENDED revokes leadership at once, although the connection comes back before the
# session is lost.
def reconnect_instead_of_lost(lines):
    out = []
    for l in lines:
        if "State change: LOST" in l:
            out.append(l.replace("State change: LOST", "State change: RECONNECTED"))
        elif "Connection to ZooKeeper lost" in l or "ZooKeeper connection LOST" in l:
            continue
        else:
            out.append(l)
    return out


case("advice-flink-10052", "1.20.5/zk-outage", {0: reconnect_instead_of_lost},
     "No new FAIL. The note on failover #1: FLINK-10052 (affects <=1.13): leadership was revoked "
     "on SUSPENDED although the connection came back (RECONNECTED) without being LOST.",
     "In `flink-root-standalonesession-0-vm.log` `State change: LOST` becomes `State change: "
     "RECONNECTED` and the drivers' `Connection to ZooKeeper lost` / `ZooKeeper connection LOST` "
     "lines are dropped.")

# FLINK-22494: a checkpoint failure, then the new leader crashes reading that checkpoint's files.
case("advice-flink-22494", "1.20.5/jm-restart",
     {0: insert_after("Completed checkpoint 11 for job", [
         log("2026-11-25 12:36:41,600", "WARN", "ckfail",
             f"Failed to trigger or complete checkpoint 12 for job {J_RESTART}. (0 consecutive failed attempts so far)")]),
      1: crash_after("Trying to retrieve checkpoint", "2026-11-25 12:36:55,900", MISSING)},
     "`jobs-recovered` / `recover-latest`: the new leader dies before it restores the job. The note "
     "on failover #2: FLINK-22494 (affects <=1.13.0).",
     "In `flink-root-standalonesession-0-vm.log` a `Failed to trigger or complete checkpoint 12` "
     "WARN is inserted after checkpoint 11 completed; `flink-root-standalonesession-1-vm.log` ends "
     "right after its last `Trying to retrieve checkpoint` with `Fatal error occurred in the "
     "cluster entrypoint.` and a `FileNotFoundException` of a `completedCheckpoint…` file.")

# FLINK-24543: a checkpoint failure during a ZooKeeper SUSPENDED, then the new leader crashes on it.
case("advice-flink-24543", "1.20.5/zk-outage",
     {0: insert_after("State change: SUSPENDED", [
         log("2026-11-25 13:04:18,000", "WARN", "ckfail",
             f"Failed to trigger or complete checkpoint 11 for job {J_ZK}. (0 consecutive failed attempts so far)")]),
      1: crash_after("Trying to retrieve checkpoint", "2026-11-25 13:04:50,100", MISSING)},
     "The new leader dies before it restores the job. The note on failover #2: FLINK-24543 "
     "(affects <=1.14.0).",
     "In `flink-root-standalonesession-0-vm.log` a `Failed to trigger or complete checkpoint 11` "
     "WARN is inserted after `State change: SUSPENDED`; `flink-root-standalonesession-1-vm.log` "
     "ends right after its last `Trying to retrieve checkpoint` with a fatal error "
     "(`FileNotFoundException` of a `completedCheckpoint…` file).")

# FLINK-28265: Kubernetes HA, the JobManagers crash-loop on a checkpoint whose files are gone.
case("advice-flink-28265", "2.3.0/double-failover",
     {1: crash_after("Trying to retrieve checkpoint", "2026-12-01 08:37:48,900", MISSING),
      2: crash_after("Trying to retrieve checkpoint", "2026-12-01 08:38:06,600", MISSING)},
     "The JobManagers die one after the other reading the same checkpoint. The note: FLINK-28265 "
     "(affects 1.13-1.15).",
     "`flink-root-standalonesession-1-vm.log` and `flink-root-standalonesession-2-vm.log` end "
     "right after their last `Trying to retrieve checkpoint` with a fatal error "
     "(`FileNotFoundException` of a `completedCheckpoint…` file).", corpus=K8S)

# FLINK-22014: the new leader crashes right after recovering the job graph (its blobs are gone).
case("advice-flink-22014", "1.20.5/jm-restart",
     {1: crash_after("Recovered JobGraph", "2026-11-25 12:36:55,400",
                     "java.io.FileNotFoundException: /opt/flink-lab/ha/lab/blob/job_6cecd03fbdf46ddd31c32d9bdc34c1b5/blob_p-9a3f0c2d1e4b5a6c7d8e9f0a1b2c3d4e5f6a7b8c-0f1e2d3c4b5a69788796a5b4c3d2e1f0 (No such file or directory)",
                     last=False)},
     "The new leader dies right after `Recovered JobGraph`. The note on failover #2: FLINK-22014 "
     "(affects <=1.12.2).",
     "`flink-root-standalonesession-1-vm.log` ends right after `Recovered JobGraph(jobId: "
     "6cecd03f…)` with a fatal error (`FileNotFoundException` of a job blob).")


# FLINK-34007: leadership lost and never granted again while the JobManager keeps running.
def never_again(lines):
    i = find(lines, "lost leadership")
    j = find(lines, "RECEIVED SIGNAL")
    drop = ("granted leadership", "New leader elected", "JobGraph", "job ids", "ecover", "heckpoint",
            "switched from", "Starting execution", "JobMaster", "Restoring", "Found ", "job graph",
            "Trying to")
    rest = [l for l in lines[i + 1:j] if not any(d in l for d in drop) and not l.startswith("\t")]
    return lines[:i + 1] + rest


case("advice-flink-34007", "1.20.5/api-outage", {0: never_again},
     "`jobs-recovered` UNKNOWN (no failover: nobody took over). The note: FLINK-34007 (affects "
     "1.18.0-1.18.1): leadership was revoked at 08:29:14 and never granted again while the "
     "JobManager kept logging.",
     "In `flink-root-standalonesession-0-vm.log`, after `lost leadership`, the re-election and "
     "everything the new term did (grants, `New leader elected`, job recovery, checkpoints, job "
     "states) are dropped, and the log ends before its SIGTERM: the JobManager keeps running "
     "without leadership.", corpus=K8S)

# FLINK-34518: a revocation, then the job is reported CANCELED (nobody cancelled it) and cleaned up.
case("advice-flink-34518", "1.20.5/jm-restart",
     {1: insert_after("switched from state CANCELLING to CANCELED", [
         log("2026-11-25 12:37:15,700", "INFO", "runner",
             f"JobMasterServiceLeadershipRunner for job {J_RESTART} was revoked leadership with leader id "
             "79f1aa78-d705-4f10-b2d4-cabd6801d714. Stopping current JobMasterServiceProcess.")])},
     "No new FAIL (the job is CANCELED, so its cleanup is due). The note on `ha-cleanup` (job "
     "6cecd03f): FLINK-34518 (affects <=1.18.1): the CANCELED state followed a revocation.",
     "In `flink-root-standalonesession-1-vm.log` a job master `was revoked leadership` line is "
     "inserted right before `Job 6cecd03f… reached terminal state CANCELED.`")

# FLINK-20417: Kubernetes HA, Flink warns that a non-leader confirmed a leader session.
case("advice-flink-20417", "1.20.5/happy",
     {1: insert_after("was granted leadership with leaderSessionID", [
         log("2026-12-01 08:21:59,500", "WARN", "les",
             "The leader session ID 7f3a9c1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b was confirmed even though the "
             "corresponding JobManager was not elected as the leader.")])},
     "No new FAIL. The note on `single-leader`: FLINK-20417 (affects 1.12.0-1.12.1).",
     "In `flink-root-standalonesession-1-vm.log` Flink's own warning `The leader session ID … was "
     "confirmed even though the corresponding JobManager was not elected as the leader.` is "
     "inserted after its leadership grant.", corpus=K8S)


# FLINK-30462: one process's REST endpoint and dispatcher are granted with different sessions.
def split_sessions(lines):
    i = find(lines, "DefaultDispatcherRunner was granted leadership with leader id")
    lines[i] = re.sub(r"leader id [0-9a-f-]{36}", "leader id 4d0c9a8b-7e6f-4a5b-9c8d-7e6f5a4b3c2d", lines[i])
    return lines


case("advice-flink-30462", "1.20.5/happy", {1: split_sessions},
     "The note on `single-leader`: FLINK-30462 (affects 1.15.0-1.16.1): the REST endpoint and the "
     "dispatcher of one process were granted with different session ids.",
     "In `flink-root-standalonesession-1-vm.log` the session id of `DefaultDispatcherRunner was "
     "granted leadership with leader id …` is replaced by another one.")

# FLINK-19358: application mode, job id of all zeros.
case("advice-flink-19358", "2.3.0/app-jm-restart",
     {0: sub_all(J_APP, "0" * 32), 1: sub_all(J_APP, "0" * 32)},
     "No FAIL. The note on `single-job`: FLINK-19358 (affects <=1.15): the job id is all zeros.",
     "In both logs the job id 00000000372f21800000000000000000 is replaced by "
     "00000000000000000000000000000000.", corpus=K8S_APP)


# FLINK-21351: a savepoint, then the new leader crashes restoring the latest checkpoint.
def savepoint_last(lines):
    i = max(k for k, l in enumerate(lines) if "Triggering checkpoint" in l)
    lines[i] = re.sub(r"\(type=CheckpointType\{name='Checkpoint'[^)]*\}\)",
                      "(type=SavepointType{name='Savepoint', postCheckpointAction=NONE, formatType=CANONICAL})",
                      lines[i])
    return lines


case("advice-flink-21351", "1.20.5/jm-restart",
     {0: savepoint_last,
      1: crash_after("Trying to retrieve checkpoint", "2026-11-25 12:36:55,900", MISSING)},
     "The new leader dies restoring the job. The note on failover #1: FLINK-21351 (affects <=1.12.1).",
     "In `flink-root-standalonesession-0-vm.log` the last `Triggering checkpoint` is a savepoint "
     "(`type=SavepointType{…}`); `flink-root-standalonesession-1-vm.log` ends right after its last "
     "`Trying to retrieve checkpoint` with a fatal error.")


# FLINK-25191: a savepoint becomes the failover's restore point.
def restore_savepoint(lines):
    i = find(lines, "Restoring job")
    lines[i] = lines[i].replace("from Checkpoint 12 @", "from Savepoint 12 @")
    return lines


def savepoint_12(lines):
    i = find(lines, "Triggering checkpoint 12 ")
    lines[i] = re.sub(r"\(type=CheckpointType\{name='Checkpoint'[^)]*\}\)",
                      "(type=SavepointType{name='Savepoint', postCheckpointAction=NONE, formatType=CANONICAL})",
                      lines[i])
    return lines


case("advice-flink-25191", "1.20.5/jm-restart", {0: savepoint_12, 1: restore_savepoint},
     "The note on `recover-latest` (job 6cecd03f): FLINK-25191 (affects <=1.14): the failover "
     "restored the job from savepoint 12.",
     "In `flink-root-standalonesession-0-vm.log` `Triggering checkpoint 12` is a savepoint; in "
     "`flink-root-standalonesession-1-vm.log` `Restoring job … from Checkpoint 12` becomes `… from "
     "Savepoint 12`.")

# --- single-job ----------------------------------------------------------------------------------------

J_SECOND = "5b1c0e2f7a4d4e8c9f6a3b2d1c0e9f8a"


def second_submission(ts_submit, ts_run, after):
    return insert_after(after, [
        log(ts_submit, "INFO", "disp", f"Received JobGraph submission 'HA-Lab-Counter' ({J_SECOND})."),
        log(ts_run, "INFO", "eg", f"Job HA-Lab-Counter ({J_SECOND}) switched from state CREATED to RUNNING.")])


case("single-job-twice", "2.3.0/app-jm-restart",
     {1: second_submission("2026-12-01 09:20:12,500", "2026-12-01 09:20:13,200",
                           f"Job HA-Lab-Counter ({J_APP}) switched from state CREATED to RUNNING.")},
     "`single-job` FAIL: after the restarted JobManager recovered job 00000000 of the application "
     "(`HA-Lab-Counter`), a second job of the same name with another id (5b1c0e2f) is submitted and "
     "RUNNING while the recovered one still runs.",
     "In `flink-root-standalonejob-1-vm.log` a `Received JobGraph submission 'HA-Lab-Counter' "
     "(5b1c0e2f…)` line (09:20:12.500) and its `switched from state CREATED to RUNNING` line "
     "(09:20:13.200) are inserted after the recovered job is RUNNING again.", corpus=K8S_APP)

case("single-job-session", "1.20.5/happy",
     {1: second_submission("2026-11-25 12:34:40,000", "2026-11-25 12:34:40,500",
                           "Job HA-Lab-Counter (17dbae1cf71efbf7ed4346261571f647) switched from state CREATED to RUNNING.")},
     "`single-job` PASS with a note: in a session cluster two jobs of one name may be intended.",
     "In `flink-root-standalonesession-1-vm.log` a second submission of `HA-Lab-Counter` with job "
     "id 5b1c0e2f… and its RUNNING line are inserted after the recovered job is RUNNING again.")
