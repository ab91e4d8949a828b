"""Runs the real flinkha binary on the logs a scenario produced and compares what it says with what
the harness knows happened: per-invariant verdicts, the overall verdict and exit code, and timeline
facts (failover count, the restored checkpoint, the instants of failure and recovery)."""

import json
import subprocess
from datetime import datetime
from pathlib import Path

from errors import VerdictError
from scenarios import Failure, Scenario, Truth

# Instants in Flink's logs have millisecond precision; the harness's own clock is the same clock.
_SLACK_S = 1.0


def _ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def run_flinkha(binary: Path, logs: Path, out_dir: Path, args: list[str],
                reports: bool = True) -> tuple[int, dict, str]:
    """`flinkha check --format json` (kept as check.json); with `reports`, the text report
    (check.txt, returned) and `flinkha timeline` (timeline.txt) for the humans reading a run."""
    cmd = [str(binary), "check", "--format", "json", *args, str(logs)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    (out_dir / "check.json").write_text(done.stdout)
    (out_dir / "check.stderr").write_text(done.stderr)
    if done.returncode not in (0, 1):
        raise VerdictError(f"`{' '.join(cmd)}` exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError as e:
        raise VerdictError(f"flinkha check --format json printed no JSON ({e}): {done.stdout[:500]}") from e
    if not reports:
        return done.returncode, report, ""
    text = subprocess.run([str(binary), "check", *args, str(logs)], capture_output=True, text=True,
                          timeout=600).stdout
    (out_dir / "check.txt").write_text(text)
    timeline = subprocess.run([str(binary), "timeline", str(logs)], capture_output=True, text=True,
                              timeout=600).stdout
    (out_dir / "timeline.txt").write_text(timeline)
    return done.returncode, report, text


def compare(scenario: Scenario, version: str, truth: Truth, code: int, report: dict) -> list[str]:
    """Every way flinkha's report differs from the truth; empty when it is right."""
    problems: list[str] = []
    expected = scenario.expect(truth, version)
    seen: dict[str, list[str]] = {}
    for inv in report.get("invariants", []):
        seen.setdefault(inv["id"], []).append(inv["verdict"])
    for inv, allowed in expected.items():
        got = seen.get(inv)
        if not got:
            problems.append(f"invariant {inv}: expected {'/'.join(sorted(allowed))}, flinkha reported none")
        for verdict in got or []:
            if verdict not in allowed:
                problems.append(f"invariant {inv}: expected {'/'.join(sorted(allowed))}, got {verdict}")
    for inv, verdicts in seen.items():
        if inv not in expected and "FAIL" in verdicts:
            problems.append(f"invariant {inv}: FAIL, but nothing in this scenario violates it")

    overall = report.get("verdict")
    if overall != scenario.overall and not (scenario.overall == "PASS" and _allowed_fail(expected, seen)):
        problems.append(f"overall verdict: expected {scenario.overall}, got {overall}")
    if (overall == "FAIL") != (code == 1):
        problems.append(f"exit code {code} does not match the overall verdict {overall}")

    problems += _failover_facts(truth, report.get("failovers", []))
    jobs_seen = {inv.get("job") for inv in report.get("invariants", []) if inv.get("job")}
    for job in truth.jobs:
        if job not in jobs_seen:
            problems.append(f"job {job} (submitted by the harness) appears in no per-job verdict")
    return problems


def _allowed_fail(expected: dict, seen: dict) -> bool:
    """An overall FAIL is acceptable where every FAIL was one the expectations allow."""
    fails = [inv for inv, vs in seen.items() if "FAIL" in vs]
    return bool(fails) and all("FAIL" in expected.get(inv, set()) for inv in fails)


def _failover_facts(truth: Truth, failovers: list[dict]) -> list[str]:
    problems = []
    leaders = [f for f in failovers if f.get("kind") == "leader"]
    want = [f for f in truth.failures if f.kind == "leader"]
    if len(leaders) != len(want):
        problems.append(f"leader failovers: the harness caused {len(want)}, flinkha counted {len(leaders)}")
    restarts = [f for f in failovers if f.get("kind") != "leader"]
    want_restarts = [f for f in truth.failures if f.kind != "leader"]
    if len(restarts) < len(want_restarts):
        problems.append(f"job restarts: the harness caused {len(want_restarts)}, flinkha counted {len(restarts)}")
    for failure, fo in zip(want, leaders):
        problems += _one_failover(failure, fo)
    for failure in want_restarts:
        matching = [fo for fo in restarts
                    if any(j.get("restored_checkpoint") == failure.restored for j in fo.get("jobs", []))]
        if failure.restored is not None and not matching:
            problems.append(f"{failure.action}: Flink restored checkpoint {failure.restored}, "
                            f"no job restart in flinkha's report restored it")
    return problems


def _one_failover(failure: Failure, fo: dict) -> list[str]:
    problems = []
    what = failure.action
    if fo.get("failure_ts") and _ts(fo["failure_ts"]) > failure.at + _SLACK_S:
        problems.append(f"{what}: flinkha puts the failure at {fo['failure_ts']}, after the harness acted")
    if fo.get("new_leader_ts") and _ts(fo["new_leader_ts"]) < failure.at - _SLACK_S:
        problems.append(f"{what}: flinkha's new leader at {fo['new_leader_ts']} precedes the failure")
    jobs = {j["job"]: j for j in fo.get("jobs", [])}
    j = jobs.get(failure.job)
    if j is None:
        if failure.restored is not None:
            problems.append(f"{what}: job {failure.job} missing from flinkha's failover")
        return problems
    if j.get("latest_completed_before") != failure.latest_completed:
        problems.append(f"{what}: latest completed checkpoint before the failure is {failure.latest_completed} "
                        f"in the old leader's log, flinkha says {j.get('latest_completed_before')}")
    if j.get("restored_checkpoint") != failure.restored:
        problems.append(f"{what}: Flink's REST API says checkpoint {failure.restored} was restored, "
                        f"flinkha says {j.get('restored_checkpoint')}")
    if failure.running_again_at is not None:
        running = j.get("running_ts")
        if running is None:
            problems.append(f"{what}: the job ran again, flinkha has no running_ts")
        elif not (failure.at - _SLACK_S <= _ts(running) <= failure.running_again_at + _SLACK_S):
            problems.append(f"{what}: flinkha's running_ts {running} lies outside the harness's window")
    return problems

