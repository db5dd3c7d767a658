"""Words and where they are: the PDF text layer first, Tesseract where there is none.

OCR costs about 2 s per ARCH D sheet against milliseconds for the text layer,
so the API works on regions: callers OCR the title block to identify a sheet
and the change regions to read changed values, and only a per-version job that
is reused by every comparison asks for whole sheets.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Literal

import numpy as np

from buildtrace_assets.engine.documents import Document
from buildtrace_assets.engine.errors import OcrError
from buildtrace_assets.engine.model import BBox, PageText, Word

# Tesseract's OpenMP threads oversubscribe small machines and make it about 4x
# slower; one thread per process is faster, and callers parallelize by page.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

OcrScope = Literal["none", "title_block", "full"]

OCR_DPI = 200.0
"""Raster resolution for OCR: 150 dpi leaves 6 pt note text about 12 px tall, too small for Tesseract."""
OCR_TIMEOUT_S = 120.0
"""Longest one region's OCR may take, unless the caller's settings say otherwise (``ocr_timeout_s``)."""
REGION_GAP_PT = 36.0
"""White space between regions read in one call: taller than drawing text, so no word or line spans two."""
MIN_OCR_CONFIDENCE = 40.0
STRAIGHT_MARKS = str.maketrans(
    {"\u201c": '"', "\u201d": '"', "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u2032": "'"}
)
"""Tesseract reads the inch and foot marks of dimensions (``5/8"``, ``12'-6"``) as typographic quotes; drawings
mean the straight marks, which is also what their text layers hold."""
MIN_TEXT_LAYER_WORDS = 3
TITLE_BLOCK_RIGHT_STRIP = 0.2
"""Share of the width searched as the right-hand title strip."""
TITLE_BLOCK_BOTTOM_BAND = 0.2
"""Share of the height searched as the bottom title band (right half of the sheet)."""


def usable_text_layer(words: tuple[Word, ...]) -> bool:
    """Whether the text layer carries readable text (CAD exports often draw text as paths, or embed unmapped glyphs)."""
    readable = [w for w in words if any(ch.isalnum() for ch in w.text)]
    garbled = sum(w.text.count("\ufffd") for w in words)
    return len(readable) >= MIN_TEXT_LAYER_WORDS and garbled <= 0.1 * sum(len(w.text) for w in words)


def title_block_regions(width_pt: float, height_pt: float) -> tuple[BBox, ...]:
    """Where title blocks sit on drawings: a right-hand strip and a bottom band on the right half."""
    strip_x = width_pt * (1 - TITLE_BLOCK_RIGHT_STRIP)
    band_y = height_pt * (1 - TITLE_BLOCK_BOTTOM_BAND)
    return ((strip_x, 0.0, width_pt, height_pt), (width_pt * 0.5, band_y, strip_x, height_pt))


def _pytesseract() -> ModuleType:
    """pytesseract, imported without pandas.

    pytesseract imports pandas whenever it is installed (about 0.5 s, on the path of every first OCR) though only
    its DataFrame output needs it, which the engine never asks for; a None entry makes that one import fail, and
    is removed again so the rest of the process imports pandas as usual. A process that already has pandas
    (Dagster's) keeps it.
    """
    if "pytesseract" not in sys.modules and "pandas" not in sys.modules:
        sys.modules["pandas"] = None  # type: ignore[assignment]
        try:
            import pytesseract
        finally:
            del sys.modules["pandas"]
    import pytesseract

    return pytesseract


def ocr_image(
    image: np.ndarray, dpi: float, *, origin: tuple[float, float] = (0.0, 0.0), timeout_s: float = OCR_TIMEOUT_S
) -> tuple[Word, ...]:
    """Words Tesseract finds in a grayscale raster; boxes in points, offset by ``origin`` (the raster's top-left)."""
    if image.ndim != 2 or image.size == 0:
        raise ValueError("expected a non-empty 2-D grayscale image")
    pytesseract = _pytesseract()
    try:
        data = pytesseract.image_to_data(
            image, config="--psm 11", output_type=pytesseract.Output.DICT, timeout=timeout_s
        )
    except RuntimeError as exc:
        raise OcrError(f"OCR failed: {exc}") from None
    except pytesseract.TesseractError as exc:
        raise OcrError(f"OCR failed: {exc.message}") from None
    to_pt = 72.0 / dpi
    words = []
    for text, conf, left, top, width, height in zip(
        data["text"], data["conf"], data["left"], data["top"], data["width"], data["height"], strict=True
    ):
        if not text.strip() or float(conf) < MIN_OCR_CONFIDENCE:
            continue
        x0, y0 = origin[0] + left * to_pt, origin[1] + top * to_pt
        words.append(Word(text.strip().translate(STRAIGHT_MARKS), (x0, y0, x0 + width * to_pt, y0 + height * to_pt)))
    return tuple(words)


def ocr_region(
    document: Document, index: int, region: BBox, *, dpi: float = OCR_DPI, timeout_s: float = OCR_TIMEOUT_S
) -> tuple[Word, ...]:
    """OCR one region of a page (in points), rendering only that region."""
    image = document.render(index, dpi, clip=region)
    return ocr_image(image, dpi, origin=(region[0], region[1]), timeout_s=timeout_s)


def ocr_regions(
    document: Document,
    index: int,
    regions: Sequence[BBox],
    *,
    dpi: float = OCR_DPI,
    timeout_s: float = OCR_TIMEOUT_S,
) -> list[tuple[Word, ...]]:
    """The words of each region of a page (in points), read by one Tesseract call.

    Each Tesseract process spends about 0.2 s loading its model before it reads a pixel, more than a change's band
    takes to read; so the regions are rendered, stacked top to bottom on one white image with a gap taller than
    any line of text between them (sparse-text mode reads each word on its own), read once, and every word goes
    back to the region it was found in.
    """
    if not regions:
        return []
    if len(regions) == 1:
        return [ocr_region(document, index, regions[0], dpi=dpi, timeout_s=timeout_s)]
    images = [document.render(index, dpi, clip=region) for region in regions]
    gap = round(REGION_GAP_PT * dpi / 72.0)
    tops = np.cumsum([0] + [image.shape[0] + gap for image in images[:-1]])
    sheet = np.full((int(tops[-1]) + images[-1].shape[0], max(image.shape[1] for image in images)), 255, np.uint8)
    for top, image in zip(tops, images, strict=True):
        sheet[top : top + image.shape[0], : image.shape[1]] = image
    found: list[list[Word]] = [[] for _ in regions]
    to_pt = 72.0 / dpi
    for word in ocr_image(sheet, dpi, timeout_s=timeout_s):
        middle = (word.bbox[1] + word.bbox[3]) / 2 / to_pt
        which = int(np.searchsorted(tops, middle, side="right")) - 1
        dy = regions[which][1] - tops[which] * to_pt
        x0, y0, x1, y1 = word.bbox
        found[which].append(Word(word.text, (x0 + regions[which][0], y0 + dy, x1 + regions[which][0], y1 + dy)))
    return [tuple(words) for words in found]


def page_text(
    document: Document, index: int, *, ocr: OcrScope = "title_block", ocr_timeout_s: float = OCR_TIMEOUT_S
) -> PageText:
    """The page's words: its text layer when usable, else OCR of ``ocr`` (title block regions or the full page)."""
    words = document.text_layer_words(index)
    if usable_text_layer(words):
        return PageText(words, "text_layer")
    if ocr == "none":
        return PageText(words, "none")
    info = document.pages[index]
    regions = (
        ((0.0, 0.0, info.width_pt, info.height_pt),)
        if ocr == "full"
        else title_block_regions(info.width_pt, info.height_pt)
    )
    read = ocr_regions(document, index, regions, timeout_s=ocr_timeout_s)
    return PageText(tuple(word for words in read for word in words), "ocr")
