"""Views moved on their own: a detail or view re-laid out on the sheet, aligned piecewise.

One transform aligns the sheet; a view moved on its own then reads as all
its ink removed here and added there. A large group of removed ink whose
shift lands it on a large group of added ink is such a view: its old ink is
laid onto the old sheet where the view is now (and lifted from where it was),
and the sheet is diffed again where the view was and is, so the edits made inside the view are still
found as their own changes while the view itself is one ``moved`` change with
its own offset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from buildtrace_assets.engine.model import Change, Word
from buildtrace_assets.engine.moves import InkPage, SheetUnits, Shift, pixel_box
from buildtrace_assets.engine.regions import ANY_INK_LEVEL, InkChanges, Region, rediffed_within, tolerance_px

VIEW_MIN_SIDE_PT = 72.0
"""A group of changed ink is a view candidate when its box is at least an inch each way."""
VIEW_MATCH = 0.7
"""Share of each side's changed ink the view's offset must explain; the rest is edits made inside the view."""
VIEW_CELL_PT = 3.0
"""Grid of the first offset search for a view (a finer one costs much more on sheet-sized groups)."""
MIN_VIEW_MOVE_PT = 3.0
SAME_OFFSET_PT = 2.0
"""A block moved by a view's offset within this many points moved with the view."""
VIEW_REACH_PT = 36.0
"""Changed ink this close to a view that moved the same way belongs to it."""


@dataclass(frozen=True)
class ViewMove:
    """A view's box on the new sheet (new-page pixels, exclusive ends) and its offset in pixels."""

    box: tuple[int, int, int, int]
    shift: Shift

    @property
    def source(self) -> tuple[int, int, int, int]:
        """Where the view was, in the new page's pixel frame."""
        x0, y0, x1, y1 = self.box
        return (x0 - self.shift.dx, y0 - self.shift.dy, x1 - self.shift.dx, y1 - self.shift.dy)


@dataclass(frozen=True)
class PiecewiseAlignment:
    """The old sheet with every moved view laid where it is now, the ink changes that remain, and the views."""

    old_in_new: np.ndarray
    ink: InkChanges
    views: tuple[ViewMove, ...]
    px_per_pt: float
    """The new page's frame: pixels per new-sheet point."""

    def words(self, old_words: Sequence[Word]) -> list[Word]:
        """Old words (new-sheet points) with those of a moved view carried along, so its text compares in place."""
        moved = []
        for word in old_words:
            cx = (word.bbox[0] + word.bbox[2]) / 2 * self.px_per_pt
            cy = (word.bbox[1] + word.bbox[3]) / 2 * self.px_per_pt
            view = next((v for v in self.views if _contains(v.source, cx, cy)), None)
            if view is None:
                moved.append(word)
                continue
            dx, dy = view.shift.dx / self.px_per_pt, view.shift.dy / self.px_per_pt
            x0, y0, x1, y1 = word.bbox
            moved.append(Word(word.text, (x0 + dx, y0 + dy, x1 + dx, y1 + dy)))
        return moved

    def with_views(self, changes: list[Change], units: SheetUnits) -> list[Change]:
        """The moved views first (each then read with the edits inside it), then ``changes``.

        A block that moved by the view's own offset and lies within one view size of it (the view's title and
        scale note, drawn apart below it) is part of the view, not a move of its own.
        """
        views = []
        s = self.px_per_pt
        for view in self.views:
            now = (view.box[0] / s, view.box[1] / s, view.box[2] / s, view.box[3] / s)
            dx, dy = view.shift.dx / s, view.shift.dy / s
            along = [change for change in changes if _moved_along(change, now, dx, dy)]
            changes = [change for change in changes if not any(change is part for part in along)]
            boxes = [now, *(change.bbox for change in along)]
            now = (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            centre = ((now[0] + now[2]) / 2, (now[1] + now[3]) / 2)
            views.append(
                Change(
                    id="",
                    kind="moved",
                    bbox=now,
                    confidence=view.shift.share,
                    from_bbox=(now[0] - dx, now[1] - dy, now[2] - dx, now[3] - dy),
                    offset=units.offset(dx, dy, centre),
                    group="view",
                )
            )
        return views + changes


def _moved_along(change: Change, view: tuple[float, float, float, float], dx: float, dy: float) -> bool:
    """Whether ``change`` is a block moved by the view's offset ``(dx, dy)`` within one view size of the view."""
    if change.kind != "moved" or change.group != "item" or change.offset is None:
        return False
    if math.hypot(change.offset.dx - dx, change.offset.dy - dy) > SAME_OFFSET_PT:
        return False
    reach = max(view[2] - view[0], view[3] - view[1])
    x0, y0, x1, y1 = change.bbox
    return x1 >= view[0] - reach and x0 <= view[2] + reach and y1 >= view[1] - reach and y0 <= view[3] + reach


def align_views(page: InkPage, ink: InkChanges, compared: np.ndarray) -> PiecewiseAlignment:
    """Find the views moved on their own among ``ink``'s regions and diff the sheet again with them in place (only
    where a view was and where it is now: the rest of the sheet's difference is ``ink``'s).

    Without such a view the result holds ``page`` and ``ink`` as they were, at no cost beyond looking.
    """
    views = _view_moves(page, ink.regions)
    if not views:
        return PiecewiseAlignment(page.old_in_new, ink, (), page.px_per_pt)
    old_in_new = page.old_in_new.copy()
    for view in views:
        _lay_view(old_in_new, page, view)
    changed = [box for view in views for box in (view.box, view.source)]
    rediffed = rediffed_within(old_in_new, page.new.image, compared, page.ink_px_per_pt, page.papers, ink, changed)
    return PiecewiseAlignment(old_in_new, rediffed, tuple(views), page.px_per_pt)


def _view_moves(page: InkPage, regions: list[Region]) -> list[ViewMove]:
    """Large removed groups matched to large added groups (or to themselves, for a view moved less than its size),
    best match first, each group in one view at most."""
    least = VIEW_MIN_SIDE_PT * page.px_per_pt
    large = [
        (i, region)
        for i, region in enumerate(regions)
        if region.box[2] - region.box[0] >= least and region.box[3] - region.box[1] >= least
    ]
    removed = {i: page.inside(page.removed, region.box) for i, region in large if region.removed_px}
    added = {j: page.inside(page.added, region.box) for j, region in large if region.added_px}
    candidates: list[tuple[float, int, int, Shift]] = []
    for i in removed:
        for j in added:
            shift = page.shift_between(removed[i], added[j], VIEW_CELL_PT)
            if shift is None or shift.share < VIEW_MATCH:
                continue
            if math.hypot(shift.dx, shift.dy) < MIN_VIEW_MOVE_PT * page.px_per_pt:
                continue
            candidates.append((-shift.share, i, j, shift))
    candidates.sort(key=lambda candidate: candidate[0])
    used: set[int] = set()
    views = []
    for _, i, j, shift in candidates:
        if i in used or j in used:
            continue
        used.update((i, j))
        views.append(_view(page, regions[i], regions[j], shift))
    return views


def _view(page: InkPage, source: Region, target: Region, shift: Shift) -> ViewMove:
    """The view's box where it is now: the removed ink the offset carries onto new ink, joined with the added ink it
    explains, grown while changed ink within ``VIEW_REACH_PT`` of the box moved the same way (a view's frame or a
    note beside it may be a group of its own)."""
    height, width = page.new.image.shape
    reach = round(VIEW_REACH_PT * page.px_per_pt)
    gone, arrived = pixel_box(page.inside(page.removed, source.box)), pixel_box(page.inside(page.added, target.box))
    box = _union(_moved_box(gone, shift), arrived)
    while True:
        near = (box[0] - reach, box[1] - reach, box[2] + reach, box[3] + reach)
        carried = page.explained(True, _moved_box(near, shift, -1), (shift.dx, shift.dy))
        explained = page.explained(False, near, (-shift.dx, -shift.dy))
        grown = _union(box, explained, _moved_box(carried, shift)) if carried and explained else box
        if grown == box:
            break
        box = grown
    return ViewMove((max(0, box[0]), max(0, box[1]), min(width, box[2]), min(height, box[3])), shift)


def _moved_box(box: tuple[int, int, int, int], shift: Shift, sign: int = 1) -> tuple[int, int, int, int]:
    dx, dy = sign * shift.dx, sign * shift.dy
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def _union(*boxes: tuple[int, int, int, int] | None) -> tuple[int, int, int, int]:
    present = [box for box in boxes if box is not None]
    return (
        min(box[0] for box in present),
        min(box[1] for box in present),
        max(box[2] for box in present),
        max(box[3] for box in present),
    )


def _lay_view(canvas: np.ndarray, page: InkPage, view: ViewMove) -> None:
    """Lift the view's removed ink from where it was and lay its old ink (darkest wins) where it is now.

    Only the view's ink is carried: old ink that left its place (removed there) or that lands on new ink. What
    stays drawn where the view was (a wall it sat beside) is not the view and is not carried along.
    """
    removed = page.removed
    sx0, sy0, sx1, sy1 = view.source
    height, width = canvas.shape
    lifted = (removed.columns >= sx0) & (removed.columns < sx1) & (removed.rows >= sy0) & (removed.rows < sy1)
    canvas[removed.rows[lifted], removed.columns[lifted]] = 255
    x0, y0, x1, y1 = view.box
    dx, dy = view.shift.dx, view.shift.dy
    # The part of the view's new box whose old position lies on the page.
    cx0, cy0 = max(x0, dx, 0), max(y0, dy, 0)
    cx1, cy1 = min(x1, width + dx, width), min(y1, height + dy, height)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    old = page.old_in_new[cy0 - dy : cy1 - dy, cx0 - dx : cx1 - dx]
    radius = tolerance_px(page.ink_px_per_pt)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    left = np.zeros(old.shape, np.uint8)
    rows, columns = removed.rows[lifted] + dy - cy0, removed.columns[lifted] + dx - cx0
    inside = (rows >= 0) & (rows < old.shape[0]) & (columns >= 0) & (columns < old.shape[1])
    left[rows[inside], columns[inside]] = 1
    new_ink = cv2.threshold(page.new.image[cy0:cy1, cx0:cx1], ANY_INK_LEVEL * page.papers[1], 1, cv2.THRESH_BINARY_INV)
    carried = cv2.dilate(cv2.bitwise_or(left, new_ink[1]), kernel) > 0
    target = canvas[cy0:cy1, cx0:cx1]
    target[carried] = np.minimum(target[carried], old[carried])


def _contains(box: tuple[int, int, int, int], x: float, y: float) -> bool:
    return box[0] <= x < box[2] and box[1] <= y < box[3]
