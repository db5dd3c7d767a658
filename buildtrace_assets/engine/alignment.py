"""Align an old sheet onto its new revision: coarse features, then local refinement.

Full-resolution feature matching is far too slow on ARCH D sheets and ECC or
phase correlation alone fail under rotation (see "Alignment facts" in
ARCHITECTURE.md). So ORB features on a reduced image give a robust similarity
transform; phase correlation of small full-resolution patches then measures
the remaining sub-pixel error at many points spread over the sheet, and a
second robust fit turns those into the final matrix. A sheet that fails any
gate is reported as not aligned instead of being diffed wrongly.

Sheets re-plotted at another paper size (0.25x to 4x) are reduced to the same
size per drawing unit, from the expected scale (:mod:`.plot_scale`), so the short
ORB pyramid still matches them; when that guess fails, the same scale as
before, then a full pyramid, are tried. A consistent scale is no reason to
refuse a sheet; a mirror image, features that disagree, or a scale outside
the compared range are, and each says so.
"""

from __future__ import annotations

import cv2
import numpy as np

from buildtrace_assets.engine.model import Alignment, RenderedPage, matrix_scale
from buildtrace_assets.engine.plot_scale import MAX_SCALE, MIN_SCALE, SAME_SCALE

WORK_LONG_SIDE_PX = 1350
"""About the long side of the reduced image the features are found on: the page shrinks by the whole number
closest to reaching it, since OpenCV's area resize is several times faster for whole-number factors
(ARCH D at 150 DPI: by 4, to 37.5 DPI)."""
ORB_FEATURES = 600
ORB_LEVELS = 3
"""A short scale pyramid (OpenCV's default is 8): both reduced images show the drawing at the expected scale, so
what is left is below one pyramid step; the coarse levels only add features to sparse sheets, and the full pyramid
took three quarters of the feature search's time. With one level, sparse sheets fall short of ``MIN_INLIERS``."""
SEARCH_LEVELS = 9
"""The pyramid of the last try, when the expected scale was wrong: 1.2 ** 8 spans the whole 0.25x-4x range."""
SCALE_SLACK = 0.02
"""A sheet printed at exactly a quarter measures a hair under it: the compared range's ends are this lenient."""
MIN_INLIERS = 20
MIN_INLIER_RATIO = 0.12
MAX_ROTATION_DEG = 5.0
MIN_SCORE = 0.6
"""Share of old ink that must land on new ink; unrelated sheets score far lower."""
PATCH_PX = 128
PATCH_COUNT = 64
MIN_PATCH_RESPONSE = 0.15
SEED = 0


_INK_STRETCH = (255 - np.minimum((255 - np.arange(256)) * 3, 255)).astype(np.uint8)
"""Thin lines average to light gray when shrunk; tripling the darkness of every pixel keeps them visible."""


class _Reduced:
    """A page shrunk to the working resolution, with ink made dark enough to survive the shrink, and its ORB
    features."""

    def __init__(self, page: RenderedPage, work_scale: float, levels: int = ORB_LEVELS, mirrored: bool = False) -> None:
        height, width = page.image.shape
        shrink = page.scale / work_scale
        step = max(1, int(shrink + 1e-6))
        small = page.image
        if step > 1:
            small = cv2.resize(small, (max(1, width // step), max(1, height // step)), interpolation=cv2.INTER_AREA)
        if abs(shrink - step) > 1e-6:
            size = (max(1, round(width / shrink)), max(1, round(height / shrink)))
            small = cv2.resize(small, size, interpolation=cv2.INTER_AREA)
        self.image = cv2.LUT(small, _INK_STRETCH)
        if mirrored:
            self.image = cv2.flip(self.image, 1)
        self.to_px = pixel_from_point(page.width_pt, page.height_pt, self.image.shape[1], self.image.shape[0])
        self.full_px = page_pixel_from_point(page)
        self.full_size = (width, height)
        orb = cv2.ORB.create(nfeatures=ORB_FEATURES, nlevels=levels, fastThreshold=10)
        self.points, self.descriptors = orb.detectAndCompute(self.image, None)


def pixel_from_point(width_pt: float, height_pt: float, width_px: int, height_px: int) -> np.ndarray:
    """3x3 matrix from page points to pixel centres of an image covering the whole page."""
    sx, sy = width_px / width_pt, height_px / height_pt
    return np.array([[sx, 0.0, -0.5], [0.0, sy, -0.5], [0.0, 0.0, 1.0]])


def page_pixel_from_point(page: RenderedPage) -> np.ndarray:
    """3x3 matrix from a page's points to its own image's pixel centres."""
    height, width = page.image.shape
    return pixel_from_point(page.width_pt, page.height_pt, width, height)


def as_3x3(matrix: np.ndarray) -> np.ndarray:
    return np.vstack([matrix, [0.0, 0.0, 1.0]])


def old_to_new_pixels(matrix_pt: np.ndarray, old: RenderedPage, new: RenderedPage) -> np.ndarray:
    """The 2x3 point-space alignment expressed between the two pages' full-resolution pixels."""
    in_pixels = page_pixel_from_point(new) @ as_3x3(matrix_pt) @ np.linalg.inv(page_pixel_from_point(old))
    return in_pixels[:2]


def identical(old: RenderedPage, new: RenderedPage) -> bool:
    """Byte-identical images of pages of one size; a sparse sample first so different pages are rejected almost for
    free, then OpenCV's largest difference, which builds no sheet-sized array of comparisons (``np.array_equal``
    costs ten times more, and a revision with a few small edits passes the sample). (A sheet re-plotted at half size
    and rendered at twice the resolution gives the same image, yet its points map at half scale.)"""
    a, b = old.image, new.image
    same_page = (old.width_pt, old.height_pt) == (new.width_pt, new.height_pt)
    return (
        same_page
        and a.shape == b.shape
        and np.array_equal(a[::16, ::16], b[::16, ::16])
        and cv2.norm(a, b, cv2.NORM_INF) == 0
    )


_IDENTITY_MATRIX = np.eye(2, 3)
_IDENTITY_MATRIX.flags.writeable = False
IDENTITY = Alignment(matrix=_IDENTITY_MATRIX, score=1.0, ok=True)
"""The alignment of a page with itself; shared, so its matrix is read-only."""


def align_pages(old: RenderedPage, new: RenderedPage, scale: float = 1.0) -> Alignment:
    """Find the affine map from old-sheet points to new-sheet points, or say why there is none.

    ``scale`` is the expected new-sheet points per old-sheet point (:func:`.plot_scale.expected_scale`).
    """
    if identical(old, new):
        return IDENTITY
    found = _coarse_fit(old, new, scale)
    if isinstance(found, str):
        return Alignment(matrix=np.eye(2, 3), score=0.0, ok=False, reason=found)
    coarse_pt, anchors, small_old, small_new = found
    fitted = matrix_scale(coarse_pt)
    if not MIN_SCALE * (1 - SCALE_SLACK) <= fitted <= MAX_SCALE * (1 + SCALE_SLACK):
        reason = f"the sheets differ in scale by {fitted:.2f}x, outside the {MIN_SCALE:g}x-{MAX_SCALE:g}x compared"
        return Alignment(matrix=coarse_pt, score=0.0, ok=False, reason=reason)
    matrix_pt = refine(coarse_pt, old, new, _patch_centres(anchors, small_new))
    small_matrix = (small_new.to_px @ as_3x3(matrix_pt) @ np.linalg.inv(small_old.to_px))[:2]
    score = _ink_overlap(small_old.image, small_new.image, small_matrix)
    if score < MIN_SCORE:
        reason = f"only {score:.0%} of the old sheet's ink lands on the new sheet after alignment"
        return Alignment(matrix=matrix_pt, score=score, ok=False, reason=reason)
    return Alignment(matrix=matrix_pt, score=score, ok=True)


_Fit = tuple[np.ndarray, np.ndarray, "_Reduced", "_Reduced"]


def _coarse_fit(old: RenderedPage, new: RenderedPage, scale: float) -> _Fit | str:
    """The coarse point-space similarity, the anchors it rests on and the reduced images; or why there is none.

    Tries the expected scale, then the same scale (a guess from the paper
    sizes is wrong when a drawing was only placed on a larger sheet), then a
    pyramid spanning every compared scale. When all fail, a mirror image of the
    old sheet is tried, only to say that it is one.
    """
    guesses = [(scale, ORB_LEVELS)]
    if abs(np.log(scale)) > np.log1p(SAME_SCALE):
        guesses.append((1.0, ORB_LEVELS))
    guesses.append((1.0, SEARCH_LEVELS))
    first_failure = ""
    reduced_new: dict[tuple[float, int], _Reduced] = {}

    def reduced(work_new: float, levels: int) -> _Reduced:
        if (work_new, levels) not in reduced_new:
            reduced_new[work_new, levels] = _Reduced(new, work_new, levels)
        return reduced_new[work_new, levels]

    for guess, levels in guesses:
        work_new = _work_scale(old, new, guess)
        small_new = reduced(work_new, levels)
        small_old = _Reduced(old, work_new * guess, levels)
        coarse, anchors, failure = _coarse_similarity(small_old, small_new)
        if coarse is not None:
            coarse_pt = (np.linalg.inv(small_new.to_px) @ as_3x3(coarse) @ small_old.to_px)[:2]
            return coarse_pt, anchors, small_old, small_new
        first_failure = first_failure or failure
    work_new = _work_scale(old, new, scale)
    mirrored = _Reduced(old, work_new * scale, ORB_LEVELS, mirrored=True)
    if _coarse_similarity(mirrored, reduced(work_new, ORB_LEVELS))[0] is not None:
        return "the old sheet is a mirror image of the new one"
    return first_failure


def _work_scale(old: RenderedPage, new: RenderedPage, scale: float = 1.0) -> float:
    """Pixels per new-sheet point of the new reduced image (the old one gets ``scale`` times as many per old-sheet
    point, so both show the drawing at one size): the finer page shrunk by a whole number, near
    ``WORK_LONG_SIDE_PX``."""
    long_side_pt = max(old.width_pt * scale, old.height_pt * scale, new.width_pt, new.height_pt)
    finest = max(old.scale / scale, new.scale)
    return finest / max(1, round(finest * long_side_pt / WORK_LONG_SIDE_PX))


def _coarse_similarity(old: _Reduced, new: _Reduced) -> tuple[np.ndarray | None, np.ndarray, str]:
    """Rotation, uniform scale and shift between reduced images, gated on inliers and plausibility.

    Also returns the inlier feature positions on the new image: proven
    distinctive spots, where the refinement measures the residual.
    """
    nothing = np.empty((0, 2), np.float32)
    old_points, old_descriptors = old.points, old.descriptors
    new_points, new_descriptors = new.points, new.descriptors
    if old_descriptors is None or new_descriptors is None or min(len(old_points), len(new_points)) < MIN_INLIERS:
        return None, nothing, "too few distinctive features to align the sheets (blank or nearly blank page)"
    matches = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(old_descriptors, new_descriptors)
    if len(matches) < MIN_INLIERS:
        return None, nothing, f"only {len(matches)} feature matches between the sheets"
    source = np.array([old_points[m.queryIdx].pt for m in matches], np.float32)
    target = np.array([new_points[m.trainIdx].pt for m in matches], np.float32)
    cv2.setRNGSeed(SEED)
    matrix, inliers = cv2.estimateAffinePartial2D(
        source, target, method=cv2.RANSAC, ransacReprojThreshold=2.0, maxIters=4000, confidence=0.999
    )
    inlier_count = 0 if inliers is None else int(inliers.sum())
    if matrix is None or inlier_count < MIN_INLIERS or inlier_count < MIN_INLIER_RATIO * len(matches):
        return None, nothing, f"features do not agree on one transform ({inlier_count} of {len(matches)} matches)"
    rotation = float(np.degrees(np.arctan2(matrix[1, 0], matrix[0, 0])))
    if abs(rotation) > MAX_ROTATION_DEG:
        return None, nothing, f"implausible transform (rotation {rotation:.1f} deg)"
    return matrix, target[inliers.ravel() > 0], ""


def refine(
    coarse_pt: np.ndarray, old: RenderedPage, new: RenderedPage, centres: list[tuple[float, float]]
) -> np.ndarray:
    """Measure the coarse estimate's residual on full-resolution patches and refit.

    Keeps the coarse matrix when too few patches give a confident measurement
    (e.g. a sparse sheet), since a refit on a handful of points could be worse.
    """
    to_new_px = old_to_new_pixels(coarse_pt, old, new)
    new_to_old_px = cv2.invertAffineTransform(to_new_px)
    window = cv2.createHanningWindow((PATCH_PX, PATCH_PX), cv2.CV_32F)
    half = PATCH_PX / 2.0
    old_points, new_points = [], []
    for cx, cy in centres:
        new_patch = cv2.getRectSubPix(new.image, (PATCH_PX, PATCH_PX), (float(cx), float(cy)))
        patch_to_old = new_to_old_px @ np.array([[1.0, 0.0, cx - half + 0.5], [0.0, 1.0, cy - half + 0.5], [0, 0, 1]])
        old_patch = cv2.warpAffine(
            old.image,
            patch_to_old,
            (PATCH_PX, PATCH_PX),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderValue=255,
        )
        (dx, dy), response = cv2.phaseCorrelate(
            255.0 - new_patch.astype(np.float32), 255.0 - old_patch.astype(np.float32), window
        )
        if response < MIN_PATCH_RESPONSE or max(abs(dx), abs(dy)) > half / 2:
            continue
        old_points.append(new_to_old_px @ np.array([cx + dx, cy + dy, 1.0]))
        new_points.append((cx, cy))
    if len(new_points) < 6:
        return coarse_pt
    cv2.setRNGSeed(SEED)
    refined_px, inliers = cv2.estimateAffinePartial2D(
        np.array(old_points, np.float32), np.array(new_points, np.float32), method=cv2.RANSAC, ransacReprojThreshold=1.0
    )
    if refined_px is None or int(inliers.sum()) < 6:
        return coarse_pt
    return (np.linalg.inv(page_pixel_from_point(new)) @ as_3x3(refined_px) @ page_pixel_from_point(old))[:2]


def _patch_centres(anchors: np.ndarray, small_new: _Reduced) -> list[tuple[float, float]]:
    """Up to ``PATCH_COUNT`` anchors spread over the sheet (one per grid cell), in full-resolution pixels."""
    height, width = small_new.image.shape
    margin = PATCH_PX / 2 * width / small_new.full_size[0] + 1
    inside = (
        (anchors[:, 0] >= margin)
        & (anchors[:, 0] < width - margin)
        & (anchors[:, 1] >= margin)
        & (anchors[:, 1] < height - margin)
    )
    anchors = anchors[inside]
    columns = 8
    cells = (anchors[:, 1] * columns // height) * columns + anchors[:, 0] * columns // width
    _, first = np.unique(cells.astype(np.int64), return_index=True)
    spread = anchors[first[:PATCH_COUNT]].astype(np.float64)
    to_full = small_new.full_px @ np.linalg.inv(small_new.to_px)
    full = cv2.transform(spread.reshape(1, -1, 2), to_full[:2]).reshape(-1, 2)
    return [(float(x), float(y)) for x, y in full]


def _ink_overlap(old: np.ndarray, new: np.ndarray, matrix: np.ndarray) -> float:
    """Share of old ink (darker than 128, warped into the new frame) within one reduced pixel of new ink."""
    height, width = new.shape
    warped = cv2.warpAffine(old, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    old_ink = cv2.threshold(warped, 127, 1, cv2.THRESH_BINARY_INV)[1]
    near_new_ink = cv2.dilate(cv2.threshold(new, 127, 1, cv2.THRESH_BINARY_INV)[1], np.ones((3, 3), np.uint8))
    total = cv2.countNonZero(old_ink)
    if total == 0:
        return 0.0
    return float(cv2.countNonZero(cv2.bitwise_and(old_ink, near_new_ink))) / total
