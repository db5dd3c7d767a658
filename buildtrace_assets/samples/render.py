"""Drawing sheets into PDF pages through a re-plot matrix, as vector art with a real text layer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pymupdf

from buildtrace_assets.samples.primitives import Label, Mask, Stroke
from buildtrace_assets.samples.sheet import Sheet

_BLACK, _WHITE = (0,), (1,)


def draw_sheet(page: pymupdf.Page, sheet: Sheet, matrix: pymupdf.Matrix) -> None:
    """Draw every element of ``sheet`` in order; points go through ``matrix``, text is morphed by it."""
    # morph works in PDF space (y up), so the page-space rotation enters it mirrored
    linear = pymupdf.Matrix(matrix.a, -matrix.b, -matrix.c, matrix.d, 0, 0)
    scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
    a, b, c, d, e, f = matrix

    def place(x: float, y: float) -> tuple[float, float]:
        return (a * x + c * y + e, b * x + d * y + f)  # plain floats: Point * Matrix is slow in PyMuPDF

    shape = page.new_shape()
    for element in sheet.elements:
        for primitive in element.primitives:
            if isinstance(primitive, Stroke):
                points = [place(*p) for p in primitive.points]
                shape.draw_polyline(points + points[:1] if primitive.closed else points)
                shape.finish(
                    width=primitive.width * scale,
                    color=_BLACK,
                    dashes=_scaled_dashes(primitive.dashes, scale),
                    fill=_BLACK if primitive.filled else None,
                    closePath=False,
                )
            elif isinstance(primitive, Mask):
                x0, y0, x1, y1 = primitive.rect
                corners = [place(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
                shape.draw_polyline(corners)
                shape.finish(width=0, color=None, fill=_WHITE, closePath=True)
            elif isinstance(primitive, Label):
                origin = pymupdf.Point(place(*primitive.origin))
                shape.insert_text(
                    origin,
                    primitive.text,
                    fontsize=primitive.size,
                    fontname="hebo" if primitive.bold else "helv",
                    color=_BLACK,
                    morph=(origin, linear),
                )
    shape.commit()


def _scaled_dashes(dashes: str | None, scale: float) -> str | None:
    """A dash pattern (``"[14 4 3 4] 0"``) plotted at ``scale``: dashes shrink with the lines they are drawn on."""
    if dashes is None or scale == 1:
        return dashes
    pattern, phase = dashes.rsplit("]", 1)
    lengths = " ".join(f"{float(v) * scale:g}" for v in pattern.strip("[ ").split())
    return f"[{lengths}] {float(phase) * scale:g}"


def rasterize_gray(page: pymupdf.Page, dpi: float) -> np.ndarray:
    """The page as a 2-D ``uint8`` array (255 = paper)."""
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]


def write_pdf(
    path: Path,
    sheets: Sequence[Sheet],
    matrices: Iterable[pymupdf.Matrix],
    papers: Sequence[tuple[float, float]] | None = None,
) -> None:
    """Write one page per sheet, atomically (a failed write leaves no partial file behind).

    Each page is the sheet's own size unless ``papers`` gives the paper it is plotted on."""
    doc = pymupdf.open()
    sizes = papers or [(s.width, s.height) for s in sheets]
    for sheet, matrix, (width, height) in zip(sheets, matrices, sizes, strict=True):
        draw_sheet(doc.new_page(width=width, height=height), sheet, matrix)
    save_atomically(doc, path)


def save_atomically(doc: pymupdf.Document, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        doc.save(partial, garbage=1, deflate=True)
        partial.replace(path)
    finally:
        doc.close()
        partial.unlink(missing_ok=True)
