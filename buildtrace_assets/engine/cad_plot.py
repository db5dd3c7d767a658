"""Plotting a CAD layout to a PDF page: ezdxf's PyMuPDF backend, its drawing written as PDF operators in one go.

ezdxf's PyMuPDF backend draws through PyMuPDF's ``Shape`` API: several Python
objects per point and a string concatenation onto the page's whole content
per entity, so its time grows with the square of the page's content. CAD text
is drawn as glyph outlines, so a plan's text alone makes hundreds of thousands
of such calls: over 6 s for a plan of 700 texts, past the sandbox's 120 s for
one of 7,000. This backend writes the same PDF operators (the same coordinates,
stroke widths, round joins and caps, colours and even-odd fills, through the
same page matrix) into a list that is joined once, so MuPDF rasterizes the
same ink from a fraction of the Python work. Quadratic curves (TrueType
glyphs) are raised to the cubic curves PDF draws exactly (PyMuPDF's Shape
approximates them with a circle's constant). Layers are not written as PDF
optional content: every layer is on when the engine plots (see
:class:`~buildtrace_assets.engine.documents._DxfPlotter`) and rasters do not
see layers.

A translucent entity (rare in drawings plotted in black) is drawn by the
parent class, whose operators are moved into the list in drawing order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ezdxf.addons.drawing.pymupdf import PyMuPdfBackend, PyMuPdfRenderBackend, alpha_to_opacity
from ezdxf.path import Command

if TYPE_CHECKING:
    import numpy as np
    from ezdxf.addons.drawing.backend import BkPath2d, BkPoints2d
    from ezdxf.addons.drawing.layout import Page, Settings
    from ezdxf.addons.drawing.properties import BackendProperties
    from ezdxf.math import Vec2

STROKE_STYLE = "1 j\n1 J\n"
"""Round joins and caps, as ezdxf's backend strokes every line."""
_TWO_THIRDS = 2.0 / 3.0
_MOVE_TO, _CURVE3_TO, _CURVE4_TO = int(Command.MOVE_TO), int(Command.CURVE3_TO), int(Command.CURVE4_TO)
"""Plain ints: an enum member's lookup costs more than the comparison, once per path command."""


class PdfPlotBackend(PyMuPdfBackend):
    """ezdxf's PyMuPDF backend (recording, page placement) with :class:`OperatorRenderBackend` drawing the page."""

    @staticmethod
    def make_backend(page: Page, settings: Settings) -> PyMuPdfRenderBackend:
        return OperatorRenderBackend(page, settings)


class OperatorRenderBackend(PyMuPdfRenderBackend):
    """Writes each drawing call as a ``q ... Q`` block of PDF operators; the page's content is set once at the end."""

    def __init__(self, page: Page, settings: Settings) -> None:
        super().__init__(page, settings)
        self._blocks: list[str] = []
        matrix = self.content_shape.ipctm  # top-left page points to the PDF's bottom-up user space
        self._matrix = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)

    def draw_point(self, pos: Vec2, properties: BackendProperties) -> None:
        point = self._point(pos.x, pos.y)
        self._stroke(
            f"{point} m\n{point} l", properties, lambda: super(OperatorRenderBackend, self).draw_point(pos, properties)
        )

    def draw_line(self, start: Vec2, end: Vec2, properties: BackendProperties) -> None:
        self.draw_solid_lines([(start, end)], properties)

    def draw_solid_lines(self, lines: Iterable[tuple[Vec2, Vec2]], properties: BackendProperties) -> None:
        lines = list(lines)
        operators = "\n".join(
            f"{self._point(start.x, start.y)} m\n{self._point(end.x, end.y)} l" for start, end in lines
        )
        self._stroke(
            operators, properties, lambda: super(OperatorRenderBackend, self).draw_solid_lines(lines, properties)
        )

    def draw_path(self, path: BkPath2d, properties: BackendProperties) -> None:
        if len(path) == 0:
            return
        self._stroke(
            self._path(path), properties, lambda: super(OperatorRenderBackend, self).draw_path(path, properties)
        )

    def draw_filled_paths(self, paths: Iterable[BkPath2d], properties: BackendProperties) -> None:
        paths = list(paths)
        operators = "\n".join(self._path(path) for path in paths)
        self._fill(
            operators, properties, lambda: super(OperatorRenderBackend, self).draw_filled_paths(paths, properties)
        )

    def draw_filled_polygon(self, points: BkPoints2d, properties: BackendProperties) -> None:
        vertices = self._points(points.np_vertices())
        if len(vertices) < 3:
            return
        operators = f"{vertices[0]} m\n" + "\n".join(f"{vertex} l" for vertex in vertices[1:])
        self._fill(
            operators, properties, lambda: super(OperatorRenderBackend, self).draw_filled_polygon(points, properties)
        )

    def finalize(self) -> None:
        """The operators become one more content stream of the page, left uncompressed: the PDF only lives in memory
        on its way to the rasterizer, and deflating a text-heavy plan's content takes longer than drawing it."""
        self.content_shape.commit()  # the parent's operators not moved yet, if any
        document, page = self.doc, self.page
        page.wrap_contents()
        stream = document.get_new_xref()
        document.update_object(stream, "<<>>")
        document.update_stream(stream, "".join(self._blocks).encode(), compress=0)
        self._blocks = []
        contents = " ".join(f"{xref} 0 R" for xref in [*page.get_contents(), stream])
        document.xref_set_key(page.xref, "Contents", f"[{contents}]")

    def _stroke(self, operators: str, properties: BackendProperties, translucent: Callable[[], None]) -> None:
        width = self.resolve_stroke_width(properties.lineweight)
        self._paint(operators, properties, translucent, f"{width:g} w\n{{colour}} RG\nS")

    def _fill(self, operators: str, properties: BackendProperties, translucent: Callable[[], None]) -> None:
        self._paint(operators, properties, translucent, "{colour} rg\nf*")

    def _paint(
        self, operators: str, properties: BackendProperties, translucent: Callable[[], None], paint: str
    ) -> None:
        """Keep the path ``operators`` painted by ``paint`` (whose ``{colour}`` is the entity's), in their own graphics
        state; translucent ink is left to ezdxf's own code, which sets the opacity."""
        if not operators:
            return
        if alpha_to_opacity(properties.color[7:9]) < 1.0:
            self._by_parent(translucent)
            return
        red, green, blue = self.resolve_color(properties.color)
        colour = f"{red:g} {green:g} {blue:g}"
        self._blocks.append(f"\nq\n{STROKE_STYLE}{operators}\n{paint.format(colour=colour)}\nQ\n")

    def _by_parent(self, draw: Callable[[], None]) -> None:
        """Let ezdxf's own code draw (it sets the opacity's graphics state) and keep its operators in order."""
        shape = self.content_shape
        draw()
        self._blocks.append(shape.totalcont)
        shape.totalcont = ""

    def _point(self, x: float, y: float) -> str:
        a, b, c, d, e, f = self._matrix
        return f"{a * x + c * y + e:.2f} {b * x + d * y + f:.2f}"

    def _points(self, vertices: np.ndarray) -> list[str]:
        a, b, c, d, e, f = self._matrix
        return [f"{a * x + c * y + e:.2f} {b * x + d * y + f:.2f}" for x, y in vertices.tolist()]

    def _path(self, path: BkPath2d) -> str:
        """The path's operators; a quadratic curve becomes the cubic curve that draws it exactly."""
        vertices: list[list[float]] = path.np_vertices().tolist()
        if not vertices:
            return ""
        operators = [f"{self._point(*vertices[0])} m"]
        index = 1
        for code in path.command_codes():
            if code == _CURVE4_TO:
                first, second, end = vertices[index : index + 3]
                operators.append(f"{self._point(*first)} {self._point(*second)} {self._point(*end)} c")
                index += 3
            elif code == _CURVE3_TO:
                (sx, sy), (cx, cy), (ex, ey) = vertices[index - 1 : index + 2]
                near_start = self._point(sx + (cx - sx) * _TWO_THIRDS, sy + (cy - sy) * _TWO_THIRDS)
                near_end = self._point(ex + (cx - ex) * _TWO_THIRDS, ey + (cy - ey) * _TWO_THIRDS)
                operators.append(f"{near_start} {near_end} {self._point(ex, ey)} c")
                index += 2
            else:
                operators.append(f"{self._point(*vertices[index])} {'m' if code == _MOVE_TO else 'l'}")
                index += 1
        return "\n".join(operators)
