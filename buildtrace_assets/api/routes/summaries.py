"""Change summaries of a job: read the active one, have it rewritten, or write one yourself."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from buildtrace_assets.api.context import api_context, current_actor, db
from buildtrace_assets.api.schemas import RegenerationSchema, SummaryEditSchema, SummarySchema
from buildtrace_assets.db.models import ChangeSummary
from buildtrace_assets.services import summaries
from buildtrace_assets.services.diff_results import get_diff_result, require_diff_result
from buildtrace_assets.services.errors import NotFound

blp = Blueprint("summaries", __name__, url_prefix="/api/v1", description="Change summaries.")


@blp.route("/jobs/<job_id>/summary", methods=["GET"])
@blp.response(200, SummarySchema)
def active_summary(job_id: str) -> ChangeSummary:
    """The summary in force; 404 until one was written."""
    result = get_diff_result(db(), current_actor(), job_id)
    summary = summaries.active_summary(db(), current_actor(), result.id)
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
@blp.response(202, RegenerationSchema)
def regenerate(job_id: str) -> dict[str, Any]:
    """Have the summarizer write a new version from what is in force now (editors and owners).

    Answers at once; the new summary becomes the active one when it is done.
    """
    actor = current_actor()
    result = get_diff_result(db(), actor, job_id)
    require_diff_result(db(), actor, result.id, "editor")
    api_context().request_summary(actor, result.id)
    return {"job_id": job_id, "diff_result_id": result.id, "status": "accepted"}
