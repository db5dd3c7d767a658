"""Deleting a drawing with all its versions, and their stored files once the deletion is committed.

The services have no deletion of drawings yet; this follows their rules
(owner role, an audit row in the same transaction) and belongs in
``services/drawings.py`` once it moves there.
"""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import Drawing, DrawingVersion
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import Actor, require_project
from buildtrace_assets.services.errors import NotFound
from buildtrace_assets.storage import BlobStorage


def delete_drawing(session: Session, storage: BlobStorage, actor: Actor, drawing_id: str) -> None:
    """Delete the drawing (owners); jobs, results and summaries of its versions go with it by cascade.

    The files are removed only after the commit, so a rolled-back deletion
    leaves the drawing whole; the upload sensor never sees them again because
    its cursor is already past their keys.
    """
    drawing = session.get(Drawing, drawing_id)
    if drawing is None:
        raise NotFound(f"drawing {drawing_id} not found")
    try:
        project = require_project(session, actor, drawing.project_id, "owner")
    except NotFound:
        raise NotFound(f"drawing {drawing_id} not found") from None
    keys = list(session.scalars(select(DrawingVersion.storage_key).where(DrawingVersion.drawing_id == drawing.id)))
    audit.record_change(
        session, actor, "drawing.delete", project, drawing, before=audit.snapshot(drawing), deleted=True
    )
    session.delete(drawing)
    session.flush()

    def remove_files(_session: Session) -> None:
        for key in keys:
            storage.delete(key)

    event.listen(session, "after_commit", remove_files, once=True)
