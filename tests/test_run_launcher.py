"""The local run launcher tells the run monitor whether a started run's worker process is still alive."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import psutil
import pytest
from dagster import DagsterInstance, DagsterRunStatus
from dagster._core.events import EngineEventData
from dagster._core.launcher.base import WorkerStatus
from dagster._core.test_utils import create_run_for_test, instance_for_test

from buildtrace_assets.run_launcher import LocalRunLauncher, process_alive

LAUNCHER = {"module": "buildtrace_assets.run_launcher", "class": "LocalRunLauncher"}


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with instance_for_test(overrides={"run_launcher": LAUNCHER}) as test_instance:
        yield test_instance


@pytest.fixture
def worker() -> Iterator[subprocess.Popen[bytes]]:
    """A process standing in for a run worker; killed at the end whatever happened."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    process.kill()
    process.wait()


def started_run(instance: DagsterInstance, pid: int | None) -> str:
    run = create_run_for_test(instance, job_name="compare_versions", status=DagsterRunStatus.STARTED)
    if pid is not None:
        instance.report_engine_event(f"Started process for run (pid: {pid}).", run, EngineEventData.in_process(pid))
    return run.run_id


def health(instance: DagsterInstance, run_id: str) -> WorkerStatus:
    launcher = instance.run_launcher
    assert isinstance(launcher, LocalRunLauncher) and launcher.supports_check_run_worker_health
    return launcher.check_run_worker_health(instance.get_run_by_id(run_id)).status


def test_a_run_whose_worker_lives_is_running(instance: DagsterInstance, worker: subprocess.Popen[bytes]) -> None:
    assert health(instance, started_run(instance, worker.pid)) == WorkerStatus.RUNNING


def test_a_run_whose_worker_was_killed_is_reported_failed(
    instance: DagsterInstance, worker: subprocess.Popen[bytes]
) -> None:
    run_id = started_run(instance, worker.pid)
    worker.kill()
    worker.wait()

    assert health(instance, run_id) == WorkerStatus.FAILED


def test_a_killed_worker_not_yet_reaped_counts_as_dead(
    instance: DagsterInstance, worker: subprocess.Popen[bytes]
) -> None:
    run_id = started_run(instance, worker.pid)
    worker.kill()
    deadline = time.monotonic() + 5
    while worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)

    assert health(instance, run_id) == WorkerStatus.FAILED


def test_a_pid_taken_by_a_process_younger_than_the_run_is_not_its_worker(worker: subprocess.Popen[bytes]) -> None:
    created = psutil.Process(worker.pid).create_time()

    assert process_alive(worker.pid, run_started=created)
    assert not process_alive(worker.pid, run_started=created - 60)


def test_a_run_that_has_not_reported_its_process_yet_is_given_the_benefit_of_the_doubt(
    instance: DagsterInstance,
) -> None:
    assert health(instance, started_run(instance, pid=None)) == WorkerStatus.RUNNING
