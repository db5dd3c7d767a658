"""Words and where they are: the PDF text layer first, Tesseract where there is none.

OCR costs about a second per ARCH D sheet against milliseconds for the text layer,
so the API works on regions: callers OCR the title block to identify a sheet
and the change regions to read changed values, and only a per-version job that
is reused by every comparison asks for whole sheets.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, Literal

import cv2
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
GLYPH_PX = 25.0
"""Glyph height Tesseract reads best (its models are trained on text of about 20-30 px x-height and cap height);
a band whose text is smaller is enlarged to it: 7-pt dimension text at 200 dpi is 16-17 px and misread beside
its dimension line."""
MAX_ENLARGEMENT = 2.0
LINE_LENGTH_GLYPHS = 2.0
"""Ink longer than this many glyph heights is linework when it is thin or sparse (a dimension line with its ticks
and extension lines): glyphs a scan's blur runs together (``OO``) are as long, but solid."""
LINEWORK_FILL = 0.15
"""Share of its bounding box a sparse piece of linework inks, at most (run-together glyphs ink 0.3-0.5)."""
STROKE_LENGTH_GLYPHS = 1.3
STROKE_WIDTH_GLYPHS = 0.25
"""A stroke thinner than this share of a glyph's height and longer than a glyph is tall is linework (an extension
line's dash), never a glyph."""
REGION_GAP_PT = 36.0
"""White space between regions read in one call: taller than drawing text, so no word or line spans two."""
RULING_PT = 72.0
"""A straight horizontal or vertical run of ink this long is a ruling, frame or border line, not a glyph."""
TEXT_MARGIN_PT = 36.0
"""What is kept around a title-block region's outermost glyphs when it is cropped for reading."""
EXTENT_COARSENING = 4
READS_KEPT = 16
"""Title blocks whose words are remembered by their pixels, so the other version's identical one is not read."""
_IDLE_ENGINES: list[Any] = []
_IDLE_LOCK = threading.Lock()


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


def _borrowed_engine() -> Any:
    """A Tesseract engine with its English model loaded, lent to one reader at a time (see :func:`_tesseract`)."""
    with _IDLE_LOCK:
        engine = _IDLE_ENGINES.pop() if _IDLE_ENGINES else None
    if engine is None:
        import tesserocr

        engine = tesserocr.PyTessBaseAPI(psm=tesserocr.PSM.SPARSE_TEXT)
    return engine


def _returned_engine(engine: Any) -> None:
    with _IDLE_LOCK:
        _IDLE_ENGINES.append(engine)


@contextmanager
def _tesseract() -> Iterator[Any]:
    """A Tesseract engine with its English model loaded, lent to one reader at a time.

    The engine is Debian's libtesseract (5.3, the one the confidence threshold and the tests are tuned on) through
    tesserocr built from source against it, not a wheel that bundles another Tesseract, which reads differently.
    A command-line Tesseract spends about 0.2 s of CPU loading the model before each image; an engine here loads
    it once and is kept for the process, and a thread that finds none idle (the two sides of a comparison read
    at once) loads its own. tesserocr is imported here, after ``OMP_THREAD_LIMIT`` is set above, because OpenMP
    reads it when the library loads, and sheets with a text layer never load it.
    """
    engine = _borrowed_engine()
    try:
        yield engine
    finally:
        _returned_engine(engine)


@contextmanager
def _engine_loading() -> Iterator[Callable[[], Any]]:
    """An engine borrowed on a thread of its own: loading a model (~0.15-0.3 s, outside the GIL) overlaps what the
    caller does meanwhile, the render of the regions to read in the document's child. The callable waits for it."""
    loaded: Future[Any] = Future()

    def load() -> None:
        try:
            loaded.set_result(_borrowed_engine())
        except BaseException as exc:  # noqa: BLE001 - the reader that waits for the engine raises it
            loaded.set_exception(exc)

    threading.Thread(target=load, name="buildtrace-ocr-engine", daemon=True).start()
    try:
        yield loaded.result
    finally:
        if loaded.exception() is None:
            _returned_engine(loaded.result())


def ocr_image(
    image: np.ndarray, dpi: float, *, origin: tuple[float, float] = (0.0, 0.0), timeout_s: float = OCR_TIMEOUT_S
) -> tuple[Word, ...]:
    """Words Tesseract finds in a grayscale raster; boxes in points, offset by ``origin`` (the raster's top-left).

    Sparse-text segmentation: drawing text is scattered labels and values, not paragraphs."""
    with _tesseract() as engine:
        return _recognized(engine, image, dpi, origin, timeout_s)


def _recognized(
    engine: Any, image: np.ndarray, dpi: float, origin: tuple[float, float], timeout_s: float
) -> tuple[Word, ...]:
    if image.ndim != 2 or image.size == 0:
        raise ValueError("expected a non-empty 2-D grayscale image")
    import tesserocr

    pixels = np.ascontiguousarray(image, np.uint8)
    height, width = pixels.shape
    word = tesserocr.RIL.WORD
    to_pt = 72.0 / dpi
    words = []
    engine.SetImageBytes(pixels.tobytes(), width, height, 1, width)
    if not engine.Recognize(timeout=max(1, round(timeout_s * 1000))):
        raise OcrError(f"OCR failed: no result within {timeout_s:g} s")
    for found in tesserocr.iterate_level(engine.GetIterator(), word):
        try:
            text = found.GetUTF8Text(word).strip()
        except RuntimeError:  # a word box in which Tesseract recognized no character
            continue
        if not text or found.Confidence(word) < MIN_OCR_CONFIDENCE:
            continue
        left, top, right, bottom = (value * to_pt for value in found.BoundingBox(word))
        box = (origin[0] + left, origin[1] + top, origin[0] + right, origin[1] + bottom)
        words.append(Word(text.translate(STRAIGHT_MARKS), box))
    return tuple(words)


def ocr_region(
    document: Document, index: int, region: BBox, *, dpi: float = OCR_DPI, timeout_s: float = OCR_TIMEOUT_S
) -> tuple[Word, ...]:
    """OCR one region of a page (in points), rendering only that region."""
    image = document.render(index, dpi, clip=region)
    return ocr_image(image, dpi, origin=(region[0], region[1]), timeout_s=timeout_s)


class _SharedReads:
    """Words of title blocks by their pixels, each read once: the two versions of a sheet are analysed side by side,
    and a sheet re-issued for changes elsewhere has the same title block, so what one version's reader has read, or
    is reading, the other takes instead of reading it again. The last ``kept`` are remembered; a read that failed is
    forgotten, so it is tried again."""

    def __init__(self, kept: int) -> None:
        self._kept = kept
        self._reads: OrderedDict[tuple[Any, ...], Future[tuple[Word, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def words(self, key: tuple[Any, ...], read: Callable[[], tuple[Word, ...]]) -> Future[tuple[Word, ...]]:
        """The words ``read`` reads now when no one has read ``key`` yet, else the other reader's (perhaps pending)."""
        with self._lock:
            known = self._reads.get(key)
            if known is not None:
                self._reads.move_to_end(key)
                return known
            mine: Future[tuple[Word, ...]] = Future()
            self._reads[key] = mine
            if len(self._reads) > self._kept:
                self._reads.popitem(last=False)
        try:
            mine.set_result(read())
        except BaseException as exc:  # noqa: BLE001 - whoever waits for these words gets the failure
            with self._lock:
                self._reads.pop(key, None)
            mine.set_exception(exc)
        return mine


_SHARED_READS = _SharedReads(READS_KEPT)


def text_extent(image: np.ndarray, dpi: float) -> tuple[int, int, int, int] | None:
    """The part of ``image`` that can hold text, ``(x0, y0, x1, y1)`` in pixels: its glyph-like ink (all but straight
    runs of ``RULING_PT``, a title block's frame, rulings and the sheet's border) and ``TEXT_MARGIN_PT`` of what is
    around it; None when there is no such ink.

    Most of a title-block region is paper, frame and rulings, and Tesseract's cost is mostly per pixel: a blank
    ARCH D strip at 200 dpi costs ~0.12 s of thresholding and layout analysis, the text of a CAD title block in it
    ~0.07 s when cropped to it. The margin keeps what Tesseract sees around every word as it was.
    """
    height, width = image.shape
    # found at a quarter of the resolution (a sixteenth of the pixels): the margin is far wider than what is lost
    coarse = cv2.resize(
        image, (max(1, width // EXTENT_COARSENING), max(1, height // EXTENT_COARSENING)), interpolation=cv2.INTER_AREA
    )
    ink = cv2.threshold(coarse, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    run = max(3, round(RULING_PT * dpi / 72.0 / EXTENT_COARSENING))
    rulings = cv2.bitwise_or(
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, run), np.uint8)),
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8)),
    )
    # with the pixel on either side: a line's ends and corners leave specks where the opening does not reach
    glyphs = cv2.findNonZero(cv2.subtract(ink, cv2.dilate(rulings, np.ones((3, 3), np.uint8))))
    if glyphs is None:
        return None
    left, top, extent_w, extent_h = (value * EXTENT_COARSENING for value in cv2.boundingRect(glyphs))
    margin = round(TEXT_MARGIN_PT * dpi / 72.0) + EXTENT_COARSENING
    return (
        max(0, left - margin),
        max(0, top - margin),
        min(width, left + extent_w + margin),
        min(height, top + extent_h + margin),
    )


def ocr_title_block(
    document: Document,
    index: int,
    regions: Sequence[BBox],
    *,
    dpi: float = OCR_DPI,
    timeout_s: float = OCR_TIMEOUT_S,
    while_reading: Callable[[], None] | None = None,
) -> list[tuple[Word, ...]]:
    """The words of each title-block region of a page (in points), read by one Tesseract call.

    The regions are rendered while an engine loads, each is cropped to the part that can hold text
    (:func:`text_extent`; a region without any is not read), and the crops are stacked top to bottom on one white
    image with a gap taller than any line of text between them (sparse-text mode reads each word on its own), read
    once, and every word goes back to the region it was found in. The other version of the sheet usually has the
    same title block: when its stacked image has the same pixels, the words read for one are the other's too.
    ``while_reading`` is called once the regions are rendered, before they are read: what the document's child can
    do while this process reads.
    """
    found: list[list[Word]] = [[] for _ in regions]
    with _engine_loading() as engine:
        images = [document.render(index, dpi, clip=region) for region in regions]
        if while_reading is not None:
            while_reading()
        crops = []
        for which, (region, image) in enumerate(zip(regions, images, strict=True)):
            extent = text_extent(image, dpi)
            if extent is not None:
                x0, y0, x1, y1 = extent
                crops.append((which, region, x0, y0, image[y0:y1, x0:x1]))
        if not crops:
            return [() for _ in regions]
        gap = round(REGION_GAP_PT * dpi / 72.0)
        tops = np.cumsum([0] + [crop.shape[0] + gap for *_, crop in crops[:-1]])
        sheet = np.full(
            (int(tops[-1]) + crops[-1][4].shape[0], max(crop.shape[1] for *_, crop in crops)), 255, np.uint8
        )
        for top, (*_, crop) in zip(tops, crops, strict=True):
            sheet[top : top + crop.shape[0], : crop.shape[1]] = crop
        key = (dpi, sheet.shape, hashlib.blake2b(sheet.data, digest_size=16).digest())
        words = _SHARED_READS.words(key, lambda: _recognized(engine(), sheet, dpi, (0.0, 0.0), timeout_s)).result()
    to_pt = 72.0 / dpi
    for word in words:
        stacked = int(np.searchsorted(tops, (word.bbox[1] + word.bbox[3]) / 2 / to_pt, side="right")) - 1
        which, region, x0, y0, _ = crops[stacked]
        dx, dy = region[0] + x0 * to_pt, region[1] + (y0 - tops[stacked]) * to_pt
        x_min, y_min, x_max, y_max = word.bbox
        found[which].append(Word(word.text, (x_min + dx, y_min + dy, x_max + dx, y_max + dy)))
    return [tuple(words) for words in found]


def ocr_band(
    document: Document, index: int, band: BBox, *, dpi: float = OCR_DPI, timeout_s: float = OCR_TIMEOUT_S
) -> tuple[Word, ...]:
    """The words of a change's band (a strip along one or a few lines of text), read as text and not as drawing.

    A dimension's value sits between its extension lines, on its dimension line with ticks at both ends: given
    as it is, Tesseract takes the line's ink for glyphs (``11'-1 1/8"`` read as ``'``). So the band is read a
    second time with its linework whitened and small text enlarged to the height Tesseract reads best
    (:func:`text_only`), and the reading that recognized more letters and digits is kept: where a glyph touches a
    line (a title's last letter on the title block's frame), whitening takes the glyph with the line, and the
    band as it is reads better.
    """
    image = document.render(index, dpi, clip=band)
    origin = (band[0], band[1])
    as_is = ocr_image(image, dpi, origin=origin, timeout_s=timeout_s)
    text, enlarged = text_only(image)
    if text is image:  # no linework, no small text: the second reading would be the first
        return as_is
    as_text = ocr_image(text, dpi * enlarged, origin=origin, timeout_s=timeout_s)
    return as_text if _characters(as_text) > _characters(as_is) else as_is


def _characters(words: Sequence[Word]) -> int:
    return sum(character.isalnum() for word in words for character in word.text)


def text_only(image: np.ndarray) -> tuple[np.ndarray, float]:
    """``image`` with its linework whitened and enlarged so its glyphs are about ``GLYPH_PX`` tall; the factor.
    ``image`` itself when there is neither linework nor small text.

    Glyph height is the median height of the ink's glyph-shaped parts (connected components no wider than twice
    their height); ink much longer than that, or thin and longer than a glyph, is drawing, not text. Only for
    bands of one text size: on a title block, a sheet number three times the notes' height would go as linework.
    """
    ink = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    width, height = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    glyphs = (height >= 6) & (width <= 2 * height)
    if count < 2 or not glyphs.any():
        return image, 1.0
    glyph = float(np.median(height[glyphs]))
    long, thin = np.maximum(width, height), np.minimum(width, height)
    fill = stats[1:, cv2.CC_STAT_AREA] / (width * height)
    linework = (long > LINE_LENGTH_GLYPHS * glyph) & (fill <= LINEWORK_FILL) | (
        (long > STROKE_LENGTH_GLYPHS * glyph) & (thin <= STROKE_WIDTH_GLYPHS * glyph)
    )
    factor = min(MAX_ENLARGEMENT, max(1.0, GLYPH_PX / glyph))
    if factor == 1.0 and not linework.any():
        return image, 1.0
    # whitened with its anti-aliased edge, in the paper's shade: a bare hole's grey outline reads as glyphs
    mask = cv2.dilate(np.concatenate(([False], linework))[labels].astype(np.uint8), np.ones((3, 3), np.uint8))
    paper = np.uint8(np.median(image[ink == 0])) if (ink == 0).any() else np.uint8(255)
    text = np.where(mask > 0, paper, image)
    if factor == 1.0:
        return text, 1.0
    return cv2.resize(text, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC), factor


def page_text(
    document: Document,
    index: int,
    *,
    ocr: OcrScope = "title_block",
    ocr_timeout_s: float = OCR_TIMEOUT_S,
    while_reading: Callable[[], None] | None = None,
) -> PageText:
    """The page's words: its text layer when usable, else OCR of ``ocr`` (title block regions or the full page;
    ``while_reading`` as :func:`ocr_title_block` takes it)."""
    words = document.text_layer_words(index)
    if usable_text_layer(words):
        return PageText(words, "text_layer")
    if ocr == "none":
        return PageText(words, "none")
    info = document.pages[index]
    if ocr == "full":
        return PageText(
            ocr_region(document, index, (0.0, 0.0, info.width_pt, info.height_pt), timeout_s=ocr_timeout_s), "ocr"
        )
    regions = title_block_regions(info.width_pt, info.height_pt)
    read = ocr_title_block(document, index, regions, timeout_s=ocr_timeout_s, while_reading=while_reading)
    return PageText(tuple(word for words in read for word in words), "ocr")
