"""ezdwg's decoders answered once and its colors attached with tables looked up once give the entities ezdwg's own
code gives, and last only as long as the conversion."""

from pathlib import Path

import ezdwg
import pytest
from fixtures.dwg import model_dwg, sheet_dwg

from bench.dwg import write_plan
from buildtrace_assets.engine.dwg_ezdwg import REPEATED_DECODERS, cheap_decoding

DRAWINGS = Path("/work/shared/data/drawings")
needs_drawings = pytest.mark.skipif(not DRAWINGS.is_dir(), reason="real drawings not available")


def decoded(path: Path) -> list[tuple[str, int, dict[str, object]]]:
    """Every entity of the file as ezdwg decodes it, twice over (the second time from what the first decoded)."""
    ezdwg.clear_decode_caches()
    document = ezdwg.read(str(path))
    entities = [(entity.dxftype, entity.handle, entity.dxf) for entity in document.entities().query()]
    again = [(entity.dxftype, entity.handle, entity.dxf) for entity in document.entities().query()]
    assert again == entities
    ezdwg.clear_decode_caches()
    return entities


def assert_decoded_alike(path: Path) -> None:
    own = decoded(path)
    with cheap_decoding():
        cheap = decoded(path)
    assert cheap == own
    assert [list(data) for _type, _handle, data in cheap] == [list(data) for _type, _handle, data in own]  # key order


@needs_drawings
@pytest.mark.parametrize("name", ["dwg_entities_AC1018.dwg", "dwg_entities_AC1032.dwg"])
def test_the_real_drawings_decode_to_the_same_entities(name):
    assert_decoded_alike(DRAWINGS / name)


def test_a_sheet_a_model_and_a_plan_decode_to_the_same_entities(tmp_path):
    assert_decoded_alike(sheet_dwg(tmp_path / "sheet.dwg"))
    assert_decoded_alike(model_dwg(tmp_path / "model.dwg"))
    assert_decoded_alike(write_plan(tmp_path / "plan.dwg", rooms=20))


def test_a_repeated_decode_is_a_copy_of_the_first_and_the_decoders_are_ezdwgs_again_after(tmp_path):
    from ezdwg import convert, document, raw

    path = str(model_dwg(tmp_path / "model.dwg"))

    def patched() -> tuple[object, ...]:
        decoders = [getattr(raw, name) for name in REPEATED_DECODERS]
        helpers = [document._attach_entity_color, document._canonical_entity_type_name]
        return (*decoders, *helpers, document._entity_handles_by_type_name, convert._populate_block_definitions)

    before = patched()
    original_headers = raw.list_object_headers_with_type
    with cheap_decoding():
        first = raw.list_object_headers_with_type(path)
        first.clear()
        assert raw.list_object_headers_with_type(path) == original_headers(path) != []
    assert patched() == before


def test_what_was_decoded_is_dropped_once_the_block_definitions_are_filled(tmp_path):
    from ezdwg import convert, raw

    path = str(model_dwg(tmp_path / "model.dwg"))
    with cheap_decoding():
        first, again = raw.list_object_headers_with_type(path), raw.list_object_headers_with_type(path)
        assert first[0] is again[0]
        convert._populate_block_definitions(None, None, reference_entities=[])  # nothing to fill: returns at once
        anew = raw.list_object_headers_with_type(path)
        assert anew == first and anew[0] is not first[0]


def test_the_handles_of_each_type_are_ezdwgs_whatever_the_type_asked_about(tmp_path):
    from ezdwg import document

    path = str(sheet_dwg(tmp_path / "sheet.dwg"))
    types = ["BLOCK_HEADER", "BLOCK", "ENDBLK", " line ", "ATTRIB", "LWPOLYLINE", "VIEWPORT", "NONE", ""]
    own = [document._entity_handles_by_type_name.__wrapped__(path, name) for name in types]
    with cheap_decoding():
        assert [document._entity_handles_by_type_name(path, name) for name in types] == own
    assert all(own[:3]) and own[-2:] == [(), ()]
