"""Stage rows that mirror the pipeline: pending -> in_progress -> completed | failed | skipped.

Assets wrap their work in these context managers, so the portal shows what
is running, how often it was tried, what it produced and why it failed. A
version is analyzed once for every job that compares it, so the ``ocr``
stages of all those jobs move together. A failure is written only when it is
final (not retried, or the last retry); Dagster's run-failure sensor covers
runs whose process died before it could write anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from dagster import Failure
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import DrawingVersion, Job, JobStage, StageName
from buildtrace_assets.resources import AppDatabaseResource
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.jobs import complete_stage, fail_stage, stage_retried, start_stage
from buildtrace_assets.services.uploads import safe_filename


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


def error_text(error: BaseException) -> str:
    """What a person reads on the job: the failure's own description, else the exception."""
    if isinstance(error, Failure) and error.description:
        return error.description
    return f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class VersionRun:
    """A version being analyzed: where its file is, and how to report the result."""

    version_id: str
    storage_key: str
    filename: str
    database: AppDatabaseResource

    def completed(self, result_ref: str, page_count: int) -> None:
        """Store the analysis reference and complete the ``ocr`` stage of every job waiting for it."""
        with self.database.transaction() as session:
            version = session.get_one(DrawingVersion, self.version_id)
            version.ocr_status = "completed"
            version.ocr_result_ref = result_ref
            version.page_count = page_count
            for stage in open_ocr_stages(session, self.version_id):
                complete_stage(session, SYSTEM, stage.job_id, "ocr", self.version_id, result_ref)


def fail_version(session: Session, version_id: str, message: str) -> None:
    """Mark a version unreadable and fail the ``ocr`` stage (so the job) of every job waiting for it.

    A version whose analysis was committed stays completed: a failure that
    arrives later (a run killed just after its commit) changes nothing.
    """
    version = session.get(DrawingVersion, version_id)
    if version is None or version.ocr_status == "completed":
        return
    version.ocr_status = "failed"
    for stage in open_ocr_stages(session, version_id):
        fail_stage(session, SYSTEM, stage.job_id, "ocr", message, version_id)


def version_retried(session: Session, version_id: str, message: str) -> None:
    """A version's analysis run stopped and is retried: back to pending, with the reason on its stages."""
    version = session.get(DrawingVersion, version_id)
    if version is None or version.ocr_status == "completed":
        return
    version.ocr_status = "pending"
    for stage in open_ocr_stages(session, version_id):
        stage_retried(session, SYSTEM, stage, message)


@contextmanager
def version_analysis_tracked(
    database: AppDatabaseResource, version_id: str, run_id: str, *, final_attempt: bool
) -> Iterator[VersionRun]:
    """Analysis of one version: stages in progress on entry, failed on a final error."""
    with database.transaction() as session:
        version = session.get(DrawingVersion, version_id)
        if version is None:
            raise Failure(f"drawing version {version_id} does not exist", allow_retries=False)
        version.ocr_status = "in_progress"
        for stage in open_ocr_stages(session, version_id):
            start_stage(session, SYSTEM, stage.job_id, "ocr", version_id, run_id)
        tracked = VersionRun(version_id, version.storage_key, safe_filename(version.original_filename), database)
    try:
        yield tracked
    except Exception as error:
        if final_attempt or (isinstance(error, Failure) and not error.allow_retries):
            with database.transaction() as session:
                fail_version(session, version_id, error_text(error))
        raise


@dataclass(frozen=True)
class StageRun:
    """A job stage being worked on; ``job`` is a detached snapshot of the job row."""

    job: Job
    stage: StageName

    def completed(self, session: Session, result_ref: str | None) -> None:
        """Complete the stage in the caller's transaction, together with what it produced."""
        complete_stage(session, SYSTEM, self.job.id, self.stage, result_ref=result_ref)


@contextmanager
def job_stage_tracked(
    database: AppDatabaseResource, job_id: str, stage: StageName, run_id: str, *, final_attempt: bool
) -> Iterator[StageRun]:
    """One stage of a job: in progress on entry, failed on a final error; a cancelled job does nothing."""
    with database.transaction() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise Failure(f"job {job_id} does not exist", allow_retries=False)
        if job.status == "cancelled":
            raise Failure(f"job {job_id} was cancelled", allow_retries=False)
        start_stage(session, SYSTEM, job_id, stage, dagster_run_id=run_id)
    try:
        yield StageRun(job, stage)
    except Exception as error:
        if final_attempt or (isinstance(error, Failure) and not error.allow_retries):
            with database.transaction() as session:
                fail_stage(session, SYSTEM, job_id, stage, error_text(error))
        raise


def ocr_ready(session: Session, job: Job) -> bool:
    """Whether both versions of the job are analyzed; copies version results onto stages still waiting.

    A job made after its versions were analyzed (a third revision compared
    with the second) has ``ocr`` stages nobody is going to run: they take the
    version's outcome here.
    """
    ready = True
    stages = session.scalars(select(JobStage).where(JobStage.job_id == job.id, JobStage.stage == "ocr"))
    for stage in stages:
        if stage.status == "completed":
            continue
        version = session.get_one(DrawingVersion, stage.drawing_version_id)
        if version.ocr_status == "completed":
            complete_stage(session, SYSTEM, job.id, "ocr", version.id, version.ocr_result_ref)
        else:
            ready = False
            if version.ocr_status == "failed" and stage.status != "failed":
                message = f"version {version.version_number} ({version.original_filename}) could not be read"
                fail_stage(session, SYSTEM, job.id, "ocr", message, version.id)
    return ready


def jobs_ready_to_compare(session: Session) -> list[str]:
    """Ids of live jobs whose versions are analyzed and whose diff has not started."""
    waiting = session.scalars(
        select(Job)
        .join(JobStage, JobStage.job_id == Job.id)
        .where(Job.status.in_(("pending", "running")), JobStage.stage == "diff", JobStage.status == "pending")
        .order_by(Job.created_at)
    ).all()
    return [job.id for job in waiting if ocr_ready(session, job)]
