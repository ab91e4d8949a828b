#!/usr/bin/env python3
"""Build the fuzz targets' seed corpora from the project's samples.

Run from anywhere: python3 fuzz/seed.py [FLINKHA_BINARY]. Writes fuzz/corpus/<target>/
(kept out of git): the seeds are derived, and fuzzing adds to the same directories.

- line: every grammar `sample` line, and the lines of samples/inputs/.
- grammar: the built-in grammar files.
- pipeline: slices of every real log (a mode byte first, see fuzz_targets/pipeline.rs),
  and the samples/inputs/ files whole.
- checker: the events of real logs (from `flinkha events`), encoded as the checker target
  decodes them; only when a flinkha binary is given or found.
"""
import glob
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")


def put(target, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def logs():
    for pat in ("samples/corpus*/*/*/*.log", "samples/seed/*.log", "samples/mutations/*/*.log"):
        yield from sorted(glob.glob(os.path.join(ROOT, pat)))


def seed_line():
    for g in sorted(glob.glob(os.path.join(ROOT, "grammars", "*.grammar"))):
        for l in open(g, encoding="utf-8"):
            l = l.strip()
            if l.startswith("sample"):
                put("line", l[len("sample"):].strip().encode())
    for f in sorted(glob.glob(os.path.join(ROOT, "samples", "inputs", "*"))):
        if os.path.isfile(f):
            with open(f, "rb") as fh:
                for l in fh.read().split(b"\n")[:200]:
                    if l:
                        put("line", l)


def seed_grammar():
    for g in sorted(glob.glob(os.path.join(ROOT, "grammars", "*.grammar"))):
        with open(g, "rb") as f:
            put("grammar", f.read())


def seed_pipeline():
    for n, f in enumerate(logs()):
        with open(f, "rb") as fh:
            data = fh.read()
        step = 8192
        for k, off in enumerate(range(0, len(data), step * 4)):
            put("pipeline", bytes([(n + k) % 64]) + data[off:off + step])
    for f in sorted(glob.glob(os.path.join(ROOT, "samples", "inputs", "*"))):
        if os.path.isfile(f) and os.path.getsize(f) < 200_000:
            with open(f, "rb") as fh:
                put("pipeline", b"\x00" + fh.read())


KINDS = ["process_started", "process_stopping", "leader_elector_created", "leader_elected",
         "leadership_granted", "leadership_revoked", "ha_connection", "job_graphs_retrieved",
         "job_recovery_started", "job_graph_recovered", "job_graphs_recovered_count",
         "job_recovery_skipped", "job_submitted", "job_master_started", "job_state",
         "job_terminal", "checkpoint_triggered", "checkpoint_completed", "checkpoint_failed",
         "checkpoints_found", "checkpoint_retrieving", "checkpoint_restored",
         "no_checkpoint_to_restore", "checkpoint_id_reset", "job_from_savepoint",
         "ha_cleanup_started", "ha_cleanup_finished", "ha_cleanup_all", "job_graph_removed",
         "job_graph_released", "taskmanager_registered", "taskmanager_lost", "leader_conflict",
         "log_end"]
STATES = ["CREATED", "RUNNING", "RESTARTING", "FAILING", "SUSPENDED", "CANCELLING", "CANCELED",
          "FINISHED", "FAILED"]
COMPONENTS = ["rest", "dispatcher", "resourcemanager", "jobmaster"]


def encode(events):
    """Six bytes per event, as fuzz_targets/checker.rs decodes them."""
    from datetime import datetime
    out = bytearray([2, 0])
    sources, jobs, sessions = {}, {}, {}
    prev = None
    for e in events:
        k = KINDS.index(e["kind"]) if e["kind"] in KINDS else 0
        s = sources.setdefault(e["source"], len(sources)) % 3
        t = datetime.fromisoformat(e["ts"].replace("Z", "+00:00")).timestamp()
        dt = 0 if prev is None else int((t - prev) * 1000 / 41)
        prev = t if prev is None else prev + dt * 0.041
        dt = max(0, min(255, dt + 48))
        job = jobs.setdefault(e.get("job", ""), len(jobs)) % 3
        b3, b5 = 0, 0
        if "component" in e:
            b3 = COMPONENTS.index(e["component"]) if e["component"] in COMPONENTS else 4
            b3 |= (sessions.setdefault(e.get("session", ""), len(sessions)) % 3) << 3
            b5 = 1 if "job" in e else 0
        if "from" in e and "to" in e:
            f = STATES.index(e["from"]) if e["from"] in STATES else 0
            to = STATES.index(e["to"]) if e["to"] in STATES else 0
            b5 = f | (to << 4)
        if "checkpoint" in e:
            b5 = e["checkpoint"] % 32
            b3 = 2 if e.get("savepoint") else 0
        if "jobs" in e:
            b5 = sum(1 << (jobs.setdefault(j, len(jobs)) % 3) for j in e["jobs"])
        if "state" in e and e["state"] in STATES:
            b5 = STATES.index(e["state"])
        out += bytes([k, s, dt, b3, job, b5])
    return bytes(out)


def seed_checker(binary):
    for d in sorted({os.path.dirname(f) for f in logs()}):
        r = subprocess.run([binary, "events", "--no-progress", d], capture_output=True)
        if r.returncode != 0:
            continue
        events = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
        data = encode(events)
        for off in range(0, len(data) - 2, 6 * 400):
            put("checker", data[:2] + data[2 + off:2 + off + 6 * 400])


def main():
    seed_line()
    seed_grammar()
    seed_pipeline()
    binary = sys.argv[1] if len(sys.argv) > 1 else None
    if binary:
        seed_checker(binary)
    else:
        put("checker", bytes(8))
    for t in sorted(os.listdir(OUT)):
        print(f"seed: {t}: {len(os.listdir(os.path.join(OUT, t)))} files")


main()
