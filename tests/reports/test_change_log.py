"""The change log: one row per change (sheet, id, kind, offset, location, old, new, impact, summary, reviewer's
status) as CSV and as an XLSX workbook with a header row, filters and frozen panes."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook
from reports.scene import CHANGES, SENTENCES, report_input

from buildtrace_assets.reports.change_log import COLUMNS, log_rows, write_csv, write_xlsx
from buildtrace_assets.reports.rows import ADDED_BY_REVIEWER, CONFIRMED, CORRECTED, NOT_REVIEWED, REJECTED

HEADER = [name for name, _ in COLUMNS]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_csv_has_one_row_per_change_with_where_what_and_the_summary_sentence(scene_input, tmp_path):
    rows = read_csv(write_csv(log_rows(scene_input), tmp_path / "changes.csv"))

    assert [row["id"] for row in rows] == [change["id"] for change in CHANGES]
    dimension = rows[0]
    assert dimension == {
        "sheet": "A-101",
        "id": "A-101-1",
        "kind": "modified",
        "offset": "",
        "location": "at grids B–C/1–2 in OFFICE 101",
        "old": "24'-4\"",
        "new": "24'-9\"",
        "impact": "high",
        "summary": SENTENCES["A-101-1"],
        "reviewer status": NOT_REVIEWED,
    }
    moved = rows[3]
    assert (moved["kind"], moved["offset"]) == ("moved", "80.0 pt right (6'-8\")")


def test_the_workbook_reads_back_with_header_filters_and_frozen_panes(scene_input, tmp_path):
    workbook = load_workbook(write_xlsx(log_rows(scene_input), tmp_path / "changes.xlsx"))
    sheet = workbook["Changes"]

    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADER
    assert [row[1] for row in values[1:]] == [change["id"] for change in CHANGES]
    assert values[1][4] == "at grids B–C/1–2 in OFFICE 101" and values[1][8] == SENTENCES["A-101-1"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.auto_filter.ref == f"A1:J{len(CHANGES) + 1}"
    assert sheet.freeze_panes == "C2"


def test_with_a_reviewers_overlay_each_row_says_what_the_reviewer_did(tmp_path):
    dimension, added, _removed, moved = (dict(change) for change in CHANGES)
    added["bbox"] = [690.0, 495.0, 770.0, 545.0]
    drawn = {"id": "A-101-m1", "kind": "added", "bbox": [100.0, 100.0, 150.0, 130.0], "note": "new door"}
    report = report_input(tmp_path, overlay_changes=[dimension, added, moved, drawn])

    rows = read_csv(write_csv(log_rows(report), tmp_path / "changes.csv"))

    assert {row["id"]: row["reviewer status"] for row in rows} == {
        "A-101-1": CONFIRMED,
        "A-101-2": CORRECTED,
        "A-101-4": CONFIRMED,
        "A-101-m1": ADDED_BY_REVIEWER,
        "A-101-3": REJECTED,
    }
    assert rows[-1]["id"] == "A-101-3" and rows[-1]["summary"] == ""
