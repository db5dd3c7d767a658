"""ezdwg's repairs of one drawing series, run only on drawings that bear that series' signatures.

After writing the model space, ezdwg's converter runs repairs made for one
family of drawings (sheets drawn around a block named ``_Open30``, with
paper frames of known sizes): each walks every polyline or block reference
of the model space, measures it, and returns without a change unless it
finds that family's signature. On a plan of 140,000 entities those walks
were a tenth of the conversion. :func:`repairs_where_signed` patches, for
the duration of a conversion, each such repair to look first for a
condition its own code requires before it changes anything (a rectangle at
least as large as the frames it looks for, references to ``_Open30``) and
to run, unchanged, only when the condition holds. Its drop of implausible
primitives, which judges only three entity types, is given only those.
Tests convert drawings with and without the signatures and compare the
documents with those of ezdwg's own code (``tests/engine/test_dwg_repairs.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from buildtrace_assets.engine.dwg_patching import patched

OPEN30 = "_Open30"
"""The block the series' sheets are drawn around; ezdwg's repairs for it need three or six references to it."""
FRAME_REPAIRS = {
    "_restore_sparse_open30_left_window": (20000.0, 14000.0),
    "_restore_known_layout_frame_polylines": (10000.0, 10000.0),
}
"""Repairs that look for paper frames, by the least width and height (drawing units) a frame they act on has."""
OPEN30_REPAIRS = (
    "_replace_layout_alias_with_open30_right_sheet_inserts",
    "_rebalance_sparse_open30_right_sheet_geometry",
    "_rebalance_sparse_open30_right_sheet_text",
)
"""Repairs that return unchanged unless the model space references :data:`OPEN30` several times."""
JUDGED_PRIMITIVES = frozenset({"LWPOLYLINE", "ARC", "3DFACE"})
"""The entity types ezdwg's test of an implausible primitive can find implausible; it passes every other type."""
_FRAME_VERTICES = 4


@contextmanager
def repairs_where_signed() -> Iterator[None]:
    """Within: ezdwg's series repairs run only on model spaces with their signature; the same documents result."""
    from ezdwg import convert

    replacements: dict[str, Callable[..., None]] = {
        name: _when(getattr(convert, name), _rectangle_at_least(width, height))
        for name, (width, height) in FRAME_REPAIRS.items()
    }
    replacements.update({name: _when(getattr(convert, name), _references_open30) for name in OPEN30_REPAIRS})
    replacements["_drop_implausible_modelspace_primitives"] = _drop_implausible_primitives
    with patched(convert, replacements):
        yield


def _when(repair: Callable[..., None], signed: Callable[[Any], bool]) -> Callable[..., None]:
    """``repair``, run only when the model space (its first argument) has the signature ``signed`` looks for."""

    def guarded(modelspace: Any, *args: Any, **kwargs: Any) -> None:
        if signed(modelspace):
            repair(modelspace, *args, **kwargs)

    return guarded


def _rectangle_at_least(width: float, height: float) -> Callable[[Any], bool]:
    """The signature of a frame repair: :func:`_has_rectangle` of its least frame."""

    def signed(modelspace: Any) -> bool:
        return _has_rectangle(modelspace, width, height)

    return signed


def _has_rectangle(modelspace: Any, width: float, height: float) -> bool:
    """Whether a light polyline of four vertices spans at least ``width`` by ``height``: what ezdwg's frame
    repairs require of a frame (``_axis_aligned_lwpolyline_rect_bbox`` takes the extent of the same four
    vertices, and NaN spans nothing)."""
    import numpy as np

    corners = [
        entity.lwpoints.values
        for entity in modelspace
        if entity.dxftype() == "LWPOLYLINE" and len(entity.lwpoints) == _FRAME_VERTICES
    ]
    if not corners:
        return False
    points = np.stack(corners)
    spans = points[:, :, :2].max(axis=1) - points[:, :, :2].min(axis=1)
    return bool(np.any((spans[:, 0] >= width) & (spans[:, 1] >= height)))


def _references_open30(modelspace: Any) -> bool:
    """Whether a block reference of the model space names :data:`OPEN30` as ezdwg normalizes block names."""
    from ezdwg.convert import _normalize_block_name

    names = {entity.dxf.get("name") for entity in modelspace if entity.dxftype() == "INSERT"}
    return any(_normalize_block_name(name) == OPEN30 for name in names)


def _drop_implausible_primitives(modelspace: Any) -> None:
    """ezdwg's ``_drop_implausible_modelspace_primitives``, its test asked only of :data:`JUDGED_PRIMITIVES`."""
    from ezdwg._convert_geometry_filter import _is_implausible_repeated_block_primitive

    try:
        entities = list(modelspace)
    except Exception:  # noqa: BLE001 - as ezdwg: a model space that cannot be listed is left as it is
        return
    for entity in entities:
        if entity.dxftype() not in JUDGED_PRIMITIVES or not _is_implausible_repeated_block_primitive(entity):
            continue
        try:
            modelspace.delete_entity(entity)
        except Exception:  # noqa: BLE001 - as ezdwg: an entity that cannot be deleted stays
            continue
