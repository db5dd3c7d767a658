"""Change summaries of a job: read the active one, ask the pipeline to rewrite it, or write one yourself."""

from __future__ import annotations

from flask_smorest import Blueprint

from buildtrace_assets.api.context import current_actor, db
from buildtrace_assets.api.schemas import PipelineRequestSchema, RegenerationSchema, SummaryEditSchema, SummarySchema
from buildtrace_assets.db.models import ChangeSummary, PipelineRequest
from buildtrace_assets.services import pipeline_requests, summaries
from buildtrace_assets.services.diff_results import get_diff_result
from buildtrace_assets.services.errors import NotFound
from buildtrace_assets.services.history import active_version

blp = Blueprint("summaries", __name__, url_prefix="/api/v1", description="Change summaries.")


@blp.route("/jobs/<job_id>/summary", methods=["GET"])
@blp.response(200, SummarySchema)
def active_summary(job_id: str) -> ChangeSummary:
    """The summary in force; 404 until one was written."""
    # get_diff_result checked that the actor may read the job; the summaries service would check it again.
    result = get_diff_result(db(), current_actor(), job_id)
    summary = active_version(db(), ChangeSummary, result.id)
    if summary is None:
        raise NotFound(f"job {job_id} has no summary yet")
    return summary


@blp.route("/jobs/<job_id>/summary", methods=["PUT"])
@blp.arguments(SummaryEditSchema)
@blp.response(200, SummarySchema)
def edit_summary(body: dict[str, str], job_id: str) -> ChangeSummary:
    """Replace the summary with your text, as a new ``human_written`` version (editors and owners)."""
    result = get_diff_result(db(), current_actor(), job_id)
    return summaries.edit_summary(
        db(), current_actor(), result.id, body["text"], expected_active_id=body.get("expected_active_id")
    )


@blp.route("/jobs/<job_id>/summary/regenerate", methods=["POST"])
@blp.arguments(RegenerationSchema, required=False)
@blp.response(202, PipelineRequestSchema)
def regenerate(body: dict[str, str] | None, job_id: str) -> PipelineRequest:
    """Ask the pipeline for a new summary from what is in force now (editors and owners).

    Answers at once with the pipeline request; ``GET /requests/{id}`` follows
    it (queued, running, done, or failed with the reason). The summary is
    written in your name. Asking again while the request waits returns it.
    """
    reason = (body or {}).get("reason", "regenerate summary")
    return pipeline_requests.request_summary(db(), current_actor(), job_id, reason)
