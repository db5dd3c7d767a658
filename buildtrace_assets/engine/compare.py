"""Compare two revisions of a drawing set and write ``buildtrace.changes/v1``.

Two steps with a stored result in between: :func:`analyze_document`
(:mod:`~buildtrace_assets.engine.analysis`) reads one version (page sizes, text,
sheet identity, thumbnail) and is kept per drawing version, so every job that
touches the version reuses it; :func:`compare_documents`
pairs the sheets and compares a pair by rendering both pages, diffing them
and writing the overlay and crops; at most ``PAIRS_AT_ONCE`` pairs, and the
next one's pages, are in memory at a time, so memory stays flat in the number
of sheets.

Each version has its own sandboxed child (:mod:`~buildtrace_assets.engine.versions`), so the two are opened, analysed
and rendered side by side (the parent's threads only wait on the children),
and up to ``PAIRS_AT_ONCE`` pairs are compared at once while the next pair's
pages render: while one pair waits for its pages or has its pictures encoded
(both outside the GIL), another is diffed.
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from contextvars import copy_context
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from threading import Thread
from typing import Any, cast

from buildtrace_assets.engine.analysis import (
    DocumentAnalysis,
    PageAnalysis,
    analyze_document,
    stored_or_analyzed,
    with_thumbnails,
)
from buildtrace_assets.engine.analysis_cache import AnalysisCache
from buildtrace_assets.engine.change_text import read_changed_text
from buildtrace_assets.engine.contract import (
    SCHEMA_ID,
    alignment_to_dict,
    change_to_dict,
    changes_validator,
    validate_changes,
    write_json_atomic,
)
from buildtrace_assets.engine.documents import Document
from buildtrace_assets.engine.errors import BadInputError
from buildtrace_assets.engine.manual_alignment import PointPair, SheetRow, alignments_for
from buildtrace_assets.engine.matching import SheetPair, match_sheets
from buildtrace_assets.engine.memory import prepare_for_rasters
from buildtrace_assets.engine.model import Alignment, Change, RenderedPage
from buildtrace_assets.engine.overlay import write_crops, write_overlay
from buildtrace_assets.engine.pagediff import compare_pages
from buildtrace_assets.engine.plot_scale import render_dpis
from buildtrace_assets.engine.text import OCR_TIMEOUT_S
from buildtrace_assets.engine.timings import Timings
from buildtrace_assets.engine.versions import Versions, open_versions

__all__ = ["DocumentAnalysis", "PageAnalysis", "analyze_document", "compare_documents", "pairs_at_once"]

DEFAULT_DPI = 150.0
"""The raster resolution when the caller's settings give none (``Settings.dpi``'s default)."""
PAIRS_AT_ONCE = 2
"""Sheet pairs compared side by side, each holding its two pages and the comparison's arrays (~8 bytes per page
pixel); one more pair has its pages rendered ahead."""
PAIRED_PAGE_PIXELS = 24_000_000
"""Above this many pixels per page raster (ARCH D at 150 DPI has 19.4 million, ARCH E1 28.4 million), one pair at a
time: two pairs of larger sheets, or of finer rasters, would take the comparison past its memory target."""


def _paired(
    versions: Versions, analyses: tuple[DocumentAnalysis, DocumentAnalysis]
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
    analyses = versions.both(with_thumbnails, analyses, (removed, added))
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


_Renders = tuple["Future[RenderedPage]", "Future[RenderedPage]"]


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


@dataclass(frozen=True)
class _Run:
    """What every sheet of one comparison shares: where results go, where the seconds are counted, OCR's limit."""

    out_dir: Path
    timings: Timings
    ocr_timeout_s: float


def _compared_sheets(
    versions: Versions,
    analyses: tuple[DocumentAnalysis, DocumentAnalysis],
    pairs: list[SheetPair],
    dpi: float,
    run: _Run,
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
            sheet = partial(_sheet_entry, pair, key, versions, analyses, renders, run, alignment)
            pending.append(pool.submit(entry, sheet))
            if len(pending) > at_once:
                entries.append(pending.popleft().result())
        entries.extend(future.result() for future in pending)
    return entries


def _compare_pair(
    versions: Versions,
    pages: tuple[PageAnalysis, PageAnalysis],
    renders: _Renders,
    key: str,
    run: _Run,
    manual: Alignment | None = None,
) -> dict[str, Any]:
    """Status, alignment, changes, overlay and crops of one matched pair."""
    with run.timings.stage("render", key):
        old, new = renders[0].result(), renders[1].result()
    with run.timings.stage("diff", key):
        result = compare_pages(old, new, sheet_key=key, manual=manual)
    entry: dict[str, Any] = {"alignment": alignment_to_dict(result.alignment), "changes": []}
    if not result.ok:
        return {
            **entry,
            "status": "modified",
            "error": {"kind": "unaligned", "message": result.reason or "alignment failed"},
        }
    with run.timings.stage("text", key):
        result = dataclasses.replace(result, changes=read_changed_text(result, versions.docs, pages, run.ocr_timeout_s))
    if not result.changes:
        return {**entry, "status": "unchanged"}
    with run.timings.stage("overlay", key):
        overlay = write_overlay(result, old, new, run.out_dir / "overlays" / f"{key}.png")
        crops = write_crops(result, old, new, run.out_dir / "crops")

    def with_crops(change: Change) -> Change:
        relative = {side: path.relative_to(run.out_dir).as_posix() for side, path in crops[change.id].items()}
        return dataclasses.replace(change, extra={**change.extra, "crops": relative})

    entry["changes"] = [change_to_dict(with_crops(change)) for change in result.changes]
    return {**entry, "status": "modified", "overlay": overlay.relative_to(run.out_dir).as_posix()}


def _sheet_entry(
    pair: SheetPair,
    key: str,
    versions: Versions,
    analyses: tuple[DocumentAnalysis, DocumentAnalysis],
    renders: _Renders | None,
    run: _Run,
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
            entry.update(_compare_pair(versions, (old, new), renders, key, run, manual))
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
    dpi: float = DEFAULT_DPI,
    ocr_timeout_s: float = OCR_TIMEOUT_S,
    old_analysis: DocumentAnalysis | None = None,
    new_analysis: DocumentAnalysis | None = None,
    alignments: Mapping[str, Sequence[PointPair]] | None = None,
    cache: AnalysisCache | None = None,
) -> dict[str, Any]:
    """Compare two versions; write ``changes.json``, ``overlays/`` and ``crops/`` into ``out_dir``; return the document.

    Stored analyses are reused when given (and checked against the files' hashes). ``alignments`` gives point pairs
    by sheet key or number: those sheets are aligned by them instead of automatically; point pairs that cannot
    align their sheet, or name no sheet found in both versions, are a :class:`ManualAlignmentError` before any
    sheet is compared. Without stored analyses, ``cache`` is asked for them by the files' content, and keeps the
    analyses this comparison made.
    """
    resolution = float(dpi)
    timings = Timings()
    prepare_for_rasters()
    # The schema's validator is built while this thread mostly waits on the children, not after the last sheet.
    schema = Thread(target=changes_validator, name="buildtrace-schema", daemon=True)
    schema.start()
    with ExitStack() as stack:
        with timings.stage("open"):
            versions = stack.enter_context(open_versions(old_path, new_path))
        with timings.stage("load"):
            stored = (old_analysis, new_analysis)
            if cache is not None:
                stored = (old_analysis or cache.get(old_path), new_analysis or cache.get(new_path))
            # the first pages render at the comparison's resolution while the title blocks are read by OCR
            ahead = ((0, resolution),) * 2
            pairs, analyses = _paired(versions, versions.both(stored_or_analyzed, stored, (ocr_timeout_s,) * 2, ahead))
            if cache is not None:
                for analysis in analyses:
                    cache.put(analysis)
        manual = _manual_alignments(alignments or {}, pairs, analyses)
        sheets = _compared_sheets(
            versions, analyses, pairs, resolution, _Run(Path(out_dir), timings, ocr_timeout_s), manual
        )
    document = {
        "schema": SCHEMA_ID,
        "old": {"file": Path(old_path).name, "pages": len(analyses[0].pages)},
        "new": {"file": Path(new_path).name, "pages": len(analyses[1].pages)},
        "dpi": resolution,
        "sheets": sheets,
        "timings": timings.to_json(),
    }
    schema.join()
    validate_changes(document)
    write_json_atomic(document, Path(out_dir) / "changes.json")
    return document
