"""A drafted sheet is a realistic, reproducible architectural sheet."""

import pymupdf
import pytest

from buildtrace_assets.samples.render import write_pdf
from buildtrace_assets.samples.replot import IDENTITY
from buildtrace_assets.samples.sheet import (
    PAGE_SIZES,
    SheetSpec,
    draft_sheet,
    feet_inches,
)

SPEC = SheetSpec("A-101", "FIRST FLOOR PLAN")


@pytest.mark.parametrize(
    ("points", "eighths", "text"),
    [
        (219.0, 0, "24'-4\""),
        (9.0 * 31.5, 7, "31'-6 7/8\""),
        (9.0 * 10, 4, "10'-0 1/2\""),
    ],
)
def test_lengths_read_as_feet_and_inches_at_eighth_inch_scale(points, eighths, text):
    assert feet_inches(points, eighths) == text


def test_the_same_seed_drafts_the_same_sheet_and_another_seed_a_different_one():
    assert draft_sheet(SPEC, seed=4) == draft_sheet(SPEC, seed=4)
    assert draft_sheet(SPEC, seed=4) != draft_sheet(SPEC, seed=5)


@pytest.mark.parametrize("size", sorted(PAGE_SIZES))
def test_every_element_stays_on_the_page(size):
    sheet = draft_sheet(SPEC, size)
    assert (sheet.width, sheet.height) == PAGE_SIZES[size]
    for element in sheet.elements:
        x0, y0, x1, y1 = element.bbox
        assert 0 <= x0 < x1 <= sheet.width and 0 <= y0 < y1 <= sheet.height, element.id


def test_a_plan_has_the_objects_of_a_floor_plan():
    kinds = {e.kind for e in draft_sheet(SPEC, seed=2).elements}
    assert {
        "border",
        "title_block",
        "grid",
        "exterior_wall",
        "wall",
        "door",
        "window",
        "room",
        "dimension",
        "note",
        "hatch",
    } <= kinds


def test_structural_sheets_show_columns_at_grid_intersections():
    kinds = [e.kind for e in draft_sheet(SheetSpec("S-201", "FOUNDATION PLAN")).elements]
    assert kinds.count("column") >= 12


def test_the_sheet_number_is_the_largest_text_in_the_bottom_right_title_block(tmp_path):
    sheet = draft_sheet(SPEC)
    write_pdf(tmp_path / "a.pdf", [sheet], [IDENTITY.matrix(sheet.width, sheet.height)])
    with pymupdf.open(tmp_path / "a.pdf") as doc:
        page = doc[0]
        spans = [s for b in page.get_text("dict")["blocks"] for line in b["lines"] for s in line["spans"]]
        largest = max(spans, key=lambda s: s["size"])
        assert largest["text"] == "A-101"
        assert largest["bbox"][0] > 0.75 * sheet.width and largest["bbox"][1] > 0.85 * sheet.height
        assert "FIRST FLOOR PLAN" in page.get_text()
