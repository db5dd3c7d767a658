"""Comparison jobs: created for two versions of one project, with a status that follows their stages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fixtures.database import Team, tiny_pdf
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog, DrawingVersion, Job
from buildtrace_assets.services.access import SYSTEM, Actor
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, ServiceError
from buildtrace_assets.services.jobs import (
    cancel_job,
    complete_stage,
    create_comparison_job,
    fail_stage,
    get_job,
    job_stages,
    list_jobs,
    previous_version,
    skip_stage,
    start_stage,
)
from buildtrace_assets.services.projects import create_project
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.storage import BlobStorage


def test_a_job_gets_an_ocr_stage_per_version_then_diff_and_summary(
    db_session: Session, team: Team, versions: tuple[DrawingVersion, DrawingVersion], job: Job
) -> None:
    stages = [
        (stage.stage, stage.drawing_version_id, stage.status) for stage in job_stages(db_session, team.viewer, job.id)
    ]
    old, new = versions
    assert sorted(stages[:2], key=lambda s: s[1] != old.id) == [("ocr", old.id, "pending"), ("ocr", new.id, "pending")]
    assert stages[2:] == [("diff", None, "pending"), ("summary", None, "pending")]
    assert (job.status, job.created_by, job.project_id) == ("pending", team.editor.user_id, team.project.id)
    assert db_session.scalars(select(AuditLog.action).where(AuditLog.entity_id == job.id)).all() == ["job.create"]


def test_asking_again_for_the_same_pair_returns_the_same_job(
    db_session: Session, team: Team, versions: tuple[DrawingVersion, DrawingVersion], job: Job
) -> None:
    assert create_comparison_job(db_session, SYSTEM, versions[0].id, versions[1].id).id == job.id
    cancel_job(db_session, team.editor, job.id)
    assert create_comparison_job(db_session, team.editor, versions[0].id, versions[1].id).id != job.id


def test_previous_version_is_the_one_just_before(
    db_session: Session,
    team: Team,
    versions: tuple[DrawingVersion, DrawingVersion],
    upload_version: Callable[..., DrawingVersion],
) -> None:
    third = upload_version("rev 3")
    upload_version("other", drawing="S-201")
    assert previous_version(db_session, team.viewer, third.id).id == versions[1].id
    assert previous_version(db_session, team.viewer, versions[0].id) is None
    with pytest.raises(NotFound):
        previous_version(db_session, team.outsider, third.id)


def test_versions_must_differ_and_share_a_project(
    db_session: Session, blob_storage: BlobStorage, team: Team, versions: tuple[DrawingVersion, DrawingVersion]
) -> None:
    with pytest.raises(InvalidInput):
        create_comparison_job(db_session, team.editor, versions[0].id, versions[0].id)
    other = create_project(db_session, team.editor, "Other")
    elsewhere = register_upload(db_session, blob_storage, team.editor, other.id, "A-101", "x.pdf", tiny_pdf("x"))
    with pytest.raises(InvalidInput, match="same project"):
        create_comparison_job(db_session, team.editor, versions[0].id, elsewhere.id)


@pytest.mark.parametrize(
    ("who", "expected"), [("viewer", PermissionDenied), ("colleague", NotFound), ("outsider", NotFound)]
)
def test_only_editors_create_and_cancel_jobs(
    db_session: Session,
    team: Team,
    versions: tuple[DrawingVersion, DrawingVersion],
    job: Job,
    who: str,
    expected: type[ServiceError],
) -> None:
    actor: Actor = getattr(team, who)
    with pytest.raises(expected):
        create_comparison_job(db_session, actor, versions[1].id, versions[0].id)
    with pytest.raises(expected):
        cancel_job(db_session, actor, job.id)
    with pytest.raises(expected):
        start_stage(db_session, actor, job.id, "diff")


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_strangers_do_not_see_jobs(db_session: Session, team: Team, job: Job, who: str) -> None:
    actor: Actor = getattr(team, who)
    with pytest.raises(NotFound):
        get_job(db_session, actor, job.id)
    with pytest.raises(NotFound):
        list_jobs(db_session, actor, team.project.id)
    with pytest.raises(NotFound):
        job_stages(db_session, actor, job.id)


def test_members_list_jobs_newest_first(
    db_session: Session,
    upload_version: Callable[..., DrawingVersion],
    team: Team,
    versions: tuple[DrawingVersion, DrawingVersion],
    job: Job,
) -> None:
    third = upload_version("rev 3")
    newer = create_comparison_job(db_session, team.editor, versions[1].id, third.id)
    assert [j.id for j in list_jobs(db_session, team.viewer, team.project.id)] == [newer.id, job.id]


def run_ocr(session: Session, job: Job, versions: tuple[DrawingVersion, DrawingVersion]) -> None:
    for version in versions:
        start_stage(session, SYSTEM, job.id, "ocr", version.id, dagster_run_id="run-1")
        complete_stage(session, SYSTEM, job.id, "ocr", version.id, result_ref=f"ocr/{version.id}.json")


def test_the_job_runs_then_completes_with_its_stages(
    db_session: Session, versions: tuple[DrawingVersion, DrawingVersion], job: Job
) -> None:
    start_stage(db_session, SYSTEM, job.id, "ocr", versions[0].id)
    assert job.status == "running" and job.started_at is not None
    run_ocr(db_session, job, versions)
    start_stage(db_session, SYSTEM, job.id, "diff")
    diff = complete_stage(db_session, SYSTEM, job.id, "diff", result_ref="diffs/j.json")
    assert job.status == "running"
    skip_stage(db_session, SYSTEM, job.id, "summary", reason="no changes")
    assert job.status == "completed" and job.completed_at is not None
    assert (diff.status, diff.attempts, diff.result_ref) == ("completed", 1, "diffs/j.json")
    assert diff.completed_at >= diff.started_at
    audited = db_session.scalars(select(AuditLog.action).where(AuditLog.entity_type == "job_stages")).all()
    assert audited.count("job_stage.in_progress") == 4 and "job_stage.skipped" in audited


def test_a_failed_stage_fails_the_job_and_a_retry_counts_attempts(
    db_session: Session, versions: tuple[DrawingVersion, DrawingVersion], job: Job
) -> None:
    run_ocr(db_session, job, versions)
    start_stage(db_session, SYSTEM, job.id, "diff")
    fail_stage(db_session, SYSTEM, job.id, "diff", "alignment failed on A-101")
    assert job.status == "failed"
    assert job.error_message == "diff stage failed: alignment failed on A-101"

    retried = start_stage(db_session, SYSTEM, job.id, "diff")
    assert (retried.attempts, retried.error_message, job.status, job.error_message) == (2, None, "running", None)


def test_cancelled_jobs_stay_cancelled(
    db_session: Session, team: Team, versions: tuple[DrawingVersion, DrawingVersion], job: Job
) -> None:
    start_stage(db_session, SYSTEM, job.id, "ocr", versions[0].id)
    cancel_job(db_session, team.editor, job.id)
    complete_stage(db_session, SYSTEM, job.id, "ocr", versions[0].id)
    assert job.status == "cancelled" and job.cancelled_at is not None
    assert {s.status for s in job_stages(db_session, team.viewer, job.id) if s.stage != "ocr"} == {"skipped"}
    with pytest.raises(Conflict, match="cancelled"):
        start_stage(db_session, SYSTEM, job.id, "diff")
    with pytest.raises(Conflict, match="already cancelled"):
        cancel_job(db_session, team.editor, job.id)


def test_stage_lookups_are_checked(db_session: Session, job: Job) -> None:
    with pytest.raises(InvalidInput):
        start_stage(db_session, SYSTEM, job.id, "ocr")
    with pytest.raises(InvalidInput):
        start_stage(db_session, SYSTEM, job.id, "diff", drawing_version_id="x")
    with pytest.raises(NotFound):
        start_stage(db_session, SYSTEM, job.id, "ocr", drawing_version_id="not-a-version")
    with pytest.raises(NotFound):
        start_stage(db_session, SYSTEM, "no-such-job", "diff")
