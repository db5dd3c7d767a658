"""Open a drawing (PDF, PNG/JPG, DXF or DWG) and rasterize it one page at a time.

Every format becomes a PDF inside the sandboxed child (an image is placed on a
page of its physical size, each DXF layout is plotted by ezdxf's PyMuPDF
backend drawing through :mod:`~buildtrace_assets.engine.cad_plot`; a DWG is converted to DXF first, see
:mod:`~buildtrace_assets.engine.dwg`), so rendering, clipping and the
page-as-displayed coordinates are the same code for all of them. The parent only ever holds the page it asked for:
a 100-sheet set never sits in memory at once.

Images: the page size is pixels x 72 / DPI, using the DPI recorded in the file
when it is plausible for a scan (100-2400), else :data:`DEFAULT_IMAGE_DPI`.
72 and 96 are screen defaults written by software that does not know the scan
resolution, so they are not trusted.
"""

from __future__ import annotations

import math
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from buildtrace_assets.engine.cad_text import capture_placement, layout_words
from buildtrace_assets.engine.dwg import ConversionWarning
from buildtrace_assets.engine.errors import BadInputError, BadPageError
from buildtrace_assets.engine.filetypes import (
    BINARY_DXF_SENTINEL,
    MAX_IMAGE_PIXELS,
    FileKind,
    FileType,
    detect_file_type,
)
from buildtrace_assets.engine.model import BBox, Word
from buildtrace_assets.engine.sandbox import Limits, Sandbox

if TYPE_CHECKING:  # the child answers with memoryviews: importing numpy would cost ~0.1 s of every child's start
    import numpy as np
    import pymupdf
    from ezdxf.addons.drawing.layout import Page as PageSetup
    from ezdxf.document import Drawing
    from ezdxf.layouts import Paperspace

DocumentKind = Literal["pdf", "image", "dxf", "dwg"]

MAX_PAGES = 2000
MAX_PAGE_SIDE_IN = 200.0
MAX_RENDER_PIXELS = 200_000_000
"""Largest raster of one page (about 200 MB as grayscale)."""
LOADER_KINDS: dict[FileKind, DocumentKind] = {
    "pdf": "pdf",
    "png": "image",
    "jpeg": "image",
    "dxf": "dxf",
    "dwg": "dwg",
}
"""PNG and JPEG take the same road (placed on a page), so the loader knows them as one kind."""
PASSWORD_PROTECTED = "the PDF is password-protected"
"""The reason given for an encrypted PDF; callers that word it their own way look for it (only messages cross
the sandbox)."""
DEFAULT_IMAGE_DPI = 150.0
PLAUSIBLE_IMAGE_DPI = (100.0, 2400.0)
MODELSPACE_PAGE_MM = (914.4, 609.6)
"""A DXF without paper-space sheets is fitted on an ARCH D page (36 x 24 in)."""
UNUSED_PYMUPDF_EXTRAS = ("pymupdf.layout", "pymupdf4llm")
"""PyMuPDF 2 imports these when installed (onnxruntime: over a second of each child's start-up);
rendering and words never use them, so the child blocks them before importing PyMuPDF."""


@dataclass(frozen=True)
class PageInfo:
    """Size of one page as displayed (rotation applied), or why it cannot be used."""

    index: int
    width_pt: float
    height_pt: float
    rotation: int = 0
    name: str | None = None
    """The DXF layout name; None for PDF pages and images."""
    error: str | None = None


def detect_kind(path: Path) -> tuple[DocumentKind, FileType]:
    """The loader's kind of the file and its :class:`FileType`, judged by content as the upload check judges it.

    Raises the detector's typed :class:`BadInputError` (unsupported type, too
    many pixels) with the file's name in front, before any child is started.
    """
    try:
        with path.open("rb") as handle:
            file_type = detect_file_type(handle)
    except BadInputError as exc:
        raise type(exc)(f"{path.name}: {exc}") from None
    return LOADER_KINDS[file_type.kind], file_type


def _check_page_size(width_pt: float, height_pt: float) -> str | None:
    if width_pt <= 0 or height_pt <= 0:
        return "the page has no area"
    side_in = max(width_pt, height_pt) / 72.0
    if side_in > MAX_PAGE_SIDE_IN:
        return f"the page is {side_in:.0f} in on a side (limit {MAX_PAGE_SIDE_IN:.0f} in)"
    return None


def load_renderer() -> None:
    """Import PyMuPDF as the child uses it: without its unused extras, and quiet (errors come back as messages).

    Named to :func:`.sandbox.prestart` by a command that will open documents, so a child imports it while the
    parent still imports its own modules.
    """
    for extra in UNUSED_PYMUPDF_EXTRAS:
        # A None entry makes the import fail (the documented way to block one); typeshed only expects modules.
        sys.modules.setdefault(extra, None)  # type: ignore[arg-type]
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)


class PageSource:
    """Child-process side: the opened document. Only plain data crosses the pipe."""

    def __init__(self, path: str, kind: DocumentKind) -> None:
        load_renderer()
        self._path = Path(path)
        self._kind = kind
        self._dxf: _DxfPlotter | None = None
        self._last_pixmap: pymupdf.Pixmap | None = None
        self._conversion_warnings: list[ConversionWarning] = []
        self._pdf: pymupdf.Document | None
        if kind == "pdf":
            self._pdf = _open_pdf(self._path)
            self._names: list[str | None] = [None] * self._pdf.page_count
        elif kind == "image":
            self._pdf = _image_as_pdf(self._path)
            self._names = [None]
        else:
            self._dxf = (
                _DxfPlotter(self._path) if kind == "dxf" else _dwg_plotter(self._path, self._conversion_warnings)
            )
            self._names = list(self._dxf.names)
            self._pdf = None

    def pages(self) -> list[PageInfo]:
        if self._dxf is not None:
            return [
                PageInfo(i, w, h, 0, name, _check_page_size(w, h))
                for i, (name, (w, h)) in enumerate(zip(self._dxf.names, self._dxf.sizes, strict=True))
            ]
        assert self._pdf is not None  # a PDF or image when not a DXF
        infos = []
        for index in range(self._pdf.page_count):
            try:
                page = self._pdf.load_page(index)
                width, height, rotation = page.rect.width, page.rect.height, page.rotation
            except Exception as exc:  # noqa: BLE001 - a broken page is reported, not fatal to the set
                infos.append(PageInfo(index, 0.0, 0.0, 0, None, f"cannot read the page ({exc})"))
                continue
            infos.append(PageInfo(index, width, height, rotation, None, _check_page_size(width, height)))
        return infos

    def _page(self, index: int) -> pymupdf.Page:
        if self._dxf is not None:
            return self._dxf.page(index)
        assert self._pdf is not None  # a PDF or image when not a DXF
        return self._pdf.load_page(index)

    def render(self, index: int, dpi: float, clip: BBox | None) -> memoryview:
        """The raster as a 2-D byte view; the sandbox turns it into an array in the parent."""
        import pymupdf

        page = self._page(index)
        area = page.rect if clip is None else pymupdf.Rect(clip) & page.rect
        problem = _check_page_size(page.rect.width, page.rect.height)
        if problem is None and area.width * area.height * (dpi / 72.0) ** 2 > MAX_RENDER_PIXELS:
            problem = f"{dpi:g} dpi would make a raster over {MAX_RENDER_PIXELS // 1_000_000} megapixels"
        if problem:
            raise BadPageError(index, problem)
        if area.is_empty:
            return memoryview(b"\xff").cast("B", (1, 1))
        zoom = dpi / 72.0
        pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY, alpha=False, clip=area)
        # The view points into the pixmap without copying it (a page is ~20 MB), so the pixmap is kept until the
        # next render; the sandbox sends the view on before that. A gray pixmap without alpha has no row padding.
        self._last_pixmap = pix
        return pix.samples_mv.cast("B", (pix.height, pix.width))

    def warnings(self) -> list[ConversionWarning]:
        """What converting the file lost (a DWG's entities the DXF could not carry); empty for other kinds."""
        return self._conversion_warnings

    def words(self, index: int) -> list[tuple[str, BBox]]:
        """Words of the text layer in page-as-displayed coordinates (MuPDF reports them unrotated)."""
        import pymupdf

        if self._dxf is not None:
            return self._dxf.words(index)
        page = self._page(index)
        rotate = page.rotation_matrix
        words = []
        for x0, y0, x1, y1, text, *_ in page.get_text("words"):
            box = pymupdf.Rect(x0, y0, x1, y1) * rotate
            words.append((text, (box.x0, box.y0, box.x1, box.y1)))
        return words


def _open_pdf(path: Path) -> pymupdf.Document:
    import pymupdf

    try:
        pdf = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # noqa: BLE001 - MuPDF raises several types for unreadable files
        raise BadInputError(f"{path.name}: not a readable PDF ({exc})") from None
    if pdf.needs_pass:
        raise BadInputError(f"{path.name}: {PASSWORD_PROTECTED}")
    if pdf.page_count == 0:
        raise BadInputError(f"{path.name}: the PDF has no pages")
    if pdf.page_count > MAX_PAGES:
        raise BadInputError(f"{path.name}: {pdf.page_count} pages (limit {MAX_PAGES})")
    return pdf


def image_dpi(recorded: tuple[float, float] | None) -> float:
    """DPI used for an image's page size: the recorded one when plausible for a scan."""
    if recorded:
        value = float(recorded[0])
        if PLAUSIBLE_IMAGE_DPI[0] <= value <= PLAUSIBLE_IMAGE_DPI[1]:
            return value
    return DEFAULT_IMAGE_DPI


def _image_as_pdf(path: Path) -> pymupdf.Document:
    """Place the image on a page of its physical size, checking the header before anything decodes it."""
    import pymupdf
    from PIL import Image, UnidentifiedImageError

    too_large = f"{path.name}: the image exceeds the limit of {MAX_IMAGE_PIXELS // 1_000_000} megapixels"
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS // 2  # Pillow refuses at twice this value
    try:
        with Image.open(path) as image:
            width_px, height_px = image.size
            dpi = image_dpi(image.info.get("dpi"))
    except Image.DecompressionBombError:
        raise BadInputError(too_large) from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise BadInputError(f"{path.name}: not a readable image ({exc})") from None
    if width_px * height_px > MAX_IMAGE_PIXELS:
        raise BadInputError(too_large)
    pdf = pymupdf.open()
    page = pdf.new_page(width=width_px * 72.0 / dpi, height=height_px * 72.0 / dpi)
    try:
        page.insert_image(page.rect, filename=str(path))
    except Exception as exc:  # noqa: BLE001
        raise BadInputError(f"{path.name}: not a readable image ({exc})") from None
    return pdf


def _dwg_plotter(path: Path, warnings: list[ConversionWarning]) -> _DxfPlotter:
    """The DWG converted to a DXF document in memory and plotted like any DXF; fills ``warnings``."""
    from buildtrace_assets.config import get_settings
    from buildtrace_assets.engine.dwg import convert_dwg

    conversion, document = convert_dwg(path, min_share=get_settings().dwg_min_carried_share)
    warnings.extend(conversion.warnings)
    return _DxfPlotter(path, document)


class _DxfPlotter:
    """Plots DXF layouts to one-page PDFs on demand (the last one is kept for repeated requests).

    Every layer is switched on and every viewport made visible: layer on/off
    and viewport status are viewing states saved with the file, not drawing
    content, and two revisions saved with different toggles must not compare
    as different drawings (nor as empty sheets).
    """

    def __init__(self, path: Path, document: Drawing | None = None) -> None:
        """Plot the DXF at ``path``, or ``document`` when the DXF is already in memory (a converted DWG)."""
        self._doc = document if document is not None else self._read(path)
        for layer in self._doc.layers:
            layer.on()
        self._layouts = [
            layout
            for layout in (self._doc.layouts.get(name) for name in self._doc.layouts.names_in_taborder())
            if not layout.is_modelspace and any(entity.dxftype() != "VIEWPORT" for entity in layout)
        ]
        if not self._layouts:
            if len(self._doc.modelspace()) == 0:
                raise BadInputError(f"{path.name}: the {'DWG' if document is not None else 'DXF'} has nothing to draw")
            self._layouts = [self._doc.modelspace()]
        for layout in self._layouts:
            if not layout.is_modelspace:
                self._show_viewports(cast("Paperspace", layout))  # every layout but the model space
        self.names = [layout.name for layout in self._layouts]
        if len(self.names) > MAX_PAGES:
            raise BadInputError(f"{path.name}: {len(self.names)} layouts (limit {MAX_PAGES})")
        self._cached: tuple[int, pymupdf.Page] | None = None
        self._cached_words: list[tuple[str, BBox]] = []
        self._setups: dict[int, PageSetup] = {}
        self.sizes = [self._size(i) for i in range(len(self._layouts))]

    @staticmethod
    def _read(path: Path) -> Drawing:
        import ezdxf
        from ezdxf import recover

        try:
            with path.open("rb") as handle:
                binary = handle.read(len(BINARY_DXF_SENTINEL)) == BINARY_DXF_SENTINEL
            # recover repairs the flaws of hand-edited ASCII files but cannot parse binary DXF (written by programs)
            return ezdxf.readfile(str(path)) if binary else recover.readfile(str(path))[0]
        except (OSError, ezdxf.DXFError, ValueError, UnicodeDecodeError) as exc:
            raise BadInputError(f"{path.name}: not a readable DXF ({exc})") from None

    @staticmethod
    def _show_viewports(layout: Paperspace) -> None:
        for order, viewport in enumerate(layout.viewports(), start=2):
            viewport.dxf.status = 1 if viewport.dxf.get("id", 0) == 1 else order

    def _page_setup(self, index: int) -> PageSetup:
        """The layout's page, kept: a model space's is measured from its extents (seconds for a large plan), at open
        for the page's size and again for its plot otherwise."""
        if index not in self._setups:
            self._setups[index] = self._measured_page_setup(index)
        return self._setups[index]

    def _measured_page_setup(self, index: int) -> PageSetup:
        from ezdxf.addons.drawing import layout as page_layout

        from buildtrace_assets.engine.cad_extents import layout_extents

        layout = self._layouts[index]
        if not layout.is_modelspace:
            return page_layout.Page.from_dxf_layout(layout)
        extents = layout_extents(layout, self._doc)
        width, height = MODELSPACE_PAGE_MM
        if extents.has_data and extents.size.y > extents.size.x:
            width, height = height, width
        return page_layout.Page(width, height, page_layout.Units.mm, margins=page_layout.Margins.all(10))

    def _size(self, index: int) -> tuple[float, float]:
        if self._layouts[index].is_modelspace:
            # The size ezdxf's PDF backend gives its page (whole points), known without plotting: opening a large
            # model space (the upload check opens every file) must not wait for its plot.
            model = self._page_setup(index)
            return float(int(model.width_in_mm * 72.0 / 25.4)), float(int(model.height_in_mm * 72.0 / 25.4))
        setup = self._page_setup(index)
        return setup.width_in_mm * 72.0 / 25.4, setup.height_in_mm * 72.0 / 25.4

    def page(self, index: int) -> pymupdf.Page:
        import pymupdf
        from ezdxf.addons.drawing import Frontend, RenderContext, config

        from buildtrace_assets.engine.cad_plot import PdfPlotBackend

        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        backend = PdfPlotBackend()
        placement = capture_placement(backend)
        settings = config.Configuration(
            background_policy=config.BackgroundPolicy.WHITE, color_policy=config.ColorPolicy.BLACK
        )
        try:
            Frontend(RenderContext(self._doc), backend, config=settings).draw_layout(self._layouts[index])
            pdf = pymupdf.open("pdf", backend.get_pdf_bytes(self._page_setup(index)))
        except Exception as exc:  # noqa: BLE001 - ezdxf raises many types on broken entities
            raise BadPageError(index, f"cannot plot layout {self.names[index]!r} ({exc})") from None
        page = pdf.load_page(0)
        self._cached = (index, page)
        self._cached_words = layout_words(self._layouts[index], placement)
        return page

    def words(self, index: int) -> list[tuple[str, BBox]]:
        """The layout's text as words on the plotted page (see :mod:`~buildtrace_assets.engine.cad_text`)."""
        self.page(index)
        return self._cached_words


class Document:
    """An opened drawing; its pages are rendered on request in a sandboxed child process.

    Use as a context manager (or call :meth:`close`) so the child exits.
    """

    def __init__(self, path: Path | str, *, limits: Limits | None = None, beside: Document | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise BadInputError(f"{self.path.name}: no such file")
        self.kind: DocumentKind
        self.file_type: FileType
        self.kind, self.file_type = detect_kind(self.path)
        self._sandbox: Sandbox = Sandbox(
            f"{__name__}:PageSource",
            str(self.path.absolute()),
            self.kind,
            limits=limits,
            beside=None if beside is None else beside._sandbox,
        )
        self._ahead: tuple[int, float, Future[np.ndarray]] | None = None
        """A whole page rendered ahead (:meth:`render_ahead`): its index, resolution and raster."""
        self._ahead_lock = threading.Lock()
        try:
            self.pages: tuple[PageInfo, ...] = tuple(self._sandbox.call("pages"))
            self.warnings: tuple[ConversionWarning, ...] = (
                tuple(self._sandbox.call("warnings")) if self.kind == "dwg" else ()
            )
        except BaseException:
            self._sandbox.close()
            raise

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def _checked_index(self, index: int) -> PageInfo:
        if not 0 <= index < len(self.pages):
            raise IndexError(f"page {index} out of range (document has {len(self.pages)})")
        return self.pages[index]

    def _usable(self, index: int) -> PageInfo:
        info = self._checked_index(index)
        if info.error:
            raise BadPageError(index, info.error)
        return info

    def render(self, index: int, dpi: float, clip: BBox | None = None) -> np.ndarray:
        """Grayscale raster (uint8, 255 = paper) of the page as displayed, or of ``clip`` (in points) of it."""
        self._usable(index)
        if not (0 < dpi <= 1200) or math.isnan(dpi):
            raise ValueError(f"dpi must be in (0, 1200], got {dpi}")
        with self._ahead_lock:
            ahead, self._ahead = self._ahead, None
        if ahead is not None and clip is None and ahead[:2] == (index, float(dpi)):
            return ahead[2].result()
        return self._sandbox.call("render", index, float(dpi), clip)

    def render_ahead(self, index: int, dpi: float) -> None:
        """Start rendering the whole page ``index`` at ``dpi`` now, for the next :meth:`render` of it to take.

        For a caller about to keep this process busy while the child would wait (OCR of the title block): the page
        it will compare next renders meanwhile. Any other render drops the page rendered ahead, so at most one is
        held. A page that cannot be rendered is left for :meth:`render` to report.
        """
        try:
            self._usable(index)
        except BadPageError:
            return
        rendered: Future[np.ndarray] = Future()
        with self._ahead_lock:
            self._ahead = (index, float(dpi), rendered)

        def render() -> None:
            try:
                rendered.set_result(self._sandbox.call("render", index, float(dpi), None))
            except BaseException as exc:  # noqa: BLE001 - the render that takes it raises it
                rendered.set_exception(exc)

        threading.Thread(target=render, name="buildtrace-render-ahead", daemon=True).start()

    def text_layer_words(self, index: int) -> tuple[Word, ...]:
        """Words of the PDF text layer (empty for images and for CAD text drawn as paths).

        Allowed on a page too large to render: reading its text costs no raster.
        """
        self._checked_index(index)
        return tuple(Word(text, bbox) for text, bbox in self._sandbox.call("words", index))

    @property
    def worker_pid(self) -> int | None:
        return self._sandbox.pid

    def close(self) -> None:
        with self._ahead_lock:
            ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead[2].exception()  # the child answers it before it is told to stop
        self._sandbox.close()

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_document(path: Path | str, *, limits: Limits | None = None, beside: Document | None = None) -> Document:
    """Open a PDF, PNG/JPG, DXF or DWG; raises :class:`BadInputError` with a one-line reason when it cannot be used.

    ``beside`` an open document, its sandboxed child is forked from that one's, which is faster than starting one.
    """
    return Document(path, limits=limits, beside=beside)
