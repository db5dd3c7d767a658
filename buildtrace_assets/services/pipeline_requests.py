"""Pipeline requests: the outbox every road to a run goes through.

Whoever wants pipeline work (an upload, a person pressing "Retry", the intake
noticing a version nobody analyzed) writes a :class:`PipelineRequest` in the
same transaction as the change that calls for it. A sensor turns pending rows
into runs keyed by the request id, so work is never lost between a commit and
a run, and every run names who asked for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import Drawing, DrawingVersion, Job, PipelineRequest, Project, RequestKind
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import SYSTEM, Actor, require_project


def _record(
    session: Session, actor: Actor, project: Project, kind: RequestKind, reason: str, **target: str
) -> PipelineRequest:
    request = PipelineRequest(project_id=project.id, kind=kind, requested_by=actor.user_id, reason=reason, **target)
    session.add(request)
    session.flush()
    audit.record_change(session, actor, f"pipeline_request.{kind}", project, request)
    return request


def request_analysis(
    session: Session, actor: Actor, project: Project, version: DrawingVersion, reason: str
) -> PipelineRequest:
    """Ask for ``version`` to be analyzed; the caller has checked the actor's role in ``project``."""
    return _record(session, actor, project, "analyze", reason, drawing_version_id=version.id)


def request_comparison(session: Session, actor: Actor, project: Project, job: Job, reason: str) -> PipelineRequest:
    """Ask for ``job``'s versions to be diffed and summarized again; both must already be analyzed."""
    return _record(session, actor, project, "compare", reason, job_id=job.id)


def pending_requests(session: Session, limit: int) -> Sequence[PipelineRequest]:
    """The oldest requests not yet turned into a run."""
    return session.scalars(
        select(PipelineRequest)
        .where(PipelineRequest.status == "pending")
        .order_by(PipelineRequest.created_at, PipelineRequest.id)
        .limit(limit)
    ).all()


def mark_submitted(session: Session, request_id: str, run_id: str) -> None:
    """Record the run that carries out a request; it is not handed out again."""
    request = session.get_one(PipelineRequest, request_id)
    request.status = "submitted"
    request.dagster_run_id = run_id
    request.submitted_at = utcnow()


def unrequested_pending_versions(session: Session, registered_before: datetime) -> Sequence[DrawingVersion]:
    """Versions still ``pending`` since before ``registered_before`` with no request waiting for a run.

    Such a version was registered by something that bypassed the outbox, or its
    run vanished without a trace; the intake asks for it again.
    """
    waiting = exists().where(
        PipelineRequest.drawing_version_id == DrawingVersion.id, PipelineRequest.status == "pending"
    )
    return session.scalars(
        select(DrawingVersion)
        .where(
            DrawingVersion.ocr_status == "pending",
            DrawingVersion.created_at < registered_before,
            ~waiting,
        )
        .order_by(DrawingVersion.created_at)
    ).all()


def requests_for_version(session: Session, version_id: str) -> int:
    """How many analyses of this version have been requested, by anyone."""
    return session.scalar(select(func.count()).where(PipelineRequest.drawing_version_id == version_id)) or 0


def waiting_for_pipeline(
    session: Session, actor: Actor, project_id: str, registered_before: datetime
) -> Sequence[DrawingVersion]:
    """The project's versions still waiting for their analysis since before ``registered_before``, oldest first.

    What the portal warns about: uploads the pipeline has not taken up, as
    when its daemon is stopped.
    """
    require_project(session, actor, project_id)
    return session.scalars(
        select(DrawingVersion)
        .join(Drawing, Drawing.id == DrawingVersion.drawing_id)
        .where(
            Drawing.project_id == project_id,
            DrawingVersion.ocr_status == "pending",
            DrawingVersion.created_at < registered_before,
        )
        .order_by(DrawingVersion.created_at)
    ).all()


AUTOMATIC_RETRY = "automatic retry"
"""How the reason of a retry the pipeline asked for itself begins; such requests count against the budget."""


def request_automatic_retry(
    session: Session, *, version_id: str | None = None, job_id: str | None = None, reason: str
) -> PipelineRequest:
    """The pipeline's own request to run a version's analysis, or a job's comparison, again (after a crash)."""
    if version_id is not None:
        version = session.get_one(DrawingVersion, version_id)
        project = session.get_one(Project, session.get_one(Drawing, version.drawing_id).project_id)
        return request_analysis(session, SYSTEM, project, version, f"{AUTOMATIC_RETRY}: {reason}")
    job = session.get_one(Job, job_id)
    return request_comparison(
        session, SYSTEM, session.get_one(Project, job.project_id), job, f"{AUTOMATIC_RETRY}: {reason}"
    )


def automatic_retries(session: Session, *, version_id: str | None = None, job_id: str | None = None) -> int:
    """How many automatic retries of this version's analysis or job's comparison were requested."""
    target = (
        PipelineRequest.drawing_version_id == version_id if version_id is not None else PipelineRequest.job_id == job_id
    )
    return (
        session.scalar(
            select(func.count()).where(
                target, PipelineRequest.requested_by.is_(None), PipelineRequest.reason.startswith(AUTOMATIC_RETRY)
            )
        )
        or 0
    )


def has_pending_request(session: Session, *, version_ids: Sequence[str] = (), job_id: str | None = None) -> bool:
    """Whether a request for one of these versions, or for the job, still waits for its run."""
    return (
        session.scalar(
            select(func.count()).where(
                PipelineRequest.status == "pending",
                PipelineRequest.drawing_version_id.in_(version_ids) | (PipelineRequest.job_id == job_id),
            )
        )
        or 0
    ) > 0
