"""Manual sheet alignments: editors store point pairs with the diff result, audited, and the diff is asked for again;
point pairs that cannot align the sheet are refused and nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fixtures.database import Team
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog, DiffResult, DrawingVersion, Job, PipelineRequest, SheetAlignment
from buildtrace_assets.engine.compare import analyze_document, compare_documents
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.alignments import (
    alignments_to_apply,
    clear_alignment,
    save_alignment,
    sheet_alignments,
)
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.drawings import record_version_processing
from buildtrace_assets.services.errors import InvalidInput, NotFound, PermissionDenied
from buildtrace_assets.storage import BlobStorage

SHEET = "page-1"
"""The key of the one sheet of ``tiny_pdf`` versions: it has no sheet number."""
POINTS = [{"old": [100.0, 100.0], "new": [120.0, 110.0]}, {"old": [500.0, 700.0], "new": [520.0, 710.0]}]


@pytest.fixture
def compared(
    db_session: Session, blob_storage: BlobStorage, job: Job, versions: tuple[DrawingVersion, ...], tmp_path: Path
) -> DiffResult:
    """The job's versions analysed and diffed by the real engine, stored as the pipeline stores them.

    Two pages with one word each: too little for the automatic alignment, so the sheet is unaligned.
    """
    paths = []
    for version in versions:
        path = blob_storage.download(version.storage_key, tmp_path / f"{version.id}.pdf")
        key = f"versions/{version.id}/analysis.json"
        blob_storage.put_bytes(key, json.dumps(analyze_document(path).to_json()).encode())
        record_version_processing(db_session, SYSTEM, version.id, ocr_status="completed", ocr_result_ref=key)
        paths.append(path)
    document = compare_documents(*paths, tmp_path / "out", dpi=36)
    assert document["sheets"][0]["error"]["kind"] == "unaligned"
    blob_storage.put_file(f"jobs/{job.id}/diff/changes.json", tmp_path / "out" / "changes.json")
    return record_diff_result(
        db_session, SYSTEM, job.id, changes_ref=f"jobs/{job.id}/diff/changes.json", engine_version="test", sheet_count=1
    )


def _requests(session: Session, job: Job) -> list[PipelineRequest]:
    return list(session.scalars(select(PipelineRequest).where(PipelineRequest.job_id == job.id)))


def _audits(session: Session, action: str) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_an_editor_stores_point_pairs_audited_and_the_diff_is_asked_for_again(
    db_session: Session, blob_storage: BlobStorage, team: Team, job: Job, compared: DiffResult
) -> None:
    row = save_alignment(db_session, blob_storage, team.editor, job.id, SHEET, POINTS)

    assert (row.diff_result_id, row.sheet_key, row.points, row.created_by) == (
        compared.id,
        SHEET,
        POINTS,
        team.editor.user_id,
    )
    [request] = _requests(db_session, job)
    assert (request.kind, request.status, request.requested_by) == ("compare", "pending", team.editor.user_id)
    assert request.reason == f"manual alignment of sheet {SHEET}"
    [audit] = _audits(db_session, "sheet_alignment.create")
    assert (audit.user_id, audit.entity_id, audit.after["points"], audit.before) == (
        team.editor.user_id,
        row.id,
        POINTS,
        None,
    )
    assert alignments_to_apply(db_session, SYSTEM, job.id) == {
        SHEET: (((100.0, 100.0), (120.0, 110.0)), ((500.0, 700.0), (520.0, 710.0)))
    }


def test_aligning_a_sheet_again_replaces_its_points_and_clearing_goes_back_to_automatic(
    db_session: Session, blob_storage: BlobStorage, team: Team, job: Job, compared: DiffResult
) -> None:
    first = save_alignment(db_session, blob_storage, team.editor, job.id, SHEET, POINTS)
    three = [*POINTS, {"old": [300.0, 100.0], "new": [320.0, 110.0]}]
    second = save_alignment(db_session, blob_storage, team.owner, job.id, SHEET, three)

    assert second.id == first.id and [len(row.points) for row in sheet_alignments(db_session, team.viewer, job.id)] == [
        3
    ]
    [replaced] = _audits(db_session, "sheet_alignment.replace")
    assert replaced.before["points"] == POINTS and replaced.after["points"] == three

    clear_alignment(db_session, team.editor, job.id, SHEET)

    assert (
        sheet_alignments(db_session, team.viewer, job.id) == []
        and alignments_to_apply(db_session, SYSTEM, job.id) == {}
    )
    assert {request.reason for request in _requests(db_session, job)} == {
        f"manual alignment of sheet {SHEET}",
        f"automatic alignment of sheet {SHEET}",
    }
    assert _audits(db_session, "sheet_alignment.delete")[0].after is None
    with pytest.raises(NotFound, match="has no manual alignment"):
        clear_alignment(db_session, team.editor, job.id, SHEET)


def _nothing_stored(session: Session, job: Job) -> bool:
    stored = session.scalar(select(func.count()).select_from(SheetAlignment))
    return stored == 0 and _requests(session, job) == [] and not _audits(session, "sheet_alignment.create")


def test_viewers_may_read_but_not_align_and_other_tenants_are_told_nothing(
    db_session: Session, blob_storage: BlobStorage, team: Team, job: Job, compared: DiffResult
) -> None:
    with pytest.raises(PermissionDenied, match="editor role"):
        save_alignment(db_session, blob_storage, team.viewer, job.id, SHEET, POINTS)
    for stranger in (team.colleague, team.outsider):
        with pytest.raises(NotFound):
            save_alignment(db_session, blob_storage, stranger, job.id, SHEET, POINTS)
        with pytest.raises(NotFound):
            sheet_alignments(db_session, stranger, job.id)
    assert sheet_alignments(db_session, team.viewer, job.id) == []
    assert _nothing_stored(db_session, job)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (POINTS[:1], "give two or three point pairs per sheet, not 1"),
        ([POINTS[0], POINTS[0]], "old points 1 and 2 are 0 pt apart"),
        ([*POINTS, {"old": [300.0, 400.0], "new": [320.0, 410.0]}], "lie (almost) on one line"),
        (
            [POINTS[0], {"old": [700.0, 700.0], "new": [520.0, 710.0]}],
            "old point 2 (700, 700) is outside the old sheet",
        ),
        (
            [POINTS[0], {"old": [500.0, 700.0], "new": [600.0, 800.0]}],
            "new point 2 (600, 800) is outside the new sheet",
        ),
        ([POINTS[0], {"old": [110.0, 180.0], "new": [520.0, 710.0]}], "the new sheet 8.94x the old one"),
        ([{"old": [1, 2]}], 'point pairs must be a list of {"old": [x, y], "new": [x, y]}'),
        ("not a list", 'point pairs must be a list of {"old": [x, y], "new": [x, y]}'),
    ],
    ids=["one-pair", "coincident", "collinear", "old-outside", "new-outside", "scale", "missing-new", "not-a-list"],
)
def test_point_pairs_that_cannot_align_the_sheet_are_refused_and_nothing_is_stored(
    db_session: Session,
    blob_storage: BlobStorage,
    team: Team,
    job: Job,
    compared: DiffResult,
    points: Any,
    message: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        save_alignment(db_session, blob_storage, team.editor, job.id, SHEET, points)
    assert message in str(refused.value)
    assert _nothing_stored(db_session, job)


def test_a_sheet_the_diff_does_not_have_or_before_any_diff_is_not_found(
    db_session: Session, blob_storage: BlobStorage, team: Team, job: Job
) -> None:
    with pytest.raises(NotFound, match="has no diff result yet"):
        save_alignment(db_session, blob_storage, team.editor, job.id, SHEET, POINTS)
    assert alignments_to_apply(db_session, SYSTEM, job.id) == {}


def test_a_sheet_key_the_diff_does_not_have_is_not_found(
    db_session: Session, blob_storage: BlobStorage, team: Team, job: Job, compared: DiffResult
) -> None:
    with pytest.raises(NotFound, match="has no sheet A-999"):
        save_alignment(db_session, blob_storage, team.editor, job.id, "A-999", POINTS)
    assert _nothing_stored(db_session, job)
