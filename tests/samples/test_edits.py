"""Each revision edit changes the sheet and reports what it changed, clear of the other edits."""

import random

import pytest

from buildtrace_assets.samples.edits import CLEARANCE, EDITS, apply_edits
from buildtrace_assets.samples.primitives import intersects, pad
from buildtrace_assets.samples.sheet import SheetSpec, draft_sheet

SHEET = draft_sheet(SheetSpec("A-101", "FIRST FLOOR PLAN"), seed=3)


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_changes_the_sheet_and_says_where(name):
    edited, changes = EDITS[name](SHEET, random.Random(0), [])
    assert edited != SHEET and changes
    assert all(c.edit == name for c in changes)


def test_text_edits_report_the_old_and_new_value():
    for name in ("dimension_text", "note_text"):
        _, (change,) = EDITS[name](SHEET, random.Random(1), [])
        assert change.kind == "modified" and change.old_text and change.new_text != change.old_text


def test_a_moved_door_leaves_a_removed_and_an_added_region():
    _, changes = EDITS["move_door"](SHEET, random.Random(2), [])
    assert [c.kind for c in changes] == ["removed", "added"]


def test_edits_keep_clear_of_each_other():
    _, changes = apply_edits(SHEET, tuple(EDITS) * 2, random.Random(4))
    assert len(changes) >= 8
    for i, a in enumerate(changes):
        for j, b in enumerate(changes[i + 1 :], start=i + 1):
            same_door = a.edit == b.edit == "move_door" and j == i + 1 and a.kind == "removed"
            assert same_door or not intersects(pad(a.bbox, CLEARANCE - 1), b.bbox), (a, b)


def test_an_edit_with_no_room_left_is_skipped():
    everything = [(0.0, 0.0, SHEET.width, SHEET.height)]
    assert all(EDITS[name](SHEET, random.Random(0), everything) is None for name in EDITS)
