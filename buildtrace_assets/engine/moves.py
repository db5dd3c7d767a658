"""Moves: ink that left one place and arrived, the same, somewhere else on the sheet.

After global alignment a moved note, tag or symbol is removed ink here and
added ink there. Two such groups are one move when the removed ink, shifted
by one offset, lands on the new sheet's ink and the added ink, shifted back,
lands on the old sheet's ink: the ink patch is the evidence, found by
normalised cross-correlation of the removed ink against the added ink and
checked pixel by pixel, so two different symbols that share a label are not
a move. Where both places have words they must read the same; a block whose
words changed as it moved is a different block: it stays removed here and
added there, each with its text.

Everything is measured in the new page's pixel frame (the old page already
warped into it) and reported in new-sheet points, so it does not depend on
how the old page was rendered.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property

import cv2
import numpy as np

from buildtrace_assets.engine.drawing_scale import DrawingScale, scale_at, sheet_scales
from buildtrace_assets.engine.model import BBox, Change, Offset, RenderedPage, Word
from buildtrace_assets.engine.regions import Pixels, cluster_boxes, landed_share, landing
from buildtrace_assets.engine.textdiff import snap_to_words, tokens, words_in

ITEM_MATCH = 0.9
"""Share of each side's changed ink the other side must explain under the offset: the same block, only moved."""
MIN_MOVE_PT = 3.0
"""Shorter offsets are re-plotting jitter or a nudge within the ink tolerance, not moves."""
MIN_CHANGED_PT2 = 4.0
"""Each side of a move needs at least this much changed ink (the least a change region has): specks and a curve
drawn a little differently match anything under some short shift."""
MIN_BLOCK_PT = 6.0
"""...and must span at least this much on its longer side: a converter's misread spline of a few points is redrawn
near where it was, which reads as a short shift of a tiny block."""
SLIDE_PT = 4.0
"""How far off its offset a block's match is tried again: a block with detail no longer lands, a straight line does."""
SLIDE_KEEP = 0.8
"""...and the share of its pixel-exact landing a slid match must keep to make the offset ambiguous."""
TARGETS_TRIED = 8
"""Arrivals tried per removed block, nearest first: bounds the work on a sheet with hundreds of like changes."""
BLOCK_GAP_PT = 24.0
"""Changes of one kind this close may be parts of one moved block."""
SIZE_SLACK = (0.35, 4.0)
"""Boxes of a removed and an added group may differ by this share of the larger side plus these points (a tag that
lands on a wall loses the glyph parts the wall already covers)."""
COARSE_CELL_PT = 1.0
"""Resolution of the first, sheet-wide offset search; the offset is then refined at full resolution."""
REFINE_PT = 2.0
"""The refinement looks this far (or one coarse cell) around the coarse offset."""
REFINE_MAX_PT = 144.0
"""Side of the patch the refinement matches at most."""


_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
"""What is not a letter or digit: spacing and punctuation, where OCR errs most."""


@dataclass(frozen=True)
class Shift:
    """An offset in new-page pixels and how much of each side's changed ink it explains."""

    dx: int
    dy: int
    removed_share: float
    added_share: float

    @property
    def share(self) -> float:
        return min(self.removed_share, self.added_share)


@dataclass(frozen=True)
class InkPage:
    """The aligned page pair and its changed ink, which every move is measured against."""

    old_in_new: np.ndarray
    new: RenderedPage
    removed: Pixels
    added: Pixels
    papers: tuple[float, float]
    ink_px_per_pt: float
    """Pixels per point the ink tolerance and minimum sizes are measured in (the drawing's resolution)."""

    @property
    def px_per_pt(self) -> float:
        """The new page's frame: pixels per new-sheet point."""
        return self.new.image.shape[1] / self.new.width_pt

    def to_pixels(self, box: BBox) -> tuple[int, int, int, int]:
        s = self.px_per_pt
        height, width = self.new.image.shape
        return (
            max(0, math.floor(box[0] * s)),
            max(0, math.floor(box[1] * s)),
            min(width, math.ceil(box[2] * s)),
            min(height, math.ceil(box[3] * s)),
        )

    def to_points(self, box: tuple[float, float, float, float]) -> BBox:
        s = self.px_per_pt
        return (box[0] / s, box[1] / s, box[2] / s, box[3] / s)

    def inside(self, pixels: Pixels, box: tuple[int, int, int, int]) -> Pixels:
        keep = (pixels.columns >= box[0]) & (pixels.columns < box[2]) & (pixels.rows >= box[1]) & (pixels.rows < box[3])
        return Pixels(pixels.rows[keep], pixels.columns[keep])

    def explained(
        self, removed: bool, box: tuple[int, int, int, int], offset: tuple[int, int]
    ) -> tuple[int, int, int, int] | None:
        """Box of the removed (else added) pixels in ``box`` that land on the other sheet's ink when shifted by
        ``offset`` (removed ink on the new sheet, added ink on the old one); None when none do."""
        inside = self.inside(self.removed if removed else self.added, box)
        if len(inside.rows) == 0:
            return None
        image, paper = (self.new.image, self.papers[1]) if removed else (self.old_in_new, self.papers[0])
        landed = landing(inside, offset, image, paper, self.ink_px_per_pt)
        if not landed.any():
            return None
        return pixel_box(Pixels(inside.rows[landed], inside.columns[landed]))

    def shift_between(self, gone: Pixels, arrived: Pixels, cell_pt: float = COARSE_CELL_PT) -> Shift | None:
        """The offset that carries the removed ink ``gone`` onto the added ink ``arrived``, searched first on a grid
        of ``cell_pt`` cells; None when either is too small or they differ too much in amount to be one block."""
        minimum = MIN_CHANGED_PT2 * self.ink_px_per_pt**2
        if len(gone.rows) < minimum or len(arrived.rows) < minimum:
            return None
        if not 0.25 <= len(gone.rows) / len(arrived.rows) <= 4.0:
            return None
        if min(_longer_side(gone), _longer_side(arrived)) < MIN_BLOCK_PT * self.px_per_pt:
            return None
        cell = max(1, round(cell_pt * self.px_per_pt))
        dx, dy = self._refined(gone, _coarse_offset(gone, arrived, cell), cell)
        removed_share = landed_share(landing(gone, (dx, dy), self.new.image, self.papers[1], self.ink_px_per_pt))
        added_share = landed_share(landing(arrived, (-dx, -dy), self.old_in_new, self.papers[0], self.ink_px_per_pt))
        return Shift(dx, dy, removed_share, added_share)

    def ambiguous(self, gone: Pixels, arrived: Pixels, shift: Shift) -> bool:
        """Whether the match holds about as well ``SLIDE_PT`` off the offset, across or down, landing pixel on pixel:
        a straight line (a wall) lands on any stretch of another line, so a removed wall and an added one elsewhere
        are no move of one block, while text or a symbol slid off its place mostly misses."""

        def exact(dx: int, dy: int) -> float:
            return min(
                landed_share(landing(gone, (dx, dy), self.new.image, self.papers[1], self.ink_px_per_pt, 0.0)),
                landed_share(landing(arrived, (-dx, -dy), self.old_in_new, self.papers[0], self.ink_px_per_pt, 0.0)),
            )

        slide = round(SLIDE_PT * self.px_per_pt)
        held = SLIDE_KEEP * exact(shift.dx, shift.dy)
        return any(
            exact(shift.dx + ox, shift.dy + oy) >= held for ox, oy in ((slide, 0), (-slide, 0), (0, slide), (0, -slide))
        )

    def _refined(self, gone: Pixels, coarse: tuple[int, int], cell: int) -> tuple[int, int]:
        """The coarse offset made pixel-exact by matching the old ink patch against the new sheet around it, within
        a cell and ``REFINE_PT`` of it. A view's patch is cut to ``REFINE_MAX_PT`` around its middle: that part
        fixes the offset as well and costs a fraction."""
        height, width = self.new.image.shape
        reach = max(2, cell, round(REFINE_PT * self.px_per_pt))
        half = round(REFINE_MAX_PT * self.px_per_pt / 2)
        cx, cy = int(np.median(gone.columns)), int(np.median(gone.rows))
        x0, y0 = max(int(gone.columns.min()), cx - half), max(int(gone.rows.min()), cy - half)
        x1, y1 = min(int(gone.columns.max()) + 1, cx + half), min(int(gone.rows.max()) + 1, cy + half)
        template = self.old_in_new[y0:y1, x0:x1]
        sx0, sy0 = x0 + coarse[0] - reach, y0 + coarse[1] - reach
        sx1, sy1 = x1 + coarse[0] + reach, y1 + coarse[1] + reach
        if sx0 < 0 or sy0 < 0 or sx1 > width or sy1 > height or float(template.std()) == 0.0:
            return coarse
        scores = cv2.matchTemplate(self.new.image[sy0:sy1, sx0:sx1], template, cv2.TM_CCOEFF_NORMED)
        _, _, _, (best_x, best_y) = cv2.minMaxLoc(np.nan_to_num(scores, nan=-1.0))
        return sx0 + best_x - x0, sy0 + best_y - y0


def _longer_side(pixels: Pixels) -> int:
    x0, y0, x1, y1 = pixel_box(pixels)
    return max(x1 - x0, y1 - y0)


def _coarse_offset(gone: Pixels, arrived: Pixels, cell: int) -> tuple[int, int]:
    """Offset (pixels) maximising the normalised cross-correlation of the removed and the added ink, on a grid of
    ``cell``-pixel cells: the removed ink is the template, slid over every position where it overlaps the added ink."""
    template, t_origin = _cell_mask(gone, cell, margin=1)
    th, tw = template.shape
    search, s_origin = _cell_mask(arrived, cell, margin=max(th, tw))
    scores = cv2.matchTemplate(search, template, cv2.TM_CCORR_NORMED)
    _, _, _, (best_x, best_y) = cv2.minMaxLoc(np.nan_to_num(scores, nan=-1.0))
    return (
        (s_origin[0] + best_x - t_origin[0]) * cell,
        (s_origin[1] + best_y - t_origin[1]) * cell,
    )


def _cell_mask(pixels: Pixels, cell: int, margin: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The pixels on a grid of cells (blurred, so a one-cell misregistration still correlates) and the grid cell of
    the mask's top-left corner."""
    rows, columns = pixels.rows // cell, pixels.columns // cell
    top, left = int(rows.min()) - margin, int(columns.min()) - margin
    mask = np.zeros((int(rows.max()) - top + margin + 1, int(columns.max()) - left + margin + 1), np.float32)
    mask[rows - top, columns - left] = 1.0
    return cv2.GaussianBlur(mask, (3, 3), 0), (left, top)


@dataclass
class SheetUnits:
    """What a move needs to be told in words and drawing units: the sheet's words and its scale notes.

    A scale note is taken to be true of the larger of the two plots: a half-size set keeps the full-size set's
    notes. So on a sheet re-plotted at 50% a point stands for twice what its note says; and when the new sheet's
    notes were not read (a scan read only in its title block), the old sheet's are used.
    """

    old_words: Sequence[Word]
    """Old words in new-sheet points, all of them (those that only moved too)."""
    new_words: Sequence[Word]
    plot_scale: float = 1.0
    """New-sheet points per old-sheet point (the alignment's scale)."""

    @cached_property
    def scales(self) -> list[DrawingScale]:
        return sheet_scales(self.new_words) or sheet_scales(self.old_words)

    def offset(self, dx: float, dy: float, at: tuple[float, float]) -> Offset:
        scale = scale_at(self.scales, at)
        full_size = math.hypot(dx, dy) * max(1.0, 1.0 / self.plot_scale)
        return Offset(dx, dy, scale.format(full_size) if scale else None)


def text_of(words: Sequence[Word], box: BBox) -> str | None:
    """The words of a block as a reader takes them, or None when it has none."""
    return " ".join(tokens(words_in(words, box))) or None


def _same_words(old: str | None, new: str | None) -> bool:
    """Words agree unless both sides have some and their letters and digits differ (an OCR side may have read
    nothing, or ``4,`` for ``4.``)."""
    return old is None or new is None or _NOT_ALPHANUMERIC.sub("", old) == _NOT_ALPHANUMERIC.sub("", new)


def _union(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def pixel_box(pixels: Pixels) -> tuple[int, int, int, int]:
    """The box (exclusive ends) of some pixels."""
    return (
        int(pixels.columns.min()),
        int(pixels.rows.min()),
        int(pixels.columns.max()) + 1,
        int(pixels.rows.max()) + 1,
    )


def _centre_distance(a: BBox, b: BBox) -> float:
    return math.hypot((a[0] + a[2] - b[0] - b[2]) / 2, (a[1] + a[3] - b[1] - b[3]) / 2)


def _sizes_agree(a: BBox, b: BBox) -> bool:
    share, points = SIZE_SLACK
    for side in (0, 1):
        la, lb = a[side + 2] - a[side], b[side + 2] - b[side]
        if abs(la - lb) > share * max(la, lb) + points:
            return False
    return True


@dataclass(frozen=True)
class _Block:
    """One or more changes of one side that may have moved together: a change, or changes of one kind lying
    within ``BLOCK_GAP_PT`` of each other (a note whose removed glyphs the diff split where some fell on ink)."""

    members: tuple[int, ...]
    bbox: BBox
    text: str | None
    """The change's words on its side (a single change's only)."""
    kind: str
    confidence: float


def _blocks(changes: list[Change], kinds: tuple[str, str], text: str) -> list[_Block]:
    """Every change of ``kinds`` on its own, plus each group of nearby changes of ``kinds[0]``."""
    single = [i for i, change in enumerate(changes) if change.kind in kinds]
    blocks = [
        _Block((i,), changes[i].bbox, getattr(changes[i], text), changes[i].kind, changes[i].confidence) for i in single
    ]
    pure = [i for i in single if changes[i].kind == kinds[0]]
    if len(pure) < 2:
        return blocks
    labels = cluster_boxes(np.array([changes[i].bbox for i in pure]), BLOCK_GAP_PT)
    for label in range(labels.max() + 1):
        members = tuple(i for i, own in zip(pure, labels, strict=True) if own == label)
        if len(members) < 2:
            continue
        boxes = np.array([changes[i].bbox for i in members])
        blocks.append(
            _Block(
                members,
                (
                    float(boxes[:, 0].min()),
                    float(boxes[:, 1].min()),
                    float(boxes[:, 2].max()),
                    float(boxes[:, 3].max()),
                ),
                None,  # words hidden between the parts read in neither: the move's own reading decides
                kinds[0],
                max(changes[i].confidence for i in members),
            )
        )
    return blocks


def moved_change(
    page: InkPage, sheet: SheetUnits, shift: Shift, gone: Pixels, arrived: Pixels, confidence: float
) -> Change:
    """One ``moved`` change for removed ink ``gone`` that arrived as added ink ``arrived`` under ``shift``."""
    x0, y0, x1, y1 = pixel_box(gone)
    ink = page.to_points(_union(pixel_box(arrived), (x0 + shift.dx, y0 + shift.dy, x1 + shift.dx, y1 + shift.dy)))
    now = snap_to_words(ink, sheet.new_words)
    dx, dy = shift.dx / page.px_per_pt, shift.dy / page.px_per_pt
    was = (now[0] - dx, now[1] - dy, now[2] - dx, now[3] - dy)
    centre = ((now[0] + now[2]) / 2, (now[1] + now[3]) / 2)
    return Change(
        id="",
        kind="moved",
        bbox=now,
        old_text=text_of(sheet.old_words, was),
        new_text=text_of(sheet.new_words, now),
        confidence=confidence * shift.share,
        from_bbox=was,
        offset=sheet.offset(dx, dy, centre),
        group="item",
    )


def find_item_moves(changes: list[Change], page: InkPage, sheet: SheetUnits) -> list[Change]:
    """``changes`` with each removed block and its moved arrival replaced by one ``moved`` change, in the arrival's
    place in the list. Pairs are taken best match first, each change in one move at most."""

    @cache
    def removed(i: int) -> Pixels:
        return page.inside(page.removed, page.to_pixels(changes[i].bbox))

    @cache
    def added(j: int) -> Pixels:
        return page.inside(page.added, page.to_pixels(changes[j].bbox))

    def joined(pixels: list[Pixels]) -> Pixels:
        return Pixels(np.concatenate([p.rows for p in pixels]), np.concatenate([p.columns for p in pixels]))

    sources = _blocks(changes, ("removed", "modified"), "old_text")
    targets = _blocks(changes, ("added", "modified"), "new_text")
    candidates: list[tuple[float, float, _Block, _Block, Shift]] = []
    for source in sources:
        tried = 0
        for target in sorted(targets, key=lambda target: _centre_distance(source.bbox, target.bbox)):
            alone = source.members == target.members
            if "modified" in (source.kind, target.kind) and not alone:
                continue
            if alone and changes[source.members[0]].new_text is not None and source.text is not None:
                continue  # its words changed in place: an edit, not a move
            if not alone and not (_sizes_agree(source.bbox, target.bbox) and _same_words(source.text, target.text)):
                continue
            tried += 1
            if tried > TARGETS_TRIED:
                break
            gone, arrived = joined([removed(i) for i in source.members]), joined([added(j) for j in target.members])
            shift = page.shift_between(gone, arrived)
            if shift is None or shift.share < ITEM_MATCH:
                continue
            if math.hypot(shift.dx, shift.dy) < MIN_MOVE_PT * page.px_per_pt:
                continue
            if page.ambiguous(gone, arrived, shift):
                continue
            candidates.append((-shift.share, math.hypot(shift.dx, shift.dy), source, target, shift))
    candidates.sort(key=lambda candidate: candidate[:2])
    used: set[int] = set()
    moves: dict[int, Change] = {}
    for _, _, source, target, shift in candidates:
        if used.intersection(source.members + target.members):
            continue
        gone = joined([removed(i) for i in source.members])
        arrived = joined([added(j) for j in target.members])
        move = moved_change(page, sheet, shift, gone, arrived, max(source.confidence, target.confidence))
        if not _same_words(move.old_text, move.new_text):
            continue
        used.update(source.members + target.members)
        moves[target.members[0]] = move
    return [moves.get(index, change) for index, change in enumerate(changes) if index not in used or index in moves]
