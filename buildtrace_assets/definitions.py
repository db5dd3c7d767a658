"""The one Definitions object of BuildTrace: assets, asset jobs, sensors, the schedule, resources
and the executor.

Resources are configured from :func:`get_settings` (environment variables
with embedded defaults), the executor by its name in ``Settings.executor``
(``BUILDTRACE_EXECUTOR``), so
the same code location runs in-process on a laptop and one pod per step in
the cluster.
"""

from __future__ import annotations

from dagster import Definitions, ExecutorDefinition, in_process_executor, multiprocess_executor
from dagster_k8s import k8s_job_executor

from buildtrace_assets.assets.change_summaries import change_summary
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.assets.drawing_versions import drawing_analysis
from buildtrace_assets.assets.runs import analyze_version_job, compare_job, summarize_job
from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.resources import build_resources
from buildtrace_assets.schedules import resummarize_schedule
from buildtrace_assets.sensors.jobs import job_cancellation_sensor, job_progress_sensor, run_failure_sensor
from buildtrace_assets.sensors.overlays import manual_overlay_sensor
from buildtrace_assets.sensors.uploads import upload_sensor

EXECUTOR_ENV = "BUILDTRACE_EXECUTOR"

EXECUTORS: dict[str, ExecutorDefinition] = {
    "in_process": in_process_executor,
    "multiprocess": multiprocess_executor.configured({"max_concurrent": 2}, name="multiprocess"),
    # Dagster retries steps itself (RetryPolicy), so a step's Kubernetes Job must never retry on its own.
    "k8s": k8s_job_executor.configured(
        {"max_concurrent": 8, "step_k8s_config": {"job_spec_config": {"backoff_limit": 0}}}, name="k8s"
    ),
}
"""Executors by the name ``BUILDTRACE_EXECUTOR`` gives; ``in_process`` when it is unset."""


def select_executor(key: str) -> ExecutorDefinition:
    """The executor called ``key``; unknown names are refused at load time with the choices."""
    if key not in EXECUTORS:
        raise ValueError(f"{EXECUTOR_ENV}={key!r} is not one of {', '.join(sorted(EXECUTORS))}")
    return EXECUTORS[key]


def make_definitions(settings: Settings, executor: ExecutorDefinition) -> Definitions:
    """Everything Dagster loads, wired to the resources ``settings`` describe (tests pass their own)."""
    return Definitions(
        assets=[drawing_analysis, diff_result, change_summary],
        jobs=[analyze_version_job, compare_job, summarize_job],
        sensors=[
            upload_sensor,
            job_progress_sensor,
            job_cancellation_sensor,
            run_failure_sensor,
            manual_overlay_sensor,
        ],
        schedules=[resummarize_schedule],
        resources=build_resources(settings),
        executor=executor,
    )


_settings = get_settings()
defs = make_definitions(_settings, select_executor(_settings.executor))
