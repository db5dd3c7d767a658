"""Review page: sheets, views, the region canvas and table, saving a manual overlay; per role."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from buildtrace_assets.engine.legend import KIND_COLOURS
from buildtrace_assets.services import diff_results, overlays
from portal.review_data import blob_key, canvas_key, region_table_key
from portal.tiles import STORE
from tests.portal.support import (
    ComparedPair,
    People,
    PortalEnv,
    SeededJob,
    labelled,
    seed_job,
    seed_review,
    texts,
)

OpenApp = Callable[..., AppTest]
PAGE = "views/review.py"
SHEET_WIDTH_PT = 612.0
CANVAS_WIDTH = 1000
DPI = 150
SCALE = CANVAS_WIDTH / SHEET_WIDTH_PT
MACHINE_BOX = {
    "label": "A-101-1",
    "left": 114.01 * SCALE,
    "top": 104.95 * SCALE,
    "width": 35.68 * SCALE,
    "height": 19.24 * SCALE,
}
"""The engine's region around the changed dimension, where the page put it."""
DRAWN_BOX = {"label": "A-101-m1", "left": 100.0, "top": 300.0, "width": 50.0, "height": 40.0}
"""A box the person drew: 61.2 × 183.6 pt from the top left corner, 30.6 × 24.5 pt large."""


@pytest.fixture
def reviewed(portal_env: PortalEnv, people: People, compared_pair: ComparedPair) -> SeededJob:
    return seed_review(portal_env, people, compared_pair)


def feed_boxes(app: AppTest, env: PortalEnv, people: People, job: SeededJob, boxes: list[dict]) -> AppTest:
    """What the browser sends after the mouse drew, moved or deleted boxes on sheet A-101."""
    result = env.run(lambda s: diff_results.get_diff_result(s, people.editor, job.job_id).id)
    overlay = env.run(lambda s: overlays.active_overlay(s, people.editor, result))
    objects = [
        {"type": "LabeledRect", "scaleX": 1, "scaleY": 1, "originX": "left", "originY": "top", **box} for box in boxes
    ]
    key = canvas_key(result, "A-101", overlay.id if overlay else None)
    app.session_state[key] = {"drawing": {"raw": {"objects": objects}, "data": None}, "backgroundFit": None}
    return app.run()


def editing(app: AppTest) -> AppTest:
    """Switch on "Edit regions": the canvas that draws, moves and deletes regions (editors only)."""
    labelled(app.toggle, "Edit regions").set_value(True)
    return app.run()


def zoom_payload(app: AppTest) -> dict:
    """What the page sent to the zoomable sheet: the picture, its width in points, the regions, the selection."""
    [viewer] = app.get("component_instance")
    return json.loads(viewer.proto.json_args)


def picture_size(payload: dict) -> tuple[int, int]:
    """The full size of the picture published for the viewer's tiles (the page sends only where to ask for them)."""
    return payload["tiles"]["width"], payload["tiles"]["height"]


def test_the_sheet_goes_to_the_viewer_as_a_preview_url_and_tiles_not_in_the_page(
    open_app: OpenApp, people: People, reviewed: SeededJob
) -> None:
    payload = zoom_payload(open_app(people.viewer, page=PAGE, project_id=people.project_id))

    tiles = payload["tiles"]
    token = tiles["url"].rsplit("/", 1)[1]
    assert payload["image"] == f"/tiles/{token}/preview.png"
    pyramid = STORE.pyramid(token)
    assert pyramid is not None and pyramid.job_id == reviewed.job_id
    assert (tiles["width"], tiles["tile"], tiles["levels"]) == (pyramid.width, 512, pyramid.levels)
    preview = STORE.preview(token)
    assert preview is not None and Image.open(io.BytesIO(preview)).width == tiles["preview_width"]


def test_the_review_lists_sheets_and_the_machines_change_with_its_text(
    open_app: OpenApp, people: People, reviewed: SeededJob
) -> None:
    app = open_app(people.viewer, page=PAGE)

    assert not app.exception
    sheets = app.dataframe[0].value
    assert list(sheets["sheet"]) == ["A-101"] and list(sheets["status"]) == ["± modified"]
    assert list(sheets["regions"]) == [1]
    assert any("**A-101-1** · modified: `24'-4\" → 24'-9\"`" in text for text in texts(app.markdown))
    assert [image.captions for image in app.image] == [["before"], ["after"]]


def test_a_viewer_sees_the_zoomable_sheet_and_no_editing(
    open_app: OpenApp, people: People, reviewed: SeededJob
) -> None:
    app = open_app(people.viewer, page=PAGE)

    assert zoom_payload(app)["regions"]
    assert not [toggle for toggle in app.toggle if toggle.label == "Edit regions"]
    assert not app.get("bidi_component"), "no canvas"
    assert "Save regions" not in [button.label for button in app.button]
    assert not [box for box in app.selectbox if box.label == "Kind of new regions"]


def test_an_editor_draws_a_region_names_it_and_saves_a_new_overlay(
    open_app: OpenApp, people: People, portal_env: PortalEnv, reviewed: SeededJob
) -> None:
    app = editing(open_app(people.editor, page=PAGE))
    labelled(app.selectbox, "Kind of new regions").set_value("removed")
    app.run()
    app = feed_boxes(app, portal_env, people, reviewed, [MACHINE_BOX, DRAWN_BOX])

    table = app.data_editor[0].value
    assert list(table["id"]) == ["A-101-1", "A-101-m1"] and list(table["kind"]) == ["modified", "removed"]
    labelled(app.button, "Save regions").click()
    app.run()

    assert texts(app.success) == ["Saved as manual overlay version 1."]
    result = portal_env.run(lambda s: diff_results.get_diff_result(s, people.editor, reviewed.job_id).id)
    saved = portal_env.run(lambda s: overlays.active_overlay(s, people.editor, result).changes)
    by_id = {change["id"]: change for change in saved}
    assert set(by_id) == {"A-101-1", "A-101-m1"}
    assert by_id["A-101-m1"]["kind"] == "removed"
    assert by_id["A-101-m1"]["bbox"] == pytest.approx([61.2, 183.6, 91.8, 208.08], abs=0.01)
    assert by_id["A-101-1"]["new_text"] == "24'-9\"", "the machine region keeps its text"
    assert "Summary updating: the pipeline is rewriting it from your corrections." in texts(app.info)


def test_deleting_a_region_on_the_canvas_removes_it_from_the_saved_overlay(
    open_app: OpenApp, people: People, portal_env: PortalEnv, reviewed: SeededJob
) -> None:
    app = feed_boxes(editing(open_app(people.editor, page=PAGE)), portal_env, people, reviewed, [])
    labelled(app.button, "Save regions").click()
    app.run()

    result = portal_env.run(lambda s: diff_results.get_diff_result(s, people.editor, reviewed.job_id).id)
    assert portal_env.run(lambda s: overlays.active_overlay(s, people.editor, result).changes) == []


def test_a_job_without_a_diff_result_says_so(open_app: OpenApp, people: People, portal_env: PortalEnv) -> None:
    seed_job(portal_env, people)

    app = open_app(people.viewer, page=PAGE)

    assert texts(app.info) == ["No comparison result yet: the job is waiting. The Jobs page shows its progress."]
    assert [(link.proto.label, link.proto.page) for link in app.get("page_link")] == [("Follow it on Jobs", "jobs")]


def test_an_outsider_with_the_job_in_the_url_sees_nothing(
    open_app: OpenApp, people: People, reviewed: SeededJob
) -> None:
    app = open_app(people.outsider, page=PAGE, project_id=people.project_id)

    assert texts(app.error) == ["Project not found."]
    assert not app.dataframe


def test_the_old_and_new_views_render_the_uploaded_sheets(
    open_app: OpenApp, people: People, reviewed: SeededJob
) -> None:
    app = open_app(people.viewer, page=PAGE)
    view = app.get("segmented_control")[0]
    assert view.options == ["Overlay", "New", "Old"]

    view.set_value("Old")
    app.run()

    assert not app.exception
    assert picture_size(zoom_payload(app))[0] == round(SHEET_WIDTH_PT * DPI / 72)


def canvas_payload(app: AppTest) -> dict:
    """What the page sent to the canvas component (background, boxes, mode)."""
    [canvas] = app.get("bidi_component")
    return json.loads(canvas.proto.json)


def test_the_overlay_is_sent_at_its_stored_resolution_with_the_regions_in_points(
    open_app: OpenApp, people: People, portal_env: PortalEnv, reviewed: SeededJob
) -> None:
    ref = portal_env.run(lambda s: diff_results.get_diff_result(s, people.editor, reviewed.job_id).changes_ref)
    document = json.loads(portal_env.storage.get_bytes(ref))
    stored = Image.open(io.BytesIO(portal_env.storage.get_bytes(blob_key(ref, document["sheets"][0]["overlay"]))))

    payload = zoom_payload(open_app(people.viewer, page=PAGE))

    assert payload["width_pt"] == SHEET_WIDTH_PT
    assert picture_size(payload) == stored.size, "the stored overlay as it is, not scaled to a canvas"
    [region] = payload["regions"]
    assert region["id"] == "A-101-1" and region["colour"] == KIND_COLOURS["modified"].hex
    assert region["bbox"][0] == pytest.approx(114.01)


def test_a_region_clicked_on_the_sheet_is_selected_and_highlighted_in_the_list(
    open_app: OpenApp, people: People, reviewed: SeededJob
) -> None:
    app = open_app(people.viewer, page=PAGE)
    [viewer] = app.get("component_instance")
    key = viewer.proto.id.split("-", 2)[2]
    app.session_state[key] = {"clicked": "A-101-1", "clicks": 1, "height": None}
    app.run()

    assert zoom_payload(app)["selected"] == "A-101-1"
    assert any(text.startswith(":orange-background[selected] **A-101-1**") for text in texts(app.markdown))


def test_the_sheet_keeps_the_height_the_viewer_measured_in_the_window(
    open_app: OpenApp, people: People, reviewed: SeededJob
) -> None:
    app = open_app(people.viewer, page=PAGE)
    [viewer] = app.get("component_instance")
    assert zoom_payload(app)["height"] == 560, "until the viewer has measured the window"

    app.session_state[viewer.proto.id.split("-", 2)[2]] = {"clicked": None, "clicks": 0, "height": 420}
    app.run()

    assert zoom_payload(app)["height"] == 420
    assert zoom_payload(app)["selected"] is None


def test_show_on_sheet_in_the_list_zooms_the_sheet_to_the_change(
    open_app: OpenApp, people: People, reviewed: SeededJob
) -> None:
    app = open_app(people.viewer, page=PAGE)
    labelled(app.button, "Show on sheet").click()
    app.run()

    assert zoom_payload(app)["selected"] == "A-101-1"


def test_on_the_old_sheet_regions_are_drawn_through_the_inverse_alignment(
    open_app: OpenApp, people: People, portal_env: PortalEnv, reviewed: SeededJob
) -> None:
    ref = portal_env.run(lambda s: diff_results.get_diff_result(s, people.editor, reviewed.job_id).changes_ref)
    document = json.loads(portal_env.storage.get_bytes(ref))
    document["sheets"][0]["alignment"] |= {"matrix": [[0.5, 0, 10.0], [0, 0.5, 20.0]], "scale": 0.5}
    portal_env.storage.put_bytes(ref, json.dumps(document).encode())
    app = open_app(people.viewer, page=PAGE)
    new_box = zoom_payload(app)["regions"][0]["bbox"]
    app.get("segmented_control")[0].set_value("Old")
    app.run()

    old_box = zoom_payload(app)["regions"][0]["bbox"]
    assert old_box == pytest.approx(
        [(new_box[0] - 10) * 2, (new_box[1] - 20) * 2, (new_box[2] - 10) * 2, (new_box[3] - 20) * 2], abs=0.02
    )


def test_overlay_opacity_blends_in_the_new_sheet(open_app: OpenApp, people: People, reviewed: SeededJob) -> None:
    app = open_app(people.viewer, page=PAGE)
    overlay_only = zoom_payload(app)["image"]
    labelled(app.slider, "Overlay opacity").set_value(0.5)
    app.run()

    assert zoom_payload(app)["image"] != overlay_only


def test_while_editing_the_canvas_shows_the_regions_at_sheet_scale(
    open_app: OpenApp, people: People, reviewed: SeededJob
) -> None:
    payload = canvas_payload(editing(open_app(people.editor, page=PAGE)))

    assert (payload["canvasWidth"], payload["canvasHeight"]) == (CANVAS_WIDTH, round(396 * SCALE))
    [box] = payload["initialDrawing"]["objects"]
    assert box["label"] == "A-101-1" and box["stroke"] == KIND_COLOURS["modified"].hex
    assert box["left"] == pytest.approx(114.01 * SCALE)


def test_saving_again_makes_the_next_overlay_version_from_the_saved_regions(
    open_app: OpenApp, people: People, portal_env: PortalEnv, reviewed: SeededJob
) -> None:
    app = feed_boxes(editing(open_app(people.editor, page=PAGE)), portal_env, people, reviewed, [])
    labelled(app.button, "Save regions").click()
    app.run()
    assert not app.get("bidi_component")[0].proto.json.count("LabeledRect"), "the saved (empty) set is in force"

    drawn = {"label": "A-101-m1", "left": 10.0, "top": 10.0, "width": 30.0, "height": 30.0}
    app = feed_boxes(app, portal_env, people, reviewed, [drawn])
    labelled(app.button, "Save regions").click()
    app.run()

    assert texts(app.success) == ["Saved as manual overlay version 2."]
    result = portal_env.run(lambda s: diff_results.get_diff_result(s, people.editor, reviewed.job_id).id)
    history = portal_env.run(
        lambda s: [(o.version_number, len(o.changes)) for o in overlays.overlay_history(s, people.editor, result)]
    )
    assert history == [(2, 1), (1, 0)]


def test_without_the_versions_analysis_the_sheet_size_comes_from_rendering_it(
    open_app: OpenApp, people: People, portal_env: PortalEnv, compared_pair: ComparedPair
) -> None:
    seed_review(portal_env, people, compared_pair, analysed=False)

    payload = zoom_payload(open_app(people.viewer, page=PAGE))

    assert payload["width_pt"] == SHEET_WIDTH_PT


def test_kind_and_note_typed_in_the_table_are_saved_and_survive_drawing_another_box(
    open_app: OpenApp, people: People, portal_env: PortalEnv, reviewed: SeededJob
) -> None:
    app = editing(open_app(people.editor, page=PAGE))
    result = portal_env.run(lambda s: diff_results.get_diff_result(s, people.editor, reviewed.job_id).id)
    canvas = canvas_key(result, "A-101", None)
    app.session_state[region_table_key(canvas, ["A-101-1"])] = {
        "edited_rows": {0: {"kind": "added", "note": "new partition"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    app = feed_boxes(app, portal_env, people, reviewed, [MACHINE_BOX, DRAWN_BOX])
    labelled(app.button, "Save regions").click()
    app.run()

    saved = {c["id"]: c for c in portal_env.run(lambda s: overlays.active_overlay(s, people.editor, result).changes)}
    assert (saved["A-101-1"]["kind"], saved["A-101-1"]["note"]) == ("added", "new partition")
    assert saved["A-101-m1"]["note"] == ""


def test_a_moved_region_is_listed_from_where_to_where_and_drawn_from_old_to_new_outline(
    open_app: OpenApp, people: People, portal_env: PortalEnv, reviewed: SeededJob
) -> None:
    moved = {
        "id": "A-101-m1",
        "kind": "moved",
        "bbox": [222.0, 105.0, 262.0, 115.0],
        "old_text": "GREAT ROOM",
        "new_text": "GREAT ROOM",
        "from_bbox": [114.0, 105.0, 154.0, 115.0],
        "offset": {"dx": 108.0, "dy": 0.0, "distance": 108.0, "direction": "right", "drawing_distance": "12'-0\""},
        "group": "item",
    }
    result = portal_env.run(lambda s: diff_results.get_diff_result(s, people.editor, reviewed.job_id).id)
    portal_env.run(lambda s: overlays.create_overlay(s, people.editor, result, [moved]))

    app = open_app(people.viewer, page=PAGE)

    assert not app.exception
    listed = "**A-101-m1** · moved 12'-0\" east (108 pt right), from (114, 105) to (222, 105)"
    assert listed in texts(app.markdown)
    [outline] = zoom_payload(app)["regions"]
    assert outline["id"] == "A-101-m1" and outline["colour"] == KIND_COLOURS["moved"].hex
    assert (outline["from_bbox"], outline["bbox"]) == ([114.0, 105.0, 154.0, 115.0], [222.0, 105.0, 262.0, 115.0])


def test_a_sheet_re_plotted_at_another_size_says_so_in_the_sheet_table(
    open_app: OpenApp, people: People, portal_env: PortalEnv, reviewed: SeededJob
) -> None:
    ref = portal_env.run(lambda s: diff_results.get_diff_result(s, people.editor, reviewed.job_id).changes_ref)
    document = json.loads(portal_env.storage.get_bytes(ref))
    document["sheets"][0]["alignment"] |= {"matrix": [[0.5, 0, 0], [0, 0.5, 0]], "scale": 0.5}
    portal_env.storage.put_bytes(ref, json.dumps(document).encode())

    app = open_app(people.viewer, page=PAGE)

    assert list(app.dataframe[0].value["size"]) == ["re-plotted at 50%"]
