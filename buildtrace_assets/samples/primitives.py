"""What a sample sheet is made of: strokes, white masks and text labels, grouped into elements.

Sheets are kept as data in *design* coordinates (PDF points, top-left origin,
before any re-plot transform). Revisions edit this data, so the truth of a
revision is computed from the very elements that were drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise

import pymupdf

from buildtrace_assets.engine.model import BBox

Point = tuple[float, float]


@cache
def _font(bold: bool) -> pymupdf.Font:
    return pymupdf.Font("hebo" if bold else "helv")


def union(boxes: list[BBox]) -> BBox:
    """The smallest box holding every box."""
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def pad(box: BBox, margin: float) -> BBox:
    return (box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)


def intersects(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass(frozen=True)
class Stroke:
    """A polyline; ``filled`` paints its inside black (column squares, bubbles stay open)."""

    points: tuple[Point, ...]
    width: float = 0.5
    dashes: str | None = None
    closed: bool = False
    filled: bool = False

    @property
    def bbox(self) -> BBox:
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        return pad((min(xs), min(ys), max(xs), max(ys)), self.width / 2)


@dataclass(frozen=True)
class Mask:
    """A white rectangle that hides what was drawn before it (a wall cut by a door or window)."""

    rect: BBox

    @property
    def bbox(self) -> BBox:
        return self.rect


@dataclass(frozen=True)
class Label:
    """One line of Helvetica text; ``origin`` is the left end of its baseline."""

    origin: Point
    text: str
    size: float
    bold: bool = False

    @property
    def width(self) -> float:
        return text_width(self.text, self.size, self.bold)

    @property
    def bbox(self) -> BBox:
        font = _font(self.bold)
        x, y = self.origin
        return (x, y - font.ascender * self.size, x + self.width, y - font.descender * self.size)


def text_width(text: str, size: float, bold: bool = False) -> float:
    return _font(bold).text_length(text, fontsize=size)


def centered_label(center: Point, text: str, size: float, bold: bool = False) -> Label:
    """A label whose glyphs are centred on ``center`` (cap height, not the full ascender)."""
    x, y = center
    return Label((x - text_width(text, size, bold) / 2, y + 0.35 * size), text, size, bold)


Primitive = Stroke | Mask | Label


@dataclass(frozen=True)
class Element:
    """A drawing object a revision can add, remove or change as a whole (a wall, a door, a note)."""

    id: str
    kind: str
    primitives: tuple[Primitive, ...]
    meta: dict = field(default_factory=dict, compare=False)
    """What is needed to rebuild the element elsewhere (e.g. a door's host wall and position)."""

    @property
    def bbox(self) -> BBox:
        return union([p.bbox for p in self.primitives])

    @property
    def labels(self) -> tuple[Label, ...]:
        return tuple(p for p in self.primitives if isinstance(p, Label))


def shift_primitive(primitive: Primitive, dx: float, dy: float) -> Primitive:
    """The same stroke, mask or label ``dx``, ``dy`` points away."""
    if isinstance(primitive, Stroke):
        points = tuple((x + dx, y + dy) for x, y in primitive.points)
        return Stroke(points, primitive.width, primitive.dashes, primitive.closed, primitive.filled)
    if isinstance(primitive, Mask):
        x0, y0, x1, y1 = primitive.rect
        return Mask((x0 + dx, y0 + dy, x1 + dx, y1 + dy))
    return Label((primitive.origin[0] + dx, primitive.origin[1] + dy), primitive.text, primitive.size, primitive.bold)


def shift_element(element: Element, dx: float, dy: float) -> Element:
    """The whole element moved; its meta is kept (only elements that are never rebuilt are moved)."""
    return Element(
        element.id, element.kind, tuple(shift_primitive(p, dx, dy) for p in element.primitives), element.meta
    )


def ink_boxes(primitive: Primitive) -> list[BBox]:
    """Boxes around where a primitive puts ink or paper: per segment for open strokes, so an outline's box
    does not claim the paper it encloses."""
    if isinstance(primitive, Stroke) and not primitive.filled and len(primitive.points) > 1:
        points = list(primitive.points) + (list(primitive.points[:1]) if primitive.closed else [])
        half = primitive.width / 2
        return [
            pad((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])), half) for a, b in pairwise(points)
        ]
    return [primitive.bbox]
