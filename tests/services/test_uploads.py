"""Registering uploads: numbered versions, deduplicated bytes, nothing half-written on any failure."""

from __future__ import annotations

import io
import threading

import pytest
from fixtures.database import Team, tiny_pdf
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.models import AuditLog, Drawing, DrawingVersion
from buildtrace_assets.db.session import transaction
from buildtrace_assets.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServiceError,
    UnsupportedFileType,
)
from buildtrace_assets.services.uploads import DuplicateUpload, register_stored_object, register_upload, safe_filename
from buildtrace_assets.storage import BlobStorage


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (20, 20), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def stored_keys(storage: BlobStorage) -> list[str]:
    return [info.key for info in storage.list()]


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_uploads_become_numbered_versions_stored_under_their_drawing(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    with transaction(session_factory) as session:
        first = register_upload(
            session, blob_storage, team.editor, team.project.id, "A-101", "plan v1.pdf", tiny_pdf("1")
        )
    with transaction(session_factory) as session:
        second = register_upload(session, blob_storage, team.owner, team.project.id, "A-101", "plan.pdf", tiny_pdf("2"))

    assert (first.version_number, second.version_number) == (1, 2)
    assert first.storage_key == f"uploads/{team.project.id}/A-101/1-plan v1.pdf"
    assert blob_storage.get_bytes(second.storage_key) == tiny_pdf("2")
    assert (second.file_kind, second.page_count, second.uploaded_by) == ("pdf", 1, team.owner.user_id)
    with session_factory() as session:
        entries = session.scalars(select(AuditLog).where(AuditLog.action == "drawing_version.create")).all()
        assert {entry.entity_id for entry in entries} == {first.id, second.id}


def test_a_png_named_pdf_is_stored_as_a_png(db_session: Session, blob_storage: BlobStorage, team: Team) -> None:
    version = register_upload(db_session, blob_storage, team.editor, team.project.id, "A-101", "scan.pdf", png_bytes())
    assert (version.file_kind, version.content_type) == ("png", "image/png")


@pytest.mark.parametrize(
    ("who", "expected"),
    [("viewer", PermissionDenied), ("colleague", NotFound), ("outsider", NotFound)],
)
def test_only_editors_and_owners_upload(
    db_session: Session, blob_storage: BlobStorage, team: Team, who: str, expected: type[ServiceError]
) -> None:
    with pytest.raises(expected):
        register_upload(db_session, blob_storage, getattr(team, who), team.project.id, "A-101", "a.pdf", tiny_pdf("x"))


BAD_UPLOADS = {
    "unsupported": ("A-101", "notes.pdf", b"meeting notes, not a drawing", UnsupportedFileType),
    "empty": ("A-101", "empty.pdf", b"", InvalidInput),
    "bad-drawing-name": ("A/101", "a.pdf", tiny_pdf("ok"), InvalidInput),
}


@pytest.mark.parametrize("case", sorted(BAD_UPLOADS))
def test_bad_uploads_leave_nothing_behind(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team, case: str
) -> None:
    drawing, filename, data, expected = BAD_UPLOADS[case]
    with pytest.raises(expected), transaction(session_factory) as session:
        register_upload(session, blob_storage, team.editor, team.project.id, drawing, filename, data)
    _assert_nothing_registered(session_factory, blob_storage)


def test_unknown_project_leaves_nothing_behind(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    with pytest.raises(NotFound), transaction(session_factory) as session:
        register_upload(session, blob_storage, team.editor, "no-such-project", "A-101", "a.pdf", tiny_pdf("x"))
    _assert_nothing_registered(session_factory, blob_storage)


def _assert_nothing_registered(session_factory: sessionmaker[Session], storage: BlobStorage) -> None:
    with session_factory() as session:
        assert count(session, Drawing) == 0
        assert count(session, DrawingVersion) == 0
        assert (
            session.scalars(select(AuditLog).where(AuditLog.entity_type.in_(["drawings", "drawing_versions"]))).all()
            == []
        )
    assert stored_keys(storage) == []


def test_the_same_bytes_twice_name_the_existing_version(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    with transaction(session_factory) as session:
        first = register_upload(session, blob_storage, team.editor, team.project.id, "A-101", "a.pdf", tiny_pdf("x"))
    with pytest.raises(DuplicateUpload, match="already version 1") as raised, transaction(session_factory) as session:
        register_upload(session, blob_storage, team.editor, team.project.id, "A-101", "copy.pdf", tiny_pdf("x"))
    assert raised.value.existing_id == first.id
    assert stored_keys(blob_storage) == [first.storage_key]
    with session_factory() as session:
        assert count(session, DrawingVersion) == 1


def test_a_rolled_back_transaction_deletes_the_blob(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        register_upload(session, blob_storage, team.editor, team.project.id, "A-101", "a.pdf", tiny_pdf("x"))
        raise RuntimeError("the caller failed after the upload")
    _assert_nothing_registered(session_factory, blob_storage)


def test_concurrent_uploads_get_distinct_version_numbers(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    start = threading.Barrier(4)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def upload(index: int) -> None:
        start.wait()
        try:
            with transaction(session_factory) as session:
                version = register_upload(
                    session, blob_storage, team.editor, team.project.id, "A-101", f"{index}.pdf", tiny_pdf(str(index))
                )
            numbers.append(version.version_number)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(numbers) == [1, 2, 3, 4]
    with session_factory() as session:
        assert count(session, Drawing) == 1


def test_safe_filename_keeps_only_the_portable_name() -> None:
    assert safe_filename("C:\\plans\\A-101 rev#3.pdf") == "A-101 rev_3.pdf"
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("...") == "drawing"


class TestStoredObjects:
    """Files dropped into the bucket by something other than the services."""

    def test_a_dropped_file_is_registered_once_by_the_system(
        self, db_session: Session, blob_storage: BlobStorage, team: Team
    ) -> None:
        key = f"uploads/{team.project.id}/S-201/scan.pdf"
        blob_storage.put_bytes(key, tiny_pdf("dropped"))

        version = register_stored_object(db_session, blob_storage, key)
        again = register_stored_object(db_session, blob_storage, key)

        assert again.id == version.id
        assert (version.version_number, version.uploaded_by, version.storage_key) == (1, None, key)
        entry = db_session.scalars(select(AuditLog).where(AuditLog.entity_id == version.id)).one()
        assert entry.user_id is None

    def test_the_same_bytes_under_another_key_are_the_same_version(
        self, db_session: Session, blob_storage: BlobStorage, team: Team
    ) -> None:
        uploaded = register_upload(
            db_session, blob_storage, team.editor, team.project.id, "S-201", "a.pdf", tiny_pdf("x")
        )
        copy = f"uploads/{team.project.id}/S-201/copy.pdf"
        blob_storage.put_bytes(copy, tiny_pdf("x"))
        assert register_stored_object(db_session, blob_storage, uploaded.storage_key).id == uploaded.id
        assert register_stored_object(db_session, blob_storage, copy).id == uploaded.id

    @pytest.mark.parametrize(
        ("key", "expected"),
        [
            ("uploads/too/short", InvalidInput),
            ("elsewhere/p/d/f.pdf", InvalidInput),
            ("uploads/nope/d/f.pdf", NotFound),
        ],
    )
    def test_keys_that_name_no_project_are_refused(
        self, db_session: Session, blob_storage: BlobStorage, team: Team, key: str, expected: type[ServiceError]
    ) -> None:
        blob_storage.put_bytes(key, tiny_pdf("x"))
        with pytest.raises(expected):
            register_stored_object(db_session, blob_storage, key)
        assert blob_storage.exists(key)

    def test_a_dropped_file_that_is_not_a_drawing_is_refused(
        self, db_session: Session, blob_storage: BlobStorage, team: Team
    ) -> None:
        key = f"uploads/{team.project.id}/S-201/readme.pdf"
        blob_storage.put_bytes(key, b"hello")
        with pytest.raises(UnsupportedFileType):
            register_stored_object(db_session, blob_storage, key)
        assert count(db_session, DrawingVersion) == 0

    def test_a_missing_object_is_not_found(self, db_session: Session, blob_storage: BlobStorage, team: Team) -> None:
        with pytest.raises(NotFound):
            register_stored_object(db_session, blob_storage, f"uploads/{team.project.id}/S-201/gone.pdf")


def test_a_foreign_file_at_the_next_key_is_never_overwritten(
    db_session: Session, blob_storage: BlobStorage, team: Team
) -> None:
    squatter = f"uploads/{team.project.id}/A-101/1-a.pdf"
    blob_storage.put_bytes(squatter, b"someone else's bytes")
    with pytest.raises(Conflict, match="not yet registered"):
        register_upload(db_session, blob_storage, team.editor, team.project.id, "A-101", "a.pdf", tiny_pdf("x"))
    assert blob_storage.get_bytes(squatter) == b"someone else's bytes"
