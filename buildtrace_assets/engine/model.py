"""Value types shared by every stage of the engine.

Coordinates are PDF points (1/72 in) with the origin at the top-left of the
page as displayed, so nothing downstream depends on the raster resolution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the sandboxed page renderer imports this module and must not pay for numpy
    import numpy as np

BBox = tuple[float, float, float, float]
"""``(x0, y0, x1, y1)`` in PDF points, top-left origin."""

ChangeKind = Literal["added", "removed", "modified", "moved"]
MoveGroup = Literal["item", "view"]
"""What moved: one block (a note, tag or symbol) or a whole view or detail moved on its own."""
AlignmentSource = Literal["automatic", "manual"]
SheetStatus = Literal["modified", "unchanged", "added", "removed"]
TextSource = Literal["text_layer", "ocr", "none"]


@dataclass(frozen=True)
class Word:
    """One word and where it sits on the page."""

    text: str
    bbox: BBox


@dataclass(frozen=True)
class PageText:
    """The words of a page and where they came from (the PDF text layer or OCR)."""

    words: tuple[Word, ...]
    source: TextSource


@dataclass(frozen=True)
class SheetIdentity:
    """Sheet number and title read from the title block; ``number`` is None when none was found."""

    number: str | None
    title: str | None
    confidence: float


@dataclass(frozen=True)
class RenderedPage:
    """A page rasterized for comparison: grayscale ink on white, plus its words."""

    image: np.ndarray
    """2-D ``uint8`` array, 255 = paper."""
    dpi: float
    width_pt: float
    height_pt: float
    words: tuple[Word, ...] = ()
    text_source: TextSource = "text_layer"
    """Where ``words`` came from: OCR words are guesses, text-layer words are what the drawing says."""

    @property
    def scale(self) -> float:
        """Pixels per PDF point."""
        return self.dpi / 72.0


@dataclass(frozen=True)
class Alignment:
    """How the old sheet maps onto the new one."""

    matrix: np.ndarray
    """2x3 affine from old-sheet points to new-sheet points."""
    score: float
    """0..1, share of the old sheet's ink that lands on new ink after alignment."""
    ok: bool
    reason: str | None = None
    """Why the sheet could not be aligned, when ``ok`` is False."""
    source: AlignmentSource = "automatic"
    """Found by the engine, or computed from point pairs a person gave."""
    points: tuple[tuple[tuple[float, float], tuple[float, float]], ...] = ()
    """A manual alignment's point pairs ``((old_x, old_y), (new_x, new_y))``, in points on each sheet."""

    @property
    def scale(self) -> float:
        """New-sheet points per old-sheet point (0.5: the new sheet is re-plotted at half size)."""
        return matrix_scale(self.matrix)


def matrix_scale(matrix: np.ndarray) -> float:
    """New-sheet points per old-sheet point of a 2x3 affine from old-sheet to new-sheet points: the square root of
    its area ratio, which is the scale of a similarity and the mean one of an affine fitted to three point pairs."""
    (a, b, _), (c, d, _) = matrix[:2]
    return float(abs(a * d - b * c) ** 0.5)


@dataclass(frozen=True)
class Offset:
    """How far a moved block travelled, in new-sheet points (x right, y down)."""

    dx: float
    dy: float
    drawing_distance: str | None = None
    """The distance in drawing units (``12'-0"``, ``3600 mm``) when the sheet's scale is known."""

    @property
    def distance(self) -> float:
        return math.hypot(self.dx, self.dy)

    @property
    def direction(self) -> str:
        """The page direction of the move in eight sectors: ``right``, ``up-left``, ... (y grows downwards)."""
        sector = round(math.degrees(math.atan2(-self.dy, self.dx)) / 45.0) % 8
        return _DIRECTIONS[sector]


_DIRECTIONS = ("right", "up-right", "up", "up-left", "left", "down-left", "down", "down-right")


@dataclass(frozen=True)
class Change:
    """One logical change on a sheet, in new-sheet points."""

    id: str
    kind: ChangeKind
    bbox: BBox
    old_text: str | None = None
    new_text: str | None = None
    confidence: float = 1.0
    extra: dict = field(default_factory=dict)
    """Optional fields of the contract, e.g. ``crops`` paths."""
    from_bbox: BBox | None = None
    """``moved`` only: where the block was (its old position mapped into new-sheet points); ``bbox`` is where it is."""
    offset: Offset | None = None
    """``moved`` only: how far it moved."""
    group: MoveGroup | None = None
    """``moved`` only: one block or a whole view."""
    needs_reading: bool = False
    """Found from one side's words over little changed ink, where the other side's text was never read (a scan
    outside its title block): it stands only if reading that side shows different text. Not part of the contract."""
