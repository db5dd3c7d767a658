"""Reading a manual overlay as a changes document: each change goes to the sheet its id names."""

from __future__ import annotations

import pytest

from buildtrace_assets.services.errors import InvalidInput
from buildtrace_assets.summaries.overlays import apply_overlay, sheet_key


def change(change_id: str, kind: str = "added") -> dict:
    return {"id": change_id, "kind": kind, "bbox": [1.0, 1.0, 5.0, 5.0]}


DOCUMENT = {
    "schema": "buildtrace.changes/v1",
    "sheets": [
        {
            "sheet_number": "A-101",
            "old_page": 0,
            "new_page": 0,
            "status": "modified",
            "overlay": "overlays/A-101.png",
            "changes": [change("A-101-1"), change("A-101-2")],
        },
        {"sheet_number": "A 102", "old_page": 1, "new_page": 1, "status": "unchanged", "changes": []},
        {"sheet_number": None, "old_page": None, "new_page": 2, "status": "added", "changes": []},
    ],
}


def test_sheet_keys_follow_the_engine_naming() -> None:
    assert [sheet_key(sheet) for sheet in DOCUMENT["sheets"]] == ["A-101", "A_102", "page-3"]


def test_overlay_changes_replace_the_machine_changes_sheet_by_sheet() -> None:
    corrected = apply_overlay(DOCUMENT, [change("A-101-2", "removed"), change("A-101-m1"), change("A_102-m1")])

    assert [c["id"] for c in corrected["sheets"][0]["changes"]] == ["A-101-2", "A-101-m1"]
    assert corrected["sheets"][0]["changes"][0]["kind"] == "removed"
    assert [c["id"] for c in corrected["sheets"][1]["changes"]] == ["A_102-m1"]
    assert corrected["sheets"][1]["status"] == "modified"
    assert corrected["sheets"][2]["changes"] == []
    assert [c["id"] for c in DOCUMENT["sheets"][0]["changes"]] == ["A-101-1", "A-101-2"], "the input is left as it was"


def test_an_empty_overlay_means_no_changes_anywhere() -> None:
    assert all(sheet["changes"] == [] for sheet in apply_overlay(DOCUMENT, [])["sheets"])


@pytest.mark.parametrize("bad_id", ["Z-999-1", "no-number-here"])
def test_a_change_naming_no_sheet_is_refused(bad_id: str) -> None:
    with pytest.raises(InvalidInput, match=bad_id.split("-")[0]):
        apply_overlay(DOCUMENT, [change(bad_id)])


def test_the_row_key_names_the_sheet_so_two_sheets_printing_one_number_stay_apart() -> None:
    twins = {
        "schema": "buildtrace.changes/v1",
        "sheets": [
            {
                "key": "A-101",
                "sheet_number": "A-101",
                "old_page": 0,
                "new_page": 0,
                "status": "modified",
                "changes": [],
            },
            {
                "key": "A-101_2",
                "sheet_number": "A-101",
                "old_page": 1,
                "new_page": 1,
                "status": "modified",
                "changes": [],
            },
        ],
    }

    corrected = apply_overlay(twins, [change("A-101-m1"), change("A-101_2-1"), change("A-101_2-m1")])

    assert [sheet_key(sheet) for sheet in twins["sheets"]] == ["A-101", "A-101_2"]
    assert [c["id"] for c in corrected["sheets"][0]["changes"]] == ["A-101-m1"]
    assert [c["id"] for c in corrected["sheets"][1]["changes"]] == ["A-101_2-1", "A-101_2-m1"]
