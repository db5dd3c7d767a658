"""The diff result of a job: recorded by the pipeline, replaced (never duplicated) on a re-run."""

from __future__ import annotations

import pytest
from fixtures.database import Team
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog, DiffResult, Job
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.diff_results import get_diff_result, record_diff_result
from buildtrace_assets.services.errors import InvalidInput, NotFound, PermissionDenied


def test_a_rerun_replaces_the_row(db_session: Session, team: Team, job: Job, diff_result: DiffResult) -> None:
    again = record_diff_result(
        db_session,
        SYSTEM,
        job.id,
        changes_ref="diffs/second.json",
        engine_version="1.1",
        overlay_refs={"A-101": "overlays/a101.png"},
        sheet_count=2,
        change_count=7,
    )
    assert again.id == diff_result.id
    assert db_session.scalar(select(func.count()).select_from(DiffResult)) == 1
    stored = get_diff_result(db_session, team.viewer, job.id)
    assert (stored.changes_ref, stored.overlay_refs, stored.change_count) == (
        "diffs/second.json",
        {"A-101": "overlays/a101.png"},
        7,
    )
    actions = db_session.scalars(select(AuditLog.action).where(AuditLog.entity_id == diff_result.id)).all()
    assert sorted(actions) == ["diff_result.create", "diff_result.replace"]


def test_no_result_before_the_diff_has_run(db_session: Session, team: Team, job: Job) -> None:
    with pytest.raises(NotFound, match="no diff result yet"):
        get_diff_result(db_session, team.viewer, job.id)


def test_counts_cannot_be_negative(db_session: Session, job: Job) -> None:
    with pytest.raises(InvalidInput):
        record_diff_result(db_session, SYSTEM, job.id, changes_ref="x", engine_version="1", change_count=-1)


def test_access(db_session: Session, team: Team, job: Job, diff_result: DiffResult) -> None:
    with pytest.raises(PermissionDenied):
        record_diff_result(db_session, team.viewer, job.id, changes_ref="x", engine_version="1")
    for stranger in (team.colleague, team.outsider):
        with pytest.raises(NotFound):
            get_diff_result(db_session, stranger, job.id)
        with pytest.raises(NotFound):
            record_diff_result(db_session, stranger, job.id, changes_ref="x", engine_version="1")
