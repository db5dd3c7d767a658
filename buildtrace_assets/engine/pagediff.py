"""Compare one old page with its new revision: align, find changed ink, read changed text.

The result keeps the old page warped into the new page's pixel frame and the
changed-ink masks (about 3 bytes per new-sheet pixel in all), which is what
the overlay and the crops are drawn from; nothing else of the intermediate
work outlives the call.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

from buildtrace_assets.engine.alignment import IDENTITY, align_pages, identical, old_to_new_pixels
from buildtrace_assets.engine.manual_alignment import landing_share, refined
from buildtrace_assets.engine.model import Alignment, BBox, Change, ChangeKind, RenderedPage, Word
from buildtrace_assets.engine.moves import InkPage, SheetUnits, find_item_moves
from buildtrace_assets.engine.plot_scale import at_drawing_resolution, drawing_px_per_pt, expected_scale
from buildtrace_assets.engine.regions import (
    CORE_LEVEL,
    NO_PIXELS,
    Pixels,
    cluster_boxes,
    find_change_regions,
    find_darker_regions,
    ink_level,
    paper_level,
    raw_differences,
    tolerance_px,
)
from buildtrace_assets.engine.textdiff import (
    map_words,
    phrase_boxes,
    region_text,
    snap_to_words,
    unmatched_words,
    value_boxes,
    without_moved,
    words_in,
)
from buildtrace_assets.engine.views import align_views
from buildtrace_assets.engine.warp import warp_affine
from buildtrace_assets.observability.tracing import engine_stage

READING_BAND_PT = 36.0
"""Regions whose tops lie in the same half-inch band are read left to right."""
TEXT_ONLY_MIN_INK_PT2 = 1.0
"""A word change found only in the text needs at least this much changed ink to count (OCR noise has none)."""
TEXT_ONLY_MIN_INK_SHARE = 0.05
"""Where either side's words come from OCR, the changed ink must also be this share of the phrase's ink."""
TEXT_ONLY_CONFIDENCE = 0.6
TEXT_ONLY_TOLERANCE_PT = 0.0
"""Pixel-exact, unlike regions: a 3 that became a 5 differs by about a pixel at 150 DPI."""
UNREAD_GLYPHS_SMALLEST_PT2 = (TEXT_ONLY_MIN_INK_PT2, 1.5)
"""Smallest blob and region of pixel-exact changed ink that is read to see whether it is a changed glyph, where
neither sheet's drawing text was read: a 2 that became a 6 in 7-pt text changes about 3 pt² of ink, the crossbar
a 0 gains as an 8 under 2 pt² at 150 dpi."""
GLYPHS_MAX_PT = (96.0, 16.0)
"""Widest and tallest such region: changed glyphs of a value or a few words on one line. Longer or taller
pixel-exact differences are the edges of lines resampled a fraction of a pixel off, not text."""
GLYPHS_MIN_SIDE_PT = 1.5
"""...and its narrower side at least this: a sliver one pixel wide is a resampled edge too..."""
GLYPH_PART_MAX_PT = 4.0
"""...unless it is no longer than this: the crossbar a ``0`` gains as an ``8`` is a pixel or two high at 150 dpi."""
GLYPH_DARKNESS_STEP = 0.5
"""Changed glyph ink is at least this much darker (paper 0, the sheet's own ink 1) than the other sheet there."""


@dataclass(frozen=True)
class PageComparison:
    """Everything found when comparing two revisions of one sheet."""

    sheet_key: str
    alignment: Alignment
    changes: list[Change]
    old_in_new: np.ndarray | None
    """Old page image warped into the new page's pixel frame; None when alignment failed."""
    added: Pixels | None
    """New-page pixels of ink only on the new page."""
    removed: Pixels | None
    """New-page pixels of ink only on the old page."""

    @property
    def ok(self) -> bool:
        return self.alignment.ok

    @property
    def reason(self) -> str | None:
        return self.alignment.reason


def compare_pages(
    old: RenderedPage, new: RenderedPage, *, sheet_key: str, manual: Alignment | None = None
) -> PageComparison:
    """Align ``old`` onto ``new`` and list the changes in new-sheet points, in reading order.

    A page pair that cannot be aligned yields ``ok=False`` and no changes, never a silent empty diff.
    A ``manual`` alignment (from a person's point pairs) replaces the automatic one (refined by the sheets' detail,
    :func:`.manual_alignment.refined`).
    """
    if manual is None and identical(old, new):
        return PageComparison(sheet_key, IDENTITY, [], new.image, NO_PIXELS, NO_PIXELS)
    with engine_stage("align", sheet=sheet_key):
        alignment = refined(manual, old, new) if manual else align_pages(old, new, expected_scale(old, new))
    if not alignment.ok:
        return PageComparison(sheet_key, alignment, [], None, None, None)
    old = at_drawing_resolution(old, new, alignment.matrix)
    height, width = new.image.shape
    to_new_px = old_to_new_pixels(alignment.matrix, old, new)
    old_in_new = warp_affine(old.image, to_new_px, (width, height))
    px_per_pt = drawing_px_per_pt(new, alignment.matrix)
    if manual is not None:
        alignment = dataclasses.replace(alignment, score=landing_share(old_in_new, new.image, px_per_pt))
    compared = _common_area(old.image.shape, to_new_px, new.image.shape, 2 * tolerance_px(px_per_pt))
    papers = (paper_level(old_in_new), paper_level(new.image))
    ink = find_change_regions(old_in_new, new.image, compared, px_per_pt, papers)
    piecewise = align_views(InkPage(old_in_new, new, ink.removed, ink.added, papers, px_per_pt), ink, compared)
    old_in_new, ink = piecewise.old_in_new, piecewise.ink
    old_mapped = piecewise.words(map_words(old.words, alignment.matrix))
    # Text from one side only (e.g. a scan not yet OCRed) would read as every word added or removed.
    read_text = bool(old.words) and bool(new.words)
    old_words, new_words = without_moved(old_mapped, new.words) if read_text else ([], [])
    found = [_Candidate(_to_points(region.box, new), region.kind, region.confidence) for region in ink.regions]
    ocr_sides = (old.text_source == "ocr", new.text_source == "ocr")
    if read_text:
        found += _text_only_changes(
            old_words, new_words, new, old_in_new, compared, papers, [r.box for r in ink.regions], ocr_sides, px_per_pt
        )
    if all(ocr_sides):
        found += _unread_glyph_changes(old_in_new, new, compared, papers, [r.box for r in ink.regions], px_per_pt)
    found = _merge_by_words(found, old_words + new_words)
    found.sort(key=lambda item: (math.floor(item.box[1] / READING_BAND_PT), item.box[0]))
    changes = []
    for box, kind, confidence, needs_reading in found:
        old_text, new_text = region_text(old_words, new_words, box)
        if old_text is not None and new_text is not None:
            kind = "modified"
        changes.append(Change("", kind, box, old_text, new_text, confidence, needs_reading=needs_reading))
    units = SheetUnits(old_mapped, new.words, alignment.scale)
    changes = find_item_moves(changes, InkPage(old_in_new, new, ink.removed, ink.added, papers, px_per_pt), units)
    changes = piecewise.with_views(changes, units)
    return PageComparison(sheet_key, alignment, numbered(changes, sheet_key), old_in_new, ink.added, ink.removed)


def numbered(changes: list[Change], sheet_key: str) -> list[Change]:
    """The changes with their ids, ``<sheet key>-<n>`` in the order given (reading order)."""
    return [dataclasses.replace(change, id=f"{sheet_key}-{n}") for n, change in enumerate(changes, start=1)]


class _Candidate(NamedTuple):
    box: BBox
    kind: ChangeKind
    confidence: float
    needs_reading: bool = False


def _merge_by_words(found: list[_Candidate], words: list[Word]) -> list[_Candidate]:
    """Grow each region to the whole words it mostly covers, merge regions that overlap, until nothing changes.

    So two changed glyph clusters of one dimension string become one change
    whose box covers the whole string, as a reader would mark it. Repeats
    because a grown box can take in a word (the longer old value) that
    reaches the next cluster.
    """
    while True:
        merged = _merge_once(found, words)
        if [c.box for c in merged] == [c.box for c in found]:
            return merged
        found = merged


def _merge_once(found: list[_Candidate], words: list[Word]) -> list[_Candidate]:
    if not found:
        return []
    boxes = np.array([snap_to_words(candidate.box, words) for candidate in found])
    clusters = cluster_boxes(boxes)
    merged = []
    for cluster in range(clusters.max() + 1):
        members = [found[i] for i in np.flatnonzero(clusters == cluster)]
        member_boxes = boxes[clusters == cluster]
        kinds = {member.kind for member in members}
        merged.append(
            _Candidate(
                box=(
                    float(member_boxes[:, 0].min()),
                    float(member_boxes[:, 1].min()),
                    float(member_boxes[:, 2].max()),
                    float(member_boxes[:, 3].max()),
                ),
                kind=kinds.pop() if len(kinds) == 1 else "modified",
                confidence=max(member.confidence for member in members),
                needs_reading=all(member.needs_reading for member in members),
            )
        )
    return merged


def _common_area(
    old_shape: tuple[int, int], to_new_px: np.ndarray, new_shape: tuple[int, int], inset: int
) -> np.ndarray:
    """New-page pixels the old page covers too, kept clear of its edges where resampling blurs."""
    height, width = old_shape
    corners = np.array(
        [
            [inset, inset],
            [width - 1 - inset, inset],
            [width - 1 - inset, height - 1 - inset],
            [inset, height - 1 - inset],
        ],
        np.float64,
    )
    mapped = cv2.transform(corners[None], to_new_px)[0]
    area = np.zeros(new_shape, np.uint8)
    cv2.fillConvexPoly(area, np.round(mapped).astype(np.int32), 1)
    return area


def _to_points(box: tuple[int, int, int, int], page: RenderedPage) -> BBox:
    sy, sx = page.image.shape[0] / page.height_pt, page.image.shape[1] / page.width_pt
    return (box[0] / sx, box[1] / sy, box[2] / sx, box[3] / sy)


def _to_pixels(box: BBox, page: RenderedPage) -> tuple[int, int, int, int]:
    height, width = page.image.shape
    sy, sx = height / page.height_pt, width / page.width_pt
    return (
        max(0, math.floor(box[0] * sx)),
        max(0, math.floor(box[1] * sy)),
        min(width, math.ceil(box[2] * sx)),
        min(height, math.ceil(box[3] * sy)),
    )


def _text_only_changes(
    old_words: list[Word],
    new_words: list[Word],
    new: RenderedPage,
    old_in_new: np.ndarray,
    compared: np.ndarray,
    papers: tuple[float, float],
    ink_boxes: list[tuple[int, int, int, int]],
    ocr_sides: tuple[bool, bool],
    px_per_pt: float,
) -> list[_Candidate]:
    """Word changes whose ink was too small for a region but is really there (e.g. one digit).

    The pixel-exact check must find a real share of the words' ink changed
    where either side's words come from OCR, so an OCR misread over unchanged
    ink (only a few edge pixels differ) is not a change. Text-layer words need
    only the absolute minimum: they say what the drawing says, and one changed
    glyph of small note text (``1:20`` -> ``1:26``) differs from the resampled
    old glyph by a handful of pixels, far below a share of the whole phrase's
    ink. Where one side is a scan whose text was never read there (OCR covers
    the title block), the words of the other side alone cannot tell: the
    absolute minimum makes the phrase a candidate that ``needs_reading``.
    """
    found = []
    for box, unread in _lonely_phrases(old_words, new_words, ocr_sides):
        x0, y0, x1, y1 = _to_pixels(box, new)
        if x1 <= x0 or y1 <= y0 or any(_overlaps((x0, y0, x1, y1), ink_box) for ink_box in ink_boxes):
            continue
        if region_text(old_words, new_words, box) == (None, None):
            continue
        old_crop, new_crop = old_in_new[y0:y1, x0:x1], new.image[y0:y1, x0:x1]
        added, removed = raw_differences(
            old_crop, new_crop, compared[y0:y1, x0:x1], px_per_pt, papers, TEXT_ONLY_TOLERANCE_PT
        )
        added_px, removed_px = cv2.countNonZero(added), cv2.countNonZero(removed)
        ink_px = cv2.countNonZero(cv2.threshold(old_crop, CORE_LEVEL * papers[0], 1, cv2.THRESH_BINARY_INV)[1])
        ink_px += cv2.countNonZero(cv2.threshold(new_crop, CORE_LEVEL * papers[1], 1, cv2.THRESH_BINARY_INV)[1])
        min_share = TEXT_ONLY_MIN_INK_SHARE if any(ocr_sides) and not unread else 0.0
        if added_px + removed_px < max(TEXT_ONLY_MIN_INK_PT2 * px_per_pt**2, min_share * ink_px):
            continue
        kind: ChangeKind = "modified" if added_px and removed_px else ("added" if added_px else "removed")
        found.append(_Candidate(box, kind, TEXT_ONLY_CONFIDENCE, needs_reading=unread))
    return found


def _unread_glyph_changes(
    old_in_new: np.ndarray,
    new: RenderedPage,
    compared: np.ndarray,
    papers: tuple[float, float],
    ink_boxes: list[tuple[int, int, int, int]],
    px_per_pt: float,
) -> list[_Candidate]:
    """Changed glyphs of small text where both sheets are rasters, so no words say where the drawing's text is.

    A glyph substitution in 7-pt text (``2%`` -> ``6%``) leaves almost no ink
    farther than the regions' tolerance from the old glyph, whatever either
    side's resolution or sharpness: the same edit between two clean 150-dpi
    exports is missed too. Compared pixel-exact it stands out, and so does
    some misregistered or noisy edge ink. Each pixel is compared by darkness,
    not mere presence of ink: a scan's grey halos fill small counters where
    the other sheet's changed glyph puts its stroke (``3000`` -> ``3080``).
    Every such region ``needs_reading``,
    and stands only where OCR reads different text on the two sheets; regions
    shaped like no text (long slivers along lines) are not read at all.
    """
    inks = (ink_level(old_in_new, papers[0]), ink_level(new.image, papers[1]))
    glyphs = find_darker_regions(
        old_in_new,
        new.image,
        compared,
        px_per_pt,
        papers,
        inks,
        step=GLYPH_DARKNESS_STEP,
        smallest_pt2=UNREAD_GLYPHS_SMALLEST_PT2,
    )
    found = []
    for region in glyphs.regions:
        box = _to_points(region.box, new)
        width, height = box[2] - box[0], box[3] - box[1]
        glyph_like = (
            width <= GLYPHS_MAX_PT[0]
            and height <= GLYPHS_MAX_PT[1]
            and (min(width, height) >= GLYPHS_MIN_SIDE_PT or max(width, height) <= GLYPH_PART_MAX_PT)
        )
        if glyph_like and not any(_overlaps(region.box, ink_box) for ink_box in ink_boxes):
            found.append(_Candidate(box, region.kind, TEXT_ONLY_CONFIDENCE, needs_reading=True))
    return found


def _lonely_phrases(
    old_words: list[Word], new_words: list[Word], ocr_sides: tuple[bool, bool]
) -> list[tuple[BBox, bool]]:
    """Boxes of nearby words without a twin on the other sheet, and whether the other sheet's text there was never
    read (it is OCRed and has no word at all over them). Unread words stand alone (a value keeps its fraction):
    every word of a scan's notes is unread, and a changed glyph must narrow the change to its word, not the
    paragraph."""
    lonely_old, lonely_new = unmatched_words(old_words, new_words)
    unread: list[Word] = []
    read: list[Word] = []
    for lonely, other_ocr, other_words in (
        (lonely_old, ocr_sides[1], new_words),
        (lonely_new, ocr_sides[0], old_words),
    ):
        for word in lonely:
            (unread if other_ocr and not words_in(other_words, word.bbox) else read).append(word)
    return [(box, False) for box in phrase_boxes(read)] + [(box, True) for box in value_boxes(unread)]


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
