"""Manual alignment on the review page: an unaligned sheet says why (never "0 changes") and offers it; editors click
matching points on the old and new sheet and save; any sheet can be re-aligned behind the "Align manually" toggle."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures.drawings import SPARSE_CORNERS, SPARSE_REPLOT, picked_points, sparse_sheet
from streamlit.testing.v1 import AppTest

from buildtrace_assets.services import alignments, diff_results
from portal.views.alignment import CANVAS_WIDTH, POINT_RADIUS_PX, canvas_key
from tests.portal.support import ComparedPair, People, PortalEnv, SeededJob, compare_pair, labelled, seed_review, texts

OpenApp = Callable[..., AppTest]
PAGE = "views/review.py"
SHEET = "page-1"
"""The key of the sparse sheet: it has no sheet number."""
PX_PER_PT = CANVAS_WIDTH / 1224.0


@pytest.fixture(scope="module")
def sparse_pair(tmp_path_factory: pytest.TempPathFactory) -> ComparedPair:
    """A frame and a line, re-plotted at 90 % with a line added: the automatic alignment gives up on it."""
    folder = tmp_path_factory.mktemp("sparse")
    old = sparse_sheet(folder / "old-sheet.pdf").read_bytes()
    new = sparse_sheet(folder / "new-sheet.pdf", SPARSE_REPLOT, added_line=True).read_bytes()
    return compare_pair(folder, (old, new))


@pytest.fixture
def unaligned(portal_env: PortalEnv, people: People, sparse_pair: ComparedPair) -> SeededJob:
    return seed_review(portal_env, people, sparse_pair)


def click(point_pt: tuple[float, float]) -> dict:
    """The circle the canvas stores for a click at ``point_pt`` (it sits radius + stroke/2 left of the click)."""
    x, y = point_pt[0] * PX_PER_PT, point_pt[1] * PX_PER_PT
    return {
        "type": "Circle",
        "left": x - (POINT_RADIUS_PX + 0.5),
        "top": y,
        "originX": "left",
        "originY": "center",
        "radius": POINT_RADIUS_PX,
        "strokeWidth": 1,
        "scaleX": 1,
        "scaleY": 1,
    }


def feed_clicks(app: AppTest, env: PortalEnv, people: People, job: SeededJob, pairs: list) -> AppTest:
    """What the browser sends after the person clicked the old points on the old canvas, the new on the new."""
    result = env.run(lambda s: diff_results.get_diff_result(s, people.editor, job.job_id).id)
    for side, points in (("old", [old for old, _ in pairs]), ("new", [new for _, new in pairs])):
        raw = {"objects": [click(point) for point in points]}
        app.session_state[canvas_key(result, SHEET, side)] = drawn(raw)
    return app.run()


def drawn(raw: dict) -> dict:
    """The canvas component's value holding the drawing ``raw``."""
    return {"drawing": {"raw": raw, "data": None}, "backgroundFit": None}


def test_a_sheet_that_could_not_be_aligned_says_why_and_never_reads_as_zero_changes(
    open_app: OpenApp, people: People, unaligned: SeededJob, sparse_pair: ComparedPair
) -> None:
    [sheet] = json.loads((sparse_pair.out_dir / "changes.json").read_text())["sheets"]
    app = open_app(people.viewer, page=PAGE)

    assert not app.exception
    sheets = app.dataframe[0].value
    assert list(sheets["status"]) == ["⚠ not aligned"] and sheets["regions"].isna().all(), "no count of 0 changes"
    assert "(not aligned)" in labelled(app.selectbox, "Sheet").options[0]
    [warning] = texts(app.warning)
    assert warning == (
        "Sheet page-1 could not be aligned with its old revision, so its changes were not computed:"
        f" {sheet['error']['message']}. Align it by hand below."
    )
    assert "Editors and owners can align a sheet by hand." in texts(app.caption)
    assert "Save alignment" not in [button.label for button in app.button]


def test_an_editor_clicks_matching_points_and_saves_and_the_diff_is_asked_for_again(
    open_app: OpenApp, people: People, portal_env: PortalEnv, unaligned: SeededJob
) -> None:
    app = open_app(people.editor, page=PAGE)
    assert len(app.get("bidi_component")) == 2, "the old and new point canvases"
    assert len(app.get("component_instance")) == 1, "and the zoomable sheet with the regions"
    pairs = picked_points(SPARSE_REPLOT, *SPARSE_CORNERS)

    app = feed_clicks(app, portal_env, people, unaligned, pairs)
    labelled(app.button, "Save alignment").click()
    app.run()

    assert not app.exception
    assert f"Alignment of sheet {SHEET} saved: the comparison runs again with it." in texts(app.info)
    [stored] = portal_env.run(lambda s: alignments.sheet_alignments(s, people.viewer, unaligned.job_id))
    assert stored.sheet_key == SHEET and stored.created_by == people.editor.user_id
    for saved, (old, new) in zip(stored.points, pairs, strict=True):
        assert saved["old"] == pytest.approx(list(old), abs=0.01) and saved["new"] == pytest.approx(list(new), abs=0.01)
    assert portal_env.run(lambda s: alignments.alignments_to_apply(s, people.viewer, unaligned.job_id)) == {
        SHEET: tuple((tuple(o), tuple(n)) for o, n in ((p["old"], p["new"]) for p in stored.points))
    }


def test_points_that_cannot_align_the_sheet_show_the_reason_and_nothing_is_saved(
    open_app: OpenApp, people: People, portal_env: PortalEnv, unaligned: SeededJob
) -> None:
    close_together = [((100.0, 100.0), (130.0, 115.0)), ((110.0, 105.0), (139.0, 119.5))]
    app = feed_clicks(open_app(people.editor, page=PAGE), portal_env, people, unaligned, close_together)
    labelled(app.button, "Save alignment").click()
    app.run()

    assert any("old points 1 and 2 are 11 pt apart" in text for text in texts(app.error))
    assert portal_env.run(lambda s: alignments.sheet_alignments(s, people.viewer, unaligned.job_id)) == []


def test_unequal_numbers_of_points_cannot_be_saved(
    open_app: OpenApp, people: People, portal_env: PortalEnv, unaligned: SeededJob
) -> None:
    pairs = picked_points(SPARSE_REPLOT, *SPARSE_CORNERS)
    app = feed_clicks(open_app(people.editor, page=PAGE), portal_env, people, unaligned, pairs)
    result = portal_env.run(lambda s: diff_results.get_diff_result(s, people.editor, unaligned.job_id).id)
    raw = {"objects": [click(pairs[0][1])]}
    app.session_state[canvas_key(result, SHEET, "new")] = drawn(raw)
    app.run()

    assert labelled(app.button, "Save alignment").disabled
    assert "2 point(s) on the old sheet, 1 on the new: two or three on each, as many." in texts(app.caption)


def test_an_aligned_sheet_can_be_realigned_behind_a_toggle(
    open_app: OpenApp, people: People, portal_env: PortalEnv, compared_pair: ComparedPair, tmp_path: Path
) -> None:
    seed_review(portal_env, people, compared_pair)
    app = open_app(people.editor, page=PAGE)
    assert not app.warning and not app.get("bidi_component") and len(app.get("component_instance")) == 1

    labelled(app.toggle, "Pick points on the old and new sheet").set_value(True)
    app.run()

    assert len(app.get("bidi_component")) == 2 and len(app.get("component_instance")) == 1
    assert labelled(app.button, "Save alignment").disabled


def test_the_summary_page_names_the_unaligned_sheet_and_links_to_its_manual_alignment(
    open_app: OpenApp, people: People, unaligned: SeededJob
) -> None:
    app = open_app(people.viewer, page="views/summary.py")

    assert not app.exception
    assert any(
        text.startswith("Sheet page-1 could not be aligned, so none of its changes") for text in texts(app.warning)
    )
    [link] = [link for link in app.get("page_link") if "Align sheet page-1 by hand" in link.proto.label]
    assert f"sheet={SHEET}" in link.proto.page or SHEET in str(link.proto)


def test_a_sheet_aligned_by_hand_can_go_back_to_the_automatic_alignment(
    open_app: OpenApp, people: People, portal_env: PortalEnv, unaligned: SeededJob
) -> None:
    points = [{"old": list(old), "new": list(new)} for old, new in picked_points(SPARSE_REPLOT, *SPARSE_CORNERS)]
    portal_env.run(
        lambda s: alignments.save_alignment(s, portal_env.storage, people.editor, unaligned.job_id, SHEET, points)
    )
    viewer = open_app(people.viewer, page=PAGE)
    assert "Back to automatic alignment" not in [button.label for button in viewer.button]

    app = open_app(people.editor, page=PAGE)
    labelled(app.button, "Back to automatic alignment").click()
    app.run()

    assert not app.exception
    assert portal_env.run(lambda s: alignments.sheet_alignments(s, people.viewer, unaligned.job_id)) == []
    assert "Back to automatic alignment" not in [button.label for button in app.button]
