"""Manual overlays: a person's corrected change regions for a diff result, versioned with one active.

Each save is a new row (``version_number`` + 1, ``parent_overlay_id`` = the
version it replaces) and the previous one is deactivated, so history is never
edited in place. Changes are the contract's change objects, validated against
the ``buildtrace.changes/v1`` schema, so the summarizer reads an overlay
exactly like the machine's result. A save also records, in the same
transaction and in its author's name, the request for the summary rewritten
from it: the one road from a person to the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import jsonschema
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import DiffResult, Job, ManualOverlay, Project
from buildtrace_assets.engine.contract import load_schema
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.diff_results import lock_diff_result, require_diff_result
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound
from buildtrace_assets.services.history import active_version, all_versions, next_version_number
from buildtrace_assets.services.pipeline_requests import request_summary


@lru_cache(maxsize=1)
def _changes_validator() -> jsonschema.protocols.Validator:
    schema = load_schema()
    return jsonschema.Draft202012Validator(
        {"$defs": schema["$defs"], "type": "array", "items": {"$ref": "#/$defs/change"}}
    )


def validate_overlay_changes(changes: Any) -> list[dict[str, Any]]:
    """The changes as a list, or :class:`InvalidInput` naming the first bad field."""
    error = jsonschema.exceptions.best_match(_changes_validator().iter_errors(changes))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise InvalidInput(f"invalid change at {where}: {error.message}")
    for change in changes:
        x0, y0, x1, y1 = change["bbox"]
        if x1 <= x0 or y1 <= y0:
            raise InvalidInput(f"change {change['id']}: bbox {change['bbox']} must have x0 < x1 and y0 < y1")
    ids = [change["id"] for change in changes]
    if len(set(ids)) != len(ids):
        raise InvalidInput("change ids must be unique within an overlay")
    return list(changes)


def active_overlay(session: Session, actor: Actor, diff_result_id: str) -> ManualOverlay | None:
    """The overlay in force for the diff result, or None when the machine result stands."""
    require_diff_result(session, actor, diff_result_id)
    return active_version(session, ManualOverlay, diff_result_id)


def overlay_history(session: Session, actor: Actor, diff_result_id: str) -> Sequence[ManualOverlay]:
    """Every overlay version of the diff result, newest first."""
    require_diff_result(session, actor, diff_result_id)
    return all_versions(session, ManualOverlay, diff_result_id)


def _add_version(
    session: Session,
    actor: Actor,
    result: DiffResult,
    project: Project,
    changes: list[dict[str, Any]],
    parent: ManualOverlay | None,
) -> ManualOverlay:
    overlay = ManualOverlay(
        diff_result_id=result.id,
        version_number=next_version_number(session, ManualOverlay, result.id),
        parent_overlay_id=parent.id if parent else None,
        changes=changes,
        created_by=actor.user_id,
    )
    session.add(overlay)
    session.flush()
    audit.record_change(
        session, actor, "overlay.create", project, overlay, before=audit.snapshot(parent) if parent else None
    )
    if session.get_one(Job, result.job_id).status != "cancelled":
        request_summary(session, actor, result.job_id, f"corrected regions (overlay v{overlay.version_number})")
    return overlay


def _deactivate(session: Session, overlay: ManualOverlay) -> None:
    overlay.is_active = False
    session.flush()


def create_overlay(session: Session, actor: Actor, diff_result_id: str, changes: Any) -> ManualOverlay:
    """The first active overlay of a diff result (editors and owners); :class:`Conflict` when one is active.

    After :func:`deactivate_overlay` a new one can be created; its number
    continues the history and its parent is the latest earlier version.
    """
    result, project = require_diff_result(session, actor, diff_result_id, "editor")
    checked = validate_overlay_changes(changes)
    lock_diff_result(session, result)
    if active_version(session, ManualOverlay, result.id) is not None:
        raise Conflict("this diff result already has an active overlay; update it instead")
    earlier = all_versions(session, ManualOverlay, result.id)
    return _add_version(session, actor, result, project, checked, earlier[0] if earlier else None)


def update_overlay(session: Session, actor: Actor, overlay_id: str, changes: Any) -> ManualOverlay:
    """A new version replacing the active overlay ``overlay_id`` (editors and owners).

    Saving on top of an overlay that is no longer active (someone else saved
    meanwhile) is a :class:`Conflict`, so no edit is silently lost.
    """
    overlay = _overlay(session, actor, overlay_id)
    result, project = require_diff_result(session, actor, overlay.diff_result_id, "editor")
    checked = validate_overlay_changes(changes)
    lock_diff_result(session, result)
    active = active_version(session, ManualOverlay, result.id)
    if active is None or active.id != overlay.id:
        raise Conflict(f"overlay version {overlay.version_number} is no longer the active one; reload and edit again")
    _deactivate(session, active)
    return _add_version(session, actor, result, project, checked, active)


def deactivate_overlay(session: Session, actor: Actor, overlay_id: str) -> ManualOverlay:
    """Withdraw the active overlay so the machine result stands again (editors and owners)."""
    overlay = _overlay(session, actor, overlay_id)
    _, project = require_diff_result(session, actor, overlay.diff_result_id, "editor")
    if not overlay.is_active:
        raise Conflict(f"overlay version {overlay.version_number} is not active")
    before = audit.snapshot(overlay)
    _deactivate(session, overlay)
    audit.record_change(session, actor, "overlay.deactivate", project, overlay, before=before)
    return overlay


def _overlay(session: Session, actor: Actor, overlay_id: str) -> ManualOverlay:
    overlay = session.get(ManualOverlay, overlay_id)
    if overlay is None:
        raise NotFound(f"overlay {overlay_id} not found")
    try:
        require_diff_result(session, actor, overlay.diff_result_id)
    except NotFound:
        raise NotFound(f"overlay {overlay_id} not found") from None
    return overlay
