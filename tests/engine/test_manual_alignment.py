"""Manual alignment: two or three point pairs a person picked define the sheet's transform, or a clear refusal."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from fixtures.drawings import (
    LETTER,
    SPARSE_ADDED_LINE,
    SPARSE_CORNERS,
    SPARSE_REPLOT,
    mapped,
    picked_points,
    replot_truth,
    sparse_sheet,
)

from buildtrace_assets.engine.compare import compare_documents
from buildtrace_assets.engine.manual_alignment import (
    ManualAlignmentError,
    manual_alignment,
    parse_align_option,
    parse_points,
)
from buildtrace_assets.samples.edits import add_wall
from buildtrace_assets.samples.render import write_pdf
from buildtrace_assets.samples.replot import IDENTITY, Replot, map_bbox
from buildtrace_assets.samples.scoring import boxes_match
from buildtrace_assets.samples.sheet import SheetSpec, draft_sheet

HALF_SIZE_TURNED = Replot(dx=25.0, dy=-15.0, angle_deg=12.0, scale=0.5)
"""A re-plot at half size and turned 12 degrees."""


def test_two_point_pairs_give_exactly_the_transform_they_were_taken_from() -> None:
    truth = replot_truth(HALF_SIZE_TURNED)
    picked = [(200.0, 150.0), (1000.0, 640.0)]
    alignment = manual_alignment([(p, mapped(truth, p)) for p in picked], LETTER, LETTER)

    np.testing.assert_allclose(alignment.matrix, truth, atol=1e-9)
    assert alignment.ok and alignment.source == "manual" and len(alignment.points) == 2


def test_three_pairs_with_clicking_error_fit_a_similarity_that_averages_the_error() -> None:
    truth = replot_truth(Replot(dx=30.0, dy=10.0, angle_deg=-3.0, scale=1.0))
    picked = [(150.0, 120.0), (1050.0, 160.0), (600.0, 680.0)]
    clicks = [(2.0, -1.5), (-1.0, 2.5), (1.5, 1.0)]
    pairs = [
        (p, (mapped(truth, p)[0] + dx, mapped(truth, p)[1] + dy)) for p, (dx, dy) in zip(picked, clicks, strict=True)
    ]

    matrix = manual_alignment(pairs, LETTER, LETTER).matrix

    scale = math.hypot(matrix[0][0], matrix[1][0])
    assert abs(scale - 1.0) < 0.005, "a similarity: one scale, no shear"
    assert matrix[0][0] == pytest.approx(matrix[1][1]) and matrix[0][1] == pytest.approx(-matrix[1][0])
    corner_error = np.hypot(*(np.subtract(mapped(matrix, (1224.0, 792.0)), mapped(truth, (1224.0, 792.0)))))
    assert corner_error < 4.0, "a few points of clicking error stay a few points at the sheet's far corner"


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([((100, 100), (110, 105))], "two or three point pairs"),
        ([((100, 100), (110, 105)), ((120, 100), (130, 105))], "old points 1 and 2 are 20 pt apart"),
        ([((100, 100), (110, 105)), ((900, 600), (115, 110))], "new points 1 and 2 are 7 pt apart"),
        ([((100, 100), (110, 105)), ((600, 400), (610, 405)), ((1100, 700), (1110, 705))], "on one line"),
        ([((100, 100), (110, 105)), ((1300, 600), (1000, 600))], "old point 2 (1300, 600) is outside the old sheet"),
        ([((100, 100), (110, -5)), ((900, 600), (1000, 600))], "new point 1 (110, -5) is outside the new sheet"),
        ([((500, 300), (100, 100)), ((600, 350), (1100, 600))], "the new sheet 10.00x the old one"),
        (
            [((100, 100), (1124, 100)), ((1100, 100), (124, 100)), ((600, 700), (624, 700))],
            "do not agree on one placement",
        ),
    ],
    ids=[
        "one-pair",
        "old-coincident",
        "new-coincident",
        "collinear",
        "old-outside",
        "new-outside",
        "scale",
        "mirrored",
    ],
)
def test_point_pairs_that_cannot_define_the_transform_are_refused_with_the_reason(pairs, message) -> None:
    with pytest.raises(ManualAlignmentError, match=re.escape(message)):
        manual_alignment(pairs, LETTER, LETTER)


def test_the_command_line_form_names_a_sheet_and_its_point_pairs() -> None:
    assert parse_align_option("A-101:10,20=15,25.5;800,600=805.25,590") == (
        "A-101",
        (((10.0, 20.0), (15.0, 25.5)), ((800.0, 600.0), (805.25, 590.0))),
    )
    with pytest.raises(ManualAlignmentError, match="not of the form x,y=X,Y"):
        parse_points("10,20=15;800,600=805,590")
    with pytest.raises(ManualAlignmentError, match="does not name a sheet"):
        parse_align_option("10,20=15,25")


def test_a_sheet_the_automatic_alignment_cannot_align_is_compared_with_the_given_points(tmp_path: Path) -> None:
    old = sparse_sheet(tmp_path / "old.pdf")
    new = sparse_sheet(tmp_path / "new.pdf", SPARSE_REPLOT, added_line=True)

    automatic = compare_documents(old, new, tmp_path / "auto", dpi=100)["sheets"][0]
    assert automatic["error"]["kind"] == "unaligned" and automatic["changes"] == []

    points = picked_points(SPARSE_REPLOT, *SPARSE_CORNERS)
    sheet = compare_documents(old, new, tmp_path / "manual", dpi=100, alignments={"page-1": points})["sheets"][0]

    assert "error" not in sheet and sheet["status"] == "modified"
    assert sheet["alignment"]["source"] == "manual" and sheet["alignment"]["ok"]
    assert sheet["alignment"]["points"] == [{"old": list(o), "new": [round(v, 2) for v in n]} for o, n in points]
    assert _farthest_miss(np.array(sheet["alignment"]["matrix"]), replot_truth(SPARSE_REPLOT)) < 0.5
    assert sheet["alignment"]["score"] > 0.95
    [change] = sheet["changes"]
    x0, y0, x1, y1 = change["bbox"]
    line_top, line_bottom = (mapped(replot_truth(SPARSE_REPLOT), end) for end in SPARSE_ADDED_LINE)
    assert change["kind"] == "added"
    assert x0 - 3 <= line_top[0] <= x1 + 3 and abs(y0 - line_top[1]) < 5 and abs(y1 - line_bottom[1]) < 5


def _farthest_miss(matrix: np.ndarray, truth: np.ndarray) -> float:
    """How far apart the two transforms put the old sheet's corners, in new-sheet points."""
    corners = [(0.0, 0.0), (LETTER[0], 0.0), (0.0, LETTER[1]), LETTER]
    return max(math.dist(mapped(matrix, corner), mapped(truth, corner)) for corner in corners)


@pytest.mark.parametrize("click_error_pt", [0.0, 5.0], ids=["exact", "clicks-5pt-off"])
def test_a_half_size_turned_replot_with_an_added_wall_shows_only_the_wall(tmp_path: Path, click_error_pt) -> None:
    """Clicks a few points off would report every line as removed and added; the sheet's detail corrects them."""
    sheet = draft_sheet(SheetSpec("A-101", "FIRST FLOOR PLAN"), LETTER, seed=4)
    edited, [wall] = add_wall(sheet, random.Random(4), [])
    write_pdf(tmp_path / "old.pdf", [sheet], [IDENTITY.matrix(*LETTER)])
    write_pdf(tmp_path / "new.pdf", [edited], [HALF_SIZE_TURNED.matrix(*LETTER)])
    exact = picked_points(HALF_SIZE_TURNED, (150.0, 120.0), (1050.0, 160.0), (600.0, 680.0))
    slips = [(click_error_pt, -click_error_pt), (-click_error_pt, 0.0), (0.0, click_error_pt)]
    points = [(old, (new[0] + dx, new[1] + dy)) for (old, new), (dx, dy) in zip(exact, slips, strict=True)]

    document = compare_documents(
        tmp_path / "old.pdf", tmp_path / "new.pdf", tmp_path / "out", dpi=150, alignments={"A-101": points}
    )

    [row] = document["sheets"]
    assert row["alignment"]["source"] == "manual" and row["alignment"]["scale"] == pytest.approx(0.5, abs=1e-3)
    assert _farthest_miss(np.array(row["alignment"]["matrix"]), replot_truth(HALF_SIZE_TURNED)) < 0.5
    wall_in_new = map_bbox(wall.bbox, HALF_SIZE_TURNED.matrix(*LETTER))
    assert [change["kind"] for change in row["changes"]] == ["added"]
    assert boxes_match(tuple(row["changes"][0]["bbox"]), wall_in_new)


def test_points_for_a_sheet_not_in_both_versions_or_that_cannot_align_it_are_refused_before_comparing(
    tmp_path: Path,
) -> None:
    old = sparse_sheet(tmp_path / "old.pdf")
    new = sparse_sheet(tmp_path / "new.pdf", SPARSE_REPLOT)
    good = picked_points(SPARSE_REPLOT, *SPARSE_CORNERS)
    with pytest.raises(ManualAlignmentError, match="no sheet A-999 is on both sides"):
        compare_documents(old, new, tmp_path / "out", dpi=72, alignments={"A-999": good})
    with pytest.raises(ManualAlignmentError, match="sheet page-1: old points 1 and 2 are 0 pt apart"):
        compare_documents(old, new, tmp_path / "out", dpi=72, alignments={"page-1": [good[0], good[0]]})
    assert not (tmp_path / "out" / "changes.json").exists()


def test_a_real_drawing_turned_a_quarter_is_unchanged_when_aligned_by_three_of_its_words(real_drawing, tmp_path):
    """The automatic alignment refuses a quarter turn as implausible; a person marks three notes on both sheets."""
    source = pymupdf.open(real_drawing("fixture_drawing_a4.pdf"))
    turned = pymupdf.open()
    turned.new_page(width=source[0].rect.height, height=source[0].rect.width).show_pdf_page(
        pymupdf.Rect(0, 0, source[0].rect.height, source[0].rect.width), source, 0, rotate=90
    )
    turned.save(tmp_path / "turned.pdf")

    def centres(page: pymupdf.Page) -> dict[str, tuple[float, float]]:
        words = page.get_text("words")
        once = [w for w in words if sum(other[4] == w[4] for other in words) == 1]
        return {w[4]: ((w[0] + w[2]) / 2, (w[1] + w[3]) / 2) for w in once}

    old, new = centres(source[0]), centres(pymupdf.open(tmp_path / "turned.pdf")[0])
    pairs = [(old[word], new[word]) for word in ("2x", "4.00", "SCALE:2:1")]

    automatic = compare_documents(source.name, tmp_path / "turned.pdf", tmp_path / "auto", dpi=100)["sheets"][0]
    manual = compare_documents(
        source.name, tmp_path / "turned.pdf", tmp_path / "manual", dpi=100, alignments={"page-1": pairs}
    )["sheets"][0]

    assert automatic["error"]["kind"] == "unaligned"
    assert (manual["status"], manual["changes"], manual["alignment"]["source"]) == ("unchanged", [], "manual")
    assert manual["alignment"]["score"] > 0.95
