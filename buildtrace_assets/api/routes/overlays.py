"""Overlays: the machine's change regions of a job, and people's corrected versions of them."""

from __future__ import annotations

import json
from typing import Any

from flask_smorest import Blueprint

from buildtrace_assets.api.context import api_context, current_actor, db
from buildtrace_assets.api.errors import ApiError
from buildtrace_assets.api.schemas import MachineOverlaySchema, OverlayChangesSchema, OverlaySchema
from buildtrace_assets.db.models import ManualOverlay
from buildtrace_assets.services import overlays
from buildtrace_assets.services.diff_results import get_diff_result
from buildtrace_assets.storage import BlobNotFound

blp = Blueprint("overlays", __name__, url_prefix="/api/v1", description="Machine and manual overlays.")


@blp.route("/jobs/<job_id>/overlay", methods=["GET"])
@blp.response(200, MachineOverlaySchema)
def machine_overlay(job_id: str) -> dict[str, Any]:
    """The machine's result: the changes document, overlay images, and which manual overlay is active."""
    session, actor = db(), current_actor()
    result = get_diff_result(session, actor, job_id)
    try:
        changes = json.loads(api_context().storage.get_bytes(result.changes_ref))
    except BlobNotFound:
        raise ApiError(500, "result_missing", f"the changes document of job {job_id} is missing from storage") from None
    active = overlays.active_overlay(session, actor, result.id)
    return {
        "diff_result_id": result.id,
        "job_id": result.job_id,
        "engine_version": result.engine_version,
        "sheet_count": result.sheet_count,
        "change_count": result.change_count,
        "overlay_refs": result.overlay_refs,
        "changes": changes,
        "active_overlay_id": active.id if active else None,
    }


@blp.route("/jobs/<job_id>/overlays", methods=["POST"])
@blp.arguments(OverlayChangesSchema)
@blp.response(201, OverlaySchema)
def create_overlay(body: dict[str, Any], job_id: str) -> ManualOverlay:
    """Replace the machine's regions with corrected ones (editors and owners); 409 when one is active already."""
    result = get_diff_result(db(), current_actor(), job_id)
    return overlays.create_overlay(db(), current_actor(), result.id, body["changes"])


@blp.route("/overlays/<overlay_id>", methods=["PUT"])
@blp.arguments(OverlayChangesSchema)
@blp.response(200, OverlaySchema)
def update_overlay(body: dict[str, Any], overlay_id: str) -> ManualOverlay:
    """Save a new version of the active overlay; 409 when it is no longer the active one."""
    return overlays.update_overlay(db(), current_actor(), overlay_id, body["changes"])


@blp.route("/overlays/<overlay_id>", methods=["DELETE"])
@blp.response(204)
def delete_overlay(overlay_id: str) -> None:
    """Withdraw the active overlay so the machine's result stands again; its history is kept."""
    overlays.deactivate_overlay(db(), current_actor(), overlay_id)
