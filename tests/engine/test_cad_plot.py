"""A CAD layout's plot: the ink of ezdxf's own PyMuPDF backend, written as PDF operators in one go."""

import ezdxf
import numpy as np
import pymupdf
import pytest
from ezdxf.addons.drawing import Frontend, RenderContext, config, layout
from ezdxf.addons.drawing.pymupdf import PyMuPdfBackend

from buildtrace_assets.engine.cad_plot import PdfPlotBackend

DPI = 100


def _plan() -> ezdxf.document.Drawing:
    """Every kind of drawing call a plan makes: strokes, curves, points, filled polygons and paths, glyphs."""
    document = ezdxf.new(setup=True)
    model = document.modelspace()
    model.add_line((0, 0), (4000, 0))
    model.add_lwpolyline([(0, 0, 0, 0, 0.5), (1500, 0), (1500, 1200), (0, 1200)], format="xyseb", close=True)
    model.add_circle((2500, 600), 400)
    model.add_arc((3400, 600), 300, 30, 250)
    model.add_ellipse((1000, 2000), major_axis=(600, 0), ratio=0.4)
    model.add_spline([(0, 2500), (800, 3100), (1600, 2400), (2400, 3000)])
    model.add_point((3800, 2800))
    model.add_solid([(3000, 2000), (3600, 2000), (3000, 2400), (3600, 2400)])
    hatch = model.add_hatch()
    hatch.paths.add_polyline_path([(2000, 1400), (2800, 1400), (2800, 1800)], is_closed=True)
    model.add_text("FLOOR PLAN 1:50 Ag", height=120).set_placement((100, 1500))
    model.add_mtext("ROOM 12\\PAREA 24 M2", dxfattribs={"char_height": 80, "insert": (2000, 3400)})
    translucent = model.add_circle((600, 600), 200)
    translucent.transparency = 0.5
    translucent.dxf.lineweight = 100
    return document


def _raster(document: ezdxf.document.Drawing, backend: PyMuPdfBackend) -> np.ndarray:
    settings = config.Configuration(
        background_policy=config.BackgroundPolicy.WHITE, color_policy=config.ColorPolicy.BLACK
    )
    Frontend(RenderContext(document), backend, config=settings).draw_layout(document.modelspace())
    page_setup = layout.Page(420, 297, layout.Units.mm, margins=layout.Margins.all(10))
    pdf = pymupdf.open("pdf", backend.get_pdf_bytes(page_setup))
    pixmap = pdf.load_page(0).get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY, alpha=False)
    return np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width)


@pytest.fixture(scope="module")
def rasters() -> tuple[np.ndarray, np.ndarray]:
    document = _plan()
    return _raster(document, PdfPlotBackend()), _raster(document, PyMuPdfBackend())


def test_the_plot_has_the_ink_of_ezdxfs_own_backend(rasters):
    ours, theirs = rasters

    assert ours.shape == theirs.shape
    assert (theirs < 128).sum() > 20_000  # a drawing worth comparing
    difference = np.abs(ours.astype(int) - theirs.astype(int))
    # The same coordinates, widths and fills: only anti-aliasing at curve edges may differ, where PyMuPDF's Shape
    # approximates a glyph's quadratic curves and these operators draw them exactly.
    assert (difference > 96).sum() == 0
    assert abs(int((ours < 128).sum()) - int((theirs < 128).sum())) < 0.01 * (theirs < 128).sum()


def test_a_translucent_entity_stays_translucent():
    document = ezdxf.new()
    circle = document.modelspace().add_circle((0, 0), 100)
    circle.transparency = 0.5
    circle.dxf.lineweight = 200

    raster = _raster(document, PdfPlotBackend())

    assert (raster < 250).sum() > 1000  # the ring is drawn
    assert raster.min() > 64  # in gray: half of black over white paper
