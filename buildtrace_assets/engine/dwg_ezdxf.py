"""ezdxf made cheap for the DWG conversion, which builds one ezdxf entity per DWG entity through ezdxf's public API.

ezdwg's converter creates every entity with a layout's ``add_*`` call: each
goes through ezdxf's factory, its constructor, a check of every attribute,
the binding to the document and the layout. For a plan of 140,000 entities
those layers of calls, not the entities' content, were most of the
conversion. :func:`cheap_entities` patches, for the duration of a
conversion, the few ezdxf functions that do it with versions that do the
same work and give the same entities: the same attribute values (cast and
validated as ezdxf's do, anything unusual left to ezdxf's own code), the same
handles in the same order, the same hooks called. Tests compare the converted
documents tag by tag with those of ezdxf's own code
(``tests/engine/test_dwg_ezdxf.py``).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ezdxf.document import Drawing
    from ezdxf.entities import DXFEntity
    from ezdxf.entities.dxfns import DXFNamespace
    from ezdxf.entitydb import EntityDB
    from ezdxf.lldxf.attributes import DXFAttr

_TYPE_NAMES = re.compile(r"\s*[A-Za-z0-9_]+(\s+[A-Za-z0-9_]+)*\s*")
"""An ezdxf entity query that names entity types and nothing else."""
_VERTEX_FIELDS = "xyseb"
"""The values of a light polyline's vertex as ezdxf stores them: x, y, start width, end width, bulge."""


@contextmanager
def cheap_entities() -> Iterator[None]:
    """Within: ezdxf's entity creation, attribute checks and queries by type, cheaper and with the same results;
    and no cycle collection."""
    with ExitStack() as stack:
        attributes = _Attributes()
        stack.enter_context(attributes.installed())
        stack.enter_context(_created_directly(attributes))
        stack.enter_context(_queries_by_name())
        stack.enter_context(_points_in_bulk())
        stack.enter_context(_without_cycle_collection())
        yield


class _Attributes:
    """ezdxf's check of each attribute a new entity gets, without rebuilding its helpers per value.

    ezdxf casts and validates every attribute set (builds two closures per
    call, and checks the same layer name against its table-name rules for
    every entity on the layer): a sixth of the conversion. Here the cast
    and the validator run as ezdxf's do, the verdict on a text or a number is
    kept (ezdxf's validators judge the value alone), an entity class known
    to have no handler of a setter event is not asked again, and
    anything else (an invalid value to fix or refuse, a computed attribute)
    goes to ezdxf's own code.
    """

    def __init__(self) -> None:
        from ezdxf.entities.dxfns import SETTER_EVENTS, DXFNamespace
        from ezdxf.lldxf.attributes import XType
        from ezdxf.lldxf.types import cast_value

        self._original = DXFNamespace.__setattr__
        self._events = SETTER_EVENTS
        self._callback = XType.callback
        self._cast = cast_value
        self._verdicts: dict[tuple[int, type, str | float | int], bool] = {}
        self._handlers: dict[tuple[type, str], bool] = {}  # whether a class of entities has a setter event's handler
        self._plain: dict[DXFAttr, Callable[[Any], Any] | None] = {}

    def plain(self, definition: DXFAttr) -> Callable[[Any], Any] | None:
        """ezdxf's cast of a value of ``definition`` (to a non-None value) when that is all ezdxf does to set it: no
        validator, no callback, no event; None otherwise."""
        if definition not in self._plain:
            from ezdxf.lldxf.types import POINT_CODES, TYPE_TABLE
            from ezdxf.math import Vec3

            simple = definition.validator is None and definition.xtype != self._callback
            simple = simple and definition.name not in self._events
            cast = Vec3 if definition.code in POINT_CODES else TYPE_TABLE.get(definition.code, str)
            self._plain[definition] = cast if simple else None
        return self._plain[definition]

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Every attribute set on an entity goes through :meth:`set` meanwhile."""
        from ezdxf.entities.dxfns import DXFNamespace

        def checked(namespace: DXFNamespace, key: str, value: Any) -> None:
            self.set(namespace, namespace.dxfattribs.get(key), key, value)

        DXFNamespace.__setattr__ = checked  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            DXFNamespace.__setattr__ = self._original  # type: ignore[method-assign]

    def set(self, namespace: DXFNamespace, definition: DXFAttr | None, key: str, value: Any) -> None:
        """Set ``key`` (defined by ``definition``, None if the entity has no such attribute) as ezdxf would."""
        if definition is None or definition.xtype == self._callback:
            self._original(namespace, key, value)
            return
        value = self._cast(definition.code, value)
        if definition.validator is not None:
            kind = type(value)
            known = (id(definition), kind, value) if kind is str or kind is float or kind is int else None
            valid = self._verdicts.get(known) if known is not None else None
            if valid is None:
                valid = bool(definition.validator(value))
                if known is not None:
                    self._verdicts[known] = valid
            if not valid:
                self._original(namespace, key, value)
                return
        namespace.__dict__[key] = value
        event = self._events.get(key)
        if event is not None:
            entity = namespace._entity
            handled = (type(entity), event)
            if handled not in self._handlers:
                self._handlers[handled] = hasattr(type(entity), event)
            handler = getattr(entity, event, None) if self._handlers[handled] else None
            if handler:
                handler(value)


@contextmanager
def _created_directly(attributes: _Attributes) -> Iterator[None]:
    """ezdxf's creation of a new entity in a document, its steps done in place rather than through five layers.

    ``factory.create_db_entry`` is what every ``add_*`` call and every
    attribute added to a block reference comes down to. Done here as ezdxf's
    ``factory.new`` and ``factory.bind`` do it: the class's constructor, its
    default attributes then the given ones set (once each, in that order),
    ``post_new_hook`` before the entity has a document, then the document's
    database (which gives the next handle) and ``post_bind_hook``. Entity
    types with a constructor of their own or that turn into another class
    (POLYLINE), and documents being loaded, go to ezdxf's factory.
    """
    from ezdxf.entities import factory
    from ezdxf.entities.dxfentity import DXFEntity
    from ezdxf.entitydb import DATABASE_EXCLUDE

    original = factory.create_db_entry
    generic_new = DXFEntity.new.__func__  # type: ignore[attr-defined]
    direct: dict[str, type[DXFEntity] | None] = {}

    def created(dxftype: str, dxfattribs: dict[str, Any] | None, doc: Drawing) -> DXFEntity:
        if dxftype not in direct:
            cls = factory.ENTITY_CLASSES.get(dxftype)
            plain = cls is not None and getattr(cls.new, "__func__", None) is generic_new and not hasattr(cls, "cast")
            direct[dxftype] = cls if plain else None
        cls = direct[dxftype]
        if cls is None or doc.is_loading:
            return original(dxftype, dxfattribs, doc)
        entity = cls()
        namespace = entity.dxf
        definitions = cls.DXFATTRIBS
        values = dict(cls.DEFAULT_ATTRIBS)
        values.update(dxfattribs or {})
        store = namespace.__dict__
        for key, value in values.items():
            definition = definitions.get(key)
            cast = None if definition is None or value is None else attributes.plain(definition)
            if cast is None:
                attributes.set(namespace, definition, key, value)
            else:
                store[key] = cast(value)
        entity.post_new_hook()
        entity.doc = doc
        database = doc.entitydb
        if database.locked or cls.DXFTYPE in DATABASE_EXCLUDE or store.get("handle") or entity.extension_dict:
            database.add(entity)
        else:  # EntityDB.add for a new entity: the next handle, then its sub-entities
            handle = _next_handle(database)
            store["handle"] = handle
            database._database[handle] = entity
            if hasattr(entity, "add_sub_entities_to_entitydb"):
                entity.add_sub_entities_to_entitydb(database)
        entity.post_bind_hook()
        return entity

    factory.create_db_entry = created
    try:
        yield
    finally:
        factory.create_db_entry = original


def _next_handle(database: EntityDB) -> str:
    """``EntityDB.next_handle``: the generator's next handle not yet in the database, made as ezdxf's handle generator
    makes it (upper-case hexadecimal) without its two calls per handle; another generator is asked itself."""
    from ezdxf.tools.handle import HandleGenerator

    generator = database.handles
    if type(generator) is not HandleGenerator:
        return database.next_handle()
    while True:
        handle = "%X" % generator._handle  # noqa: UP031 - ezdxf's own formatting, kept to the letter
        generator._handle += 1
        if handle not in database._database:
            return handle


@contextmanager
def _queries_by_name() -> Iterator[None]:
    """ezdxf's entity queries that only name entity types, matched without its query parser.

    The converter's repairs query the model space by type a dozen times. ezdxf
    parses each query with pyparsing, whose alternatives fail by raising, and
    a failed alternative keeps its exception, whose traceback holds the frames
    that called the query: the converter's own, with every decoded entity of
    the DWG in its locals. Those then live on in a reference cycle until
    Python's cycle collector walks them (a twentieth of a 10 MB plan's
    conversion, and their memory held until then). A query of names alone
    means its entity types, which ezdxf's own name matcher matches; any other
    query goes to its parser.
    """
    from ezdxf import query

    original = query.entity_matcher

    def matcher(text: str) -> Callable[[Any], bool]:
        if not _TYPE_NAMES.fullmatch(text):
            return original(text)
        names = frozenset(text.upper().split())  # as ezdxf's name matcher takes them, without its two calls per entity

        def named(entity: Any) -> bool:
            return entity.dxftype() in names

        return named

    query.entity_matcher = matcher  # type: ignore[assignment]
    try:
        yield
    finally:
        query.entity_matcher = original


@contextmanager
def _points_in_bulk() -> Iterator[None]:
    """A light polyline's vertices set and read as one array rather than one vertex at a time.

    ezdxf keeps the vertices as rows of a numpy array (x, y, start width, end
    width, bulge), but sets them one vertex at a time (a new array each) and
    reads them through a per-vertex function that builds a dict of its
    locals; the converter sets every polyline's vertices once and its repairs
    read them all five times over (a tenth of a 10 MB plan's conversion).
    Here the same rows, as the same numpy floats, go in and come out whole.
    Vertices in another format than all five values, and reads that ask for
    a vertex as a point (``v``), go to ezdxf's own code.
    """
    import numpy as np
    from ezdxf.entities.lwpolyline import FORMAT_CODES, LWPolyline

    original_get, original_set = LWPolyline.get_points, LWPolyline.set_points

    def get_points(polyline: LWPolyline, format: str = "xyseb") -> list[Any]:
        codes = [code for code in format.lower() if code in FORMAT_CODES]
        if not codes or "v" in codes:
            return original_get(polyline, format)
        columns = polyline.lwpoints.values
        return list(zip(*[columns[:, _VERTEX_FIELDS.index(code)] for code in codes], strict=True))

    def set_points(polyline: LWPolyline, points: Any, format: str = "xyseb") -> None:
        if format != _VERTEX_FIELDS or type(points) is not list or any(len(point) != 5 for point in points):
            original_set(polyline, points, format)
        elif points:
            polyline.lwpoints.values = np.array(points, np.float64)
        else:
            polyline.lwpoints.clear()

    LWPolyline.get_points, LWPolyline.set_points = get_points, set_points  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        LWPolyline.get_points, LWPolyline.set_points = original_get, original_set  # type: ignore[method-assign]


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """No cycle collection during the conversion, and what it made counted among the old objects after it.

    The conversion creates half a million objects that all stay alive (the
    document); Python's cycle collector would walk them again and again (a
    tenth of the conversion) to free nothing. Once it is over they would all
    still be young, and the collector's first young collection would walk
    them all once more (a third of a second for a 10 MB plan): freezing and unfreezing
    moves them, unwalked, to the oldest generation, which the collector walks
    only in its rare full collections, as it walks every old object. Cyclic
    garbage among them is still collected then.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()
