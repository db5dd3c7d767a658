"""Comparison jobs and their stages; a job's status is derived from its stages.

A job compares two versions of one project and has four stages: ``ocr`` for
each version, then ``diff`` and ``summary`` (no version). The pipeline moves
stages with :func:`start_stage`, :func:`complete_stage`, :func:`fail_stage`
and :func:`skip_stage`; after each, the job's status follows: any failed
stage fails the job, all completed or skipped completes it, anything started
makes it running, and a cancelled job stays cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import DrawingVersion, Job, JobStage, Project, Role, StageExecution, StageName
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import Actor, require_project
from buildtrace_assets.services.drawings import get_version
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound

REUSABLE_STATUSES = ("pending", "running", "completed")
"""A new request for the same pair of versions returns a job in one of these states instead of adding one."""
FINISHED_STATUSES = ("completed", "failed", "cancelled")
VERSIONLESS_STAGES: tuple[StageName, ...] = ("diff", "summary")


def create_comparison_job(session: Session, actor: Actor, old_version_id: str, new_version_id: str) -> Job:
    """A job comparing two versions of one project, with its four pending stages (editors and owners).

    Idempotent: while a job for the same pair is pending, running or
    completed, that job is returned, so a sensor tick that runs twice does not
    add a second job. Failed or cancelled jobs are left alone and a new one is made.
    """
    if old_version_id == new_version_id:
        raise InvalidInput("a job compares two different versions")
    old, old_drawing = get_version(session, actor, old_version_id)
    new, new_drawing = get_version(session, actor, new_version_id)
    if old_drawing.project_id != new_drawing.project_id:
        raise InvalidInput("both versions must belong to the same project")
    project = require_project(session, actor, new_drawing.project_id, "editor")
    # Two sensor ticks asking at once for the same pair queue here (PostgreSQL; SQLite transactions are exclusive).
    session.execute(select(DrawingVersion.id).where(DrawingVersion.id == new.id).with_for_update())
    existing = session.scalar(
        select(Job)
        .where(
            Job.old_drawing_version_id == old.id,
            Job.new_drawing_version_id == new.id,
            Job.status.in_(REUSABLE_STATUSES),
        )
        .order_by(Job.created_at.desc())
    )
    if existing is not None:
        return existing
    job = Job(
        project_id=project.id,
        old_drawing_version_id=old.id,
        new_drawing_version_id=new.id,
        created_by=actor.user_id,
    )
    session.add(job)
    session.flush()
    session.add_all(
        [JobStage(job_id=job.id, stage="ocr", drawing_version_id=version.id) for version in (old, new)]
        + [JobStage(job_id=job.id, stage=stage) for stage in VERSIONLESS_STAGES]
    )
    audit.record_change(session, actor, "job.create", project, job)
    return job


def previous_version(session: Session, actor: Actor, version_id: str) -> DrawingVersion | None:
    """The version of the same drawing just before this one, if any."""
    version, _ = get_version(session, actor, version_id)
    return session.scalar(
        select(DrawingVersion)
        .where(DrawingVersion.drawing_id == version.drawing_id, DrawingVersion.version_number < version.version_number)
        .order_by(DrawingVersion.version_number.desc())
        .limit(1)
    )


def _job_and_project(session: Session, actor: Actor, job_id: str, role: Role = "viewer") -> tuple[Job, Project]:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    try:
        project = require_project(session, actor, job.project_id, role)
    except NotFound:
        raise NotFound(f"job {job_id} not found") from None
    return job, project


def get_job(session: Session, actor: Actor, job_id: str) -> Job:
    """The job, when the actor may read its project."""
    return _job_and_project(session, actor, job_id)[0]


def list_jobs(session: Session, actor: Actor, project_id: str, limit: int = 100) -> Sequence[Job]:
    """The project's jobs, newest first."""
    require_project(session, actor, project_id)
    return session.scalars(
        select(Job).where(Job.project_id == project_id).order_by(Job.created_at.desc(), Job.id).limit(limit)
    ).all()


def job_stages(session: Session, actor: Actor, job_id: str) -> Sequence[JobStage]:
    """The job's stages in pipeline order (ocr, diff, summary)."""
    get_job(session, actor, job_id)
    stages = session.scalars(select(JobStage).where(JobStage.job_id == job_id)).all()
    order = {"ocr": 0, "diff": 1, "summary": 2}
    return sorted(stages, key=lambda stage: (order[stage.stage], stage.created_at))


def cancel_job(session: Session, actor: Actor, job_id: str) -> Job:
    """Cancel a job that has not finished (editors and owners); its pending stages are skipped."""
    job, project = _job_and_project(session, actor, job_id, "editor")
    if job.status in FINISHED_STATUSES:
        raise Conflict(f"job {job_id} is already {job.status}")
    before = audit.snapshot(job)
    job.status = "cancelled"
    job.cancelled_at = utcnow()
    for stage in session.scalars(select(JobStage).where(JobStage.job_id == job.id, JobStage.status == "pending")):
        stage.status = "skipped"
    session.flush()
    audit.record_change(session, actor, "job.cancel", project, job, before=before)
    return job


def cancelled_since(session: Session, since: datetime | None) -> list[tuple[str, datetime]]:
    """Ids and cancellation times of the jobs cancelled after ``since`` (all when None), in cancellation order;
    for the pipeline, across projects."""
    query = select(Job.id, Job.cancelled_at).where(Job.status == "cancelled").order_by(Job.cancelled_at)
    if since is not None:
        query = query.where(Job.cancelled_at > since)
    return [(job_id, cancelled_at) for job_id, cancelled_at in session.execute(query) if cancelled_at is not None]


def _stage(
    session: Session, actor: Actor, job_id: str, stage: StageName, drawing_version_id: str | None
) -> tuple[JobStage, Job, Project]:
    job, project = _job_and_project(session, actor, job_id, "editor")
    if (stage == "ocr") != (drawing_version_id is not None):
        raise InvalidInput("the ocr stage names a drawing version; diff and summary do not")
    row = session.scalar(
        select(JobStage).where(
            JobStage.job_id == job.id,
            JobStage.stage == stage,
            JobStage.drawing_version_id.is_(None)
            if drawing_version_id is None
            else JobStage.drawing_version_id == drawing_version_id,
        )
    )
    if row is None:
        raise NotFound(f"job {job_id} has no {stage} stage for version {drawing_version_id}")
    return row, job, project


def _refresh_status(session: Session, job: Job) -> None:
    if job.status == "cancelled":
        return
    stages = session.scalars(select(JobStage).where(JobStage.job_id == job.id)).all()
    statuses = {stage.status for stage in stages}
    failed = [stage for stage in stages if stage.status == "failed"]
    if failed:
        job.status = "failed"
        job.error_message = f"{failed[0].stage} stage failed: {failed[0].error_message or 'no message'}"
        job.completed_at = utcnow()
    elif statuses <= {"completed", "skipped"}:
        job.status = "completed"
        job.error_message = None
        job.completed_at = utcnow()
    elif statuses & {"in_progress", "completed", "skipped"}:
        job.status = "running"
        job.error_message = None
        job.completed_at = None
        job.started_at = job.started_at or utcnow()
    else:
        job.status = "pending"
    session.flush()


def _latest_execution(session: Session, row: JobStage) -> StageExecution | None:
    return session.scalar(
        select(StageExecution)
        .where(StageExecution.stage_id == row.id)
        .order_by(StageExecution.started_at.desc(), StageExecution.created_at.desc())
        .limit(1)
    )


def _begin_execution(session: Session, row: JobStage, dagster_run_id: str | None) -> int:
    """Record a new execution of the stage; its attempt number within its run (a new run starts at 1)."""
    latest = _latest_execution(session, row)
    attempt = latest.attempt + 1 if latest is not None and latest.dagster_run_id == dagster_run_id else 1
    session.add(StageExecution(stage_id=row.id, dagster_run_id=dagster_run_id, attempt=attempt, started_at=utcnow()))
    return attempt


def _end_execution(session: Session, row: JobStage, status: str, error_message: str | None) -> None:
    """Close the stage's open execution with how it ended (a stage settled without one has nothing to close)."""
    latest = _latest_execution(session, row)
    if latest is not None and latest.finished_at is None:
        latest.status = status
        latest.finished_at = utcnow()
        latest.error_message = error_message


def stage_executions(session: Session, actor: Actor, job_id: str) -> Sequence[tuple[JobStage, StageExecution]]:
    """Every execution of the job's stages, oldest first: the history the stage rows only show the end of."""
    _job_and_project(session, actor, job_id)
    return [
        (stage, execution)
        for stage, execution in session.execute(
            select(JobStage, StageExecution)
            .join(StageExecution, StageExecution.stage_id == JobStage.id)
            .where(JobStage.job_id == job_id)
            .order_by(StageExecution.started_at, StageExecution.created_at)
        )
    ]


def _transition(
    session: Session, actor: Actor, located: tuple[JobStage, Job, Project], status: str, **fields: object
) -> JobStage:
    row, job, project = located
    before = audit.snapshot(row)
    if status == "in_progress":
        fields["attempts"] = _begin_execution(session, row, cast(str | None, fields.get("dagster_run_id")))
    else:
        _end_execution(
            session, row, "failed" if status == "pending" else status, cast(str | None, fields.get("error_message"))
        )
    row.status = status
    for name, value in fields.items():
        setattr(row, name, value)
    session.flush()
    _refresh_status(session, job)
    audit.record_change(session, actor, f"job_stage.{status}", project, row, before=before)
    return row


def start_stage(
    session: Session,
    actor: Actor,
    job_id: str,
    stage: StageName,
    drawing_version_id: str | None = None,
    dagster_run_id: str | None = None,
) -> JobStage:
    """Mark a stage in progress as a new execution; ``attempts`` counts the tries within the run.

    A step retry (the same run again) is attempt 2, 3...; a re-run (a new run,
    such as a later re-summary) starts at 1, with earlier executions kept in
    :class:`StageExecution` rows.
    """
    located = _stage(session, actor, job_id, stage, drawing_version_id)
    row, job, _ = located
    if job.status == "cancelled":
        raise Conflict(f"job {job_id} is cancelled")
    return _transition(
        session,
        actor,
        located,
        "in_progress",
        started_at=utcnow(),
        completed_at=None,
        error_message=None,
        dagster_run_id=dagster_run_id or row.dagster_run_id,
    )


def complete_stage(
    session: Session,
    actor: Actor,
    job_id: str,
    stage: StageName,
    drawing_version_id: str | None = None,
    result_ref: str | None = None,
) -> JobStage:
    """Mark a stage completed with the storage key of what it produced."""
    return _transition(
        session,
        actor,
        _stage(session, actor, job_id, stage, drawing_version_id),
        "completed",
        completed_at=utcnow(),
        result_ref=result_ref,
    )


def fail_stage(
    session: Session,
    actor: Actor,
    job_id: str,
    stage: StageName,
    error_message: str,
    drawing_version_id: str | None = None,
) -> JobStage:
    """Mark a stage failed with the error text; the job fails with it, visibly."""
    return _transition(
        session,
        actor,
        _stage(session, actor, job_id, stage, drawing_version_id),
        "failed",
        completed_at=utcnow(),
        error_message=error_message,
    )


def skip_stage(
    session: Session,
    actor: Actor,
    job_id: str,
    stage: StageName,
    drawing_version_id: str | None = None,
    reason: str | None = None,
) -> JobStage:
    """Mark a stage skipped (nothing to do), which counts as done for the job."""
    return _transition(
        session,
        actor,
        _stage(session, actor, job_id, stage, drawing_version_id),
        "skipped",
        completed_at=utcnow(),
        error_message=reason,
    )


def reopen_failed_job(session: Session, actor: Actor, job: Job, project: Project) -> None:
    """Put a failed job's failed stages back to pending, so the pipeline takes it up again; audited."""
    before = audit.snapshot(job)
    for stage in session.scalars(select(JobStage).where(JobStage.job_id == job.id, JobStage.status == "failed")):
        stage.status = "pending"
        stage.completed_at = None
    session.flush()
    _refresh_status(session, job)
    job.completed_at = None
    audit.record_change(session, actor, "job.retry", project, job, before=before)


def stages_of_run(session: Session, job_id: str, dagster_run_id: str) -> list[JobStage]:
    """The job's open diff and summary stages that ``dagster_run_id`` worked on or never reached, in order.

    A stage another run has started since belongs to that run: a late failure
    of an older run must not touch it (first writer wins).
    """
    stages = session.scalars(
        select(JobStage).where(
            JobStage.job_id == job_id,
            JobStage.stage.in_(VERSIONLESS_STAGES),
            JobStage.status.in_(("pending", "in_progress")),
        )
    ).all()
    mine = [stage for stage in stages if stage.dagster_run_id in (None, dagster_run_id)]
    return sorted(mine, key=lambda stage: (stage.status != "in_progress", stage.stage != "diff"))


def fail_run_stages(session: Session, actor: Actor, job_id: str, dagster_run_id: str, message: str) -> None:
    """Fail the stage a failed run left open: the one in progress, else the first still pending.

    Nothing changes for a finished job, for stages whose result is committed,
    or for stages a later run has taken over.
    """
    job = session.get(Job, job_id)
    if job is None or job.status in FINISHED_STATUSES:
        return
    stages = stages_of_run(session, job_id, dagster_run_id)
    if stages:
        fail_stage(session, actor, job_id, cast(StageName, stages[0].stage), message)


def stage_retried(session: Session, actor: Actor, row: JobStage, message: str) -> None:
    """Put a stage whose run stopped back to pending with ``message``, because the pipeline retries it."""
    located = _stage(session, actor, row.job_id, cast(StageName, row.stage), row.drawing_version_id)
    _transition(session, actor, located, "pending", error_message=message)
