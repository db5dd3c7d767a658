"""The one Definitions object of BuildTrace: assets, asset jobs, sensors, the schedule, resources
and the executor.

Resources are configured from :func:`get_settings` (environment variables
with embedded defaults), the executor by its name in ``Settings.executor``
(``BUILDTRACE_EXECUTOR``), so
the same code location runs in-process on a laptop and one pod per step in
the cluster.

On a laptop every run already has a process of its own, its run worker, which
the launcher watches (a run whose worker dies is marked failed and retried by
``run_retries``), so its steps execute in that process: a process per step
would pay for a forkserver importing this code location again (~2 s of CPU a
run) and gain nothing the run's retry does not give. The engine runs the
untrusted files in sandboxed children of its own either way.
"""

from __future__ import annotations

from collections.abc import Callable

from dagster import Definitions, ExecutorDefinition, in_process_executor, multiprocess_executor

from buildtrace_assets.assets.change_summaries import change_summary
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.assets.drawing_versions import drawing_analysis
from buildtrace_assets.assets.runs import analyze_version_job, compare_job, summarize_job
from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.observability.startup import start_observability
from buildtrace_assets.resources import build_resources
from buildtrace_assets.schedules import resummarize_schedule
from buildtrace_assets.sensors.jobs import job_cancellation_sensor, job_progress_sensor, run_failure_sensor
from buildtrace_assets.sensors.pipeline_requests import pipeline_request_sensor
from buildtrace_assets.sensors.uploads import upload_sensor

EXECUTOR_ENV = "BUILDTRACE_EXECUTOR"
STEP_PROCESS_MODULES = (
    "dagster._core.instance.factory",
    "dagster._core.storage.sqlite_storage",
    "dagster._core.storage.local_compute_log_manager",
)
"""What a step process imports to reach the instance; preloaded too, it costs ~0.15 s less per step."""


def _multiprocess_executor() -> ExecutorDefinition:
    """A process per step, for whoever wants a step that crashes recorded as that step's failure rather than its
    run worker's (each run then starts a forkserver, ~2 s of CPU)."""
    # Spawning a step process re-imports Dagster and this code location (~8 s a step on 2 cores); forking
    # it from a server that imported them once costs a fraction of that.
    preload = [__name__, *STEP_PROCESS_MODULES]
    return multiprocess_executor.configured(
        {"max_concurrent": 2, "start_method": {"forkserver": {"preload_modules": preload}}}, name="multiprocess"
    )


def _k8s_executor() -> ExecutorDefinition:
    """Imported when chosen only: the Kubernetes client costs about a second of every process's start."""
    from dagster_k8s import k8s_job_executor

    # Dagster retries steps itself (RetryPolicy), so a step's Kubernetes Job must never retry on its own.
    return k8s_job_executor.configured(
        {"max_concurrent": 8, "step_k8s_config": {"job_spec_config": {"backoff_limit": 0}}}, name="k8s"
    )


EXECUTORS: dict[str, Callable[[], ExecutorDefinition]] = {
    "in_process": lambda: in_process_executor,
    "multiprocess": _multiprocess_executor,
    "k8s": _k8s_executor,
}
"""Executors by the name ``BUILDTRACE_EXECUTOR`` gives; ``in_process`` when it is unset."""


def select_executor(key: str) -> ExecutorDefinition:
    """The executor called ``key``; unknown names are refused at load time with the choices."""
    if key not in EXECUTORS:
        raise ValueError(f"{EXECUTOR_ENV}={key!r} is not one of {', '.join(sorted(EXECUTORS))}")
    return EXECUTORS[key]()


def make_definitions(settings: Settings, executor: ExecutorDefinition) -> Definitions:
    """Everything Dagster loads, wired to the resources ``settings`` describe (tests pass their own)."""
    return Definitions(
        assets=[drawing_analysis, diff_result, change_summary],
        jobs=[analyze_version_job, compare_job, summarize_job],
        sensors=[
            upload_sensor,
            pipeline_request_sensor,
            job_progress_sensor,
            job_cancellation_sensor,
            run_failure_sensor,
        ],
        schedules=[resummarize_schedule],
        resources=build_resources(settings),
        executor=executor,
    )


_settings = get_settings()
start_observability("buildtrace-pipeline", _settings.log_format)
defs = make_definitions(_settings, select_executor(_settings.executor))
