"""ezdwg made cheap for the DWG conversion: its decoders run once, its colors attached without rebuilding lookups.

ezdwg's converter asks its native decoders for the same tables again and
again (the list of object headers ten times for one conversion, half a
second of a 10 MB plan's; placements, layer names, block names, attributes
and block references twice), attaches each decoded entity's colors and
styles through a function that looks up its five side tables anew for every
entity, and walks the list of object headers once per question about it.
:func:`cheap_decoding` patches, for the duration of a conversion, the
decoders to answer a repeated call with a copy of their first answer (the
same rows: tuples of immutable values, in a new list each caller may
change), the color function with one that takes the same steps in the same
order with its tables looked up once, and two walks of the headers with
ones that work out each type name once and sort the objects by type once.
Tests compare the converted documents tag by tag with those of ezdwg's own
code (``tests/engine/test_dwg_ezdxf.py``) and the decoded entities with
ezdwg's (``tests/engine/test_dwg_ezdwg.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from buildtrace_assets.engine.dwg_patching import patched

REPEATED_DECODERS = (
    "list_object_headers_with_type",
    "decode_entity_placements",
    "decode_entity_linetypes",
    "decode_layer_names",
    "decode_block_header_names",
    "decode_attrib_entities",
    "decode_insert_entities",
    "decode_attdef_entities",
)
"""ezdwg's native decoders the converter calls more than once for a file, each answering a list of tuples."""
_BY_LAYER = (None, 0, 256, 257)
"""Color indices that leave an entity's color to its layer (none, by block, by layer, by entity's layer)."""
_TYPE_NAME_FIELD = 4
"""Where an object header row (handle, offset, size, type code, type name, class) names the object's type."""
_SIDE_TABLES = ("common_layers", "write_geometry", "mtext_write_properties", "linetypes", "lineweights")


@contextmanager
def cheap_decoding() -> Iterator[None]:
    """Within: ezdwg's repeated decodes answered from the first, its colors attached with tables looked up once."""
    with ExitStack() as stack:
        stack.enter_context(_decoded_once())
        stack.enter_context(_colors_attached_directly())
        stack.enter_context(_type_names_once())
        stack.enter_context(_handles_by_type_in_one_pass())
        yield


@contextmanager
def _decoded_once() -> Iterator[None]:
    """Each of :data:`REPEATED_DECODERS` decodes a file once until the converter has filled the block definitions,
    its last step before it writes the model space: what they decoded is dropped then, to make room for the
    document (a later call, rare, decodes anew)."""
    from ezdwg import convert, raw

    populate = convert._populate_block_definitions
    decoded: dict[tuple[str, tuple[Any, ...]], list[Any]] = {}

    def populated(*args: Any, **kwargs: Any) -> None:
        try:
            populate(*args, **kwargs)
        finally:
            decoded.clear()

    def once(name: str, decode: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
        def cached(*args: Any, **kwargs: Any) -> list[Any]:
            if kwargs:
                return decode(*args, **kwargs)
            key = (name, args)
            if key not in decoded:
                decoded[key] = decode(*args)
            return list(decoded[key])

        return cached

    replacements = {name: once(name, getattr(raw, name)) for name in REPEATED_DECODERS}
    with patched(raw, replacements), patched(convert, {"_populate_block_definitions": populated}):
        try:
            yield
        finally:
            decoded.clear()


@contextmanager
def _colors_attached_directly() -> Iterator[None]:
    """ezdwg's ``_attach_entity_color``: the same values set in the same order, its side tables fetched once per
    style map rather than once per entity (by ``getattr`` with a new empty default each time).

    An arc whose layer colors are overridden (a gray layer taking another's
    color) goes to ezdwg's own function.
    """
    from ezdwg import document

    original = document._attach_entity_color
    normalized = document._normalize_resolved_color
    tables: list[Any] = [None, ()]  # the style map last seen, and its side tables

    def attached(
        handle: int,
        dxf: dict[str, Any],
        entity_style_map: dict[int, tuple[int | None, int | None, int]],
        layer_color_map: dict[int, tuple[int, int | None]],
        layer_color_overrides: dict[int, tuple[int, int | None]] | None = None,
        dxftype: str | None = None,
    ) -> dict[str, Any]:
        if layer_color_overrides is not None and dxftype == "ARC":
            return original(handle, dxf, entity_style_map, layer_color_map, layer_color_overrides, dxftype)
        if tables[0] is not entity_style_map:
            tables[0] = entity_style_map
            tables[1] = tuple(getattr(entity_style_map, name, {}) for name in _SIDE_TABLES)
        common_layers, geometries, paragraphs, linetypes, lineweights = tables[1]
        style: Any = entity_style_map.get(handle)  # the values as decoded: any of them may be absent or odd
        if style is not None:
            index, true_color, layer_handle = style
            resolved_index, resolved_true_color = index, true_color
        else:
            index, true_color, layer_handle = dxf.get("color_index"), dxf.get("true_color"), dxf.get("layer_handle")
            resolved_index, resolved_true_color = dxf.get("resolved_color_index"), dxf.get("resolved_true_color")
        common_layer = common_layers.get(handle)
        if common_layer is not None:
            layer_handle = common_layer
        if index in _BY_LAYER and true_color is None and layer_handle is not None:
            layer_style = None if layer_color_overrides is None else layer_color_overrides.get(layer_handle)
            if layer_style is None:
                layer_style = layer_color_map.get(layer_handle)
            if layer_style is not None:
                resolved_index, resolved_true_color = layer_style
        resolved_index, resolved_true_color = normalized(resolved_index, resolved_true_color)
        dxf["color_index"] = index
        dxf["true_color"] = true_color
        dxf["layer_handle"] = layer_handle
        dxf["resolved_color_index"] = resolved_index
        dxf["resolved_true_color"] = resolved_true_color
        geometry = geometries.get(handle)
        if geometry is not None:
            for key, value in zip(("thickness", "extrusion", "elevation"), geometry, strict=False):
                if value is not None:
                    dxf[key] = value
        paragraph = paragraphs.get(handle)
        if paragraph is not None:
            dxf["style_handle"], dxf["line_spacing_style"], dxf["line_spacing_factor"] = paragraph
        linetype = linetypes.get(handle)
        if linetype is not None:
            dxf["linetype"], dxf["linetype_handle"], dxf["linetype_scale"] = linetype
        lineweight = lineweights.get(handle)
        if lineweight is not None:
            dxf["lineweight"], dxf["invisible"] = lineweight
        return dxf

    with patched(document, {"_attach_entity_color": attached}):
        yield


@contextmanager
def _type_names_once() -> Iterator[None]:
    """ezdwg's canonical entity type of a raw type name, worked out once per name rather than once per object.

    Finding the types a file holds, ezdwg canonicalizes the type name of each
    of its objects (150,000 in a 10 MB plan), ending in a search through a
    tuple of some forty types; a file names a few dozen types. The answer depends on the
    name alone.
    """
    from ezdwg import document

    original = document._canonical_entity_type_name
    canonical: dict[object, str | None] = {}

    def once(raw_name: object) -> str | None:
        try:
            return canonical[raw_name]
        except KeyError:
            canonical[raw_name] = original(raw_name)
            return canonical[raw_name]
        except TypeError:  # a name that cannot be a key (never from ezdwg's decoder)
            return original(raw_name)

    with patched(document, {"_canonical_entity_type_name": once}):
        yield


@contextmanager
def _handles_by_type_in_one_pass() -> Iterator[None]:
    """ezdwg's handles of a file's objects of one type (``_entity_handles_by_type_name``), the objects sorted by
    type in one pass over the file's object headers rather than one pass for each type asked about (block headers,
    blocks, block ends)."""
    from ezdwg import document, raw

    sorted_by_type: dict[str, dict[str, list[Any]]] = {}

    def handles_of(path: str, type_name: str) -> tuple[int, ...]:
        target = str(type_name).strip().upper()
        if not target:
            return ()
        if path not in sorted_by_type:
            try:
                rows = raw.list_object_headers_with_type(path)
            except Exception:  # noqa: BLE001 - as ezdwg: a file whose headers cannot be read has no such objects
                return ()
            by_type: defaultdict[str, list[Any]] = defaultdict(list)
            for row in rows:
                if isinstance(row, tuple) and len(row) >= _TYPE_NAME_FIELD + 1:
                    by_type[str(row[_TYPE_NAME_FIELD]).strip().upper()].append(row[0])
            sorted_by_type[path] = by_type
        handles = []
        for handle in sorted_by_type[path].get(target, ()):
            try:
                handles.append(int(handle))
            except Exception:  # noqa: BLE001 - as ezdwg: a handle that is not a number is left out
                continue
        return tuple(handles)

    with patched(document, {"_entity_handles_by_type_name": handles_of}):
        yield
