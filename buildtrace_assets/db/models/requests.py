"""Pipeline requests (the outbox) and the record of bucket objects the intake has looked at.

A :class:`PipelineRequest` is written in the same transaction as whatever
asks for pipeline work (a new version, a person's "Retry"), and a sensor turns
pending rows into runs. Work therefore starts from the database, never from
the order in which storage lists keys, and a request committed while Dagster
is down is still there when it comes back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from buildtrace_assets.db.base import Base, CreatedAtMixin, IdMixin, check_in

RequestKind = Literal["analyze", "compare", "summarize"]
REQUEST_KINDS: tuple[str, ...] = get_args(RequestKind)
RequestStatus = Literal["pending", "queued", "running", "done", "failed"]
REQUEST_STATUSES: tuple[str, ...] = get_args(RequestStatus)
OPEN_REQUEST_STATUSES: tuple[RequestStatus, ...] = ("pending", "queued", "running")
"""A request in one of these states has not finished: its run is still to come, waiting or working."""
REQUEST_TARGET = (
    "(kind = 'analyze' AND drawing_version_id IS NOT NULL) OR (kind IN ('compare', 'summarize') AND job_id IS NOT NULL)"
)


class PipelineRequest(IdMixin, CreatedAtMixin, Base):
    """A wish for one run: analyze a version, compare a job's versions or summarize its changes; who asked, and why.

    The row follows its run: ``pending`` until a run exists, then ``queued``,
    ``running``, and ``done`` or ``failed`` with the reason in ``error_message``.
    """

    __tablename__ = "pipeline_requests"
    __table_args__ = (
        CheckConstraint(check_in("kind", REQUEST_KINDS), name="kind"),
        CheckConstraint(check_in("status", REQUEST_STATUSES), name="status"),
        CheckConstraint(REQUEST_TARGET, name="target"),
        # The pipeline exporter's requests by kind and state, with the oldest waiting, from the index alone.
        Index(None, "kind", "status", "created_at"),
    )

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    drawing_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("drawing_versions.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    """NULL when the system asked (a new upload seen in the bucket, an automatic retry)."""
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    dagster_run_id: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None]
    """When the run was asked of Dagster."""
    finished_at: Mapped[datetime | None]
    error_message: Mapped[str | None] = mapped_column(Text)
    """Why the run failed, in its first failed step's words."""
    traceparent: Mapped[str | None] = mapped_column(String(55))
    """W3C ``traceparent`` of the upload's registration span (analysis requests of a traced upload), so the
    sensor's span joins the trace that began at the upload's HTTP request."""


class BucketObject(CreatedAtMixin, Base):
    """A key under ``uploads/`` the intake has handled, registered or refused, so it is read only once."""

    __tablename__ = "bucket_objects"

    key: Mapped[str] = mapped_column(String(1024), primary_key=True)
    etag: Mapped[str] = mapped_column(String(255))
    """A rewritten object (new etag) is looked at again."""
    drawing_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("drawing_versions.id", ondelete="SET NULL"), index=True
    )
    refusal: Mapped[str | None] = mapped_column(Text)
    """Why the object is not a version (unreadable, unknown project); NULL when registered."""
