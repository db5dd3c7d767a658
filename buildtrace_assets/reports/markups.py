"""The marked-up PDF: the new revision with every change added as a native PDF annotation.

Each change becomes a cloud-bordered rectangle (the PDF border effect
"cloudy", ``/BE /S /C``) in the legend's colour, a numbered callout grouped
with it (``/IRT`` + ``/RT /Group``, so Bluebeam's and Acrobat's markups lists
show one entry per change), and for a move the block's old outline dashed
with an arrow to the new place. The cloud's contents carry the change's kind,
old → new text and summary sentence; author and subject are set, so the
markups list reads like a reviewer's. Sheets the comparison could not align
get a note saying why.

A PDF revision keeps its pages as they are (vector content stays vector:
only annotations are added), and is opened in a sandboxed child like every
uploaded file. A PNG, JPG or DXF revision has no PDF to annotate: its pages
are rendered (:data:`RENDER_DPI`) into a new PDF of the same paper sizes,
which is then annotated the same way.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf

from buildtrace_assets.engine.documents import detect_kind, open_document
from buildtrace_assets.engine.errors import BadInputError
from buildtrace_assets.engine.sandbox import Sandbox
from buildtrace_assets.reports.callouts import centre, kind_colour, label_size, outline, place_callout
from buildtrace_assets.reports.inputs import ReportError, ReportInput
from buildtrace_assets.reports.pages import appended_page
from buildtrace_assets.reports.rows import ChangeRow, change_rows, sheet_label, sheet_problem
from buildtrace_assets.storage.keys import TEMP_PREFIX

AUTHOR = "BuildTrace"
RENDER_DPI = 150.0
SAVE_TIMEOUT_S = 600.0
"""Saving a large set is one request to the child; it may take longer than rendering a page."""


def _subject(row: ChangeRow) -> str:
    return f"Revision cloud · {row.kind}"


def _mark(row: ChangeRow, page_size: tuple[float, float]) -> dict[str, Any]:
    """Everything the child draws for one change, as plain data."""
    cloud = outline(row.bbox)
    size = label_size(*page_size)
    callout = place_callout(cloud, row.number, size, page_size)
    mark: dict[str, Any] = {
        "page": row.new_page,
        "cloud": cloud,
        "colour": kind_colour(row.kind),
        "label": callout.label,
        "tip": callout.tip,
        "knee": callout.knee,
        "number": row.number,
        "size": size,
        "author": AUTHOR,
        "subject": _subject(row),
        "contents": row.description,
        "from": None,
    }
    if row.from_bbox is not None:
        mark["from"] = outline(row.from_bbox)
        mark["arrow"] = (centre(row.from_bbox), centre(row.bbox))
    return mark


def _notes(document: Mapping[str, Any]) -> list[tuple[int, str]]:
    return [
        (sheet["new_page"], f"BuildTrace: sheet {sheet_label(sheet)} {problem}; no changes are marked on it.")
        for sheet in document["sheets"]
        if sheet.get("new_page") is not None and (problem := sheet_problem(sheet))
    ]


def _rendered_pdf(source: Path, target: Path) -> Path:
    """A PDF whose pages are the rendered pages of an image or DXF revision, at their paper sizes."""
    pdf = pymupdf.open()
    with open_document(source) as document:
        for info in document.pages:
            with appended_page(pdf, info.width_pt, info.height_pt) as page:
                if info.error:
                    continue
                raster = np.ascontiguousarray(document.render(info.index, RENDER_DPI))
                pixmap = pymupdf.Pixmap(pymupdf.csGRAY, raster.shape[1], raster.shape[0], raster.tobytes(), False)
                page.insert_image(page.rect, pixmap=pixmap)
    pdf.save(target, garbage=1, deflate=True)
    pdf.close()
    return target


def annotate(pdf: Path, rows: Sequence[ChangeRow], notes: Sequence[tuple[int, str]], out: Path) -> Path:
    """Write ``pdf`` with the rows' clouds and callouts and the notes to ``out``, all or nothing."""
    partial = out.with_name(f"{TEMP_PREFIX}{out.name}")
    try:
        with Sandbox(f"{__package__}.markup_writer:MarkupWriter", str(pdf)) as writer:
            sizes = writer.call("page_sizes")
            for row in rows:
                if row.new_page is None or not 0 <= row.new_page < len(sizes):
                    raise ReportError(f"change {row.change_id} names page {row.new_page}, not in {pdf.name}")
                writer.call("cloud", _mark(row, sizes[row.new_page]))
            for page, text in notes:
                writer.call("note", page, AUTHOR, text)
            writer.call("save", str(partial), timeout_s=SAVE_TIMEOUT_S)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def write_markups(report: ReportInput, out: Path) -> Path:
    """The new revision marked up with the changes in force (see the module's docstring for non-PDF revisions)."""
    try:
        kind, _ = detect_kind(report.new_file)
        rows = change_rows(report)
        notes = _notes(report.document)
        if kind == "pdf":
            return annotate(report.new_file, rows, notes, out)
        with tempfile.TemporaryDirectory(prefix="buildtrace-markups-") as scratch:
            rendered = _rendered_pdf(report.new_file, Path(scratch) / "rendered.pdf")
            return annotate(rendered, rows, notes, out)
    except BadInputError as error:
        raise ReportError(f"cannot mark up {report.new_file.name}: {error}") from error
