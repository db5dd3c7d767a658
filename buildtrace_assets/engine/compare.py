"""Compare two revisions of a drawing set and write ``buildtrace.changes/v1``.

Two steps with a stored result in between: :func:`analyze_document` reads one
version (page sizes, text, sheet identity, thumbnail) and is kept per drawing
version, so every job that touches the version reuses it; :func:`compare_documents`
pairs the sheets and compares a pair by rendering both pages, diffing them
and writing the overlay and crops; at most ``PAIRS_AT_ONCE`` pairs, and the
next one's pages, are in memory at a time, so memory stays flat in the number
of sheets.

Each version has its own sandboxed child, so the two are opened, analysed
and rendered side by side (the parent's threads only wait on the children),
and up to ``PAIRS_AT_ONCE`` pairs are compared at once while the next pair's
pages render: while one pair waits for its pages or has its pictures encoded
(both outside the GIL), another is diffed.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import copy_context
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import cv2
import numpy as np

from buildtrace_assets.config import get_settings
from buildtrace_assets.engine.contract import (
    SCHEMA_ID,
    alignment_to_dict,
    change_to_dict,
    validate_changes,
    write_json_atomic,
)
from buildtrace_assets.engine.documents import Document, DocumentKind, open_document
from buildtrace_assets.engine.dwg import placed_warnings
from buildtrace_assets.engine.errors import (
    AnalysisMismatchError,
    BadInputError,
    EngineError,
)
from buildtrace_assets.engine.manual_alignment import PointPair, SheetRow, alignments_for
from buildtrace_assets.engine.matching import (
    THUMBNAIL_SIZE,
    SheetPair,
    match_sheets,
    thumbnail_signature,
)
from buildtrace_assets.engine.memory import prepare_for_rasters
from buildtrace_assets.engine.model import (
    Alignment,
    BBox,
    Change,
    PageText,
    RenderedPage,
    SheetIdentity,
    TextSource,
    Word,
)
from buildtrace_assets.engine.overlay import write_crops, write_overlay
from buildtrace_assets.engine.pagediff import PageComparison, compare_pages, numbered
from buildtrace_assets.engine.plot_scale import MAX_RENDER_DPI, finer_by, matrix_scale, render_dpis
from buildtrace_assets.engine.regions import cluster_boxes
from buildtrace_assets.engine.sheets import identify_sheet
from buildtrace_assets.engine.text import OCR_DPI, OcrScope, ocr_region, page_text
from buildtrace_assets.engine.textdiff import map_words, region_text, snap_to_words, without_moved, words_centred_in
from buildtrace_assets.observability.tracing import engine_stage

ANALYSIS_VERSION = 1
THUMBNAIL_DPI = 12.0
"""Enough for a 32-pixel digest of an ARCH D sheet; rendering at it costs a few milliseconds."""
PAIRS_AT_ONCE = 2
"""Sheet pairs compared side by side, each holding its two pages and the comparison's arrays (~8 bytes per page
pixel); one more pair has its pages rendered ahead."""
PAIRED_PAGE_PIXELS = 24_000_000
"""Above this many pixels per page raster (ARCH D at 150 DPI has 19.4 million, ARCH E1 28.4 million), one pair at a
time: two pairs of larger sheets, or of finer rasters, would take the comparison past its memory target."""
CHANGE_TEXT_MARGIN_PT = (54.0, 12.0)
"""OCR this far (horizontally, vertically) around a change region on pages without a text layer: a band along
the text line, so the whole words of a value whose changed ink is one glyph are read."""


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


def _analyze_page(document: Document, index: int, ocr: OcrScope) -> PageAnalysis:
    info = document.pages[index]
    text, error = PageText((), "none"), info.error
    try:
        text = page_text(document, index, ocr=ocr)
    except EngineError as exc:
        error = str(exc)
    sheet = identify_sheet(text.words, info.width_pt, info.height_pt)
    return PageAnalysis(
        index, info.width_pt, info.height_pt, info.rotation, text.source, text.words, sheet, thumbnail=None, error=error
    )


def _with_thumbnails(document: Document, analysis: DocumentAnalysis, indices: Iterable[int]) -> DocumentAnalysis:
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


def _analyze(document: Document, ocr: OcrScope) -> DocumentAnalysis:
    """Every page's text and sheet identity, without thumbnails."""
    pages = tuple(_analyze_page(document, index, ocr) for index in range(document.page_count))
    warnings = placed_warnings(document.warnings, [page.name for page in document.pages])
    return DocumentAnalysis(document.path.name, file_sha256(document.path), document.kind, pages, warnings)


def analyze_document(path: Path | str, *, ocr: OcrScope = "title_block") -> DocumentAnalysis:
    """Read a drawing version once: per page its size, words (text layer, or OCR of ``ocr``), sheet identity, thumbnail.

    A page that cannot be used carries ``error`` instead of failing the set.
    """
    with open_document(path) as document:
        return _with_thumbnails(document, _analyze(document, ocr), range(document.page_count))


def _checked(analysis: DocumentAnalysis | None, document: Document) -> DocumentAnalysis | None:
    if analysis is not None and analysis.sha256 != file_sha256(document.path):
        raise AnalysisMismatchError(f"the stored analysis of {analysis.file} does not belong to {document.path.name}")
    return analysis


def _stored_or_analyzed(document: Document, stored: DocumentAnalysis | None) -> DocumentAnalysis:
    """The stored analysis, else one read now; without thumbnails, which :func:`_paired` renders only when needed."""
    return _checked(stored, document) or _analyze(document, "title_block")


def _paired(
    versions: _Versions, analyses: tuple[DocumentAnalysis, DocumentAnalysis]
) -> tuple[list[SheetPair], tuple[DocumentAnalysis, DocumentAnalysis]]:
    """The sheet pairs, and the analyses they were found with.

    Most sets pair every sheet by its number; only when pages are left over on
    both sides do those get thumbnails, so they can still pair by appearance.
    """
    pairs = match_sheets(analyses[0].pages, analyses[1].pages)
    removed = [pair.old_page for pair in pairs if pair.new_page is None]
    added = [pair.new_page for pair in pairs if pair.old_page is None]
    if not removed or not added:
        return pairs, analyses
    analyses = versions.both(_with_thumbnails, analyses, (removed, added))
    return match_sheets(analyses[0].pages, analyses[1].pages), analyses


def pairs_at_once(analyses: tuple[DocumentAnalysis, DocumentAnalysis], dpi: float) -> int:
    """How many sheet pairs are compared side by side: ``PAIRS_AT_ONCE`` unless the largest page's raster is
    over ``PAIRED_PAGE_PIXELS``."""
    largest_pt2 = max((page.width_pt * page.height_pt for analysis in analyses for page in analysis.pages), default=0.0)
    return PAIRS_AT_ONCE if largest_pt2 * (dpi / 72.0) ** 2 <= PAIRED_PAGE_PIXELS else 1


def _sheet_keys(pairs: list[SheetPair], old: DocumentAnalysis, new: DocumentAnalysis) -> list[str]:
    """Unique, file-name-safe key per row (the row's ``key``): the printed sheet number, else the page; a number
    printed on two sheets gets ``_2``, ``_3``. The one key that names the sheet's overlay, crops and change ids."""
    keys, seen = [], set()
    for pair in pairs:
        # A pair has at least one page.
        page = new.pages[pair.new_page] if pair.new_page is not None else old.pages[cast(int, pair.old_page)]
        side = "page" if pair.new_page is not None else "old-page"
        base = re.sub(r"[^A-Za-z0-9.-]+", "_", page.sheet.number) if page.sheet.number else f"{side}-{page.index + 1}"
        key, n = base, 2
        while key in seen:
            key, n = f"{base}_{n}", n + 1
        seen.add(key)
        keys.append(key)
    return keys


def _manual_alignments(
    requested: Mapping[str, Sequence[PointPair]],
    pairs: list[SheetPair],
    analyses: tuple[DocumentAnalysis, DocumentAnalysis],
) -> list[Alignment | None]:
    """Per row, the alignment a person gave for it, checked against both pages' sizes."""
    if not requested:
        return [None] * len(pairs)
    rows: list[SheetRow | None] = []
    for pair, key in zip(pairs, _sheet_keys(pairs, *analyses), strict=True):
        if pair.old_page is None or pair.new_page is None:
            rows.append(None)
            continue
        old, new = analyses[0].pages[pair.old_page], analyses[1].pages[pair.new_page]
        rows.append((key, new.sheet.number, (old.width_pt, old.height_pt), (new.width_pt, new.height_pt)))
    return alignments_for(requested, rows)


@dataclass(frozen=True)
class _Versions:
    """The old and the new document, each served by its own worker thread: both children work at once,
    and each document's requests run in the order they were made."""

    docs: tuple[Document, Document]
    workers: tuple[ThreadPoolExecutor, ThreadPoolExecutor]

    def submit(self, work: Callable[..., Any], *per_side: tuple[Any, Any]) -> tuple[Future, Future]:
        """Start ``work(old_doc, *old_args)`` and ``work(new_doc, *new_args)``."""
        old_args, new_args = zip(*per_side, strict=True) if per_side else ((), ())
        return (
            self.workers[0].submit(work, self.docs[0], *old_args),
            self.workers[1].submit(work, self.docs[1], *new_args),
        )

    def both(self, work: Callable[..., Any], *per_side: tuple[Any, Any]) -> tuple[Any, Any]:
        """``(work(old_doc, *old_args), work(new_doc, *new_args))``, computed concurrently."""
        old, new = self.submit(work, *per_side)
        return old.result(), new.result()


_Renders = tuple["Future[RenderedPage]", "Future[RenderedPage]"]


@contextmanager
def _open_versions(old_path: Path | str, new_path: Path | str) -> Iterator[_Versions]:
    """Open both documents, the new one's child forked from the old one's; whichever opened is closed again,
    even when the other failed.

    Each is closed on its own worker, after any render still queued there, so no request reaches a closed child;
    the new one first, so the child that forked it is still there to reap it.
    """
    with ThreadPoolExecutor(1, "buildtrace-old") as old_worker, ThreadPoolExecutor(1, "buildtrace-new") as new_worker:
        workers = (old_worker, new_worker)
        old_opening = old_worker.submit(open_document, old_path)
        opening = [old_opening, new_worker.submit(lambda: open_document(new_path, beside=_opened(old_opening)))]
        try:
            yield _Versions((opening[0].result(), opening[1].result()), workers)
        finally:
            closed: Future[None] | None = None
            for worker, future in reversed(list(zip(workers, opening, strict=True))):
                if future.exception() is None:
                    closed = worker.submit(_close_after, future.result(), closed)


def _close_after(document: Document, earlier: Future[None] | None) -> None:
    if earlier is not None:
        earlier.exception()
    document.close()


def _opened(opening: Future[Document]) -> Document | None:
    """The document once it is open, or None when it could not be."""
    return None if opening.exception() is not None else opening.result()


def _rendered(document: Document, page: PageAnalysis, dpi: float) -> RenderedPage:
    return RenderedPage(
        document.render(page.index, dpi), dpi, page.width_pt, page.height_pt, page.words, page.text_source
    )


def _comparable(
    pair: SheetPair, analyses: tuple[DocumentAnalysis, DocumentAnalysis]
) -> tuple[PageAnalysis, PageAnalysis] | None:
    """Both pages of a matched pair, when both can be rendered."""
    if pair.old_page is None or pair.new_page is None:
        return None
    pages = (analyses[0].pages[pair.old_page], analyses[1].pages[pair.new_page])
    return None if any(page.error for page in pages) else pages


def _compared_sheets(
    versions: _Versions,
    analyses: tuple[DocumentAnalysis, DocumentAnalysis],
    pairs: list[SheetPair],
    dpi: float,
    out_dir: Path,
    manual: Sequence[Alignment | None] = (),
) -> list[dict[str, Any]]:
    """Every row's entry, in order. Pairs are compared side by side (:func:`pairs_at_once`) while the next pair's
    pages already render, so neither the children nor the comparing threads wait on each other; that many pairs
    plus one are in memory at most."""
    at_once = pairs_at_once(analyses, dpi)
    entries: list[dict[str, Any]] = []
    pending: deque[Future[dict[str, Any]]] = deque()
    with ThreadPoolExecutor(at_once, "buildtrace-pair") as pool:
        for row, (pair, key) in enumerate(zip(pairs, _sheet_keys(pairs, *analyses), strict=True)):
            pages = _comparable(pair, analyses)
            renders = versions.submit(_rendered, pages, render_dpis(*pages, dpi)) if pages is not None else None
            alignment = manual[row] if manual else None
            entry = copy_context().run  # the sheet's spans are children of the caller's
            pending.append(pool.submit(entry, _sheet_entry, pair, key, versions, analyses, renders, out_dir, alignment))
            if len(pending) > at_once:
                entries.append(pending.popleft().result())
        entries.extend(future.result() for future in pending)
    return entries


def _grow(box: BBox, margin: tuple[float, float], page: PageAnalysis) -> BBox:
    dx, dy = margin
    return (
        max(0.0, box[0] - dx),
        max(0.0, box[1] - dy),
        min(page.width_pt, box[2] + dx),
        min(page.height_pt, box[3] + dy),
    )


def _box_to_old(box: BBox, matrix: np.ndarray) -> BBox:
    """New-sheet box -> old-sheet box through the inverse alignment (bounding box of the mapped corners)."""
    inverse = cv2.invertAffineTransform(np.asarray(matrix, np.float64))
    corners = (
        np.array([[box[0], box[1], 1.0], [box[2], box[1], 1.0], [box[0], box[3], 1.0], [box[2], box[3], 1.0]])
        @ inverse.T
    )
    low, high = corners.min(axis=0), corners.max(axis=0)
    return (float(low[0]), float(low[1]), float(high[0]), float(high[1]))


def _read_changed_text(
    result: PageComparison, docs: tuple[Document, Document], pages: tuple[PageAnalysis, PageAnalysis]
) -> list[Change]:
    """On pages read by OCR, the analysis only holds title-block words: OCR each change's surroundings instead.

    The changed ink may be one glyph of a value (``175,00`` -> ``176,50`` changes
    the last digits only), so the band read reaches along the text line and the
    region grows to the whole words it touches before they are compared. A
    change that ``needs_reading`` (little changed ink under words only one side
    had) stands only if both sides read as text and the texts differ: a glyph
    substitution, not a symbol OCR cannot read.
    """
    if not any(page.text_source == "ocr" for page in pages):
        return result.changes
    matrix = result.alignment.matrix
    old_finer, new_finer = finer_by(matrix_scale(matrix))

    def read(change: Change) -> Change | None:
        if change.kind == "moved":
            return change  # its words were matched where it was and where it is; a reading here would undo that
        new_box = _grow(change.bbox, CHANGE_TEXT_MARGIN_PT, pages[1])
        old_box = _grow(_box_to_old(new_box, matrix), (0.0, 0.0), pages[0])
        old_read = _band_words(docs[0], pages[0], old_box, OCR_DPI * old_finer)
        new_read = _band_words(docs[1], pages[1], new_box, OCR_DPI * new_finer)
        old_words, new_words = without_moved(map_words(old_read, matrix), new_read)
        box = snap_to_words(change.bbox, old_words + new_words)
        old_text, new_text = region_text(old_words, new_words, box)
        if change.needs_reading and (old_text is None or new_text is None):
            return None
        kind = "modified" if old_text is not None and new_text is not None else change.kind
        return dataclasses.replace(
            change, kind=kind, bbox=box, old_text=old_text, new_text=new_text, needs_reading=False
        )

    changes = [read_change for read_change in map(read, result.changes) if read_change is not None]
    return numbered(_without_overlaps(changes, read), result.sheet_key)


def _band_words(document: Document, page: PageAnalysis, band: BBox, dpi: float) -> list[Word] | tuple[Word, ...]:
    """The words of one band of a page: OCR of it, or the text layer's words there. Both sides are read over the
    same band, since a text layer's words elsewhere would pair with the band's as moved words and drop out of an
    added note (``EXISTING`` of another note taken for the added note's ``EXISTING``). OCR reads the smaller plot
    of a re-plotted sheet finer (``dpi``), so its smaller text is as many pixels tall as the larger plot's."""
    if page.text_source == "ocr":
        return ocr_region(document, page.index, band, dpi=min(dpi, MAX_RENDER_DPI))
    return words_centred_in(page.words, band)


def _without_overlaps(changes: list[Change], read: Callable[[Change], Change | None]) -> list[Change]:
    """Changes whose boxes grew into each other while reading are one change, read again over the joint box.

    A value whose fraction changed ink and whose first digits changed text
    (``41'-6"`` -> ``42'-9 1/4"``) would otherwise be reported twice, and
    neither part would say the whole value.
    """
    if len(changes) < 2:
        return changes
    clusters = cluster_boxes(np.array([change.bbox for change in changes]))
    merged = []
    for cluster in range(clusters.max() + 1):
        members = [change for change, label in zip(changes, clusters, strict=True) if label == cluster]
        if len(members) == 1:
            merged.extend(members)
            continue
        kinds = {change.kind for change in members}
        joint = dataclasses.replace(
            members[0],
            bbox=(
                min(change.bbox[0] for change in members),
                min(change.bbox[1] for change in members),
                max(change.bbox[2] for change in members),
                max(change.bbox[3] for change in members),
            ),
            kind=kinds.pop() if len(kinds) == 1 else "modified",
            confidence=max(change.confidence for change in members),
        )
        merged.append(read(joint) or joint)
    return merged


def _compare_pair(
    versions: _Versions,
    pages: tuple[PageAnalysis, PageAnalysis],
    renders: _Renders,
    key: str,
    out_dir: Path,
    manual: Alignment | None = None,
) -> dict[str, Any]:
    """Status, alignment, changes, overlay and crops of one matched pair."""
    with engine_stage("render", sheet=key):
        old, new = renders[0].result(), renders[1].result()
    with engine_stage("diff", sheet=key):
        result = compare_pages(old, new, sheet_key=key, manual=manual)
    entry: dict[str, Any] = {"alignment": alignment_to_dict(result.alignment), "changes": []}
    if not result.ok:
        return {
            **entry,
            "status": "modified",
            "error": {"kind": "unaligned", "message": result.reason or "alignment failed"},
        }
    with engine_stage("text", sheet=key):
        result = dataclasses.replace(result, changes=_read_changed_text(result, versions.docs, pages))
    if not result.changes:
        return {**entry, "status": "unchanged"}
    with engine_stage("overlay", sheet=key):
        overlay = write_overlay(result, old, new, out_dir / "overlays" / f"{key}.png")
        crops = write_crops(result, old, new, out_dir / "crops")

    def with_crops(change: Change) -> Change:
        relative = {side: path.relative_to(out_dir).as_posix() for side, path in crops[change.id].items()}
        return dataclasses.replace(change, extra={**change.extra, "crops": relative})

    entry["changes"] = [change_to_dict(with_crops(change)) for change in result.changes]
    return {**entry, "status": "modified", "overlay": overlay.relative_to(out_dir).as_posix()}


def _sheet_entry(
    pair: SheetPair,
    key: str,
    versions: _Versions,
    analyses: tuple[DocumentAnalysis, DocumentAnalysis],
    renders: _Renders | None,
    out_dir: Path,
    manual: Alignment | None = None,
) -> dict[str, Any]:
    old = analyses[0].pages[pair.old_page] if pair.old_page is not None else None
    new = analyses[1].pages[pair.new_page] if pair.new_page is not None else None
    shown = new or old
    assert shown is not None
    entry: dict[str, Any] = {
        "key": key,
        "sheet_number": shown.sheet.number,
        "title": shown.sheet.title,
        "old_page": pair.old_page,
        "new_page": pair.new_page,
        "matched_by": pair.basis,
    }
    broken = next((page.error for page in (old, new) if page is not None and page.error), None)
    if old is None or new is None:
        entry.update(status="added" if old is None else "removed", changes=[])
    elif broken or renders is None:
        entry.update(status="modified", changes=[])
    else:
        try:
            entry.update(_compare_pair(versions, (old, new), renders, key, out_dir, manual))
        except BadInputError as exc:
            broken = str(exc)
            entry.update(status="modified", changes=[])
    if broken:
        entry["error"] = {"kind": "bad_page", "message": broken}
    return entry


def compare_documents(
    old_path: Path | str,
    new_path: Path | str,
    out_dir: Path | str,
    *,
    dpi: float | None = None,
    old_analysis: DocumentAnalysis | None = None,
    new_analysis: DocumentAnalysis | None = None,
    alignments: Mapping[str, Sequence[PointPair]] | None = None,
) -> dict[str, Any]:
    """Compare two versions; write ``changes.json``, ``overlays/`` and ``crops/`` into ``out_dir``; return the document.

    Stored analyses are reused when given (and checked against the files' hashes). ``alignments`` gives point pairs
    by sheet key or number: those sheets are aligned by them instead of automatically; point pairs that cannot
    align their sheet, or name no sheet found in both versions, are a :class:`ManualAlignmentError` before any
    sheet is compared.
    """
    resolution = float(dpi or get_settings().dpi)
    out = Path(out_dir)
    prepare_for_rasters()
    with _open_versions(old_path, new_path) as versions:
        with engine_stage("load"):
            pairs, analyses = _paired(versions, versions.both(_stored_or_analyzed, (old_analysis, new_analysis)))
        manual = _manual_alignments(alignments or {}, pairs, analyses)
        sheets = _compared_sheets(versions, analyses, pairs, resolution, out, manual)
    document = {
        "schema": SCHEMA_ID,
        "old": {"file": Path(old_path).name, "pages": len(analyses[0].pages)},
        "new": {"file": Path(new_path).name, "pages": len(analyses[1].pages)},
        "dpi": resolution,
        "sheets": sheets,
    }
    validate_changes(document)
    write_json_atomic(document, out / "changes.json")
    return document
