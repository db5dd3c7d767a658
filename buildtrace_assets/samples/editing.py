"""What every revision edit shares: the result it returns and how it keeps clear of other edits and of ink."""

from __future__ import annotations

from dataclasses import replace

from buildtrace_assets.engine.model import BBox
from buildtrace_assets.samples.primitives import Element, ink_boxes, intersects, pad
from buildtrace_assets.samples.sheet import Sheet
from buildtrace_assets.samples.truth import ExpectedChange

CLEARANCE = 30.0
"""Minimum gap in points between two edits of the same sheet."""

EditResult = tuple[Sheet, list[ExpectedChange]]
"""The edited sheet and its changes, boxes still in design coordinates."""


def replace_element(sheet: Sheet, element: Element) -> Sheet:
    return replace(sheet, elements=tuple(element if e.id == element.id else e for e in sheet.elements))


def free(box: BBox, taken: list[BBox]) -> bool:
    """Clear of every earlier edit by ``CLEARANCE``."""
    return not any(intersects(pad(box, CLEARANCE), t) for t in taken)


def clear_of_ink(sheet: Sheet, box: BBox, skip: set[str], margin: float = 6.0) -> bool:
    """No stroke, mask or text of the sheet (other than the ``skip`` elements) within ``margin`` of ``box``:
    a block moved there lands on bare paper, so the move is the only difference there."""
    area = pad(box, margin)
    on_page = area[0] >= 0 and area[1] >= 0 and area[2] <= sheet.width and area[3] <= sheet.height
    return on_page and not any(
        intersects(area, ink)
        for element in sheet.elements
        if element.id not in skip
        for primitive in element.primitives
        for ink in ink_boxes(primitive)
    )


def taken_by(changes: list[ExpectedChange]) -> list[BBox]:
    """Every box an edit occupies: a moved block holds both its old and its new place."""
    return [c.bbox for c in changes] + [c.from_bbox for c in changes if c.from_bbox is not None]
