"""Registering drawing files: uploads by people and files dropped straight into the bucket.

Either way a file becomes a new :class:`DrawingVersion` only when its bytes
are a readable drawing and differ from every earlier version of the drawing
(SHA-256). Version numbers are assigned with the drawing row locked, so
concurrent uploads never share a number, and a blob written for a
transaction that then rolls back is deleted again.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import Drawing, DrawingVersion, Project
from buildtrace_assets.db.session import on_rollback
from buildtrace_assets.observability.tracing import record_upload
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import SYSTEM, Actor, require_project
from buildtrace_assets.services.drawings import (
    get_or_create_drawing,
    list_versions,
    next_version_number,
    version_with_hash,
)
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound
from buildtrace_assets.services.filetypes import InspectedFile, inspect_upload
from buildtrace_assets.services.jobs import create_comparison_job, previous_version
from buildtrace_assets.services.pipeline_requests import request_analysis
from buildtrace_assets.services.retries import reanalyze
from buildtrace_assets.storage import BlobNotFound, BlobStorage
from buildtrace_assets.storage.base import Progress

UPLOADS_PREFIX = "uploads/"
MAX_FILENAME_LENGTH = 120
_UNSAFE_FILENAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._ -]+")


class DuplicateUpload(Conflict):
    """The same bytes are already a version of this drawing.

    Holds the existing version's id and number (not the row, which the
    rollback that follows this error would expire).
    """

    def __init__(self, existing: DrawingVersion, drawing: Drawing) -> None:
        super().__init__(
            f"this file is already version {existing.version_number} of drawing {drawing.name!r} (id {existing.id})"
        )
        self.existing_id = existing.id
        self.existing_version_number = existing.version_number


def safe_filename(filename: str) -> str:
    """The last path segment of ``filename`` with only portable characters, for use in a storage key."""
    base = re.split(r"[\\/]", filename.strip())[-1]
    cleaned = _UNSAFE_FILENAME_CHARACTERS.sub("_", base).strip(" .")
    return cleaned[-MAX_FILENAME_LENGTH:] or "drawing"


def upload_key(project_id: str, drawing_name: str, version_number: int, filename: str) -> str:
    """Where an uploaded version's bytes are stored."""
    return f"{UPLOADS_PREFIX}{project_id}/{drawing_name}/{version_number}-{safe_filename(filename)}"


def register_upload(
    session: Session,
    storage: BlobStorage,
    actor: Actor,
    project_id: str,
    drawing_name: str,
    filename: str,
    data: bytes,
    progress: Progress | None = None,
) -> DrawingVersion:
    """Store ``data`` as the next version of the project's drawing ``drawing_name`` (editors and owners).

    ``progress`` hears the bytes stored so far while the file is written to storage (the portal's upload bar).

    In the same transaction the version's analysis is requested and, from
    version 2 on, its comparison with the version before it is created, so
    the pipeline finds the work in the database whatever the storage key.
    The same bytes as a version whose analysis failed retry that analysis.

    Raises :class:`InvalidInput` (empty), :class:`PayloadTooLarge`,
    :class:`UnsupportedFileType` (not a drawing, encrypted, damaged),
    :class:`DuplicateUpload` or the access errors; in every case nothing is
    written to the database or to storage.
    """
    project = require_project(session, actor, project_id, "editor")
    inspected = inspect_upload(data, filename)
    drawing = get_or_create_drawing(session, actor, project, drawing_name)
    duplicate = version_with_hash(session, drawing, inspected.sha256)
    if duplicate is not None and duplicate.ocr_status == "failed":
        reanalyze(session, actor, project, duplicate, "the same file was uploaded again after its analysis failed")
        return duplicate
    if duplicate is not None:
        raise DuplicateUpload(duplicate, drawing)
    number = next_version_number(session, drawing)
    key = upload_key(project.id, drawing.name, number, filename)
    if storage.exists(key):
        raise Conflict(f"a file not yet registered is stored at {key}; try again once the upload sensor has seen it")
    version = _add_version(session, actor, project, drawing, number, key, filename, inspected)
    storage.put_bytes(key, data, content_type=inspected.content_type, progress=progress)
    on_rollback(session, lambda: storage.delete(key))
    return version


def register_stored_object(session: Session, storage: BlobStorage, key: str) -> DrawingVersion:
    """The version for a file found at ``uploads/<project_id>/<drawing name>/<file>``, registered once.

    For the upload sensor: idempotent by storage key and by content, so a
    file the services uploaded themselves, or the same bytes dropped twice,
    map to the version that already exists. New files are registered as the
    system (no uploading user). The blob is never deleted here; it is not ours.
    """
    existing = session.scalar(select(DrawingVersion).where(DrawingVersion.storage_key == key))
    if existing is not None:
        return existing
    project_id, drawing_name, filename = _parse_upload_key(key)
    project = require_project(session, SYSTEM, project_id)
    try:
        data = storage.get_bytes(key)
    except BlobNotFound:
        raise NotFound(f"no stored object {key!r}") from None
    inspected = inspect_upload(data, filename)
    drawing = get_or_create_drawing(session, SYSTEM, project, drawing_name)
    same_bytes = version_with_hash(session, drawing, inspected.sha256)
    if same_bytes is not None and same_bytes.ocr_status == "failed":
        reanalyze(session, SYSTEM, project, same_bytes, f"the same file was dropped again at {key}")
    if same_bytes is not None:
        return same_bytes
    if not storage.exists(key):
        # An upload whose transaction we waited for (drawing lock) rolled back and removed its blob.
        raise NotFound(f"no stored object {key!r}")
    number = next_version_number(session, drawing)
    return _add_version(session, SYSTEM, project, drawing, number, key, filename, inspected)


def _parse_upload_key(key: str) -> tuple[str, str, str]:
    parts = key.split("/")
    if len(parts) != 4 or parts[0] + "/" != UPLOADS_PREFIX or not all(parts[1:]):
        raise InvalidInput(f"{key!r} is not of the form {UPLOADS_PREFIX}<project id>/<drawing name>/<file>")
    return parts[1], parts[2], parts[3]


def _add_version(
    session: Session,
    actor: Actor,
    project: Project,
    drawing: Drawing,
    number: int,
    key: str,
    filename: str,
    inspected: InspectedFile,
) -> DrawingVersion:
    version = DrawingVersion(
        drawing_id=drawing.id,
        version_number=number,
        storage_key=key,
        original_filename=filename.strip()[-255:] or "drawing",
        content_type=inspected.content_type,
        file_kind=inspected.kind,
        file_hash=inspected.sha256,
        file_size=inspected.size,
        page_count=inspected.page_count,
        uploaded_by=actor.user_id,
    )
    session.add(version)
    session.flush()
    audit.record_change(session, actor, "drawing_version.create", project, version)
    context = record_upload(version.id, project_id=project.id, drawing=drawing.name, version_number=number)
    request_analysis(session, actor, project, version, "new version").traceparent = context
    previous = previous_version(session, actor, version.id)
    if previous is not None:
        create_comparison_job(session, actor, previous.id, version.id)
    return version


def versions_with_warnings(
    session: Session, storage: BlobStorage, actor: Actor, drawing_id: str
) -> list[tuple[DrawingVersion, tuple[str, ...]]]:
    """A drawing's versions (oldest first), each with what converting its file lost (a DWG's analysis warnings).

    Read from the version's stored analysis; a version not analysed yet, or
    whose analysis cannot be read, has none to show.
    """
    return [(version, _analysis_warnings(storage, version)) for version in list_versions(session, actor, drawing_id)]


def _analysis_warnings(storage: BlobStorage, version: DrawingVersion) -> tuple[str, ...]:
    if version.ocr_result_ref is None:
        return ()
    try:
        analysis = json.loads(storage.get_bytes(version.ocr_result_ref))
    except (BlobNotFound, ValueError):
        return ()
    warnings = analysis.get("warnings", []) if isinstance(analysis, dict) else []
    return tuple(str(warning.get("message", "")) for warning in warnings if isinstance(warning, dict))
