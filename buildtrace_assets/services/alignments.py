"""Manual sheet alignments: point pairs a person gives when the automatic alignment of a sheet failed or is wrong.

They are stored with the job's diff result, one row per sheet, and saving
them asks the pipeline to diff the job again (a pipeline request in the same
transaction), where the diff asset reads them and hands them to the engine.
Point pairs are checked against the real page sizes of both versions before
anything is stored, so a degenerate set (coincident, on one line, off the
sheet, an implausible scale) is refused with the engine's reason and never
reaches the pipeline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import DiffResult, DrawingVersion, Job, PipelineRequest, SheetAlignment
from buildtrace_assets.engine.compare import DocumentAnalysis
from buildtrace_assets.engine.errors import AnalysisMismatchError
from buildtrace_assets.engine.manual_alignment import (
    ManualAlignmentError,
    PointPair,
    SheetSize,
    manual_alignment,
    points_from_json,
    points_to_json,
)
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.diff_results import get_diff_result, lock_diff_result, require_diff_result
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound
from buildtrace_assets.services.pipeline_requests import request_comparison
from buildtrace_assets.storage import BlobNotFound, BlobStorage
from buildtrace_assets.summaries.overlays import sheet_key as key_of

MAX_SHEET_KEY_LENGTH = 255


def _changes_sheet(storage: BlobStorage, result: DiffResult, key: str) -> dict[str, Any]:
    try:
        document = json.loads(storage.get_bytes(result.changes_ref))
    except BlobNotFound:
        raise NotFound(f"the changes document of job {result.job_id} is missing from storage") from None
    for sheet in document["sheets"]:
        if key_of(sheet) == key:
            return sheet
    raise NotFound(f"job {result.job_id} has no sheet {key}")


def _page_size(storage: BlobStorage, version: DrawingVersion, page: int) -> SheetSize:
    """The page's size in points, from the version's stored analysis (the engine's own reading of the file)."""
    if version.ocr_result_ref is None:
        raise Conflict(f"version {version.version_number} has not been analyzed; align its sheets once it is")
    try:
        analysis = DocumentAnalysis.from_json(json.loads(storage.get_bytes(version.ocr_result_ref)))
        found = analysis.pages[page]
    except (BlobNotFound, AnalysisMismatchError, IndexError):
        raise Conflict(f"the analysis of version {version.version_number} cannot be read; retry the job") from None
    return (found.width_pt, found.height_pt)


def save_alignment(
    session: Session, storage: BlobStorage, actor: Actor, job_id: str, sheet_key: str, points: Any
) -> SheetAlignment:
    """Store the point pairs aligning ``sheet_key`` of the job (editors and owners) and ask for the diff again.

    ``points`` is ``[{"old": [x, y], "new": [x, y]}, ...]``, two or three pairs in points on each sheet. Point
    pairs that cannot align the sheet are :class:`InvalidInput` with the reason; nothing is stored then.
    """
    result = get_diff_result(session, actor, job_id)
    result, project = require_diff_result(session, actor, result.id, "editor")
    job = session.get_one(Job, result.job_id)
    if job.status == "cancelled":
        raise Conflict(f"job {job_id} was cancelled; start a new comparison to align its sheets")
    if not sheet_key or len(sheet_key) > MAX_SHEET_KEY_LENGTH:
        raise InvalidInput(f"a sheet key has 1 to {MAX_SHEET_KEY_LENGTH} characters")
    sheet = _changes_sheet(storage, result, sheet_key)
    if sheet.get("old_page") is None or sheet.get("new_page") is None:
        side = "new" if sheet.get("old_page") is None else "old"
        raise InvalidInput(f"sheet {sheet_key} is only in the {side} version: there is nothing to align it with")
    old_size = _page_size(storage, session.get_one(DrawingVersion, job.old_drawing_version_id), sheet["old_page"])
    new_size = _page_size(storage, session.get_one(DrawingVersion, job.new_drawing_version_id), sheet["new_page"])
    try:
        pairs = points_from_json(points)
        manual_alignment(pairs, old_size, new_size)
    except ManualAlignmentError as error:
        raise InvalidInput(f"sheet {sheet_key}: {error}") from None
    lock_diff_result(session, result)
    row = session.scalar(
        select(SheetAlignment).where(SheetAlignment.diff_result_id == result.id, SheetAlignment.sheet_key == sheet_key)
    )
    before = audit.snapshot(row) if row is not None else None
    if row is None:
        row = SheetAlignment(diff_result_id=result.id, sheet_key=sheet_key)
        session.add(row)
    row.points = points_to_json(pairs)
    row.created_by = actor.user_id
    session.flush()
    action = "sheet_alignment.replace" if before else "sheet_alignment.create"
    audit.record_change(session, actor, action, project, row, before=before)
    request_comparison(session, actor, project, job, f"manual alignment of sheet {sheet_key}")
    return row


def clear_alignment(session: Session, actor: Actor, job_id: str, sheet_key: str) -> PipelineRequest:
    """Drop a sheet's manual alignment (editors and owners); the request that diffs the job again, aligned
    automatically."""
    result = get_diff_result(session, actor, job_id)
    result, project = require_diff_result(session, actor, result.id, "editor")
    lock_diff_result(session, result)
    row = session.scalar(
        select(SheetAlignment).where(SheetAlignment.diff_result_id == result.id, SheetAlignment.sheet_key == sheet_key)
    )
    if row is None:
        raise NotFound(f"sheet {sheet_key} of job {job_id} has no manual alignment")
    before = audit.snapshot(row)
    session.delete(row)
    session.flush()
    audit.record_change(session, actor, "sheet_alignment.delete", project, row, before=before, deleted=True)
    return request_comparison(
        session, actor, project, session.get_one(Job, result.job_id), f"automatic alignment of sheet {sheet_key}"
    )


def sheet_alignments(session: Session, actor: Actor, job_id: str) -> Sequence[SheetAlignment]:
    """The job's manual alignments, by sheet key; any member may read them (:class:`NotFound` before a diff)."""
    result = get_diff_result(session, actor, job_id)
    return session.scalars(
        select(SheetAlignment).where(SheetAlignment.diff_result_id == result.id).order_by(SheetAlignment.sheet_key)
    ).all()


def alignments_to_apply(session: Session, actor: Actor, job_id: str) -> dict[str, tuple[PointPair, ...]]:
    """What the diff passes to the engine: point pairs by sheet key; none before the job's first diff."""
    try:
        rows = sheet_alignments(session, actor, job_id)
    except NotFound:
        return {}
    return {row.sheet_key: points_from_json(row.points) for row in rows}
