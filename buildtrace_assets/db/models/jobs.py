"""Comparison jobs and the stages that mirror their progress."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import BigInteger, CheckConstraint, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from buildtrace_assets.db.base import Base, CreatedAtMixin, IdMixin, check_in

JobStatus = Literal["pending", "running", "completed", "failed", "cancelled"]
JOB_STATUSES: tuple[str, ...] = get_args(JobStatus)
StageName = Literal["ocr", "diff", "summary"]
STAGE_NAMES: tuple[str, ...] = get_args(StageName)
StageStatus = Literal["pending", "in_progress", "completed", "failed", "skipped"]
STAGE_STATUSES: tuple[str, ...] = get_args(StageStatus)


class Job(IdMixin, CreatedAtMixin, Base):
    """The comparison of an old and a new drawing version."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(check_in("status", JOB_STATUSES), name="status"),
        CheckConstraint("old_drawing_version_id <> new_drawing_version_id", name="distinct_versions"),
        Index(None, "project_id", "created_at"),
        # The pipeline exporter's oldest waiting job and jobs finished in the last hour, read at every scrape.
        Index(None, "status", "created_at"),
        Index(None, "status", "completed_at"),
    )

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    old_drawing_version_id: Mapped[str] = mapped_column(
        ForeignKey("drawing_versions.id", ondelete="CASCADE"), index=True
    )
    new_drawing_version_id: Mapped[str] = mapped_column(
        ForeignKey("drawing_versions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    error_message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class JobStage(IdMixin, CreatedAtMixin, Base):
    """One step of a job: ``ocr`` per version, then ``diff`` and ``summary`` (no version)."""

    __tablename__ = "job_stages"
    __table_args__ = (
        CheckConstraint(check_in("stage", STAGE_NAMES), name="stage"),
        CheckConstraint(check_in("status", STAGE_STATUSES), name="status"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        # NULLs are distinct in unique constraints on both engines, so the
        # version-less stages (diff, summary) are made unique through coalesce.
        Index(
            "uq_job_stages_job_id_stage_version",
            "job_id",
            "stage",
            text("coalesce(drawing_version_id, '')"),
            unique=True,
        ),
        # Stages by stage and status (the pipeline exporter's buildtrace_job_stages) from the index alone.
        Index(None, "stage", "status"),
    )

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    drawing_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("drawing_versions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    error_message: Mapped[str | None] = mapped_column(Text)
    result_ref: Mapped[str | None] = mapped_column(String(1024))
    dagster_run_id: Mapped[str | None] = mapped_column(String(64))


class StageExecution(IdMixin, CreatedAtMixin, Base):
    """One execution of a stage: which run, which attempt within it, when it started and how it ended.

    The stage row shows the latest execution; these rows keep every earlier
    one, so a step's retry (same run, next attempt) is told apart from a
    re-run (a new run, attempt 1), and no re-run overwrites an earlier time.
    """

    __tablename__ = "stage_executions"
    __table_args__ = (
        CheckConstraint(check_in("status", STAGE_STATUSES), name="status"),
        CheckConstraint("attempt >= 1", name="attempt_positive"),
        Index(None, "stage_id", "started_at"),
        # Only the executions the exporter has not rolled up yet (those in progress and those just finished).
        Index(
            "ix_stage_executions_not_rolled_up",
            "finished_at",
            postgresql_where=text("rolled_up_at IS NULL"),
            sqlite_where=text("rolled_up_at IS NULL"),
        ),
    )

    stage_id: Mapped[str] = mapped_column(ForeignKey("job_stages.id", ondelete="CASCADE"))
    dagster_run_id: Mapped[str | None] = mapped_column(String(64))
    attempt: Mapped[int]
    """1 for the first try of the stage in its run, 2 for the step's first retry, and so on."""
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    error_message: Mapped[str | None] = mapped_column(Text)
    engine_seconds: Mapped[float | None] = mapped_column(Float)
    """Comparison engine time of a diff step (the figures below are what the step measured, for the exporter)."""
    sheets: Mapped[int | None]
    peak_memory_bytes: Mapped[int | None] = mapped_column(BigInteger)
    summarizer_model: Mapped[str | None] = mapped_column(String(128))
    summarizer_seconds: Mapped[float | None] = mapped_column(Float)
    summarizer_failed: Mapped[bool | None]
    prompt_tokens: Mapped[int | None]
    completion_tokens: Mapped[int | None]
    rolled_up_at: Mapped[datetime | None]
    """When the exporter added this finished execution to the step totals (:class:`StepMetricTotal`)."""
