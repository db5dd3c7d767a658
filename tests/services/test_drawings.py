"""Drawings and versions are listed for members only, deleted by owners only; names must fit in a storage key."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from fixtures.database import Team
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog, BucketObject, DiffResult, Drawing, DrawingVersion, Job, JobStage
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.drawings import (
    clean_drawing_name,
    delete_drawing,
    get_drawing,
    get_version,
    list_drawings,
    list_versions,
    record_version_processing,
)
from buildtrace_assets.services.errors import InvalidInput, NotFound, PermissionDenied
from buildtrace_assets.storage import BlobStorage


def test_members_list_drawings_and_their_versions_in_order(
    db_session: Session, team: Team, upload_version: Callable[..., DrawingVersion]
) -> None:
    first, second = upload_version("1"), upload_version("2")
    upload_version("s", drawing="S-201")

    drawings = list_drawings(db_session, team.viewer, team.project.id)
    assert [d.name for d in drawings] == ["A-101", "S-201"]
    assert [v.id for v in list_versions(db_session, team.viewer, drawings[0].id)] == [first.id, second.id]
    version, drawing = get_version(db_session, team.viewer, second.id)
    assert (version.version_number, drawing.name) == (2, "A-101")
    assert get_drawing(db_session, team.viewer, drawing.id) is drawing


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_strangers_see_nothing(
    db_session: Session, team: Team, upload_version: Callable[..., DrawingVersion], who: str
) -> None:
    version = upload_version("1")
    actor = getattr(team, who)
    with pytest.raises(NotFound):
        list_drawings(db_session, actor, team.project.id)
    with pytest.raises(NotFound):
        list_versions(db_session, actor, version.drawing_id)
    with pytest.raises(NotFound, match=f"drawing {version.drawing_id} not found"):
        get_drawing(db_session, actor, version.drawing_id)
    with pytest.raises(NotFound, match=f"drawing version {version.id} not found"):
        get_version(db_session, actor, version.id)


@pytest.mark.parametrize(
    "name",
    ["", " ", ".", "..", "A/101", "A\\101", "A\n101", "A\x00101", ".buildtrace-tmp-evil", "x" * 201, "é" * 130],
)
def test_names_that_cannot_be_a_key_segment_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        clean_drawing_name(name)


def test_names_are_trimmed() -> None:
    assert clean_drawing_name("  Architectural Set ") == "Architectural Set"


def test_processing_results_are_recorded_and_kept_on_a_later_failure(
    db_session: Session, team: Team, upload_version: Callable[..., DrawingVersion]
) -> None:
    version = upload_version("1")
    record_version_processing(
        db_session,
        SYSTEM,
        version.id,
        ocr_status="completed",
        ocr_result_ref="ocr/v1.json",
        rasterized_image_ref="r/v1",
    )
    record_version_processing(db_session, SYSTEM, version.id, ocr_status="failed")
    assert (version.ocr_status, version.ocr_result_ref, version.rasterized_image_ref) == (
        "failed",
        "ocr/v1.json",
        "r/v1",
    )
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "drawing_version.processing")).first()
    assert (entry.before["ocr_status"], entry.after["ocr_status"]) == ("pending", "completed")


def test_processing_results_need_a_known_status_and_an_editor(
    db_session: Session, team: Team, upload_version: Callable[..., DrawingVersion]
) -> None:
    version = upload_version("1")
    with pytest.raises(InvalidInput):
        record_version_processing(db_session, SYSTEM, version.id, ocr_status="done")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        record_version_processing(db_session, team.viewer, version.id, ocr_status="completed")
    with pytest.raises(NotFound):
        record_version_processing(db_session, team.outsider, version.id, ocr_status="completed")


def _ids(session: Session, model: type[Drawing | DrawingVersion | Job | JobStage | DiffResult]) -> set[str]:
    """Ids of the committed rows, read from the database rather than the session's identity map."""
    return set(session.scalars(select(model.id)))


def _stored(storage: BlobStorage, versions: Sequence[DrawingVersion]) -> list[bool]:
    return [storage.exists(version.storage_key) for version in versions]


def test_an_owner_deletes_a_drawing_with_its_versions_jobs_and_then_its_files(
    db_session: Session,
    team: Team,
    blob_storage: BlobStorage,
    upload_version: Callable[..., DrawingVersion],
    versions: tuple[DrawingVersion, DrawingVersion],
    job: Job,
    diff_result: DiffResult,
) -> None:
    other = upload_version("s", drawing="S-201")
    db_session.commit()

    delete_drawing(db_session, blob_storage, team.owner, versions[0].drawing_id)
    assert _stored(blob_storage, versions) == [True, True]
    db_session.commit()

    assert _stored(blob_storage, [*versions, other]) == [False, False, True]
    assert _ids(db_session, Drawing) == {other.drawing_id}
    assert _ids(db_session, DrawingVersion) == {other.id}
    assert _ids(db_session, Job) == _ids(db_session, JobStage) == _ids(db_session, DiffResult) == set()
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "drawing.delete")).one()
    assert (entry.user_id, entry.before["name"], entry.after) == (team.owner.user_id, "A-101", None)


@pytest.mark.parametrize(
    ("who", "refusal"),
    [("editor", PermissionDenied), ("viewer", PermissionDenied), ("colleague", NotFound), ("outsider", NotFound)],
)
def test_only_owners_delete_and_strangers_cannot_tell_the_drawing_exists(
    db_session: Session,
    team: Team,
    blob_storage: BlobStorage,
    upload_version: Callable[..., DrawingVersion],
    who: str,
    refusal: type[Exception],
) -> None:
    version = upload_version("1")
    db_session.commit()
    with pytest.raises(refusal, match=f"drawing {version.drawing_id} not found" if refusal is NotFound else None):
        delete_drawing(db_session, blob_storage, getattr(team, who), version.drawing_id)
    db_session.commit()

    assert _ids(db_session, DrawingVersion) == {version.id}
    assert _stored(blob_storage, [version]) == [True]


def test_an_unknown_drawing_is_not_found(db_session: Session, team: Team, blob_storage: BlobStorage) -> None:
    with pytest.raises(NotFound, match="drawing missing not found"):
        delete_drawing(db_session, blob_storage, team.owner, "missing")


def test_a_rolled_back_deletion_keeps_the_drawing_and_its_files_even_after_a_later_commit(
    db_session: Session, team: Team, blob_storage: BlobStorage, upload_version: Callable[..., DrawingVersion]
) -> None:
    version = upload_version("1")
    db_session.commit()

    delete_drawing(db_session, blob_storage, team.owner, version.drawing_id)
    db_session.rollback()
    upload_version("2")
    db_session.commit()

    assert _ids(db_session, DrawingVersion) >= {version.id}
    assert _stored(blob_storage, [version]) == [True]
    assert db_session.scalars(select(AuditLog).where(AuditLog.action == "drawing.delete")).all() == []


def test_the_files_of_a_deleted_drawing_are_recorded_so_the_bucket_sweep_never_registers_them_again(
    db_session: Session,
    team: Team,
    blob_storage: BlobStorage,
    versions: tuple[DrawingVersion, DrawingVersion],
) -> None:
    keys = [version.storage_key for version in versions]
    db_session.commit()

    delete_drawing(db_session, blob_storage, team.owner, versions[0].drawing_id)
    db_session.commit()

    handled = dict(db_session.execute(select(BucketObject.key, BucketObject.refusal)).all())
    assert handled == dict.fromkeys(keys, "its drawing was deleted")
