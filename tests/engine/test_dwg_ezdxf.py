"""The conversion's cheap ezdxf paths give the DXF that ezdxf's own code gives: the same entities, handles, layouts
and DXF tags, and so the same drawing."""

import itertools
import re
from contextlib import nullcontext
from pathlib import Path

import pytest
from ezdxf.document import Drawing
from ezdxf.lldxf.tagwriter import TagCollector
from fixtures.dwg import model_dwg, nested_blocks_dwg, sheet_dwg

from bench.dwg import write_plan
from buildtrace_assets.engine import dwg, dwg_ezdwg, dwg_ezdxf, dwg_repairs, dwg_writer
from buildtrace_assets.engine.cad_extents import layout_extents
from buildtrace_assets.engine.dwg import convert_dwg

DRAWINGS = Path("/work/shared/data/drawings")
needs_drawings = pytest.mark.skipif(not DRAWINGS.is_dir(), reason="real drawings not available")
VOLATILE = {"$TDCREATE", "$TDUCREATE", "$TDUPDATE", "$TDUUPDATE", "$FINGERPRINTGUID", "$VERSIONGUID"}
"""Header variables that differ between any two documents: creation and update times, random identifiers."""
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.\d]*[+\d:]*")
"""A time of creation as ezdxf notes it in its own variables (``1.4.5 @ 2026-12-07T17:31:41.78+00:00``)."""


def tags(entity: object, document: Drawing) -> list[tuple[int, object]]:
    collector = TagCollector(dxfversion=document.dxfversion)
    entity.export_dxf(collector)  # type: ignore[attr-defined]
    return [
        (tag.code, TIME.sub("<time>", tag.value) if isinstance(tag.value, str) else tag.value) for tag in collector.tags
    ]


def contents(document: Drawing) -> dict[str, object]:
    """Everything the DXF holds, in a form two conversions can be compared by: each entity's DXF tags by handle,
    each layout's and block's entities in order, the header but its times and random identifiers."""
    return {
        "entities": {handle: tags(entity, document) for handle, entity in document.entitydb.items()},
        "layouts": {layout.name: [entity.dxf.handle for entity in layout] for layout in document.layouts},
        "blocks": {block.name: [entity.dxf.handle for entity in block] for block in document.blocks},
        "header": {key: document.header[key] for key in document.header.varnames() if key not in VOLATILE},
    }


def both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Drawing, Drawing]:
    """``path`` converted with the cheap paths and this module's writers, then with ezdwg's and ezdxf's own code
    (its decoders, its repairs, its decoded entities kept whole)."""
    _, cheap = convert_dwg(path, min_share=0.0)
    with monkeypatch.context() as patched:
        patched.setattr(dwg_ezdxf, "cheap_entities", nullcontext)
        patched.setattr(dwg_ezdwg, "cheap_decoding", nullcontext)
        patched.setattr(dwg_repairs, "repairs_where_signed", nullcontext)
        patched.setattr(dwg, "_free_decoded", lambda entity: None)
        patched.setattr(dwg_writer, "WRITERS", {})
        _, own = convert_dwg(path, min_share=0.0)
    return cheap, own


def assert_same(cheap: Drawing, own: Drawing) -> None:
    cheap_contents, own_contents = contents(cheap), contents(own)
    assert cheap_contents["layouts"] == own_contents["layouts"]
    assert cheap_contents["blocks"] == own_contents["blocks"]
    assert cheap_contents["header"] == own_contents["header"]
    cheap_entities, own_entities = cheap_contents["entities"], own_contents["entities"]
    assert isinstance(cheap_entities, dict) and isinstance(own_entities, dict)
    assert cheap_entities.keys() == own_entities.keys()
    differing = [handle for handle in own_entities if cheap_entities[handle] != own_entities[handle]]
    assert not differing, (differing[:5], [own.entitydb[handle].dxftype() for handle in differing[:5]])
    for layout in own.layouts:
        box, own_box = layout_extents(cheap.layouts.get(layout.name), cheap), layout_extents(layout, own)
        assert (box.extmin, box.extmax) == (own_box.extmin, own_box.extmax)


@needs_drawings
@pytest.mark.parametrize("name", ["dwg_entities_AC1018.dwg", "dwg_entities_AC1032.dwg"])
def test_the_real_drawings_convert_to_the_same_dxf_as_through_ezdxfs_own_code(name, monkeypatch):
    assert_same(*both_ways(DRAWINGS / name, monkeypatch))


def test_a_sheet_with_a_title_block_converts_to_the_same_dxf(tmp_path, monkeypatch):
    assert_same(*both_ways(sheet_dwg(tmp_path / "sheet.dwg"), monkeypatch))


def test_model_space_and_nested_blocks_convert_to_the_same_dxf(tmp_path, monkeypatch):
    assert_same(*both_ways(model_dwg(tmp_path / "model.dwg"), monkeypatch))
    assert_same(*both_ways(nested_blocks_dwg(tmp_path / "nested.dwg", depth=3, fanout=3), monkeypatch))


def test_the_benchs_floor_plan_converts_to_the_same_dxf(tmp_path, monkeypatch):
    cheap, own = both_ways(write_plan(tmp_path / "plan.dwg", rooms=60), monkeypatch)
    assert len(own.modelspace()) == 60 * 7  # its rooms' entities, the attributes with their block references
    assert_same(cheap, own)


def test_a_drawing_bearing_the_series_signatures_ezdwg_repairs_converts_to_the_same_dxf(tmp_path, monkeypatch):
    """Paper frames of the sizes ezdwg's frame repairs look for, and references to ``_Open30``: the repairs run."""
    import ezdwg

    drawing = ezdwg.new()
    model = drawing.modelspace()
    sheet = drawing.blocks.new("_Open30")
    sheet.add_line((0, 0), (100, 0))
    for index in range(6):
        x = index * 42000.0
        model.add_lwpolyline([(x, 0), (x + 41000, 0), (x + 41000, 29000), (x, 29000)], closed=True)
        model.add_lwpolyline([(x + 500, 1500), (x + 20500, 1500), (x + 20500, 17200), (x + 500, 17200)], closed=True)
        model.add_blockref("_Open30", (x, 0))
        model.add_line((x, 0), (x + 300, 300))
    path = tmp_path / "series.dwg"
    drawing.save(str(path))
    cheap, own = both_ways(path, monkeypatch)
    assert len(own.modelspace()) >= 6 * 4
    assert_same(cheap, own)


def test_the_cheap_paths_last_only_as_long_as_the_conversion(tmp_path):
    from ezdwg import convert, document, raw
    from ezdxf import query
    from ezdxf.entities import factory
    from ezdxf.entities.dxfns import DXFNamespace

    def patched() -> tuple[object, ...]:
        ezdwg_functions = [getattr(raw, name) for name in dwg_ezdwg.REPEATED_DECODERS]
        repairs = [getattr(convert, name) for name in (*dwg_repairs.FRAME_REPAIRS, *dwg_repairs.OPEN30_REPAIRS)]
        ezdwg_functions += [document._attach_entity_color, document._canonical_entity_type_name, *repairs]
        ezdwg_functions += [convert._drop_implausible_modelspace_primitives, convert._populate_block_definitions]
        ezdwg_functions.append(document._entity_handles_by_type_name)
        return (factory.create_db_entry, query.entity_matcher, DXFNamespace.__setattr__, *ezdwg_functions)

    before = patched()
    convert_dwg(model_dwg(tmp_path / "model.dwg"), min_share=0.0)
    assert patched() == before


def test_nothing_decoded_outlives_the_conversion_and_the_document_is_not_left_young(tmp_path):
    """The decoded DWG is freed as the conversion ends, without waiting for the cycle collector (ezdxf's query parser
    would have kept the converter's frames, and every decoded entity in them, in a reference cycle); the document is
    moved among the old objects rather than left for the next young collection to walk."""
    import gc

    from ezdwg.entity import Entity

    plan = write_plan(tmp_path / "plan.dwg", rooms=60)
    gc.collect()
    gc.disable()
    try:
        _, document = convert_dwg(plan, min_share=0.0)
        young = gc.get_objects(generation=0)
        decoded = [thing for thing in gc.get_objects() if isinstance(thing, Entity)]
    finally:
        gc.enable()
    assert len(document.modelspace()) == 60 * 7
    assert not decoded
    assert len(young) < 100


def test_an_entitys_layer_and_colors_are_chosen_as_the_converter_chooses_them_whatever_the_values():
    from ezdwg.convert import _entity_dxfattribs

    from buildtrace_assets.engine.dwg_writer import _attributes

    layers = {1: "WALLS", 2: "", 3: 5}
    colors = [None, 0, 7, 256, 257, 300, -1, "3", "x", 2.5]
    true_colors = [None, 0, 0x1FFFFFF, "x"]
    for layer, color, resolved_color, true_color, resolved_true_color in itertools.product(
        [None, 1, 2, 3, "1", "x", 9], colors, colors, true_colors, true_colors
    ):
        dxf = {
            "layer_handle": layer,
            "color_index": color,
            "resolved_color_index": resolved_color,
            "true_color": true_color,
            "resolved_true_color": resolved_true_color,
        }
        for names in (layers, None):
            expected = _entity_dxfattribs(dxf, layer_name_by_handle=names)
            assert _attributes(dxf, {"layer_name_by_handle": names}) == expected, dxf


def test_a_texts_plausibility_is_judged_as_the_converter_judges_it():
    from ezdwg._convert_geometry_filter import _is_plausible_text_content

    from buildtrace_assets.engine.dwg_writer import _plausible_text

    texts = ["", "ROOM 12", "A" * 512, "A" * 513, "line\\Pbreak", "tab\there", "new\nline", "bell\x07", "\x00" * 4]
    texts += ["Ø 12", "説明", "\ufffd\ufffd", "\ue000 private", "x\x7f", " " * 600, "~!@#$%^&*()_+{}|:<>?"]
    for text in texts:
        assert _plausible_text(text) == _is_plausible_text_content(text), repr(text)


def test_a_block_references_attributes_are_added_as_the_converter_adds_them():
    import ezdxf
    from ezdwg.convert import _write_insert_attributes

    from buildtrace_assets.engine.dwg_writer import _insert_attributes

    attributes = [
        {"tag": " TAG ", "text": "D1", "insert": (1.0, 2.0, 0.0), "height": 2.5, "rotation": "x", "color_index": 3},
        {"tag": "NO_TEXT", "text": None, "insert": (0.0, 0.0, 0.0), "height": "2", "true_color": 0x102030},
        {"tag": "  ", "text": "blank tag"},
        {"tag": 7, "text": "not a tag"},
        "not an attribute",
        {"tag": "BAD_POINT", "text": "x", "insert": "nowhere"},
        {"tag": "NO_POINT", "text": "y", "resolved_color_index": 5, "resolved_true_color": 0x0A0B0C},
    ]

    def added(add: object) -> list[list[tuple[int, object]]]:
        document = ezdxf.new()
        document.blocks.new("B")
        reference = document.modelspace().add_blockref("B", (0, 0))
        add(reference, [dict(attribute) if isinstance(attribute, dict) else attribute for attribute in attributes])  # type: ignore[operator]
        return [tags(attrib, document) for attrib in reference.attribs]

    assert added(_insert_attributes) == added(_write_insert_attributes)
    assert len(added(_insert_attributes)) == 3
