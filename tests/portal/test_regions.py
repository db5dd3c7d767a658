"""Regions move between the canvas (pixels) and the change contract (sheet points) without drift."""

from __future__ import annotations

import pytest

from portal.regions import CanvasFrame, apply_edits, boxes_to_regions, next_region_id, regions_to_boxes

ARCH_D = CanvasFrame(width_pt=2592.0, height_pt=1728.0, canvas_width=1296)
MACHINE = {
    "A-101-1": {
        "id": "A-101-1",
        "kind": "modified",
        "bbox": [100.0, 200.0, 300.0, 260.0],
        "old_text": "24'-4\"",
        "new_text": "24'-9\"",
        "confidence": 0.9,
    },
}


def test_the_canvas_keeps_the_sheet_aspect_ratio() -> None:
    assert ARCH_D.pixels_per_point == 0.5
    assert ARCH_D.canvas_height == 864


def test_a_region_round_trips_through_the_canvas() -> None:
    boxes = regions_to_boxes(MACHINE.values(), ARCH_D)

    assert boxes == [{"label": "A-101-1", "left": 50.0, "top": 100.0, "width": 100.0, "height": 30.0}]
    assert boxes_to_regions(boxes, ARCH_D, sheet_key="A-101", known=MACHINE, new_kind="added") == [MACHINE["A-101-1"]]


def test_a_moved_region_keeps_its_id_kind_and_text() -> None:
    moved = [{"label": "A-101-1", "left": 60.0, "top": 100.0, "width": 200.0, "height": 30.0}]

    [region] = boxes_to_regions(moved, ARCH_D, sheet_key="A-101", known=MACHINE, new_kind="added")

    assert region == {**MACHINE["A-101-1"], "bbox": [120.0, 200.0, 520.0, 260.0]}


def test_a_new_box_becomes_a_manual_region_of_the_chosen_kind() -> None:
    drawn = [{"label": "", "left": 0.0, "top": 0.0, "width": 10.0, "height": 20.0}]

    [region] = boxes_to_regions(drawn, ARCH_D, sheet_key="A-101", known=MACHINE, new_kind="removed")

    assert region == {
        "id": "A-101-m1",
        "kind": "removed",
        "bbox": [0.0, 0.0, 20.0, 40.0],
        "old_text": None,
        "new_text": None,
        "note": "",
    }


def test_two_boxes_with_the_same_label_become_two_regions() -> None:
    box = {"label": "A-101-1", "left": 50.0, "top": 100.0, "width": 100.0, "height": 30.0}

    regions = boxes_to_regions([box, dict(box)], ARCH_D, sheet_key="A-101", known=MACHINE, new_kind="added")

    assert [region["id"] for region in regions] == ["A-101-1", "A-101-m1"]


def test_boxes_dragged_off_the_sheet_are_clipped_and_slivers_dropped() -> None:
    boxes = [
        {"label": "", "left": -10.0, "top": 850.0, "width": 30.0, "height": 40.0},
        {"label": "", "left": 5.0, "top": 5.0, "width": 0.2, "height": 40.0},
    ]

    [region] = boxes_to_regions(boxes, ARCH_D, sheet_key="A-101", known={}, new_kind="added")

    assert region["bbox"] == [0.0, 1700.0, 40.0, 1728.0]


def test_negative_width_boxes_are_normalised() -> None:
    box = {"label": "", "left": 100.0, "top": 100.0, "width": -50.0, "height": -50.0}

    [region] = boxes_to_regions([box], ARCH_D, sheet_key="S-1", known={}, new_kind="added")

    assert region["bbox"] == [100.0, 100.0, 200.0, 200.0]


def test_manual_ids_continue_after_the_highest_taken() -> None:
    assert next_region_id("A-101", ["A-101-1", "A-101-m2", "A-101-m7", "A-1010-m9"]) == "A-101-m8"


def test_table_edits_change_kind_and_note_but_ignore_unknown_kinds() -> None:
    edits = {"A-101-1": {"kind": "added", "note": "new partition"}, "other": {"kind": "removed"}}
    [edited] = apply_edits(MACHINE.values(), edits)
    assert (edited["kind"], edited["note"]) == ("added", "new partition")

    [unchanged] = apply_edits(MACHINE.values(), {"A-101-1": {"kind": "teleported"}})
    assert unchanged["kind"] == "modified"


def test_a_frame_without_area_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        CanvasFrame(width_pt=0, height_pt=10, canvas_width=100)


def test_a_move_corrected_to_another_kind_loses_where_it_came_from() -> None:
    moved = {"id": "A-101-2", "kind": "moved", "bbox": [2, 2, 4, 4], "from_bbox": [0, 0, 2, 2], "group": "item"}
    moved["offset"] = {"dx": 2.0, "dy": 2.0, "distance": 2.83}

    (kept,) = apply_edits([moved], {"A-101-2": {"note": "checked"}})
    (corrected,) = apply_edits([moved], {"A-101-2": {"kind": "added"}})
    (called_a_move,) = apply_edits([{**moved, "kind": "added"}], {"A-101-2": {"kind": "moved"}})

    assert kept["kind"] == "moved" and kept["from_bbox"] == [0, 0, 2, 2]
    assert corrected["kind"] == "added" and not {"from_bbox", "offset", "group"} & set(corrected)
    assert called_a_move["kind"] == "moved"
