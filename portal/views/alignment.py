"""Manual alignment on the review page: a person clicks matching points on the old and the new sheet.

A sheet the engine could not align has no changes, and must never read as
"0 changes": it says so, with the engine's reason, and opens the manual
alignment. Any other sheet can be re-aligned too (the "Align manually"
expander), for an automatic alignment that is wrong. The person clicks two or
three spots on the old sheet and the same spots, in the same order, on the
new one (canvases in point mode); saving stores the pairs with the diff
result through :mod:`buildtrace_assets.services.alignments`, which checks
them and asks the pipeline to diff the job again.

Not a page of its own: the review page calls :func:`alignment_panel`, the summary page :func:`unaligned_notice`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from buildtrace_assets.services import alignments
from portal import backend
from portal.auth import SignedIn
from portal.images import as_image, sheet_image
from portal.job_context import JOB_PARAM, JobRef, VersionRef
from portal.project_context import PROJECT_PARAM, ProjectAccess
from portal.regions import CanvasFrame
from portal.review_data import SHEET_PARAM, Review, sheet_key
from portal.status import RUNNING

REVIEW_PAGE = "views/review.py"
CANVAS_WIDTH = 1000
POINT_COLOURS = ("#e6194b", "#3cb44b", "#4363d8")
"""Pair 1, 2, 3: the point's colour on both canvases follows the order of the clicks."""
POINT_RADIUS_PX = 5
NOT_ALIGNED = "not aligned"
_ORIGIN_SHARE = {"left": 0.0, "top": 0.0, "center": 0.5, "right": 1.0, "bottom": 1.0}


def unaligned_reason(sheet: Mapping[str, Any]) -> str | None:
    """Why the engine could not align the sheet, or None when it could (or the sheet is on one side only)."""
    error = sheet.get("error") or {}
    return str(error.get("message") or "alignment failed") if error.get("kind") == "unaligned" else None


def sheet_status(sheet: Mapping[str, Any]) -> str:
    """The status a person reads: a sheet that could not be aligned is "not aligned", never a modified sheet with
    no changes."""
    return NOT_ALIGNED if unaligned_reason(sheet) is not None else str(sheet["status"])


def canvas_points(drawing: Mapping[str, Any] | None, frame: CanvasFrame) -> list[tuple[float, float]]:
    """The clicked points of a point-mode canvas, in sheet points, in the order they were clicked.

    The canvas stores a click as a circle whose origin sits ``radius + stroke / 2`` left of the click (``originX``
    left, ``originY`` centre), so the click is the circle's centre.
    """
    points = []
    for item in (drawing or {}).get("objects") or []:
        if str(item.get("type", "")).lower() != "circle":
            continue
        extent = 2 * float(item.get("radius", 0)) * float(item.get("scaleX", 1)) + float(item.get("strokeWidth", 0))
        x = float(item["left"]) + (0.5 - _ORIGIN_SHARE[item.get("originX", "left")]) * extent
        y = float(item["top"]) + (0.5 - _ORIGIN_SHARE[item.get("originY", "top")]) * extent
        points.append((x / frame.pixels_per_point, y / frame.pixels_per_point))
    return points


def canvas_key(diff_result_id: str, key: str, side: str) -> str:
    """The widget key of one side's point canvas (``old`` or ``new``) on sheet ``key``."""
    return f"align-{diff_result_id}-{key}-{side}"


def _pick(title: str, version: VersionRef, page: int, widget: str) -> list[tuple[float, float]]:
    from streamlit_drawable_canvas import st_canvas

    image = sheet_image(backend.storage().url, version.storage_key, page, CANVAS_WIDTH)
    frame = CanvasFrame(image.width_pt, image.height_pt, CANVAS_WIDTH)
    drawing = (st.session_state.get(widget) or {}).get("drawing") or {}
    clicked = len(canvas_points(drawing.get("raw"), frame))
    st.markdown(f"**{title}** · {frame.width_pt:.0f} × {frame.height_pt:.0f} pt")
    result = st_canvas(
        fill_color=POINT_COLOURS[min(clicked, len(POINT_COLOURS) - 1)],
        stroke_width=1,
        stroke_color="#000000",
        background_image=as_image(image.png),
        background_image_fit="contain",
        width=frame.canvas_width,
        height=frame.canvas_height,
        drawing_mode="point",
        point_display_radius=POINT_RADIUS_PX,
        key=widget,
    )
    return canvas_points(result.json_data, frame)


def _pairs_table(old: list[tuple[float, float]], new: list[tuple[float, float]]) -> None:
    rows = [
        {
            "pair": n + 1,
            "old (pt)": f"{old[n][0]:.1f}, {old[n][1]:.1f}" if n < len(old) else "",
            "new (pt)": f"{new[n][0]:.1f}, {new[n][1]:.1f}" if n < len(new) else "",
        }
        for n in range(max(len(old), len(new)))
    ]
    if rows:
        st.dataframe(rows, hide_index=True)


def _save(
    user: SignedIn, job: JobRef, key: str, old: list[tuple[float, float]], new: list[tuple[float, float]]
) -> None:
    points = [{"old": list(o), "new": list(n)} for o, n in zip(old, new, strict=True)]
    saved = backend.attempt(
        lambda s: alignments.save_alignment(s, backend.storage(), user.actor, job.job_id, key, points).sheet_key
    )
    if saved is not None:
        st.rerun()


def _editor(user: SignedIn, job: JobRef, review: Review, sheet: Mapping[str, Any], key: str) -> None:
    st.caption(
        "Click two or three spots that are easy to find on both sheets (grid crossings, frame corners), far apart"
        " and not on one line: first on the old sheet, then the same spots in the same order on the new one."
        " The toolbar's undo and reset take clicks back."
    )
    old = _pick("Old sheet", job.old, sheet["old_page"], canvas_key(review.diff_result_id, key, "old"))
    new = _pick("New sheet", job.new, sheet["new_page"], canvas_key(review.diff_result_id, key, "new"))
    _pairs_table(old, new)
    ready = len(old) == len(new) and 2 <= len(old) <= 3
    if not ready:
        st.caption(f"{len(old)} point(s) on the old sheet, {len(new)} on the new: two or three on each, as many.")
    if st.button(
        "Save alignment",
        type="primary",
        disabled=not ready,
        key=f"save-{canvas_key(review.diff_result_id, key, 'pair')}",
    ):
        _save(user, job, key, old, new)


def _stored_points(user: SignedIn, job: JobRef, key: str) -> list[Any] | None:
    """The point pairs stored for the sheet, read from the database (so what the page says about them survives
    reruns), or None."""
    stored = backend.run(
        lambda s: [row.points for row in alignments.sheet_alignments(s, user.actor, job.job_id) if row.sheet_key == key]
    )
    return stored[0] if stored else None


def _back_to_automatic(user: SignedIn, job: JobRef, key: str) -> None:
    if st.button("Back to automatic alignment", key=f"automatic-{job.job_id}-{key}") and backend.attempt(
        lambda s: alignments.clear_alignment(s, user.actor, job.job_id, key)
    ):
        st.rerun()


def alignment_panel(
    user: SignedIn, project: ProjectAccess, job: JobRef, review: Review, sheet: Mapping[str, Any]
) -> None:
    """What the review page shows about a matched sheet's alignment, and the manual alignment for editors."""
    if sheet.get("old_page") is None or sheet.get("new_page") is None:
        return
    key = sheet_key(dict(sheet))
    reason = unaligned_reason(sheet)
    alignment = sheet.get("alignment") or {}
    stored = _stored_points(user, job, key)
    applied = alignment.get("source") == "manual" and alignment.get("points") == stored
    if stored is not None and not applied:
        st.info(f"Alignment of sheet {key} saved: the comparison runs again with it.", icon=RUNNING.material)
    elif stored is None and alignment.get("source") == "manual":
        st.info(f"Sheet {key} is being compared again with its automatic alignment.", icon=RUNNING.material)
    if reason is not None:
        st.warning(
            f"Sheet {key} could not be aligned with its old revision, so its changes were not computed: {reason}."
            " Align it by hand below.",
            icon=":material/error:",
        )
    elif alignment.get("source") == "manual":
        st.caption(f"Aligned by hand with {len(alignment.get('points') or [])} point pairs.")
    with st.expander("Align manually", expanded=reason is not None, icon=":material/my_location:"):
        if not project.can_edit:
            st.caption("Editors and owners can align a sheet by hand.")
            return
        if stored is not None:
            _back_to_automatic(user, job, key)
        if reason is None and not st.toggle(
            "Pick points on the old and new sheet", key=f"pick-{review.diff_result_id}-{key}"
        ):
            st.caption("If the overlay shows the whole sheet shifted or turned, align it by hand here.")
            return
        _editor(user, job, review, sheet, key)


def unaligned_notice(project: ProjectAccess, job: JobRef, document: Mapping[str, Any]) -> None:
    """For the summary page: each sheet that could not be aligned, why, and a link to align it by hand, so a
    summary without its changes is never read as a sheet without changes."""
    for sheet in document["sheets"]:
        reason = unaligned_reason(sheet)
        if reason is None:
            continue
        key = sheet_key(dict(sheet))
        st.warning(f"Sheet {key} could not be aligned, so none of its changes are in this summary: {reason}.")
        st.page_link(
            REVIEW_PAGE,
            label=f"Align sheet {key} by hand",
            icon=":material/my_location:",
            query_params={PROJECT_PARAM: project.project_id, JOB_PARAM: job.job_id, SHEET_PARAM: key},
        )
