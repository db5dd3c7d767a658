"""Where the zoomable sheet draws regions: in points on the new sheet, through the inverse alignment on the old."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from buildtrace_assets.engine.legend import KIND_COLOURS
from portal.zoom import outlines, picture_source, to_old_sheet, zoom_width
from tests.portal.support import png_bytes

SHIFTED_HALF_SIZE = [[0.5, 0.0, 10.0], [0.0, 0.5, 20.0]]
"""Old points to new: the new sheet is the old one re-plotted at half size and shifted by (10, 20) pt."""


def test_a_new_sheet_box_maps_back_onto_the_old_sheet() -> None:
    assert to_old_sheet([60.0, 70.0, 110.0, 120.0], SHIFTED_HALF_SIZE) == pytest.approx([100.0, 100.0, 200.0, 200.0])


def test_a_rotated_alignment_gives_the_bounds_of_the_turned_box() -> None:
    quarter_turn = [[0.0, -1.0, 100.0], [1.0, 0.0, 0.0]]

    assert to_old_sheet([90.0, 10.0, 100.0, 30.0], quarter_turn) == pytest.approx([10.0, 0.0, 30.0, 10.0])


def test_a_moved_block_is_drawn_from_its_old_outline_to_its_new_one_on_the_new_sheet() -> None:
    moved = {"id": "A-1", "kind": "moved", "bbox": [222, 105, 262, 115], "from_bbox": [114, 105, 154, 115]}

    assert outlines([moved]) == [
        {
            "id": "A-1",
            "colour": KIND_COLOURS["moved"].hex,
            "bbox": [222, 105, 262, 115],
            "from_bbox": [114, 105, 154, 115],
        }
    ]


def test_on_the_old_sheet_a_moved_block_is_drawn_where_it_was() -> None:
    moved = {"id": "A-1", "kind": "moved", "bbox": [222, 105, 262, 115], "from_bbox": [60, 70, 110, 120]}

    assert outlines([moved], SHIFTED_HALF_SIZE)[0]["bbox"] == pytest.approx([100.0, 100.0, 200.0, 200.0])


def test_an_arch_d_sheet_is_sent_at_the_pipelines_150_dpi() -> None:
    assert zoom_width(36 * 72) == 5400
    assert zoom_width(96 * 72) == 8000, "never more than the cap"


def test_without_a_portal_session_cookie_the_picture_is_sent_whole_as_a_data_url() -> None:
    """A person signed in through the identity provider has no cookie for the tile route to check."""
    image, tiles = picture_source(png_bytes(), "job-1", tiled=False)

    assert tiles is None
    assert Image.open(io.BytesIO(base64.b64decode(image.split(",", 1)[1]))).size == (300, 200)
