"""The sensor's part of a version's trace: a span for handing a pipeline request to Dagster, under the upload's
span (whose context the version's first analysis request stores), and whose own context travels in the run's tags
to every step of the run."""

from __future__ import annotations

from opentelemetry.context import Context
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import Job, PipelineRequest
from buildtrace_assets.observability import tracing


def traced_version(session: Session, request: PipelineRequest) -> str | None:
    """The version whose trace a request belongs to: the one analyzed, or the new version of the compared job."""
    if request.drawing_version_id is not None:
        return request.drawing_version_id
    return _new_version(session, request.job_id)


def _new_version(session: Session, job_id: str | None) -> str | None:
    job = session.get(Job, job_id) if job_id is not None else None
    return job.new_drawing_version_id if job is not None else None


def upload_context(session: Session, version_id: str) -> Context:
    """The context of ``version_id``'s registration span: stored with its analysis request when the upload was
    traced, else the root named after the version (uploads registered before traces were stored)."""
    stored = session.scalar(
        select(PipelineRequest.traceparent)
        .where(
            PipelineRequest.kind == "analyze",
            PipelineRequest.drawing_version_id == version_id,
            PipelineRequest.traceparent.is_not(None),
        )
        .order_by(PipelineRequest.created_at)
        .limit(1)
    )
    return tracing.context_from_traceparent(stored) or tracing.version_trace(version_id)


def _submission(session: Session, version_id: str | None, **attributes: str) -> dict[str, str]:
    if version_id is None:
        return {}
    with tracing.span("sensor.submit", upload_context(session, version_id), **attributes) as span:
        value = tracing.traceparent() if span.is_recording() else None
    return {tracing.TRACE_TAG: value} if value else {}


def submission_tags(session: Session, request: PipelineRequest) -> dict[str, str]:
    """Run tags carrying the context of the sensor span that submits ``request``; empty when the request names
    no version, or when this process exports no traces (runs then start traces of their own, if theirs do)."""
    return _submission(
        session, traced_version(session, request), request_id=request.id, kind=request.kind, reason=request.reason
    )


def job_submission_tags(session: Session, job_id: str) -> dict[str, str]:
    """Like :func:`submission_tags`, for the comparison run the progress sensor asks for once both versions are
    analyzed: it joins the trace of the job's new version."""
    return _submission(session, _new_version(session, job_id), job_id=job_id, kind="compare")
