"""A person's way back from a failure: retry a version's analysis or a failed comparison job.

A retry never edits results in place: it reopens what failed and records a
:mod:`pipeline request <buildtrace_assets.services.pipeline_requests>`, so
the pipeline does the work again and the audit log names who asked.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import DrawingVersion, Job, JobStage, Project
from buildtrace_assets.services.access import Actor, require_project
from buildtrace_assets.services.drawings import get_version, record_version_processing
from buildtrace_assets.services.errors import Conflict
from buildtrace_assets.services.jobs import get_job, reopen_failed_job
from buildtrace_assets.services.pipeline_requests import request_analysis, request_comparison


def reanalyze(session: Session, actor: Actor, project: Project, version: DrawingVersion, reason: str) -> None:
    """Analyze a failed version again, and take up the failed jobs that waited for it.

    For callers that have checked the actor may edit ``project``.
    """
    record_version_processing(session, actor, version.id, ocr_status="pending")
    request_analysis(session, actor, project, version, reason)
    waiting = session.scalars(
        select(Job)
        .join(JobStage, JobStage.job_id == Job.id)
        .where(
            Job.status == "failed",
            JobStage.stage == "ocr",
            JobStage.drawing_version_id == version.id,
            JobStage.status == "failed",
        )
    ).all()
    for job in waiting:
        reopen_failed_job(session, actor, job, project)


def retry_analysis(session: Session, actor: Actor, version_id: str) -> DrawingVersion:
    """Retry the failed analysis of a version (editors and owners); 409 unless it failed."""
    version, drawing = get_version(session, actor, version_id)
    project = require_project(session, actor, drawing.project_id, "editor")
    if version.ocr_status != "failed":
        raise Conflict(f"version {version.version_number} is {version.ocr_status}; only a failed analysis is retried")
    reanalyze(session, actor, project, version, "retry requested")
    return version


def retry_job(session: Session, actor: Actor, job_id: str) -> Job:
    """Retry a failed job (editors and owners): its failed versions are analyzed again, then it compares anew.

    409 unless the job failed. When both versions are analyzed, the comparison
    is requested at once; otherwise it starts when their analyses complete.
    """
    job = get_job(session, actor, job_id)
    project = require_project(session, actor, job.project_id, "editor")
    if job.status != "failed":
        raise Conflict(f"job {job_id} is {job.status}; only a failed job is retried")
    versions = [
        session.get_one(DrawingVersion, version_id)
        for version_id in (job.old_drawing_version_id, job.new_drawing_version_id)
    ]
    for version in versions:
        if version.ocr_status == "failed":
            reanalyze(session, actor, project, version, f"retry of job {job.id}")
    if job.status == "failed":
        reopen_failed_job(session, actor, job, project)
    if all(version.ocr_status == "completed" for version in versions):
        request_comparison(session, actor, project, job, "retry requested")
    return job
