"""Rules the database itself enforces, whatever code writes to it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import (
    AuditLog,
    ChangeSummary,
    DiffResult,
    Drawing,
    DrawingVersion,
    Job,
    JobStage,
    ManualOverlay,
    Organization,
    Project,
    ProjectMember,
    User,
)


class World:
    """One organization with a user, a project, a drawing with two versions, a job and its diff result."""

    def __init__(self, session: Session) -> None:
        self.org = Organization(name="Acme")
        session.add(self.org)
        session.flush()
        self.user = User(organization_id=self.org.id, email="a@example.com", password_hash="x", display_name="A")
        session.add(self.user)
        session.flush()
        self.project = Project(organization_id=self.org.id, name="Tower", created_by=self.user.id)
        session.add(self.project)
        session.flush()
        self.drawing = Drawing(project_id=self.project.id, name="A-101")
        session.add(self.drawing)
        session.flush()
        self.v1 = self.version(session, 1)
        self.v2 = self.version(session, 2)
        self.job = Job(project_id=self.project.id, old_drawing_version_id=self.v1.id, new_drawing_version_id=self.v2.id)
        session.add(self.job)
        session.flush()
        self.diff = DiffResult(job_id=self.job.id, changes_ref="diffs/x.json", engine_version="1")
        session.add(self.diff)
        session.flush()

    def version(self, session: Session, number: int) -> DrawingVersion:
        version = DrawingVersion(**_version_fields(self, number))
        session.add(version)
        session.flush()
        return version


@pytest.fixture
def world(db_session: Session) -> World:
    return World(db_session)


def violates(session: Session, make: Callable[[], object]) -> bool:
    """True when adding what ``make`` builds is refused by the database; the session stays usable."""
    savepoint = session.begin_nested()
    try:
        session.add(make())
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        return True
    savepoint.rollback()
    return False


def test_role_must_be_owner_editor_or_viewer(db_session: Session, world: World) -> None:
    assert violates(db_session, lambda: ProjectMember(project_id=world.project.id, user_id=world.user.id, role="admin"))
    assert not violates(
        db_session, lambda: ProjectMember(project_id=world.project.id, user_id=world.user.id, role="viewer")
    )


def test_a_user_is_member_of_a_project_once(db_session: Session, world: World) -> None:
    db_session.add(ProjectMember(project_id=world.project.id, user_id=world.user.id, role="owner"))
    db_session.flush()
    assert violates(
        db_session, lambda: ProjectMember(project_id=world.project.id, user_id=world.user.id, role="viewer")
    )


def test_user_email_is_unique(db_session: Session, world: World) -> None:
    assert violates(
        db_session,
        lambda: User(organization_id=world.org.id, email="a@example.com", password_hash="y", display_name="B"),
    )


def test_drawing_name_is_unique_per_project(db_session: Session, world: World) -> None:
    assert violates(db_session, lambda: Drawing(project_id=world.project.id, name="A-101"))


@pytest.mark.parametrize(
    "overrides",
    [
        {"version_number": 1},
        {"file_hash": f"{1:064d}"},
        {"storage_key": "same"},
        {"file_kind": "docx"},
        {"ocr_status": "maybe"},
        {"file_size": 0},
        {"version_number": 0},
    ],
    ids=["version-number", "file-hash", "storage-key", "file-kind", "ocr-status", "empty-file", "version-zero"],
)
def test_drawing_version_rules(db_session: Session, world: World, overrides: dict[str, object]) -> None:
    if overrides.get("storage_key") == "same":
        overrides = {"storage_key": world.v1.storage_key}
    assert violates(db_session, lambda: DrawingVersion(**_version_fields(world, 3) | overrides))
    assert not violates(db_session, lambda: DrawingVersion(**_version_fields(world, 3)))


def _version_fields(world: World, number: int) -> dict[str, object]:
    return {
        "drawing_id": world.drawing.id,
        "version_number": number,
        "storage_key": f"k{number}",
        "original_filename": "a.pdf",
        "content_type": "application/pdf",
        "file_kind": "pdf",
        "file_hash": f"{number:064d}",
        "file_size": 10,
    }


def test_job_status_and_versions(db_session: Session, world: World) -> None:
    assert violates(
        db_session,
        lambda: Job(
            project_id=world.project.id,
            old_drawing_version_id=world.v1.id,
            new_drawing_version_id=world.v2.id,
            status="done",
        ),
    )
    assert violates(
        db_session,
        lambda: Job(
            project_id=world.project.id, old_drawing_version_id=world.v1.id, new_drawing_version_id=world.v1.id
        ),
    )


def test_stage_name_and_status(db_session: Session, world: World) -> None:
    assert violates(db_session, lambda: JobStage(job_id=world.job.id, stage="render"))
    assert violates(db_session, lambda: JobStage(job_id=world.job.id, stage="ocr", status="waiting"))


def test_one_stage_per_job_stage_and_version_even_without_version(db_session: Session, world: World) -> None:
    db_session.add_all(
        [
            JobStage(job_id=world.job.id, stage="ocr", drawing_version_id=world.v1.id),
            JobStage(job_id=world.job.id, stage="ocr", drawing_version_id=world.v2.id),
            JobStage(job_id=world.job.id, stage="diff"),
        ]
    )
    db_session.flush()
    assert violates(db_session, lambda: JobStage(job_id=world.job.id, stage="diff"))
    assert violates(db_session, lambda: JobStage(job_id=world.job.id, stage="ocr", drawing_version_id=world.v1.id))
    assert not violates(db_session, lambda: JobStage(job_id=world.job.id, stage="summary"))


def test_one_diff_result_per_job(db_session: Session, world: World) -> None:
    assert violates(db_session, lambda: DiffResult(job_id=world.job.id, changes_ref="other", engine_version="1"))


def test_one_active_manual_overlay_per_diff_result(db_session: Session, world: World) -> None:
    db_session.add(ManualOverlay(diff_result_id=world.diff.id, version_number=1, changes=[], is_active=True))
    db_session.flush()
    assert violates(db_session, lambda: ManualOverlay(diff_result_id=world.diff.id, version_number=2, changes=[]))
    assert not violates(
        db_session, lambda: ManualOverlay(diff_result_id=world.diff.id, version_number=2, changes=[], is_active=False)
    )


def _summary(world: World, number: int, **overrides: object) -> ChangeSummary:
    fields = {
        "diff_result_id": world.diff.id,
        "version_number": number,
        "source": "machine",
        "content": {},
        "text": "t",
    }
    return ChangeSummary(**(fields | overrides))


def test_one_active_summary_per_diff_result_with_numbered_versions_and_known_sources(
    db_session: Session, world: World
) -> None:
    db_session.add(_summary(world, 1))
    db_session.flush()
    assert violates(db_session, lambda: _summary(world, 2))
    assert violates(db_session, lambda: _summary(world, 1, is_active=False))
    assert violates(db_session, lambda: _summary(world, 0, is_active=False))
    assert not violates(db_session, lambda: _summary(world, 2, is_active=False))
    assert violates(db_session, lambda: _summary(world, 2, is_active=False, source="robot"))


def test_foreign_keys_are_enforced(db_session: Session, world: World) -> None:
    assert violates(db_session, lambda: Drawing(project_id="0" * 36, name="X"))


def test_deleting_a_project_cascades_but_keeps_its_audit_trail(db_session: Session, world: World) -> None:
    db_session.add(
        AuditLog(
            organization_id=world.org.id,
            project_id=world.project.id,
            user_id=world.user.id,
            action="project.create",
            entity_type="project",
            entity_id=world.project.id,
        )
    )
    db_session.add(_summary(world, 1))
    db_session.add(JobStage(job_id=world.job.id, stage="diff"))
    db_session.commit()

    db_session.execute(delete(Project).where(Project.id == world.project.id))
    db_session.commit()
    db_session.expunge_all()

    for model in (Drawing, DrawingVersion, Job, JobStage, DiffResult, ChangeSummary):
        assert db_session.scalar(select(func.count()).select_from(model)) == 0, model
    audit = db_session.scalars(select(AuditLog)).one()
    assert audit.project_id is None
    assert audit.entity_id == world.project.id


def test_timestamps_come_back_timezone_aware(db_session: Session, world: World) -> None:
    db_session.commit()
    db_session.expunge_all()
    project = db_session.get(Project, world.project.id)
    assert project is not None
    assert project.created_at.utcoffset() is not None
