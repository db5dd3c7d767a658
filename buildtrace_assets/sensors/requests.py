"""The run requests sensors and schedules make, each with a ``run_key`` that makes repeating it harmless.

Dagster starts at most one run per ``run_key`` and sensor, so a tick that is
evaluated twice, or a job that is seen as ready on every tick until its run
starts, still produces exactly one run. Runs asked for through a pipeline
request are keyed by the request, so a retry is a new run and a repeated
tick is not.
"""

from collections.abc import Mapping

from dagster import RunRequest

from buildtrace_assets.assets.attribution import REQUESTED_BY_TAG, SYSTEM_REQUESTER
from buildtrace_assets.assets.runs import (
    JOB_TAG,
    REQUEST_TAG,
    VERSION_TAG,
    analyze_version_job,
    compare_job,
    summarize_job,
)
from buildtrace_assets.db.models import PipelineRequest


def pipeline_run_request(request: PipelineRequest, trace_tags: Mapping[str, str] | None = None) -> RunRequest:
    """The run carrying out a pipeline request: analyze its version, compare its job or summarize it again;
    ``trace_tags`` carry the trace context of the sensor span that asked for it."""
    if request.kind == "analyze":
        job_name, target_tag, partition = analyze_version_job.name, VERSION_TAG, request.drawing_version_id
    else:
        job_name = summarize_job.name if request.kind == "summarize" else compare_job.name
        target_tag, partition = JOB_TAG, request.job_id
    if partition is None:
        raise ValueError(f"pipeline request {request.id} names no {request.kind} target")
    return RunRequest(
        run_key=f"request:{request.id}",
        partition_key=partition,
        job_name=job_name,
        tags={
            target_tag: partition,
            REQUEST_TAG: request.id,
            REQUESTED_BY_TAG: request.requested_by or SYSTEM_REQUESTER,
            **(trace_tags or {}),
        },
    )


def compare_request(job_id: str, trace_tags: Mapping[str, str] | None = None) -> RunRequest:
    """The first run that diffs a job's two versions and summarizes the changes."""
    return RunRequest(
        run_key=f"compare:{job_id}",
        partition_key=job_id,
        job_name=compare_job.name,
        tags={JOB_TAG: job_id, **(trace_tags or {})},
    )


def summary_request(job_id: str, reason: str) -> RunRequest:
    """A run the pipeline asks for on its own, writing a new summary of a job; ``reason`` (a staleness mark) keys it.

    A person's wish for a new summary (a saved overlay, "Regenerate") is a
    pipeline request instead, run through :func:`pipeline_run_request`.
    """
    return RunRequest(
        run_key=f"summarize:{job_id}:{reason}",
        partition_key=job_id,
        job_name=summarize_job.name,
        tags={JOB_TAG: job_id, REQUESTED_BY_TAG: SYSTEM_REQUESTER},
    )
