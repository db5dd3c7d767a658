"""Pipeline requests: the outbox every road to a run goes through.

Whoever wants pipeline work (an upload, a person pressing "Retry" or
"Regenerate summary", the intake noticing a version nobody analyzed) writes a
:class:`PipelineRequest` in the same transaction as the change that calls for
it. A sensor turns pending rows into runs keyed by the request id, so work is
never lost between a commit and a run, and every run names who asked for it;
the row then follows its run (queued, running, done or failed with the reason).

A request repeating one that is not yet handed to a run (the same work for
the same reason: a double click, two tabs) returns the waiting request
instead of adding one, so it makes one run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import (
    DiffResult,
    Drawing,
    DrawingVersion,
    Job,
    PipelineRequest,
    Project,
    RequestKind,
    RequestStatus,
)
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import PIPELINE, SYSTEM, Actor, require_project
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound

MAX_REASON_LENGTH = 500


def _waiting(session: Session, kind: RequestKind, reason: str, target: dict[str, str]) -> PipelineRequest | None:
    """The request for the same work and reason that still waits for its run, if any."""
    column = PipelineRequest.drawing_version_id if "drawing_version_id" in target else PipelineRequest.job_id
    return session.scalar(
        select(PipelineRequest)
        .where(
            PipelineRequest.kind == kind,
            PipelineRequest.reason == reason,
            PipelineRequest.status == "pending",
            column == next(iter(target.values())),
        )
        .order_by(PipelineRequest.created_at)
        .limit(1)
    )


def _record(
    session: Session, actor: Actor, project: Project, kind: RequestKind, reason: str, **target: str
) -> PipelineRequest:
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(f"a request needs a reason of 1 to {MAX_REASON_LENGTH} characters")
    waiting = _waiting(session, kind, reason, target)
    if waiting is not None:
        return waiting
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


def request_summary(session: Session, actor: Actor, job_id: str, reason: str) -> PipelineRequest:
    """Ask for a new summary of a job from what is in force now (editors and owners).

    Other tenants' jobs are ``NotFound``; a job without a comparison result
    yet, or a cancelled one, is a ``Conflict`` and nothing is written.
    """
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    project = require_project(session, actor, job.project_id, "editor")
    if job.status == "cancelled":
        raise Conflict(f"job {job_id} was cancelled; its summary is not rewritten")
    if session.scalar(select(DiffResult.id).where(DiffResult.job_id == job.id)) is None:
        raise Conflict(f"job {job_id} has no comparison result yet; its first summary follows it by itself")
    return _record(session, actor, project, "summarize", reason, job_id=job.id)


def request_project_summaries(session: Session, actor: Actor, project_id: str, reason: str) -> list[PipelineRequest]:
    """Ask for a new summary of every live job of the project that has a comparison result (editors and owners):
    a data engineer's backfill, one audited request per job, each run written in the asker's name."""
    require_project(session, actor, project_id, "editor")
    compared = session.scalars(
        select(Job.id)
        .join(DiffResult, DiffResult.job_id == Job.id)
        .where(Job.project_id == project_id, Job.status != "cancelled")
        .order_by(Job.created_at)
    ).all()
    return [request_summary(session, actor, job_id, reason) for job_id in compared]


def get_request(session: Session, actor: Actor, request_id: str) -> PipelineRequest:
    """A request of a project the actor belongs to; ``NotFound`` otherwise."""
    request = session.get(PipelineRequest, request_id)
    if request is None:
        raise NotFound(f"request {request_id} not found")
    require_project(session, actor, request.project_id)
    return request


def project_requests(
    session: Session, actor: Actor, project_id: str, *, job_id: str | None = None, limit: int = 50
) -> Sequence[PipelineRequest]:
    """The project's requests, newest first (those of one job when ``job_id`` is given); any member may read."""
    require_project(session, actor, project_id)
    query = select(PipelineRequest).where(PipelineRequest.project_id == project_id)
    if job_id is not None:
        query = query.where(PipelineRequest.job_id == job_id)
    return session.scalars(query.order_by(PipelineRequest.created_at.desc(), PipelineRequest.id).limit(limit)).all()


def retry_request(session: Session, actor: Actor, request_id: str) -> PipelineRequest:
    """Ask again for the work of a failed request (editors and owners); ``Conflict`` unless it failed."""
    request = get_request(session, actor, request_id)
    project = require_project(session, actor, request.project_id, "editor")
    if request.status != "failed":
        raise Conflict(f"request {request_id} is {request.status}; only a failed request is retried")
    target = (
        {"drawing_version_id": request.drawing_version_id}
        if request.drawing_version_id is not None
        else {"job_id": request.job_id or ""}
    )
    return _record(session, actor, project, request.kind, f"retry of request {request.id}", **target)  # type: ignore[arg-type]


def pending_requests(session: Session, limit: int) -> Sequence[PipelineRequest]:
    """The oldest requests not yet turned into a run."""
    return session.scalars(
        select(PipelineRequest)
        .where(PipelineRequest.status == "pending")
        .order_by(PipelineRequest.created_at, PipelineRequest.id)
        .limit(limit)
    ).all()


def mark_submitted(session: Session, request_id: str, run_id: str) -> None:
    """Record the run that carries out a request (queued); it is not handed out again."""
    request = session.get_one(PipelineRequest, request_id)
    request.status = "queued"
    request.dagster_run_id = run_id
    request.submitted_at = utcnow()


def requests_in_flight(session: Session, limit: int) -> Sequence[PipelineRequest]:
    """Requests handed to a run that has not finished yet, oldest first: the ones whose state follows a run."""
    return session.scalars(
        select(PipelineRequest)
        .where(PipelineRequest.status.in_(("queued", "running")))
        .order_by(PipelineRequest.submitted_at, PipelineRequest.id)
        .limit(limit)
    ).all()


def requests_failed_since(session: Session, since: datetime, limit: int) -> Sequence[PipelineRequest]:
    """Requests whose run failed after ``since``, newest first: a re-execution of that run (from the Dagster UI)
    carries the request's tags, so the request may still move on with it."""
    return session.scalars(
        select(PipelineRequest)
        .where(PipelineRequest.status == "failed", PipelineRequest.finished_at > since)
        .order_by(PipelineRequest.finished_at.desc(), PipelineRequest.id)
        .limit(limit)
    ).all()


def follow_run(
    session: Session, request_id: str, status: RequestStatus, run_id: str, error_message: str | None = None
) -> None:
    """Put the state of the request's (latest) run on the request; the end of it is audited as the pipeline's.

    A failure's reason replaces an earlier, vaguer one (the run-failure
    sensor knows the failed step's words); a finished request stays finished
    unless a retried run of it is under way.
    """
    request = session.get(PipelineRequest, request_id)
    if request is None:
        return
    if request.status == status and (error_message is None or request.error_message == error_message):
        return
    before = audit.snapshot(request)
    request.status = status
    request.dagster_run_id = run_id
    request.error_message = error_message if status == "failed" else None
    request.finished_at = utcnow() if status in ("done", "failed") else None
    session.flush()
    if status in ("done", "failed"):
        project = session.get_one(Project, request.project_id)
        audit.record_change(session, PIPELINE, f"pipeline_request.{status}", project, request, before=before)


def waiting_since(session: Session, actor: Actor, project_id: str) -> dict[str, datetime]:
    """For each job and version of the project with a request not yet taken up by a run, since when it waits."""
    require_project(session, actor, project_id)
    rows = session.execute(
        select(PipelineRequest.job_id, PipelineRequest.drawing_version_id, func.min(PipelineRequest.created_at))
        .where(PipelineRequest.project_id == project_id, PipelineRequest.status == "pending")
        .group_by(PipelineRequest.job_id, PipelineRequest.drawing_version_id)
    ).all()
    return {str(job_id or version_id): since for job_id, version_id, since in rows}


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
