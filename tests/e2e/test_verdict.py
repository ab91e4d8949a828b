"""Unit tests of the harness's own judging (`verdict.compare`), on real corpus logs, so that the
end-to-end assertions are known to fail when flinkha is wrong, not only to pass when it is right.

    python3 -m unittest discover -s tests/e2e
"""

import os
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import verdict  # noqa: E402
from scenarios import SCENARIOS, Failure, Truth  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
JM_RESTART = REPO / "samples" / "corpus" / "1.20.5" / "jm-restart"
NO_HA = REPO / "samples" / "corpus" / "1.20.5" / "no-ha"


def binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    return target / "debug" / "flinkha"


def ts(text: str) -> float:
    return verdict._ts(text)


def jm_restart_truth() -> Truth:
    """What the lab knew of samples/corpus/1.20.5/jm-restart (its MANIFEST.md)."""
    job = "6cecd03fbdf46ddd31c32d9bdc34c1b5"
    f = Failure(job, "leader", "kill -9 of the only JobManager", ts("2026-11-25T12:36:43.897Z"), 12,
                restored=12, running_again_at=ts("2026-11-25T12:36:57.000Z"))
    return Truth(jobs=[job], failures=[f], cancelled=[job])


@unittest.skipUnless(os.access(binary(), os.X_OK), "no flinkha binary (cargo build first)")
class CompareOnRealLogs(unittest.TestCase):
    def judge(self, logs: Path, scenario: str, truth: Truth) -> list[str]:
        with tempfile.TemporaryDirectory() as out:
            code, report, _ = verdict.run_flinkha(binary(), logs, Path(out), ["--expect-failovers", "1"],
                                                    reports=False)
        return verdict.compare(SCENARIOS[scenario], "1.20.5", truth, code, report)

    def test_right_verdicts_pass(self):
        self.assertEqual(self.judge(JM_RESTART, "jm-kill-restart", jm_restart_truth()), [])

    def test_wrong_restored_checkpoint_is_caught(self):
        truth = jm_restart_truth()
        truth.failures[0].restored = 13
        problems = self.judge(JM_RESTART, "jm-kill-restart", truth)
        self.assertTrue(any("REST API says checkpoint 13" in p for p in problems), problems)

    def test_stale_restore_expects_recover_latest_to_fail(self):
        truth = jm_restart_truth()
        truth.failures[0].latest_completed = 14
        problems = self.judge(JM_RESTART, "jm-kill-restart", truth)
        self.assertTrue(any(p.startswith("invariant recover-latest: expected FAIL") for p in problems), problems)

    def test_failure_before_the_action_is_caught(self):
        truth = jm_restart_truth()
        truth.failures[0].at = ts("2026-11-25T12:36:30.000Z")
        problems = self.judge(JM_RESTART, "jm-kill-restart", truth)
        self.assertTrue(any("after the harness acted" in p for p in problems), problems)

    def test_missed_failover_is_caught(self):
        truth = jm_restart_truth()
        truth.failures.append(Failure(truth.jobs[0], "leader", "a second kill", truth.failures[0].at, 20))
        problems = self.judge(JM_RESTART, "jm-kill-restart", truth)
        self.assertTrue(any(p.startswith("leader failovers: the harness caused 2") for p in problems), problems)

    def test_lost_job_judged_as_a_clean_failover_is_caught(self):
        job = "f27e17e3"  # prefix is enough to fail the per-job lookup; the verdicts are what matter
        truth = Truth(jobs=[job], failures=[Failure(job, "leader", "kill -9", ts("2026-11-25T12:40:00Z"), 12)])
        problems = self.judge(NO_HA, "jm-kill-restart", truth)
        self.assertTrue(any(p.startswith("invariant jobs-recovered: expected PASS, got FAIL") for p in problems),
                        problems)
        self.assertTrue(any(p.startswith("overall verdict: expected PASS, got FAIL") for p in problems), problems)

    def test_real_split_brain_found_by_the_harness_fails_single_leader(self):
        """samples/e2e/1.20.5/zk-outage-split-brain (its MANIFEST.md): Flink's own split brain."""
        logs = REPO / "samples" / "e2e" / "1.20.5" / "zk-outage-split-brain"
        with tempfile.TemporaryDirectory() as out:
            code, report, _ = verdict.run_flinkha(binary(), logs, Path(out), [], reports=False)
        got = {i["id"]: i["verdict"] for i in report["invariants"]}
        self.assertEqual(code, 1)
        self.assertEqual(got.pop("single-leader"), "FAIL")
        self.assertEqual(set(got.values()), {"PASS"}, got)


if __name__ == "__main__":
    unittest.main()
