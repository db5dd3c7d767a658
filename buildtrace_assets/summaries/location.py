"""Where a change is, in the drawing's own terms: grid lines and room names.

People locate changes by the structural grid ("between grids B–C/2–3") and by
the room they fall in ("in OFFICE 101"), not by coordinates. Both are read
from the new sheet's words:

* Grid bubbles are short labels (``A``, ``DD11``, ``4``, ``2.5``) repeated in
  one row along an edge (labels of vertical lines) or one column (labels of
  horizontal lines), far apart compared with their text height — which is
  what separates them from a numbered note list or a word in a sentence.
* Room tags are a name line with the room number just below it, or a name
  with a room word (OFFICE, STAIR, ...). Tags sit at the middle of their
  room, so the nearest tag stands in for the room containing the change.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from buildtrace_assets.engine.model import BBox, Word

_GRID_LABEL = re.compile(r"^(?:[A-Z]{1,2}(?:\.?\d{1,2})?|\d{1,2}(?:\.\d)?)$")
_ROOM_NUMBER = re.compile(r"^[A-Z]?\d{2,4}[A-Z]?$")
_NAME_WORD = re.compile(r"^[A-Z][A-Z&'./-]*$")
_ROOM_WORDS = frozenset(
    [
        "OFFICE",
        "ROOM",
        "CORRIDOR",
        "HALL",
        "LOBBY",
        "STAIR",
        "STAIRS",
        "ELEVATOR",
        "TOILET",
        "RESTROOM",
        "BATH",
        "BATHROOM",
        "KITCHEN",
        "BEDROOM",
        "LIVING",
        "DINING",
        "CLOSET",
        "STORAGE",
        "MECHANICAL",
        "ELECTRICAL",
        "JANITOR",
        "CONFERENCE",
        "VESTIBULE",
        "ENTRY",
        "LAUNDRY",
        "GARAGE",
        "PANTRY",
        "BREAK",
        "RECEPTION",
        "WAITING",
        "CLASSROOM",
        "LAB",
        "LABORATORY",
        "SHOWER",
        "LOCKER",
        "UTILITY",
        "MECH",
        "ELEC",
        "IT",
        "DATA",
        "AREA",
        "SUITE",
        "FOYER",
        "PORCH",
        "DECK",
        "BALCONY",
    ]
)
MIN_GRID_LABELS = 3
"""A grid needs at least this many bubbles in a row to be told apart from stray letters."""
MIN_GRID_SPACING = 4.0
"""Bubble spacing, in text heights, below which a row of labels is text rather than a grid."""
ROOM_RADIUS_PT = 216.0
"""Farthest a room tag may be from a change (3 in on paper) to name its room."""


@dataclass(frozen=True)
class GridLine:
    label: str
    position: float
    """x of a vertical line (labels in a row) or y of a horizontal line (labels in a column)."""


@dataclass(frozen=True)
class Grid:
    """The sheet's grid: vertical lines sorted by x, horizontal lines sorted by y."""

    vertical: tuple[GridLine, ...] = ()
    horizontal: tuple[GridLine, ...] = ()


@dataclass(frozen=True)
class RoomTag:
    name: str
    centre: tuple[float, float]


def _centre(bbox: BBox) -> tuple[float, float]:
    return (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2


def _height(bbox: BBox) -> float:
    return max(bbox[3] - bbox[1], 1.0)


def _clusters(words: Sequence[Word], axis: int) -> list[list[Word]]:
    """Words sharing a centre coordinate on ``axis`` (1: same row, 0: same column), within half a text height."""
    ordered = sorted(words, key=lambda w: _centre(w.bbox)[axis])
    groups: list[list[Word]] = []
    for word in ordered:
        if groups and abs(_centre(word.bbox)[axis] - _centre(groups[-1][-1].bbox)[axis]) <= _height(word.bbox) / 2:
            groups[-1].append(word)
        else:
            groups.append([word])
    return groups


def _is_grid_row(group: list[Word], along: int) -> bool:
    labels = [w.text for w in group]
    if len(group) < MIN_GRID_LABELS or len(set(labels)) != len(labels):
        return False
    if len({label[0].isdigit() for label in labels}) != 1:
        return False
    positions = sorted(_centre(w.bbox)[along] for w in group)
    height = statistics.median(_height(w.bbox) for w in group)
    return min(b - a for a, b in pairwise(positions)) >= MIN_GRID_SPACING * height


def _grid_lines(candidates: Sequence[Word], row_axis: int) -> tuple[GridLine, ...]:
    along = 1 - row_axis
    rows = [g for g in _clusters(candidates, row_axis) if _is_grid_row(g, along)]
    if not rows:
        return ()
    best = max(rows, key=len)
    return tuple(sorted((GridLine(w.text, _centre(w.bbox)[along]) for w in best), key=lambda line: line.position))


def find_grid(words: Iterable[Word]) -> Grid:
    """The grid whose bubbles appear among ``words``; empty axes when none is found."""
    candidates = [w for w in words if _GRID_LABEL.match(w.text.strip())]
    return Grid(vertical=_grid_lines(candidates, row_axis=1), horizontal=_grid_lines(candidates, row_axis=0))


def _axis_labels(lines: tuple[GridLine, ...], value: float) -> tuple[str, ...]:
    """One label when ``value`` is on (or beyond) a line, the two bracketing labels otherwise."""
    if not lines:
        return ()
    spacing = statistics.median(b.position - a.position for a, b in pairwise(lines))
    nearest = min(lines, key=lambda line: abs(line.position - value))
    if abs(nearest.position - value) <= 0.05 * spacing or not lines[0].position < value < lines[-1].position:
        return (nearest.label,)
    before = max((line for line in lines if line.position < value), key=lambda line: line.position)
    after = min((line for line in lines if line.position > value), key=lambda line: line.position)
    return (before.label, after.label)


def describe_grid_position(grid: Grid, point: tuple[float, float]) -> str | None:
    """``at grids B–C/2–3`` (lettered axis first), ``between grids DD11 and DD12``, ``at grid 4``."""
    x_labels = _axis_labels(grid.vertical, point[0])
    y_labels = _axis_labels(grid.horizontal, point[1])
    axes = [labels for labels in (x_labels, y_labels) if labels]
    if not axes:
        return None
    if len(axes) == 2:
        axes.sort(key=lambda labels: labels[0][0].isdigit())
        return "at grids " + "/".join("–".join(labels) for labels in axes)
    (labels,) = axes
    return f"between grids {labels[0]} and {labels[1]}" if len(labels) == 2 else f"at grid {labels[0]}"


def _lines(words: Sequence[Word]) -> list[tuple[str, BBox]]:
    """Words joined into text lines: same row, gaps under two text heights."""
    lines: list[tuple[str, BBox]] = []
    for row in _clusters(words, axis=1):
        row.sort(key=lambda w: w.bbox[0])
        text, box = row[0].text, row[0].bbox
        for word in row[1:]:
            if word.bbox[0] - box[2] <= 2 * _height(word.bbox):
                text = f"{text} {word.text}"
                box = (box[0], min(box[1], word.bbox[1]), word.bbox[2], max(box[3], word.bbox[3]))
            else:
                lines.append((text, box))
                text, box = word.text, word.bbox
        lines.append((text, box))
    return lines


def _is_name(text: str) -> bool:
    parts = text.split()
    return 0 < len(parts) <= 4 and all(_NAME_WORD.match(p) for p in parts) and any(len(p) >= 3 for p in parts)


def find_room_tags(words: Sequence[Word]) -> list[RoomTag]:
    """Room tags: a name line over a room-number line, or a name containing a room word."""
    lines = _lines(words)
    tags: list[RoomTag] = []
    for text, box in lines:
        if not _is_name(text):
            continue
        height = _height(box)
        number = next(
            (
                other_text
                for other_text, other in lines
                if _ROOM_NUMBER.match(other_text)
                and 0 <= other[1] - box[3] <= 1.5 * height
                and other[0] <= _centre(box)[0] <= other[2] + height
            ),
            None,
        )
        if number is not None:
            tags.append(RoomTag(f"{text} {number}", _centre(box)))
        elif _ROOM_WORDS.intersection(text.split()):
            tags.append(RoomTag(text, _centre(box)))
    return tags


def nearest_room(tags: Sequence[RoomTag], point: tuple[float, float], radius: float = ROOM_RADIUS_PT) -> RoomTag | None:
    """The room tag closest to ``point`` within ``radius`` points."""
    in_reach = [tag for tag in tags if math.dist(tag.centre, point) <= radius]
    return min(in_reach, key=lambda tag: math.dist(tag.centre, point)) if in_reach else None


def words_inside(words: Iterable[Word], bbox: BBox, margin: float = 2.0) -> list[Word]:
    """Words whose centre lies in ``bbox`` grown by ``margin`` points, in reading order."""
    x0, y0, x1, y1 = bbox[0] - margin, bbox[1] - margin, bbox[2] + margin, bbox[3] + margin
    inside = [w for w in words if x0 <= _centre(w.bbox)[0] <= x1 and y0 <= _centre(w.bbox)[1] <= y1]
    return sorted(inside, key=lambda w: (round(w.bbox[1]), w.bbox[0]))
