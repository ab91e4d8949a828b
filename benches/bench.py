#!/usr/bin/env python3
"""Run flinkha and the grep baselines on generated JobManager logs; print the figures and the
issue-9 targets (PASS / MISS with the measured ratios).

Standard library only. Every command of one log runs RUNS times, the commands alternating
(check, grep, check, grep, ...), so that a machine whose load changes slows all of them alike;
figures are medians. Wall time is measured around each run; CPU time and peak RSS of the
measured process come from wait4 (for `cat FILE | CMD`: of CMD alone).

    bench.py --bin BIN --log LOG [--log LOG ...] [--runs 5] [--corpus DIR] [--small LOG]
"""

import argparse
import hashlib
import os
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time

GREP = "Completed checkpoint"


GNU_TIME = "/usr/bin/time"


def run_once(argv, stdin_path=None, stdout_path=os.devnull, pipe_from=None, env=None, rss=False):
    """Run argv once: (wall s, cpu s, max rss KiB or 0, exit code) of argv's own process.

    The peak RSS comes from GNU time wrapped around argv (wait4's would count the forked
    image of this Python process); without it, or without `rss`, it is 0."""
    out = open(stdout_path, "wb")
    err = tempfile.TemporaryFile()
    rss_file = None
    if rss and os.access(GNU_TIME, os.X_OK):
        fd, rss_file = tempfile.mkstemp(prefix="flinkha-bench-rss.")
        os.close(fd)
        argv = [GNU_TIME, "-f", "%M", "-o", rss_file] + argv
    t0 = time.perf_counter()
    feeder = None
    if pipe_from is not None:
        feeder = subprocess.Popen(["cat", pipe_from], stdout=subprocess.PIPE)
        stdin = feeder.stdout
    elif stdin_path is not None:
        stdin = open(stdin_path, "rb")
    else:
        stdin = subprocess.DEVNULL
    p = subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=err, env=env)
    if feeder is not None:
        feeder.stdout.close()
    _, status, ru = os.wait4(p.pid, 0)
    if feeder is not None:
        feeder.wait()
    wall = time.perf_counter() - t0
    out.close()
    code = os.waitstatus_to_exitcode(status)
    maxrss = 0
    if rss_file is not None:
        with open(rss_file) as f:
            last = [l for l in f.read().split() if l.isdigit()]
        os.unlink(rss_file)
        maxrss = int(last[-1]) if last else 0
    if code not in (0, 1):
        err.seek(0)
        msg = err.read().decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(argv)} exited {code}:\n{msg}")
    return wall, ru.ru_utime + ru.ru_stime, maxrss, code


class Cmd:
    def __init__(self, name, argv, pipe_from=None, shell=False):
        self.name, self.argv, self.pipe_from, self.shell = name, argv, pipe_from, shell
        self.walls, self.cpus, self.rss = [], [], 0

    def run(self):
        argv = ["bash", "-c", self.argv] if self.shell else self.argv
        fd, path = tempfile.mkstemp(prefix="flinkha-bench-out.")
        os.close(fd)
        try:
            wall, cpu, rss, _ = run_once(argv, stdout_path=path, pipe_from=self.pipe_from, rss=True)
        finally:
            os.unlink(path)
        self.walls.append(wall)
        self.cpus.append(cpu)
        self.rss = max(self.rss, rss)

    @property
    def wall(self):
        return statistics.median(self.walls)

    @property
    def cpu(self):
        return statistics.median(self.cpus)


def mib(n):
    return n / 1048576


def verdict(ok):
    return "PASS" if ok else "MISS"


def bench_log(binary, log, runs, job):
    size = os.path.getsize(log)
    e2e = (
        f'grep -E -o "Completed checkpoint [1-9]* for job {job}" "{log}" | wc -l;'
        f' grep -c "Recovered JobGraph" "{log}"; grep -c "Completed checkpoint" "{log}";'
        f' grep -c "Found [[:digit:]]\\+ checkpoints in ZooKeeper" "{log}";'
        f' grep -c -E "Restoring job {job} from Checkpoint" "{log}"; true'
    )
    cmds = [
        Cmd("flinkha check FILE", [binary, "check", "--no-progress", log]),
        Cmd(f"grep -c '{GREP}' FILE", ["grep", "-c", GREP, log]),
        Cmd("cat FILE | flinkha check", [binary, "check", "--no-progress"], pipe_from=log),
        Cmd(f"cat FILE | grep -c '{GREP}'", ["grep", "-c", GREP], pipe_from=log),
        Cmd("flinkha events FILE > /dev/null", [binary, "events", "--no-progress", log]),
        Cmd("cat FILE | flinkha events > /dev/null", [binary, "events", "--no-progress"], pipe_from=log),
        Cmd("e2e HA grep pipeline (5 greps)", e2e, shell=True),
        Cmd("wc -l FILE", ["wc", "-l", log]),
    ]
    print(f"== {log}: {size} bytes ({mib(size):.1f} MiB); {runs} runs each, alternating")
    for r in range(runs):
        for c in cmds:
            c.run()
        print(f"   run {r + 1}: " + "  ".join(f"{c.walls[-1]:.2f}" for c in cmds), flush=True)
    return size, {c.name: c for c in cmds}


def table(size, cmds):
    g = cmds[f"grep -c '{GREP}' FILE"].wall
    print(f"   {'command':<40} {'wall s':>8} {'MiB/s':>7} {'x grep-c':>8} {'CPU s':>7} {'CPU MiB/s':>9} {'RSS MiB':>8}")
    for c in cmds.values():
        print(
            f"   {c.name:<40} {c.wall:8.3f} {mib(size) / c.wall:7.0f} {c.wall / g:8.2f}"
            f" {c.cpu:7.3f} {mib(size) / max(c.cpu, 1e-9):9.0f} {c.rss / 1024:8.1f}"
        )


def events_digest(argv):
    """(sha256 hex, bytes, lines) of what argv writes to stdout, streamed."""
    h, n, lines = hashlib.sha256(), 0, 0
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    while True:
        b = p.stdout.read(1 << 20)
        if not b:
            break
        h.update(b)
        n += len(b)
        lines += b.count(b"\n")
    if p.wait() != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {p.returncode}")
    return h.hexdigest(), n, lines


def same_events(binary, log):
    """Whether `flinkha events` (and `--unmatched`) print the same bytes with the hand
    matchers and with --regex-only on log: [(what, same, fast digest, regex digest)]."""
    out = []
    for extra in ([], ["--unmatched"]):
        base = [binary, "events", "--no-progress"] + extra
        fast = events_digest(base + [log])
        regex = events_digest(base + ["--regex-only", log])
        out.append((" ".join(["events"] + extra), fast == regex, fast, regex))
    return out


def startup(binary, corpus, runs):
    res = {}
    for name, argv in [
        ("empty input", [binary, "check", "--no-progress", os.devnull]),
        (f"{corpus}", [binary, "check", "--no-progress", corpus]),
    ]:
        walls, cpus = [], []
        for _ in range(runs):
            w, c, _, _ = run_once(argv)
            walls.append(w)
            cpus.append(c)
        res[name] = (statistics.median(walls), statistics.median(cpus))
    return res


def kubectl_stream(scenario):
    """The logs of a scenario directory as `kubectl logs --prefix --timestamps` of its pods
    writes them: records of all pods in time order, each line prefixed with its pod and the
    kubelet's instant (as tests/common's `kubectl_stream` builds it)."""
    names = sorted(n for n in os.listdir(scenario) if n.endswith(".log"))
    records = []
    for pod, name in enumerate(names):
        with open(os.path.join(scenario, name), encoding="utf-8", errors="replace") as f:
            for line in f.read().splitlines():
                starts = len(line) > 23 and line[0].isdigit() and line[4] == "-"
                if not starts and records and records[-1][1] == pod:
                    records[-1][2].append(line)
                elif not starts:
                    records.append(("", pod, [line]))
                else:
                    records.append((line[:23], pod, [line]))
    records.sort(key=lambda r: r[0])
    out = []
    for ts, pod, lines in records:
        kube = f"{ts[:10]}T{ts[11:19]}.{ts[20:23]}000000Z" if ts else "2026-11-25T00:00:00.000000000Z"
        out.extend(f"[pod/flink-jm-{pod}/flink-main-container] {kube} {l}\n".encode() for l in lines)
    return out


def first_output(argv, lines, k, want, settle=0.3, timeout=5.0):
    """Feed lines[:k] to argv's standard input (a pipe kept open), let it settle, then write
    line k alone: seconds from that write until `want` appears on argv's standard output.
    None when it does not within `timeout`, or when it appeared before line k was written
    (then line k is not what printed it)."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    fd, seen = p.stdout.fileno(), b""
    try:
        p.stdin.write(b"".join(lines[:k]))
        p.stdin.flush()
        end = time.monotonic() + settle
        while (left := end - time.monotonic()) > 0:
            if select.select([fd], [], [], left)[0]:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return None
                seen += chunk
        if want in seen:
            return None
        t0 = time.perf_counter()
        p.stdin.write(lines[k])
        p.stdin.flush()
        seen = seen[-len(want):]
        while select.select([fd], [], [], timeout)[0]:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            seen += chunk
            if want in seen:
                return time.perf_counter() - t0
        return None
    finally:
        p.kill()
        p.wait()
        p.stdin.close()
        p.stdout.close()


def follow_latency(binary, scenario, trigger, runs):
    """(flinkha's, grep's) medians in seconds (None: not seen) of the time from the line
    holding `trigger` being written to a pipe until `flinkha check --follow` prints its FAIL,
    and until `grep --line-buffered` prints the line itself, alternating runs."""
    lines = kubectl_stream(scenario)
    k = next(i for i, l in enumerate(lines) if trigger.encode() in l)
    fl, gr = [], []
    for _ in range(runs):
        fl.append(first_output([binary, "check", "--follow", "--no-progress"], lines, k, b"FAIL"))
        gr.append(first_output(["grep", "--line-buffered", trigger], lines, k, trigger.encode()))
    med = lambda xs: None if None in xs else statistics.median(xs)
    return med(fl), med(gr)


def callgrind(argv):
    """Instructions executed (callgrind's `Collected`), or None without valgrind."""
    try:
        p = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    except FileNotFoundError:
        return None
    m = re.search(r"Collected\s*:\s*([0-9]+)", p.stderr)
    return int(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--log", action="append", required=True, help="a generated log (repeatable: several sizes)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", default="samples/corpus-k8s/2.3.0", help="a real corpus set for the start figure")
    ap.add_argument("--start-runs", type=int, default=41)
    ap.add_argument("--small", help="a small generated log for callgrind instruction counts")
    ap.add_argument("--job", default="", help="the job id, for the e2e greps")
    ap.add_argument("--follow-scenario", default="samples/mutations/restore-older",
                    help="a scenario directory whose kubectl stream holds a line that makes a FAIL")
    ap.add_argument("--follow-trigger", default="from Checkpoint 14 @",
                    help="text of the line of --follow-scenario that makes the FAIL")
    ap.add_argument("--follow-runs", type=int, default=11)
    ap.add_argument("--verify-max", type=int, default=1 << 30,
                    help="compare fast and --regex-only events on logs up to this many bytes")
    a = ap.parse_args()

    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"== machine: {os.cpu_count()} CPUs, load average {load}")

    results = [bench_log(a.bin, log, a.runs, a.job) for log in a.log]
    for size, cmds in results:
        print(f"\n== results: {mib(size):.1f} MiB, median of {a.runs}, LC_ALL=C")
        table(size, cmds)

    st = startup(a.bin, a.corpus, a.start_runs)
    corpus_bytes = sum(
        os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(a.corpus) for f in fs if not f.endswith(".md")
    )
    print(f"\n== start ({a.start_runs} runs, median wall / CPU)")
    for name, (w, c) in st.items():
        print(f"   flinkha check {name:<40} {w * 1000:7.1f} ms  {c * 1000:6.1f} ms CPU")

    if a.small:
        print(f"\n== instructions (valgrind --tool=callgrind), {a.small}: {os.path.getsize(a.small)} bytes")
        for name, argv in [
            ("check on empty input", [a.bin, "check", "--no-progress", os.devnull]),
            ("check FILE", [a.bin, "check", "--no-progress", a.small]),
            ("events FILE", [a.bin, "events", "--no-progress", a.small]),
        ]:
            n = callgrind(argv)
            print(f"   flinkha {name:<24} " + ("valgrind not installed" if n is None else f"{n:,} instructions"))

    follow = None
    if a.follow_runs > 0 and os.path.isdir(a.follow_scenario):
        follow = follow_latency(a.bin, a.follow_scenario, a.follow_trigger, a.follow_runs)
        ms = lambda x: "not seen" if x is None else f"{x * 1000:.2f} ms"
        print(f"\n== --follow latency ({a.follow_runs} runs, median): from writing the line"
              f" '{a.follow_trigger}' of {a.follow_scenario} to a pipe")
        print(f"   flinkha check --follow, until its FAIL is printed   {ms(follow[0])}")
        print(f"   grep --line-buffered, until the line is printed    {ms(follow[1])}")

    verified = []
    for log in a.log:
        if os.path.getsize(log) <= a.verify_max:
            print(f"\n== fast matchers vs --regex-only on {log}", flush=True)
            try:
                compared = same_events(a.bin, log)
            except RuntimeError as e:
                print(f"   not compared: {e}")
                compared = []
            for what, same, fast, regex in compared:
                print(f"   {what:<20} fast {fast[0][:16]} {fast[1]} bytes {fast[2]} lines; regex {regex[0][:16]} {regex[1]} bytes")
                verified.append((log, what, same, fast))

    print("\n== targets")
    for log, what, same, fast in verified:
        print(f"{'PASS' if same else 'FAIL'}  same {what} output, byte for byte, with --regex-only on {mib(os.path.getsize(log)):.0f} MiB: {fast[2]} lines")
    rss = []
    for size, cmds in results:
        s = f"{mib(size):.0f} MiB"
        c, g = cmds["flinkha check FILE"], cmds[f"grep -c '{GREP}' FILE"]
        print(f"{verdict(c.wall <= 1.5 * g.wall)}  flinkha check <= 1.5x grep -c at {s}: {c.wall / g.wall:.2f}x ({c.wall:.3f} s vs {g.wall:.3f} s)")
        p, pg = cmds["cat FILE | flinkha check"], cmds[f"cat FILE | grep -c '{GREP}'"]
        rate = mib(size) / max(p.cpu, 1e-9)
        print(f"{verdict(rate >= 1024)}  cat FILE | flinkha check >= 1 GiB/s of flinkha CPU at {s}: {rate:.0f} MiB/s ({p.cpu:.3f} CPU s)")
        print(f"{verdict(p.wall <= 2 * pg.wall)}  cat FILE | flinkha check <= 2x cat FILE | grep -c wall at {s}: {p.wall / pg.wall:.2f}x ({p.wall:.3f} s vs {pg.wall:.3f} s)")
        worst = max(cmds[n].rss for n in cmds if n.startswith("flinkha") or "| flinkha" in n)
        rss.append((size, worst))
        print(f"{verdict(worst <= 64 * 1024)}  peak RSS of flinkha <= 64 MiB at {s}: {worst / 1024:.1f} MiB")
    if len(results) > 1:
        lo, hi = results[0], results[-1]
        per = [cmds["flinkha check FILE"].wall / mib(size) for size, cmds in (lo, hi)]
        print(f"{verdict(per[1] <= 1.2 * per[0])}  cost linear in the input: {per[0] * 1000:.3f} ms/MiB at {mib(lo[0]):.0f} MiB, {per[1] * 1000:.3f} ms/MiB at {mib(hi[0]):.0f} MiB")
        r0, r1 = rss[0][1], rss[-1][1]
        print(f"{verdict(r1 <= r0 * 1.25 + 1024)}  peak RSS flat: {r0 / 1024:.1f} MiB at {mib(rss[0][0]):.0f} MiB, {r1 / 1024:.1f} MiB at {mib(rss[-1][0]):.0f} MiB")
    if follow is not None:
        fw, gw = follow
        ratio = "" if fw is None or not gw else f", {fw / gw:.1f}x grep --line-buffered ({gw * 1000:.2f} ms)"
        shown = "never" if fw is None else f"{fw * 1000:.2f} ms"
        print(f"{verdict(fw is not None and fw <= 0.010)}  --follow prints a FAIL <= 10 ms after its line: {shown}{ratio}")
    (ew, _), (cw, _) = st["empty input"], st[a.corpus]
    print(f"{verdict(ew <= 0.005)}  flinkha check on empty input <= 5 ms: {ew * 1000:.1f} ms")
    print(f"{verdict(cw <= 0.010)}  flinkha check on {a.corpus} ({corpus_bytes // 1000} kB) <= 10 ms: {cw * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
