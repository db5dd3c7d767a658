"""One drawing version read once: page sizes, words, sheet identity and thumbnails, serializable.

The pipeline stores an analysis per drawing version and the CLI caches it by file hash, so every comparison that
touches a version reuses it instead of reading (and OCR-ing) the file again.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from buildtrace_assets.engine.documents import Document, DocumentKind, open_document
from buildtrace_assets.engine.dwg import placed_warnings
from buildtrace_assets.engine.errors import AnalysisMismatchError, EngineError
from buildtrace_assets.engine.matching import THUMBNAIL_SIZE, thumbnail_signature
from buildtrace_assets.engine.model import PageText, SheetIdentity, TextSource, Word
from buildtrace_assets.engine.sheets import identify_sheet
from buildtrace_assets.engine.text import OCR_TIMEOUT_S, OcrScope, page_text

ANALYSIS_VERSION = 1
THUMBNAIL_DPI = 12.0
"""Enough for a 32-pixel digest of an ARCH D sheet; rendering at it costs a few milliseconds."""


@dataclass(frozen=True)
class PageAnalysis:
    """What the comparison needs to know about one page before rendering it at full resolution."""

    index: int
    width_pt: float
    height_pt: float
    rotation: int
    text_source: TextSource
    words: tuple[Word, ...]
    sheet: SheetIdentity
    thumbnail: np.ndarray | None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "width_pt": self.width_pt,
            "height_pt": self.height_pt,
            "rotation": self.rotation,
            "text_source": self.text_source,
            "words": [[w.text, *w.bbox] for w in self.words],
            "sheet": dataclasses.asdict(self.sheet),
            "thumbnail": None if self.thumbnail is None else base64.b64encode(self.thumbnail.tobytes()).decode(),
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PageAnalysis:
        thumbnail = data["thumbnail"]
        return cls(
            index=int(data["index"]),
            width_pt=float(data["width_pt"]),
            height_pt=float(data["height_pt"]),
            rotation=int(data["rotation"]),
            text_source=data["text_source"],
            words=tuple(
                Word(str(text), (float(x0), float(y0), float(x1), float(y1))) for text, x0, y0, x1, y1 in data["words"]
            ),
            sheet=SheetIdentity(**data["sheet"]),
            thumbnail=None
            if thumbnail is None
            else np.frombuffer(base64.b64decode(thumbnail), np.uint8).reshape(THUMBNAIL_SIZE, THUMBNAIL_SIZE).copy(),
            error=data["error"],
        )


@dataclass(frozen=True)
class DocumentAnalysis:
    """One drawing version, read once; serializable so the pipeline stores it per version."""

    file: str
    sha256: str
    kind: DocumentKind
    pages: tuple[PageAnalysis, ...]
    warnings: tuple[dict[str, Any], ...] = ()
    """What converting the file lost (a DWG's entities), each with the ``pages`` it touches; see
    :func:`~buildtrace_assets.engine.dwg.placed_warnings`."""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": ANALYSIS_VERSION,
            "file": self.file,
            "sha256": self.sha256,
            "kind": self.kind,
            "pages": [page.to_json() for page in self.pages],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocumentAnalysis:
        if not isinstance(data, dict) or data.get("version") != ANALYSIS_VERSION:
            raise AnalysisMismatchError(f"not a version {ANALYSIS_VERSION} document analysis")
        try:
            pages = tuple(PageAnalysis.from_json(page) for page in data["pages"])
            warnings = tuple(dict(warning) for warning in data.get("warnings", ()))
            return cls(str(data["file"]), str(data["sha256"]), data["kind"], pages, warnings)
        except (KeyError, TypeError, ValueError) as exc:
            raise AnalysisMismatchError(f"malformed document analysis ({exc})") from None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _analyze_page(
    document: Document, index: int, ocr: OcrScope, ocr_timeout_s: float, while_reading: Callable[[], None] | None
) -> PageAnalysis:
    info = document.pages[index]
    text, error = PageText((), "none"), info.error
    try:
        text = page_text(document, index, ocr=ocr, ocr_timeout_s=ocr_timeout_s, while_reading=while_reading)
    except EngineError as exc:
        error = str(exc)
    sheet = identify_sheet(text.words, info.width_pt, info.height_pt)
    return PageAnalysis(
        index, info.width_pt, info.height_pt, info.rotation, text.source, text.words, sheet, thumbnail=None, error=error
    )


def with_thumbnails(document: Document, analysis: DocumentAnalysis, indices: Iterable[int]) -> DocumentAnalysis:
    """The analysis with the thumbnails of these pages; a page that cannot be rendered gets its error instead.

    Text comes first: a page too large to render may still name its sheet, so its error lands on the right sheet.
    """
    pages = list(analysis.pages)
    for index in indices:
        page = pages[index]
        if page.thumbnail is not None or page.error:
            continue
        try:
            thumbnail = thumbnail_signature(document.render(index, THUMBNAIL_DPI))
            pages[index] = dataclasses.replace(page, thumbnail=thumbnail)
        except EngineError as exc:
            pages[index] = dataclasses.replace(page, error=str(exc))
    return dataclasses.replace(analysis, pages=tuple(pages))


def analyze(
    document: Document,
    ocr: OcrScope,
    ocr_timeout_s: float = OCR_TIMEOUT_S,
    render_ahead: tuple[int, float] | None = None,
) -> DocumentAnalysis:
    """Every page's text and sheet identity, without thumbnails.

    ``render_ahead`` (a page and a resolution) is rendered for a comparison to take (:meth:`Document.render_ahead`)
    while the last page's title block is read by OCR, else once the text is read: the child would wait for this
    process's OCR, or for the other version's, otherwise.
    """
    last = document.page_count - 1
    asked: list[tuple[int, float]] = [] if render_ahead is None else [render_ahead]

    def ahead() -> None:
        while asked:
            document.render_ahead(*asked.pop())

    pages = tuple(
        _analyze_page(document, index, ocr, ocr_timeout_s, ahead if index == last else None)
        for index in range(document.page_count)
    )
    ahead()
    warnings = placed_warnings(document.warnings, [page.name for page in document.pages])
    return DocumentAnalysis(document.path.name, file_sha256(document.path), document.kind, pages, warnings)


def analyze_document(
    path: Path | str, *, ocr: OcrScope = "title_block", ocr_timeout_s: float = OCR_TIMEOUT_S
) -> DocumentAnalysis:
    """Read a drawing version once: per page its size, words (text layer, or OCR of ``ocr``), sheet identity, thumbnail.

    A page that cannot be used carries ``error`` instead of failing the set.
    """
    with open_document(path) as document:
        return with_thumbnails(document, analyze(document, ocr, ocr_timeout_s), range(document.page_count))


def _checked(analysis: DocumentAnalysis | None, document: Document) -> DocumentAnalysis | None:
    if analysis is not None and analysis.sha256 != file_sha256(document.path):
        raise AnalysisMismatchError(f"the stored analysis of {analysis.file} does not belong to {document.path.name}")
    return analysis


def stored_or_analyzed(
    document: Document,
    stored: DocumentAnalysis | None,
    ocr_timeout_s: float = OCR_TIMEOUT_S,
    render_ahead: tuple[int, float] | None = None,
) -> DocumentAnalysis:
    """The stored analysis, else one read now (``render_ahead`` as :func:`analyze` takes it); without thumbnails,
    which :func:`_paired` renders only when needed."""
    return _checked(stored, document) or analyze(document, "title_block", ocr_timeout_s, render_ahead)
