"""The words of a CAD layout, read from its text entities and placed where the plot draws them.

ezdxf's PDF backend draws text as outlines, so a plotted DXF (or DWG) page has
no text layer and would be read by OCR, a guess. Yet the drawing holds its
text exactly: TEXT and MTEXT entities, and the attributes of block
references, which is where title blocks keep the sheet number and title. Each
is placed on the page through the same matrix the plot used to place the
drawing (captured from the backend, so whatever page set-up the plot chose,
the words land on the ink they describe); a line's words share its box in
proportion to their characters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from buildtrace_assets.engine.model import BBox

if TYPE_CHECKING:
    from ezdxf.addons.drawing.pymupdf import PyMuPdfBackend
    from ezdxf.entities import DXFGraphic
    from ezdxf.layouts import BaseLayout
    from ezdxf.math import Matrix44

MAX_BLOCK_DEPTH = 4
"""Nesting searched for text (blocks in blocks, dimensions in blocks); title blocks nest one or two deep."""
_WORD = re.compile(r"\S+")
_STACKED = re.compile(r"\\S([^;#^/]*)[#^/]([^;]*);")
"""An MTEXT stacked fraction: ``\\S`` numerator, ``#`` ``^`` or ``/``, denominator, ``;``."""
COMPOSITE_TYPES = frozenset({"INSERT", "DIMENSION", "ARC_DIMENSION", "LARGE_RADIAL_DIMENSION", "MULTILEADER"})
"""Entities drawn as others (ezdxf's virtual entities): a block's texts, a dimension's value, a leader's note."""


def capture_placement(backend: PyMuPdfBackend) -> list[Matrix44]:
    """A list that receives the matrix the backend maps drawing coordinates to page points with, once it plots.

    The backend computes it from the page set-up and the drawing's extents
    while plotting and keeps it to itself; its player is where it is applied.
    """
    matrices: list[Matrix44] = []
    make_player = backend.player

    def player() -> Any:
        made = make_player()
        transform = made.transform

        def placed(matrix: Matrix44) -> None:
            matrices.append(matrix)
            transform(matrix)

        made.transform = placed  # type: ignore[method-assign,assignment]
        return made

    backend.player = player  # type: ignore[method-assign]
    return matrices


def layout_words(layout: BaseLayout, matrices: list[Matrix44]) -> list[tuple[str, BBox]]:
    """Every word of the layout's text, in page points (top-left origin); empty when nothing was plotted.

    A paper-space sheet also shows the model space's text through its
    viewports: each such text is placed through its viewport onto the sheet,
    where the viewport's window shows it.
    """
    if not matrices:
        return []
    plot = matrices[-1]
    words = [
        word
        for entity, text in _texts(layout, MAX_BLOCK_DEPTH)
        for box in [_box(entity, plot)]
        if box is not None
        for word in _split(text, box, vertical=_is_vertical(entity))
    ]
    if not layout.is_any_paperspace:
        return words
    for viewport in layout.viewports():  # type: ignore[attr-defined]
        if viewport.dxf.get("id", 0) == 1:
            continue  # the sheet's own view of itself
        (left, bottom), (right, top) = viewport.clipping_rect()
        window = _box_of([(left, bottom), (right, top)], plot)
        for entity, text in _texts(layout.doc.modelspace(), MAX_BLOCK_DEPTH):
            box = _box(entity, plot, viewport.get_transformation_matrix())
            if box is not None and _centre_inside(box, window):
                words.extend(_split(text, box, vertical=_is_vertical(entity)))
    return words


def _box(entity: DXFGraphic, plot: Matrix44, viewport: Matrix44 | None = None) -> BBox | None:
    """The entity's extents on the page: through its ``viewport`` (model space seen on a sheet), then the plot."""
    from ezdxf import bbox

    extents = bbox.extents([entity], fast=False)
    if not extents.has_data:
        return None
    corners = [(x, y) for x in (extents.extmin.x, extents.extmax.x) for y in (extents.extmin.y, extents.extmax.y)]
    if viewport is not None:
        corners = [(point.x, point.y) for point in viewport.transform_vertices([(x, y, 0.0) for x, y in corners])]
    return _box_of(corners, plot)


def _box_of(corners: list[tuple[float, float]], matrix: Matrix44) -> BBox:
    placed = list(matrix.transform_vertices([(x, y, 0.0) for x, y in corners]))
    return (
        min(point.x for point in placed),
        min(point.y for point in placed),
        max(point.x for point in placed),
        max(point.y for point in placed),
    )


def _centre_inside(box: BBox, window: BBox) -> bool:
    return window[0] <= (box[0] + box[2]) / 2 <= window[2] and window[1] <= (box[1] + box[3]) / 2 <= window[3]


def _texts(layout: Any, depth: int) -> Iterator[tuple[DXFGraphic, str]]:
    for entity in layout:
        kind = entity.dxftype()
        if kind in ("TEXT", "ATTRIB") and entity.dxf.text.strip():
            yield entity, entity.plain_text()
        elif kind == "MTEXT" and entity.text.strip():
            yield entity, _mtext_plain(entity.text)
        elif kind in COMPOSITE_TYPES and depth > 0:
            if kind == "INSERT":
                yield from (
                    (attribute, attribute.plain_text()) for attribute in entity.attribs if not attribute.is_invisible
                )
            try:
                children = list(entity.virtual_entities())
            except Exception:  # noqa: BLE001 - ezdxf raises many types on broken entities; their ink is plotted anyway
                continue
            yield from _texts((child for child in children if child.dxftype() != "ATTDEF"), depth - 1)


def _mtext_plain(text: str) -> str:
    """MTEXT without its codes, stacked fractions as they are read (``2\\S1#2;`` is ``2 1/2``, not ``21#2``)."""
    from ezdxf.tools.text import plain_mtext

    return str(plain_mtext(_STACKED.sub(lambda match: f" {match[1].strip()}/{match[2].strip()}", text), split=False))


def _is_vertical(entity: Any) -> bool:
    rotation = entity.get_rotation() if entity.dxftype() == "MTEXT" else entity.dxf.get("rotation", 0.0)
    return abs(math.sin(math.radians(rotation))) > math.sqrt(0.5)


def _split(text: str, box: BBox, *, vertical: bool) -> Iterator[tuple[str, BBox]]:
    """The words of ``text`` (lines top to bottom) with their share of ``box``."""
    x0, y0, x1, y1 = box
    lines = [line for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines):
        for match in _WORD.finditer(line):
            start, end = match.start() / len(line), match.end() / len(line)
            if vertical:  # turned a quarter: the line reads from the bottom up
                left, right = x0 + (x1 - x0) * number / len(lines), x0 + (x1 - x0) * (number + 1) / len(lines)
                yield match.group(), (left, y1 - (y1 - y0) * end, right, y1 - (y1 - y0) * start)
            else:
                top, bottom = y0 + (y1 - y0) * number / len(lines), y0 + (y1 - y0) * (number + 1) / len(lines)
                yield match.group(), (x0 + (x1 - x0) * start, top, x0 + (x1 - x0) * end, bottom)
