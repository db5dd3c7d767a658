"""Revision edits that move a block to bare paper elsewhere on the sheet, the same content on both sides.

A note, a room tag, a door tag or a whole view disappears in one place and
appears, unchanged, in another: the truth is one ``moved`` change with where
it is now (``bbox``) and where it was (``from_bbox``), not a removal plus an
addition. A moved view also carries edits inside it, reported on their own.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

from buildtrace_assets.engine.model import BBox
from buildtrace_assets.samples.details import cell_size, views
from buildtrace_assets.samples.editing import EditResult, clear_of_ink, free, replace_element, taken_by
from buildtrace_assets.samples.edits import dimension_text, note_text
from buildtrace_assets.samples.primitives import Element, Primitive, Stroke, shift_element, shift_primitive, union
from buildtrace_assets.samples.sheet import Sheet, feet_inches
from buildtrace_assets.samples.truth import ExpectedChange


def _shift(box: BBox, dx: float, dy: float) -> BBox:
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def _inside(box: BBox, area: BBox) -> bool:
    return area[0] <= box[0] and area[1] <= box[1] and box[2] <= area[2] and box[3] <= area[3]


def _move_part(
    sheet: Sheet,
    element: Element,
    part: tuple[Primitive, ...],
    offsets: list[tuple[float, float]],
    taken: list[BBox],
    edit: str,
    area: BBox | None = None,
    margin: float = 6.0,
) -> EditResult | None:
    """Move ``part`` of ``element`` by the first offset that lands on bare paper (inside ``area``), clear of edits.

    ``margin`` is the bare paper kept around it (a door tag sits 3 points off its wall)."""
    old_box = union([p.bbox for p in part])
    if not free(old_box, taken):
        return None
    rest = replace(element, primitives=tuple(p for p in element.primitives if p not in part))
    without = replace_element(sheet, rest)
    for dx, dy in offsets:
        new_box = _shift(old_box, dx, dy)
        if area is not None and not _inside(new_box, area):
            continue
        if free(new_box, taken) and clear_of_ink(without, new_box, set(), margin):
            moved = tuple(shift_primitive(p, dx, dy) if p in part else p for p in element.primitives)
            distance = feet_inches(math.hypot(dx, dy))
            change = ExpectedChange("moved", new_box, edit, from_bbox=old_box, group="item", drawing_distance=distance)
            return replace_element(sheet, replace(element, primitives=moved)), [change]
    return None


def _room_cell(sheet: Sheet, x: float, y: float) -> BBox | None:
    """The bay between grid lines that holds a point, inset from its walls: a room tag stays in its room."""
    xs: list[float] = []
    ys: list[float] = []
    for grid in (e for e in sheet.elements if e.kind == "grid"):
        line = grid.primitives[0]
        if isinstance(line, Stroke):
            (ax, ay), (bx, _) = line.points[:2]
            (xs if ax == bx else ys).append(ax if ax == bx else ay)
    left, right = [v for v in xs if v < x], [v for v in xs if v > x]
    top, bottom = [v for v in ys if v < y], [v for v in ys if v > y]
    if not (left and right and top and bottom):
        return None
    return (max(left) + 8, max(top) + 8, min(right) - 8, min(bottom) - 8)


def move_room_tag(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Move a room's name and number elsewhere in the same room (``GREAT ROOM`` removed here, added there)."""
    rooms = [e for e in sheet.elements if e.kind == "room"]
    rng.shuffle(rooms)
    offsets = [(dx, dy) for dx in (0.0, 40.0, -40.0, 70.0, -70.0) for dy in (30.0, -30.0, 45.0, -45.0)]
    for room in rooms:
        x0, y0, x1, y1 = room.bbox
        cell = _room_cell(sheet, (x0 + x1) / 2, (y0 + y1) / 2)
        rng.shuffle(offsets)
        result = _move_part(sheet, room, room.primitives, offsets, taken, "move_room_tag", cell)
        if result is not None:
            return result
    return None


def move_keynote(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Move the last keynote further down its column, to the paper above the title block."""
    keynotes = sorted((e for e in sheet.elements if e.id.startswith("keynote-")), key=lambda e: e.bbox[1])
    if not keynotes:
        return None
    offsets = [(0.0, dy) for dy in rng.sample((48.0, 72.0, 96.0, 144.0), 4)]
    return _move_part(sheet, keynotes[-1], keynotes[-1].primitives, offsets, taken, "move_keynote")


def move_door_tag(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Slide a door's tag (bubble and number, a symbol) along its wall; the door itself stays."""
    doors = [e for e in sheet.elements if e.kind == "door"]
    rng.shuffle(doors)
    for door in doors:
        steps = rng.sample((36.0, -36.0, 44.0, -44.0), 4)
        offsets = [(s, 0.0) if door.meta["wall"].horizontal else (0.0, s) for s in steps]
        result = _move_part(sheet, door, door.primitives[-2:], offsets, taken, "move_door_tag", margin=2.0)
        if result is not None:
            return result
    return None


def move_view(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Move a whole view of a details sheet to an empty cell, after editing a dimension and a note inside it."""
    groups = views(sheet)
    if not groups:
        return None
    width, height = cell_size(sheet)
    names = sorted(groups)
    rng.shuffle(names)
    for name in names:
        elements = groups[name]
        old_box = union([e.bbox for e in elements])
        cells = [(i * width, j * height) for i in (-2, -1, 0, 1, 2) for j in (-1, 0, 1) if (i, j) != (0, 0)]
        rng.shuffle(cells)
        for cx, cy in cells:
            dx, dy = cx + rng.uniform(-12, 12), cy + rng.uniform(-12, 12)
            new_box = _shift(old_box, dx, dy)
            ids = {e.id for e in elements}
            if not (free(old_box, taken) and free(new_box, taken) and clear_of_ink(sheet, new_box, ids, 12)):
                continue
            view = replace(sheet, elements=tuple(elements))
            inner: list[ExpectedChange] = []
            for edit in (dimension_text, note_text):
                result = edit(view, rng, taken_by(inner))
                if result is not None:
                    view, made = result
                    inner.extend(made)
            moved = {e.id: shift_element(e, dx, dy) for e in view.elements}
            edited = replace(sheet, elements=tuple(moved.get(e.id, e) for e in sheet.elements))
            box = union([e.bbox for e in moved.values()])
            whole = ExpectedChange("moved", box, "move_view", from_bbox=old_box, group="view")
            return edited, [whole, *(replace(c, bbox=_shift(c.bbox, dx, dy)) for c in inner)]
    return None
