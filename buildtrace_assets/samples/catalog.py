"""Every revision edit by name, and applying a scenario's list of them to one sheet."""

from __future__ import annotations

import random
from collections.abc import Callable

from buildtrace_assets.engine.model import BBox
from buildtrace_assets.samples.editing import EditResult, taken_by
from buildtrace_assets.samples.edits import (
    add_note,
    add_wall,
    dimension_text,
    move_door,
    note_text,
    remove_column,
    remove_tick,
    remove_wall,
)
from buildtrace_assets.samples.moves import move_door_tag, move_keynote, move_room_tag, move_view
from buildtrace_assets.samples.sheet import Sheet
from buildtrace_assets.samples.truth import ExpectedChange

EDITS: dict[str, Callable[[Sheet, random.Random, list[BBox]], EditResult | None]] = {
    "add_wall": add_wall,
    "remove_wall": remove_wall,
    "move_door": move_door,
    "dimension_text": dimension_text,
    "note_text": note_text,
    "remove_tick": remove_tick,
    "remove_column": remove_column,
    "add_note": add_note,
    "move_room_tag": move_room_tag,
    "move_keynote": move_keynote,
    "move_door_tag": move_door_tag,
    "move_view": move_view,
}
"""Every edit by name; a scenario lists the ones it applies to each changed sheet."""


def apply_edits(sheet: Sheet, names: tuple[str, ...], rng: random.Random) -> tuple[Sheet, list[ExpectedChange]]:
    """Apply the named edits in order; an edit with no room left on the sheet is skipped."""
    changes: list[ExpectedChange] = []
    for name in names:
        result = EDITS[name](sheet, rng, taken_by(changes))
        if result is not None:
            sheet, made = result
            changes.extend(made)
    return sheet, changes
