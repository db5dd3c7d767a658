"""Revision edits on a drafted sheet, each reporting exactly what it changed.

An edit returns the edited sheet and the changes it made, with boxes in
design coordinates; the revision maps them through the new sheet's re-plot.
Edits keep clear of each other (``taken``) so every change is a separate
region a comparison can be scored against.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import replace

from buildtrace_assets.engine.model import BBox
from buildtrace_assets.samples.primitives import (
    Element,
    Label,
    intersects,
    pad,
    text_width,
    union,
)
from buildtrace_assets.samples.sheet import (
    DOOR_WIDTH,
    INTERIOR_WALL,
    POINTS_PER_FOOT,
    Sheet,
    Wall,
    centered_label,
    door_element,
    feet_inches,
    wall_element,
)
from buildtrace_assets.samples.truth import ExpectedChange

CLEARANCE = 30.0
"""Minimum gap in points between two edits of the same sheet."""

_SOLID_KINDS = {"wall", "door", "window", "room", "dimension", "column", "hatch", "note", "title_block"}


EditResult = tuple[Sheet, list[ExpectedChange]]
"""The edited sheet and its changes, boxes still in design coordinates."""


def _replace_element(sheet: Sheet, element: Element) -> Sheet:
    return replace(sheet, elements=tuple(element if e.id == element.id else e for e in sheet.elements))


def _free(box: BBox, taken: list[BBox]) -> bool:
    return not any(intersects(pad(box, CLEARANCE), t) for t in taken)


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
            if _free(box, taken) and not any(intersects(pad(box, 4), s) for s in solid):
                edited = replace(sheet, elements=(*sheet.elements, element))
                return edited, [ExpectedChange("added", box, "add_wall")]
    return None


def remove_wall(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Demolish an interior wall that holds no door (a door would be left floating)."""
    hosts = {e.meta["wall"] for e in sheet.elements if e.kind == "door"}
    walls = [e for e in sheet.elements if e.id.startswith("wall-") and e.meta.get("wall") not in hosts]
    rng.shuffle(walls)
    for wall in walls:
        if _free(wall.bbox, taken):
            remaining = tuple(e for e in sheet.elements if e.id != wall.id)
            return replace(sheet, elements=remaining), [ExpectedChange("removed", wall.bbox, "remove_wall")]
    return None


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
            if _free(door.bbox, taken) and _free(moved.bbox, taken):
                changes = [
                    ExpectedChange("removed", door.bbox, "move_door"),
                    ExpectedChange("added", moved.bbox, "move_door"),
                ]
                return _replace_element(sheet, moved), changes
    return None


def dimension_text(sheet: Sheet, rng: random.Random, taken: list[BBox]) -> EditResult | None:
    """Revise a dimension's value (e.g. ``24'-4"`` to ``24'-9"``), the drafted linework staying put."""
    dims = [e for e in sheet.elements if e.kind == "dimension"]
    rng.shuffle(dims)
    for dim in dims:
        (old,) = dim.labels
        if not _free(old.bbox, taken):
            continue
        length = dim.meta["length"]
        delta = rng.choice((-1, 1)) * rng.randint(2, 30) * POINTS_PER_FOOT / 12
        new = centered_label(_center(old), feet_inches(length + delta, rng.randrange(8)), old.size)
        if new.text == old.text:
            continue
        edited = replace(dim, primitives=tuple(new if p is old else p for p in dim.primitives))
        change = ExpectedChange("modified", union([old.bbox, new.bbox]), "dimension_text", old.text, new.text)
        return _replace_element(sheet, edited), [change]
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
        if not _free(box, taken):
            continue
        new_label = replace(label, text=prefix + " ".join([new_word, *words[i + 1 :]]))
        edited = replace(note, primitives=(new_label,))
        return _replace_element(sheet, edited), [ExpectedChange("modified", box, "note_text", old_word, new_word)]
    return None


EDITS: dict[str, Callable[[Sheet, random.Random, list[BBox]], EditResult | None]] = {
    "add_wall": add_wall,
    "remove_wall": remove_wall,
    "move_door": move_door,
    "dimension_text": dimension_text,
    "note_text": note_text,
}
"""Every edit by name; a scenario lists the ones it applies to each changed sheet."""


def apply_edits(sheet: Sheet, names: tuple[str, ...], rng: random.Random) -> EditResult:
    """Apply the named edits in order; an edit with no room left on the sheet is skipped."""
    changes: list[ExpectedChange] = []
    for name in names:
        result = EDITS[name](sheet, rng, [c.bbox for c in changes])
        if result is not None:
            sheet, made = result
            changes.extend(made)
    return sheet, changes
