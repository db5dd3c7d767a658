"""A layout's extents measured with each block once: the box ezdxf's own measure gives, in the drawing plane."""

from pathlib import Path

import ezdxf
import pytest
from ezdxf import bbox

from buildtrace_assets.engine.cad_extents import layout_extents
from buildtrace_assets.engine.dwg import convert_dwg

DRAWINGS = Path("/work/shared/data/drawings")
needs_drawings = pytest.mark.skipif(not DRAWINGS.is_dir(), reason="real drawings not available")


def plane(box: bbox.BoundingBox) -> tuple[float, ...]:
    return (box.extmin.x, box.extmin.y, box.extmax.x, box.extmax.y)


def drawing_with_blocks() -> ezdxf.document.Drawing:
    document = ezdxf.new()
    door = document.blocks.new("DOOR", base_point=(50, 0))
    door.add_line((0, 0), (900, 0))
    door.add_arc((0, 0), 900, 0, 90)
    door.add_attdef("TAG", (100, 100), dxfattribs={"height": 100})
    frame = document.blocks.new("FRAME")
    frame.add_blockref("DOOR", (0, 0), dxfattribs={"xscale": -2})  # mirrored and stretched inside another block
    model = document.modelspace()
    model.add_lwpolyline([(0, 0), (20000, 0), (20000, 8000), (0, 8000)], close=True)
    for column in range(5):
        reference = model.add_blockref("DOOR", (column * 4000 + 500, 500), dxfattribs={"xscale": 1.5})
        reference.add_auto_attribs({"TAG": f"D{column}"})
        model.add_text(f"ROOM {column}", height=150).set_placement((column * 4000 + 200, 3000))
    model.add_blockref("FRAME", (15000, 6000))
    model.add_circle((10000, 4000), 300)
    model.add_mtext("GENERAL NOTES APPLY", dxfattribs={"char_height": 250, "insert": (19500, 7900)})  # sticks out
    model.add_text("NORTH", height=400).set_placement((-600, 4000))  # beyond the frame on the left
    return document


def test_the_extents_are_those_ezdxf_measures_entity_by_entity():
    document = drawing_with_blocks()
    model = document.modelspace()
    assert plane(layout_extents(model, document)) == pytest.approx(plane(bbox.extents(model, fast=True)))


def test_a_rotated_reference_gives_a_box_around_its_contents():
    document = drawing_with_blocks()
    model = document.modelspace()
    model.add_blockref("DOOR", (30000, 0), dxfattribs={"rotation": 30})
    exact, measured = bbox.extents(model, fast=True), layout_extents(model, document)
    assert measured.extmin.x <= exact.extmin.x and measured.extmin.y <= exact.extmin.y
    assert measured.extmax.x >= exact.extmax.x and measured.extmax.y >= exact.extmax.y
    assert measured.size.x == pytest.approx(exact.size.x, rel=0.05)


def test_a_block_that_refers_to_itself_is_measured_once():
    document = drawing_with_blocks()
    before = plane(layout_extents(document.modelspace(), document))
    document.blocks.get("FRAME").add_blockref("FRAME", (10, 10))  # ezdxf's own measure would recurse without end
    assert plane(layout_extents(document.modelspace(), document)) == pytest.approx(before)


@needs_drawings
@pytest.mark.parametrize("name", ["dwg_entities_AC1018.dwg", "dwg_entities_AC1032.dwg"])
def test_a_real_dwg_model_space_measures_as_ezdxf_measures_it(name):
    _conversion, document = convert_dwg(DRAWINGS / name, min_share=0.0)
    model = document.modelspace()
    assert plane(layout_extents(model, document)) == pytest.approx(plane(bbox.extents(model, fast=True)))


@needs_drawings
def test_a_real_dxf_measures_as_ezdxf_measures_it():
    document = ezdxf.readfile(DRAWINGS / "curtainwall_details_4sheets.dxf")
    for layout in document.layouts:
        assert plane(layout_extents(layout, document)) == pytest.approx(plane(bbox.extents(layout, fast=True)))
