"""Each revision edit changes the sheet and reports what it changed, clear of the other edits."""

import random

import pytest

from buildtrace_assets.samples.catalog import EDITS, apply_edits
from buildtrace_assets.samples.details import draft_details_sheet, views
from buildtrace_assets.samples.editing import CLEARANCE, taken_by
from buildtrace_assets.samples.primitives import intersects, pad
from buildtrace_assets.samples.sheet import PAGE_SIZES, SheetSpec, draft_sheet

SHEET = draft_sheet(SheetSpec("A-101", "FIRST FLOOR PLAN"), seed=3)
STRUCTURAL = draft_sheet(SheetSpec("S-201", "FOUNDATION PLAN"), seed=3)
DETAILS = draft_details_sheet(SheetSpec("M-501", "DETAILS"), PAGE_SIZES["ARCH_D"], seed=3)
SHEET_FOR = {"remove_column": STRUCTURAL, "move_view": DETAILS}
"""Columns are drawn on structural plans only, views on details sheets; every other edit works on a plan."""


def _sheet(name):
    return SHEET_FOR.get(name, SHEET)


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_changes_the_sheet_and_says_where(name):
    edited, changes = EDITS[name](_sheet(name), random.Random(0), [])
    assert edited != _sheet(name) and changes
    assert changes[0].edit == name, "the first change is the edit's own (a moved view lists its inner edits after)"


def test_text_edits_report_the_old_and_new_value():
    for name in ("dimension_text", "note_text"):
        _, (change,) = EDITS[name](SHEET, random.Random(1), [])
        assert change.kind == "modified" and change.old_text and change.new_text != change.old_text


def test_a_moved_door_leaves_a_removed_and_an_added_region():
    _, changes = EDITS["move_door"](SHEET, random.Random(2), [])
    assert [c.kind for c in changes] == ["removed", "added"]


def _texts(sheet, box):
    """The text of every label wholly inside ``box``."""
    inside = [p for e in sheet.elements for p in e.labels if not _outside(p.bbox, box)]
    return sorted(p.text for p in inside)


def _outside(inner, outer):
    return (
        inner[0] < outer[0] - 0.01
        or inner[1] < outer[1] - 0.01
        or inner[2] > outer[2] + 0.01
        or inner[3] > outer[3] + 0.01
    )


@pytest.mark.parametrize("name", ["move_room_tag", "move_keynote", "move_door_tag"])
def test_a_moved_item_is_the_same_content_on_bare_paper_elsewhere(name):
    edited, (change,) = EDITS[name](SHEET, random.Random(5), [])
    assert change.kind == "moved" and change.group == "item"
    assert not intersects(change.bbox, change.from_bbox), "a move leaves its old place entirely"
    old_w, new_w = change.from_bbox[2] - change.from_bbox[0], change.bbox[2] - change.bbox[0]
    assert old_w == pytest.approx(new_w)
    assert _texts(SHEET, change.from_bbox) == _texts(edited, change.bbox) != []
    assert _texts(edited, change.from_bbox) == [], "nothing is left where it was"
    assert _texts(SHEET, change.bbox) == [], "it lands on bare paper"


def test_a_moved_view_is_one_move_with_its_inner_edits_inside_its_new_place():
    edited, changes = EDITS["move_view"](DETAILS, random.Random(0), [])
    whole, *inner = changes
    assert whole.kind == "moved" and whole.group == "view"
    assert {c.edit for c in inner} == {"dimension_text", "note_text"}
    assert all(c.kind == "modified" and not _outside(c.bbox, whole.bbox) for c in inner)
    assert len(views(edited)) == len(views(DETAILS))
    assert not intersects(whole.bbox, whole.from_bbox)


@pytest.mark.parametrize("name", ["remove_tick", "remove_column"])
def test_small_removals_are_at_most_15_points(name):
    _, (change,) = EDITS[name](_sheet(name), random.Random(0), [])
    x0, y0, x1, y1 = change.bbox
    assert change.kind == "removed" and max(x1 - x0, y1 - y0) <= 15


def test_an_added_note_reports_its_whole_text():
    edited, (change,) = EDITS["add_note"](SHEET, random.Random(0), [])
    assert change.kind == "added" and change.old_text is None
    assert _texts(edited, change.bbox) == [change.new_text]


def test_edits_keep_clear_of_each_other():
    plan_edits = tuple(n for n in EDITS if n not in SHEET_FOR)
    _, changes = apply_edits(SHEET, plan_edits * 2, random.Random(4))
    assert len(changes) >= 12
    boxes = [(c, box) for c in changes for box in taken_by([c])]
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            same_edit = a is b or (a.edit == b.edit == "move_door")
            assert same_edit or not intersects(pad(box_a, CLEARANCE - 1), box_b), (a, b)


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_with_no_room_left_is_skipped(name):
    sheet = _sheet(name)
    everything = [(0.0, 0.0, sheet.width, sheet.height)]
    assert EDITS[name](sheet, random.Random(0), everything) is None
