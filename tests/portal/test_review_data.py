"""Which regions are in force on a sheet, and what a saved overlay holds: the pipeline reads it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from buildtrace_assets.summaries.overlays import apply_overlay
from portal.review_data import (
    Review,
    blob_key,
    move_text,
    on_sheet,
    overlay_with_sheet,
    replot_note,
    sheet_of,
    sheet_regions,
)


def modified_sheet(number: str, page: int, *changes: tuple[str, str]) -> dict:
    """A matched, modified sheet with its overlay and ``(id, kind)`` changes."""
    return {
        "sheet_number": number,
        "old_page": page,
        "new_page": page,
        "status": "modified",
        "overlay": f"overlays/{number}.png",
        "changes": [{"id": change_id, "kind": kind, "bbox": [1, 1, 5, 5]} for change_id, kind in changes],
    }


MACHINE = {
    "schema": "buildtrace.changes/v1",
    "sheets": [
        modified_sheet("A-101", 0, ("A-101-1", "modified"), ("A-101-2", "added")),
        modified_sheet("A-1010", 1, ("A-1010-1", "removed")),
        {"sheet_number": "A-102", "old_page": None, "new_page": 2, "status": "added", "changes": []},
    ],
}
DRAWN = {
    "id": "A-101-m1",
    "kind": "removed",
    "bbox": [20, 20, 30, 30],
    "old_text": None,
    "new_text": None,
    "note": "door",
}


def test_change_ids_name_their_sheet_even_when_one_key_prefixes_another() -> None:
    assert sheet_of("A-101-3") == "A-101" and sheet_of("A-101-m12") == "A-101" and sheet_of("no-number") is None
    assert on_sheet({"id": "A-1010-1"}, "A-1010") and not on_sheet({"id": "A-1010-1"}, "A-101")


def test_without_an_overlay_the_machines_regions_are_in_force() -> None:
    assert [r["id"] for r in sheet_regions(MACHINE, None, "A-101")] == ["A-101-1", "A-101-2"]


def test_an_overlay_replaces_the_machine_on_every_sheet() -> None:
    assert sheet_regions(MACHINE, [DRAWN], "A-101") == [DRAWN]
    assert sheet_regions(MACHINE, [DRAWN], "A-1010") == []


def test_the_first_save_keeps_the_other_sheets_machine_regions() -> None:
    saved = overlay_with_sheet(MACHINE, None, "A-101", [DRAWN])

    assert [change["id"] for change in saved] == ["A-1010-1", "A-101-m1"]


def test_a_later_save_replaces_only_its_sheet() -> None:
    earlier = overlay_with_sheet(MACHINE, None, "A-101", [DRAWN])

    saved = overlay_with_sheet(MACHINE, earlier, "A-1010", [])

    assert [change["id"] for change in saved] == ["A-101-m1"]


def test_the_pipeline_reads_a_saved_overlay_back_onto_the_right_sheets() -> None:
    corrected = apply_overlay(MACHINE, overlay_with_sheet(MACHINE, None, "A-101", [DRAWN]))

    assert [[c["id"] for c in sheet["changes"]] for sheet in corrected["sheets"]] == [["A-101-m1"], ["A-1010-1"], []]


def test_files_are_found_next_to_the_changes_document() -> None:
    assert blob_key("jobs/j1/diff/changes.json", "crops/A-101-1_old.png") == "jobs/j1/diff/crops/A-101-1_old.png"


def review(overlay_at: datetime | None, summary_at: datetime | None, summary_overlay: str | None) -> Review:
    return Review(
        "d",
        "k",
        MACHINE,
        "o2" if overlay_at else None,
        2 if overlay_at else None,
        [],
        overlay_at,
        summary_overlay,
        summary_at,
    )


def test_the_summary_is_updating_until_one_follows_the_saved_overlay() -> None:
    now = datetime.now(UTC)
    assert not review(None, now, None).summary_updating
    assert review(now, None, None).summary_updating
    assert review(now, now - timedelta(seconds=5), None).summary_updating
    assert not review(now, now + timedelta(seconds=5), "o2").summary_updating
    assert not review(now, now + timedelta(seconds=5), None).summary_updating, "a person's edit after the overlay"


MOVED_TAG = {
    "id": "A-101-2",
    "kind": "moved",
    "bbox": [222.0, 105.0, 262.0, 115.0],
    "from_bbox": [114.0, 105.0, 154.0, 115.0],
    "offset": {"dx": 108.0, "dy": 0.0, "distance": 108.0, "direction": "right", "drawing_distance": "12'-0\""},
    "group": "item",
}


def test_a_moved_region_says_how_far_which_way_and_from_where_to_where() -> None:
    assert move_text(MOVED_TAG) == "moved 12'-0\" east (108 pt right), from (114, 105) to (222, 105)"


def test_without_a_scale_a_move_is_told_in_points_and_other_kinds_say_nothing() -> None:
    in_points = {**MOVED_TAG, "offset": {"dx": 0.0, "dy": -40.0}}

    assert move_text(in_points) == "moved 40 pt up, from (114, 105) to (222, 105)"
    assert move_text({"id": "A-101-1", "kind": "added", "bbox": [0, 0, 1, 1]}) == ""


def test_a_sheet_re_plotted_at_another_size_says_at_what_size() -> None:
    row = {"sheet_number": "A-101", "old_page": 0, "new_page": 0, "status": "modified", "changes": []}

    assert replot_note({**row, "alignment": {"matrix": [[0.5, 0, 0], [0, 0.5, 0]], "score": 1, "scale": 0.5}}) == (
        "re-plotted at 50%"
    )
    assert replot_note({**row, "alignment": {"matrix": [[1, 0, 0], [0, 1, 0]], "score": 1, "scale": 1.015}}) == ""
    assert replot_note(row) == ""
