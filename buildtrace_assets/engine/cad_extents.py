"""The extents of a CAD layout, with each block measured once however often it is referenced.

ezdxf's ``bbox.extents`` expands every block reference into copies of the
block's entities, transformed, and measures each copy: a plan with a door
block placed 17,000 times measures 17,000 doors. Here a block is measured
once in its own coordinates and each reference contributes that box's
corners mapped by the reference's transformation: the same box for
references that are only moved, scaled or mirrored, a slightly larger one
for rotated ones (the box of the rotated box). Lines, circles and straight
polylines in the drawing plane are measured from their points, without
ezdxf's conversion of each to a path (the same box). The extents only choose a
model-space page's orientation, which a slightly larger box does not change
for any drawing that is not square to within that margin.

Text is what costs most to measure (ezdxf lays out every glyph of its
font), and in a drawing it sits among the lines it labels: a text is
measured only when a generous bound of it (:data:`_GLYPH_REACH` text heights
per character, all round its placement points in the drawing plane) is not
already inside the box of everything else: the same box in the plane (the
page's orientation only looks at the plane).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ezdxf import bbox
from ezdxf.document import Drawing
from ezdxf.entities import DXFGraphic, Insert
from ezdxf.math import BoundingBox, UVec, Vec3

_TEXTS = frozenset({"TEXT", "ATTRIB", "ATTDEF", "MTEXT"})
_GLYPH_REACH = 3.0
"""How far, in text heights, a character may reach from its text's placement at most (with the space around)."""
_PLAN = Vec3(0, 0, 1)
"""The extrusion of an entity drawn in the XY plane (its own coordinates are the world's)."""


def layout_extents(entities: Iterable[DXFGraphic], document: Drawing) -> BoundingBox:
    """The box of ``entities`` (a layout) in world coordinates; references to blocks of ``document`` measured once."""
    return _Measure(document).extents(entities, ())


class _Measure:
    def __init__(self, document: Drawing) -> None:
        self._document = document
        self._blocks: dict[str, BoundingBox] = {}

    def extents(self, entities: Iterable[DXFGraphic], path: tuple[str, ...]) -> BoundingBox:
        """``path`` holds the blocks being measured: a block that references itself is not entered again."""
        box = BoundingBox()
        others: list[DXFGraphic] = []
        texts: list[DXFGraphic] = []
        for entity in entities:
            if isinstance(entity, Insert) and entity.mcount <= 1:
                inner = self._block(entity.dxf.name, path)
                if inner.has_data:
                    box.extend(entity.matrix44().transform_vertices(inner.cube_vertices()))
                texts.extend(entity.attribs)
            elif path and entity.dxftype() == "ATTDEF":
                continue  # a block's attribute definitions show as its references' attributes
            elif (points := _points(entity)) is not None:
                box.extend(points)
            elif entity.dxftype() in _TEXTS:
                texts.append(entity)
            else:
                others.append(entity)
        _extend(box, others)
        _extend(box, [text for text in texts if not _inside(text, box)])
        return box

    def _block(self, name: str, path: tuple[str, ...]) -> BoundingBox:
        if name in path:
            return BoundingBox()
        if name not in self._blocks:
            block = self._document.blocks.get(name)
            self._blocks[name] = BoundingBox() if block is None else self.extents(block, (*path, name))
        return self._blocks[name]


def _points(entity: DXFGraphic) -> Sequence[UVec] | None:
    """Points whose box is the entity's, for the simple entities of the drawing plane; None for the others."""
    dxf = entity.dxf
    kind = entity.dxftype()
    if kind == "LINE":
        return (dxf.start, dxf.end)
    if kind not in ("CIRCLE", "LWPOLYLINE") or not Vec3(dxf.get("extrusion", _PLAN)).isclose(_PLAN):
        return None
    if kind == "CIRCLE":
        centre, radius = Vec3(dxf.center), abs(dxf.radius)
        corner = Vec3(radius, radius)
        return (centre - corner, centre + corner) if radius > 0 else None
    vertices = entity.get_points("xyb")  # type: ignore[attr-defined]
    if not vertices or any(bulge for _x, _y, bulge in vertices):
        return None
    elevation = dxf.get("elevation", 0.0)
    return [(x, y, elevation) for x, y, _bulge in vertices]


def _extend(box: BoundingBox, entities: list[DXFGraphic]) -> None:
    if entities and (measured := bbox.extents(entities, fast=True)).has_data:
        box.extend(measured.cube_vertices())


def _inside(text: DXFGraphic, box: BoundingBox) -> bool:
    """Whether the text surely lies inside ``box``: a bound of it is; False when no bound is known."""
    if not box.has_data:
        return False
    dxf = text.dxf
    if text.dxftype() == "MTEXT":
        content = str(text.text)  # type: ignore[attr-defined]
        if "\\" in content or text.has_columns:  # type: ignore[attr-defined]
            return False  # inline formatting can change the height
        places = [Vec3(dxf.insert)]
        spacing = max(1.0, dxf.get("line_spacing_factor", 1.0))
        reach = (len(content) + 2) * dxf.char_height * _GLYPH_REACH * spacing + abs(dxf.get("width", 0.0))
    else:
        if not Vec3(dxf.get("extrusion", _PLAN)).isclose(_PLAN):
            return False
        content = str(dxf.get("text", "")) + (str(dxf.get("tag", "")) if dxf.is_supported("tag") else "")
        places = [Vec3(dxf.insert), Vec3(dxf.get("align_point", dxf.insert))]
        reach = (len(content) + 2) * abs(dxf.height) * _GLYPH_REACH * max(1.0, abs(dxf.get("width", 1.0)))
    low, high = box.extmin, box.extmax
    return all(
        low.x <= place.x - reach and place.x + reach <= high.x and low.y <= place.y - reach <= place.y + reach <= high.y
        for place in places
    )
