"""Reading the text of change regions on pages without a text layer, where the analysis holds title-block words only."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

from buildtrace_assets.engine.analysis import PageAnalysis
from buildtrace_assets.engine.documents import Document
from buildtrace_assets.engine.model import BBox, Change, Word
from buildtrace_assets.engine.pagediff import PageComparison, numbered
from buildtrace_assets.engine.plot_scale import MAX_RENDER_DPI, finer_by, matrix_scale
from buildtrace_assets.engine.regions import cluster_boxes
from buildtrace_assets.engine.text import OCR_DPI, OCR_TIMEOUT_S, ocr_band
from buildtrace_assets.engine.textdiff import (
    map_words,
    region_text,
    snap_to_words,
    with_lonely_neighbours,
    without_moved,
    words_centred_in,
)

CHANGE_TEXT_MARGIN_PT = (54.0, 12.0)
"""OCR this far (horizontally, vertically) around a change region on pages without a text layer: a band along
the text line, so the whole words of a value whose changed ink is one glyph are read."""
LINE_WIDTH_PT = 2.0
LINE_LENGTH_PT = 36.0
"""Changed ink no wider than ``LINE_WIDTH_PT`` and longer than ``LINE_LENGTH_PT`` (half an inch, taller than any
note or dimension text) is one straight line: no glyph of drawing text is that thin and that long, so its band is
not read. Its band is the costliest a sheet has (a 5-in line's band at 200 dpi is ~0.3 megapixels, read four
times: both sides, as it is and without linework) and reads only the words it happens to cross."""


def _grow(box: BBox, margin: tuple[float, float], page: PageAnalysis) -> BBox:
    dx, dy = margin
    return (
        max(0.0, box[0] - dx),
        max(0.0, box[1] - dy),
        min(page.width_pt, box[2] + dx),
        min(page.height_pt, box[3] + dy),
    )


def _box_to_old(box: BBox, matrix: np.ndarray) -> BBox:
    """New-sheet box -> old-sheet box through the inverse alignment (bounding box of the mapped corners)."""
    inverse = cv2.invertAffineTransform(np.asarray(matrix, np.float64))
    corners = (
        np.array([[box[0], box[1], 1.0], [box[2], box[1], 1.0], [box[0], box[3], 1.0], [box[2], box[3], 1.0]])
        @ inverse.T
    )
    low, high = corners.min(axis=0), corners.max(axis=0)
    return (float(low[0]), float(low[1]), float(high[0]), float(high[1]))


def read_changed_text(
    result: PageComparison,
    docs: tuple[Document, Document],
    pages: tuple[PageAnalysis, PageAnalysis],
    ocr_timeout_s: float = OCR_TIMEOUT_S,
) -> list[Change]:
    """On pages read by OCR, the analysis only holds title-block words: OCR each change's surroundings instead.

    The changed ink may be one glyph of a value (``175,00`` -> ``176,50`` changes
    the last digits only), so the band read reaches along the text line and the
    region grows to the whole words it touches before they are compared. A
    change that ``needs_reading`` (little changed ink under words only one side
    had) stands only if both sides read as text and the texts differ by more
    than a speck at their ends: a glyph substitution, not a symbol OCR cannot
    read.
    """
    if not any(page.text_source == "ocr" for page in pages):
        return result.changes
    matrix = result.alignment.matrix
    old_finer, new_finer = finer_by(matrix_scale(matrix))
    sides = (
        _Bands(docs[0], pages[0], OCR_DPI * old_finer, ocr_timeout_s),
        _Bands(docs[1], pages[1], OCR_DPI * new_finer, ocr_timeout_s),
    )

    def bands(change: Change) -> tuple[BBox, BBox]:
        new_box = _grow(change.bbox, CHANGE_TEXT_MARGIN_PT, pages[1])
        return _grow(_box_to_old(new_box, matrix), (0.0, 0.0), pages[0]), new_box

    def read(change: Change) -> Change | None:
        if change.kind == "moved":
            return change  # its words were matched where it was and where it is; a reading here would undo that
        if not _can_hold_text(change):
            return change
        old_box, new_box = bands(change)
        old_words, new_words = without_moved(map_words(sides[0].words(old_box), matrix), sides[1].words(new_box))
        box = with_lonely_neighbours(snap_to_words(change.bbox, old_words + new_words), old_words, new_words)
        old_text, new_text = region_text(old_words, new_words, box)
        if change.needs_reading and (old_text is None or new_text is None or _same_but_specks(old_text, new_text)):
            return None
        kind = "modified" if old_text is not None and new_text is not None else change.kind
        return dataclasses.replace(
            change, kind=kind, bbox=box, old_text=old_text, new_text=new_text, needs_reading=False
        )

    wanted = [bands(change) for change in result.changes if change.kind != "moved" and _can_hold_text(change)]
    if wanted:
        with ThreadPoolExecutor(2, "buildtrace-ocr") as readers:  # each side's Tesseract runs in its own process
            list(readers.map(_Bands.read, sides, zip(*wanted, strict=True)))
    changes = [read_change for read_change in map(read, result.changes) if read_change is not None]
    return numbered(_without_overlaps(changes, read), result.sheet_key)


def _can_hold_text(change: Change) -> bool:
    """Whether the change's ink could be glyphs, so reading its band may say what changed: not a lone straight line
    (``LINE_WIDTH_PT``). A change that ``needs_reading`` is always read: reading decides whether it stands."""
    x0, y0, x1, y1 = change.bbox
    thin, long = sorted((x1 - x0, y1 - y0))
    return change.needs_reading or thin > LINE_WIDTH_PT or long <= LINE_LENGTH_PT


SPECK_MARKS = ".,:;|"
"""Marks a speck of toner or a resampled edge at a word's end reads as: ``125`` against ``125.`` is no edit."""


def _same_but_specks(old_text: str, new_text: str) -> bool:
    """Whether two readings differ only by speck-like marks at their ends, which confirms no changed glyph."""
    return old_text.strip().strip(SPECK_MARKS) == new_text.strip().strip(SPECK_MARKS)


class _Bands:
    """The words of one side's bands, each read once (a band grown into a neighbour's is read again only as the
    joint band): OCR, or the text layer's words there.

    Both sides are read over the same band, since a text layer's words elsewhere would pair with the band's as
    moved words and drop out of an added note (``EXISTING`` of another note taken for the added note's
    ``EXISTING``). OCR reads the smaller plot of a re-plotted sheet finer (``dpi``), so its smaller text is as
    many pixels tall as the larger plot's.
    """

    def __init__(self, document: Document, page: PageAnalysis, dpi: float, ocr_timeout_s: float) -> None:
        self._document, self._page = document, page
        self._dpi, self._timeout_s = min(dpi, MAX_RENDER_DPI), ocr_timeout_s
        self._read: dict[BBox, tuple[Word, ...]] = {}

    def read(self, bands: Sequence[BBox]) -> None:
        """Read every band not read yet.

        One read per band: reading them stacked on one image reads words at the bands' edges differently
        (measured on the benchmark's scans, it changed the engine's results), and with the Tesseract engine kept
        loaded a read costs no process start."""
        if self._page.text_source != "ocr":
            return
        for band in dict.fromkeys(bands):
            if band not in self._read:
                self._read[band] = ocr_band(
                    self._document, self._page.index, band, dpi=self._dpi, timeout_s=self._timeout_s
                )

    def words(self, band: BBox) -> tuple[Word, ...] | list[Word]:
        if self._page.text_source != "ocr":
            return words_centred_in(self._page.words, band)
        self.read([band])
        return self._read[band]


def _without_overlaps(changes: list[Change], read: Callable[[Change], Change | None]) -> list[Change]:
    """Changes whose boxes grew into each other while reading are one change, read again over the joint box.

    A value whose fraction changed ink and whose first digits changed text
    (``41'-6"`` -> ``42'-9 1/4"``) would otherwise be reported twice, and
    neither part would say the whole value.
    """
    if len(changes) < 2:
        return changes
    clusters = cluster_boxes(np.array([change.bbox for change in changes]))
    merged = []
    for cluster in range(clusters.max() + 1):
        members = [change for change, label in zip(changes, clusters, strict=True) if label == cluster]
        if len(members) == 1:
            merged.extend(members)
            continue
        kinds = {change.kind for change in members}
        joint = dataclasses.replace(
            members[0],
            bbox=(
                min(change.bbox[0] for change in members),
                min(change.bbox[1] for change in members),
                max(change.bbox[2] for change in members),
                max(change.bbox[3] for change in members),
            ),
            kind=kinds.pop() if len(kinds) == 1 else "modified",
            confidence=max(change.confidence for change in members),
        )
        merged.append(read(joint) or joint)
    return merged
