"""Pictures of a page comparison: the colour overlay of the whole sheet and before/after crops.

Encoding a full ARCH D sheet as PNG costs more than rendering it, so every
picture is a palette image (one byte per pixel instead of three: gray levels
plus the legend colours) written with zlib level 1, a full sheet's deflate
split over the cores (:mod:`.palette_png`). The overlay has 8 gray levels for
unchanged ink, so with the legend colours it fits 16 palette entries and is
written at half a byte per pixel (half of zlib's time), and it is drawn at the new page's raster resolution capped at
``OVERLAY_MAX_DPI`` (enough to read any dimension on screen). Crops keep
full detail instead (``CROP_GRAY_LEVELS``): they are cut from the
full-resolution images and enlarged to ``CROP_MIN_DPI`` so small text stays
legible to people and vision models alike.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import cv2
import numpy as np

from buildtrace_assets.engine.legend import ADDED, MODIFIED, MOVED, REMOVED, UNCHANGED
from buildtrace_assets.engine.model import BBox, Change, RenderedPage
from buildtrace_assets.engine.pagediff import PageComparison
from buildtrace_assets.engine.palette_png import palette_png
from buildtrace_assets.engine.regions import ANY_INK_LEVEL, Pixels, paper_level

OVERLAY_MAX_DPI = 150.0
GRAY_SHIFT = 5
"""Unchanged ink keeps the top 3 bits of its gray: 8 levels, taken by a shift (a lookup table costs 3x more)."""
GRAY_LEVELS = 256 >> GRAY_SHIFT
CROP_GRAY_LEVELS = 240
"""Invisible banding, and room left in the 256-entry palette for the outline colours."""
CROP_MARGIN_PT = 18.0
CROP_MIN_DPI = 200.0
CROP_MAX_SIDE_PX = 2000
OUTLINE_PAD_PT = 3.0


class OverlayError(ValueError):
    """The comparison has nothing trustworthy to draw (the sheets were not aligned)."""


def _palette(grays: list[int]) -> tuple[list[int], dict[str, int]]:
    """A palette of the given gray levels, then one entry per legend colour (and white for labels)."""
    colours = {
        "removed": REMOVED.rgb,
        "added": ADDED.rgb,
        "modified": MODIFIED.rgb,
        "moved": MOVED.rgb,
        "label": (255, 255, 255),
    }
    palette = [channel for gray in grays for channel in (gray, gray, gray)]
    index = {}
    for name, rgb in colours.items():
        index[name] = len(palette) // 3
        palette.extend(rgb)
    return palette, index


def _lightened_grays(levels: int) -> list[int]:
    """Gray levels from the legend's unchanged-ink gray to white: unchanged ink recedes behind the colours."""
    darkest = UNCHANGED.rgb[0]
    return [255 - (255 - level * 255 // (levels - 1)) * (255 - darkest) // 255 for level in range(levels)]


PALETTE, PALETTE_INDEX = _palette(_lightened_grays(GRAY_LEVELS))
CROP_PALETTE, CROP_PALETTE_INDEX = _palette(
    [level * 255 // (CROP_GRAY_LEVELS - 1) for level in range(CROP_GRAY_LEVELS)]
)
CROP_GRAY_LUT = ((np.arange(256) * (CROP_GRAY_LEVELS - 1) + 127) // 255).astype(np.uint8)


def write_overlay(result: PageComparison, old: RenderedPage, new: RenderedPage, path: str | Path) -> Path:
    """Write the new sheet with unchanged ink gray, removed ink red, added ink green and numbered regions; a moved
    block or view is an arrow from its old outline to its new one.

    ``old`` is accepted for symmetry with the crops; the comparison already holds it warped into the new frame.
    """
    _, removed, added = _require_aligned(result)
    image = new.image
    factor = min(1.0, OVERLAY_MAX_DPI / new.dpi)
    if factor < 1.0:
        size = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    canvas = _paper_lifted(image)
    np.right_shift(canvas, GRAY_SHIFT, out=canvas)
    for kind, pixels in (("removed", removed), ("added", added)):
        rows = np.minimum((pixels.rows * factor).astype(np.intp), canvas.shape[0] - 1)
        columns = np.minimum((pixels.columns * factor).astype(np.intp), canvas.shape[1] - 1)
        canvas[rows, columns] = PALETTE_INDEX[kind]
    px_per_pt = canvas.shape[1] / new.width_pt
    for change in result.changes:
        if change.from_bbox is not None:
            _move_arrow(canvas, change.from_bbox, change.bbox, px_per_pt)
        _outline(canvas, change, px_per_pt, label=change.id.rsplit("-", 1)[-1])
    return _write_atomic(Path(path), palette_png(canvas, PALETTE))


def write_crops(
    result: PageComparison, old: RenderedPage, new: RenderedPage, out_dir: str | Path
) -> dict[str, dict[str, Path]]:
    """Before/after crops of every change, cut from the same new-sheet window of both revisions.

    A moved block's "before" is cut where it was (``from_bbox``). A moved view's is cut where it is now: the
    comparison laid its old content there (piecewise alignment), so both sides frame the same view.
    """
    old_in_new, _, _ = _require_aligned(result)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    px_per_pt = new.image.shape[1] / new.width_pt
    crops = {}
    for change in result.changes:
        paths = {}
        for side, image in (("old", old_in_new), ("new", new.image)):
            box = change.from_bbox if side == "old" and change.from_bbox and change.group == "item" else change.bbox
            crop = _crop_with_outline(image, box, change.kind, _window(box, new, px_per_pt), px_per_pt, new.dpi)
            paths[side] = _write_atomic(out_dir / f"{change.id}_{side}.png", palette_png(crop, CROP_PALETTE))
        crops[change.id] = paths
    return crops


def _paper_lifted(image: np.ndarray) -> np.ndarray:
    """``image`` with what the comparison counts as paper (lighter than any ink) made white.

    A scan's paper is noise around its gray, which costs its overlay several times the encoding time and size of a
    clean sheet's (4.6 MB instead of ~0.1 MB) and shows only as grain behind the unchanged ink.
    """
    cut = min(254, int(ANY_INK_LEVEL * paper_level(image)))
    paper = cv2.threshold(image, cut, 255, cv2.THRESH_BINARY)[1]
    return cv2.bitwise_or(image, paper, dst=paper)


def _require_aligned(result: PageComparison) -> tuple[np.ndarray, Pixels, Pixels]:
    """The old sheet warped into the new frame, and the removed and added ink, of an aligned comparison."""
    if not result.ok or result.old_in_new is None or result.removed is None or result.added is None:
        raise OverlayError(f"sheet {result.sheet_key} was not aligned: {result.reason}")
    return result.old_in_new, result.removed, result.added


def _outline(canvas: np.ndarray, change: Change, px_per_pt: float, label: str) -> None:
    """Numbered box around a change, drawn in palette indices of its kind's colour."""
    colour = PALETTE_INDEX[change.kind]
    pad = OUTLINE_PAD_PT * px_per_pt
    x0, y0, x1, y1 = (round(v * px_per_pt) for v in change.bbox)
    thickness = max(2, round(px_per_pt))
    cv2.rectangle(canvas, (round(x0 - pad), round(y0 - pad)), (round(x1 + pad), round(y1 + pad)), colour, thickness)
    font_scale = max(0.5, 0.3 * px_per_pt)
    (text_w, text_h), baseline = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, font_scale, thickness)
    top = max(0, round(y0 - pad) - text_h - baseline - 2 * thickness)
    left = max(0, round(x0 - pad))
    cv2.rectangle(
        canvas, (left, top), (left + text_w + 2 * thickness, top + text_h + baseline + 2 * thickness), colour, -1
    )
    cv2.putText(
        canvas,
        label,
        (left + thickness, top + text_h + thickness),
        cv2.FONT_HERSHEY_SIMPLEX,
        font_scale,
        PALETTE_INDEX["label"],
        thickness,
    )


def _move_arrow(canvas: np.ndarray, was: BBox, now: BBox, px_per_pt: float) -> None:
    """The old outline, thin, and an arrow from its centre to the new outline's, in the moved colour."""
    colour = PALETTE_INDEX["moved"]
    pad = OUTLINE_PAD_PT * px_per_pt
    thickness = max(2, round(px_per_pt))
    x0, y0, x1, y1 = (v * px_per_pt for v in was)
    cv2.rectangle(canvas, (round(x0 - pad), round(y0 - pad)), (round(x1 + pad), round(y1 + pad)), colour, 1)
    start = (round((x0 + x1) / 2), round((y0 + y1) / 2))
    end = (round((now[0] + now[2]) / 2 * px_per_pt), round((now[1] + now[3]) / 2 * px_per_pt))
    length = max(1.0, float(np.hypot(end[0] - start[0], end[1] - start[1])))
    tip = min(0.3, 12 * px_per_pt / length)
    cv2.arrowedLine(canvas, start, end, colour, thickness, line_type=cv2.LINE_8, tipLength=tip)


def _window(box: BBox, page: RenderedPage, px_per_pt: float) -> tuple[int, int, int, int]:
    """The region plus a margin of context, clipped to the page, in pixels."""
    height, width = page.image.shape
    margin = max(CROP_MARGIN_PT, 0.25 * max(box[2] - box[0], box[3] - box[1]))
    return (
        max(0, int((box[0] - margin) * px_per_pt)),
        max(0, int((box[1] - margin) * px_per_pt)),
        min(width, int(np.ceil((box[2] + margin) * px_per_pt))),
        min(height, int(np.ceil((box[3] + margin) * px_per_pt))),
    )


def _crop_with_outline(
    image: np.ndarray, box: BBox, kind: str, window: tuple[int, int, int, int], px_per_pt: float, dpi: float
) -> np.ndarray:
    """The window, enlarged to a legible size, as crop-palette indices with ``box`` outlined in ``kind``'s colour."""
    x0, y0, x1, y1 = window
    factor = _legible_factor((y1 - y0, x1 - x0), dpi)
    crop = image[y0:y1, x0:x1]
    if factor != 1.0:
        interpolation = cv2.INTER_CUBIC if factor > 1.0 else cv2.INTER_AREA
        crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=interpolation)
    crop = cv2.LUT(crop, CROP_GRAY_LUT)
    pad = OUTLINE_PAD_PT * px_per_pt
    bx0, by0, bx1, by1 = box
    corner_a = (round((bx0 * px_per_pt - pad - x0) * factor), round((by0 * px_per_pt - pad - y0) * factor))
    corner_b = (round((bx1 * px_per_pt + pad - x0) * factor), round((by1 * px_per_pt + pad - y0) * factor))
    cv2.rectangle(crop, corner_a, corner_b, CROP_PALETTE_INDEX[kind], max(1, round(factor)))
    return crop


def _legible_factor(shape: tuple[int, int], dpi: float) -> float:
    """Enlarge low-resolution crops so small text can be read; shrink huge ones to a sane size."""
    factor = max(1.0, CROP_MIN_DPI / dpi)
    return min(factor, CROP_MAX_SIDE_PX / max(shape))


def _write_atomic(path: Path, data: bytes) -> Path:
    """Write to a temporary file and move it into place, so a failure never leaves a truncated file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, path)
    return path
