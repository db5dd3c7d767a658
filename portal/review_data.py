"""What the review page shows: a job's diff result, its sheets, and the regions in force.

The machine's regions live in the ``buildtrace.changes/v1`` document of the
diff result; once someone saves corrections, the active manual overlay holds
the whole corrected set (every sheet). A change belongs to the sheet its id
names (``<sheet key>-<n>`` from the engine, ``<sheet key>-m<n>`` drawn here),
the convention the summarizer reads overlays back with, so the key comes
from its :func:`~buildtrace_assets.summaries.overlays.sheet_key`.
"""

from __future__ import annotations

import hashlib
import json
import math
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from buildtrace_assets.services import diff_results, overlays, summaries
from buildtrace_assets.services.errors import NotFound
from buildtrace_assets.storage import open_storage
from buildtrace_assets.summaries.context import moved_by
from buildtrace_assets.summaries.document import ChangeRecord, SheetRecord
from buildtrace_assets.summaries.overlays import sheet_key
from portal import backend
from portal.auth import SignedIn

SHEET_PARAM = "sheet"
"""Query parameter naming the reviewed sheet by its key."""
CHANGE_ID = re.compile(r"(?P<sheet>.+)-m?\d+")


def sheet_of(change_id: str) -> str | None:
    """The key of the sheet a change id names, if it follows the convention."""
    match = CHANGE_ID.fullmatch(change_id)
    return match["sheet"] if match else None


def on_sheet(change: Mapping[str, Any], key: str) -> bool:
    """Whether the change's id names the sheet ``key``."""
    return sheet_of(str(change["id"])) == key


def canvas_key(diff_result_id: str, sheet: str, overlay_id: str | None) -> str:
    """The review canvas widget's key: a new overlay version starts a fresh canvas."""
    return f"canvas-{diff_result_id}-{sheet}-{overlay_id or 'machine'}"


def region_table_key(canvas: str, region_ids: Sequence[str]) -> str:
    """The region table widget's key: a new set of rows (a box drawn or deleted) starts a fresh table."""
    digest = hashlib.sha1("|".join(region_ids).encode()).hexdigest()[:10]
    return f"table-{canvas}-{digest}"


def move_text(region: Mapping[str, Any]) -> str:
    """``moved 12'-0" east (108 pt right), from (114, 105) to (222, 105)``: how far and from where to where a moved
    region went, in the summaries' words; empty for other kinds."""
    if region.get("kind") != "moved":
        return ""
    record = ChangeRecord.model_validate(dict(region))
    by = moved_by(record)
    text = "moved" + (f" {by}" if by else "")
    offset = record.offset
    if offset is not None and offset.drawing_distance:
        text += f" ({round(math.hypot(offset.dx, offset.dy))} pt {offset.page_direction})"
    if record.from_bbox is not None:
        (x0, y0), (x1, y1) = record.from_bbox[:2], record.bbox[:2]
        text += f", from ({x0:.0f}, {y0:.0f}) to ({x1:.0f}, {y1:.0f})"
    return text


def replot_note(sheet: Mapping[str, Any]) -> str:
    """``re-plotted at 50%`` for a sheet issued at another size, else empty."""
    scale = SheetRecord.model_validate(dict(sheet)).replot_scale
    return f"re-plotted at {round(scale * 100)}%" if scale is not None else ""


def blob_key(changes_ref: str, relative: str) -> str:
    """The storage key of a file the changes document names relative to itself (overlays, crops)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(changes_ref), relative))


def sheet_regions(
    document: Mapping[str, Any], overlay_changes: Sequence[Mapping[str, Any]] | None, key: str
) -> list[dict[str, Any]]:
    """The regions in force on one sheet: the active overlay's when there is one, else the machine's."""
    if overlay_changes is not None:
        return [dict(change) for change in overlay_changes if on_sheet(change, key)]
    return [dict(change) for sheet in document["sheets"] if sheet_key(sheet) == key for change in sheet["changes"]]


def overlay_with_sheet(
    document: Mapping[str, Any],
    overlay_changes: Sequence[Mapping[str, Any]] | None,
    key: str,
    regions: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The complete change list of a new overlay version: ``regions`` on sheet ``key``, the rest as in force."""
    in_force = (
        overlay_changes
        if overlay_changes is not None
        else [change for sheet in document["sheets"] for change in sheet["changes"]]
    )
    return [dict(change) for change in in_force if not on_sheet(change, key)] + [dict(region) for region in regions]


@dataclass(frozen=True)
class Review:
    """A job's diff result with the overlay and summary in force."""

    diff_result_id: str
    changes_ref: str
    document: dict[str, Any]
    overlay_id: str | None
    overlay_version: int | None
    overlay_changes: list[dict[str, Any]] | None
    overlay_created_at: datetime | None
    summary_overlay_id: str | None
    summary_created_at: datetime | None

    @property
    def summary_updating(self) -> bool:
        """A saved overlay no summary has caught up with yet."""
        if self.overlay_id is None or self.overlay_created_at is None:
            return False
        if self.summary_created_at is None:
            return True
        return self.summary_overlay_id != self.overlay_id and self.summary_created_at < self.overlay_created_at


@st.cache_data(max_entries=32, show_spinner=False)
def _changes_document(storage_url: str, key: str, etag: str) -> dict[str, Any]:
    """The changes document; ``etag`` is part of the cache key so a re-run diff is read afresh."""
    return json.loads(open_storage(storage_url).get_bytes(key))


def load_review(user: SignedIn, job_id: str) -> Review | None:
    """The review of a job, or None while it has no diff result."""

    def load(session: Session) -> Review | None:
        try:
            result = diff_results.get_diff_result(session, user.actor, job_id)
        except NotFound:
            return None
        overlay = overlays.active_overlay(session, user.actor, result.id)
        summary = summaries.active_summary(session, user.actor, result.id)
        return Review(
            diff_result_id=result.id,
            changes_ref=result.changes_ref,
            document={},
            overlay_id=overlay.id if overlay else None,
            overlay_version=overlay.version_number if overlay else None,
            overlay_changes=list(overlay.changes) if overlay else None,
            overlay_created_at=overlay.created_at if overlay else None,
            summary_overlay_id=summary.overlay_id if summary else None,
            summary_created_at=summary.created_at if summary else None,
        )

    review = backend.run(load)
    if review is None:
        return None
    storage = backend.storage()
    document = _changes_document(storage.url, review.changes_ref, storage.stat(review.changes_ref).etag)
    return replace(review, document=document)
