"""Sheet images for the review page, downscaled once and cached.

A full ARCH D sheet at the pipeline's resolution is millions of pixels; the
browser needs a screen-sized copy. Each image is fetched from blob storage,
reduced to the display width and PNG-encoded once per server
(``st.cache_data``, keyed by storage URL, key and width), so paging through a
review never repeats the decode. Old and new sheets are rendered from the
uploaded file through the engine's sandboxed loader at just the display
resolution, which is cheaper than scaling a full-resolution raster; the
sheet's size in points comes from the pipeline's document analysis, so the
default overlay view renders nothing at all.
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
import streamlit as st
from PIL import Image

from buildtrace_assets.engine.documents import open_document
from buildtrace_assets.storage import open_storage

CACHE_ENTRIES = 64
CROP_WIDTH = 360
"""How wide the change list shows a before/after crop."""
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class SheetImage:
    """A display-sized PNG of a sheet and the sheet's size in PDF points."""

    png: bytes
    width_pt: float
    height_pt: float


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _fit_width(image: Image.Image, width: int) -> Image.Image:
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS if image.width > width else Image.Resampling.BICUBIC)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def stored_image(storage_url: str, key: str, width: int) -> bytes:
    """The stored image (an overlay or a crop) as a PNG ``width`` pixels wide, at most its own width.

    The engine stores palette PNGs, and Pillow resizes a palette image by nearest neighbour whatever filter is
    asked for: a wide crop shrunk that way loses rows and columns of its one-pixel outline and of the drawing's
    thin lines, so the box looks shifted and broken. Shrunk images are converted to RGB first.
    """
    image = Image.open(io.BytesIO(open_storage(storage_url).get_bytes(key)))
    image.load()
    return _png(image if image.width <= width else _fit_width(image.convert("RGB"), width))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def sheet_image(storage_url: str, key: str, page: int, width: int) -> SheetImage:
    """Page ``page`` of the uploaded drawing stored under ``key``, rendered ``width`` pixels wide."""
    with tempfile.TemporaryDirectory(prefix="buildtrace-portal-") as folder:
        local = open_storage(storage_url).download(key, PurePath(folder, PurePath(key).name))
        with open_document(local) as document:
            info = document.pages[page]
            raster = document.render(page, dpi=width * POINTS_PER_INCH / info.width_pt)
    return SheetImage(
        png=_png(_fit_width(Image.fromarray(np.asarray(raster)), width)),
        width_pt=info.width_pt,
        height_pt=info.height_pt,
    )


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def analysed_page_size(storage_url: str, analysis_key: str, page: int) -> tuple[float, float]:
    """A page's size in points from the pipeline's document analysis, without rendering anything."""
    analysis = json.loads(open_storage(storage_url).get_bytes(analysis_key))
    size = analysis["pages"][page]
    return float(size["width_pt"]), float(size["height_pt"])


def as_image(png: bytes) -> Image.Image:
    """A PNG as an RGB image, the form the canvas background takes."""
    return Image.open(io.BytesIO(png)).convert("RGB")


def blend_png(base_png: bytes, top_png: bytes, opacity: float) -> bytes:
    """:func:`blend` as a PNG, the form the zoomable sheet takes."""
    return _png(blend(base_png, top_png, opacity))


def blend(base_png: bytes, top_png: bytes, opacity: float) -> Image.Image:
    """``top`` over ``base`` at ``opacity`` (0 shows only the base), at the base's size."""
    base, top = as_image(base_png), as_image(top_png)
    if top.size != base.size:
        top = top.resize(base.size, Image.Resampling.BILINEAR)
    return Image.blend(base, top, max(0.0, min(1.0, opacity)))
