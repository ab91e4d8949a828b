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
OUT = "samples/mutations"


def read(scenario, n):
    path = f"{CORPUS}/{scenario}/flink-root-standalonesession-{n}-vm.log"
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


def case(name, scenario, changes, expect, what):
    """changes: {jm index: function(lines) -> lines}"""
    d = f"{OUT}/{name}"
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    src = f"{CORPUS}/{scenario}"
    for fn in sorted(os.listdir(src)):
        if not fn.endswith(".log"):
            continue
        n = int(re.search(r"standalonesession-(\d+)", fn).group(1))
        lines = read(scenario, n)
        if n in changes:
            new = changes[n](list(lines))
            assert new != lines, f"{name}: mutation of {fn} changed nothing"
            lines = new
        with open(f"{d}/{fn}", "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
    with open(f"{d}/MANIFEST.md", "w", encoding="utf-8") as f:
        f.write(f"# Mutation `{name}` of the real `{scenario}` logs\n\n{what}\n\n"
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
