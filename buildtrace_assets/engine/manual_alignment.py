"""Alignment from point pairs a person picked, for sheets the automatic alignment refuses or gets wrong.

A re-plotted sheet differs from its old revision by a similarity transform
(shift, rotation, uniform scale), so that is what the points define. Two
pairs give it exactly. With three pairs the engine still fits a similarity,
by least squares, instead of the affine transform three pairs would
determine: the affine would turn the few points of clicking error into shear
and unequal scales that grow across the whole sheet, while the similarity
averages them, and the third pair checks the other two (a mirrored sheet or a
mistaken pick shows as a pair far off the fit and is refused).

Point pairs that cannot define a transform reliably (too close together, on
one line, off the sheet, implying an implausible scale) are refused with a
message that says what to pick instead, before anything is stored or compared.

Clicks on a sheet shown a screen wide are a point or two off, and on a drawing
that is enough to report every line as removed and added again. So, as after
the automatic alignment's feature match, the sheets' own detail measures what
is left (:func:`refined`); the person's transform stands where the sheet has
too little detail for that, or where the correction would move their points
further than clicking could have.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from buildtrace_assets.engine.alignment import PATCH_COUNT, PATCH_PX, refine
from buildtrace_assets.engine.errors import BadInputError
from buildtrace_assets.engine.model import Alignment, RenderedPage
from buildtrace_assets.engine.regions import CORE_LEVEL, Pixels, landed_share, landing, paper_level

Point = tuple[float, float]
PointPair = tuple[Point, Point]
"""``(old, new)``: one spot in old-sheet points and the same spot in new-sheet points."""
SheetSize = tuple[float, float]
"""``(width, height)`` in points."""
SheetRow = tuple[str, str | None, SheetSize, SheetSize]
"""A row of matched pages: its sheet key, sheet number, old and new page size."""

MIN_SCALE = 0.25
MAX_SCALE = 4.0
MIN_SPREAD_SHARE = 0.1
"""Points of one sheet at least this share of its shorter side apart: a few points of clicking error over a short
baseline would turn the whole sheet."""
MIN_TRIANGLE_HEIGHT_SHARE = 0.1
"""Three points must form a triangle: the third at least this share of the longest side off the line of the others
(on one line they cannot tell a sheet from its mirror image)."""
MAX_RESIDUAL_SHARE = 0.01
"""With three pairs, every new point within this share of the new sheet's diagonal of where the fit puts it."""
CORNER_SEARCH_LONG_SIDE_PX = 1350
"""Corners to measure the residual at are looked for on the new sheet shrunk to about this long side."""
CORNER_GRID = 8
"""At most one corner per cell of this grid, so the measurements spread over the sheet."""
LANDING_TOLERANCE_PT = 3.0
"""Old ink counts as landing on new ink within this distance, for the alignment's score (clicks are not exact)."""

_POINT = r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*"
_PAIR = re.compile(f"^{_POINT}={_POINT}$")


class ManualAlignmentError(BadInputError):
    """Point pairs that cannot define the transform of a sheet (the message says why and what to pick instead)."""


def parse_points(text: str) -> tuple[PointPair, ...]:
    """``"x1,y1=X1,Y1;x2,y2=X2,Y2"`` (old = new, in points) as point pairs; :class:`ManualAlignmentError` otherwise."""
    pairs = []
    for number, part in enumerate(text.split(";"), start=1):
        match = _PAIR.match(part)
        if match is None:
            raise ManualAlignmentError(f"point pair {number} ({part.strip()!r}) is not of the form x,y=X,Y")
        x, y, nx, ny = (float(value) for value in match.groups())
        pairs.append(((x, y), (nx, ny)))
    return tuple(pairs)


def parse_align_option(text: str) -> tuple[str, tuple[PointPair, ...]]:
    """``"SHEET:x1,y1=X1,Y1;x2,y2=X2,Y2"`` as the sheet (key or number) and its point pairs."""
    sheet, separator, points = text.rpartition(":")
    if not separator or not sheet.strip():
        raise ManualAlignmentError(f"{text!r} does not name a sheet: write SHEET:x1,y1=X1,Y1;x2,y2=X2,Y2")
    return sheet.strip(), parse_points(points)


def points_from_json(data: Any) -> tuple[PointPair, ...]:
    """Point pairs from the contract's shape ``[{"old": [x, y], "new": [x, y]}, ...]``."""
    try:
        return tuple(
            ((float(item["old"][0]), float(item["old"][1])), (float(item["new"][0]), float(item["new"][1])))
            for item in data
        )
    except (KeyError, IndexError, TypeError, ValueError):
        raise ManualAlignmentError('point pairs must be a list of {"old": [x, y], "new": [x, y]}') from None


def points_to_json(points: Iterable[PointPair]) -> list[dict[str, list[float]]]:
    """The contract's shape of point pairs, rounded to 1/100 pt."""
    return [{"old": [round(x, 2) for x in old], "new": [round(x, 2) for x in new]} for old, new in points]


def _check_inside(points: Sequence[Point], size: SheetSize, side: str) -> None:
    width, height = size
    for number, (x, y) in enumerate(points, start=1):
        if not (0.0 <= x <= width and 0.0 <= y <= height):
            raise ManualAlignmentError(
                f"{side} point {number} ({x:g}, {y:g}) is outside the {side} sheet (0-{width:g} x 0-{height:g} pt)"
            )


def _check_spread(points: Sequence[Point], size: SheetSize, side: str) -> None:
    least = MIN_SPREAD_SHARE * min(size)
    for first in range(len(points)):
        for second in range(first + 1, len(points)):
            distance = math.dist(points[first], points[second])
            if distance < least:
                raise ManualAlignmentError(
                    f"{side} points {first + 1} and {second + 1} are {distance:.0f} pt apart; pick points at least"
                    f" {least:.0f} pt apart (a tenth of the sheet), far apart for a precise alignment"
                )
    if len(points) == 3:
        (ax, ay), (bx, by), (cx, cy) = points
        twice_area = abs((bx - ax) * (cy - ay) - (by - ay) * (cx - ax))
        longest = max(math.dist(points[0], points[1]), math.dist(points[1], points[2]), math.dist(points[0], points[2]))
        if twice_area / longest < MIN_TRIANGLE_HEIGHT_SHARE * longest:
            raise ManualAlignmentError(
                f"the three {side} points lie (almost) on one line; pick three points that form a triangle"
            )


def fit_similarity(points: Sequence[PointPair]) -> np.ndarray:
    """The least-squares similarity (no mirroring) mapping the old points onto the new, as a 2x3 matrix.

    In complex numbers a similarity is ``new = a * old + b``; with centred
    points the least-squares ``a`` is ``sum(conj(old) * new) / sum(|old|^2)``,
    exact for two pairs.
    """
    old = np.array([complex(*pair[0]) for pair in points])
    new = np.array([complex(*pair[1]) for pair in points])
    old_centre, new_centre = old.mean(), new.mean()
    a = np.sum(np.conj(old - old_centre) * (new - new_centre)) / np.sum(np.abs(old - old_centre) ** 2)
    b = new_centre - a * old_centre
    return np.array([[a.real, -a.imag, b.real], [a.imag, a.real, b.imag]])


def manual_alignment(points: Sequence[PointPair], old_size: SheetSize, new_size: SheetSize) -> Alignment:
    """The alignment two or three point pairs define; :class:`ManualAlignmentError` when they cannot define one."""
    if len(points) not in (2, 3):
        raise ManualAlignmentError(f"give two or three point pairs per sheet, not {len(points)}")
    old_points, new_points = [pair[0] for pair in points], [pair[1] for pair in points]
    _check_inside(old_points, old_size, "old")
    _check_inside(new_points, new_size, "new")
    _check_spread(old_points, old_size, "old")
    _check_spread(new_points, new_size, "new")
    matrix = fit_similarity(points)
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ManualAlignmentError(
            f"the points make the new sheet {scale:.2f}x the old one; only {MIN_SCALE:g}x to {MAX_SCALE:g}x is"
            " plausible: check that each pair marks the same spot on both sheets"
        )
    mapped = np.array(old_points) @ matrix[:, :2].T + matrix[:, 2]
    misses = np.hypot(*(mapped - np.array(new_points)).T)
    allowed = MAX_RESIDUAL_SHARE * math.hypot(*new_size)
    if misses.max() > allowed:
        worst = int(misses.argmax())
        raise ManualAlignmentError(
            f"the point pairs do not agree on one placement (pair {worst + 1} is {misses[worst]:.0f} pt off,"
            f" at most {allowed:.0f} pt allowed): a mirrored sheet, or a pair that marks different spots"
        )
    return Alignment(matrix=matrix, score=0.0, ok=True, source="manual", points=tuple(points))


def alignments_for(
    requested: Mapping[str, Sequence[PointPair]], rows: Sequence[SheetRow | None]
) -> list[Alignment | None]:
    """Per row, the manual alignment asked for by its sheet key (or, failing that, its sheet number).

    ``rows`` holds a :data:`SheetRow` for each row of matched pages, None for the others.
    A request naming no matched sheet is refused, so a typo never passes silently as "no manual alignment".
    """
    found: list[Alignment | None] = []
    waiting = dict(requested)
    for row in rows:
        alignment = None
        if row is not None:
            key, number, old_size, new_size = row
            name = key if key in waiting else number if number in waiting else None
            if name is not None:
                try:
                    alignment = manual_alignment(waiting.pop(name), old_size, new_size)
                except ManualAlignmentError as error:
                    raise ManualAlignmentError(f"sheet {name}: {error}") from None
        found.append(alignment)
    if waiting:
        raise ManualAlignmentError(f"no sheet {', '.join(sorted(waiting))} is on both sides of the comparison to align")
    return found


def _corners(new: RenderedPage) -> list[tuple[float, float]]:
    """Distinctive spots of the new sheet (Shi-Tomasi corners, one per grid cell), in its full-resolution pixels,
    away from the edges by half a refinement patch."""
    height, width = new.image.shape
    shrink = max(1, round(max(height, width) / CORNER_SEARCH_LONG_SIDE_PX))
    small = cv2.resize(new.image, (max(1, width // shrink), max(1, height // shrink)), interpolation=cv2.INTER_AREA)
    found = cv2.goodFeaturesToTrack(small, maxCorners=PATCH_COUNT * 8, qualityLevel=0.05, minDistance=8)
    if found is None:
        return []
    margin = PATCH_PX / 2 + 1
    centres: dict[tuple[int, int], tuple[float, float]] = {}
    for x, y in found.reshape(-1, 2) * shrink:
        if margin <= x < width - margin and margin <= y < height - margin:
            cell = (int(y * CORNER_GRID // height), int(x * CORNER_GRID // width))
            centres.setdefault(cell, (float(x), float(y)))
    return list(centres.values())[:PATCH_COUNT]


def refined(manual: Alignment, old: RenderedPage, new: RenderedPage) -> Alignment:
    """The person's alignment corrected by the sheets' own detail, when that stays within clicking distance.

    The correction is measured like the automatic alignment's residual (phase correlation of patches at
    distinctive spots, refitted as a similarity); it is kept only if it moves none of the person's old points
    more than :data:`MAX_RESIDUAL_SHARE` of the sheet away from where their transform puts them.
    """
    matrix = refine(manual.matrix, old, new, _corners(new))
    old_points = np.array([pair[0] for pair in manual.points], np.float64)
    moved = old_points @ (matrix[:, :2] - manual.matrix[:, :2]).T + (matrix[:, 2] - manual.matrix[:, 2])
    if np.hypot(*moved.T).max() > MAX_RESIDUAL_SHARE * math.hypot(new.width_pt, new.height_pt):
        return manual
    return dataclasses.replace(manual, matrix=matrix)


def landing_share(old_in_new: np.ndarray, new_image: np.ndarray, px_per_pt: float) -> float:
    """Share of the (warped) old sheet's core ink within :data:`LANDING_TOLERANCE_PT` of new ink: the score of an
    alignment given by hand, measured as a moved block's landing is (:func:`.regions.landing`)."""
    rows, columns = np.nonzero(old_in_new < CORE_LEVEL * paper_level(old_in_new))
    old_ink = Pixels(rows, columns)
    return landed_share(landing(old_ink, (0, 0), new_image, paper_level(new_image), px_per_pt, LANDING_TOLERANCE_PT))
