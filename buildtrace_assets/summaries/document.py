"""Reading the ``buildtrace.changes/v1`` contract into typed records.

Machine diff results and manual overlays share this shape, so every summarizer
reads its input through :func:`read_changes` and fails with one clear message on
a malformed document instead of half-way through a summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from buildtrace_assets.engine.model import Offset, Word
from buildtrace_assets.summaries.errors import InvalidChangesError

SCHEMA_ID = "buildtrace.changes/v1"

WordsBySheet = Mapping[str | int, Sequence[Word]]
"""The new sheets' words, keyed by sheet number or by new page index."""


REPLOT_TOLERANCE = 0.02
"""A sheet whose alignment scale differs from 1 by more than this was re-plotted at another size."""


class OffsetRecord(BaseModel):
    """How far a moved block travelled: new-sheet points (x right, y down), and drawing units when known."""

    model_config = ConfigDict(extra="allow", frozen=True)

    dx: float
    dy: float
    distance: float | None = None
    direction: str | None = None
    drawing_distance: str | None = None

    @property
    def page_direction(self) -> str:
        """``right``, ``up-left``, ...: as written, else from the offset (a person's overlay may leave it out)."""
        return self.direction or Offset(self.dx, self.dy).direction


class ChangeRecord(BaseModel):
    """One change region of a sheet, in new-sheet PDF points."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(min_length=1)
    kind: Literal["added", "removed", "modified", "moved"]
    bbox: tuple[float, float, float, float]
    old_text: str | None = None
    new_text: str | None = None
    confidence: float = 1.0
    crops: dict[str, str] | None = None
    """Paths of the region's before/after images, keys ``old`` and ``new``."""
    from_bbox: tuple[float, float, float, float] | None = None
    """``moved`` only: where the block was."""
    offset: OffsetRecord | None = None
    """``moved`` only: how far it moved."""
    group: Literal["item", "view"] | None = None
    """``moved`` only: one block, or a whole view moved on its own."""

    @field_validator("bbox")
    @classmethod
    def _ordered(cls, bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = bbox
        if x1 < x0 or y1 < y0:
            raise ValueError(f"bbox {list(bbox)} has x1 < x0 or y1 < y0")
        return bbox

    @property
    def centre(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.bbox
        return (x0 + x1) / 2, (y0 + y1) / 2


class SheetRecord(BaseModel):
    """One sheet pairing of the comparison and its changes."""

    model_config = ConfigDict(extra="allow", frozen=True)

    sheet_number: str | None = None
    title: str | None = None
    old_page: int | None = None
    new_page: int | None = None
    status: Literal["modified", "unchanged", "added", "removed"]
    changes: list[ChangeRecord] = Field(default_factory=list)
    key: str | None = None
    """The engine's unique sheet key (absent from documents written before it existed)."""
    alignment: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    @property
    def unaligned_reason(self) -> str | None:
        """Why the engine could not align the sheet with its old revision (its changes were not computed)."""
        if (self.error or {}).get("kind") != "unaligned":
            return None
        return str((self.error or {}).get("message") or "alignment failed")

    @property
    def replot_scale(self) -> float | None:
        """New-sheet points per old-sheet point when the sheet was re-plotted at another size (``0.5``: half
        size); None at the same size or without an alignment."""
        scale = (self.alignment or {}).get("scale")
        if not isinstance(scale, int | float) or scale <= 0 or abs(scale - 1.0) <= REPLOT_TOLERANCE:
            return None
        return float(scale)

    @property
    def label(self) -> str:
        """How people refer to the sheet: its number, or its page when no number was read."""
        if self.sheet_number:
            return self.sheet_number
        page = self.new_page if self.new_page is not None else self.old_page
        return f"page {page + 1}" if page is not None else "unnumbered sheet"

    def words(self, words_by_sheet: WordsBySheet | None) -> Sequence[Word]:
        """This sheet's new-side words, looked up by sheet number first, then by new page index."""
        if not words_by_sheet:
            return ()
        if self.sheet_number and self.sheet_number in words_by_sheet:
            return words_by_sheet[self.sheet_number]
        if self.new_page is not None:
            return words_by_sheet.get(self.new_page, ())
        return ()


class ChangesDocument(BaseModel):
    """A whole comparison: every sheet pairing with its changes."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    schema_id: Literal["buildtrace.changes/v1"] = Field(alias="schema")
    sheets: list[SheetRecord]

    @model_validator(mode="after")
    def _unique_ids(self) -> ChangesDocument:
        seen: set[str] = set()
        for sheet in self.sheets:
            for change in sheet.changes:
                if change.id in seen:
                    raise ValueError(f"change id {change.id!r} appears more than once")
                seen.add(change.id)
        return self

    @property
    def change_ids(self) -> list[str]:
        return [change.id for sheet in self.sheets for change in sheet.changes]


def read_changes(document: Mapping[str, Any] | ChangesDocument) -> ChangesDocument:
    """Validate a change document; raises :class:`InvalidChangesError` naming the first problems."""
    if isinstance(document, ChangesDocument):
        return document
    if not isinstance(document, Mapping):
        raise InvalidChangesError(f"expected a {SCHEMA_ID} object, got {type(document).__name__}")
    try:
        return ChangesDocument.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'document'}: {error['msg']}"
            for error in exc.errors()[:5]
        )
        raise InvalidChangesError(f"not a valid {SCHEMA_ID} document: {problems}") from exc
