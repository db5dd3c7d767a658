"""ezdwg's series repairs run on a model space that bears their signature and only there, and its drop of implausible
primitives drops what ezdwg's own drops."""

from collections.abc import Callable
from typing import Any

import ezdxf
import pytest
from ezdwg import convert

from buildtrace_assets.engine.dwg_repairs import FRAME_REPAIRS, OPEN30, OPEN30_REPAIRS, repairs_where_signed


def spied(monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...]) -> list[str]:
    """ezdwg's repairs ``names`` replaced by ones that note their call, before the guards are put around them."""
    calls: list[str] = []
    for name in names:
        monkeypatch.setattr(convert, name, lambda *args, _name=name, **kwargs: calls.append(_name))
    return calls


def repaired(model: Callable[[Any], None], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The repairs that run on a model space drawn by ``model``."""
    document = ezdxf.new()
    model(document.modelspace())
    names = (*FRAME_REPAIRS, *OPEN30_REPAIRS)
    calls = spied(monkeypatch, names)
    with repairs_where_signed():
        for name in names:
            getattr(convert, name)(document.modelspace(), has_right_side_open30_i_proxies=False)
    return calls


def test_no_repair_runs_on_rooms_and_references_to_other_blocks(monkeypatch):
    def rooms(space: Any) -> None:
        document = space.doc
        document.blocks.new("DOOR").add_line((0, 0), (900, 0))
        for index in range(50):
            space.add_lwpolyline([(index * 5000, 0), (index * 5000 + 4800, 0), (index * 5000 + 4800, 3800)])
            space.add_lwpolyline([(0, 0), (9000, 0), (9000, 9000), (0, 9000)], close=True)
            space.add_blockref("DOOR", (index * 5000, 0))

    assert repaired(rooms, monkeypatch) == []


def test_the_frame_repairs_run_where_a_rectangle_is_as_large_as_their_frames(monkeypatch):
    def sheet(width: float, height: float) -> Callable[[Any], None]:
        return lambda space: space.add_lwpolyline([(0, 0), (width, 0), (width, height), (0, height)], close=True)

    assert repaired(sheet(20000, 14000), monkeypatch) == list(FRAME_REPAIRS)
    assert repaired(sheet(12000, 10000), monkeypatch) == ["_restore_known_layout_frame_polylines"]
    assert repaired(sheet(30000, 9999), monkeypatch) == []


def test_the_open30_repairs_run_where_the_block_is_referenced_by_its_name_as_ezdwg_reads_it(monkeypatch):
    def sheets(name: str) -> Callable[[Any], None]:
        def model(space: Any) -> None:
            space.doc.blocks.new(name).add_line((0, 0), (1, 0))
            space.add_blockref(name, (0, 0))

        return model

    assert repaired(sheets(f"{OPEN30} "), monkeypatch) == list(OPEN30_REPAIRS)
    assert repaired(sheets("_OPEN30"), monkeypatch) == []


def test_implausible_primitives_are_dropped_as_ezdwg_drops_them():
    def model() -> Any:
        document = ezdxf.new()
        space = document.modelspace()
        space.add_arc((0, 0), 1e-7, 0, 90)  # a degenerate arc: implausible
        space.add_arc((0, 0), 5, 0, 90)
        space.add_lwpolyline([(0, 0), (20000, 0)])  # anchored at the origin, reaching far: implausible
        space.add_lwpolyline([(0, 0), (200, 0)])
        space.add_line((0, 0), (0, 0))
        space.add_circle((0, 0), 1e-7)
        return space

    own = model()
    convert._drop_implausible_modelspace_primitives(own)
    cheap = model()
    with repairs_where_signed():
        convert._drop_implausible_modelspace_primitives(cheap)
    kept = [(entity.dxftype(), entity.dxf.handle) for entity in cheap]
    assert kept == [(entity.dxftype(), entity.dxf.handle) for entity in own]
    assert [kind for kind, _handle in kept] == ["ARC", "LWPOLYLINE", "LINE", "CIRCLE"]
