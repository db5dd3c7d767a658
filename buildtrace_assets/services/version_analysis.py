"""A version's analysis as the pipeline reports it: the version's state and the ``ocr`` stage of every job waiting.

A version is analyzed once for every job that compares it, so the ``ocr``
stages of all those jobs move together with the version. Every write goes
through :func:`~buildtrace_assets.services.drawings.record_version_processing`
and the stage services, so it is validated and audited like a person's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import DrawingVersion, Job, JobStage
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.drawings import record_version_processing
from buildtrace_assets.services.jobs import complete_stage, fail_stage, stage_retried, start_stage


def open_ocr_stages(session: Session, version_id: str) -> list[JobStage]:
    """The ``ocr`` stages of live jobs that wait for this version."""
    return list(
        session.scalars(
            select(JobStage)
            .join(Job, Job.id == JobStage.job_id)
            .where(
                JobStage.stage == "ocr",
                JobStage.drawing_version_id == version_id,
                JobStage.status.in_(("pending", "in_progress", "failed")),
                Job.status != "cancelled",
            )
        )
    )


def start_analysis(session: Session, actor: Actor, version_id: str, run_id: str) -> DrawingVersion:
    """The version's analysis has started in ``run_id``: version and waiting stages in progress."""
    version = record_version_processing(session, actor, version_id, ocr_status="in_progress")
    for stage in open_ocr_stages(session, version_id):
        start_stage(session, actor, stage.job_id, "ocr", version_id, run_id)
    return version


def complete_analysis(session: Session, actor: Actor, version_id: str, result_ref: str, page_count: int) -> None:
    """Store the analysis reference and complete the ``ocr`` stage of every job waiting for it."""
    record_version_processing(
        session, actor, version_id, ocr_status="completed", ocr_result_ref=result_ref, page_count=page_count
    )
    for stage in open_ocr_stages(session, version_id):
        complete_stage(session, actor, stage.job_id, "ocr", version_id, result_ref)


def fail_version(session: Session, actor: Actor, version_id: str, message: str) -> None:
    """Mark a version unreadable and fail the ``ocr`` stage (so the job) of every job waiting for it.

    A version whose analysis was committed stays completed: a failure that
    arrives later (a run killed just after its commit) changes nothing.
    """
    version = session.get(DrawingVersion, version_id)
    if version is None or version.ocr_status == "completed":
        return
    record_version_processing(session, actor, version_id, ocr_status="failed")
    for stage in open_ocr_stages(session, version_id):
        fail_stage(session, actor, stage.job_id, "ocr", message, version_id)


def version_retried(session: Session, actor: Actor, version_id: str, message: str) -> None:
    """A version's analysis run stopped and is retried: back to pending, with the reason on its stages."""
    version = session.get(DrawingVersion, version_id)
    if version is None or version.ocr_status == "completed":
        return
    record_version_processing(session, actor, version_id, ocr_status="pending")
    for stage in open_ocr_stages(session, version_id):
        stage_retried(session, actor, stage, message)
