"""Page comparison: the changes between two revisions of a sheet, in new-sheet points."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from buildtrace_assets.engine.model import Change, RenderedPage, Word
from buildtrace_assets.engine.pagediff import compare_pages
from buildtrace_assets.samples import make_drawing_set
from buildtrace_assets.samples.scoring import boxes_match, changed_words

DPI = 100
PT = DPI / 72
"""Pixels per point."""


def _rendered(pdf: Path, page: int = 0, dpi: float = DPI) -> RenderedPage:
    document = pymupdf.open(pdf)
    pixmap = document[page].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    image = np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.width).copy()
    words = tuple(Word(w[4], tuple(w[:4])) for w in document[page].get_text("words"))
    rect = document[page].rect
    return RenderedPage(image=image, dpi=dpi, width_pt=rect.width, height_pt=rect.height, words=words)


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> RenderedPage:
    """A generated 17x11 in floor plan with its text layer, at 100 DPI."""
    pdf = tmp_path_factory.mktemp("sheet") / "sheet.pdf"
    make_drawing_set(pdf, 1, seed=3, page_size=(1224, 792))
    return _rendered(pdf)


def _edited(page: RenderedPage, draw=None, words: tuple[Word, ...] | None = None) -> RenderedPage:
    image = page.image.copy()
    if draw:
        draw(image)
    words = page.words if words is None else words
    return RenderedPage(image, page.dpi, page.width_pt, page.height_pt, words, page.text_source)


def _px(x_pt: float, y_pt: float) -> tuple[int, int]:
    return round(x_pt * PT), round(y_pt * PT)


def test_identical_pages_have_no_changes(sheet):
    result = compare_pages(sheet, _edited(sheet), sheet_key="A-101")

    assert result.ok and result.changes == []
    np.testing.assert_array_equal(result.alignment.matrix, np.eye(2, 3))


def test_a_replotted_and_shifted_sheet_has_no_changes(sheet):
    height, width = sheet.image.shape
    new_to_old = cv2.getRotationMatrix2D((width / 2, height / 2), 0.7, 1.01)
    new_to_old[:, 2] += (9 * PT, -6 * PT)
    old = RenderedPage(
        cv2.warpAffine(sheet.image, new_to_old, (width, height), flags=cv2.INTER_CUBIC, borderValue=255),
        sheet.dpi,
        sheet.width_pt,
        sheet.height_pt,
    )

    result = compare_pages(old, _edited(sheet, words=()), sheet_key="A-101")

    assert result.ok, result.reason
    assert result.changes == []


def test_scan_noise_blur_and_jpeg_make_no_changes(sheet):
    rng = np.random.default_rng(4)
    noisy = cv2.GaussianBlur(sheet.image, (3, 3), 0).astype(np.float32) * 0.9 + rng.normal(0, 8, sheet.image.shape)
    noisy[rng.random(sheet.image.shape) < 0.0003] = 20
    _, jpeg = cv2.imencode(".jpg", np.clip(noisy, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 55])
    scanned = RenderedPage(cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE), sheet.dpi, sheet.width_pt, sheet.height_pt)

    result = compare_pages(sheet, scanned, sheet_key="A-101")

    assert result.ok, result.reason
    assert result.changes == []


def test_an_added_wall_is_one_added_change_where_it_was_drawn(sheet):
    new = _edited(sheet, lambda image: cv2.line(image, _px(300, 420), _px(300, 520), 0, 3))

    (change,) = compare_pages(sheet, new, sheet_key="A-101").changes

    assert change.id == "A-101-1" and change.kind == "added"
    assert boxes_match(change.bbox, (299, 420, 301, 520))
    assert change.old_text is None and change.new_text is None


def _door(image: np.ndarray, hinge_pt: tuple[float, float]) -> None:
    """A 36 in door at 1/8 in scale: leaf and quarter-circle swing."""
    radius = round(27 * PT)
    hinge = _px(*hinge_pt)
    cv2.line(image, hinge, (hinge[0], hinge[1] - radius), 0, 2)
    cv2.ellipse(image, hinge, (radius, radius), 0, 270, 360, 0, 1)


def test_a_moved_door_is_one_moved_change_from_where_it_was_to_where_it_is(sheet):
    """A door moved by more than its width: "door shifted 50 pt right", as a reviewer would write it."""
    old = _edited(sheet, lambda image: _door(image, (850, 560)))
    new = _edited(sheet, lambda image: _door(image, (900, 560)))

    (change,) = compare_pages(old, new, sheet_key="A-101").changes

    assert change.kind == "moved" and change.group == "item"
    assert boxes_match(change.bbox, (900, 533, 927, 560))
    assert change.from_bbox is not None and boxes_match(change.from_bbox, (850, 533, 877, 560))
    assert change.offset is not None and (change.offset.dx, change.offset.dy) == pytest.approx((50, 0), abs=1.0)


def test_a_door_nudged_within_its_width_is_one_moved_change(sheet):
    old = _edited(sheet, lambda image: _door(image, (850, 560)))
    new = _edited(sheet, lambda image: _door(image, (858, 560)))

    (change,) = compare_pages(old, new, sheet_key="A-101").changes

    assert change.kind == "moved"
    assert change.offset is not None and change.offset.dx == pytest.approx(8, abs=1.0)


def test_a_door_replaced_by_a_wider_one_is_no_move(sheet):
    old = _edited(sheet, lambda image: _door(image, (850, 560)))
    new = _edited(sheet, lambda image: cv2.ellipse(image, _px(900, 560), (round(40 * PT),) * 2, 0, 270, 360, 0, 1))

    assert "moved" not in {change.kind for change in compare_pages(old, new, sheet_key="A-101").changes}


def _dimension(text: str) -> tuple:
    """Draw a dimension string in an empty margin and return its drawing and its text-layer word."""
    origin = (850, 600)

    def draw(image: np.ndarray) -> None:
        cv2.putText(image, text, _px(*origin), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 0, 1, cv2.LINE_AA)

    (width, height), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
    word = Word(text, (origin[0], origin[1] - height / PT, origin[0] + width / PT, origin[1]))
    return draw, word


def test_a_changed_dimension_reports_exactly_the_old_and_new_value(sheet):
    draw_old, word_old = _dimension("24'-4\"")
    draw_new, word_new = _dimension("24'-9\"")
    old = _edited(sheet, draw_old, (*sheet.words, word_old))
    new = _edited(sheet, draw_new, (*sheet.words, word_new))

    (change,) = compare_pages(old, new, sheet_key="A-101").changes

    assert change.kind == "modified"
    assert (change.old_text, change.new_text) == ("24'-4\"", "24'-9\"")
    assert boxes_match(change.bbox, word_new.bbox)


def test_changes_are_numbered_in_reading_order(sheet):
    def draw(image: np.ndarray) -> None:
        cv2.line(image, _px(900, 650), _px(1000, 650), 0, 3)
        cv2.line(image, _px(300, 420), _px(300, 520), 0, 3)
        cv2.line(image, _px(150, 650), _px(250, 650), 0, 3)

    changes = compare_pages(sheet, _edited(sheet, draw), sheet_key="A-102").changes

    assert [c.id for c in changes] == ["A-102-1", "A-102-2", "A-102-3"]
    assert [round(c.bbox[0] / 10) for c in changes] == [30, 15, 90]


def test_a_pair_that_cannot_be_aligned_is_reported_and_not_diffed(sheet):
    blank = RenderedPage(np.full_like(sheet.image, 255), sheet.dpi, sheet.width_pt, sheet.height_pt)

    result = compare_pages(blank, sheet, sheet_key="A-101")

    assert not result.ok and result.reason
    assert result.changes == [] and result.old_in_new is None


def test_generated_revision_finds_every_change_and_its_text(revision_pair):
    pair = revision_pair(seed=2, n_sheets=1, scenario="mixed", page_size=(1224, 792))
    (expected,) = pair.truth.sheets

    result = compare_pages(
        _rendered(pair.old_path, expected.old_page), _rendered(pair.new_path, expected.new_page), sheet_key="A-101"
    )

    assert result.ok, result.reason

    def places(change: Change) -> list:
        """A moved change stands for where the block is and where it was (the truth may list both ends)."""
        return [change.bbox] + ([change.from_bbox] if change.from_bbox is not None else [])

    for truth in expected.changes:
        hits = [c for c in result.changes if any(boxes_match(box, truth.bbox) for box in places(c))]
        assert hits, f"missed {truth.edit} at {truth.bbox}"
        if truth.old_text or truth.new_text:
            wanted = changed_words(truth.old_text, truth.new_text)
            assert any(changed_words(c.old_text, c.new_text) == wanted for c in hits)
    for change in result.changes:
        assert any(boxes_match(box, truth.bbox) for truth in expected.changes for box in places(change)), change


def _note_page(
    note: str, shift_pt: float, text_source: str = "text_layer", *, fontsize: float = 6, dpi: float = 150
) -> RenderedPage:
    """A sheet with a frame and one line of note text, drawn ``shift_pt`` off so the old page is resampled."""
    document = pymupdf.open()
    page = document.new_page(width=612, height=396)
    shifted = (shift_pt, shift_pt, shift_pt, shift_pt)
    page.draw_rect(pymupdf.Rect(20, 20, 592, 376) + shifted, width=1.5)
    for n in range(12):
        page.draw_line((60 + 40 * n + shift_pt, 60 + shift_pt), (60 + 40 * n + shift_pt, 300 + shift_pt), width=0.8)
    page.insert_text((300 + shift_pt, 340 + shift_pt), note, fontsize=fontsize)
    rendered = _rendered_document(document, dpi)
    return RenderedPage(rendered.image, dpi, rendered.width_pt, rendered.height_pt, rendered.words, text_source)


def _rendered_document(document: pymupdf.Document, dpi: float) -> RenderedPage:
    pdf = document.tobytes()
    with pymupdf.open(stream=pdf) as reopened:
        pixmap = reopened[0].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        image = np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.width).copy()
        words = tuple(Word(w[4], tuple(w[:4])) for w in reopened[0].get_text("words"))
        return RenderedPage(image, dpi, reopened[0].rect.width, reopened[0].rect.height, words)


def test_one_changed_glyph_in_small_note_text_is_found_from_the_text_layer():
    old = _note_page("4. ACCESSIBLE ROUTE, 1:20 MAX. SLOPE.", shift_pt=0.0)
    new = _note_page("4. ACCESSIBLE ROUTE, 1:26 MAX. SLOPE.", shift_pt=3.3)

    (change,) = compare_pages(old, new, sheet_key="A-102").changes

    assert (change.kind, change.old_text, change.new_text) == ("modified", "1:20", "1:26")


def test_an_ocr_misread_over_unchanged_ink_is_no_change():
    old = _note_page("4. ACCESSIBLE ROUTE, 1:20 MAX. SLOPE.", shift_pt=0.0, text_source="ocr")
    new = _note_page("4. ACCESSIBLE ROUTE, 1:20 MAX. SLOPE.", shift_pt=3.3, text_source="ocr")
    misread = tuple(Word("1:26", w.bbox) if w.text == "1:20" else w for w in new.words)

    assert compare_pages(old, _edited(new, words=misread), sheet_key="A-102").changes == []


def test_a_changed_glyph_under_words_the_scan_side_never_read_needs_reading():
    """A scan's words come from OCR of its title block only: elsewhere the text layer's words alone cannot tell."""
    old = _note_page("4. ACCESSIBLE ROUTE, 1:20 MAX. SLOPE.", shift_pt=0.0)
    new = _note_page("4. ACCESSIBLE ROUTE, 1:26 MAX. SLOPE.", shift_pt=3.3, text_source="ocr")
    title_block_only = (Word("A-102", (560.0, 360.0, 590.0, 370.0)),)

    (change,) = compare_pages(old, _edited(new, words=title_block_only), sheet_key="A-102").changes

    assert change.needs_reading and change.old_text == "1:20" and change.new_text is None
    assert change.bbox[0] >= 300 and change.bbox[2] - change.bbox[0] < 30  # the value's word, not the whole note


def test_unchanged_words_the_scan_side_never_read_are_no_change():
    old = _note_page("4. ACCESSIBLE ROUTE, 1:20 MAX. SLOPE.", shift_pt=0.0)
    new = _note_page("4. ACCESSIBLE ROUTE, 1:20 MAX. SLOPE.", shift_pt=3.3, text_source="ocr")
    title_block_only = (Word("A-102", (560.0, 360.0, 590.0, 370.0)),)

    assert compare_pages(old, _edited(new, words=title_block_only), sheet_key="A-102").changes == []


def _raster(note: str, shift_pt: float) -> RenderedPage:
    """A note page as an image with no text layer: OCR read its title block only."""
    return _edited(_note_page(note, shift_pt, text_source="ocr"), words=(Word("A-102", (560.0, 360.0, 590.0, 370.0)),))


def test_a_changed_glyph_where_both_sheets_are_rasters_needs_reading_where_it_changed():
    """No words say where either raster's drawing text is, and a 2 that became a 6 in small text leaves too little
    ink beyond the regions' tolerance: compared pixel-exact it stands out, for OCR of both sides to confirm."""
    old_value = next(w for w in _note_page("SLOPE FLOOR 2% TOWARD DRAIN.", 3.3).words if w.text == "2%")

    (change,) = compare_pages(
        _raster("SLOPE FLOOR 2% TOWARD DRAIN.", 0.0), _raster("SLOPE FLOOR 6% TOWARD DRAIN.", 3.3), sheet_key="A-102"
    ).changes

    assert change.needs_reading and change.kind == "modified"
    assert boxes_match(change.bbox, old_value.bbox)


def test_unchanged_rasters_resampled_off_the_pixel_grid_have_no_changes():
    """Pixel-exact differences along resampled lines are slivers, not text: nothing to read."""
    old, new = _raster("SLOPE FLOOR 2% TOWARD DRAIN.", 0.0), _raster("SLOPE FLOOR 2% TOWARD DRAIN.", 3.3)

    assert compare_pages(old, new, sheet_key="A-102").changes == []


def _faded_scan_at_150_dpi(note: str) -> RenderedPage:
    """The note scanned at 300 dpi (soft grey toner on grey paper, sensor noise) and read at 150 dpi: its glyphs'
    grey halos fill the counters of small digits."""
    scan = _note_page(note, 0.0, "ocr", fontsize=8, dpi=300)
    toned = cv2.convertScaleAbs(cv2.GaussianBlur(scan.image, (0, 0), 1.2), alpha=(238 - 35) / 255, beta=35)
    noise = np.random.default_rng(1).normal(0, 7, toned.shape)
    toned = np.clip(toned + noise, 0, 255).astype(np.uint8)
    half = cv2.resize(toned, (toned.shape[1] // 2, toned.shape[0] // 2), interpolation=cv2.INTER_AREA)
    return RenderedPage(half, 150, scan.width_pt, scan.height_pt, _raster("", 0.0).words, "ocr")


def _clean_raster(note: str) -> RenderedPage:
    return _edited(_note_page(note, 3.3, "ocr", fontsize=8), words=_raster("", 0.0).words)


def test_a_zero_that_became_an_eight_on_a_faded_scan_against_a_clean_export_needs_reading():
    """The 8's crossbar falls in the scanned 0's grey counter: any ink there would explain it, its darkness does
    not. The bench's 300- vs 150-dpi pair (``3000`` -> ``3080``)."""
    value = next(w for w in _note_page("CURB RADIUS 3080", 3.3, fontsize=8).words if w.text == "3080")

    (change,) = compare_pages(
        _faded_scan_at_150_dpi("CURB RADIUS 3000"), _clean_raster("CURB RADIUS 3080"), sheet_key="A-102"
    ).changes

    assert change.needs_reading
    left, top, right, bottom = change.bbox
    assert value.bbox[0] + 0.5 * (value.bbox[2] - value.bbox[0]) < left < right < value.bbox[2]  # the third glyph
    assert value.bbox[1] < top < bottom < value.bbox[3]


def test_a_faded_scan_against_a_clean_export_of_the_same_value_has_no_changes():
    assert (
        compare_pages(
            _faded_scan_at_150_dpi("CURB RADIUS 3000"), _clean_raster("CURB RADIUS 3000"), sheet_key="A-102"
        ).changes
        == []
    )


@pytest.fixture(scope="module")
def full_and_half_size(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The generated plan, and the same plan re-plotted at half size with a wall added at (300, 420)-(300, 520)."""
    folder = tmp_path_factory.mktemp("half")
    full, half = folder / "full.pdf", folder / "half.pdf"
    make_drawing_set(full, 1, seed=3, page_size=(1224, 792))
    source = pymupdf.open(full)
    replot = pymupdf.open()
    page = replot.new_page(width=612, height=396)
    page.show_pdf_page(page.rect, source, 0)
    page.draw_line((150, 210), (150, 260), width=1.0)
    replot.save(half)
    return full, half


@pytest.mark.parametrize("old_dpi", [100, 400], ids=["rendered-per-drawing-unit", "rendered-four-times-finer"])
def test_a_half_size_replot_is_compared_at_one_size_per_drawing_unit(full_and_half_size, old_dpi):
    """Whether the old sheet was rendered at the new sheet's pixels per drawing unit or finer, it is compared at
    them: the added wall is the one change, in new-sheet points. (Warped straight down from four times finer, thin
    lines alias into spurious added ink.)"""
    full, half = full_and_half_size

    result = compare_pages(_rendered(full, dpi=old_dpi), _rendered(half, dpi=200), sheet_key="A-101")

    assert result.ok, result.reason
    np.testing.assert_allclose(result.alignment.matrix, [[0.5, 0, 0], [0, 0.5, 0]], atol=0.05)
    (change,) = result.changes
    assert change.kind == "added" and boxes_match(change.bbox, (149.5, 210, 150.5, 260))
