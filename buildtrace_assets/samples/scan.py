"""Rasters: simulated scans (blurred, speckled, JPEG-compressed) and clean raster exports, with no text layer.

The scanner's skew is folded into the page's re-plot transform before
drawing (see ``scan_skew``), so the truth stays exact while the image still
looks like a crooked scan. A side of a pair can be an image-only PDF or a PNG
that records its DPI (a 300-dpi scan against a 150-dpi export).
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import pymupdf
from PIL import Image

from buildtrace_assets.samples.render import draw_sheet, rasterize_gray, save_atomically
from buildtrace_assets.samples.replot import Replot
from buildtrace_assets.samples.sheet import Sheet

SCAN_DPI = 200
JPEG_QUALITY = 70


@dataclass(frozen=True)
class Raster:
    """How one side of a pair is turned into pixels."""

    dpi: int = SCAN_DPI
    noisy: bool = True
    """A scan (grey paper, soft ink, sensor noise, JPEG) rather than a clean raster export."""
    format: Literal["pdf", "png"] = "pdf"
    """An image-only PDF (any number of pages) or a one-page PNG recording its DPI."""


SCAN = Raster()


def scan_skew(rng: random.Random) -> Replot:
    """How far a sheet sits off square on the scanner glass: a few points and up to half a degree."""
    return Replot(dx=rng.uniform(-6, 6), dy=rng.uniform(-6, 6), angle_deg=rng.uniform(-0.5, 0.5))


def raster_image(
    sheet: Sheet, matrix: pymupdf.Matrix, paper: tuple[float, float], seed: int, raster: Raster = SCAN
) -> np.ndarray:
    """The sheet plotted on ``paper`` as pixels (``uint8``, 2-D): a clean export, or as a scanner sees it."""
    doc = pymupdf.open()
    page = doc.new_page(width=paper[0], height=paper[1])
    draw_sheet(page, sheet, matrix)
    image = rasterize_gray(page, raster.dpi)
    doc.close()
    if not raster.noisy:
        return image
    soft = cv2.GaussianBlur(image, (0, 0), 0.8 * raster.dpi / SCAN_DPI)
    # paper is not white and toner is not black
    toned = cv2.convertScaleAbs(soft, alpha=(238 - 35) / 255, beta=35)
    noise = np.empty(toned.shape, np.int16)
    cv2.setRNGSeed(seed)
    cv2.randn(noise, 0, 7)
    return cv2.add(toned, noise, dtype=cv2.CV_8U)


def encode(image: np.ndarray, raster: Raster) -> bytes:
    """JPEG for scans (what scanners write), lossless PNG recording its DPI for clean exports."""
    if raster.format == "png" or not raster.noisy:
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG", dpi=(raster.dpi, raster.dpi))
        return buffer.getvalue()
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()


def write_raster(
    path: Path,
    sheets: Sequence[Sheet],
    matrices: Sequence[pymupdf.Matrix],
    papers: Sequence[tuple[float, float]],
    seed: int,
    raster: Raster = SCAN,
) -> None:
    """An image-only PDF, one raster page per sheet at its paper's size, or a PNG of the one sheet."""
    pages = zip(sheets, matrices, papers, strict=True)
    if raster.format == "png":
        if len(sheets) != 1:
            raise ValueError(f"a PNG holds one sheet, not {len(sheets)}")
        ((sheet, matrix, paper),) = pages
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(encode(raster_image(sheet, matrix, paper, seed * 1000, raster), raster))
        partial.replace(path)
        return
    doc = pymupdf.open()
    for n, (sheet, matrix, paper) in enumerate(pages):
        page = doc.new_page(width=paper[0], height=paper[1])
        page.insert_image(page.rect, stream=encode(raster_image(sheet, matrix, paper, seed * 1000 + n, raster), raster))
    save_atomically(doc, path)
