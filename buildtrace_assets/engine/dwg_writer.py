"""The converter's writing of the commonest entity types, each entity made in one step.

ezdwg's converter writes an entity through a chain of type tests and then
ezdxf's ``add_*`` call, which creates the entity and then sets what the call
did not take one attribute at a time (a text's position, a polyline's
vertices one by one and its closed flag, a paragraph's height, width and
placement, a block reference's scales and rotation), each set going through
ezdxf's attribute checks again. For lines, arcs, circles, light polylines,
texts, paragraphs and block references, the bulk of a drawing,
:data:`WRITERS` here decide exactly as ezdwg 0.17's converter does (the
same tests, with its own helpers: what is dropped, what fails, which values
are replaced) and give ezdxf all of an entity's attributes at its creation.
The entity is the converter's, tag for tag (``tests/engine/test_dwg_ezdxf.py``
compares whole documents). Whatever a writer here cannot settle before the
entity exists (a value that does not convert, an attribute ezdxf refuses)
is left to the converter's own code, which then decides as it always did: a
writer raises before creating anything, and the router hands the entity to
ezdwg.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import numpy as np
from ezdwg._convert_geometry_filter import _is_plausible_text_content, _is_plausible_text_insert
from ezdwg._convert_utils import (
    _MAX_COORD_ABS,
    _distinct_xy_count,
    _finite_float,
    _float_or_none,
    _point3,
    _to_valid_aci,
    _to_valid_true_color,
)
from ezdwg.convert import (
    _is_layout_pseudo_block_name,
    _normalize_block_name,
    _normalize_layout_pseudo_insert_transform,
    _should_skip_anonymous_dimension_block_insert,
    _should_skip_layout_proxy_i_insert,
)
from ezdxf.entities import factory

Writer = Callable[[Any, dict[str, Any], dict[str, Any]], bool]
"""Writes one decoded entity (its ``dxf`` data) into a layout; the converter's options (the layer names by handle)
with it. True when written, or dropped as the converter drops it; False when it fails as in the converter."""

_LWPOLYLINE_CLOSED = 1
_PLAUSIBLE_TEXT_LENGTH = 512
"""The longest text ezdwg's converter finds plausible."""


def _add(layout: Any, dxftype: str, values: dict[str, Any]) -> Any:
    """``layout.new_entity``: the entity created in the layout's document with ``values``, then added to it."""
    entity = factory.create_db_entry(dxftype, values, layout.doc)
    layout.add_entity(entity)
    return entity


def _attributes(dxf: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The converter's layer, color and true color of an entity (``_entity_dxfattribs``).

    The same choices; an absent value is known absent without the converter's
    attempt to convert it, which raises and catches an exception for most
    entities (a tenth of their writing).
    """
    values: dict[str, Any] = {}
    names = options.get("layer_name_by_handle")
    if isinstance(names, dict):
        try:
            layer = dxf.get("layer_handle")
            handle = None if layer is None else int(layer)
        except Exception:  # noqa: BLE001 - as the converter: an unreadable handle names no layer
            handle = None
        name = None if handle is None else names.get(handle)
        if isinstance(name, str) and name:
            values["layer"] = name
    color = _own_or_resolved(dxf, "color_index", _to_valid_aci)
    if color is not None:
        values["color"] = color
    true_color = _own_or_resolved(dxf, "true_color", _to_valid_true_color)
    if true_color is not None:
        values["true_color"] = true_color
    return values


def _own_or_resolved(dxf: dict[str, Any], key: str, valid: Callable[[Any], Any]) -> Any:
    """The entity's own value of ``key`` made valid, or else its resolved one (``resolved_<key>``), as the
    converter takes them."""
    value = dxf.get(key)
    if value is None:
        value = dxf.get(f"resolved_{key}")
    return None if value is None else valid(value)


def _line(layout: Any, dxf: dict[str, Any], options: dict[str, Any]) -> bool:
    values = _attributes(dxf, options)
    values["start"] = _point3(dxf.get("start"))
    values["end"] = _point3(dxf.get("end"))
    _add(layout, "LINE", values)
    return True


def _round(dxf: dict[str, Any], options: dict[str, Any]) -> dict[str, Any] | None:
    """A circle's or arc's attributes, centre and radius; None for a radius of zero, which the converter drops."""
    radius = abs(_finite_float(dxf.get("radius", 0.0), 0.0))
    if radius <= 0.0:
        return None
    return {**_attributes(dxf, options), "center": _point3(dxf.get("center")), "radius": radius}


def _circle(layout: Any, dxf: dict[str, Any], options: dict[str, Any]) -> bool:
    values = _round(dxf, options)
    if values is not None:
        _add(layout, "CIRCLE", values)
    return True


def _arc(layout: Any, dxf: dict[str, Any], options: dict[str, Any]) -> bool:
    values = _round(dxf, options)
    if values is not None:
        values["start_angle"] = _finite_float(dxf.get("start_angle", 0.0), 0.0)
        values["end_angle"] = _finite_float(dxf.get("end_angle", 0.0), 0.0)
        _add(layout, "ARC", values)
    return True


def _lwpolyline(layout: Any, dxf: dict[str, Any], options: dict[str, Any]) -> bool:
    """The vertices (x, y, start width, end width, bulge) as the converter lists them, set as one array."""
    values = _attributes(dxf, options)
    points = [_point3(point) for point in dxf.get("points", [])]
    if not points:
        return False
    if _distinct_xy_count(points) < 2:
        return True  # the converter drops polylines without extent
    bulges = list(dxf.get("bulges", []) or [])
    widths = list(dxf.get("widths", []) or [])
    vertices = []
    for index, point in enumerate(points):
        start_width = end_width = 0.0
        if index < len(widths):
            width = widths[index]
            if isinstance(width, (list, tuple)) and len(width) >= 2:
                start_width = _finite_float(width[0], 0.0)
                end_width = _finite_float(width[1], 0.0)
        bulge = _finite_float(bulges[index], 0.0) if index < len(bulges) else 0.0
        vertices.append((point[0], point[1], start_width, end_width, bulge))
    values["flags"] = _LWPOLYLINE_CLOSED if dxf.get("closed", False) else 0
    const_width = dxf.get("const_width")
    if const_width is not None and not widths:
        values["const_width"] = float(const_width)
    polyline = _add(layout, "LWPOLYLINE", values)
    polyline.lwpoints.values = np.array(vertices, np.float64)
    return True


def _plausible_text(text: str) -> bool:
    """ezdwg's ``_is_plausible_text_content``, whose verdict on printable ASCII of up to 512 characters (every
    character scoring for it, none a control character) is known without scoring each character."""
    if len(text) <= _PLAUSIBLE_TEXT_LENGTH and text.isascii() and text.isprintable():
        return True
    return _is_plausible_text_content(text)


def _text(layout: Any, dxf: dict[str, Any], options: dict[str, Any]) -> bool:
    values = _attributes(dxf, options)
    text = str(dxf.get("text", "") or "")
    if text == "" or not _plausible_text(text):
        return False
    insert = dxf.get("insert")
    if not _is_plausible_text_insert(insert):
        return False
    height, rotation = dxf.get("height"), dxf.get("rotation")
    values["text"] = text
    if height is not None:
        values["height"] = float(height)
    if rotation is not None:
        values["rotation"] = float(rotation)
    values["insert"] = _point3(insert)
    _add(layout, "TEXT", values)
    return True


def _mtext(layout: Any, dxf: dict[str, Any], options: dict[str, Any]) -> bool:
    """A paragraph placed, sized and turned as the converter sets it after creating it."""
    values = _attributes(dxf, options)
    text = str(dxf.get("raw_text") or dxf.get("text") or "")
    if text == "" or not _plausible_text(text) or not _is_plausible_text_insert(dxf.get("insert")):
        return False
    try:
        values["insert"] = _point3(dxf.get("insert"))
    except Exception:  # noqa: BLE001 - the converter's own test: any failure to read the point
        return False
    attachment = dxf.get("attachment_point")
    if attachment is not None:
        try:
            attachment = int(attachment)
        except Exception:  # noqa: BLE001
            attachment = None
        if attachment is not None and 1 <= attachment <= 9:
            values["attachment_point"] = attachment
    if dxf.get("char_height") is not None:
        values["char_height"] = float(dxf["char_height"])
    width = dxf.get("rect_width")
    if width is None and "width" in dxf:
        width = dxf.get("width")
    width = _float_or_none(width)
    if width is not None and math.isfinite(width) and 0.0 <= width <= _MAX_COORD_ABS:
        values["width"] = width
    if dxf.get("drawing_direction") is not None and int(dxf["drawing_direction"]) in {1, 3, 5}:
        values["flow_direction"] = int(dxf["drawing_direction"])
    direction = dxf.get("text_direction")
    if isinstance(direction, (list, tuple)) and len(direction) >= 3:
        values["text_direction"] = _point3(direction)
    else:
        rotation = _float_or_none(dxf.get("rotation"))
        if rotation is not None and math.isfinite(rotation):
            values["rotation"] = rotation
    extrusion = dxf.get("extrusion")
    if isinstance(extrusion, (list, tuple)) and len(extrusion) >= 3:
        values["extrusion"] = _point3(extrusion)
    paragraph = _add(layout, "MTEXT", values)
    paragraph.text = text
    return True


def _insert(layout: Any, dxf: dict[str, Any], options: dict[str, Any]) -> bool:
    """A block reference by name, placed, scaled and turned at creation; its attributes as the converter adds them.

    References the converter treats specially (to a layout's pseudo block, to
    a block it has left empty, a dimension's block it skips, one drawing
    series' proxies) are decided by its own tests, as it decides them.
    """
    values = _attributes(dxf, options)
    name = _normalize_block_name(dxf.get("name"))
    if name is None or _is_layout_pseudo_block_name(name):
        raise LookupError("not a reference to a block by name")  # the converter's own writer decides
    placement = _normalize_layout_pseudo_insert_transform(
        layout,
        name,
        _point3(dxf.get("insert")),
        _finite_float(dxf.get("xscale", 1.0), 1.0),
        _finite_float(dxf.get("yscale", 1.0), 1.0),
        _finite_float(dxf.get("zscale", 1.0), 1.0),
        _finite_float(dxf.get("rotation", 0.0), 0.0),
    )
    if getattr(layout, "is_modelspace", False) and (
        _should_skip_layout_proxy_i_insert(layout, name, dxf)
        or _should_skip_anonymous_dimension_block_insert(
            layout,
            name,
            *placement,
            dim_block_policy=options.get("dim_block_policy", "smart"),
            dimension_context=options.get("dimension_context"),
        )
    ):
        return True
    values["name"] = name
    values["insert"], values["xscale"], values["yscale"], values["zscale"], values["rotation"] = placement
    reference = _add(layout, "INSERT", values)
    _insert_attributes(reference, list(dxf.get("attributes") or []))
    return True


def _insert_attributes(reference: Any, attributes: list[Any]) -> None:
    """ezdwg's ``_write_insert_attributes``: each attribute with a tag added to the reference as it adds it, its
    colors chosen as it chooses them (by :func:`_attributes`, with no layer, as it calls its own)."""
    for attribute in attributes:
        if not isinstance(attribute, dict):
            continue
        tag = attribute.get("tag")
        if not isinstance(tag, str) or tag.strip() == "":
            continue
        text = attribute.get("text")
        values = _attributes(attribute, {})
        for key in ("height", "rotation"):
            if attribute.get(key) is not None:
                with suppress(Exception):  # as the converter: a value that does not convert is left out
                    values[key] = float(attribute[key])
        try:
            reference.add_attrib(
                tag.strip(),
                "" if text is None else str(text),
                insert=_point3(attribute.get("insert")),
                dxfattribs=values or None,
            )
        except Exception:  # noqa: BLE001 - as the converter: an attribute it cannot add is left out
            continue


WRITERS: dict[str, Writer] = {
    "LINE": _line,
    "CIRCLE": _circle,
    "ARC": _arc,
    "LWPOLYLINE": _lwpolyline,
    "TEXT": _text,
    "MTEXT": _mtext,
    "INSERT": _insert,
}
"""The writers by the converter's entity type; any other type is written by the converter itself."""
