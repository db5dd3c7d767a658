"""Sheets re-plotted at another paper size or resolution: the scale expected before rendering, the resolutions that
give both sides one size per drawing unit, and whole sets compared change for change at 0.25x-4x."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from buildtrace_assets.engine.compare import compare_documents
from buildtrace_assets.engine.model import BBox, RenderedPage, Word
from buildtrace_assets.engine.plot_scale import (
    at_drawing_resolution,
    drawing_px_per_pt,
    expected_scale,
    finer_by,
    render_dpis,
)
from buildtrace_assets.samples import make_drawing_set
from buildtrace_assets.samples.scoring import boxes_match

SHEET_PT = (1224.0, 792.0)
"""17 x 11 in: a generated plan small enough to compare quickly at several sizes."""
DPI = 100


@dataclass(frozen=True)
class Sheet:
    width_pt: float
    height_pt: float
    words: tuple[Word, ...] = ()


def _words(scale: float, shift: tuple[float, float] = (0.0, 0.0), count: int = 30) -> tuple[Word, ...]:
    """Words printed once each on a sheet, placed through ``scale`` and ``shift``."""
    words = []
    for i in range(count):
        x, y = 40.0 + 37.0 * i, 60.0 + 23.0 * (i % 7)
        box = (x, y, x + 30.0, y + 8.0)
        words.append(Word(f"NOTE-{i}", tuple(v * scale + shift[j % 2] for j, v in enumerate(box))))  # type: ignore[arg-type]
    return tuple(words)


def test_words_printed_once_on_both_sheets_give_the_scale_whatever_the_paper():
    old = Sheet(2592.0, 1728.0, _words(1.0))
    new = Sheet(2592.0, 1728.0, _words(0.5, (30.0, 12.0)))

    assert expected_scale(old, new) == pytest.approx(0.5, abs=1e-3)


def test_the_paper_gives_the_scale_when_the_words_cannot():
    """A scan has no text layer: ARCH D to a half-size set, A4 to A3."""
    assert expected_scale(Sheet(2592.0, 1728.0), Sheet(1296.0, 864.0)) == pytest.approx(0.5)
    assert expected_scale(Sheet(842.0, 595.0), Sheet(1191.0, 842.0)) == pytest.approx(1.414, abs=2e-3)


def test_a_replots_wobble_and_a_sheet_of_another_shape_keep_the_same_scale():
    assert expected_scale(Sheet(1224.0, 792.0), Sheet(1224.0 * 1.03, 792.0 * 1.03)) == 1.0
    assert expected_scale(Sheet(1224.0, 792.0), Sheet(792.0, 1224.0)) == 1.0
    moved_words = Sheet(1224.0, 792.0, _words(1.02, (5.0, -3.0)))
    assert expected_scale(Sheet(1224.0, 792.0, _words(1.0)), moved_words) == 1.0


def test_words_that_disagree_fall_back_to_the_paper():
    scattered = tuple(Word(w.text, (w.bbox[1], w.bbox[0], w.bbox[1] + 30, w.bbox[0] + 8)) for w in _words(1.0))

    assert expected_scale(Sheet(2592.0, 1728.0, _words(1.0)), Sheet(1296.0, 864.0, scattered)) == pytest.approx(0.5)


def test_the_smaller_plot_renders_finer_so_both_have_one_size_per_drawing_unit():
    arch_d, half = Sheet(2592.0, 1728.0), Sheet(1296.0, 864.0)

    assert render_dpis(arch_d, half, 150.0) == pytest.approx((150.0, 300.0))
    assert render_dpis(half, arch_d, 150.0) == pytest.approx((300.0, 150.0))
    assert render_dpis(arch_d, arch_d, 150.0) == (150.0, 150.0)


def test_the_smaller_plot_is_read_finer_by_the_scale_within_the_compared_range():
    assert finer_by(0.5) == (1.0, 2.0)
    assert finer_by(1.4142) == (1.4142, 1.0)
    assert finer_by(10.0) == (4.0, 1.0)


def test_render_resolutions_are_capped_by_the_larger_page_and_the_renderer():
    """A 4x re-plot whose words say 4x but whose paper is only twice as large: the finer raster would hold more
    pixels than the larger page at the asked resolution, so both shrink, keeping their ratio."""
    small = Sheet(1224.0, 792.0, _words(1.0))
    large = Sheet(2448.0, 1584.0, _words(4.0))

    old_dpi, new_dpi = render_dpis(small, large, 150.0)

    assert old_dpi / new_dpi == pytest.approx(4.0, rel=1e-3)
    assert 1224 * 792 * (old_dpi / 72) ** 2 <= 2448 * 1584 * (150 / 72) ** 2 * 1.0001
    quarter = Sheet(306.0, 198.0)
    assert max(render_dpis(Sheet(1224.0, 792.0), quarter, 600.0)) <= 1200.0


def _page(image: np.ndarray, dpi: float) -> RenderedPage:
    return RenderedPage(image, dpi, image.shape[1] * 72 / dpi, image.shape[0] * 72 / dpi)


def test_the_old_sheet_is_resampled_only_when_the_measured_scale_is_not_what_was_rendered():
    old, new = _page(np.full((200, 300), 255, np.uint8), 100.0), _page(np.full((400, 600), 255, np.uint8), 100.0)

    assert at_drawing_resolution(old, new, np.eye(2, 3)) is old
    twice = at_drawing_resolution(old, new, np.array([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]]))
    assert twice.image.shape == (400, 600) and twice.width_pt == old.width_pt
    assert drawing_px_per_pt(new, np.array([[0.5, 0.0, 0.0], [0.0, 0.5, 0.0]])) == pytest.approx(100 / 72 * 0.5)


# Whole sets re-plotted at another size, with edits whose place is known.

ADDED_NOTE = (300.0, 700.0, "REVISED NOTE 7")
ADDED_BOX = (820.0, 300.0, 880.0, 340.0)
REMOVED_BOX = (140.0, 420.0, 190.0, 450.0)


def _expected(factor: float) -> list[BBox]:
    """Where the edits are on the new sheet, drawn at ``factor`` times the design size."""
    x, y, text = ADDED_NOTE
    note = (x, y - 9.0, x + pymupdf.get_text_length(text, fontsize=11), y + 2.0)
    return [tuple(v * factor for v in box) for box in (note, ADDED_BOX, REMOVED_BOX)]  # type: ignore[misc]


@pytest.fixture(scope="module")
def design(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pdf = tmp_path_factory.mktemp("design") / "sheet.pdf"
    make_drawing_set(pdf, 1, seed=3, page_size=SHEET_PT)
    return pdf


def _plotted(design: Path, path: Path, factor: float, *, revised: bool) -> Path:
    """The design on paper ``factor`` times its size, as the old revision (with a box later removed) or the new one
    (with a note and a box added)."""
    source = pymupdf.open(design)
    out = pymupdf.open()
    page = out.new_page(width=SHEET_PT[0] * factor, height=SHEET_PT[1] * factor)
    page.show_pdf_page(page.rect, source, 0)
    if revised:
        x, y, text = ADDED_NOTE
        page.insert_text((x * factor, y * factor), text, fontsize=11 * factor)
        page.draw_rect(pymupdf.Rect(ADDED_BOX) * factor, color=(0, 0, 0), width=1.5 * factor)
    else:
        page.draw_rect(pymupdf.Rect(REMOVED_BOX) * factor, color=(0, 0, 0), width=1.5 * factor)
    out.save(path)
    return path


def _assert_the_edits_and_nothing_else(sheet: dict, factor: float) -> None:
    assert sheet["status"] == "modified" and "error" not in sheet, sheet.get("error")
    boxes = [change["bbox"] for change in sheet["changes"]]
    for expected in _expected(factor):
        assert any(boxes_match(box, expected) for box in boxes), (expected, boxes)
    assert len(boxes) == 3, sheet["changes"]


@pytest.mark.parametrize(
    "old_factor, new_factor",
    [(1.0, 0.5), (0.5, 1.0), (1.0, 0.25), (0.5, 2.0), (1 / 1.4142, 1.0)],
    ids=["arch-d-to-half-size", "half-size-to-full", "quarter-size", "four-times-larger", "a4-to-a3"],
)
def test_a_set_replotted_at_another_paper_size_is_compared_change_for_change(design, tmp_path, old_factor, new_factor):
    old = _plotted(design, tmp_path / "old.pdf", old_factor, revised=False)
    new = _plotted(design, tmp_path / "new.pdf", new_factor, revised=True)

    document = compare_documents(old, new, tmp_path / "out", dpi=DPI)

    (sheet,) = document["sheets"]
    assert sheet["alignment"]["scale"] == pytest.approx(new_factor / old_factor, rel=0.01)
    _assert_the_edits_and_nothing_else(sheet, new_factor)


def test_an_unchanged_sheet_replotted_at_half_size_has_no_changes(design, tmp_path):
    source = pymupdf.open(design)
    half = pymupdf.open()
    page = half.new_page(width=SHEET_PT[0] / 2, height=SHEET_PT[1] / 2)
    page.show_pdf_page(page.rect, source, 0)
    half.save(tmp_path / "half.pdf")

    document = compare_documents(design, tmp_path / "half.pdf", tmp_path / "out", dpi=DPI)

    (sheet,) = document["sheets"]
    assert sheet["status"] == "unchanged", sheet["changes"]
    assert sheet["alignment"]["scale"] == pytest.approx(0.5, rel=1e-3)


def _png(pdf: Path, path: Path, dpi: int, recorded: bool) -> Path:
    """A raster export of the sheet; ``recorded`` says whether the file states its resolution."""
    pixmap = pymupdf.open(pdf)[0].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    image = Image.open(io.BytesIO(pixmap.tobytes("png")))
    image.save(path, dpi=(dpi, dpi)) if recorded else image.save(path)
    return path


@pytest.mark.parametrize("recorded", [True, False], ids=["resolution-recorded", "resolution-unknown"])
def test_a_300_dpi_scan_is_compared_with_a_150_dpi_export(design, tmp_path, recorded):
    """Without a recorded resolution the 300-dpi scan is taken for a page twice as large: a scale of one half."""
    old = _png(_plotted(design, tmp_path / "old.pdf", 1.0, revised=False), tmp_path / "old.png", 300, recorded)
    new = _png(_plotted(design, tmp_path / "new.pdf", 1.0, revised=True), tmp_path / "new.png", 150, True)

    document = compare_documents(old, new, tmp_path / "out", dpi=DPI)

    (sheet,) = document["sheets"]
    assert sheet["alignment"]["scale"] == pytest.approx(1.0 if recorded else 0.5, rel=0.01)
    _assert_the_edits_and_nothing_else(sheet, 1.0)


def _unaligned(sheet: dict) -> str:
    assert sheet["status"] == "modified" and sheet["changes"] == []
    assert sheet["error"]["kind"] == "unaligned"
    return sheet["error"]["message"]


def test_a_sheet_five_times_larger_is_unaligned_and_says_so(design, tmp_path):
    old = _plotted(design, tmp_path / "old.pdf", 1.0, revised=False)
    new = _plotted(design, tmp_path / "new.pdf", 5.0, revised=False)

    document = compare_documents(old, new, tmp_path / "out", dpi=36)

    assert "5.00x, outside the 0.25x-4x compared" in _unaligned(document["sheets"][0])


def test_a_mirrored_sheet_is_unaligned_and_says_so(design, tmp_path):
    old = _png(design, tmp_path / "old.png", 100, True)
    Image.open(old).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(tmp_path / "new.png", dpi=(100, 100))

    document = compare_documents(old, tmp_path / "new.png", tmp_path / "out", dpi=72)

    assert "mirror image" in _unaligned(document["sheets"][0])
