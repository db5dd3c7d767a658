"""What each change is and where it is, in the terms people use on the drawing.

Both summarizers start here: the offline one words its sentences from these
facts, the model receives them next to the crops so it does not have to
guess grid lines or read dimension strings off pixels.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from buildtrace_assets.engine.drawing_scale import format_length
from buildtrace_assets.engine.model import BBox, Word
from buildtrace_assets.summaries.dimensions import LengthChange, is_dimension, length_change
from buildtrace_assets.summaries.discipline import discipline_of
from buildtrace_assets.summaries.document import ChangeRecord, ChangesDocument, SheetRecord, WordsBySheet
from buildtrace_assets.summaries.location import (
    Grid,
    RoomTag,
    describe_grid_position,
    find_grid,
    find_room_tags,
    nearest_room,
    words_inside,
)
from buildtrace_assets.summaries.numbered_lists import ListChange, numbered_list_change
from buildtrace_assets.summaries.schema import Category, Discipline

_OPENING_TAG = re.compile(r"^(?P<prefix>D|DR|W|WD|WIN)-?\d{1,3}[A-Z]?$")
_ROOM_TEXT = re.compile(
    r"\b(ROOM|OFFICE|CORRIDOR|LOBBY|STAIR|TOILET|KITCHEN|BEDROOM|STORAGE|CLOSET|BATH)\b", re.IGNORECASE
)
HEADING_REACH_PT = 432.0
"""How far above a region (6 in on paper) a KEYNOTES heading still names its list."""
SYMBOL_MAX_SIDE_PT = 72.0
"""Ink without text no larger than this (1 in on paper) each way is a symbol: a tag bubble, a north arrow, a door
swing. Anything longer is linework; the engine gives only the region, so its shape is all there is to go by."""
SYMBOL_MAX_ASPECT = 3.0
"""A compact mark: a region longer than this many times its width is a stretch of line, however short."""


@dataclass(frozen=True)
class SheetWords:
    """A sheet's words with the grid and room tags read from them once."""

    words: Sequence[Word]

    @cached_property
    def grid(self) -> Grid:
        return find_grid(self.words)

    @cached_property
    def rooms(self) -> list[RoomTag]:
        return find_room_tags(self.words)

    def heading_above(self, bbox: BBox, keyword: str) -> bool:
        """Whether a word containing ``keyword`` heads the region (inside it, or above it in its column)."""
        for word in self.words:
            if keyword not in word.text.upper():
                continue
            overlaps = word.bbox[0] <= bbox[2] and word.bbox[2] >= bbox[0]
            if overlaps and bbox[1] - HEADING_REACH_PT <= word.bbox[1] <= bbox[3]:
                return True
        return False


@dataclass(frozen=True)
class ChangeContext:
    """One change with its sheet, category and location."""

    sheet: SheetRecord
    change: ChangeRecord
    category: Category
    """What changed, read from its content: a dimension, a note, a door tag... (a moved block keeps its own)."""
    location: str | None
    """``at grids B–C/2–3 in OFFICE 101``; None when the words give no grid or room."""
    opening: str | None = None
    """``door D-20`` when a door or window tag is the changed text or sits inside the region."""
    length: LengthChange | None = None
    list_change: ListChange | None = None

    @property
    def discipline(self) -> Discipline:
        return discipline_of(self.sheet.sheet_number)

    @property
    def item_category(self) -> Category:
        """The category a summary item files the change under: ``moved`` for a move, else what changed."""
        return "moved" if self.change.kind == "moved" else self.category

    def prompt_view(self) -> dict[str, Any]:
        """The facts the model gets for this change, next to its crops."""
        view: dict[str, Any] = {
            "id": self.change.id,
            "sheet": self.sheet.label,
            "kind": self.change.kind,
            "category_hint": self.item_category,
            "old_text": self.change.old_text,
            "new_text": self.change.new_text,
            "location": self.location,
            "bbox_pt": [round(v, 1) for v in self.change.bbox],
        }
        if self.opening:
            view["opening"] = self.opening
        if self.length:
            view["dimension"] = f"{self.length.direction} by {format_length(self.length.delta)}"
        if self.change.kind == "moved":
            view["moved"] = {
                "what": "a whole view" if self.change.group == "view" else "one block",
                "by": moved_by(self.change),
                "from_bbox_pt": [round(v, 1) for v in self.change.from_bbox] if self.change.from_bbox else None,
            }
        if self.list_change:
            view["numbered_entries"] = {
                "added": self.list_change.added,
                "removed": self.list_change.removed,
                "revised": self.list_change.revised,
            }
        return view


COMPASS = {
    "right": "east",
    "up-right": "north-east",
    "up": "north",
    "up-left": "north-west",
    "left": "west",
    "down-left": "south-west",
    "down": "south",
    "down-right": "south-east",
}
"""Plan directions for page directions, with north up the sheet as plans are drawn by convention."""


def moved_by(change: ChangeRecord) -> str | None:
    """``12'-0" east`` with the sheet's scale known, else ``180 pt right``; None without an offset."""
    offset = change.offset
    if offset is None:
        return None
    direction = offset.page_direction
    if offset.drawing_distance:
        return f"{offset.drawing_distance} {COMPASS.get(direction, direction)}"
    distance = offset.distance if offset.distance is not None else math.hypot(offset.dx, offset.dy)
    return f"{round(distance)} pt {direction}"


def _opening(change: ChangeRecord, inside: Sequence[Word]) -> str | None:
    texts = [change.new_text or "", change.old_text or "", *(w.text for w in inside)]
    for text in texts:
        match = _OPENING_TAG.match(text.strip())
        if match:
            noun = "window" if match.group("prefix").startswith("W") else "door"
            return f"{noun} {text.strip()}"
    return None


def ink_category(bbox: tuple[float, float, float, float]) -> Category:
    """``symbol`` for a compact mark, ``linework`` for long or large ink (see :data:`SYMBOL_MAX_SIDE_PT`)."""
    long_side, short_side = sorted((bbox[2] - bbox[0], bbox[3] - bbox[1]), reverse=True)
    compact = long_side <= SYMBOL_MAX_SIDE_PT and long_side <= SYMBOL_MAX_ASPECT * max(short_side, 1.0)
    return "symbol" if compact else "linework"


def _category(change: ChangeRecord, sheet_words: SheetWords, opening: str | None, lists: ListChange | None) -> Category:
    """Read from the change's content; any text that is no dimension, list, opening or room is a note."""
    texts = " ".join(t for t in (change.old_text, change.new_text) if t)
    if lists is not None:
        is_keynote = "KEYNOTE" in texts.upper() or sheet_words.heading_above(change.bbox, "KEYNOTE")
        return "keynote" if is_keynote else "note"
    if is_dimension(change.old_text) or is_dimension(change.new_text):
        return "dimension"
    if opening:
        return "door_window"
    if _ROOM_TEXT.search(texts):
        return "room"
    if not texts.strip():
        return ink_category(change.bbox)
    return "note"


def _location(category: Category, point: tuple[float, float], sheet_words: SheetWords) -> str | None:
    parts = [describe_grid_position(sheet_words.grid, point)]
    if category != "room":
        room = nearest_room(sheet_words.rooms, point)
        parts.append(f"in {room.name}" if room else None)
    located = [p for p in parts if p]
    return " ".join(located) if located else None


def change_contexts(document: ChangesDocument, words_by_sheet: WordsBySheet | None = None) -> list[ChangeContext]:
    """Context of every change of every sheet, in document order."""
    contexts: list[ChangeContext] = []
    for sheet in document.sheets:
        sheet_words = SheetWords(tuple(sheet.words(words_by_sheet)))
        for change in sheet.changes:
            # A moved block's words are the same on both sides: a list that only moved has no entries changed.
            lists = None if change.kind == "moved" else numbered_list_change(change.old_text, change.new_text)
            opening = _opening(change, words_inside(sheet_words.words, change.bbox))
            category = _category(change, sheet_words, opening, lists)
            contexts.append(
                ChangeContext(
                    sheet=sheet,
                    change=change,
                    category=category,
                    location=_location(category, change.centre, sheet_words),
                    opening=opening,
                    length=length_change(change.old_text, change.new_text),
                    list_change=lists,
                )
            )
    return contexts
