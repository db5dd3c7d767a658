"""Drawings and their versions: naming, look-ups and safe version numbering."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress

from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import (
    OCR_STATUSES,
    BucketObject,
    Drawing,
    DrawingVersion,
    OcrStatus,
    Project,
    Role,
)
from buildtrace_assets.db.session import on_rollback
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import Actor, require_project
from buildtrace_assets.services.errors import InvalidInput, NotFound
from buildtrace_assets.services.names import check_name
from buildtrace_assets.storage import BlobNotFound, BlobStorage

MAX_NAME_LENGTH = 200


def clean_drawing_name(name: str) -> str:
    """A drawing name usable as one segment of a storage key, or :class:`InvalidInput`.

    Names are refused rather than rewritten, so the key of a file dropped into
    the bucket maps back to exactly the drawing it names.
    """
    name = name.strip()
    if not name or name in (".", ".."):
        raise InvalidInput("drawing name must not be empty")
    if any(character in name for character in "/\\"):
        raise InvalidInput(f"drawing name {name!r} must not contain slashes")
    return check_name(name, "drawing name", MAX_NAME_LENGTH)


def get_or_create_drawing(session: Session, actor: Actor, project: Project, name: str) -> Drawing:
    """The project's drawing called ``name``, created if needed, locked until the transaction ends.

    The lock (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite transactions are
    already exclusive) serializes version numbering of one drawing. Two
    uploads creating the same new drawing at once collide on the unique name;
    the loser's savepoint rolls back and it uses the winner's row.
    """
    name = clean_drawing_name(name)
    by_name = select(Drawing).where(Drawing.project_id == project.id, Drawing.name == name).with_for_update()
    drawing = session.scalar(by_name)
    if drawing is not None:
        return drawing
    try:
        with session.begin_nested():
            drawing = Drawing(project_id=project.id, name=name)
            session.add(drawing)
    except IntegrityError:
        return session.scalars(by_name).one()
    audit.record_change(session, actor, "drawing.create", project, drawing)
    return drawing


def next_version_number(session: Session, drawing: Drawing) -> int:
    """1 + the highest version number of the drawing; call with the drawing locked."""
    highest = session.scalar(
        select(func.max(DrawingVersion.version_number)).where(DrawingVersion.drawing_id == drawing.id)
    )
    return (highest or 0) + 1


def version_with_hash(session: Session, drawing: Drawing, file_hash: str) -> DrawingVersion | None:
    """The drawing's version holding exactly these bytes, if any."""
    return session.scalar(
        select(DrawingVersion).where(DrawingVersion.drawing_id == drawing.id, DrawingVersion.file_hash == file_hash)
    )


def list_drawings(session: Session, actor: Actor, project_id: str) -> Sequence[Drawing]:
    """The project's drawings by name."""
    require_project(session, actor, project_id)
    return session.scalars(select(Drawing).where(Drawing.project_id == project_id).order_by(Drawing.name)).all()


def get_drawing(session: Session, actor: Actor, drawing_id: str, role: Role = "viewer") -> Drawing:
    """The drawing, when the actor holds ``role`` in its project.

    Outsiders get the same :class:`NotFound` as for a drawing that does not
    exist, so ids of other organizations' drawings cannot be probed.
    """
    drawing = session.get(Drawing, drawing_id)
    if drawing is None:
        raise NotFound(f"drawing {drawing_id} not found")
    try:
        require_project(session, actor, drawing.project_id, role)
    except NotFound:
        raise NotFound(f"drawing {drawing_id} not found") from None
    return drawing


def delete_drawing(session: Session, storage: BlobStorage, actor: Actor, drawing_id: str) -> None:
    """Delete the drawing (owners); its versions, their jobs, results and summaries go with it by cascade.

    The stored files are removed only once the deletion is committed, so a
    rolled-back deletion leaves the drawing whole. Their keys are recorded as
    handled bucket objects, so a file whose removal fails is not registered
    again by the upload sensor's sweep.
    """
    drawing = get_drawing(session, actor, drawing_id, "owner")
    project = session.get_one(Project, drawing.project_id)
    keys = list(session.scalars(select(DrawingVersion.storage_key).where(DrawingVersion.drawing_id == drawing.id)))
    for key in keys:
        with suppress(BlobNotFound):
            session.merge(BucketObject(key=key, etag=storage.stat(key).etag, refusal="its drawing was deleted"))
    audit.record_change(
        session, actor, "drawing.delete", project, drawing, before=audit.snapshot(drawing), deleted=True
    )
    session.delete(drawing)
    session.flush()

    def remove_files() -> None:
        for key in keys:
            storage.delete(key)

    _after_commit(session, remove_files)


def _after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's current transaction commits, never if it rolls back.

    Without the rollback half, a listener left behind by a rolled-back
    deletion would fire at the session's next, unrelated commit.
    """

    def committed(_session: Session) -> None:
        callback()

    event.listen(session, "after_commit", committed, once=True)
    on_rollback(session, lambda: event.remove(session, "after_commit", committed))


def list_versions(session: Session, actor: Actor, drawing_id: str) -> Sequence[DrawingVersion]:
    """A drawing's versions, oldest first."""
    get_drawing(session, actor, drawing_id)
    return session.scalars(
        select(DrawingVersion).where(DrawingVersion.drawing_id == drawing_id).order_by(DrawingVersion.version_number)
    ).all()


def get_version(session: Session, actor: Actor, version_id: str) -> tuple[DrawingVersion, Drawing]:
    """A drawing version with its drawing, when the actor may read the project."""
    row = session.execute(
        select(DrawingVersion, Drawing)
        .join(Drawing, Drawing.id == DrawingVersion.drawing_id)
        .where(DrawingVersion.id == version_id)
    ).first()
    if row is None:
        raise NotFound(f"drawing version {version_id} not found")
    version, drawing = row
    try:
        require_project(session, actor, drawing.project_id)
    except NotFound:
        raise NotFound(f"drawing version {version_id} not found") from None
    return version, drawing


def record_version_processing(
    session: Session,
    actor: Actor,
    version_id: str,
    *,
    ocr_status: OcrStatus,
    ocr_result_ref: str | None = None,
    rasterized_image_ref: str | None = None,
    page_count: int | None = None,
) -> DrawingVersion:
    """Store what the per-version pipeline found (editors, owners and the system).

    References that are None keep their stored value, so a failed run does not
    erase the results of an earlier successful one.
    """
    if ocr_status not in OCR_STATUSES:
        raise InvalidInput(f"ocr_status must be one of {', '.join(OCR_STATUSES)}; got {ocr_status!r}")
    if page_count is not None and page_count < 1:
        raise InvalidInput("page_count must be at least 1")
    version, drawing = get_version(session, actor, version_id)
    project = require_project(session, actor, drawing.project_id, "editor")
    before = audit.snapshot(version)
    version.ocr_status = ocr_status
    version.ocr_result_ref = ocr_result_ref or version.ocr_result_ref
    version.rasterized_image_ref = rasterized_image_ref or version.rasterized_image_ref
    version.page_count = page_count or version.page_count
    session.flush()
    audit.record_change(session, actor, "drawing_version.processing", project, version, before=before)
    return version
