#!/usr/bin/env python3
"""Check a log written by genlog.py and compare its shape with real JobManager logs.

    python3 benches/shape.py GENERATED.log [REAL.log ...]

For every file: size, records, share of bytes on continuation lines (stack traces and other
multi-line records), line-length percentiles, levels, the busiest loggers and how often the
key HA messages occur per MiB. For the first file also the generator's promises, exit status
1 if one is broken: timestamps strictly increasing; `Triggering checkpoint` ids strictly
increasing; each `Completed checkpoint` completes the checkpoint triggered last; every
`Restoring job ... from Checkpoint N @ E` names the latest completed checkpoint and its
trigger time; every leaderSessionID fresh.
"""

import collections
import re
import sys

HEAD = re.compile(rb"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\w+) +(\S+) +\[")
KEYS = [
    b"Completed checkpoint", b"Triggering checkpoint", b"was granted leadership", b"Retrieved job ids",
    b"Recovered JobGraph", b"Restoring job", b"switched from state", b"switched from ", b"Caused by:",
    b"Starting StandaloneSessionClusterEntrypoint", b"RECEIVED SIGNAL",
]
TRIG = re.compile(rb"Triggering checkpoint (\d+) \(type=.*\) @ (\d+) for job")
DONE = re.compile(rb"Completed checkpoint (\d+) for job")
RESTORE = re.compile(rb"Restoring job \w+ from Checkpoint (\d+) @ (\d+)")
GRANT = re.compile(rb"granted leadership with leaderSessionID=(\S+)")


def shape(path, verify):
    lines = size = cont = 0
    lens = []
    levels = collections.Counter()
    loggers = collections.Counter()
    keys = collections.Counter()
    problems = []
    prev_ts = b""
    last_trig = last_done = 0
    trig_epoch = {}
    restores = 0
    sessions = set()
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            lines += 1
            size += len(line)
            lens.append(len(line))
            for k in KEYS:
                if k in line:
                    keys[k] += 1
            m = HEAD.match(line)
            if not m:
                cont += len(line)
                continue
            levels[m.group(2)] += 1
            loggers[m.group(3)] += 1
            if not verify:
                continue
            if m.group(1) <= prev_ts and len(problems) < 20:
                problems.append("%d: timestamp not after the previous record's" % n)
            prev_ts = m.group(1)
            t = TRIG.search(line)
            if t:
                cid = int(t.group(1))
                if cid <= last_trig:
                    problems.append("%d: triggered checkpoint %d after %d" % (n, cid, last_trig))
                last_trig = cid
                trig_epoch[cid] = int(t.group(2))
                continue
            d = DONE.search(line)
            if d:
                cid = int(d.group(1))
                if cid <= last_done or cid != last_trig:
                    problems.append("%d: completed %d (last completed %d, last triggered %d)" % (n, cid, last_done, last_trig))
                last_done = cid
                continue
            r = RESTORE.search(line)
            if r:
                restores += 1
                if int(r.group(1)) != last_done or int(r.group(2)) != trig_epoch.get(last_done):
                    problems.append("%d: restored %s, latest completed is %d" % (n, r.group(1).decode(), last_done))
                continue
            g = GRANT.search(line)
            if g:
                if g.group(1) in sessions:
                    problems.append("%d: leaderSessionID %s reused" % (n, g.group(1).decode()))
                sessions.add(g.group(1))
    lens.sort()
    mib = size / 1048576 or 1.0
    records = sum(levels.values())
    print("== %s" % path)
    print("   %.1f MiB, %d lines, %d records, %.1f%% of bytes on continuation lines, %.0f bytes/line"
          % (size / 1048576, lines, records, 100.0 * cont / max(size, 1), size / max(lines, 1)))
    print("   line length: " + " ".join("p%s=%d" % (p, lens[min(len(lens) - 1, int(len(lens) * p / 100))])
                                          for p in (10, 25, 50, 75, 90, 99, 99.9)) if lens else "   (empty)")
    print("   levels: " + ", ".join("%s %.1f%%" % (k.decode(), 100.0 * v / max(records, 1)) for k, v in levels.most_common()))
    print("   top loggers: " + ", ".join("%s %.1f%%" % (k.decode().rsplit(".", 1)[-1], 100.0 * v / max(records, 1))
                                         for k, v in loggers.most_common(8)))
    print("   per MiB: " + ", ".join("'%s' %.1f" % (k.decode(), keys[k] / mib) for k in KEYS))
    if verify:
        print("   checkpoints 1..%d triggered, %d restores, %d leader sessions" % (last_trig, restores, len(sessions)))
        if problems:
            print("   BROKEN:")
            for p in problems[:20]:
                print("     " + p)
        else:
            print("   OK: timestamps strictly increasing, checkpoint ids increasing, every restore is the latest, sessions fresh")
    return not problems


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    ok = shape(argv[0], True)
    for p in argv[1:]:
        shape(p, False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
