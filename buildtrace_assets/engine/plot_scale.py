"""The drawing scale between two revisions of a sheet before any pixel is seen, and the resolutions that render
both at one size per drawing unit.

A sheet re-issued at half size (ARCH D to 11x17) or moved from A4 to A3 keeps
its drawing and changes its points. Comparing it needs to know the ratio
before rendering: the feature search only matches within a short scale
pyramid, and a line must have one width on both sides. Vector PDFs say it
exactly: words printed once on each sheet are the same words, so their
centres fit a similarity (rotation, scale, shift) for free. Without enough
such words (scans, CAD text drawn as paths) the paper sizes give it, when the
two sheets have about the same shape. The alignment measures the real scale
afterwards; this is only where it starts looking.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

import cv2
import numpy as np

from buildtrace_assets.engine.documents import MAX_RENDER_PIXELS
from buildtrace_assets.engine.model import RenderedPage, Word
from buildtrace_assets.engine.model import matrix_scale as matrix_scale  # the engine's one, re-exported

MIN_SCALE, MAX_SCALE = 0.25, 4.0
"""The scales compared (new-sheet points per old-sheet point); beyond them a sheet is reported unaligned."""
SAME_SCALE = 0.08
"""A scale within this of 1 is a re-plot's wobble, not another paper size: both sides render as before and the
warp absorbs it."""
MIN_WORD_PAIRS = 8
"""Unique words agreeing on one similarity needed to trust the words' scale."""
MIN_WORD_AGREEMENT = 0.3
"""...and the share of the unique words shared by both sheets that must agree (the rest moved or changed)."""
WORD_FIT_TOLERANCE_PT = 3.0
"""How far (new-sheet points) a word's centre may be from where the fit puts it."""
SAME_SHAPE = 0.1
"""Paper sizes whose width and height ratios differ by less than this are the same sheet scaled."""
MAX_RENDER_DPI = 1200.0
"""The documents' renderer refuses finer resolutions."""
SEED = 0


class SheetLike(Protocol):
    """What the scale is read from: a page's size and words (a page analysis or a rendered page)."""

    @property
    def width_pt(self) -> float: ...
    @property
    def height_pt(self) -> float: ...
    @property
    def words(self) -> Sequence[Word]: ...


def expected_scale(old: SheetLike, new: SheetLike) -> float:
    """New-sheet points per old-sheet point as the words or else the paper sizes say it; 1.0 for a re-plot's
    wobble."""
    scale = _scale_from_words(old.words, new.words) or _scale_from_paper(old, new)
    return 1.0 if abs(math.log(scale)) <= math.log1p(SAME_SCALE) else scale


def render_dpis(old: SheetLike, new: SheetLike, dpi: float) -> tuple[float, float]:
    """Render resolutions (old, new) giving both sheets as many pixels per drawing unit at the expected scale.

    The side whose drawing is larger (in points) renders at ``dpi``, the other
    finer by the scale, so a half-size re-plot is read with the detail of the
    full-size sheet. Neither raster may have more pixels than the larger page
    at ``dpi`` (what comparing it with a same-size revision takes, so
    :func:`.compare.pairs_at_once` still holds) nor than the renderer allows,
    nor a finer resolution than it allows: when the drawing does not fill both
    pages alike, or the scale is near the ends of the range, both resolutions
    shrink together and keep their ratio.
    """
    old_finer, new_finer = finer_by(expected_scale(old, new))
    old_dpi, new_dpi = dpi * old_finer, dpi * new_finer
    old_area, new_area = old.width_pt * old.height_pt, new.width_pt * new.height_pt
    budget = min(max(old_area, new_area) * (dpi / 72.0) ** 2, MAX_RENDER_PIXELS)
    asked = max(old_area * (old_dpi / 72.0) ** 2, new_area * (new_dpi / 72.0) ** 2)
    shrink = min(1.0, math.sqrt(budget / asked) if asked > 0 else 1.0, MAX_RENDER_DPI / max(old_dpi, new_dpi))
    return old_dpi * shrink, new_dpi * shrink


def finer_by(scale: float) -> tuple[float, float]:
    """How many times finer than the larger plot the (old, new) sheet must be rendered or read for one size per
    drawing unit: the smaller plot by the scale, the larger not at all."""
    scale = min(MAX_SCALE, max(MIN_SCALE, scale))
    return max(scale, 1.0), max(1.0, 1.0 / scale)


def _scale_from_words(old_words: Sequence[Word], new_words: Sequence[Word]) -> float | None:
    """Scale of the similarity the words printed once on each sheet agree on; None when too few agree."""
    old_unique, new_unique = _unique_centres(old_words), _unique_centres(new_words)
    shared = sorted(old_unique.keys() & new_unique.keys())
    if len(shared) < MIN_WORD_PAIRS:
        return None
    source = np.array([old_unique[text] for text in shared], np.float32)
    target = np.array([new_unique[text] for text in shared], np.float32)
    cv2.setRNGSeed(SEED)
    matrix, inliers = cv2.estimateAffinePartial2D(
        source, target, method=cv2.RANSAC, ransacReprojThreshold=WORD_FIT_TOLERANCE_PT, maxIters=2000
    )
    agreeing = 0 if inliers is None else int(inliers.sum())
    if matrix is None or agreeing < max(MIN_WORD_PAIRS, MIN_WORD_AGREEMENT * len(shared)):
        return None
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    return scale if scale > 0 else None


def _unique_centres(words: Sequence[Word]) -> dict[str, tuple[float, float]]:
    """Centre of each word printed exactly once on the sheet (and long enough not to be a stray mark)."""
    counts = Counter(word.text for word in words)
    return {
        word.text: ((word.bbox[0] + word.bbox[2]) / 2, (word.bbox[1] + word.bbox[3]) / 2)
        for word in words
        if counts[word.text] == 1 and len(word.text) >= 3 and any(c.isalnum() for c in word.text)
    }


def _scale_from_paper(old: SheetLike, new: SheetLike) -> float:
    """The paper's scale when both sheets have about the same shape (fitted to the page, so the tighter side);
    1.0 when the shapes differ (a sheet turned or cut, not scaled)."""
    if min(old.width_pt, old.height_pt, new.width_pt, new.height_pt) <= 0:
        return 1.0
    across, down = new.width_pt / old.width_pt, new.height_pt / old.height_pt
    if max(across, down) / min(across, down) > 1 + SAME_SHAPE:
        return 1.0
    return min(across, down)


def drawing_px_per_pt(new: RenderedPage, matrix: np.ndarray) -> float:
    """New-sheet pixels per point of the larger of the two plots: the unit every tolerance and ink threshold is
    given in, so a half-size re-plot is judged as the full-size sheet would be, not at twice the tolerance."""
    return new.image.shape[1] / new.width_pt * min(1.0, matrix_scale(matrix))


def at_drawing_resolution(old: RenderedPage, new: RenderedPage, matrix: np.ndarray) -> RenderedPage:
    """``old`` with as many pixels per drawing unit as ``new``, so one line has one width on both sides.

    Rendering already does this when the expected scale was right; this
    resamples only when the measured scale says otherwise by more than a
    re-plot's wobble (a larger sheet with the drawing at the same scale).
    """
    wanted = new.scale * matrix_scale(matrix)
    ratio = wanted / old.scale
    if abs(math.log(ratio)) <= math.log1p(SAME_SCALE):
        return old
    height, width = old.image.shape
    size = (max(1, round(width * ratio)), max(1, round(height * ratio)))
    resampling = cv2.INTER_AREA if ratio < 1 else cv2.INTER_LINEAR
    image = cv2.resize(old.image, size, interpolation=resampling)
    return RenderedPage(image, old.dpi * ratio, old.width_pt, old.height_pt, old.words, old.text_source)
