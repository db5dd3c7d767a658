"""Drafting of one realistic sheet: border, title block, grid, walls, doors, windows, rooms, dimensions, notes.

Everything is derived from a ``random.Random`` so a seed reproduces the sheet
exactly. Scale is 1/8" = 1'-0" (9 points per foot), like a typical floor plan.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from buildtrace_assets.samples.primitives import (
    Element,
    Label,
    Mask,
    Point,
    Stroke,
    centered_label,
)

PAGE_SIZES: dict[str, tuple[float, float]] = {
    "ARCH_D": (2592.0, 1728.0),
    "ARCH_C": (1728.0, 1296.0),
    "ARCH_B": (1296.0, 864.0),
    "TABLOID": (1224.0, 792.0),
}
"""Landscape page sizes a sheet can be drafted on, in points (ARCH D = 36 x 24 in)."""

PAPER_SIZES: dict[str, tuple[float, float]] = {
    **PAGE_SIZES,
    "ARCH_A": (864.0, 648.0),
    "ANSI_D": (2448.0, 1584.0),
    "A1": (2383.94, 1683.78),
    "A3": (1190.55, 841.89),
    "A4": (841.89, 595.28),
}
"""Landscape papers a drafted sheet can be plotted on, scaled to fit (a half-size set, an A4 reduction)."""

POINTS_PER_FOOT = 9.0
MARGIN = 36.0
EXTERIOR_WALL = 8.0
INTERIOR_WALL = 4.0
DOOR_WIDTH = 27.0
TICK_WIDTH = 1.2
"""Stroke width of a dimension's 45-degree ticks (how they are told from its other lines)."""
WINDOW_WIDTH = 36.0

_PROJECTS = (
    "RIVERSIDE MEDICAL OFFICE BUILDING",
    "NORTHGATE ELEMENTARY SCHOOL",
    "HARBOR VIEW APARTMENTS",
    "CEDAR PARK LIBRARY",
    "MAPLE STREET FIRE STATION NO. 4",
    "WESTFIELD COMMUNITY CENTER",
)
_ROOMS = (
    "OFFICE",
    "CONFERENCE",
    "STORAGE",
    "CORRIDOR",
    "LOBBY",
    "BREAK ROOM",
    "TOILET",
    "MECH.",
    "ELEC.",
    "CLASSROOM",
    "RECEPTION",
    "WORK ROOM",
    "JANITOR",
    "STAFF",
    "COPY",
    "WAITING",
)
_NOTES = (
    'PROVIDE 5/8" TYPE X GYPSUM BOARD AT ALL RATED PARTITIONS.',
    "MAINTAIN 2 HOUR FIRE SEPARATION AT EXIT STAIRS.",
    "SLOPE FLOOR 2% TOWARD FLOOR DRAINS IN WET AREAS.",
    "FIRE EXTINGUISHER CABINETS AT 75'-0\" MAX. TRAVEL DISTANCE.",
    'MOUNT DOOR HARDWARE AT 36" ABOVE FINISHED FLOOR.',
    "CEILING HEIGHT 9'-6\" UNLESS NOTED OTHERWISE.",
    "ALL DIMENSIONS ARE TO FACE OF STUD UNLESS NOTED OTHERWISE.",
    "DO NOT SCALE DRAWINGS. VERIFY ALL DIMENSIONS IN FIELD.",
    "PROVIDE BLOCKING FOR ALL WALL MOUNTED ITEMS.",
    'SEAL ALL PENETRATIONS WITH 3" MINERAL WOOL AND SEALANT.',
    'CONCRETE SLAB 5" THICK ON 10 MIL VAPOR RETARDER.',
    'INSULATE INTERIOR PARTITIONS WITH 3 1/2" SOUND BATTS.',
    "COORDINATE 24 ELECTRICAL OUTLETS WITH FURNITURE PLAN.",
    'PROVIDE 4" RUBBER BASE AT ALL GYPSUM BOARD WALLS.',
)
_KEYNOTES = (
    'NEW 6" METAL STUD PARTITION TO DECK.',
    "EXISTING WALL TO REMAIN.",
    "RECESSED FIRE EXTINGUISHER CABINET, 1 PER 3000 SF.",
    "ROOF DRAIN ABOVE, SEE PLUMBING.",
    '42" HIGH GUARDRAIL.',
    "ACCESSIBLE ROUTE, 1:20 MAX. SLOPE.",
    "FLOOR MOUNTED DOOR STOP, 2 PER LEAF.",
)


@dataclass(frozen=True)
class SheetSpec:
    """Which sheet to draw: its number and title as they appear in the title block."""

    number: str
    title: str


@dataclass(frozen=True)
class Sheet:
    """A drafted sheet in design coordinates."""

    spec: SheetSpec
    width: float
    height: float
    elements: tuple[Element, ...]


def feet_inches(points: float, fraction_eighths: int = 0) -> str:
    """Format a length the way dimension strings read, e.g. ``24'-4"`` or ``31'-6 7/8"``."""
    inches_total = round(points / POINTS_PER_FOOT * 12)
    feet, inches = divmod(inches_total, 12)
    if fraction_eighths:
        num, den = fraction_eighths, 8
        while num % 2 == 0:
            num, den = num // 2, den // 2
        return f"{feet}'-{inches} {num}/{den}\""
    return f"{feet}'-{inches}\""


def rect(
    x0: float, y0: float, x1: float, y1: float, width: float, dashes: str | None = None, filled: bool = False
) -> Stroke:
    return Stroke(((x0, y0), (x1, y0), (x1, y1), (x0, y1)), width, dashes, closed=True, filled=filled)


def circle(center: Point, radius: float, width: float = 0.6) -> Stroke:
    cx, cy = center
    points = tuple(
        (cx + radius * math.cos(a * math.pi / 18), cy + radius * math.sin(a * math.pi / 18)) for a in range(36)
    )
    return Stroke(points, width, closed=True)


def hatch_lines(x0: float, y0: float, x1: float, y1: float, step: float) -> list[Stroke]:
    """45-degree hatch clipped to a rectangle."""
    lines = []
    c = x0 - (y1 - y0)  # each line is x = c + (y - y0)
    while c < x1:
        ya, yb = max(y0, y0 + (x0 - c)), min(y1, y0 + (x1 - c))
        if yb > ya:
            lines.append(Stroke(((c + ya - y0, ya), (c + yb - y0, yb)), 0.3))
        c += step
    return lines


def project_name(seed: int) -> str:
    """The project a seed's sheets belong to, printed in every title block."""
    return random.Random(seed).choice(_PROJECTS)


@dataclass(frozen=True)
class Wall:
    """An axis-aligned wall by its centre line; openings are cut across its thickness."""

    x0: float
    y0: float
    x1: float
    y1: float
    thickness: float

    @property
    def horizontal(self) -> bool:
        return self.y0 == self.y1

    @property
    def length(self) -> float:
        return abs(self.x1 - self.x0) + abs(self.y1 - self.y0)

    def at(self, u: float, v: float) -> Point:
        """The point ``u`` along the wall from its start and ``v`` across it."""
        if self.horizontal:
            return (self.x0 + u, self.y0 + v)
        return (self.x0 + v, self.y0 + u)

    def outline(self) -> Stroke:
        half = self.thickness / 2
        a, b = self.at(0, -half), self.at(self.length, half)
        return rect(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]), 0.9)

    def cut(self, u0: float, u1: float) -> list[Stroke | Mask]:
        """A white cut across the wall with jamb lines closing both ends."""
        half = self.thickness / 2
        a, b = self.at(u0, -half - 0.8), self.at(u1, half + 0.8)
        mask = Mask((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))
        jambs = [Stroke((self.at(u, -half), self.at(u, half)), 0.9) for u in (u0, u1)]
        return [mask, *jambs]


def wall_element(element_id: str, wall: Wall) -> Element:
    return Element(element_id, "wall", (wall.outline(),), {"wall": wall})


def door_element(element_id: str, wall: Wall, u0: float, side: int, tag: str) -> Element:
    """A door leaf with its swing arc in a cut of ``wall``, hinge at ``u0``, opening to ``side`` (+1/-1)."""
    half = wall.thickness / 2
    hinge = (u0, side * half)
    leaf_end = (u0, side * (half + DOOR_WIDTH))
    angles = [t * math.pi / 24 for t in range(13)]
    arc = tuple(wall.at(u0 + DOOR_WIDTH * math.sin(a), hinge[1] + side * DOOR_WIDTH * math.cos(a)) for a in angles)
    tag_center = wall.at(u0 + DOOR_WIDTH / 2, -side * (half + 13))
    primitives = (
        *wall.cut(u0, u0 + DOOR_WIDTH),
        Stroke((wall.at(*hinge), wall.at(*leaf_end)), 1.2),
        Stroke(arc, 0.4, dashes="[3 2] 0"),
        circle(tag_center, 8),
        centered_label(tag_center, tag, 6),
    )
    return Element(element_id, "door", primitives, {"wall": wall, "u0": u0, "side": side, "tag": tag})


def window_element(element_id: str, wall: Wall, u0: float) -> Element:
    glass = [
        Stroke((wall.at(u0, v), wall.at(u0 + WINDOW_WIDTH, v)), 0.5)
        for v in (-wall.thickness / 2, 0.0, wall.thickness / 2)
    ]
    return Element(element_id, "window", (*wall.cut(u0, u0 + WINDOW_WIDTH), *glass))


def _spacings(rng: random.Random, total: float, count: int) -> list[float]:
    """``count`` bay widths that add up to ``total``, varied like a real structural grid."""
    raw = [rng.uniform(0.8, 1.2) for _ in range(count)]
    return [total * r / sum(raw) for r in raw]


def _positions(start: float, spacings: list[float]) -> list[float]:
    positions = [start]
    for s in spacings:
        positions.append(positions[-1] + s)
    return positions


class Drafter:
    """Accumulates the elements of one sheet; each method drafts one layer."""

    def __init__(self, spec: SheetSpec, width: float, height: float, rng: random.Random):
        self.spec, self.width, self.height, self.rng = spec, width, height, rng
        self.elements: list[Element] = []
        self.title_w = min(360.0, 0.28 * width)
        self.title_h = min(216.0, 0.26 * height)

    def add(self, element_id: str, kind: str, *primitives, meta: dict | None = None) -> None:
        self.elements.append(Element(element_id, kind, tuple(primitives), meta or {}))

    def border_and_title_block(self, project: str) -> None:
        w, h, m = self.width, self.height, MARGIN
        self.add("border", "border", rect(m, m, w - m, h - m, 2.0), rect(m - 12, m - 12, w - m + 12, h - m + 12, 0.5))
        x0, y0, x1, y1 = w - m - self.title_w, h - m - self.title_h, w - m, h - m
        rows = [y0 + f * self.title_h for f in (0.18, 0.38, 0.56, 0.72)]
        pad = 8.0
        self.add(
            "title-block",
            "title_block",
            rect(x0, y0, x1, y1, 1.5),
            *[Stroke(((x0, y), (x1, y)), 0.6) for y in rows],
            Stroke(((x0 + self.title_w * 0.55, rows[3]), (x0 + self.title_w * 0.55, y1)), 0.6),
            Label((x0 + pad, y0 + 18), "BUILDTRACE ARCHITECTS LLP", 9, bold=True),
            Label((x0 + pad, y0 + 30), "1200 MARKET STREET, SUITE 400", 6),
            Label((x0 + pad, rows[0] + 14), "PROJECT", 6),
            Label((x0 + pad, rows[0] + 32), project, 10, bold=True),
            Label((x0 + pad, rows[1] + 14), "SHEET TITLE", 6),
            Label((x0 + pad, rows[1] + 34), self.spec.title, 12, bold=True),
            Label((x0 + pad, rows[2] + 14), "DATE: 2024-03-15", 8),
            Label((x0 + pad + self.title_w / 2, rows[2] + 14), 'SCALE: 1/8" = 1\'-0"', 8),
            Label((x0 + pad, rows[2] + 28), "PROJECT NO. 2318", 8),
            Label((x0 + pad, rows[3] + 14), "REVISION", 6),
            Label((x0 + pad, rows[3] + 30), "0  ISSUED FOR PERMIT", 8),
            Label((x0 + self.title_w * 0.55 + pad, rows[3] + 10), "SHEET", 6),
            Label((x0 + self.title_w * 0.55 + pad, y1 - 9), self.spec.number, 26, bold=True),
        )

    def notes(self) -> None:
        x = self.width - MARGIN - self.title_w + 8
        y = MARGIN + 30
        for heading, pool, prefix in (("GENERAL NOTES", _NOTES, "note"), ("KEYNOTES", _KEYNOTES, "keynote")):
            self.add(f"{prefix}-heading", "heading", Label((x, y), heading, 10, bold=True))
            y += 16
            chosen = self.rng.sample(pool, k=min(len(pool), self.rng.randint(4, 7)))
            for i, text in enumerate(chosen, start=1):
                self.add(f"{prefix}-{i}", "note", Label((x, y), f"{i}. {text}", 7))
                y += 12
            y += 18

    def plan(self) -> None:
        m = MARGIN
        left, top = m + 100, m + 120
        right, bottom = self.width - m - self.title_w - 50, self.height - m - 90
        rng = self.rng
        xs = _positions(left, _spacings(rng, right - left, rng.randint(4, 6)))
        ys = _positions(top, _spacings(rng, bottom - top, rng.randint(3, 4)))
        self._grid(xs, ys)
        self._walls_and_openings(xs, ys)
        self._rooms(xs, ys)
        self._dimensions(xs, ys)

    def _grid(self, xs: list[float], ys: list[float]) -> None:
        dash, r = "[14 4 3 4] 0", 11.0
        for i, x in enumerate(xs):
            letter = chr(ord("A") + i)
            end = (x, ys[0] - 60)
            self.add(
                f"grid-{letter}",
                "grid",
                Stroke((end, (x, ys[-1] + 20)), 0.4, dash),
                circle((x, end[1] - r), r),
                centered_label((x, end[1] - r), letter, 10),
            )
        for j, y in enumerate(ys, start=1):
            end = (xs[0] - 60, y)
            self.add(
                f"grid-{j}",
                "grid",
                Stroke((end, (xs[-1] + 20, y)), 0.4, dash),
                circle((end[0] - r, y), r),
                centered_label((end[0] - r, y), str(j), 10),
            )
        if self.spec.number.startswith("S"):
            for i, x in enumerate(xs):
                for j, y in enumerate(ys):
                    self.add(f"column-{i}-{j}", "column", rect(x - 5, y - 5, x + 5, y + 5, 0.5, filled=True))

    def _walls_and_openings(self, xs: list[float], ys: list[float]) -> None:
        rng, t = self.rng, EXTERIOR_WALL
        self.add(
            "exterior-wall",
            "exterior_wall",
            rect(xs[0] - t / 2, ys[0] - t / 2, xs[-1] + t / 2, ys[-1] + t / 2, 0.9),
            rect(xs[0] + t / 2, ys[0] + t / 2, xs[-1] - t / 2, ys[-1] - t / 2, 0.9),
        )
        for i in range(len(xs) - 1):
            for y, name in ((ys[0], "n"), (ys[-1], "s")):
                span = Wall(xs[i], y, xs[i + 1], y, t)
                self.elements.append(window_element(f"window-{name}{i}", span, span.length / 2 - WINDOW_WIDTH / 2))
        segments = [Wall(x, ys[j], x, ys[j + 1], INTERIOR_WALL) for x in xs[1:-1] for j in range(len(ys) - 1)]
        segments += [Wall(xs[i], y, xs[i + 1], y, INTERIOR_WALL) for y in ys[1:-1] for i in range(len(xs) - 1)]
        for n, wall in enumerate(segments):
            if rng.random() < 0.25:
                continue
            self.elements.append(wall_element(f"wall-{n}", wall))
            if rng.random() < 0.75:
                u0 = rng.uniform(20, wall.length - 20 - DOOR_WIDTH)
                self.elements.append(door_element(f"door-{n}", wall, u0, rng.choice((-1, 1)), f"{101 + n}"))

    def _rooms(self, xs: list[float], ys: list[float]) -> None:
        hatched = (self.rng.randrange(len(xs) - 1), self.rng.randrange(len(ys) - 1))
        number = 101
        for j in range(len(ys) - 1):
            for i in range(len(xs) - 1):
                cx, cy = (xs[i] + xs[i + 1]) / 2, (ys[j] + ys[j + 1]) / 2
                if (i, j) == hatched:
                    self._hatch(xs[i] + 24, ys[j] + 24, xs[i + 1] - 24, ys[j + 1] - 24)
                    continue
                name = self.rng.choice(_ROOMS)
                self.add(
                    f"room-{number}",
                    "room",
                    centered_label((cx, cy - 6), name, 9, bold=True),
                    centered_label((cx, cy + 8), str(number), 8),
                )
                number += 1

    def _hatch(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """A stair or shaft."""
        self.add("hatch", "hatch", rect(x0, y0, x1, y1, 0.6), *hatch_lines(x0, y0, x1, y1, 10.0))

    def _dimensions(self, xs: list[float], ys: list[float]) -> None:
        y_chain, y_total = ys[0] - 32, ys[-1] + 42
        for i in range(len(xs) - 1):
            self.dimension(f"dim-{i}", xs[i], xs[i + 1], y_chain, ys[0] - 8, self.rng.randrange(8))
        self.dimension("dim-overall", xs[0], xs[-1], y_total, ys[-1] + 8, 0)

    def dimension(self, element_id: str, xa: float, xb: float, y: float, y_from: float, eighths: int) -> None:
        """A horizontal dimension: extension lines, dimension line, 45-degree ticks and its value."""
        reach = 6 if y < y_from else -6
        ext = [Stroke(((x, y_from), (x, y - reach)), 0.35) for x in (xa, xb)]
        ticks = [Stroke(((x - 4, y + 4), (x + 4, y - 4)), TICK_WIDTH) for x in (xa, xb)]
        text = feet_inches(xb - xa, eighths)
        label = centered_label(((xa + xb) / 2, y - 7), text, 8)
        self.add(
            element_id,
            "dimension",
            *ext,
            Stroke(((xa - 6, y), (xb + 6, y)), 0.35),
            *ticks,
            label,
            meta={"length": xb - xa},
        )


def draft_sheet(spec: SheetSpec, page_size: str | tuple[float, float] = "ARCH_D", seed: int = 0) -> Sheet:
    """Draft one sheet; the same spec, size and seed always give the same sheet."""
    width, height = PAGE_SIZES[page_size] if isinstance(page_size, str) else page_size
    rng = random.Random(f"{seed}:{spec.number}")
    drafter = Drafter(spec, width, height, rng)
    drafter.border_and_title_block(project_name(seed))
    drafter.plan()
    drafter.notes()
    return Sheet(spec, width, height, tuple(drafter.elements))
