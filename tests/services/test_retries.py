"""Retrying failures: a person (or the same file uploaded again) brings a failed analysis or job back to work."""

from __future__ import annotations

import pytest
from fixtures.database import Team, tiny_pdf
from services.conftest import UploadVersion
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog, DrawingVersion, Job, JobStage, PipelineRequest
from buildtrace_assets.services.access import PIPELINE, SYSTEM
from buildtrace_assets.services.errors import Conflict, NotFound, PermissionDenied
from buildtrace_assets.services.jobs import complete_stage, fail_stage
from buildtrace_assets.services.retries import retry_analysis, retry_job
from buildtrace_assets.services.uploads import DuplicateUpload, register_upload
from buildtrace_assets.services.version_analysis import fail_version
from buildtrace_assets.storage import BlobStorage


def analysis_requests(session: Session, version_id: str) -> list[PipelineRequest]:
    return list(
        session.scalars(
            select(PipelineRequest)
            .where(PipelineRequest.drawing_version_id == version_id)
            .order_by(PipelineRequest.created_at)
        )
    )


def analyzed(session: Session, *versions: DrawingVersion) -> None:
    for version in versions:
        version.ocr_status, version.ocr_result_ref = "completed", f"analyses/{version.id}.json"
    session.flush()


def test_every_upload_records_its_analysis_request_and_its_comparison_in_one_transaction(
    db_session: Session, team: Team, upload_version: UploadVersion
) -> None:
    first = upload_version("rev 1")
    second = upload_version("rev 2")

    assert [r.requested_by for r in analysis_requests(db_session, second.id)] == [team.editor.user_id]
    job = db_session.scalars(select(Job)).one()
    assert (job.old_drawing_version_id, job.new_drawing_version_id) == (first.id, second.id)


def test_a_failed_analysis_is_retried_by_an_editor_and_its_failed_job_taken_up_again(
    db_session: Session, team: Team, upload_version: UploadVersion
) -> None:
    first, second = upload_version("rev 1"), upload_version("rev 2")
    analyzed(db_session, first)
    fail_version(db_session, PIPELINE, second.id, "the analysis process stopped unexpectedly")
    job = db_session.scalars(select(Job)).one()
    assert job.status == "failed"

    retry_analysis(db_session, team.editor, second.id)

    assert second.ocr_status == "pending"
    latest = analysis_requests(db_session, second.id)[-1]
    assert (latest.requested_by, latest.reason, latest.status) == (team.editor.user_id, "retry requested", "pending")
    db_session.refresh(job)
    assert job.status in ("pending", "running") and job.completed_at is None
    ocr = db_session.scalars(
        select(JobStage).where(JobStage.job_id == job.id, JobStage.drawing_version_id == second.id)
    ).one()
    assert ocr.status == "pending"
    actions = set(db_session.scalars(select(AuditLog.action).where(AuditLog.user_id == team.editor.user_id)))
    assert {"pipeline_request.analyze", "job.retry", "drawing_version.processing"} <= actions


def test_only_a_failed_analysis_is_retried_and_only_by_editors(
    db_session: Session, team: Team, upload_version: UploadVersion
) -> None:
    version = upload_version("rev 1")
    with pytest.raises(Conflict, match="only a failed analysis"):
        retry_analysis(db_session, team.editor, version.id)
    fail_version(db_session, PIPELINE, version.id, "unreadable")
    with pytest.raises(PermissionDenied):
        retry_analysis(db_session, team.viewer, version.id)
    with pytest.raises(NotFound):
        retry_analysis(db_session, team.outsider, version.id)


def test_uploading_the_same_file_after_a_failed_analysis_retries_it_instead_of_refusing_a_duplicate(
    db_session: Session, blob_storage: BlobStorage, team: Team, upload_version: UploadVersion
) -> None:
    version = upload_version("rev 1")
    fail_version(db_session, PIPELINE, version.id, "the analysis process stopped unexpectedly")

    again = register_upload(
        db_session, blob_storage, team.editor, team.project.id, "A-101", "rev 1.pdf", tiny_pdf("rev 1")
    )

    assert again.id == version.id and again.ocr_status == "pending"
    assert len(analysis_requests(db_session, version.id)) == 2
    with pytest.raises(DuplicateUpload):
        register_upload(db_session, blob_storage, team.editor, team.project.id, "A-101", "x.pdf", tiny_pdf("rev 1"))


def test_a_job_whose_diff_failed_is_retried_with_a_comparison_request(
    db_session: Session, team: Team, upload_version: UploadVersion
) -> None:
    first, second = upload_version("rev 1"), upload_version("rev 2")
    analyzed(db_session, first, second)
    job = db_session.scalars(select(Job)).one()
    for version in (first, second):
        complete_stage(db_session, SYSTEM, job.id, "ocr", version.id, f"analyses/{version.id}.json")
    fail_stage(db_session, SYSTEM, job.id, "diff", "the comparison process stopped unexpectedly")

    retry_job(db_session, team.owner, job.id)

    assert job.status == "running"
    diff = db_session.scalars(select(JobStage).where(JobStage.job_id == job.id, JobStage.stage == "diff")).one()
    assert diff.status == "pending"
    (request,) = db_session.scalars(select(PipelineRequest).where(PipelineRequest.kind == "compare")).all()
    assert (request.job_id, request.requested_by) == (job.id, team.owner.user_id)
    with pytest.raises(Conflict, match="only a failed job"):
        retry_job(db_session, team.owner, job.id)
