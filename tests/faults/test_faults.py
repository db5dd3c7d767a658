"""Fault injection: each fault once, against the real daemon, database, storage and OpenAI-protocol server.

Every comparison must end completed, nothing may be lost or stuck, and the
invariants (no duplicates, no job running without a live run, storage and
rows agreeing) must hold after each trial. ``python -m bench.faults`` runs
the same trials for many rounds and prints the totals.

Run on its own: ``pytest -m faults``.
"""

from __future__ import annotations

import pytest

from bench.faults import FAULTS, Trial, run_faults, tally

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def trials() -> list[Trial]:
    return run_faults(list(FAULTS), rounds=1)


def test_every_fault_was_injected_into_a_running_comparison(trials: list[Trial]) -> None:
    assert [trial.fault for trial in trials] == list(FAULTS)
    assert [trial.fault for trial in trials if not trial.landed] == []


def test_every_comparison_recovers_and_nothing_is_lost_or_stuck(trials: list[Trial]) -> None:
    assert tally(trials) | {"landed": 0} == {
        "trials": len(FAULTS),
        "landed": 0,
        "recovered": len(FAULTS),
        "failed": 0,
        "lost": 0,
        "stuck": 0,
        "violations": 0,
    }, [trial for trial in trials if trial.outcome != "recovered" or trial.violations]


def test_a_run_whose_worker_was_killed_is_marked_failed_within_two_minutes(trials: list[Trial]) -> None:
    killed = {trial.fault: trial.detected_s for trial in trials if trial.fault.startswith("run_worker@")}

    assert killed and all(seconds is not None and seconds < 120 for seconds in killed.values()), killed
