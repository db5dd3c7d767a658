"""Simulated scans: a plotted sheet rasterized, blurred, speckled and JPEG-compressed, with no text layer.

The scanner's skew is folded into the page's re-plot transform before
drawing (see ``SCAN_SKEW``), so the truth stays exact while the image still
looks like a crooked scan.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pymupdf

from buildtrace_assets.samples.render import draw_sheet, rasterize_gray, save_atomically
from buildtrace_assets.samples.replot import Replot
from buildtrace_assets.samples.sheet import Sheet

SCAN_DPI = 200
JPEG_QUALITY = 70


def scan_skew(rng: random.Random) -> Replot:
    """How far a sheet sits off square on the scanner glass: a few points and up to half a degree."""
    return Replot(dx=rng.uniform(-6, 6), dy=rng.uniform(-6, 6), angle_deg=rng.uniform(-0.5, 0.5))


def scan_image(sheet: Sheet, matrix: pymupdf.Matrix, seed: int, dpi: int = SCAN_DPI) -> np.ndarray:
    """The sheet as a scanner would see it: grey paper, soft ink, sensor noise (``uint8``, 2-D)."""
    doc = pymupdf.open()
    page = doc.new_page(width=sheet.width, height=sheet.height)
    draw_sheet(page, sheet, matrix)
    image = rasterize_gray(page, dpi)
    doc.close()
    soft = cv2.GaussianBlur(image, (0, 0), 0.8)
    # paper is not white and toner is not black
    toned = cv2.convertScaleAbs(soft, alpha=(238 - 35) / 255, beta=35)
    noise = np.empty(toned.shape, np.int16)
    cv2.setRNGSeed(seed)
    cv2.randn(noise, 0, 7)
    return cv2.add(toned, noise, dtype=cv2.CV_8U)


def encode_jpeg(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()


def write_scanned_pdf(
    path: Path, sheets: Sequence[Sheet], matrices: Sequence[pymupdf.Matrix], seed: int, dpi: int = SCAN_DPI
) -> None:
    """An image-only PDF, one scanned page per sheet, at the sheets' own page sizes."""
    doc = pymupdf.open()
    for n, (sheet, matrix) in enumerate(zip(sheets, matrices, strict=True)):
        page = doc.new_page(width=sheet.width, height=sheet.height)
        page.insert_image(page.rect, stream=encode_jpeg(scan_image(sheet, matrix, seed * 1000 + n, dpi)))
    save_atomically(doc, path)
