"""Views moved on their own: aligned piecewise, reported as one moved view, the edits inside still found."""

from __future__ import annotations

import pytest
from engine.drawn_sheets import detail, page_with, text

from buildtrace_assets.engine.pagediff import compare_pages


def _inside(box, area, slack=2.0) -> bool:
    return (
        area[0] - slack <= box[0]
        and area[1] - slack <= box[1]
        and box[2] <= area[2] + slack
        and box[3] <= area[3] + slack
    )


def test_a_detail_moved_across_the_sheet_is_one_moved_view():
    old = page_with(detail(80, 380))
    new = page_with(detail(330, 360))

    (change,) = compare_pages(old, new, sheet_key="A-501").changes

    assert change.kind == "moved" and change.group == "view"
    assert change.offset is not None
    assert (change.offset.dx, change.offset.dy) == pytest.approx((250, -20), abs=1.0)
    assert _inside(change.bbox, (330, 360, 500, 490)) and change.bbox[2] - change.bbox[0] > 150
    assert change.from_bbox is not None and _inside(change.from_bbox, (80, 380, 250, 510))


def test_the_edits_inside_a_moved_view_are_found_where_they_are_now():
    old = page_with(detail(80, 380))
    new = page_with(detail(330, 360, dimension="2'-9\"", extra_line=True))

    changes = compare_pages(old, new, sheet_key="A-501").changes

    (view,) = [change for change in changes if change.kind == "moved"]
    assert view.group == "view"
    edits = [change for change in changes if change.kind != "moved"]
    assert sorted(change.kind for change in edits) == ["added", "modified"]
    for edit in edits:
        assert _inside(edit.bbox, view.bbox)
    (dimension,) = [change for change in edits if change.kind == "modified"]
    assert (dimension.old_text, dimension.new_text) == ("2'-6\"", "2'-9\"")
    (line,) = [change for change in edits if change.kind == "added"]
    assert line.bbox[0] == pytest.approx(330 + 95, abs=2) and line.bbox[2] == pytest.approx(330 + 160, abs=2)


def test_a_view_moved_less_than_its_own_size_is_still_one_moved_view():
    old = page_with(detail(80, 380))
    new = page_with(detail(140, 380))

    (change,) = compare_pages(old, new, sheet_key="A-501").changes

    assert change.kind == "moved" and change.group == "view"
    assert change.offset is not None and change.offset.dx == pytest.approx(60, abs=1.0)


def test_a_view_replaced_by_another_drawing_is_no_move():
    old = page_with(detail(80, 380))
    new = page_with(lambda page: page.draw_circle((415, 425), 60, width=1.4))

    assert "moved" not in {change.kind for change in compare_pages(old, new, sheet_key="A-501").changes}


def test_a_view_title_drawn_apart_below_the_view_moves_with_it_as_part_of_the_view():
    def view_with_title(x: float, y: float):
        return (detail(x, y), text(x + 10, y + 230, 'TYPICAL WALL SCALE: 1 1/2" = 1\'-0"', 7))

    old = page_with(*view_with_title(80, 250))
    new = page_with(*view_with_title(330, 240))

    (change,) = compare_pages(old, new, sheet_key="A-501").changes

    assert change.kind == "moved" and change.group == "view"
    assert change.bbox[3] >= 240 + 230, "the title is inside the view's box"
    assert change.offset is not None
    assert change.offset.drawing_distance == "2'-4\"", "250 pt at the view's own scale, 1 1/2\" = 1'-0\""
