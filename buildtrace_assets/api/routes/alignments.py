"""Manual sheet alignments: point pairs that align a sheet the automatic alignment failed on, and re-run the diff."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_smorest import Blueprint

from buildtrace_assets.api.context import api_context, current_actor, db
from buildtrace_assets.api.schemas import AlignmentPointsSchema, SheetAlignmentSchema
from buildtrace_assets.db.models import SheetAlignment
from buildtrace_assets.services import alignments

blp = Blueprint("alignments", __name__, url_prefix="/api/v1", description="Manual alignment of sheets by point pairs.")


@blp.route("/jobs/<job_id>/alignments", methods=["GET"])
@blp.response(200, SheetAlignmentSchema(many=True))
def list_alignments(job_id: str) -> Sequence[SheetAlignment]:
    """The job's manual alignments, one per sheet; 404 before the job's first diff."""
    return alignments.sheet_alignments(db(), current_actor(), job_id)


@blp.route("/jobs/<job_id>/sheets/<sheet_key>/alignment", methods=["PUT"])
@blp.arguments(AlignmentPointsSchema)
@blp.response(200, SheetAlignmentSchema)
def put_alignment(body: dict[str, Any], job_id: str, sheet_key: str) -> SheetAlignment:
    """Align a sheet by two or three point pairs (editors and owners) and diff the job again.

    422 when the pairs cannot align the sheet (too close together, on one line, off the sheet, a scale outside
    0.25-4x, or disagreeing); nothing is stored then.
    """
    return alignments.save_alignment(db(), api_context().storage, current_actor(), job_id, sheet_key, body["points"])


@blp.route("/jobs/<job_id>/sheets/<sheet_key>/alignment", methods=["DELETE"])
@blp.response(204)
def delete_alignment(job_id: str, sheet_key: str) -> None:
    """Drop a sheet's manual alignment (editors and owners) and diff the job again, aligned automatically."""
    alignments.clear_alignment(db(), current_actor(), job_id, sheet_key)
