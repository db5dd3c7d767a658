"""Comparison jobs: start, follow, cancel."""

from __future__ import annotations

from collections.abc import Sequence

from flask_smorest import Blueprint

from buildtrace_assets.api.context import current_actor, db
from buildtrace_assets.api.schemas import JobCreateSchema, JobSchema, StageSchema
from buildtrace_assets.db.models import Job, JobStage
from buildtrace_assets.services import jobs, retries

blp = Blueprint("jobs", __name__, url_prefix="/api/v1", description="Comparison jobs and their stages.")


@blp.route("/jobs", methods=["POST"])
@blp.arguments(JobCreateSchema)
@blp.response(201, JobSchema)
def create_job(body: dict[str, str]) -> Job:
    """Compare two versions of one project (editors and owners); a live job for the same pair is returned as is."""
    return jobs.create_comparison_job(db(), current_actor(), body["old_version_id"], body["new_version_id"])


@blp.route("/projects/<project_id>/jobs", methods=["GET"])
@blp.response(200, JobSchema(many=True))
def list_jobs(project_id: str) -> Sequence[Job]:
    """The project's jobs, newest first."""
    return jobs.list_jobs(db(), current_actor(), project_id)


@blp.route("/jobs/<job_id>", methods=["GET"])
@blp.response(200, JobSchema)
def get_job(job_id: str) -> Job:
    """One job and its status."""
    return jobs.get_job(db(), current_actor(), job_id)


@blp.route("/jobs/<job_id>/stages", methods=["GET"])
@blp.response(200, StageSchema(many=True))
def job_stages(job_id: str) -> Sequence[JobStage]:
    """The job's stages in pipeline order: ocr (one per version), diff, summary."""
    return jobs.job_stages(db(), current_actor(), job_id)


@blp.route("/jobs/<job_id>/cancel", methods=["POST"])
@blp.response(200, JobSchema)
def cancel_job(job_id: str) -> Job:
    """Cancel a job that has not finished (editors and owners); 409 once it has."""
    return jobs.cancel_job(db(), current_actor(), job_id)


@blp.route("/jobs/<job_id>/retry", methods=["POST"])
@blp.response(200, JobSchema)
def retry_job(job_id: str) -> Job:
    """Run a failed job again (editors and owners): failed analyses are redone, then the comparison. 409 otherwise."""
    return retries.retry_job(db(), current_actor(), job_id)
