"""Deterministic sentences for changes, in the style of a hand-written change list.

"Dimension at grids B–C/2–3 reduced 31'-6 7/8" → 8'-8 1/8" (by 22'-10 3/4")",
"Added keynotes 11, 14, 15; removed keynotes 4, 6": values as old → new,
lists by number, places by grid and room.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from buildtrace_assets.engine.drawing_scale import format_length
from buildtrace_assets.summaries.context import ChangeContext, moved_by
from buildtrace_assets.summaries.numbered_lists import ListChange
from buildtrace_assets.summaries.schema import Impact

ARROW = "→"
_ROOM_TAG = re.compile(r"^[A-Z][A-Z&'./-]*(?: [A-Z][A-Z&'./-]*)* [A-Z]?\d{2,4}[A-Z]?$")
"""A room's name and number (``STAFF 103``), as a tag reads once moved."""
SHORT_TAG_CHARS = 6
"""A moved label this short (``121``, ``W-3``) is a tag."""
NOTE_MIN_WORDS = 3
"""Text of fewer words (``SEE 3/A-501``) reads as "Text", rates low and is filed as a note all the same."""


def quoted(text: str | None) -> str:
    return f"“{' '.join((text or '').split())}”"


def _with_location(sentence: str, context: ChangeContext) -> str:
    return f"{sentence} {context.location}" if context.location else sentence


def _dimension(context: ChangeContext) -> str:
    change, length = context.change, context.length
    if length is not None:
        by = f" (by {format_length(length.delta)})" if length.delta else ""
        return (
            f"{_with_location('Dimension', context)} {length.direction} {change.old_text} {ARROW} {change.new_text}{by}"
        )
    if change.kind == "modified":
        return (
            f"{_with_location('Dimension', context)} changed {change.old_text or '—'} {ARROW} {change.new_text or '—'}"
        )
    value = change.new_text if change.kind == "added" else change.old_text
    return _with_location(f"Dimension {value} {change.kind}", context)


def _opening(context: ChangeContext) -> str:
    change = context.change
    if change.old_text and change.new_text and change.old_text != change.new_text:
        noun = (context.opening or "opening").split()[0].capitalize()
        return _with_location(f"{noun} tag {change.old_text} {ARROW} {change.new_text}", context)
    subject = context.opening or "opening"
    return _with_location(f"{subject[0].upper()}{subject[1:]} {change.kind}", context)


def is_short_text(context: ChangeContext) -> bool:
    """Whether neither side of the change has :data:`NOTE_MIN_WORDS` words."""
    return max(len((t or "").split()) for t in (context.change.old_text, context.change.new_text)) < NOTE_MIN_WORDS


def _text_change(noun: str) -> Callable[[ChangeContext], str]:
    def sentence(context: ChangeContext) -> str:
        change = context.change
        if change.kind == "modified" and change.old_text and change.new_text:
            return f"{_with_location(noun, context)}: {quoted(change.old_text)} {ARROW} {quoted(change.new_text)}"
        if change.new_text and not change.old_text:
            return f"{_with_location(noun + ' added', context)}: {quoted(change.new_text)}"
        if change.old_text and not change.new_text:
            return f"{_with_location(noun + ' removed', context)}: {quoted(change.old_text)}"
        return _with_location(f"{noun} {change.kind}", context)

    return sentence


def _note(context: ChangeContext) -> str:
    return _text_change("Text" if is_short_text(context) else "Note")(context)


def _ink(noun: str) -> Callable[[ChangeContext], str]:
    def sentence(context: ChangeContext) -> str:
        return _with_location(f"{noun} {context.change.kind}", context)

    return sentence


_SENTENCES: dict[str, Callable[[ChangeContext], str]] = {
    "dimension": _dimension,
    "door_window": _opening,
    "room": _text_change("Room name"),
    "note": _note,
    "linework": _ink("Linework"),
    "symbol": _ink("Symbol"),
}


def _moved_subject(context: ChangeContext) -> str:
    """What moved, named as a reader would: ``Room tag GREAT ROOM``, ``Door D-20``, ``Note “…”``, ``View``."""
    change = context.change
    text = " ".join((change.new_text or change.old_text or "").split())
    if change.group == "view":
        return "View"
    match context.category:
        case "door_window" if context.opening:
            return context.opening[0].upper() + context.opening[1:]
        case "room" if text:
            return f"Room tag {text}"
        case "dimension" if text:
            return f"Dimension {text}"
        case "note" if text and not is_short_text(context):
            return f"Note {quoted(text)}"
        case _ if _ROOM_TAG.match(text):
            return f"Room tag {text}"
        case _ if text and len(text) <= SHORT_TAG_CHARS:
            return f"Tag {text}"
        case _ if text:
            return f"Text {quoted(text)}"
        case "linework":
            return "Linework"
    return "Symbol"


def _moved(context: ChangeContext) -> str:
    """``Room tag GREAT ROOM moved 12'-0" east at grids B–C/2–3`` (``moved 180 pt right`` without a scale)."""
    by = moved_by(context.change)
    return _with_location(f"{_moved_subject(context)} moved" + (f" {by}" if by else ""), context)


def change_sentence(context: ChangeContext) -> str:
    """The sentence for one change that is not part of a numbered list."""
    if context.change.kind == "moved":
        return _moved(context) + "."
    return _SENTENCES[context.category](context) + "."


def replot_sentence(label: str, scale: float) -> str:
    """``A-101 re-plotted at 50%.``: the sheet was issued at another size (new-sheet points per old point)."""
    return f"{label} re-plotted at {round(scale * 100)}%."


def _numbers(noun: str, numbers: list[int]) -> str:
    plural = noun if len(numbers) == 1 else f"{noun}s"
    return f"{plural} {', '.join(str(n) for n in numbers)}"


def list_sentence(noun: str, change: ListChange) -> str:
    """``Added keynotes 11, 14, 15; removed keynotes 4, 6; revised keynote 7.``"""
    parts = [
        f"{verb} {_numbers(noun, numbers)}"
        for verb, numbers in (("added", change.added), ("removed", change.removed), ("revised", change.revised))
        if numbers
    ]
    sentence = "; ".join(parts) or f"{noun.capitalize()} list reformatted"
    return sentence[0].upper() + sentence[1:] + "."


def change_impact(context: ChangeContext) -> tuple[Impact, str]:
    """A rule-of-thumb impact: what typically costs time or money on site rates higher."""
    length = context.length
    if context.change.kind == "moved":
        return _moved_impact(context)
    match context.category:
        case "dimension" if length is not None and (length.delta >= 12 or length.relative >= 0.1):
            return "high", f"dimension {length.direction} by {format_length(length.delta)}"
        case "dimension":
            return "medium", "dimension value changed"
        case "keynote" | "note" if context.list_change is not None:
            return "medium", "numbered notes added or removed change the described scope"
        case "door_window":
            return "medium", "openings affect walls, hardware and the door/window schedule"
        case "room":
            return "medium", "room names and numbers drive schedules and finishes"
        case "note" if is_short_text(context):
            return "low", "short text change"
        case "note":
            return "medium", "note wording changed"
        case "linework" | "symbol":
            return "low", "graphic change without text; check the overlay"
        case _:
            return "low", "short text change"


def _moved_impact(context: ChangeContext) -> tuple[Impact, str]:
    if context.category == "door_window":
        return "medium", "a moved opening changes walls, hardware and the door/window schedule"
    if context.change.group == "view":
        return "low", "a view re-laid out on the sheet, its content unchanged; edits inside it are listed on their own"
    return "low", "moved on the sheet, its content unchanged"
