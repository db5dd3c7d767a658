"""Drawings: upload (optionally starting a comparison), versions, deletion."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from werkzeug.datastructures import FileStorage

from buildtrace_assets.api.context import api_context, current_actor, db
from buildtrace_assets.api.multipart import LOCATION, MultipartBlueprint
from buildtrace_assets.api.schemas import (
    DrawingDetailSchema,
    DrawingSchema,
    DrawingVersionSchema,
    NewVersionSchema,
    UploadResultSchema,
    UploadSchema,
)
from buildtrace_assets.db.models import Drawing, DrawingVersion
from buildtrace_assets.services import drawings, retries
from buildtrace_assets.services.jobs import create_comparison_job
from buildtrace_assets.services.uploads import register_upload

blp = MultipartBlueprint("drawings", __name__, url_prefix="/api/v1", description="Drawings and their versions.")


def _store(project_id: str, drawing_name: str, upload: FileStorage, old_version_id: str | None) -> dict[str, Any]:
    """Register the file through the portal's upload path, then compare it with ``old_version_id`` if given."""
    session, actor = db(), current_actor()
    filename = upload.filename or "drawing"
    version = register_upload(session, api_context().storage, actor, project_id, drawing_name, filename, upload.read())
    job = create_comparison_job(session, actor, old_version_id, version.id) if old_version_id else None
    return {"drawing": session.get_one(Drawing, version.drawing_id), "version": version, "job": job}


@blp.route("/projects/<project_id>/drawings", methods=["GET"])
@blp.response(200, DrawingSchema(many=True))
def list_drawings(project_id: str) -> Sequence[Drawing]:
    """The project's drawings by name."""
    return drawings.list_drawings(db(), current_actor(), project_id)


@blp.route("/projects/<project_id>/drawings", methods=["POST"])
@blp.arguments(UploadSchema, location=LOCATION)
@blp.response(201, UploadResultSchema)
def upload_drawing(form: dict[str, Any], project_id: str) -> dict[str, Any]:
    """Upload a file as the next version of the drawing ``name`` (editors and owners).

    The type is judged from the content (415 for anything but PDF, PNG, JPEG,
    DXF or DWG, and for a DWG of another version, password-protected, or whose
    conversion would lose too much), the size against the limit (413); the
    same bytes twice are a 409.
    """
    upload = form["file"]
    name = form.get("name") or PurePosixPath((upload.filename or "drawing").replace("\\", "/")).stem or "drawing"
    return _store(project_id, name, upload, form.get("old_version_id"))


@blp.route("/drawings/<drawing_id>", methods=["GET"])
@blp.response(200, DrawingDetailSchema)
def get_drawing(drawing_id: str) -> dict[str, Any]:
    """A drawing with its versions, oldest first."""
    drawing = drawings.get_drawing(db(), current_actor(), drawing_id)
    versions = drawings.list_versions(db(), current_actor(), drawing_id)
    fields = ("id", "project_id", "name", "created_at")
    return {**{field: getattr(drawing, field) for field in fields}, "versions": versions}


@blp.route("/drawings/<drawing_id>", methods=["DELETE"])
@blp.response(204)
def remove_drawing(drawing_id: str) -> None:
    """Delete a drawing, its versions and their comparisons (owners)."""
    drawings.delete_drawing(db(), api_context().storage, current_actor(), drawing_id)


@blp.route("/drawings/<drawing_id>/versions", methods=["GET"])
@blp.response(200, DrawingVersionSchema(many=True))
def list_versions(drawing_id: str) -> Sequence[DrawingVersion]:
    """The drawing's versions, oldest first."""
    return drawings.list_versions(db(), current_actor(), drawing_id)


@blp.route("/drawings/<drawing_id>/versions", methods=["POST"])
@blp.arguments(NewVersionSchema, location=LOCATION)
@blp.response(201, UploadResultSchema)
def add_version(form: dict[str, Any], drawing_id: str) -> dict[str, Any]:
    """Upload a new version of this drawing (editors and owners); same checks as the upload."""
    drawing = drawings.get_drawing(db(), current_actor(), drawing_id)
    return _store(drawing.project_id, drawing.name, form["file"], form.get("old_version_id"))


@blp.route("/versions/<version_id>", methods=["GET"])
@blp.response(200, DrawingVersionSchema)
def get_version(version_id: str) -> DrawingVersion:
    """One drawing version."""
    return drawings.get_version(db(), current_actor(), version_id)[0]


@blp.route("/versions/<version_id>/retry", methods=["POST"])
@blp.response(200, DrawingVersionSchema)
def retry_version(version_id: str) -> DrawingVersion:
    """Analyze a version whose analysis failed again (editors and owners); its failed jobs resume. 409 otherwise."""
    return retries.retry_analysis(db(), current_actor(), version_id)
