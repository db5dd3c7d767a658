"""The PDF report: a cover with the summary and the sheet list, each changed sheet at its paper size with numbered
callouts, its change table with crops, and a footer naming the job on every page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pymupdf
import pytest
from reports.scene import CHANGES, LETTER, SENTENCES, SHEET_SIZE, UNALIGNED_REASON, report_input

from buildtrace_assets.reports.inputs import MissingInputError, ReportInput
from buildtrace_assets.reports.report_pdf import write_report


@pytest.fixture
def report(scene_input: ReportInput, tmp_path: Path) -> pymupdf.Document:
    return pymupdf.open(write_report(scene_input, tmp_path / "report.pdf"))


def page_text(document: pymupdf.Document, index: int) -> str:
    return " ".join(document.load_page(index).get_text().split())


def test_pages_are_the_cover_the_sheet_at_its_paper_size_and_its_change_table(report):
    sizes = [(round(page.rect.width), round(page.rect.height)) for page in report]
    assert sizes == [LETTER, SHEET_SIZE, LETTER]


def test_the_cover_names_versions_counts_the_summary_with_change_ids_and_every_sheet(report):
    cover = page_text(report, 0)
    assert "Tower · Architectural Set" in cover
    assert "Old: v1 (rev1.pdf, uploaded 2026-11-02 09:00 UTC by ana@acme.test)" in cover
    assert "New: v2 (rev2.pdf, uploaded 2026-12-01 14:30 UTC by ben@acme.test)" in cover
    assert "Reviewed by: nobody yet" in cover
    assert "4 changes by impact: 1 high, 1 medium, 2 low" in cover
    for change_id, sentence in SENTENCES.items():
        assert f"{sentence} ({change_id})" in cover
    assert f"A-102 SECOND FLOOR PLAN: could not be aligned: {UNALIGNED_REASON}" in cover
    assert "A-103 ROOF PLAN: added in the new revision" in cover
    assert "A-104 SECTIONS: removed from the set" in cover
    assert "A-105 DETAILS: unchanged" in cover


def test_the_sheet_page_shows_the_overlay_and_a_numbered_callout_per_change(report):
    page = report.load_page(1)
    assert len(page.get_images()) == 1
    above_footer = [w for w in page.get_text("words") if w[3] < page.rect.height - 60]
    numbers = {w[4]: pymupdf.Rect(w[:4]) for w in above_footer if w[4] in {"1", "2", "3", "4"}}
    assert set(numbers) == {"1", "2", "3", "4"}
    for change in CHANGES:
        label = numbers[change["id"].rsplit("-", 1)[1]]
        x0, y0, _, _ = change["bbox"]
        assert abs(label.x1 - x0) < 80 and abs(label.y1 - y0) < 80, (change["id"], label)
    assert "A-101 · FIRST FLOOR PLAN · 4 change(s)" in page_text(report, 1)


def test_a_moved_change_is_drawn_as_an_arrow_from_its_old_outline(report):
    page = report.load_page(1)
    moved = next(change for change in CHANGES if change["kind"] == "moved")
    end = pymupdf.Point((moved["bbox"][0] + moved["bbox"][2]) / 2, (moved["bbox"][1] + moved["bbox"][3]) / 2)
    drawings = page.get_drawings()
    heads = [d for d in drawings if d.get("fill") and abs(d["rect"].x1 - end.x) < 0.5 and d["rect"].y0 < end.y]
    old_outline = pymupdf.Rect(moved["from_bbox"])
    dashed = [d for d in drawings if d.get("dashes") != "[] 0" and d["rect"].contains(old_outline)]
    assert heads and dashed


def test_the_change_table_lists_id_kind_location_old_new_and_impact_with_crops(report):
    table = page_text(report, 2)
    for change in CHANGES:
        assert change["id"] in table
    assert "at grids B–C/1–2 in OFFICE 101" in table
    assert "24'-4\" → 24'-9\"" in table
    assert "moved 80.0 pt right (6'-8\")" in table
    assert "high" in table and "medium" in table
    assert len(report.load_page(2).get_images()) == 2 * len(CHANGES)


def test_every_page_has_the_footer_with_job_and_generation_time(report):
    for index in range(report.page_count):
        assert f"Job job-123 · generated 2026-12-07 10:00 UTC · page {index + 1} of 3" in page_text(report, index)


def test_a_missing_overlay_is_named_and_no_file_is_written(scene_input, tmp_path):
    def without_overlay(reference: str) -> bytes:
        if reference.startswith("overlays/"):
            raise MissingInputError(f"the overlay image {reference} is missing")
        return scene_input.read_file(reference)

    out = tmp_path / "report.pdf"
    with pytest.raises(MissingInputError, match=r"overlays/A-101\.png"):
        write_report(replace(scene_input, read_file=without_overlay), out)
    assert list(tmp_path.glob("*report.pdf*")) == []


def test_a_sheet_a_reviewer_marked_without_an_overlay_image_shows_the_new_sheet(tmp_path):
    drawn = {"id": "A-105-m1", "kind": "added", "bbox": [100.0, 100.0, 200.0, 150.0]}
    report = report_input(tmp_path, overlay_changes=[*CHANGES, drawn])

    with pymupdf.open(write_report(report, tmp_path / "report.pdf")) as pdf:
        sheet = pdf.load_page(3)
        assert (round(sheet.rect.width), round(sheet.rect.height)) == LETTER
        assert len(sheet.get_images()) == 1
        assert "A-105 · DETAILS · 1 change(s)" in " ".join(sheet.get_text().split())
        assert "drawn by a reviewer: no crop" in pdf.load_page(4).get_text()
        assert "Reviewed by: carla@acme.test" in " ".join(pdf.load_page(0).get_text().split())
