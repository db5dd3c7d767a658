"""The review's zoomable sheet: a full-resolution picture with its change regions, and which region is selected.

An ARCH D sheet (36 × 24 in) squeezed into a 1000 px canvas cannot be read,
so the sheet is shown at the pipeline's resolution (``BUILDTRACE_DPI``, 150
by default: 5400 × 3600 px for ARCH D) by a small custom component
(``components/sheet_zoom/index.html``, plain JavaScript, no build) that
zooms with the wheel or buttons, pans by dragging and keeps the region
outlines one screen pixel thick at any zoom. Clicking a region selects it in
the change list; selecting a change in the list zooms the sheet to it.

The picture is not sent through the page: it is published as a tile pyramid
(:mod:`portal.tiles`) served by the portal's own authenticated route
(:mod:`portal.tile_route`), so the browser loads a preview first and
full-resolution tiles only where the person zooms. A person signed in
through the identity provider has no portal session cookie for that route to
check; their sheet is sent whole, as before.

Regions are in new-sheet points. On the old sheet they are drawn through the
inverse of the sheet's alignment (old → new points), so they fall on the
old drawing's features, not where the new sheet has them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st
from streamlit.components.v1 import declare_component
from streamlit.components.v1.custom_component import CustomComponent

from buildtrace_assets.config import get_settings
from buildtrace_assets.engine.legend import KIND_COLOURS
from portal.tile_route import tiles_url
from portal.tiles import STORE, TILE_PX

COMPONENT_DIR = Path(__file__).with_name("components") / "sheet_zoom"
VIEWER_HEIGHT_PX = 560
"""The sheet's height until the viewer has measured the window: it then takes the height left below its top, so
it and its toolbar fit the window (a 1440 × 900 one too, measured by tests/portal/test_browser_review.py)."""
TOOLBAR_HEIGHT_PX = 40
"""The viewer's button bar above the sheet; the change list beside it is as tall as both."""
MAX_WIDTH_PX = 8000
"""An ARCH E sheet (48 in) at 150 dpi is 7200 px; beyond this the picture's bytes outgrow what a page should load."""
POINTS_PER_INCH = 72.0
_SELECTED = "zoom-selected-{}"
_SEEN = "zoom-seen-{}"
"""How many clicks on regions of a viewer the page has acted on."""


@cache
def _component() -> CustomComponent:
    return declare_component("sheet_zoom", path=str(COMPONENT_DIR))


def zoom_width(width_pt: float) -> int:
    """Pixels across a sheet ``width_pt`` points wide at the pipeline's resolution, at most :data:`MAX_WIDTH_PX`."""
    return min(MAX_WIDTH_PX, round(width_pt * get_settings().dpi / POINTS_PER_INCH))


def to_old_sheet(bbox: Sequence[float], matrix: Sequence[Sequence[float]]) -> list[float]:
    """A new-sheet box in old-sheet points: the bounds of its corners through the inverse alignment."""
    forward = np.array([list(matrix[0]), list(matrix[1]), [0.0, 0.0, 1.0]], dtype=float)
    inverse = np.linalg.inv(forward)
    x0, y0, x1, y1 = bbox
    corners = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x0, y1, 1.0], [x1, y1, 1.0]]) @ inverse.T
    return [
        round(float(corners[:, 0].min()), 2),
        round(float(corners[:, 1].min()), 2),
        round(float(corners[:, 0].max()), 2),
        round(float(corners[:, 1].max()), 2),
    ]


def outlines(
    regions: Iterable[Mapping[str, Any]], matrix: Sequence[Sequence[float]] | None = None
) -> list[dict[str, Any]]:
    """What the component draws for each region: id, colour, box (and where a moved block came from).

    With ``matrix`` (the old sheet is shown) every box goes through :func:`to_old_sheet`; a moved block is then
    drawn where it was, its old position, with no arrow.
    """
    drawn = []
    for region in regions:
        colour = KIND_COLOURS[region["kind"]].hex if region["kind"] in KIND_COLOURS else "#7f7f7f"
        if matrix is not None:
            source = region.get("from_bbox") or region["bbox"]
            drawn.append({"id": region["id"], "colour": colour, "bbox": to_old_sheet(source, matrix)})
            continue
        outline = {"id": region["id"], "colour": colour, "bbox": list(region["bbox"])}
        if region.get("from_bbox"):
            outline["from_bbox"] = list(region["from_bbox"])
        drawn.append(outline)
    return drawn


def selected(sheet: str) -> str | None:
    """The region selected on this sheet, by a click on the sheet or in the change list."""
    return st.session_state.get(_SELECTED.format(sheet))


def select(sheet: str, region_id: str) -> None:
    """Select a region (the sheet zooms to it on the next run)."""
    st.session_state[_SELECTED.format(sheet)] = region_id


def picture_source(png: bytes, job_id: str, tiled: bool) -> tuple[str, dict[str, Any] | None]:
    """The ``src`` the viewer loads first, and where its tiles are (None: the picture is sent whole).

    Tiled, the ``src`` is the pyramid's preview URL; the tile description gives the full size, the tile side, the
    preview's width and the number of levels with more detail than it.
    """
    if not tiled:
        return "data:image/png;base64," + base64.b64encode(png).decode(), None
    pyramid = STORE.publish(png, job_id)
    url = tiles_url(pyramid.token)
    fields = asdict(pyramid)
    del fields["token"], fields["job_id"]
    return f"{url}/preview.png", {"url": url, "tile": TILE_PX, **fields}


def _reported(key: str) -> dict[str, Any]:
    value = st.session_state.get(key)
    return value if isinstance(value, dict) else {}


def viewer_height(key: str) -> int:
    """The height of the sheet in viewer ``key``: what it measured the window leaves it, else the default."""
    height = _reported(key).get("height")
    return int(height) if isinstance(height, int | float) and height > 0 else VIEWER_HEIGHT_PX


def sheet_zoom(
    png: bytes,
    width_pt: float,
    sheet: str,
    drawn: list[dict[str, Any]],
    key: str,
    *,
    job_id: str,
    tiled: bool,
) -> None:
    """Show the zoomable sheet; a region clicked on it becomes :func:`selected` before anything below is drawn.

    ``tiled`` when the browser holds a portal session cookie, which the tile route checks against job ``job_id``.
    """
    reported = _reported(key)
    clicks = reported.get("clicks") or 0
    if reported.get("clicked") and clicks != st.session_state.get(_SEEN.format(key), 0):
        st.session_state[_SEEN.format(key)] = clicks
        select(sheet, str(reported["clicked"]))
    image, tiles = picture_source(png, job_id, tiled)
    _component()(
        image=image,
        tiles=tiles,
        width_pt=width_pt,
        regions=drawn,
        selected=selected(sheet),
        height=viewer_height(key),
        key=key,
        default=None,
    )
