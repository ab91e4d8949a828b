#!/usr/bin/env python3
"""flinkha's end-to-end tests: real Flink clusters on loopback, real failures, flinkha's verdicts
on the logs they just wrote. See tests/e2e/README.md.

    python3 tests/e2e/run.py                       # the CI scenario (jm-kill-restart, Flink 1.20.5)
    python3 tests/e2e/run.py --all                 # every scenario
    python3 tests/e2e/run.py --flink 2.3.0 sigterm zk-outage
    python3 tests/e2e/run.py --list
"""

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import distro  # noqa: E402
import verdict  # noqa: E402
from cluster import Cluster  # noqa: E402
from errors import InfraError, VerdictError  # noqa: E402
from scenarios import CI_SCENARIO, SCENARIOS, Truth  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEFAULT_FLINK = "1.20.5"
TAIL_LINES = 200


def say(msg: str) -> None:
    print(msg, flush=True)


def default_binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    return target / "debug" / "flinkha"


class Interrupted(BaseException):
    """SIGTERM / SIGHUP of the driver: unwinds like Ctrl-C so that every process is stopped."""


def _on_signal(signum, _frame):
    raise Interrupted(f"signal {signum}")


def dump_logs(run_dir: Path) -> None:
    """Prints what a failed run left behind, so that CI's output carries it."""
    say(f"---- logs of the failed run (kept in {run_dir}) ----")
    for name in ("actions.log", "check.txt", "check.stderr", "timeline.txt"):
        p = run_dir / name
        if p.exists():
            say(f"==== {name}")
            say(p.read_text(errors="replace").rstrip())
    for p in sorted((run_dir / "logs").rglob("*")):
        if p.is_file() and p.stat().st_size > 0:
            lines = p.read_text(errors="replace").splitlines()
            say(f"==== {p.relative_to(run_dir)} ({len(lines)} lines; last {min(len(lines), TAIL_LINES)})")
            say("\n".join(lines[-TAIL_LINES:]))
    say("---- end of logs ----")


def attempt(name: str, version: str, home: Path, jar: Path, binary: Path, run_dir: Path) -> None:
    """One run of one scenario; raises InfraError or VerdictError."""
    scenario = SCENARIOS[name]
    cluster = Cluster(home, version, run_dir, scenario.ha, say)
    truth = Truth()
    try:
        cluster.act(f"=== scenario {name}, Flink {version}, HA {scenario.ha} ===")
        scenario.run(cluster, jar, truth)
    finally:
        cluster.kill_all()
    want = sum(1 for f in truth.failures if f.kind == "leader")
    grants = sum(cluster.grants([p for p in cluster.procs if p.kind == "jobmanager"]).values())
    code, report, text = verdict.run_flinkha(binary, cluster.logs_dir, run_dir,
                                             ["--expect-failovers", str(want)] if want else [])
    if grants > 1 + want:
        # Flink's own grant lines, not flinkha, show a leader change nobody asked for: a starved
        # JobManager missed its ZooKeeper session or lease, or Flink itself elected a second leader
        # (after a ZooKeeper outage: CURATOR-696). The harness cannot tell which: the truth is
        # unknown, so the run is not judged (flinkha's report is kept in check.txt).
        said = [f"{i['id']}={i['verdict']}" for i in report.get("invariants", []) if i["id"] == "single-leader"]
        raise InfraError(f"Flink granted leadership {grants} times for {want} injected leader failure(s): "
                         f"a leader change the scenario did not cause (machine overloaded, or Flink's own "
                         f"split brain; flinkha says {', '.join(said) or 'nothing'}; see check.txt)")
    problems = verdict.compare(scenario, version, truth, code, report)
    say("  flinkha: " + ", ".join(f"{i['id']}={i['verdict']}" for i in report.get("invariants", [])))
    if problems:
        say(text.rstrip())
        raise VerdictError("; ".join(problems))


RETRIED: list[str] = []


def run_scenario(name: str, version: str, home: Path, jar: Path, binary: Path, work: Path,
                 keep: bool) -> bool:
    """A scenario with one retry when it failed for a reason other than flinkha."""
    for n in (1, 2):
        run_dir = work / f"{name}-{version}-attempt{n}"
        shutil.rmtree(run_dir, ignore_errors=True)
        started = time.monotonic()
        say(f"e2e: {name} (Flink {version}), attempt {n}: {SCENARIOS[name].summary}")
        try:
            attempt(name, version, home, jar, binary, run_dir)
        except InfraError as e:
            say(f"e2e: {name} attempt {n} failed for a reason other than flinkha: {e}")
            dump_logs(run_dir)
            if n == 1:
                RETRIED.append(f"{name} (Flink {version}): {e} (logs kept in {run_dir})")
                say(f"e2e: {name}: retrying once (fresh ports and folders)")
                continue
            say(f"e2e: {name}: FAILED twice for reasons other than flinkha")
            return False
        except VerdictError as e:
            say(f"e2e: {name}: flinkha's verdicts are wrong: {e}")
            dump_logs(run_dir)
            return False
        except (KeyboardInterrupt, Interrupted):
            raise
        except Exception:  # a bug of the harness itself: not retried, never hidden
            say(f"e2e: {name}: the harness failed:\n{traceback.format_exc()}")
            dump_logs(run_dir)
            return False
        say(f"e2e: {name} (Flink {version}) ok in {time.monotonic() - started:.0f} s")
        if not keep:
            shutil.rmtree(run_dir, ignore_errors=True)
        else:
            say(f"e2e: logs kept in {run_dir}")
        return True
    return False


def main() -> int:
    ap = argparse.ArgumentParser(description="flinkha end-to-end tests against a real Flink cluster")
    ap.add_argument("scenarios", nargs="*", help=f"scenario names (default: {CI_SCENARIO})")
    ap.add_argument("--all", action="store_true", help="run every scenario")
    ap.add_argument("--flink", action="append", metavar="VERSION",
                    help=f"Flink version(s) to run against (default {DEFAULT_FLINK}); repeatable")
    ap.add_argument("--binary", type=Path, default=None,
                    help="flinkha binary (default: $CARGO_TARGET_DIR/debug/flinkha)")
    ap.add_argument("--work", type=Path, default=None, help="folder for run folders (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the logs of passing runs too")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = ap.parse_args()

    if args.list:
        for s in SCENARIOS.values():
            say(f"{s.name:20} {s.summary}")
        return 0
    names = list(SCENARIOS) if args.all else (args.scenarios or [CI_SCENARIO])
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        say(f"e2e: unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
        return 2
    binary = (args.binary or default_binary()).resolve()
    if not os.access(binary, os.X_OK):
        say(f"e2e: no flinkha binary at {binary}: build it with `cargo build` or pass --binary")
        return 2
    versions = args.flink or [DEFAULT_FLINK]

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    work = args.work or Path(tempfile.mkdtemp(prefix="flinkha-e2e-"))
    work.mkdir(parents=True, exist_ok=True)
    failed = []
    started = time.monotonic()
    try:
        for version in versions:
            try:
                home = distro.flink_home(version, say)
                jar = distro.job_jar(version, home, say)
            except InfraError as e:
                say(f"e2e: preparing Flink {version} failed ({e}); retrying once")
                try:
                    home = distro.flink_home(version, say)
                    jar = distro.job_jar(version, home, say)
                except InfraError as e2:
                    say(f"e2e: preparing Flink {version} failed again: {e2}")
                    failed += [f"{n} (Flink {version})" for n in names]
                    continue
            for name in names:
                if not run_scenario(name, version, home, jar, binary, work, args.keep):
                    failed.append(f"{name} (Flink {version})")
    except (KeyboardInterrupt, Interrupted) as e:
        say(f"e2e: interrupted ({e or 'Ctrl-C'}); every process was stopped")
        return 130
    except Exception:
        traceback.print_exc()
        return 1
    total = len(names) * len(versions)
    for r in RETRIED:
        say(f"e2e: retried once for a reason other than flinkha: {r}")
    say(f"e2e: took {time.monotonic() - started:.0f} s")
    if failed:
        say(f"e2e: failed: {', '.join(failed)} (logs under {work})")
    say(f"e2e: {total - len(failed)} passed, {len(failed)} failed")
    if failed:
        return 1
    if not args.keep and not any(work.iterdir()):
        work.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
