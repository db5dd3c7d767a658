"""What a pipeline step measured, stored on the stage execution it belongs to, so the pipeline exporter can read
it whatever process or pod the step ran in."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import JobStage, StageExecution, StageName
from buildtrace_assets.observability.steps import StepFigures


def record_step_figures(
    session: Session, job_id: str, stage: StageName, figures: StepFigures, error: str | None = None
) -> None:
    """Store ``figures`` on the job stage's latest execution; with ``error``, an attempt that raised and is
    retried: its execution, still open, is closed as failed so the attempt is counted with its duration."""
    execution = session.scalar(
        select(StageExecution)
        .join(JobStage, JobStage.id == StageExecution.stage_id)
        .where(JobStage.job_id == job_id, JobStage.stage == stage)
        .order_by(StageExecution.started_at.desc(), StageExecution.created_at.desc())
        .limit(1)
    )
    if execution is None:
        return
    for name, value in asdict(figures).items():
        if value is not None:
            setattr(execution, name, value)
    if error is not None and execution.finished_at is None:
        execution.status, execution.finished_at, execution.error_message = "failed", utcnow(), error
