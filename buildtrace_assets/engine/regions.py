"""Change regions: where ink differs between the aligned old sheet and the new one.

Ink counts as changed only when its dark core has no ink at all (light
anti-aliased edges included) within a small distance on the other sheet. That
tolerance absorbs re-plotting, sub-pixel misregistration and line-weight
differences; a minimum component area drops scan speckles; and nearby
components are grouped so one logical change (a rewritten note, a moved door)
becomes one region instead of one per glyph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

from buildtrace_assets.engine.model import ChangeKind

TOLERANCE_PT = 1.2
"""How far ink may move between sheets and still count as the same ink."""
MIN_COMPONENT_PT2 = 1.5
"""Smaller changed blobs are scan speckles or JPEG ringing, not drawing changes."""
MIN_REGION_PT2 = 4.0
GROUP_GAP_PT = 8.0
"""Changed ink of one kind closer than this belongs to one change: the glyphs and lines of a note, a door's
leaf and swing. Smaller than a door width, so a moved door stays removed there and added here."""
TOUCH_GAP_PT = GROUP_GAP_PT
"""Groups whose boxes come this close merge, whatever their kind: old and new glyphs of a rewritten note,
a door's tag and its swing."""
MIXED_SHARE = 0.2
"""A region can be ``modified`` only when each kind of ink is at least this share of its changed ink."""
MIXED_EXTENT = 0.3
"""...and when the smaller kind's ink spans at least this share of the larger kind's box. Rewritten text or a
nudged door put new ink over the old ink's extent; a door moved away leaves its leaf and swing removed and only
a thin closing of its wall added, so it stays ``removed`` however much ink the closing has."""
CORE_LEVEL = 0.55
"""Dark core of ink, as a fraction of the paper level: what must be explained by the other sheet."""
ANY_INK_LEVEL = 0.85
"""Any visible ink, including anti-aliased edges: what may explain the other sheet's core."""


@dataclass(frozen=True)
class Region:
    """One group of changed ink, in new-sheet pixels (``x1``/``y1`` exclusive)."""

    kind: ChangeKind
    box: tuple[int, int, int, int]
    added_px: int
    removed_px: int
    confidence: float


class Pixels(NamedTuple):
    """Some pixels of a sheet, by position: changed ink is a tiny share of a sheet, so a list of positions costs far
    less to build and to paint than a sheet-sized mask."""

    rows: np.ndarray
    columns: np.ndarray


NO_PIXELS = Pixels(np.empty(0, np.intp), np.empty(0, np.intp))


@dataclass(frozen=True)
class InkChanges:
    """The significant changed ink of a sheet and its grouping into regions."""

    added: Pixels
    """New-sheet pixels of ink only on the new sheet."""
    removed: Pixels
    """New-sheet pixels of ink only on the aligned old sheet."""
    regions: list[Region]


def paper_level(image: np.ndarray) -> float:
    """Brightness of the paper (the 90th percentile of a sample), so scans with gray or yellowed paper get the same
    thresholds. Read off a histogram (OpenCV's, twice as fast as ``np.bincount``): a percentile of a sheet-sized
    sample costs several times more."""
    sample = np.ascontiguousarray(image[::7, ::7])
    counts = np.cumsum(cv2.calcHist([sample], [0], None, [256], [0, 256]).ravel())
    return max(64.0, float(np.searchsorted(counts, 0.9 * sample.size)))


def tolerance_px(px_per_pt: float, tolerance_pt: float = TOLERANCE_PT) -> int:
    """Tolerance in pixels: at least one unless exactly zero (pixel-exact comparison) is asked for."""
    return max(1, round(tolerance_pt * px_per_pt)) if tolerance_pt > 0 else 0


def raw_differences(
    old: np.ndarray,
    new: np.ndarray,
    compared: np.ndarray,
    px_per_pt: float,
    papers: tuple[float, float] | None = None,
    tolerance_pt: float = TOLERANCE_PT,
) -> tuple[np.ndarray, np.ndarray]:
    """Added and removed ink (``uint8`` 0/1 masks) before any cleaning.

    A pixel is changed when it is dark core ink on one sheet and the other
    sheet has no ink at all near it. ``compared`` is a 0/1 mask of the pixels
    to judge. ``papers`` gives the (old, new) paper levels when the images are
    small crops whose own brightness says little about the paper.
    """
    papers = papers or (paper_level(old), paper_level(new))
    ys, xs, is_added = changed_pixels(old, new, compared, px_per_pt, papers, tolerance_pt)
    added, removed = np.zeros(new.shape, np.uint8), np.zeros(new.shape, np.uint8)
    added[ys[is_added], xs[is_added]] = 1
    removed[ys[~is_added], xs[~is_added]] = 1
    return added, removed


def changed_pixels(
    old: np.ndarray,
    new: np.ndarray,
    compared: np.ndarray,
    px_per_pt: float,
    papers: tuple[float, float],
    tolerance_pt: float = TOLERANCE_PT,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and kind (True: added) of the changed pixels, as :func:`raw_differences` defines them.

    Core ink with no ink at the very same pixel of the other sheet is a
    superset of the changed pixels; on aligned revisions it is a tiny share of
    the sheet, so the distance test runs on those candidates alone instead of
    dilating both whole sheets. The candidates are found with one pass over
    the sheets, not a mask per level: a candidate is darker than the other
    sheet's pixel by at least the gap between that sheet's lightest ink and
    this sheet's lightest core, so the thresholded absolute difference holds
    them all, and the levels are checked on those few pixels alone.
    """
    old_paper, new_paper = papers
    old_ink, new_ink = _darkest(ANY_INK_LEVEL * old_paper), _darkest(ANY_INK_LEVEL * new_paper)
    old_core, new_core = _darkest(CORE_LEVEL * old_paper), _darkest(CORE_LEVEL * new_paper)
    gap = min(old_ink + 1 - new_core, new_ink + 1 - old_core)
    if gap >= 1:
        differ = cv2.absdiff(old, new)
        cv2.threshold(differ, gap - 1, 1, cv2.THRESH_BINARY, dst=differ)
    else:  # papers so far apart that equal pixels can be ink on one sheet and core on the other
        differ = cv2.min(old, new)
        cv2.threshold(differ, max(old_core, new_core), 1, cv2.THRESH_BINARY_INV, dst=differ)
    ys, xs = np.divmod(_nonzero_indices(differ), new.shape[1])
    old_values, new_values = old[ys, xs], new[ys, xs]
    judged = compared[ys, xs] > 0
    radius = tolerance_px(px_per_pt, tolerance_pt)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    sides = (
        ((new_values <= new_core) & (old_values > old_ink), old, old_ink, True),
        ((old_values <= old_core) & (new_values > new_ink), new, new_ink, False),
    )
    rows, columns, kinds = [], [], []
    for candidate, other, other_ink, added in sides:
        at_ys, at_xs = ys[candidate & judged], xs[candidate & judged]
        lonely = ~_ink_near(other, other_ink, at_ys, at_xs, kernel)
        rows.append(at_ys[lonely])
        columns.append(at_xs[lonely])
        kinds.append(np.full(int(lonely.sum()), added))
    return np.concatenate(rows), np.concatenate(columns), np.concatenate(kinds)


def _darkest(level: float) -> int:
    """The lightest pixel value that is darker than ``level``, as ``cv2.threshold`` of an 8-bit image reads it
    (``THRESH_BINARY_INV`` sets the pixels at or below the level's floor)."""
    return math.floor(level)


def _nonzero_indices(mask: np.ndarray) -> np.ndarray:
    """Flat indices of the set pixels of a sparse ``uint8`` mask.

    Scans eight pixels at a time as one 64-bit word: on a sheet with a few
    thousand candidates that is several times faster than ``cv2.findNonZero``
    or ``np.flatnonzero``, which visit every pixel. The words are compared
    to zero first: numpy finds the set entries of a boolean array several
    times faster than those of a ``uint64`` one.
    """
    flat = np.ascontiguousarray(mask).reshape(-1)
    whole = flat.size - flat.size % 8
    words = np.flatnonzero(flat[:whole].view(np.uint64) != 0)
    indices = np.concatenate([(words[:, None] * 8 + np.arange(8)).ravel(), np.arange(whole, flat.size)])
    return indices[flat[indices] > 0]


def _ink_near(image: np.ndarray, ink: int, ys: np.ndarray, xs: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Whether ``image`` has ink (pixels at or below ``ink``) within ``kernel`` of each point: the dilated ink mask
    looked up there, computed only where asked when that is cheaper."""
    offset_ys, offset_xs = np.nonzero(kernel)
    if len(ys) * len(offset_ys) > image.size // 8:
        mask = cv2.threshold(image, ink, 1, cv2.THRESH_BINARY_INV)[1]
        return cv2.dilate(mask, kernel)[ys, xs] > 0
    height, width = image.shape
    near_ys = ys[:, None] + (offset_ys - kernel.shape[0] // 2)
    near_xs = xs[:, None] + (offset_xs - kernel.shape[1] // 2)
    inside = (near_ys >= 0) & (near_ys < height) & (near_xs >= 0) & (near_xs < width)
    looked_up = image[np.clip(near_ys, 0, height - 1), np.clip(near_xs, 0, width - 1)] <= ink
    return (looked_up & inside).any(axis=1)


def landed_share(landed: np.ndarray) -> float:
    """The share of pixels that landed (none of none)."""
    return float(landed.mean()) if len(landed) else 0.0


def landing(
    pixels: Pixels,
    offset: tuple[int, int],
    image: np.ndarray,
    paper: float,
    px_per_pt: float,
    tolerance_pt: float = TOLERANCE_PT,
) -> np.ndarray:
    """Per pixel, whether it lands on (or within ``tolerance_pt`` of) ink of ``image`` when shifted by ``offset``."""
    height, width = image.shape
    ys, xs = pixels.rows + offset[1], pixels.columns + offset[0]
    on_page = (ys >= 0) & (ys < height) & (xs >= 0) & (xs < width)
    landed = np.zeros(len(ys), bool)
    if not on_page.any():
        return landed
    radius = tolerance_px(px_per_pt, tolerance_pt)
    y0, x0 = max(0, int(ys[on_page].min()) - radius), max(0, int(xs[on_page].min()) - radius)
    y1, x1 = min(height, int(ys[on_page].max()) + radius + 1), min(width, int(xs[on_page].max()) + radius + 1)
    ink = cv2.threshold(image[y0:y1, x0:x1], ANY_INK_LEVEL * paper, 1, cv2.THRESH_BINARY_INV)[1]
    near = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)))
    landed[on_page] = near[ys[on_page] - y0, xs[on_page] - x0] > 0
    return landed


def find_change_regions(
    old: np.ndarray,
    new: np.ndarray,
    compared: np.ndarray,
    px_per_pt: float,
    papers: tuple[float, float] | None = None,
    *,
    tolerance_pt: float = TOLERANCE_PT,
    smallest_pt2: tuple[float, float] = (MIN_COMPONENT_PT2, MIN_REGION_PT2),
) -> InkChanges:
    """Group the significant ink differences between two same-frame images into regions.

    ``old`` is the old sheet already warped into the new sheet's pixel frame;
    ``compared`` is a 0/1 mask of the pixels both sheets cover (ink elsewhere
    is not judged); ``papers`` the (old, new) paper levels when already known.
    ``tolerance_pt`` and ``smallest_pt2`` (the smallest blob and region kept)
    are tighter only where something else confirms each region (OCR of changed
    glyphs). Work after the pixel difference runs on the list of changed
    pixels and a grid of 1-pt cells, so it costs little on big sheets.
    """
    papers = papers or (paper_level(old), paper_level(new))
    ys, xs, is_added = changed_pixels(old, new, compared, px_per_pt, papers, tolerance_pt)
    return _grouped(ys, xs, is_added, old, new, px_per_pt, papers, smallest_pt2)


def ink_level(image: np.ndarray, paper: float) -> float:
    """Brightness of the sheet's ink (the median of a sample's dark core): a blurred or faded scan's ink is gray."""
    sample = image[::3, ::3]
    core = sample[sample < CORE_LEVEL * paper]
    return float(np.median(core)) if core.size else 0.0


def find_darker_regions(
    old: np.ndarray,
    new: np.ndarray,
    compared: np.ndarray,
    px_per_pt: float,
    papers: tuple[float, float],
    inks: tuple[float, float],
    *,
    step: float,
    smallest_pt2: tuple[float, float],
) -> InkChanges:
    """Pixel-exact changed ink (like ``tolerance_pt=0`` in :func:`find_change_regions`) where the sharper sheet's
    faint pixels do not explain its dark ones, ``inks`` being the (old, new) :func:`ink_level`.

    A 300-dpi scan read at 150 dpi blurs its glyphs into grey halos that fill a ``0``'s counter where a clean
    export's ``8`` puts its black crossbar: any ink there hides the crossbar. So core ink of the sheet with the
    darker ink is changed where it is ``step`` darker than the other sheet's pixel, darkness running from each
    sheet's paper (0) to its own ink (1). The other way round the halos are the blurred sheet's own: its core ink
    is changed only where the sharper sheet has no ink at all, as in :func:`changed_pixels`.
    """

    def darkness(values: np.ndarray, side: int) -> np.ndarray:
        return np.clip((papers[side] - values.astype(np.float32)) / max(1.0, papers[side] - inks[side]), 0.0, 1.0)

    sharp = 1 if inks[1] <= inks[0] else 0
    images = (old, new)
    found = []
    for side in (1, 0):
        image, other = images[side].reshape(-1), images[1 - side].reshape(-1)
        core = cv2.threshold(images[side], CORE_LEVEL * papers[side], 1, cv2.THRESH_BINARY_INV)[1]
        at = _nonzero_indices(cv2.bitwise_and(core, compared, dst=core))
        if side == sharp:
            found.append(at[darkness(image[at], side) - darkness(other[at], 1 - side) >= step])
        else:
            found.append(at[other[at] >= ANY_INK_LEVEL * papers[1 - side]])
    ys, xs = np.divmod(np.concatenate(found), new.shape[1])
    is_added = np.arange(len(ys)) < len(found[0])
    return _grouped(ys, xs, is_added, old, new, px_per_pt, papers, smallest_pt2)


def rediffed_within(
    old: np.ndarray,
    new: np.ndarray,
    compared: np.ndarray,
    px_per_pt: float,
    papers: tuple[float, float],
    earlier: InkChanges,
    boxes: list[tuple[int, int, int, int]],
) -> InkChanges:
    """:func:`find_change_regions` after ``old`` changed only inside ``boxes`` (new-page pixels, exclusive ends):
    the pixel difference is taken again there alone, ``earlier``'s changed ink is kept everywhere else, and the
    whole sheet's ink is grouped again.

    A changed pixel depends on the other sheet only within the tolerance, so each box is widened by it; the
    difference of a sheet-sized image is most of a comparison's time, and a moved view is a small part of a sheet.
    """
    height, width = new.shape
    grow = tolerance_px(px_per_pt)
    boxes = [
        (max(0, x0 - grow), max(0, y0 - grow), min(width, x1 + grow), min(height, y1 + grow))
        for x0, y0, x1, y1 in boxes
        if x1 > x0 and y1 > y0
    ]
    kept = [_outside(pixels, boxes) for pixels in (earlier.added, earlier.removed)]
    ys = [kept[0].rows, kept[1].rows]
    xs = [kept[0].columns, kept[1].columns]
    kinds = [np.ones(len(kept[0].rows), bool), np.zeros(len(kept[1].rows), bool)]
    if boxes:
        x0, y0 = min(box[0] for box in boxes), min(box[1] for box in boxes)
        x1, y1 = max(box[2] for box in boxes), max(box[3] for box in boxes)
        within = np.zeros((y1 - y0, x1 - x0), np.uint8)
        for bx0, by0, bx1, by1 in boxes:
            within[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0] = 1
        area = (slice(y0, y1), slice(x0, x1))
        local = changed_pixels(old[area], new[area], compared[area] & within, px_per_pt, papers)
        ys.append(local[0] + y0)
        xs.append(local[1] + x0)
        kinds.append(local[2])
    return _grouped(np.concatenate(ys), np.concatenate(xs), np.concatenate(kinds), old, new, px_per_pt, papers)


def _outside(pixels: Pixels, boxes: list[tuple[int, int, int, int]]) -> Pixels:
    keep = np.ones(len(pixels.rows), bool)
    for x0, y0, x1, y1 in boxes:
        keep &= ~((pixels.columns >= x0) & (pixels.columns < x1) & (pixels.rows >= y0) & (pixels.rows < y1))
    return Pixels(pixels.rows[keep], pixels.columns[keep])


def _grouped(
    ys: np.ndarray,
    xs: np.ndarray,
    is_added: np.ndarray,
    old: np.ndarray,
    new: np.ndarray,
    px_per_pt: float,
    papers: tuple[float, float],
    smallest_pt2: tuple[float, float] = (MIN_COMPONENT_PT2, MIN_REGION_PT2),
) -> InkChanges:
    """The changed pixels ``ys``, ``xs`` (``is_added``: of the new sheet) without specks, grouped into regions."""
    min_component_pt2, min_region_pt2 = smallest_pt2
    if len(ys) == 0:
        return InkChanges(NO_PIXELS, NO_PIXELS, [])
    cell = max(1, round(px_per_pt))
    grid_shape = (new.shape[0] // cell + 1, new.shape[1] // cell + 1)
    cells = (ys // cell, xs // cell)
    keep = _in_large_components(cells, grid_shape, min_component_pt2 * px_per_pt**2)
    xs, ys, is_added, cells = xs[keep], ys[keep], is_added[keep], (cells[0][keep], cells[1][keep])
    added, removed = Pixels(ys[is_added], xs[is_added]), Pixels(ys[~is_added], xs[~is_added])
    if len(ys) == 0:
        return InkChanges(added, removed, [])
    groups = _group_by_kind(cells, is_added, grid_shape, px_per_pt / cell)
    groups = _merge_touching(groups, ys, xs, TOUCH_GAP_PT * px_per_pt)
    darkness = np.where(
        is_added,
        1.0 - new[ys, xs] / papers[1],
        1.0 - old[ys, xs] / papers[0],
    )
    regions = _summarize(groups, ys, xs, is_added, darkness, px_per_pt, min_region_pt2)
    return InkChanges(added, removed, regions)


def _in_large_components(
    cells: tuple[np.ndarray, np.ndarray], grid_shape: tuple[int, int], min_pixels: float
) -> np.ndarray:
    """Which changed pixels belong to a blob (cells touching on the grid) of at least ``min_pixels``."""
    occupied, cells = _occupied(cells, grid_shape, margin=1)
    _, labels = cv2.connectedComponents(occupied, connectivity=8)
    component = labels[cells]
    return np.bincount(component)[component] >= min_pixels


def _occupied(
    cells: tuple[np.ndarray, np.ndarray], grid_shape: tuple[int, int], margin: int
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The part of the cell grid around the changed cells (``margin`` cells beyond them), marked 1 where changed,
    and the cells' positions in it: changes are usually a small part of a sheet, so the grid work stays small too."""
    rows, columns = cells
    if len(rows) == 0:
        return np.zeros((1, 1), np.uint8), cells
    top, left = max(0, int(rows.min()) - margin), max(0, int(columns.min()) - margin)
    bottom = min(grid_shape[0], int(rows.max()) + margin + 1)
    right = min(grid_shape[1], int(columns.max()) + margin + 1)
    local = (rows - top, columns - left)
    occupied = np.zeros((bottom - top, right - left), np.uint8)
    occupied[local] = 1
    return occupied, local


def _group_by_kind(
    cells: tuple[np.ndarray, np.ndarray], is_added: np.ndarray, grid_shape: tuple[int, int], cells_per_pt: float
) -> np.ndarray:
    """Group added and removed ink separately; only overlapping boxes join them later.

    So a door moved further than its width reads as removed here and added
    there, while a rewritten note (old and new glyphs in one box) is one change.
    """
    reach = round(GROUP_GAP_PT / 2 * cells_per_pt)
    groups = np.empty(len(is_added), np.int64)
    groups[is_added] = _group_labels((cells[0][is_added], cells[1][is_added]), grid_shape, reach)
    groups[~is_added] = _group_labels((cells[0][~is_added], cells[1][~is_added]), grid_shape, reach)
    groups[~is_added] += groups[is_added].max(initial=0) + 1
    return groups


def _group_labels(cells: tuple[np.ndarray, np.ndarray], grid_shape: tuple[int, int], reach: int) -> np.ndarray:
    """Group index of every changed pixel: blobs whose cells come within ``2 * reach`` cells join."""
    reach = max(1, reach)
    occupied, cells = _occupied(cells, grid_shape, margin=reach)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    _, labels = cv2.connectedComponents(cv2.dilate(occupied, kernel), connectivity=8)
    return labels[cells]


def _group_boxes(groups: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort order of the pixels by group, where each group starts in that order, and each group's box."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    ys, xs = ys[order], xs[order]
    boxes = np.stack(
        [
            np.minimum.reduceat(xs, starts),
            np.minimum.reduceat(ys, starts),
            np.maximum.reduceat(xs, starts) + 1,
            np.maximum.reduceat(ys, starts) + 1,
        ],
        axis=1,
    )
    return order, starts, boxes


def _merge_touching(groups: np.ndarray, ys: np.ndarray, xs: np.ndarray, gap_px: float) -> np.ndarray:
    """Join groups whose boxes overlap or nearly touch (a door's old leaf inside its new swing)."""
    order, starts, boxes = _group_boxes(groups, ys, xs)
    per_group = cluster_boxes(boxes, gap_px)
    merged = np.empty_like(groups)
    merged[order] = np.repeat(per_group, np.diff(np.r_[starts, len(groups)]))
    return merged


def cluster_boxes(boxes: np.ndarray, gap: float = 0.0) -> np.ndarray:
    """Cluster index of each ``(x0, y0, x1, y1)`` box: boxes within ``gap`` join, until all clusters are apart.

    Repeats because a merged box can reach a box neither part reached.
    """
    labels = np.arange(len(boxes))
    extents = np.asarray(boxes, dtype=np.float64)
    while True:
        near = (
            (extents[:, None, 0] <= extents[None, :, 2] + gap)
            & (extents[None, :, 0] <= extents[:, None, 2] + gap)
            & (extents[:, None, 1] <= extents[None, :, 3] + gap)
            & (extents[None, :, 1] <= extents[:, None, 3] + gap)
        )
        component = np.arange(len(extents))
        while True:
            spread = np.where(near, component[None, :], len(extents)).min(axis=1)
            if np.array_equal(spread, component):
                break
            component = spread[spread]
        _, component = np.unique(component, return_inverse=True)
        labels = component[labels]
        if component.max(initial=-1) + 1 == len(extents):
            return labels
        extents = np.stack(
            [
                _reduce(np.minimum, extents[:, 0], component),
                _reduce(np.minimum, extents[:, 1], component),
                _reduce(np.maximum, extents[:, 2], component),
                _reduce(np.maximum, extents[:, 3], component),
            ],
            axis=1,
        )


def _reduce(ufunc: np.ufunc, values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    result = np.full(labels.max() + 1, np.inf if ufunc is np.minimum else -np.inf)
    ufunc.at(result, labels, values)
    return result


def _summarize(
    groups: np.ndarray,
    ys: np.ndarray,
    xs: np.ndarray,
    is_added: np.ndarray,
    darkness: np.ndarray,
    px_per_pt: float,
    min_region_pt2: float,
) -> list[Region]:
    """One region per group: tight box around its changed pixels, kind, and confidence."""
    order, starts, boxes = _group_boxes(groups, ys, xs)
    is_added, darkness = is_added[order], darkness[order]
    sizes = np.diff(np.r_[starts, len(groups)])
    added_counts = np.add.reduceat(is_added.astype(np.int64), starts)
    mean_darkness = np.add.reduceat(darkness, starts) / sizes
    added_areas = _box_areas(xs[order], ys[order], is_added, starts)
    removed_areas = _box_areas(xs[order], ys[order], ~is_added, starts)
    regions = []
    for i, size in enumerate(sizes):
        area_pt2 = size / px_per_pt**2
        if area_pt2 < min_region_pt2:
            continue
        added_px = int(added_counts[i])
        removed_px = int(size - added_px)
        x0, y0, x1, y1 = (int(v) for v in boxes[i])
        regions.append(
            Region(
                kind=_kind(added_px, removed_px, float(added_areas[i]), float(removed_areas[i])),
                box=(x0, y0, x1, y1),
                added_px=added_px,
                removed_px=removed_px,
                confidence=_confidence(area_pt2, float(mean_darkness[i])),
            )
        )
    return regions


def _box_areas(xs: np.ndarray, ys: np.ndarray, chosen: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per group (pixels sorted by group, each starting at ``starts``), the box area of its ``chosen`` pixels;
    0 if none."""
    xs, ys = xs.astype(np.int64), ys.astype(np.int64)
    big = np.iinfo(np.int64).max // 4
    x0 = np.minimum.reduceat(np.where(chosen, xs, big), starts)
    y0 = np.minimum.reduceat(np.where(chosen, ys, big), starts)
    x1 = np.maximum.reduceat(np.where(chosen, xs + 1, -big), starts)
    y1 = np.maximum.reduceat(np.where(chosen, ys + 1, -big), starts)
    return np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)


def _kind(added_px: int, removed_px: int, added_area: float, removed_area: float) -> ChangeKind:
    """``modified`` when both kinds of ink are substantial and cover comparable extents, else the dominant kind.

    Between two substantial kinds the wider one dominates, not the one with
    more pixels: a heavy wall closing a moved door's opening outweighs the
    thin leaf and swing, yet the door is what was removed.
    """
    total = added_px + removed_px
    if added_px < MIXED_SHARE * total or removed_px < MIXED_SHARE * total:
        return "added" if added_px > removed_px else "removed"
    if min(added_area, removed_area) >= MIXED_EXTENT * max(added_area, removed_area):
        return "modified"
    return "added" if added_area > removed_area else "removed"


def _confidence(area_pt2: float, mean_darkness: float) -> float:
    """More and darker changed ink makes a region more certain; a faint speck-sized one less so."""
    amount = 1.0 - np.exp(-area_pt2 / 12.0)
    contrast = min(1.0, mean_darkness / 0.7)
    return round(float(amount * contrast), 3)
