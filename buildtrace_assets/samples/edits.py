"""Revision edits on a drafted sheet, each reporting exactly what it changed.

An edit returns the edited sheet and the changes it made, with boxes in
design coordinates; the revision maps them through the new sheet's re-plot.
Edits keep clear of each other (``taken``) so every change is a separate
region a comparison can be scored against.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

from buildtrace_assets.engine.model import BBox
from buildtrace_assets.samples.editing import EditResult, clear_of_ink, free, replace_element
from buildtrace_assets.samples.primitives import (
    Element,
    Label,
    Stroke,
    centered_label,
    intersects,
    pad,
    text_width,
    union,
)
from buildtrace_assets.samples.sheet import (
    DOOR_WIDTH,
    INTERIOR_WALL,
    POINTS_PER_FOOT,
    TICK_WIDTH,
    Sheet,
    Wall,
    door_element,
    feet_inches,
    wall_element,
)
from buildtrace_assets.samples.truth import ExpectedChange

_SOLID_KINDS = {"wall", "door", "window", "room", "dimension", "column", "hatch", "note", "title_block"}


def add_wall(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """A new partition in an open part of a room, clear of every other drawn object."""
    rooms = [e for e in sheet.elements if e.kind == "room"]
    rng.shuffle(rooms)
    solid = [e.bbox for e in sheet.elements if e.kind in _SOLID_KINDS]
    for room in rooms:
        x0, y0, x1, y1 = room.bbox
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        for dy in (34, -34, 50, -50):
            wall = Wall(cx - 36, cy + dy, cx + 36, cy + dy, INTERIOR_WALL)
            element = wall_element(f"wall-new-{room.id}", wall)
            box = element.bbox
            if free(box, taken) and not any(intersects(pad(box, 4), s) for s in solid):
                edited = replace(sheet, elements=(*sheet.elements, element))
                return edited, [ExpectedChange("added", box, "add_wall")]
    return None


def _remove_one(
    sheet: Sheet, candidates: list[Element], rng: random.Random, taken: list[BBox], edit: str
) -> EditResult | None:
    """Take out one of ``candidates`` (chosen at random) that is clear of the other edits."""
    rng.shuffle(candidates)
    for element in candidates:
        if free(element.bbox, taken):
            remaining = tuple(e for e in sheet.elements if e.id != element.id)
            return replace(sheet, elements=remaining), [ExpectedChange("removed", element.bbox, edit)]
    return None


def remove_wall(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Demolish an interior wall that holds no door (a door would be left floating)."""
    hosts = {e.meta["wall"] for e in sheet.elements if e.kind == "door"}
    walls = [e for e in sheet.elements if e.id.startswith("wall-") and e.meta.get("wall") not in hosts]
    return _remove_one(sheet, walls, rng, taken, "remove_wall")


def move_door(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Slide a door along its wall: the old opening closes (removed), a new one opens (added)."""
    doors = [e for e in sheet.elements if e.kind == "door"]
    rng.shuffle(doors)
    for door in doors:
        wall, u0 = door.meta["wall"], door.meta["u0"]
        for step in (2.0, -2.0, 1.5, -1.5, 3.0, -3.0):
            u1 = u0 + step * DOOR_WIDTH
            if not 20 <= u1 <= wall.length - 20 - DOOR_WIDTH:
                continue
            moved = door_element(door.id, wall, u1, door.meta["side"], door.meta["tag"])
            if free(door.bbox, taken) and free(moved.bbox, taken):
                changes = [
                    ExpectedChange("removed", door.bbox, "move_door"),
                    ExpectedChange("added", moved.bbox, "move_door"),
                ]
                return replace_element(sheet, moved), changes
    return None


def dimension_text(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Revise a dimension's value (e.g. ``24'-4"`` to ``24'-9"``), the drafted linework staying put."""
    dims = [e for e in sheet.elements if e.kind == "dimension"]
    rng.shuffle(dims)
    for dim in dims:
        (old,) = dim.labels
        if not free(old.bbox, taken):
            continue
        length = dim.meta["length"]
        delta = rng.choice((-1, 1)) * rng.randint(2, 30) * POINTS_PER_FOOT / 12
        new = centered_label(_center(old), feet_inches(length + delta, rng.randrange(8)), old.size)
        if new.text == old.text:
            continue
        edited = replace(dim, primitives=tuple(new if p is old else p for p in dim.primitives))
        change = ExpectedChange("modified", union([old.bbox, new.bbox]), "dimension_text", old.text, new.text)
        return replace_element(sheet, edited), [change]
    return None


def _center(label: Label) -> tuple[float, float]:
    return (label.origin[0] + label.width / 2, label.origin[1] - 0.35 * label.size)


_NUMBER = re.compile(r"\d")


def note_text(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Change the digits of one value in a note (``5/8"`` to ``3/8"``); Helvetica digits share one width."""
    notes = [e for e in sheet.elements if e.kind == "note"]
    rng.shuffle(notes)
    for note in notes:
        (label,) = note.labels
        number, _, rest = label.text.partition(" ")
        words = rest.split(" ")
        candidates = [i for i, w in enumerate(words) if _NUMBER.search(w)]
        if not candidates:
            continue
        i = rng.choice(candidates)
        old_word = words[i]
        digits = [m.start() for m in _NUMBER.finditer(old_word)]
        at = rng.choice(digits)
        new_digit = rng.choice([d for d in "123456789" if d != old_word[at]])
        new_word = old_word[:at] + new_digit + old_word[at + 1 :]
        prefix = " ".join([number, *words[:i]]) + " "
        x = label.origin[0] + text_width(prefix, label.size)
        top, bottom = label.bbox[1], label.bbox[3]
        box = (x, top, x + text_width(old_word, label.size), bottom)
        if not free(box, taken):
            continue
        new_label = replace(label, text=prefix + " ".join([new_word, *words[i + 1 :]]))
        edited = replace(note, primitives=(new_label,))
        return replace_element(sheet, edited), [ExpectedChange("modified", box, "note_text", old_word, new_word)]
    return None


def remove_tick(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Erase one 45-degree tick of a dimension: a removal about 9 points square, the dimension line staying."""
    dims = [e for e in sheet.elements if e.kind == "dimension"]
    rng.shuffle(dims)
    for dim in dims:
        ticks = [p for p in dim.primitives if isinstance(p, Stroke) and p.width == TICK_WIDTH]
        tick = rng.choice(ticks)
        if free(tick.bbox, taken) and not _drawn_twice(sheet, dim, tick):
            edited = replace(dim, primitives=tuple(p for p in dim.primitives if p is not tick))
            return replace_element(sheet, edited), [ExpectedChange("removed", tick.bbox, "remove_tick")]
    return None


def _drawn_twice(sheet: Sheet, dim: Element, tick: Stroke) -> bool:
    """Where two dimensions of a chain meet, each draws a tick at the shared witness line: erasing one of them
    leaves the other in place, so nothing visibly changes there."""
    return any(
        isinstance(other, Stroke)
        and other.width == TICK_WIDTH
        and max(abs(a - b) for a, b in zip(other.bbox, tick.bbox, strict=True)) < 0.5
        for element in sheet.elements
        if element.kind == "dimension" and element is not dim
        for other in element.primitives
    )


def remove_column(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Take out one column (a 10-point filled square) of a structural plan; other sheets have none."""
    return _remove_one(sheet, [e for e in sheet.elements if e.kind == "column"], rng, taken, "remove_column")


_ADDED_NOTES = (
    "VERIFY 3 EXISTING FLOOR DRAINS BEFORE DEMOLITION.",
    'PROVIDE 2 LAYERS 5/8" GYP. BD. AT SHAFT WALLS.',
    'NEW 4" CURB AT MECHANICAL UNIT, SEE DETAIL 7.',
    "PATCH AND PAINT 2 WALLS AFTER DEMOLITION.",
)


def add_note(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """A new keynote under the last one, read in full on the new sheet (the text a scan must be OCR'd for)."""
    keynotes = sorted((e for e in sheet.elements if e.id.startswith("keynote-")), key=lambda e: e.bbox[1])
    if not keynotes:
        return None
    last = keynotes[-1].labels[0]
    text = f"{len(keynotes) + 1}. {rng.choice(_ADDED_NOTES)}"
    label = Label((last.origin[0], last.origin[1] + 12), text, last.size)
    if not (free(label.bbox, taken) and clear_of_ink(sheet, label.bbox, set(), margin=1)):
        return None
    element = Element(f"keynote-{len(keynotes) + 1}", "note", (label,))
    added = ExpectedChange("added", label.bbox, "add_note", new_text=text)
    return replace(sheet, elements=(*sheet.elements, element)), [added]
