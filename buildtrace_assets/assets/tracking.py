"""Stage rows that mirror the pipeline: pending -> in_progress -> completed | failed | skipped.

Assets wrap their work in these context managers, so the portal shows what
is running, how often it was tried, what it produced and why it failed. The
writes themselves are services (:mod:`~buildtrace_assets.services.version_analysis`,
:mod:`~buildtrace_assets.services.jobs`), made as the :data:`PIPELINE` actor,
or for the person whose request the run carries out. A failure is written
only when it is final (not retried, or the last retry); Dagster's run-failure
sensor covers runs whose process died before it could write anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from dagster import Failure
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import DrawingVersion, Job, StageName
from buildtrace_assets.observability.steps import step_figures
from buildtrace_assets.resources import AppDatabaseResource
from buildtrace_assets.services.access import PIPELINE, Actor
from buildtrace_assets.services.jobs import complete_stage, fail_stage, start_stage
from buildtrace_assets.services.step_figures import record_step_figures
from buildtrace_assets.services.uploads import safe_filename
from buildtrace_assets.services.version_analysis import complete_analysis, fail_version, start_analysis


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
            complete_analysis(session, PIPELINE, self.version_id, result_ref, page_count)


@contextmanager
def version_analysis_tracked(
    database: AppDatabaseResource, version_id: str, run_id: str, *, final_attempt: bool
) -> Iterator[VersionRun]:
    """Analysis of one version: stages in progress on entry, failed on a final error."""
    with database.transaction() as session:
        if session.get(DrawingVersion, version_id) is None:
            raise Failure(f"drawing version {version_id} does not exist", allow_retries=False)
        version = start_analysis(session, PIPELINE, version_id, run_id)
        tracked = VersionRun(version_id, version.storage_key, safe_filename(version.original_filename), database)
    try:
        yield tracked
    except Exception as error:
        if final_attempt or (isinstance(error, Failure) and not error.allow_retries):
            with database.transaction() as session:
                fail_version(session, PIPELINE, version_id, error_text(error))
        raise


@dataclass(frozen=True)
class StageRun:
    """A job stage being worked on; ``job`` is a detached snapshot of the job row."""

    job: Job
    stage: StageName
    actor: Actor = PIPELINE
    """Who the stage's results are written for: the person who asked for the run, or the pipeline."""

    def completed(self, session: Session, result_ref: str | None) -> None:
        """Complete the stage in the caller's transaction, together with what it produced and measured."""
        complete_stage(session, PIPELINE, self.job.id, self.stage, result_ref=result_ref)
        record_step_figures(session, self.job.id, self.stage, step_figures())


@contextmanager
def job_stage_tracked(
    database: AppDatabaseResource,
    job_id: str,
    stage: StageName,
    run_id: str,
    *,
    final_attempt: bool,
    actor: Actor = PIPELINE,
) -> Iterator[StageRun]:
    """One stage of a job: in progress on entry, failed on a final error; a cancelled job does nothing.

    An attempt that raises keeps what it measured on its execution (closed as failed when it is retried).
    """
    with database.transaction() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise Failure(f"job {job_id} does not exist", allow_retries=False)
        if job.status == "cancelled":
            raise Failure(f"job {job_id} was cancelled", allow_retries=False)
        start_stage(session, PIPELINE, job_id, stage, dagster_run_id=run_id)
    try:
        yield StageRun(job, stage, actor)
    except Exception as error:
        final = final_attempt or (isinstance(error, Failure) and not error.allow_retries)
        with database.transaction() as session:
            if final:
                fail_stage(session, PIPELINE, job_id, stage, error_text(error))
            record_step_figures(session, job_id, stage, step_figures(), error_text(error))
        raise
