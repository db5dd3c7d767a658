"""Moves: a block that left one place and arrived, the same, elsewhere is one ``moved`` change.

Every sheet here is a generated vector page (frame, background linework, a
title block with its scale note) rendered through PyMuPDF, with the blocks
placed where each test says, so the expected offset is known exactly.
"""

from __future__ import annotations

import dataclasses

import pymupdf
import pytest
from engine.drawn_sheets import bubble, page_with, square, text

from buildtrace_assets.engine.model import Word
from buildtrace_assets.engine.moves import SheetUnits
from buildtrace_assets.engine.pagediff import compare_pages


def _moved(changes):
    return [change for change in changes if change.kind == "moved"]


def test_a_note_moved_across_the_sheet_is_one_moved_change_with_its_offset():
    note = "VERIFY SLAB EDGE WITH STRUCT."
    old = page_with(text(90, 400, note))
    new = page_with(text(330, 460, note))

    (change,) = compare_pages(old, new, sheet_key="A-101").changes

    assert change.kind == "moved" and change.group == "item"
    assert change.offset is not None
    assert change.offset.dx == pytest.approx(240, abs=1.0) and change.offset.dy == pytest.approx(60, abs=1.0)
    assert change.old_text == change.new_text == note
    assert change.bbox[:2] == pytest.approx(next(w.bbox for w in new.words if w.text == "VERIFY")[:2], abs=1.5)
    assert change.from_bbox is not None
    assert change.from_bbox[:2] == pytest.approx((change.bbox[0] - 240, change.bbox[1] - 60), abs=1.0)


def test_a_room_tag_moved_says_how_far_in_drawing_units_at_the_sheet_scale():
    """At 1/8" = 1'-0" a point is 16/12 in on site: 108 pt is 12'-0"."""
    old = page_with(text(150, 200, "GREAT ROOM"), text(160, 212, "101", 8))
    new = page_with(text(258, 200, "GREAT ROOM"), text(268, 212, "101", 8))

    (change,) = compare_pages(old, new, sheet_key="A-101").changes

    assert change.kind == "moved"
    assert change.offset is not None and change.offset.direction == "right"
    assert change.offset.drawing_distance == "12'-0\""
    assert change.new_text == "GREAT ROOM 101"


def test_a_metric_sheet_gives_the_distance_in_millimetres():
    old = page_with(text(150, 200, "KITCHEN"), scale_note="1:100")
    new = page_with(text(150, 272, "KITCHEN"), scale_note="1:100")

    (change,) = compare_pages(old, new, sheet_key="A-101").changes

    assert change.offset is not None and change.offset.direction == "down"
    assert change.offset.drawing_distance == "2540 mm"  # 72 pt is one inch on paper, 2.54 m at 1:100


def test_without_a_scale_note_a_move_is_in_points_only():
    old = page_with(text(150, 200, "KITCHEN"), scale_note=None)
    new = page_with(text(150, 272, "KITCHEN"), scale_note=None)

    (change,) = compare_pages(old, new, sheet_key="A-101").changes

    assert change.offset is not None and change.offset.drawing_distance is None
    assert change.offset.distance == pytest.approx(72, abs=1.0)


def test_a_symbol_without_words_is_matched_by_its_ink():
    old = page_with(bubble(420, 420))
    new = page_with(bubble(300, 480))

    (change,) = compare_pages(old, new, sheet_key="A-101").changes

    assert change.kind == "moved" and change.old_text is None and change.new_text is None
    assert change.offset is not None
    assert (change.offset.dx, change.offset.dy) == pytest.approx((-120, 60), abs=1.0)
    assert change.offset.direction == "down-left"


def test_a_symbol_moved_less_than_its_size_is_still_a_move():
    old = page_with(bubble(420, 420))
    new = page_with(bubble(432, 420))

    (change,) = compare_pages(old, new, sheet_key="A-101").changes

    assert change.kind == "moved"
    assert change.offset is not None and change.offset.dx == pytest.approx(12, abs=1.0)


def test_a_different_symbol_elsewhere_is_no_move():
    old = page_with(bubble(420, 420))
    new = page_with(square(300, 480))

    kinds = sorted(change.kind for change in compare_pages(old, new, sheet_key="A-101").changes)

    assert kinds == ["added", "removed"]


def test_a_moved_note_whose_words_changed_is_removed_and_added_each_with_itstext():
    """Not the same content, so not a move: the reader needs both texts, which a move would hide."""
    old = page_with(text(90, 400, "VERIFY SLAB EDGE WITH STRUCT."))
    new = page_with(text(330, 460, "VERIFY SLAB EDGE WITH ARCH."))

    changes = compare_pages(old, new, sheet_key="A-101").changes

    assert sorted(change.kind for change in changes) == ["added", "removed"]
    assert not _moved(changes)


def test_a_move_and_an_unrelated_edit_are_two_changes():
    old = page_with(text(90, 400, "KITCHEN"))
    new = page_with(text(90, 470, "KITCHEN"), lambda page: page.draw_line((300, 120), (300, 220), width=2.0))

    changes = compare_pages(old, new, sheet_key="A-101").changes

    assert sorted(change.kind for change in changes) == ["added", "moved"]


def test_a_tiny_curve_drawn_a_little_differently_is_no_move():
    """A converter's misread spline: a few points of ink that some short shift always explains."""

    def curve(x: float, y: float, bend: float, width: float):
        return lambda page: page.draw_bezier((x, y), (x + 1, y - bend), (x + 3, y - bend), (x + 4, y), width=width)

    for old, new in (
        (curve(400, 400, 2.0, 0.7), curve(400, 396, 2.5, 0.7)),
        (curve(400, 400, 2.0, 0.8), curve(401, 397, 3.0, 0.8)),
    ):
        changes = compare_pages(page_with(old), page_with(new), sheet_key="A-101").changes
        assert [change.kind for change in changes] == ["modified"]


def test_a_note_whose_old_place_a_column_splits_in_two_is_still_one_move():
    """Where the note was, a column drawn on both sheets hides some of its glyphs: its removed ink is two groups."""

    def column(page) -> None:
        page.draw_rect(pymupdf.Rect(180, 380, 192, 420), color=(0, 0, 0), fill=(0, 0, 0))

    note = "VERIFY SLAB EDGE WITH STRUCTURAL DRAWINGS"
    old = page_with(column, text(90, 400, note))
    new = page_with(column, text(330, 470, note))

    (change,) = compare_pages(old, new, sheet_key="A-101").changes

    assert change.kind == "moved" and change.new_text == note
    assert change.offset is not None and (change.offset.dx, change.offset.dy) == pytest.approx((240, 70), abs=1.0)


def test_on_a_half_size_re_plot_a_move_is_told_at_the_full_size_its_scale_note_means():
    """Half-size sets keep the full-size notes: 54 pt on the half-size sheet is 108 pt at 1/8" = 1'-0", 12'-0"."""
    noted = page_with().words

    assert SheetUnits((), noted, plot_scale=0.5).offset(54, 0, (300, 300)).drawing_distance == "12'-0\""
    assert SheetUnits((), noted, plot_scale=2.0).offset(108, 0, (300, 300)).drawing_distance == "12'-0\""


def test_without_scale_notes_read_on_the_new_sheet_the_old_sheets_are_used():
    """A scan whose notes were never read (OCR of its title block only) against a vector sheet."""
    assert SheetUnits(page_with().words, ()).offset(0, 108, (300, 300)).drawing_distance == "12'-0\""


def test_a_value_re_centred_as_it_gained_a_digit_is_an_edit_even_without_words():
    """On a scan nothing is read outside the title block: only the ink tells the edit from a move."""

    def centred(value: str):
        width = pymupdf.get_text_length(value, fontsize=14)
        return text(300 - width / 2, 450, value, 14)

    old, new = (dataclasses.replace(page_with(centred(v)), words=()) for v in ("8'-0\"", "18'-0\""))

    kinds = [change.kind for change in compare_pages(old, new, sheet_key="A-101").changes]

    assert kinds and "moved" not in kinds


def test_a_moved_note_read_with_other_punctuation_on_one_side_is_still_a_move():
    """OCR reads ``4,`` for ``4.``: letters and digits agree, so the words do not veto what the ink shows."""
    note = "4. RECESSED FIRE EXTINGUISHER CABINET"
    old, new = page_with(text(90, 400, note)), page_with(text(330, 460, note))
    misread = tuple(Word("4,", w.bbox) if w.text == "4." else w for w in old.words)

    (change,) = compare_pages(dataclasses.replace(old, words=misread), new, sheet_key="A-101").changes

    assert change.kind == "moved"


def test_a_wall_removed_here_and_a_like_wall_added_there_are_no_move():
    """A straight line lands on any stretch of another: where it came from could not be told, so no move is told."""
    old = page_with(lambda page: page.draw_line((300, 420), (374, 420), width=2.0))
    new = page_with(lambda page: page.draw_line((480, 480), (554, 480), width=2.0))

    kinds = sorted(change.kind for change in compare_pages(old, new, sheet_key="A-101").changes)

    assert kinds == ["added", "removed"]
