"""Hand-made change documents and sheet words whose summaries are known by construction."""

from __future__ import annotations

from typing import Any

from buildtrace_assets.engine.model import Word

TEXT_HEIGHT = 10.0


def word(text: str, x: float, y: float, height: float = TEXT_HEIGHT) -> Word:
    """A word centred on (x, y), 6 pt per character wide."""
    half = len(text) * 3
    return Word(text, (x - half, y - height / 2, x + half, y + height / 2))


GRID_X = {"A": 100.0, "B": 300.0, "C": 500.0, "D": 700.0}
GRID_Y = {"1": 150.0, "2": 350.0, "3": 550.0, "4": 750.0}


def plan_words() -> list[Word]:
    """A plan with grid bubbles A–D along the top and bottom, 1–4 down the left, and two room tags."""
    bubbles = [word(label, x, y) for label, x in GRID_X.items() for y in (50.0, 850.0)]
    bubbles += [word(label, 40.0, y) for label, y in GRID_Y.items()]
    rooms = [word("OFFICE", 400.0, 240.0), word("101", 400.0, 254.0)]
    rooms += [word("CONFERENCE", 600.0, 640.0), word("102", 600.0, 654.0)]
    return bubbles + rooms


def change(
    cid: str, kind: str, bbox: list[float], old: str | None = None, new: str | None = None, **extra: Any
) -> dict:
    return {"id": cid, "kind": kind, "bbox": bbox, "old_text": old, "new_text": new, **extra}


def document(*sheets: dict) -> dict:
    return {
        "schema": "buildtrace.changes/v1",
        "old": {"file": "old.pdf"},
        "new": {"file": "new.pdf"},
        "sheets": list(sheets),
    }


def sheet(number: str | None, status: str, changes: list[dict] = (), title: str | None = None, page: int = 0) -> dict:
    return {
        "sheet_number": number,
        "title": title,
        "old_page": None if status == "added" else page,
        "new_page": None if status == "removed" else page,
        "status": status,
        "changes": list(changes),
    }


def revision_document() -> dict:
    """A-101 with a dimension, a keynote legend, linework, a door tag; A-102 added; S-101 removed; A-103 unchanged."""
    return document(
        sheet(
            "A-101",
            "modified",
            [
                change("A-101-1", "modified", [380, 340, 420, 356], "31'-6 7/8\"", "8'-8 1/8\""),
                change(
                    "A-101-2",
                    "modified",
                    [900, 100, 1100, 300],
                    "KEYNOTES 1. VERIFY IN FIELD 4. PATCH WALL 6. NEW CMU",
                    "KEYNOTES 1. VERIFY IN FIELD 11. NEW DOOR 14. INFILL 15. SEALANT",
                ),
                change("A-101-3", "added", [560, 600, 640, 700]),
                change("A-101-4", "modified", [480, 440, 520, 460], "D-20", "D-21"),
            ],
            title="FIRST FLOOR PLAN",
        ),
        sheet("A-102", "added", title="SECOND FLOOR PLAN", page=1),
        sheet("S-101", "removed", title="FOUNDATION PLAN", page=2),
        sheet("A-103", "unchanged", page=3),
    )
