"""The machine diff of a job: one row per job, replaced when the diff runs again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import DiffResult, Job, Project, Role
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import Actor, require_project
from buildtrace_assets.services.errors import InvalidInput, NotFound
from buildtrace_assets.services.jobs import get_job


def record_diff_result(
    session: Session,
    actor: Actor,
    job_id: str,
    *,
    changes_ref: str,
    engine_version: str,
    overlay_refs: dict[str, Any] | None = None,
    sheet_count: int = 0,
    change_count: int = 0,
) -> DiffResult:
    """Create or replace the job's diff result (editors, owners and the system).

    The job row is locked first (PostgreSQL), so two runs finishing at once
    update one row instead of colliding on its unique ``job_id``. Manual
    overlays and summaries keep pointing at the same row.
    """
    if sheet_count < 0 or change_count < 0:
        raise InvalidInput("sheet and change counts cannot be negative")
    job = get_job(session, actor, job_id)
    project = require_project(session, actor, job.project_id, "editor")
    session.execute(select(Job.id).where(Job.id == job.id).with_for_update())
    result = session.scalar(select(DiffResult).where(DiffResult.job_id == job.id))
    before = audit.snapshot(result) if result is not None else None
    if result is None:
        result = DiffResult(job_id=job.id)
        session.add(result)
    result.changes_ref = changes_ref
    result.engine_version = engine_version
    result.overlay_refs = dict(overlay_refs or {})
    result.sheet_count = sheet_count
    result.change_count = change_count
    session.flush()
    audit.record_change(
        session, actor, "diff_result.replace" if before else "diff_result.create", project, result, before=before
    )
    return result


def lock_diff_result(session: Session, result: DiffResult) -> None:
    """Serialize writes that hang off one diff result (PostgreSQL row lock; SQLite transactions are exclusive)."""
    session.execute(select(DiffResult.id).where(DiffResult.id == result.id).with_for_update())


def get_diff_result(session: Session, actor: Actor, job_id: str) -> DiffResult:
    """The job's diff result; :class:`NotFound` until the diff has run."""
    job = get_job(session, actor, job_id)
    result = session.scalar(select(DiffResult).where(DiffResult.job_id == job.id))
    if result is None:
        raise NotFound(f"job {job_id} has no diff result yet")
    return result


def require_diff_result(
    session: Session, actor: Actor, diff_result_id: str, role: Role = "viewer"
) -> tuple[DiffResult, Project]:
    """The diff result and its project, when the actor holds ``role`` there; used by overlays and summaries."""
    row = session.execute(
        select(DiffResult, Job.project_id).join(Job, Job.id == DiffResult.job_id).where(DiffResult.id == diff_result_id)
    ).first()
    if row is None:
        raise NotFound(f"diff result {diff_result_id} not found")
    result, project_id = row
    try:
        project = require_project(session, actor, project_id, role)
    except NotFound:
        raise NotFound(f"diff result {diff_result_id} not found") from None
    return result, project
