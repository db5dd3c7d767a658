"""The known truth of a generated revision pair, shaped like the ``buildtrace.changes/v1`` contract.

Boxes are new-sheet PDF points (top-left origin), mapped through the same
transform the new sheet was drawn with, so a comparison's output can be
scored against them directly.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from buildtrace_assets.engine.model import BBox, ChangeKind, SheetStatus

SCHEMA = "buildtrace.truth/v1"


class TruthFormatError(ValueError):
    """A truth file that is not a ``buildtrace.truth/v1`` document."""


@dataclass(frozen=True)
class ExpectedChange:
    kind: ChangeKind | Literal["moved"]
    bbox: BBox
    """Where the change is on the new sheet (for ``moved``: where the block is now)."""
    edit: str
    """Which edit made it (``move_door``, ``note_text``, ...), to break scores down."""
    old_text: str | None = None
    new_text: str | None = None
    from_bbox: BBox | None = None
    """``moved`` only: where the block was, in new-sheet points (its old place drawn through the new plot)."""
    offset: tuple[float, float] | None = None
    """``moved`` only: ``(dx, dy)`` in new-sheet points, x right, y down."""
    group: Literal["item", "view"] | None = None
    """``moved`` only: one note/tag/symbol, or a whole view moved on its own (its inner edits listed apart)."""
    drawing_distance: str | None = None
    """``moved`` items on a plan only: how far, in feet and inches at the title block's 1/8" = 1'-0"."""


@dataclass(frozen=True)
class ExpectedSheet:
    sheet_number: str
    title: str
    old_page: int | None
    new_page: int | None
    status: SheetStatus
    changes: tuple[ExpectedChange, ...] = ()
    alignment: list[list[float]] | None = None
    """The exact 2x3 affine from old-sheet to new-sheet points, for sheets in both sets."""
    matched_by: str | None = None
    """How the pairing must be recorded, when the pair is built to test it (``single_page``)."""


@dataclass(frozen=True)
class Truth:
    old_file: str
    new_file: str
    old_pages: int
    new_pages: int
    old_scanned: bool
    new_scanned: bool
    sheets: tuple[ExpectedSheet, ...]
    seed: int
    """The generator seed: ``draft_sheet(spec, size, seed)`` redrafts any old sheet."""

    def sheet(self, number: str) -> ExpectedSheet:
        return next(s for s in self.sheets if s.sheet_number == number)

    def to_dict(self) -> dict:
        data = asdict(self)
        return {"schema": SCHEMA, **data}

    @classmethod
    def from_dict(cls, data: dict) -> Truth:
        if data.get("schema") != SCHEMA:
            raise TruthFormatError(f"not a {SCHEMA} document (schema={data.get('schema')!r})")
        try:
            sheets = tuple(
                ExpectedSheet(**{**s, "changes": tuple(_change(c) for c in s["changes"])}) for s in data["sheets"]
            )
            fields = {k: v for k, v in data.items() if k not in ("schema", "sheets")}
            return cls(**fields, sheets=sheets)
        except (KeyError, TypeError) as exc:
            raise TruthFormatError(f"malformed {SCHEMA} document: {exc}") from exc

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2))

    @classmethod
    def load(cls, path: Path) -> Truth:
        try:
            return cls.from_dict(json.loads(Path(path).read_text()))
        except json.JSONDecodeError as exc:
            raise TruthFormatError(f"{path} is not JSON: {exc}") from exc


def _change(data: dict) -> ExpectedChange:
    """A change read back from JSON, its boxes and offset tuples again."""
    tuples = {k: tuple(data[k]) for k in ("bbox", "from_bbox", "offset") if data.get(k) is not None}
    return ExpectedChange(**{**data, **tuples})
