"""The scale a sheet is drawn at, read from its scale notes, so a distance on paper can be said in drawing units.

A move of 180 pt means little to a reader; ``20'-0"`` at ``1/8" = 1'-0"``
does. Scale notes are found around their ``=`` (``1/4" = 1'-0"``,
``1" = 20'``) or their ratio (``1:100``); a ratio counts only beside the word
SCALE or standing alone, because notes are full of slopes (``1:20 MAX.
SLOPE``). A sheet with views at different scales gives each move the scale
note nearest to it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from buildtrace_assets.engine.model import Word

POINTS_PER_INCH = 72.0
MM_PER_INCH = 25.4
LINE_REACH = 12.0
"""Words up to this many text heights left or right of a scale note's anchor belong to its line."""
_IMPERIAL = re.compile(
    r"(?<![\d/.])(?:(?P<whole>\d+)\s+(?=\d+/))?(?:(?P<num>\d+)\s*/\s*(?P<den>\d+)|(?P<int>\d+(?:\.\d+)?))\s*[\"″]"
    r"\s*=\s*(?P<feet>\d+(?:\.\d+)?)\s*['′](?:\s*-?\s*(?P<inches>\d+(?:\.\d+)?)\s*[\"″])?"
)
_RATIO = re.compile(r"(?<![\d.])1\s*:\s*(?P<ratio>\d+(?:[.,]\d+)?)(?![\d.:])")
_SCALE_WORD = re.compile(r"\b(?:SCALE|MASSSTAB|MAßSTAB|ECHELLE|ÉCHELLE|ESCALA)\b", re.IGNORECASE)


@dataclass(frozen=True)
class DrawingScale:
    """How many drawing units one paper point stands for, and where the note that says so sits."""

    drawing_inches_per_point: float
    metric: bool
    at: tuple[float, float]
    """Centre of the scale note, in points."""

    def format(self, distance_pt: float) -> str:
        """``12'-0"`` (to the inch) or ``3600 mm`` (to 10 mm from 100 mm up)."""
        inches = distance_pt * self.drawing_inches_per_point
        if self.metric:
            mm = inches * MM_PER_INCH
            return f"{round(mm, -1) if mm >= 100 else round(mm):.0f} mm"
        return format_length(Fraction(round(inches)))


def format_length(inches: Fraction) -> str:
    """Architectural notation: ``22'-10 3/4"``, ``5"``, ``3/4"``."""
    inches = abs(inches)
    feet, rest = divmod(inches, 12)
    whole = int(rest)
    fraction = rest - whole
    inch_text = str(whole)
    if fraction:
        fraction_text = f"{fraction.numerator}/{fraction.denominator}"
        inch_text = fraction_text if whole == 0 and not feet else f"{whole} {fraction_text}"
    if feet:
        return f"{int(feet)}'-{inch_text}\""
    return f'{inch_text}"'


def sheet_scales(words: Sequence[Word]) -> list[DrawingScale]:
    """Every scale note on the sheet (``NTS`` and ``AS NOTED`` say nothing and are skipped)."""
    scales = []
    for anchor in words:
        if "=" not in anchor.text and ":" not in anchor.text:
            continue
        line = _line_text(words, anchor)
        scale = _imperial(line) if "=" in anchor.text else _metric(line)
        if scale is not None:
            centre = ((anchor.bbox[0] + anchor.bbox[2]) / 2, (anchor.bbox[1] + anchor.bbox[3]) / 2)
            scales.append(DrawingScale(scale[0], scale[1], centre))
    return scales


def scale_at(scales: Sequence[DrawingScale], point: tuple[float, float]) -> DrawingScale | None:
    """The sheet's one scale, or the note nearest ``point`` when views are drawn at different scales."""
    if not scales:
        return None
    ratios = {(round(scale.drawing_inches_per_point, 6), scale.metric) for scale in scales}
    if len(ratios) == 1:
        return scales[0]
    return min(scales, key=lambda scale: math.dist(scale.at, point))


def _line_text(words: Sequence[Word], anchor: Word) -> str:
    """The words on the anchor's text line near it, left to right."""
    height = max(anchor.bbox[3] - anchor.bbox[1], 1.0)
    cy = (anchor.bbox[1] + anchor.bbox[3]) / 2
    reach = LINE_REACH * height
    line = [
        word
        for word in words
        if abs((word.bbox[1] + word.bbox[3]) / 2 - cy) <= height / 2
        and word.bbox[2] >= anchor.bbox[0] - reach
        and word.bbox[0] <= anchor.bbox[2] + reach
    ]
    return " ".join(word.text for word in sorted(line, key=lambda word: word.bbox[0]))


def _imperial(text: str) -> tuple[float, bool] | None:
    """``1/4" = 1'-0"`` -> drawing inches per point (48 in per paper inch / 72)."""
    match = _IMPERIAL.search(text)
    if match is None:
        return None
    if match["num"] is not None:
        if int(match["den"]) == 0:
            return None
        paper = Fraction(int(match["num"]), int(match["den"])) + int(match["whole"] or 0)
    else:
        paper = Fraction(match["int"])
    drawing = Fraction(match["feet"]) * 12 + Fraction(match["inches"] or 0)
    if paper <= 0 or drawing <= 0:
        return None
    return float(drawing / paper) / POINTS_PER_INCH, False


def _metric(text: str) -> tuple[float, bool] | None:
    """``SCALE 1:100`` or a lone ``1:100`` -> drawing inches per point (100 paper points per point / 72)."""
    match = _RATIO.search(text)
    if match is None or not (_SCALE_WORD.search(text) or _RATIO.fullmatch(text.strip())):
        return None
    ratio = float(match["ratio"].replace(",", "."))
    return (ratio / POINTS_PER_INCH, True) if ratio > 0 else None
