"""Pipeline requests and the pipeline's state: follow what you asked for, retry it, see whether Dagster runs.

Runs are started by the pipeline's sensors from the requests the other
routes record; these routes only read, through the services and the
Dagster GraphQL API, and ``retry`` records a new request.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from flask_smorest import Blueprint

from buildtrace_assets.api.context import api_context, current_actor, db
from buildtrace_assets.api.schemas import (
    FollowedRequestSchema,
    LineageSchema,
    PipelineHealthSchema,
    PipelineRequestSchema,
)
from buildtrace_assets.db.models import PipelineRequest
from buildtrace_assets.pipeline_api import PipelineUnreachable, job_partitions
from buildtrace_assets.services import jobs, pipeline_requests

blp = Blueprint("requests", __name__, url_prefix="/api/v1", description="Pipeline requests and pipeline health.")


@blp.route("/requests/<request_id>", methods=["GET"])
@blp.response(200, FollowedRequestSchema)
def get_request(request_id: str) -> dict[str, Any]:
    """One request and where its run is: as the pipeline last recorded it, and as Dagster has it now."""
    request = pipeline_requests.get_request(db(), current_actor(), request_id)
    run_status = None
    if request.dagster_run_id is not None:
        with suppress(PipelineUnreachable):
            run_status = api_context().pipeline.run_status(request.dagster_run_id)
    fields = PipelineRequestSchema().fields
    return {**{name: getattr(request, name) for name in fields}, "run_status": run_status}


@blp.route("/requests/<request_id>/retry", methods=["POST"])
@blp.response(202, PipelineRequestSchema)
def retry_request(request_id: str) -> PipelineRequest:
    """Ask again for the work of a failed request (editors and owners); 409 unless it failed."""
    return pipeline_requests.retry_request(db(), current_actor(), request_id)


@blp.route("/projects/<project_id>/requests", methods=["GET"])
@blp.response(200, PipelineRequestSchema(many=True))
def list_requests(project_id: str) -> Sequence[PipelineRequest]:
    """The project's requests, newest first."""
    return pipeline_requests.project_requests(db(), current_actor(), project_id)


@blp.route("/pipeline/health", methods=["GET"])
@blp.response(200, PipelineHealthSchema)
def pipeline_health() -> dict[str, Any]:
    """Whether the Dagster daemon beats and the sensors tick, read from the Dagster API."""
    health = api_context().pipeline.health()
    return {"ok": health.ok, "problems": health.problems(), "reachable": health.unreachable is None}


@blp.route("/jobs/<job_id>/lineage", methods=["GET"])
@blp.response(200, LineageSchema)
def job_lineage(job_id: str) -> dict[str, Any]:
    """Each asset partition behind the job as Dagster has it; ``reachable`` false, and no partitions, while the
    Dagster API does not answer."""
    job = jobs.get_job(db(), current_actor(), job_id)
    refs = job_partitions(
        job_id=job.id, old_version_id=job.old_drawing_version_id, new_version_id=job.new_drawing_version_id
    )
    try:
        states = api_context().pipeline.partition_states([(asset, partition) for asset, partition, _ in refs])
    except PipelineUnreachable as error:
        return {"reachable": False, "problem": str(error), "partitions": []}
    partitions = [{**vars(state), "role": role} for state, (_, _, role) in zip(states, refs, strict=True)]
    return {"reachable": True, "problem": None, "partitions": partitions}
