"""Page comparison on real drawings by others, revised in code so the right answer is known by construction.

The vector drawing (a SOLIDWORKS A4 sheet with a text layer) is edited with
PyMuPDF — a dimension retyped, a line drawn, a feature frame redacted — and
re-plotted shifted, rotated and scaled; the raster drawing (a 300 dpi scan)
has a label repainted and a block moved, then is scanned again. The engine
must find exactly those changes, with the right kinds and text, and nothing
on the unchanged re-plots and re-scans.
"""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from buildtrace_assets.engine.model import BBox, RenderedPage, Word
from buildtrace_assets.engine.pagediff import compare_pages
from buildtrace_assets.engine.text import ocr_image
from buildtrace_assets.engine.textdiff import map_words, region_text, snap_to_words
from buildtrace_assets.samples.scoring import boxes_match

DPI = 150
VECTOR = "fixture_drawing_a4.pdf"
RASTER = "raster_Adapterplatte.jpg"
RASTER_DPI = 300
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _rendered(page: pymupdf.Page, dpi: float = DPI) -> RenderedPage:
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    image = np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.width).copy()
    words = tuple(Word(w[4], tuple(w[:4])) for w in page.get_text("words"))
    return RenderedPage(image, dpi, page.rect.width, page.rect.height, words)


def _replot(source: pymupdf.Document, shift: tuple[float, float], rotate: float, scale: float) -> pymupdf.Page:
    """The sheet plotted again off square: shifted, turned and scaled on a page of the same size."""
    target = pymupdf.open()
    page = target.new_page(width=source[0].rect.width, height=source[0].rect.height)
    width, height = page.rect.width * scale, page.rect.height * scale
    x0 = (page.rect.width - width) / 2 + shift[0]
    y0 = (page.rect.height - height) / 2 + shift[1]
    page.show_pdf_page(pymupdf.Rect(x0, y0, x0 + width, y0 + height), source, 0, rotate=rotate)
    return page


def _retype(page: pymupdf.Page, old: str, new: str) -> BBox:
    """Redact one printed value and print a revised one on its baseline; returns the new value's box."""
    (span,) = [
        s
        for block in page.get_text("dict")["blocks"]
        for line in block.get("lines", ())
        for s in line["spans"]
        if s["text"].strip().startswith(old)
    ]
    (where,) = page.search_for(old)
    page.add_redact_annot(where)
    page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE)
    page.insert_text(span["origin"], new, fontsize=span["size"], fontname="helv")
    (box,) = page.search_for(new)
    return tuple(box)


@pytest.fixture
def vector(real_drawing) -> pymupdf.Document:
    return pymupdf.open(real_drawing(VECTOR))


def test_a_replotted_vector_drawing_has_no_changes(vector):
    new = _replot(vector, shift=(6.0, -4.0), rotate=0, scale=0.99)

    result = compare_pages(_rendered(vector[0]), _rendered(new), sheet_key="A4")

    assert result.ok, result.reason
    assert result.changes == []


def test_a_revised_vector_drawing_reports_exactly_its_edits(vector):
    """Two retyped dimensions, one new line and one deleted feature frame, then re-plotted off square."""
    revised = pymupdf.open()
    revised.insert_pdf(vector)
    page = revised[0]
    same_width = _retype(page, "3.40", "3.45")
    longer = _retype(page, "6.95", "16.95")
    page.draw_line((360, 380), (360, 460), width=0.7)
    page.add_redact_annot(pymupdf.Rect(60, 562, 142, 586))
    page.apply_redactions(graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED)
    shift = (5.0, 3.0)
    new = _replot(revised, shift=shift, rotate=0, scale=1.0)

    changes = compare_pages(_rendered(vector[0]), _rendered(new), sheet_key="A4").changes

    def moved(box: BBox) -> BBox:
        return (box[0] + shift[0], box[1] + shift[1], box[2] + shift[0], box[3] + shift[1])

    expected = [
        ("modified", moved(same_width), "3.40", "3.45"),
        ("added", moved((359.6, 380, 360.4, 460)), None, None),
        ("modified", moved(longer), "6.95", "16.95"),
        ("removed", moved((62, 565, 140, 583)), "0,6 A", None),
    ]
    assert len(changes) == len(expected), [(c.kind, c.bbox, c.old_text, c.new_text) for c in changes]
    for kind, box, old_text, new_text in expected:
        (hit,) = [c for c in changes if boxes_match(c.bbox, box)]
        assert (hit.kind, hit.old_text, hit.new_text) == (kind, old_text, new_text)


def _label_boxes(path: Path) -> dict[str, tuple[int, int, int, int]]:
    """The OCR truth of a raster drawing: each label's pixel box (x0, y0, x1, y1) by its text, first one first."""
    with path.with_suffix(".ocr_truth.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    boxes: dict[str, tuple[int, int, int, int]] = {}
    for row in rows:
        xs, ys = list(map(int, row[0:8:2])), list(map(int, row[1:8:2]))
        boxes.setdefault(row[8], (min(xs), min(ys), max(xs), max(ys)))
    return boxes


def _scanned(image: np.ndarray, seed: int, shift_px: tuple[float, float], angle: float) -> np.ndarray:
    """The sheet scanned again: off square, softened, noisy and JPEG-compressed."""
    height, width = image.shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    turn[:, 2] += shift_px
    moved = cv2.warpAffine(image, turn, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    rng = np.random.default_rng(seed)
    noisy = cv2.GaussianBlur(moved, (3, 3), 0).astype(np.float32) * 0.95 + rng.normal(0, 5, moved.shape)
    _, jpeg = cv2.imencode(".jpg", np.clip(noisy, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 70])
    return cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)


def _page(image: np.ndarray, scan_dpi: float = RASTER_DPI) -> RenderedPage:
    """A raster scanned at ``scan_dpi`` as the comparison sees it: at ``DPI``, without text (scans carry none)."""
    height, width = image.shape
    factor = DPI / scan_dpi
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    small = cv2.resize(image, (round(width * factor), round(height * factor)), interpolation=interpolation)
    return RenderedPage(small, DPI, width * 72 / scan_dpi, height * 72 / scan_dpi)


def _points(box: tuple[int, int, int, int]) -> BBox:
    return tuple(v * 72 / RASTER_DPI for v in box)


def _repaint(image: np.ndarray, box: tuple[int, int, int, int], text: str) -> None:
    """Cover a label with paper and letter a new one in its place, at its height."""
    x0, y0, x1, y1 = box
    image[y0:y1, x0:x1] = 255
    canvas = Image.fromarray(image)
    ImageDraw.Draw(canvas).text((x0, y0), text, fill=0, font=ImageFont.truetype(str(FONT), round((y1 - y0) * 0.9)))
    image[:] = np.asarray(canvas)


@pytest.fixture
def raster(real_drawing) -> tuple[np.ndarray, dict[str, tuple[int, int, int, int]]]:
    path = real_drawing(RASTER)
    return cv2.imread(str(path), cv2.IMREAD_GRAYSCALE), _label_boxes(path)


def test_a_rescanned_raster_drawing_has_no_changes(raster):
    image, _ = raster

    result = compare_pages(_page(image), _page(_scanned(image, 1, (14.0, -9.0), 0.3)), sheet_key="raster")

    assert result.ok, result.reason
    assert result.changes == []


@pytest.mark.parametrize(
    ("name", "scan_dpi"), [("raster_Adapterplatte.jpg", 300), ("raster_Gripper.jpg", 300), ("raster_LIU0010.jpg", 96)]
)
@pytest.mark.parametrize(("seed", "shift_px", "angle"), [(2, (-6.0, 11.0), -0.8), (3, (3.0, 3.0), 1.5)])
def test_every_real_raster_scanned_again_off_square_has_no_changes(real_drawing, name, scan_dpi, seed, shift_px, angle):
    image = cv2.imread(str(real_drawing(name)), cv2.IMREAD_GRAYSCALE)

    result = compare_pages(
        _page(image, scan_dpi), _page(_scanned(image, seed, shift_px, angle), scan_dpi), sheet_key="x"
    )

    assert result.ok, result.reason
    assert result.changes == []


def test_a_revised_raster_drawing_reports_a_changed_value_and_a_moved_block(raster):
    """A dimension repainted in place reads as modified; a caption moved far reads as one move from there to here."""
    image, labels = raster
    revised = image.copy()
    value = labels["20,00"]
    _repaint(revised, value, "26,50")
    caption = labels["other_info"]
    offset = 600
    x0, y0, x1, y1 = caption
    block = revised[y0:y1, x0:x1].copy()
    revised[y0:y1, x0:x1] = 255
    revised[y0:y1, x0 + offset : x1 + offset] = np.minimum(revised[y0:y1, x0 + offset : x1 + offset], block)
    old, new = _page(image), _page(_scanned(revised, 2, (0.0, 0.0), 0.0))

    result = compare_pages(old, new, sheet_key="raster")

    assert result.ok, result.reason
    expected = [("modified", _points(value)), ("moved", _points((x0 + offset, y0, x1 + offset, y1)))]
    assert len(result.changes) == len(expected), [(c.kind, c.bbox) for c in result.changes]
    for kind, box in expected:
        (hit,) = [c for c in result.changes if boxes_match(c.bbox, box)]
        assert hit.kind == kind
    (moved,) = [c for c in result.changes if c.kind == "moved"]
    assert moved.from_bbox is not None and boxes_match(moved.from_bbox, _points(caption))
    assert moved.offset is not None and moved.offset.dx == pytest.approx(offset * 72 / RASTER_DPI, abs=1.0)
    (changed,) = [c for c in result.changes if c.kind == "modified"]
    old_words, new_words = (_ocr(picture, _text_line_around(changed.bbox)) for picture in (image, revised))
    old_words = map_words(old_words, result.alignment.matrix)
    whole_value = snap_to_words(changed.bbox, [*old_words, *new_words])
    assert boxes_match(whole_value, _points(value))
    assert region_text(old_words, new_words, whole_value) == ("20,00", "26,50")


def _text_line_around(box: BBox) -> BBox:
    """Where to read a change on a scan: the changed glyphs may be mid-value, so reach further along the line."""
    return (box[0] - 54, box[1] - 12, box[2] + 54, box[3] + 12)


def _ocr(image: np.ndarray, box: BBox) -> tuple[Word, ...]:
    """Words of one region of a 300 dpi raster, in page points."""
    x0, y0, x1, y1 = (round(v * RASTER_DPI / 72) for v in box)
    return ocr_image(image[y0:y1, x0:x1], RASTER_DPI, origin=(x0 * 72 / RASTER_DPI, y0 * 72 / RASTER_DPI))
