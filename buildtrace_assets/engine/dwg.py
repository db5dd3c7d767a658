"""DWG drawings: converted to DXF with ezdwg inside the sandboxed child, then read by the DXF path.

ezdwg (MIT, Rust decoder) reads R13 to 2018 and writes DXF through ezdxf, but
its converter writes every entity it decodes into the model space of the DXF:
block contents and paper-space sheets included. So each entity it writes is
routed here to where the DWG keeps it: model space, its paper-space layout
(made with the layout's paper size, margins and viewports), or nowhere
when it belongs to a block definition (the converter writes those into the
block as well). Attributes travel with their block reference.

What the conversion cannot carry is counted by type and said
(:class:`ConversionWarning`): entity types ezdwg does not convert (3D
solids, regions, proxies of other applications' objects), entities whose
conversion failed, references to blocks the file does not hold (external
references) and text styles (the converter carries none: all text is drawn
in a substitute font). A drawing whose conversion
keeps less than the configured share of its entities is refused, as are bombs:
more entities than the limit, block references that expand to more entities
than the limit (deep or wide nesting), or coordinates beyond the limit.
"""

from __future__ import annotations

import math
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, cast

from buildtrace_assets.engine.errors import BadInputError

if TYPE_CHECKING:
    import ezdwg
    from ezdxf.document import Drawing as DxfDrawing
    from ezdxf.layouts import Paperspace

MAX_DWG_ENTITIES = 1_000_000
"""Entities stored in one DWG (every space and block); a 10 MB drawing holds about 150,000."""
MAX_EXPANDED_ENTITIES = 5_000_000
"""Entities drawn once every block reference is expanded: nesting blocks ten deep, each inserting the next ten
times, is a few KB of DWG that would draw ten billion."""
MAX_COORDINATE = 1.0e9
"""Largest distance from the origin of a drawn point, in drawing units (1,000 km in millimetres)."""
MODEL = "Model"
"""The name of the model space among the spaces a warning names."""
BLOCKS = ""
"""Block definitions: their entities show wherever the blocks are referenced."""
STRUCTURAL_TYPES = frozenset(
    {"BLOCK", "ENDBLK", "SEQEND", "VERTEX_2D", "VERTEX_3D", "VERTEX_MESH", "VERTEX_PFACE", "VERTEX_PFACE_FACE"}
)
"""Records that belong to an entity (a polyline's vertices, a block's brackets), counted through it."""
_TOP_LEVEL = "*TOP LEVEL*"
"""Model space and the sheets, as the parent of the block references they hold (no block can have this name)."""
PROXY_TYPES = frozenset({"ACAD_PROXY_ENTITY", "PROXY", "PROXY_ENTITY"})
KNOT_PARAMETERS = {0: "chord", 1: "sqrt_chord", 2: "uniform"}
"""A fit spline's parameterization as the DWG numbers it, by ezdxf's name for it."""


@dataclass(frozen=True)
class ConversionWarning:
    """Something the conversion could not carry, in words for the person who uploaded the drawing."""

    kind: str
    """``unsupported_entities``, ``proxy_entities``, ``failed_entities``, ``missing_blocks`` or
    ``substituted_fonts``."""
    message: str
    count: int
    spaces: tuple[str, ...]
    """Where the entities were: ``Model``, a paper-space layout's name, or ``""`` for block definitions."""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "count": self.count, "spaces": list(self.spaces)}


@dataclass(frozen=True)
class Conversion:
    """A DWG converted to DXF: how many drawing entities it held and carried, and what was lost."""

    entities: int
    carried: int
    warnings: tuple[ConversionWarning, ...]


def convert_dwg(source: Path, *, min_share: float) -> tuple[Conversion, DxfDrawing]:
    """``source`` as a DXF document in memory, and the conversion's account of what it carried.

    Raises :class:`BadInputError` for an unreadable DWG, a bomb, or a
    conversion that carries less than ``min_share`` of the entities.
    """
    import ezdwg

    from buildtrace_assets.engine.dwg_ezdwg import cheap_decoding
    from buildtrace_assets.engine.dwg_ezdxf import cheap_entities
    from buildtrace_assets.engine.dwg_repairs import repairs_where_signed

    with cheap_entities(), cheap_decoding(), repairs_where_signed():
        try:
            conversion, document = _converted(source)
        finally:
            ezdwg.clear_decode_caches()  # the decoded DWG is no longer needed; the plot that follows needs the memory
    if conversion.entities and conversion.carried < min_share * conversion.entities:
        raise BadInputError(
            f"{source.name}: the conversion keeps only {conversion.carried:,} of {conversion.entities:,} entities "
            f"({conversion.carried / conversion.entities:.0%}; at least {min_share:.0%} is required): "
            + "; ".join(warning.message for warning in conversion.warnings)
        )
    return conversion, document


def _converted(source: Path) -> tuple[Conversion, DxfDrawing]:
    """The conversion itself; what it decoded is freed when it returns, before cycle collection is back."""
    import ezdwg

    try:
        dwg = ezdwg.read(str(source))
        spaces = _Spaces(dwg)
        inventory = _inventory(dwg, spaces)
        _check_expansion(dwg, spaces)
    except BadInputError:
        raise
    except (ValueError, OSError, RuntimeError) as exc:
        raise BadInputError(f"{source.name}: not a readable DWG ({exc})") from None
    router = _Router(dwg, spaces, inventory)
    try:
        with router.routing():
            ezdwg.to_dxf(dwg, os.devnull)  # the document is kept, never written out
    except (ValueError, OSError, RuntimeError) as exc:
        raise BadInputError(f"{source.name}: the DWG could not be converted ({exc})") from None
    document = router.document
    if document is None:
        raise BadInputError(f"{source.name}: the DWG has nothing to draw")
    vars(document).pop("saveas", None)  # saving works again for whoever takes the document
    return _account(inventory, router.failed, dwg, spaces), document


class _Spaces:
    """Which space (model, a paper-space layout, a block definition) each entity of the DWG belongs to."""

    def __init__(self, dwg: ezdwg.Document) -> None:
        from ezdwg import raw

        layouts = dwg.layouts()  # decoded anew at each call
        self.layouts = {name: entry for name, entry in layouts.items() if not entry["model"]}
        self._by_record = {entry["block_record_handle"]: name for name, entry in layouts.items()}
        self.placements = {
            handle: (mode, owner) for handle, mode, owner in raw.decode_entity_placements(dwg.path) if mode != 2
        }
        """The placement (0 owned by a block or entity, 1 paper space) and owner of each entity not in model space
        (most of a plan's, left out to spare memory), by handle."""
        self.block_names: dict[int, str] = dict(raw.decode_block_header_names(dwg.path))
        active = [name for name, entry in self.layouts.items() if entry["active"]]
        self._active = active[0] if active else next(iter(self.layouts), "Layout1")
        for handle, name in self.block_names.items():
            if name.upper() == "*MODEL_SPACE":
                self._by_record.setdefault(handle, MODEL)

    def of(self, handle: int) -> str:
        """``Model``, a layout name, or :data:`BLOCKS`; an entity owned by another (an attribute) is where that is."""
        if handle not in self.placements:
            return MODEL  # most entities, asked once each as they are written
        seen: set[int] = set()
        while handle not in seen:
            seen.add(handle)
            mode, owner = self.placements.get(handle, (2, 0))
            if mode == 2:
                return MODEL
            if mode == 1:
                return self._active
            if owner in self._by_record:
                return self._by_record[owner]
            if owner in self.block_names or not owner:
                return BLOCKS
            handle = owner
        return BLOCKS


def _inventory(dwg: ezdwg.Document, spaces: _Spaces) -> dict[int, tuple[str, str]]:
    """Every drawing entity of the file by handle: its type and space. Refuses more than the limit."""
    from ezdwg import raw
    from ezdwg.document import TYPE_ALIASES

    rows = [row for row in raw.list_object_headers_with_type(dwg.path) if str(row[5]).upper() in {"E", "ENTITY"}]
    if len(rows) > MAX_DWG_ENTITIES:
        raise BadInputError(
            f"{PurePath(dwg.path).name}: the DWG holds {len(rows):,} entity records (limit {MAX_DWG_ENTITIES:,})"
        )
    inventory = {}
    kinds: dict[tuple[str, str], tuple[str, str]] = {}  # one tuple per type and space, shared by their entities
    names: dict[str, str | None] = {}  # each raw type name's type, None for records counted through another
    for handle, _offset, _size, _code, raw_name, _category in rows:
        if raw_name not in names:
            name = TYPE_ALIASES.get(str(raw_name).strip().upper(), str(raw_name).strip().upper())
            names[raw_name] = None if name in STRUCTURAL_TYPES or name == "VIEWPORT" else name
        name = names[raw_name]
        if name is not None:
            kind = (name, spaces.of(int(handle)))
            inventory[int(handle)] = kinds.setdefault(kind, kind)
    return inventory


def _check_expansion(dwg: ezdwg.Document, spaces: _Spaces) -> None:
    """Refuse block references that would draw more than :data:`MAX_EXPANDED_ENTITIES` (or that contain themselves).

    Counted by block name: a DWG keeps a block under two handles (its record and its BLOCK entity), and its members
    name either as owner.
    """
    from ezdwg import raw

    file = PurePath(dwg.path).name
    placements = {handle: owner for handle, (mode, owner) in spaces.placements.items() if mode == 0}
    own = Counter(
        spaces.block_names[owner].upper()
        for handle, owner in placements.items()
        if owner in spaces.block_names and spaces.of(handle) == BLOCKS
    )
    inserts, minserts = raw.decode_insert_minsert_entities(dwg.path)[:2]
    references = [(row[0], row[8], 1) for row in inserts]
    references += [(row[0], row[8][4], max(1, row[8][0]) * max(1, row[8][1])) for row in minserts]
    children: defaultdict[str, list[tuple[str, int]]] = defaultdict(list)
    for handle, block, copies in references:
        owner = placements.get(handle)
        inside = owner is not None and owner in spaces.block_names and spaces.of(handle) == BLOCKS
        parent = spaces.block_names[owner].upper() if inside and owner is not None else _TOP_LEVEL
        children[parent].append((str(block or "").upper(), copies))
    sizes: dict[str, int] = {}

    def size(block: str, path: tuple[str, ...]) -> int:
        if block in path:
            raise BadInputError(f"{file}: block {block!r} contains itself")
        if block not in sizes:
            total = own[block]
            for child, copies in children.get(block, []):
                total += copies * size(child, (*path, block))
                if total > MAX_EXPANDED_ENTITIES:
                    break
            sizes[block] = total
        return sizes[block]

    if size(_TOP_LEVEL, ()) > MAX_EXPANDED_ENTITIES:
        raise BadInputError(
            f"{file}: its block references expand to over {MAX_EXPANDED_ENTITIES:,} entities "
            f"(nested or repeated blocks); the limit keeps a few KB of DWG from drawing billions"
        )


def _reach(data: dict[str, Any]) -> float:
    """The largest magnitude among the floats of an entity's data (its coordinates, nested in points and lists).

    Walked with a stack rather than by recursion: it runs over every value of
    every entity, and a call per value cost a tenth of the conversion.
    """
    far = 0.0
    pending: list[Any] = [data.values()]
    while pending:
        for value in pending.pop():
            kind = type(value)
            if kind is float:
                if value > far or -value > far:
                    far = abs(value)
            elif kind is tuple or kind is list:
                pending.append(value)
            elif kind is dict:
                pending.append(value.values())
    return far


def _free_decoded(entity: ezdwg.Entity) -> None:
    """Drop the data of a decoded entity the converter has handed to model space.

    The converter holds every decoded entity until its last repair but reads
    none again once it is written: freed as it goes, its memory makes room
    for the document (a tenth of a 10 MB plan's peak).
    """
    entity.dxf.clear()


class _Router:
    """Sends each entity the converter writes to its own space of the DXF, and notes every write that failed."""

    def __init__(self, dwg: ezdwg.Document, spaces: _Spaces, inventory: dict[int, tuple[str, str]]) -> None:
        self._dwg = dwg
        self._spaces = spaces
        self._inventory = inventory
        self.document: DxfDrawing | None = None
        self.failed: set[int] = set()
        self._viewports: dict[str, list[dict[str, Any]]] | None = None
        self._prepared: set[str] = set()
        self._patterns: dict[int, list[Any]] | None = None
        self._tangents: dict[int, dict[str, Any]] | None = None

    @contextmanager
    def routing(self) -> Iterator[None]:
        """Patch the converter's one writing function for the duration (ezdwg 0.17 has no hook for this)."""
        from ezdwg import convert

        from buildtrace_assets.engine import dwg_writer

        original = convert._write_entity_to_modelspace

        def written(target: Any, entity: ezdwg.Entity, **options: Any) -> bool:
            """The entity written by this module's writer of its type, or by the converter's (see
            :mod:`.dwg_writer`): a writer that cannot settle the entity raises before creating anything."""
            own = dwg_writer.WRITERS.get(entity.dxftype)
            if own is not None:
                try:
                    return own(target, entity.dxf, options)
                except Exception:  # noqa: BLE001 - the converter's own writer decides, as it did before
                    pass
            return original(target, entity, **options)

        def routed(target: Any, entity: ezdwg.Entity, **options: Any) -> bool:
            return self._write(written, target, entity, options)

        convert._write_entity_to_modelspace = routed
        try:
            yield
        finally:
            convert._write_entity_to_modelspace = original

    def _write(self, write: Callable[..., bool], target: Any, entity: ezdwg.Entity, options: dict[str, Any]) -> bool:
        reach = _reach(entity.dxf)
        if reach > MAX_COORDINATE:
            raise BadInputError(
                f"{PurePath(self._dwg.path).name}: the drawing reaches {reach:.3g} units from its origin "
                f"(limit {MAX_COORDINATE:.0g})"
            )
        if not getattr(target, "is_modelspace", False):
            return self._written(write, target, entity, options)  # into a block definition the converter fills
        if self.document is None:
            self.document = target.doc
            # Writing the DXF out would cost a quarter of the conversion; the plotter takes the document.
            target.doc.saveas = lambda *args, **kwargs: None
            self._complete_blocks(target.doc, write, options)
        try:
            space = self._spaces.of(int(entity.handle))
            if space == BLOCKS or entity.dxftype == "ATTRIB":
                return True  # written into its block definition, or with its block reference
            if space != MODEL:
                target = self._paperspace(target.doc, space)
            return self._written(write, target, entity, options)
        finally:
            _free_decoded(entity)

    def _written(self, write: Callable[..., bool], target: Any, entity: ezdwg.Entity, options: dict[str, Any]) -> bool:
        """``entity`` written into ``target``; a failure noted, a hatch's or spline's data completed."""
        written = write(target, entity, **options)
        if not written:
            self.failed.add(int(entity.handle))
        elif entity.dxftype == "HATCH" and len(target) and target[-1].dxftype() == "HATCH":
            self._fill_pattern(target[-1], int(entity.handle))
        elif entity.dxftype == "SPLINE" and len(target) and target[-1].dxftype() == "SPLINE":
            self._fit_tangents(target[-1], int(entity.handle))
        return written

    def _fit_tangents(self, spline: Any, handle: int) -> None:
        """Give a spline defined by fit points the end tangents stored with it in the DWG.

        ezdwg's entity carries a fit spline's points but not its tangents, so
        the converter draws a curve of two fit points as a straight line. The
        tangents are derivatives along the parameter the file names (chord,
        square root of chord, or uniform, each from 0 to 1): interpolated with
        them, the curve is the one the file holds (a 2018 file keeps as fit
        data the curve a 2004 file of the same drawing keeps as control points).
        """
        from ezdwg import raw
        from ezdxf.math import global_bspline_interpolation

        if self._tangents is None:
            self._tangents = {
                row["handle"]: row
                for row in raw.decode_write_splines(self._dwg.path)
                if row["scenario"] == 2 and row["start_tangent"] and row["end_tangent"] and not row["closed"]
            }
        row = self._tangents.get(handle)
        if row is None or len(row["fit_points"]) < 2:
            return
        curve = global_bspline_interpolation(
            row["fit_points"],
            degree=row["degree"],
            tangents=(row["start_tangent"], row["end_tangent"]),
            method=KNOT_PARAMETERS.get(row["knot_parameter"], "chord"),
        )
        spline.fit_points = []
        spline.apply_construction_tool(curve)

    def _fill_pattern(self, hatch: Any, handle: int) -> None:
        """Give the hatch the pattern lines stored with it in the DWG.

        The converter names a pattern and lets ezdxf look it up in its own
        library, which lacks custom patterns and, in files whose names it
        cannot decode (2007 and later), gets no name at all: the same drawing
        saved as 2004 and as 2018 would be hatched differently.
        """
        from ezdwg import raw

        if self._patterns is None:
            self._patterns = {row[0]: row[4] for row in raw.decode_hatch_patterns(self._dwg.path)}
        lines = self._patterns.get(handle)
        if lines and not hatch.dxf.solid_fill:
            hatch.set_pattern_definition(
                [[math.degrees(angle), base, offset, list(dashes)] for angle, base, offset, dashes in lines]
            )

    def _complete_blocks(self, document: DxfDrawing, write: Callable[..., bool], options: dict[str, Any]) -> None:
        """Write the blocks the converter left empty, their members found by owner.

        ezdwg finds a block's members by their order in the file, which fails
        for some writers' files (its own among them); the owner handle every
        entity stores is what a DWG reader is meant to go by.
        """
        from ezdwg import raw

        members: defaultdict[int, set[int]] = defaultdict(set)
        for handle, (mode, owner) in self._spaces.placements.items():
            if mode == 0 and owner in self._spaces.block_names and self._spaces.of(handle) == BLOCKS:
                members[owner].add(handle)
        empty = {
            owner: handles
            for owner, handles in members.items()
            if self._spaces.block_names[owner] not in document.blocks
            or len(document.blocks.get(self._spaces.block_names[owner])) == 0
        }
        if not empty:
            return
        base_points = {block["handle"]: block["base_point"] for block in raw.decode_write_blocks(self._dwg.path)}
        wanted = set().union(*empty.values())
        types = sorted({self._inventory[handle][0] for handle in wanted if handle in self._inventory})
        entities = [entity for entity in self._dwg.entities().query(types) if int(entity.handle) in wanted]
        for owner, handles in empty.items():
            name = self._spaces.block_names[owner]
            block = (
                document.blocks.get(name)
                if name in document.blocks
                else document.blocks.new(name, base_point=base_points.get(owner, (0.0, 0.0, 0.0)))
            )
            for entity in entities:
                if int(entity.handle) in handles and entity.dxftype != "ATTRIB" and not write(block, entity, **options):
                    self.failed.add(int(entity.handle))

    def _paperspace(self, document: DxfDrawing, name: str) -> Paperspace:
        known = name in document.layouts
        layout = cast("Paperspace", document.layouts.get(name) if known else document.layouts.new(name))
        if name in self._prepared:
            return layout
        self._prepared.add(name)
        entry = self._spaces.layouts.get(name)
        if entry is not None:
            _set_up_sheet(layout, entry)
        for viewport in self._sheet_viewports().get(name, []):
            layout.add_viewport(
                center=viewport["center"][:2],
                size=(viewport["width"], viewport["height"]),
                view_center_point=viewport["view_center"][:2],
                view_height=viewport["view_height"],
            )
        return layout

    def _sheet_viewports(self) -> dict[str, list[dict[str, Any]]]:
        """The viewports of each layout that look into model space (not the sheet's own view of itself)."""
        if self._viewports is None:
            self._viewports = defaultdict(list)
            for viewport in self._dwg.paperspace().query("VIEWPORT", include_styles=False):
                space = self._spaces.of(int(viewport.handle))
                entry = self._spaces.layouts.get(space, {})
                handles = entry.get("viewport_handles") or [entry.get("last_active_viewport_handle")]
                dxf = viewport.dxf
                shows_itself = math.isclose(dxf["view_height"], dxf["height"], rel_tol=1e-6) and all(
                    math.isclose(a, b, abs_tol=1e-6) for a, b in zip(dxf["view_center"], dxf["center"], strict=False)
                )
                if int(viewport.handle) != handles[0] and not shows_itself and dxf["width"] > 0 < dxf["height"]:
                    self._viewports[space].append(dict(dxf))
        return self._viewports


def _set_up_sheet(layout: Paperspace, entry: dict[str, Any]) -> None:
    """The layout's paper as it lies on the sheet (plot rotation applied), in its paper units, and its tab."""
    layout.dxf_layout.dxf.taborder = entry["tab_order"]
    width, height = entry["paper_width"], entry["paper_height"]
    left, bottom, right, top = entry["margins"]
    if entry["plot_rotation"] in (1, 3):
        width, height = height, width
        left, bottom, right, top = bottom, right, top, left
    if width <= 0 or height <= 0:
        return
    inches = entry["paper_units"] == 0
    factor = 1 / 25.4 if inches else 1.0
    layout.page_setup(
        size=(width * factor, height * factor),
        margins=(top * factor, right * factor, bottom * factor, left * factor),
        units="inch" if inches else "mm",
    )


def _account(
    inventory: dict[int, tuple[str, str]], failed: set[int], dwg: ezdwg.Document, spaces: _Spaces
) -> Conversion:
    """What was carried, and a warning for each kind of loss."""
    from ezdwg.convert import _WRITABLE_ENTITY_TYPES

    lost: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for handle, (dxftype, space) in inventory.items():
        if dxftype in PROXY_TYPES or "PROXY" in dxftype:
            lost["proxy_entities"].append((dxftype, space))
        elif dxftype not in _WRITABLE_ENTITY_TYPES:
            lost["unsupported_entities"].append((dxftype, space))
        elif handle in failed:
            lost["failed_entities"].append((dxftype, space))
    warnings = [_lost_warning(kind, entries) for kind, entries in lost.items()]
    carried = len(inventory) - sum(len(entries) for entries in lost.values())
    warnings.extend(_missing_blocks(inventory, dwg, spaces))
    warnings.extend(_substituted_fonts(dwg))
    return Conversion(len(inventory), carried, tuple(warnings))


_LOSS_WORDING = {
    "proxy_entities": "proxy objects of other applications, drawn by them only",
    "unsupported_entities": "of entity types the DWG converter does not read",
    "failed_entities": "that could not be converted",
}


def _lost_warning(kind: str, entries: list[tuple[str, str]]) -> ConversionWarning:
    types = Counter(dxftype for dxftype, _space in entries)
    listed = ", ".join(f"{count} {dxftype}" for dxftype, count in types.most_common())
    spaces = tuple(sorted({space for _dxftype, space in entries}))
    return ConversionWarning(
        kind,
        f"{_count(len(entries), 'entity', 'entities')} {_LOSS_WORDING[kind]} {_are(len(entries))} missing ({listed})",
        len(entries),
        spaces,
    )


def _missing_blocks(
    inventory: dict[int, tuple[str, str]], dwg: ezdwg.Document, spaces: _Spaces
) -> list[ConversionWarning]:
    """References to blocks the file defines without content: external references, which a DWG upload lacks."""
    from ezdwg import raw

    defined = {name.upper() for name in spaces.block_names.values()}
    owners = {owner for mode, owner in spaces.placements.values() if mode == 0}
    filled = {spaces.block_names[owner].upper() for owner in owners if owner in spaces.block_names}
    inserts = raw.decode_insert_entities(dwg.path)
    missing = [
        (str(row[8]), inventory[row[0]][1])
        for row in inserts
        if row[0] in inventory and row[8] and (str(row[8]).upper() not in defined or str(row[8]).upper() not in filled)
    ]
    if not missing:
        return []
    names = ", ".join(sorted({name for name, _space in missing}))
    return [
        ConversionWarning(
            "missing_blocks",
            f"{_count(len(missing), 'reference', 'references')} to blocks whose content is not in the file "
            f"(external references?): {names}",
            len(missing),
            tuple(sorted({space for _name, space in missing})),
        )
    ]


def _substituted_fonts(dwg: ezdwg.Document) -> list[ConversionWarning]:
    """The DWG's text styles, which the converter does not carry: all its text is drawn in ezdxf's default font.

    Glyph widths then differ from the style's font, which matters when the
    other revision is a PDF plotted by the CAD program. Said with the fonts
    the styles name and how many of them this machine lacks anyway.
    """
    from ezdwg import raw
    from ezdxf.fonts import fonts

    styles = sorted(
        {
            (table["name"] or "unnamed", PurePath(table["font"].replace("\\", "/")).name)
            for table in raw.decode_write_tables(dwg.path)
            if table.get("kind") == "STYLE" and not table.get("shape") and table.get("font")
        }
    )
    if not styles:
        return []
    listed = ", ".join(f"{style} ({font})" for style, font in styles)
    absent = sum(not fonts.font_manager.has_font(font) for _style, font in styles)
    return [
        ConversionWarning(
            "substituted_fonts",
            f"text styles are not converted: the text of {_count(len(styles), 'style', 'styles')} ({listed}) is "
            f"drawn in a substitute font of other widths ({absent} of these fonts are not installed here)",
            len(styles),
            (BLOCKS,),
        )
    ]


def placed_warnings(
    warnings: Sequence[ConversionWarning], page_names: Sequence[str | None]
) -> tuple[dict[str, Any], ...]:
    """The warnings as stored with a version's analysis, each with the ``pages`` (indices) it touches.

    A loss in a paper-space layout touches that sheet; a loss in model space
    or in a block definition touches every page, since model space is seen
    through every sheet's viewports (or is the page itself) and blocks are
    drawn wherever they are referenced.
    """
    placed = []
    for warning in warnings:
        named = [index for index, name in enumerate(page_names) if name in warning.spaces]
        everywhere = MODEL in warning.spaces or BLOCKS in warning.spaces or not named
        pages = list(range(len(page_names))) if everywhere else named
        placed.append({**warning.to_json(), "pages": pages})
    return tuple(placed)


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _are(number: int) -> str:
    return "is" if number == 1 else "are"
