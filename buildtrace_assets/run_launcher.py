"""The local instance's run launcher: Dagster's default one, plus a check that a run's process is alive.

Dagster's ``DefaultRunLauncher`` cannot tell the run monitor whether a
started run's worker still exists, so a run whose process was killed stays
STARTED forever. The worker reports its pid when it starts (the "Started
process for run" engine event); this launcher looks that process up, so the
daemon's run monitoring marks the run failed within one poll interval and
``run_retries`` re-executes it. In the cluster, ``K8sRunLauncher`` does the
same from the pod's state.
"""

from __future__ import annotations

import psutil
from dagster import DagsterEventType, DagsterRun, DefaultRunLauncher
from dagster._core.launcher.base import CheckRunHealthResult, WorkerStatus

START_SLACK_S = 5.0
"""A process created this long after the run started is another process that reused the pid."""


class LocalRunLauncher(DefaultRunLauncher):
    """Launches runs like ``DefaultRunLauncher`` and reports a run dead once its worker process is gone."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        pid = self._run_worker_pid(run.run_id)
        if pid is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "the run worker has not reported its process yet")
        record = self._instance.get_run_record_by_id(run.run_id)
        started = record.start_time if record is not None and record.start_time else None
        if process_alive(pid, started):
            return CheckRunHealthResult(WorkerStatus.RUNNING, run_worker_id=str(pid))
        return CheckRunHealthResult(
            WorkerStatus.FAILED, f"the run worker process (pid {pid}) is gone", run_worker_id=str(pid)
        )

    def _run_worker_pid(self, run_id: str) -> int | None:
        records = self._instance.get_records_for_run(run_id, of_type=DagsterEventType.ENGINE_EVENT).records
        for record in records:
            event = record.event_log_entry.dagster_event
            metadata = event.engine_event_data.metadata if event is not None and event.engine_event_data else {}
            pid = metadata.get("pid")
            if pid is not None:
                return int(pid.value)
        return None


def process_alive(pid: int, run_started: float | None) -> bool:
    """Whether ``pid`` is a live (not zombie) process that existed when the run started."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return run_started is None or process.create_time() <= run_started + START_SLACK_S
    except psutil.NoSuchProcess:
        return False
