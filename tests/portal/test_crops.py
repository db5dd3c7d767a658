"""The before/after crops as the change list shows them: the outline where the change's bbox is, unbroken.

The engine cuts and outlines a wide added wall (its crop is far wider than the
list's 360 px); the portal shrinks the stored palette PNG. Shrunk by nearest
neighbour (Pillow's only filter for palette images) the one-pixel outline
vanished in places and the drawing's thin frames were cut.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from buildtrace_assets.engine.overlay import CROP_MARGIN_PT, CROP_MAX_SIDE_PX, CROP_MIN_DPI, OUTLINE_PAD_PT
from buildtrace_assets.storage import open_storage
from portal.images import CROP_WIDTH, stored_image
from tests.portal.support import compare_pair

COMPARED_AT_DPI = 100  # what support.compare_pair runs the engine at


def _sheet(with_wall: bool) -> bytes:
    document = pymupdf.open()
    page = document.new_page(width=792, height=612)
    page.draw_rect(pymupdf.Rect(18, 18, 774, 594), width=1.5)
    page.draw_line(pymupdf.Point(72, 150), pymupdf.Point(700, 150), width=2)
    page.insert_text(pymupdf.Point(72, 100), "LEVEL 2 PLAN", fontsize=14)
    if with_wall:
        page.draw_rect(pymupdf.Rect(120, 300, 620, 312), width=1.5)
    data = document.tobytes()
    document.close()
    return data


def _green(pixels: np.ndarray) -> np.ndarray:
    red, green, blue = (pixels[..., channel].astype(int) for channel in range(3))
    return (green > red + 30) & (green > blue + 30)


def test_the_after_crop_shown_in_the_list_outlines_the_changes_bbox_exactly(tmp_path: Path) -> None:
    pair = compare_pair(tmp_path, (_sheet(False), _sheet(True)))
    document = json.loads((pair.out_dir / "changes.json").read_text())
    [change] = [c for sheet in document["sheets"] for c in sheet["changes"] if c["kind"] == "added"]
    storage = open_storage(pair.out_dir.as_uri())
    stored = Image.open(io.BytesIO(storage.get_bytes(change["crops"]["new"])))
    assert stored.width > CROP_WIDTH, "the crop is shrunk for the list"

    shown = np.asarray(
        Image.open(io.BytesIO(stored_image(storage.url, change["crops"]["new"], CROP_WIDTH))).convert("RGB")
    )

    px_per_pt = COMPARED_AT_DPI / 72
    x0, y0, x1, y1 = change["bbox"]
    margin = max(CROP_MARGIN_PT, 0.25 * max(x1 - x0, y1 - y0))
    window_left = max(0, int((x0 - margin) * px_per_pt))  # the wall starts near the sheet's edge
    window_top = max(0, int((y0 - margin) * px_per_pt))
    window_width = int(np.ceil((x1 + margin) * px_per_pt)) - window_left
    enlarged = min(CROP_MIN_DPI / COMPARED_AT_DPI, CROP_MAX_SIDE_PX / window_width)
    assert stored.width == round(window_width * enlarged)
    to_shown = enlarged * CROP_WIDTH / stored.width
    expected = [
        ((x0 - OUTLINE_PAD_PT) * px_per_pt - window_left) * to_shown,
        ((y0 - OUTLINE_PAD_PT) * px_per_pt - window_top) * to_shown,
        ((x1 + OUTLINE_PAD_PT) * px_per_pt - window_left) * to_shown,
        ((y1 + OUTLINE_PAD_PT) * px_per_pt - window_top) * to_shown,
    ]
    rows, columns = np.nonzero(_green(shown))
    found = [columns.min(), rows.min(), columns.max(), rows.max()]
    assert found == pytest.approx(expected, abs=1.5), "within the blur of a shrunk two-pixel line"
    left, top, right, bottom = found
    for side in (shown[top, left : right + 1], shown[bottom, left : right + 1]):
        assert _green(side).mean() > 0.9, "the outline's long sides are unbroken"
