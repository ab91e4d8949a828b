#!/usr/bin/env python3
"""Regenerate the input-form samples from the real corpus (shared/corpus).

Every sample is made of real Flink 1.20.5 JobManager log lines, re-rendered in another input
form: collapsed padding, log4j JSON layouts (ECS and classic), kubectl --prefix /
--timestamps decorations, multi-pod kubectl streams. Run from the repository root:

    python3 samples/inputs/generate.py /work/shared/corpus
"""
import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

CORPUS = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus")
OUT = Path(__file__).resolve().parent
HEAD = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) (\w+)\s+(\S+)\s+\[\] - (.*)$")


def excerpt(rel, ranges):
    lines = (CORPUS / rel).read_text().split("\n")
    out = []
    for a, b in ranges:
        out.extend(lines[a - 1 : b])
    return out


def records(lines):
    """(ts, millis, level, logger, message, continuation lines) per record."""
    recs = []
    for l in lines:
        m = HEAD.match(l)
        if m:
            recs.append([m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), []])
        elif recs:
            recs[-1][5].append(l)
    return recs


def instant(ts, ms):
    d = datetime.strptime(ts, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    return int(d.timestamp()), int(ms)


def write(name, lines):
    (OUT / name).write_text("\n".join(lines) + "\n")


def is_stack(cont):
    return bool(cont) and re.match(r"^[\w.$]+(Exception|Error)\b", cont[0]) is not None


def ecs(recs):
    out = []
    for i, (ts, ms, lvl, logger, msg, cont) in enumerate(recs):
        o = {"@timestamp": ts.replace(" ", "T") + "." + ms + "Z", "ecs.version": "1.2.0"}
        if i % 3 == 2:  # nested form
            o["log"] = {"level": lvl, "logger": logger}
        else:
            o["log.level"] = lvl
        o["message"] = msg if is_stack(cont) or not cont else "\n".join([msg] + cont)
        o["process.thread.name"] = "main"
        if i % 3 != 2:
            o["log.logger"] = logger
        if is_stack(cont):
            o["error.type"] = cont[0].split(":")[0]
            o["error.message"] = cont[0].partition(": ")[2]
            o["error.stack_trace"] = "\n".join(cont)
        out.append(json.dumps(o, separators=(",", ":")))
    return out


def classic(recs):
    out = []
    for i, (ts, ms, lvl, logger, msg, cont) in enumerate(recs):
        secs, millis = instant(ts, ms)
        o = {}
        if i % 4 == 3:
            o["timeMillis"] = secs * 1000 + millis
        else:
            o["instant"] = {"epochSecond": secs, "nanoOfSecond": millis * 1_000_000}
        o.update({"thread": "main", "level": lvl, "loggerName": logger})
        o["message"] = msg if is_stack(cont) or not cont else "\n".join([msg] + cont)
        if is_stack(cont):
            o["thrown"] = {
                "commonElementCount": 0,
                "localizedMessage": cont[0].partition(": ")[2],
                "message": cont[0].partition(": ")[2],
                "name": cont[0].split(":")[0],
                "extendedStackTrace": [{"class": c.strip()[3:]} for c in cont[1:]],
            }
        o.update({"endOfBatch": False, "loggerFqcn": "org.apache.logging.slf4j.Log4jLogger",
                  "threadId": 1, "threadPriority": 5})
        out.append(json.dumps(o, separators=(",", ":")))
    return out


def kube_ts(ts, ms, lag_ns):
    """The kubelet's RFC3339NanoFixed stamp: the log instant plus a small delivery lag."""
    total = int(ms) * 1_000_000 + lag_ns
    return "%sT%s.%09dZ" % (ts[:10], ts[11:19], total)


def decorate(lines, pod=None, lag_ns=None):
    out, last = [], None
    for l in lines:
        m = HEAD.match(l)
        if m:
            last = (m.group(1), m.group(2))
        s = l
        if lag_ns is not None and last is not None:
            s = kube_ts(last[0], last[1], lag_ns) + " " + s
        if pod is not None:
            s = "[pod/%s/flink-main-container] %s" % (pod, s)
        out.append(s)
    return out


def main():
    jm0 = excerpt("1.20.5/jm-restart/flink-root-standalonesession-0-vm.log",
                  [(1, 12), (151, 151), (225, 300), (355, 393)])
    jm1 = excerpt("1.20.5/jm-restart/flink-root-standalonesession-1-vm.log",
                  [(151, 151), (260, 320), (353, 430)])
    write("jm0.log", jm0)
    write("jm1.log", jm1)
    write("collapsed.log", [re.sub(r"^(\S+ \S+) (\w+)\s+(\S+)\s+\[\] - ", r"\1 \2 \3 [] - ", l) for l in jm0])
    write("ecs.jsonl", ecs(records(jm0)))
    write("classic.json", classic(records(jm0)))
    write("kubectl-prefix.log", decorate(jm0, pod="flink-jm-0"))
    write("kubectl-timestamps.log", decorate(jm0, lag_ns=123_456))
    write("kubectl-both.log", decorate(jm0, pod="flink-jm-0", lag_ns=123_456))
    write("stacktrace.log", excerpt("1.20.5/zk-outage/flink-root-standalonesession-0-vm.log", [(385, 450)]))

    # Two JobManagers of the `happy` scenario running at the same time (leader a, standby b).
    a = excerpt("1.20.5/happy/flink-root-standalonesession-0-vm.log", [(52, 52), (151, 151), (260, 300), (355, 403)])
    b = excerpt("1.20.5/happy/flink-root-standalonesession-1-vm.log", [(52, 52), (151, 151), (240, 300), (360, 400)])
    da = decorate(a, pod="flink-jm-a", lag_ns=1_000)
    db = decorate(b, pod="flink-jm-b", lag_ns=1_000)
    # kubectl logs -l ... --prefix --timestamps (no -f): one pod after the other.
    write("multipod-sequential.log", db + da)
    # kubectl logs -f -l ...: interleaved in arrival order, roughly by time; b's lines arrive
    # up to 300 ms late, so the stream is not exactly ordered.
    def key(l, late):
        t = l.split("] ", 1)[1].split(" ", 1)[0]
        d = datetime.strptime(t[:26], "%Y-%m-%dT%H:%M:%S.%f").timestamp()
        return d + late
    merged = sorted([(key(l, 0.0), 0, i, l) for i, l in enumerate(da)] +
                    [(key(l, 0.3), 1, i, l) for i, l in enumerate(db)])
    write("multipod-interleaved.log", [m[3] for m in merged])

    # Directory input: logs (one nested), plus files that must be skipped.
    d = OUT / "dir"
    (d / "nested").mkdir(parents=True, exist_ok=True)
    write("dir/jm0.log", jm0[:40])
    write("dir/nested/jm1.log.1", jm1[:20])
    write("dir/.hidden.log", ["2026-11-25 12:36:05,095 INFO  x.Y [] - must not be read"])
    write("dir/README.md", ["not a log"])


if __name__ == "__main__":
    main()
