"""Manual overlays: validated change regions, a new version per save, exactly one active; each save asks for a
summary written from it, in its author's name."""

from __future__ import annotations

from typing import Any

import pytest
from fixtures.database import Team
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog, DiffResult, PipelineRequest
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from buildtrace_assets.services.jobs import cancel_job
from buildtrace_assets.services.overlays import (
    active_overlay,
    create_overlay,
    deactivate_overlay,
    overlay_history,
    update_overlay,
)


def region(change_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": change_id, "kind": "added", "bbox": [10.0, 20.0, 110.0, 70.0], "sheet_number": "A-101"} | fields


def test_create_then_update_keeps_a_chain_with_one_active(
    db_session: Session, team: Team, diff_result: DiffResult
) -> None:
    first = create_overlay(db_session, team.editor, diff_result.id, [region("m-1")])
    second = update_overlay(db_session, team.owner, first.id, [region("m-1"), region("m-2", kind="removed")])

    assert (first.version_number, first.is_active) == (1, False)
    assert (second.version_number, second.parent_overlay_id, second.is_active) == (2, first.id, True)
    assert active_overlay(db_session, team.viewer, diff_result.id).id == second.id
    assert [o.version_number for o in overlay_history(db_session, team.viewer, diff_result.id)] == [2, 1]
    assert second.changes[1]["kind"] == "removed" and second.changes[0]["sheet_number"] == "A-101"
    assert len(db_session.scalars(select(AuditLog).where(AuditLog.action == "overlay.create")).all()) == 2


def summary_requests(session: Session) -> list[tuple[str | None, str | None, str, str]]:
    rows = session.scalars(
        select(PipelineRequest).where(PipelineRequest.kind == "summarize").order_by(PipelineRequest.reason)
    )
    return [(row.job_id, row.requested_by, row.reason, row.status) for row in rows]


def test_each_saved_version_records_a_summary_request_in_its_author_s_name(
    db_session: Session, team: Team, diff_result: DiffResult
) -> None:
    first = create_overlay(db_session, team.editor, diff_result.id, [region("m-1")])
    second = update_overlay(db_session, team.owner, first.id, [])
    with pytest.raises(Conflict):
        update_overlay(db_session, team.owner, first.id, [])
    deactivate_overlay(db_session, team.owner, second.id)

    assert summary_requests(db_session) == [
        (diff_result.job_id, team.editor.user_id, "corrected regions (overlay v1)", "pending"),
        (diff_result.job_id, team.owner.user_id, "corrected regions (overlay v2)", "pending"),
    ]
    audited = db_session.scalars(select(AuditLog.user_id).where(AuditLog.action == "pipeline_request.summarize"))
    assert sorted(audited) == sorted([team.editor.user_id, team.owner.user_id])


def test_an_overlay_of_a_cancelled_job_is_kept_without_asking_for_a_summary(
    db_session: Session, team: Team, diff_result: DiffResult
) -> None:
    cancel_job(db_session, team.editor, diff_result.job_id)

    overlay = create_overlay(db_session, team.editor, diff_result.id, [region("m-1")])

    assert overlay.is_active and summary_requests(db_session) == []


def test_deactivating_restores_the_machine_result(db_session: Session, team: Team, diff_result: DiffResult) -> None:
    first = create_overlay(db_session, team.editor, diff_result.id, [region("m-1")])
    deactivate_overlay(db_session, team.editor, first.id)
    assert active_overlay(db_session, team.viewer, diff_result.id) is None
    again = create_overlay(db_session, team.editor, diff_result.id, [])
    assert (again.version_number, again.parent_overlay_id) == (2, first.id)


def test_stale_and_double_saves_are_conflicts(db_session: Session, team: Team, diff_result: DiffResult) -> None:
    first = create_overlay(db_session, team.editor, diff_result.id, [region("m-1")])
    with pytest.raises(Conflict, match="already has an active overlay"):
        create_overlay(db_session, team.editor, diff_result.id, [])
    update_overlay(db_session, team.editor, first.id, [])
    with pytest.raises(Conflict, match="no longer the active one"):
        update_overlay(db_session, team.owner, first.id, [region("late")])
    with pytest.raises(Conflict, match="not active"):
        deactivate_overlay(db_session, team.owner, first.id)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "x"}, "invalid change"),
        ([region("a", kind="rotated")], "invalid change at 0/kind"),
        ([region("a", bbox=[1, 2, 3])], "invalid change at 0/bbox"),
        ([region("a", bbox=[50, 20, 10, 70])], "x0 < x1"),
        ([region("a", confidence=1.5)], "invalid change at 0/confidence"),
        ([region("a"), region("a")], "unique"),
    ],
    ids=["not-a-list", "kind", "bbox-length", "bbox-order", "confidence", "duplicate-id"],
)
def test_changes_must_follow_the_contract(
    db_session: Session, team: Team, diff_result: DiffResult, changes: Any, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        create_overlay(db_session, team.editor, diff_result.id, changes)


def test_access(db_session: Session, team: Team, diff_result: DiffResult) -> None:
    overlay = create_overlay(db_session, team.editor, diff_result.id, [])
    with pytest.raises(PermissionDenied):
        create_overlay(db_session, team.viewer, diff_result.id, [])
    with pytest.raises(PermissionDenied):
        update_overlay(db_session, team.viewer, overlay.id, [])
    with pytest.raises(PermissionDenied):
        deactivate_overlay(db_session, team.viewer, overlay.id)
    for stranger in (team.colleague, team.outsider):
        with pytest.raises(NotFound):
            active_overlay(db_session, stranger, diff_result.id)
        with pytest.raises(NotFound, match=f"overlay {overlay.id} not found"):
            update_overlay(db_session, stranger, overlay.id, [])
        with pytest.raises(NotFound):
            overlay_history(db_session, stranger, diff_result.id)
