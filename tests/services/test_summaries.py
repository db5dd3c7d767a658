"""Change summaries: every save a new active version chained to the one it replaces."""

from __future__ import annotations

import pytest
from fixtures.database import Team
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog, DiffResult
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from buildtrace_assets.services.overlays import create_overlay
from buildtrace_assets.services.summaries import (
    active_summary,
    edit_summary,
    restore_summary,
    save_machine_summary,
    summary_history,
)

CONTENT = {"overall": "Door D-3 moved.", "items": [{"change_ids": ["A-101-1"], "text": "Door D-3 moved."}]}


def machine(session: Session, diff_result: DiffResult, **fields: object):
    arguments = {"content": CONTENT, "text": "# Changes\nDoor D-3 moved.", "model": "offline", "prompt_version": "1"}
    return save_machine_summary(session, SYSTEM, diff_result.id, **(arguments | fields))


def test_machine_then_person_then_machine_again(db_session: Session, team: Team, diff_result: DiffResult) -> None:
    first = machine(db_session, diff_result, metadata={"tokens": 120})
    edited = edit_summary(
        db_session, team.editor, diff_result.id, "Door D-3 moved 2 ft east.", expected_active_id=first.id
    )
    overlay = create_overlay(db_session, team.editor, diff_result.id, [])
    corrected = machine(db_session, diff_result, overlay_id=overlay.id)

    assert (first.source, first.metadata_, first.is_active) == ("machine", {"tokens": 120}, False)
    assert (edited.source, edited.parent_summary_id, edited.created_by) == (
        "human_written",
        first.id,
        team.editor.user_id,
    )
    assert edited.content == {"overall": "Door D-3 moved 2 ft east.", "items": []}
    assert (corrected.source, corrected.parent_summary_id, corrected.overlay_id) == (
        "human_corrected",
        edited.id,
        overlay.id,
    )
    assert active_summary(db_session, team.viewer, diff_result.id).id == corrected.id
    history = summary_history(db_session, team.viewer, diff_result.id)
    assert [(s.id, s.version_number) for s in history] == [(corrected.id, 3), (edited.id, 2), (first.id, 1)]
    actions = db_session.scalars(select(AuditLog.action).where(AuditLog.entity_type == "change_summaries")).all()
    assert sorted(actions) == ["summary.human_corrected", "summary.human_written", "summary.machine"]


def test_no_summary_yet(db_session: Session, team: Team, diff_result: DiffResult) -> None:
    assert active_summary(db_session, team.viewer, diff_result.id) is None
    assert summary_history(db_session, team.viewer, diff_result.id) == []


def test_an_edit_on_a_stale_summary_is_a_conflict(db_session: Session, team: Team, diff_result: DiffResult) -> None:
    first = machine(db_session, diff_result)
    machine(db_session, diff_result)
    with pytest.raises(Conflict, match="changed while you were editing"):
        edit_summary(db_session, team.editor, diff_result.id, "mine", expected_active_id=first.id)


@pytest.mark.parametrize(
    "fields",
    [{"text": "  "}, {"content": {"overall": "x"}}, {"content": ["not", "an", "object"]}, {"overlay_id": "nope"}],
    ids=["blank-text", "no-items", "not-an-object", "unknown-overlay"],
)
def test_bad_summaries_are_refused(db_session: Session, diff_result: DiffResult, fields: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        machine(db_session, diff_result, **fields)


def test_access(db_session: Session, team: Team, diff_result: DiffResult) -> None:
    machine(db_session, diff_result)
    with pytest.raises(PermissionDenied):
        edit_summary(db_session, team.viewer, diff_result.id, "mine")
    for stranger in (team.colleague, team.outsider):
        with pytest.raises(NotFound):
            active_summary(db_session, stranger, diff_result.id)
        with pytest.raises(NotFound):
            edit_summary(db_session, stranger, diff_result.id, "mine")
        with pytest.raises(NotFound):
            summary_history(db_session, stranger, diff_result.id)


def test_restoring_an_older_version_copies_it_as_a_new_active_version_in_the_persons_name(
    db_session: Session, team: Team, diff_result: DiffResult
) -> None:
    first = machine(db_session, diff_result)
    edit_summary(db_session, team.editor, diff_result.id, "Hand-written.", expected_active_id=first.id)

    restored = restore_summary(db_session, team.editor, diff_result.id, first.id)

    assert (restored.version_number, restored.is_active, restored.text) == (3, True, first.text)
    assert (restored.source, restored.model, restored.content) == ("machine", "offline", CONTENT)
    assert (restored.created_by, restored.metadata_) == (team.editor.user_id, {"restored_from": 1})
    assert [summary.version_number for summary in summary_history(db_session, team.viewer, diff_result.id)] == [3, 2, 1]
    audited = db_session.scalars(select(AuditLog.action).where(AuditLog.entity_id == restored.id)).all()
    assert audited == ["summary.restore"]


def test_restoring_the_active_version_or_another_results_version_is_refused(
    db_session: Session, team: Team, diff_result: DiffResult
) -> None:
    first = machine(db_session, diff_result)

    with pytest.raises(Conflict):
        restore_summary(db_session, team.editor, diff_result.id, first.id)
    with pytest.raises(NotFound):
        restore_summary(db_session, team.editor, diff_result.id, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(PermissionDenied):
        restore_summary(db_session, team.viewer, diff_result.id, first.id)
