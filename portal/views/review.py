"""Review: the matched sheets of a comparison, each sheet's old/new/overlay views, and its regions.

Editors correct the regions on the canvas (draw, move, resize, delete; kind
and note in the table) and save them as a new manual overlay version; the
pipeline then rewrites the summary, which this page reports until it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from buildtrace_assets.engine.legend import KIND_COLOURS, LEGEND
from buildtrace_assets.services import overlays
from portal import backend, zoom
from portal.auth import SignedIn, signed_in_user
from portal.empty_state import empty_state
from portal.images import CROP_WIDTH, analysed_page_size, as_image, blend_png, sheet_image, stored_image
from portal.job_context import JobRef, VersionRef, choose_job
from portal.project_context import ProjectAccess, choose_project
from portal.regions import (
    EDIT_KINDS,
    REGION_KINDS,
    CanvasFrame,
    apply_edits,
    boxes_to_regions,
    next_region_id,
    regions_to_boxes,
)
from portal.report_downloads import report_downloads
from portal.review_data import (
    SHEET_PARAM,
    Review,
    blob_key,
    canvas_key,
    load_review,
    move_text,
    overlay_with_sheet,
    region_table_key,
    replot_note,
    sheet_key,
    sheet_regions,
)
from portal.status import RUNNING, status_of, status_text
from portal.views.alignment import alignment_panel, sheet_status, unaligned_reason

CANVAS_WIDTH = 1000
LABEL_FONT_PX = 12
SAVED_KEY = "review_saved"
FIT_CSS = ".block-container { padding-top: 4rem; padding-bottom: 2rem; } h1 { padding: 0.25rem 0 0.5rem; }"
"""Streamlit's 6rem above the page would push the viewer down a 900 px window; 4rem stays clear of the 3.75rem
header, which would otherwise cover the top of whatever comes first (the title, or the pipeline's banner)."""
POLL_SECONDS = 3


@dataclass(frozen=True)
class Controls:
    """The places, in the one row above the sheet, of the view choice, the overlay opacity and the edit switch."""

    view: DeltaGenerator
    opacity: DeltaGenerator
    edit: DeltaGenerator


def _legend() -> None:
    chips = " ".join(f"<span style='color:{entry.hex};font-weight:600'>■ {entry.label}</span>" for entry in LEGEND)
    st.markdown(chips, unsafe_allow_html=True)


def _sheet_table(review: Review) -> None:
    rows = []
    for sheet in review.document["sheets"]:
        key = sheet_key(sheet)
        rows.append(
            {
                "sheet": key,
                "title": sheet.get("title") or "",
                "status": status_text(sheet_status(sheet)),
                "regions": None  # not computed: never "0 changes"
                if unaligned_reason(sheet)
                else len(sheet_regions(review.document, review.overlay_changes, key)),
                "alignment": (sheet.get("alignment") or {}).get("score"),
                "size": replot_note(sheet),
                "problem": (sheet.get("error") or {}).get("message", ""),
            }
        )
    with st.expander(f"All sheets ({len(rows)})"):
        st.dataframe(rows, hide_index=True, width="stretch")


def _choose_sheet(review: Review, place: DeltaGenerator) -> dict[str, Any] | None:
    viewable = {sheet_key(sheet): sheet for sheet in review.document["sheets"] if sheet.get("new_page") is not None}
    if not viewable:
        st.info("No sheet of the new version to review: every sheet was removed.")
        return None
    keys = list(viewable)
    requested = st.query_params.get(SHEET_PARAM)
    chosen = place.selectbox(
        "Sheet",
        keys,
        index=keys.index(requested) if requested in viewable else 0,
        format_func=lambda key: (
            " · ".join(filter(None, (key, viewable[key].get("title"))))
            + f" ({status_of(sheet_status(viewable[key])).label})"
        ),
    )
    st.query_params[SHEET_PARAM] = chosen
    return viewable[chosen]


def _frame(job: JobRef, sheet: dict[str, Any]) -> CanvasFrame:
    storage_url = backend.storage().url
    if job.new.analysis_key:
        width_pt, height_pt = analysed_page_size(storage_url, job.new.analysis_key, sheet["new_page"])
    else:
        new = sheet_image(storage_url, job.new.storage_key, sheet["new_page"], CANVAS_WIDTH)
        width_pt, height_pt = new.width_pt, new.height_pt
    return CanvasFrame(width_pt, height_pt, CANVAS_WIDTH)


def _picture(
    job: JobRef, review: Review, sheet: dict[str, Any], frame: CanvasFrame, controls: Controls
) -> tuple[str, bytes, float]:
    """The chosen view's picture ``frame.canvas_width`` pixels wide, and the width in points of the sheet it shows.

    Sheets are rendered only for the views that show them.
    """
    storage_url = backend.storage().url
    views = ["Overlay"] if sheet.get("overlay") else []
    views += ["New"] + (["Old"] if sheet.get("old_page") is not None else [])
    choice, blending = controls.view, controls.opacity
    view = choice.segmented_control("View", views, default=views[0], required=True)

    def rendered(version: VersionRef, page: int) -> bytes:
        return sheet_image(storage_url, version.storage_key, page, frame.canvas_width).png

    if view == "Old":
        old = sheet_image(storage_url, job.old.storage_key, sheet["old_page"], frame.canvas_width)
        return view, old.png, old.width_pt
    if view == "New":
        return view, rendered(job.new, sheet["new_page"]), frame.width_pt
    opacity = blending.slider("Overlay opacity", 0.0, 1.0, 1.0, 0.05, help="0 shows the new sheet, 1 the overlay only.")
    overlay = stored_image(storage_url, blob_key(review.changes_ref, sheet["overlay"]), frame.canvas_width)
    picture = overlay if opacity == 1.0 else blend_png(rendered(job.new, sheet["new_page"]), overlay, opacity)
    return view, picture, frame.width_pt


def _labels_on(widget: str) -> list[str]:
    """Labels of the boxes the canvas sent last, so the next new box gets an unused id."""
    drawing = (st.session_state.get(widget) or {}).get("drawing") or {}
    return [str(item.get("label", "")) for item in (drawing.get("raw") or {}).get("objects", [])]


def _initial_drawing(regions: list[dict[str, Any]], frame: CanvasFrame) -> dict[str, Any]:
    from streamlit_drawable_canvas import boxes_to_drawing

    objects: list[dict[str, Any]] = []
    for kind in KIND_COLOURS:
        boxes = regions_to_boxes([region for region in regions if region["kind"] == kind], frame)
        objects += boxes_to_drawing(boxes, stroke_color=KIND_COLOURS[kind].hex, stroke_width=2)["objects"]
    return {"objects": objects}


def _text_change(region: dict[str, Any]) -> str:
    """``old → new`` when the region's text changed, else empty."""
    if not (region.get("old_text") or region.get("new_text")):
        return ""
    return f"{region.get('old_text') or '∅'} → {region.get('new_text') or '∅'}"


def _region_table(regions: list[dict[str, Any]], key: str, editable: bool) -> list[dict[str, Any]]:
    """The regions with the kinds and notes typed into the table.

    Typed values are kept by region id, not by table row: drawing or deleting
    a box changes the rows (and the table's key), not what was typed.
    """
    ids = [region["id"] for region in regions]
    table = region_table_key(key, ids)
    store: dict[str, dict[str, str]] = st.session_state.setdefault(f"edits-{key}", {})
    for row, fields in ((st.session_state.get(table) or {}).get("edited_rows") or {}).items():
        store.setdefault(ids[int(row)], {}).update(fields)
    regions = apply_edits(regions, store)
    st.data_editor(
        [
            {
                "id": region["id"],
                "kind": region["kind"],
                "note": region.get("note") or "",
                "old → new": _text_change(region),
                "moved": move_text(region),
            }
            for region in regions
        ],
        key=table,
        hide_index=True,
        width="stretch",
        disabled=["id", "old → new", "moved"] if editable else True,
        column_config={"kind": st.column_config.SelectboxColumn(options=list(EDIT_KINDS), required=True)},
    )
    return regions


def _changes_list(review: Review, regions: list[dict[str, Any]], sheet: str) -> None:
    """Each change with its crops; "Show on sheet" zooms the sheet to it, and the selected one is highlighted."""
    storage_url = backend.storage().url
    chosen = zoom.selected(sheet)
    for region in sorted(regions, key=lambda r: r["id"]):
        is_chosen = region["id"] == chosen
        with st.container(border=True, key=f"change-{region['id']}"):
            marker = ":orange-background[selected] " if is_chosen else ""
            move = move_text(region)  # already starts with "moved"; plain words, not code
            change = _text_change(region)
            what = move or region["kind"] + (f": `{change}`" if change else "")
            st.markdown(f"{marker}**{region['id']}** · {what}")
            st.button(
                "Show on sheet",
                key=f"show-{region['id']}",
                on_click=zoom.select,
                args=(sheet, region["id"]),
                icon=":material/zoom_in:",
                type="tertiary",
            )
            if region.get("note"):
                st.caption(region["note"])
            crops = region.get("crops") or {}
            if crops:
                before, after = st.columns(2)
                for column, side, label in ((before, "old", "before"), (after, "new", "after")):
                    if crops.get(side):
                        column.image(
                            stored_image(storage_url, blob_key(review.changes_ref, crops[side]), CROP_WIDTH),
                            caption=label,
                        )
            else:
                st.caption("Drawn by hand: no before/after crops.")
    if chosen is not None:
        st.html(f"<style>.st-key-change-{chosen} {{ background: #fff4cc; outline: 3px solid #f5a623; }}</style>")


def _zoomed(
    user: SignedIn,
    job: JobRef,
    review: Review,
    sheet: dict[str, Any],
    frame: CanvasFrame,
    key: str,
    widget: str,
    controls: Controls,
) -> None:
    """The sheet at full resolution beside its change list, both within one screen."""
    full = CanvasFrame(frame.width_pt, frame.height_pt, zoom.zoom_width(frame.width_pt))
    view, picture, width_pt = _picture(job, review, sheet, full, controls)
    regions = sheet_regions(review.document, review.overlay_changes, key)
    matrix = (sheet.get("alignment") or {}).get("matrix") if view == "Old" else None
    on_sheet, listed = st.columns([5, 2])
    viewer = f"zoom-{widget}"
    with on_sheet:
        zoom.sheet_zoom(
            picture,
            width_pt,
            key,
            zoom.outlines(regions, matrix),
            key=viewer,
            job_id=job.job_id,
            tiled=user.session_id is not None,
        )
    with listed, st.container(height=zoom.viewer_height(viewer) + zoom.TOOLBAR_HEIGHT_PX, key="change-list"):
        _changes_list(review, regions, key)


def _save(user: SignedIn, review: Review, key: str, regions: list[dict[str, Any]]) -> None:
    changes = overlay_with_sheet(review.document, review.overlay_changes, key, regions)
    saved = backend.attempt(
        lambda s: (
            overlays.update_overlay(s, user.actor, review.overlay_id, changes).version_number
            if review.overlay_id
            else overlays.create_overlay(s, user.actor, review.diff_result_id, changes).version_number
        )
    )
    if saved is not None:
        st.session_state[SAVED_KEY] = (review.diff_result_id, saved)
        st.rerun()


def _saved_notice(review: Review) -> None:
    """Confirm a save for as long as the saved version is the one in force.

    The saved version's canvas is a new widget: it sends its first value once
    it is mounted, which runs the page again, so a message shown only on the
    run right after the save would be gone half a second later.
    """
    saved = st.session_state.get(SAVED_KEY)
    if saved == (review.diff_result_id, review.overlay_version):
        st.success(f"Saved as manual overlay version {review.overlay_version}.")
    elif saved is not None:
        del st.session_state[SAVED_KEY]


def _summary_status(user: SignedIn, job: JobRef) -> None:
    @st.fragment(run_every=POLL_SECONDS)
    def status() -> None:
        current = load_review(user, job.job_id)
        if current is not None and current.summary_updating:
            st.info(
                "Summary updating: the pipeline is rewriting it from your corrections.",
                icon=RUNNING.material,
            )

    status()


def review_sheet(
    user: SignedIn, project: ProjectAccess, job: JobRef, review: Review, sheet: dict[str, Any], controls: Controls
) -> None:
    """The views, canvas, region table and change list of one sheet.

    An aligned sheet's viewer comes first, right under the one row of controls, so that it and the change list fit
    a 1440 × 900 window; the alignment panel follows it. An unaligned sheet's warning and manual alignment come
    first: its changes were not computed.
    """
    from streamlit_drawable_canvas import st_canvas

    aligned = unaligned_reason(sheet) is None
    if not aligned:
        alignment_panel(user, project, job, review, sheet)
    key = sheet_key(sheet)
    frame = _frame(job, sheet)
    widget = canvas_key(review.diff_result_id, key, review.overlay_id)
    edit_key = f"edit-{review.diff_result_id}-{key}"
    editing = project.can_edit and controls.edit.toggle(
        "Edit regions", key=edit_key, help="Draw, move or delete regions"
    )
    if not editing:
        _zoomed(user, job, review, sheet, frame, key, widget, controls)
        if aligned:
            alignment_panel(user, project, job, review, sheet)
        return
    if aligned:
        alignment_panel(user, project, job, review, sheet)
    view, picture, _ = _picture(job, review, sheet, frame, controls)
    if view == "Old":
        st.caption("The old sheet in its own frame: while editing, regions are drawn in the new sheet's frame.")
    regions = sheet_regions(review.document, review.overlay_changes, key)
    known = {region["id"]: region for region in regions}
    new_kind = "added"
    if project.can_edit:
        new_kind = st.selectbox("Kind of new regions", REGION_KINDS, help="Draw a rectangle; edit kind and note below.")
        st.caption(
            "Draw a rectangle to add a region; switch on the toolbar's edit toggle to move, resize or delete one."
        )
    result = st_canvas(
        fill_color="rgba(0, 0, 0, 0)",
        stroke_width=2,
        stroke_color=KIND_COLOURS[new_kind].hex,
        background_image=as_image(picture),
        background_image_fit="contain",
        width=frame.canvas_width,
        height=frame.canvas_height,
        drawing_mode="labeled_rect",
        label=next_region_id(key, [*known, *_labels_on(widget)]) if project.can_edit else "",
        initial_drawing=_initial_drawing(regions, frame),
        disabled=not project.can_edit,
        font_size=LABEL_FONT_PX,
        key=widget,
    )
    drawn = boxes_to_regions(result.boxes, frame, sheet_key=key, known=known, new_kind=new_kind)
    drawn = _region_table(drawn, widget, project.can_edit)
    if project.can_edit and st.button("Save regions", type="primary"):
        _save(user, review, key, drawn)
    _changes_list(review, drawn, key)


user = signed_in_user()
project = choose_project(user)
job = choose_job(user, project)
st.title(f"Review · {job.label}")
review = load_review(user, job.job_id)
if review is None:
    empty_state(
        f"No comparison result yet: the job is {status_of(job.status).label}. The Jobs page shows its progress.",
        "views/jobs.py",
        "Follow it on Jobs",
    )
    st.stop()

_saved_notice(review)
_summary_status(user, job)
st.html(f"<style>{FIT_CSS}</style>")
sheet_column, view_column, opacity_column, edit_column = st.columns([4, 3, 3, 2], vertical_alignment="bottom")
chosen_sheet = _choose_sheet(review, sheet_column)
if chosen_sheet is not None:
    review_sheet(user, project, job, review, chosen_sheet, Controls(view_column, opacity_column, edit_column))
_legend()
report_downloads(user, job)
_sheet_table(review)
