"""The PDF report of a comparison: what someone sends to the team after a revision comes in.

A cover (project, drawing, old → new with dates and uploaders, who reviewed,
counts by impact, the summary in force with each item's change ids, every
sheet with its status), then for each changed sheet a page at the sheet's own
paper size showing the overlay with numbered callouts, followed by its change
table with before/after crops. Every page carries the job id and the
generation time.

Pages are written one at a time and a sheet page is appended compressed
(:mod:`.pages`), so only the current sheet's images are held in memory and a
50-sheet set stays within the engine's memory target. Fonts embedded by each
appended page are merged when the report is saved (``garbage=3``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf

from buildtrace_assets.engine.documents import Document, open_document
from buildtrace_assets.engine.legend import LEGEND
from buildtrace_assets.reports.callouts import RGB, centre, kind_colour, label_size, outline, place_callout
from buildtrace_assets.reports.inputs import FileReader, ReportFacts, ReportInput, VersionFacts
from buildtrace_assets.reports.pages import appended_page
from buildtrace_assets.reports.rows import ChangeRow, change_rows, sheet_label, sheet_problem
from buildtrace_assets.storage.atomic import atomic_write
from buildtrace_assets.summaries.overlays import sheet_key

LETTER_LANDSCAPE = (792.0, 612.0)
MARGIN = 36.0
FOOTER_PT = 7.0
BLACK: RGB = (0.0, 0.0, 0.0)
GRAY: RGB = (0.35, 0.35, 0.35)
RULE: RGB = (0.8, 0.8, 0.8)
IMPACTS = ("high", "medium", "low")
PREVIEW_DPI = 100.0
"""Resolution of a sheet shown without an overlay image (a reviewer added changes to it)."""
TABLE_COLUMNS: tuple[tuple[str, float], ...] = (
    ("id", 64.0),
    ("kind", 74.0),
    ("location", 118.0),
    ("old → new", 150.0),
    ("impact", 46.0),
    ("before", 134.0),
    ("after", 134.0),
)
ROW_PT = 104.0
ROWS_PER_PAGE = 4
"""Rows under the heading and column titles (~40 pt) of a letter page, above the footer."""
CELL_PAD = 4.0
CELL_TEXT_PT = 8.0


class _Writer:
    """The report's PDF and its two fonts; text is set with PyMuPDF's ``TextWriter`` (any Unicode)."""

    def __init__(self, facts: ReportFacts) -> None:
        self.pdf = pymupdf.open()
        self.facts = facts
        self.regular = pymupdf.Font("helv")
        self.bold = pymupdf.Font("hebo")

    def page(self, size: tuple[float, float] = LETTER_LANDSCAPE) -> pymupdf.Page:
        return self.pdf.new_page(width=size[0], height=size[1])

    def text(
        self,
        page: pymupdf.Page,
        rect: Sequence[float],
        text: str,
        size: float,
        *,
        bold: bool = False,
        colour: RGB = BLACK,
        align: int = pymupdf.TEXT_ALIGN_LEFT,
    ) -> tuple[float, list[str]]:
        """Set ``text`` in ``rect``; the y below the last line and the lines that did not fit."""
        writer = pymupdf.TextWriter(page.rect, color=colour)
        rest = writer.fill_textbox(
            pymupdf.Rect(rect), text, font=self.bold if bold else self.regular, fontsize=size, align=align
        )
        writer.write_text(page)
        return writer.last_point.y + size * 0.35, [line for line, _ in rest]

    def footers(self) -> None:
        """Job id, generation time and page number at the foot of every page."""
        total = self.pdf.page_count
        for number in range(1, total + 1):
            page = self.pdf.load_page(number - 1)
            width, height = page.rect.width, page.rect.height
            size = max(FOOTER_PT, label_size(width, height) * 0.6)
            self.text(
                page,
                (MARGIN, height - MARGIN * 0.5 - size * 1.6, width - MARGIN, height),
                f"{self.facts.footer} · page {number} of {total}",
                size,
                colour=GRAY,
            )

    def save(self, out: Path) -> Path:
        self.footers()
        with atomic_write(out) as handle:
            self.pdf.save(handle, garbage=3, deflate=True)
        self.pdf.close()
        return out


class _Flow:
    """Paragraphs down letter pages, starting a new page when one is full."""

    def __init__(self, writer: _Writer) -> None:
        self.writer = writer
        self.page: pymupdf.Page | None = None
        self.y = MARGIN

    @property
    def bottom(self) -> float:
        return LETTER_LANDSCAPE[1] - MARGIN * 1.5

    def paragraph(self, text: str, size: float = 10.0, *, bold: bool = False, colour: RGB = BLACK) -> None:
        if self.page is None or self.y + size * 1.4 > self.bottom:
            self.page, self.y = self.writer.page(), MARGIN
        rect = (MARGIN, self.y, LETTER_LANDSCAPE[0] - MARGIN, self.bottom)
        self.y, rest = self.writer.text(self.page, rect, text, size, bold=bold, colour=colour)
        self.y += size * 0.4
        if rest:
            self.page = None
            self.paragraph(" ".join(rest), size, bold=bold, colour=colour)

    def gap(self, points: float = 8.0) -> None:
        self.y += points


def _version(label: str, facts: VersionFacts) -> str:
    when = f", uploaded {facts.uploaded_at:%Y-%m-%d %H:%M} UTC" if facts.uploaded_at else ""
    who = f" by {facts.uploaded_by}" if facts.uploaded_by else ""
    return f"{label}: {facts.label} ({facts.filename}{when}{who})"


def _sheet_note(sheet: Mapping[str, Any], changes: int) -> str:
    problem = sheet_problem(sheet)
    if problem:
        return problem
    if sheet["status"] == "modified":
        return f"modified, {changes} change{'s' if changes != 1 else ''}"
    return {"added": "added in the new revision", "removed": "removed from the set"}.get(sheet["status"], "unchanged")


def _cover(flow: _Flow, report: ReportInput, rows: Sequence[ChangeRow]) -> None:
    facts = report.facts
    flow.paragraph("Drawing change report", 20, bold=True)
    flow.paragraph(f"{facts.project + ' · ' if facts.project else ''}{facts.drawing}", 13, bold=True)
    flow.gap(4)
    flow.paragraph(_version("Old", facts.old), 10)
    flow.paragraph(_version("New", facts.new), 10)
    reviewed = ", ".join(facts.reviewers) if facts.reviewers else "nobody yet (the machine's result)"
    flow.paragraph(f"Reviewed by: {reviewed}", 10)
    if facts.summary_source:
        flow.paragraph(f"Summary: {facts.summary_source}", 10)
    impacts = Counter(row.impact or "not rated" for row in rows)
    counts = ", ".join(f"{impacts[name]} {name}" for name in (*IMPACTS, "not rated") if impacts[name])
    flow.paragraph(f"{len(rows)} change{'s' if len(rows) != 1 else ''} by impact: {counts or 'none'}", 10, bold=True)
    flow.gap()
    flow.paragraph("Summary", 13, bold=True)
    flow.paragraph(str(report.summary.get("overall") or "No summary text."), 10)
    for item in report.summary.get("items") or []:
        ids = f" ({', '.join(item.get('change_ids') or [])})" if item.get("change_ids") else ""
        flow.paragraph(f"• [{item.get('impact', '')}] {item.get('sheet', '')}: {item.get('text', '')}{ids}", 9)
    flow.gap()
    flow.paragraph("Sheets", 13, bold=True)
    per_sheet = Counter(row.sheet_key for row in rows)
    for sheet in report.document["sheets"]:
        title = f" {sheet['title']}" if sheet.get("title") else ""
        note = _sheet_note(sheet, per_sheet[sheet_key(sheet)])
        flow.paragraph(f"{sheet_label(sheet)}{title}: {note}", 9)


def _legend(writer: _Writer, page: pymupdf.Page, size: float) -> None:
    """The colour key under the sheet's title box."""
    x, y = MARGIN, MARGIN + size * 2.2
    for entry in LEGEND:
        colour = tuple(channel / 255 for channel in entry.rgb)
        page.draw_rect((x, y, x + size, y + size), color=colour, fill=colour)
        writer.text(page, (x + size * 1.3, y - size * 0.1, x + size * 9, y + size * 1.5), entry.label, size)
        x += size * 8


def _callout(writer: _Writer, page: pymupdf.Page, row: ChangeRow, size: float) -> None:
    """The change's outline, numbered label and leader; a move also gets its old outline and an arrow."""
    colour = kind_colour(row.kind)
    box = outline(row.bbox)
    width = max(1.0, size / 10)
    page.draw_rect(box, color=colour, width=width)
    if row.from_bbox is not None:
        page.draw_rect(outline(row.from_bbox), color=colour, width=width, dashes=f"[{size / 3}] 0")
        _arrow(page, centre(row.from_bbox), centre(row.bbox), colour, width)
    callout = place_callout(box, row.number, size, (page.rect.width, page.rect.height))
    page.draw_line(callout.knee, callout.tip, color=colour, width=width)
    page.draw_rect(callout.label, color=colour, fill=(1, 1, 1), width=width)
    label = pymupdf.Rect(callout.label)
    writer.text(
        page,
        (label.x0, label.y0 + size * 0.15, label.x1, label.y1 + size),
        row.number,
        size,
        bold=True,
        colour=colour,
        align=pymupdf.TEXT_ALIGN_CENTER,
    )


def _arrow(page: pymupdf.Page, start: tuple[float, float], end: tuple[float, float], colour: RGB, width: float) -> None:
    page.draw_line(start, end, color=colour, width=width)
    direction = np.subtract(end, start)
    length = float(np.hypot(*direction)) or 1.0
    unit = direction / length
    head = 6 * width
    base = np.asarray(end) - unit * head
    normal = np.array([-unit[1], unit[0]]) * head * 0.5
    page.draw_polyline([tuple(end), tuple(base + normal), tuple(base - normal), tuple(end)], color=colour, fill=colour)


def _preview(new: Document, page: int) -> pymupdf.Pixmap:
    """The new sheet, for a sheet with changes but no overlay image (a reviewer added them)."""
    raster = np.ascontiguousarray(new.render(page, PREVIEW_DPI))
    return pymupdf.Pixmap(pymupdf.csGRAY, raster.shape[1], raster.shape[0], raster.tobytes(), False)


def _sheet_page(
    writer: _Writer, report: ReportInput, sheet: Mapping[str, Any], rows: Sequence[ChangeRow], new: Document
) -> None:
    """The sheet at its own paper size: the overlay (or the new sheet), its key and a numbered callout per change."""
    size_pt = (float(sheet["width_pt"]), float(sheet["height_pt"]))
    with appended_page(writer.pdf, *size_pt) as page:
        if sheet.get("overlay"):
            page.insert_image(page.rect, stream=report.read_file(sheet["overlay"]))
        else:
            page.insert_image(page.rect, pixmap=_preview(new, sheet["new_page"]))
        size = label_size(*size_pt)
        title = f"{sheet_label(sheet)}{' · ' + sheet['title'] if sheet.get('title') else ''} · {len(rows)} change(s)"
        box = (MARGIN - 4, MARGIN - 4, MARGIN + size * 34, MARGIN + size * 3.6)
        page.draw_rect(box, color=RULE, fill=(1, 1, 1))
        writer.text(page, (MARGIN, MARGIN, MARGIN + size * 34, MARGIN + size * 2), title, size, bold=True)
        _legend(writer, page, size * 0.8)
        for row in rows:
            _callout(writer, page, row, size)


def _table_header(writer: _Writer, page: pymupdf.Page, heading: str) -> float:
    y, _ = writer.text(page, (MARGIN, MARGIN, LETTER_LANDSCAPE[0] - MARGIN, MARGIN + 20), heading, 13, bold=True)
    x = MARGIN
    for name, width in TABLE_COLUMNS:
        writer.text(page, (x + CELL_PAD, y + 4, x + width, y + 18), name, 8.5, bold=True)
        x += width
    page.draw_line((MARGIN, y + 18), (LETTER_LANDSCAPE[0] - MARGIN, y + 18), color=GRAY, width=0.8)
    return y + 20


def _cell(writer: _Writer, page: pymupdf.Page, rect: Sequence[float], text: str) -> None:
    """Text cut to the cell, ending in an ellipsis when it is longer."""
    _, rest = writer.text(page, rect, text, CELL_TEXT_PT)
    if rest:
        writer.text(page, (rect[0], rect[3] - CELL_TEXT_PT * 1.3, rect[2], rect[3] + 4), "…", CELL_TEXT_PT)


def _crop(
    writer: _Writer, page: pymupdf.Page, rect: Sequence[float], change: Mapping[str, Any], side: str, read: FileReader
) -> None:
    reference = (change.get("crops") or {}).get(side)
    if reference is None:
        writer.text(page, rect, "drawn by a reviewer: no crop", CELL_TEXT_PT, colour=GRAY)
        return
    page.insert_image(rect, stream=read(reference), keep_proportion=True)


def _table_row(
    writer: _Writer, page: pymupdf.Page, y: float, row: ChangeRow, change: Mapping[str, Any], read: FileReader
) -> None:
    """One change: its id in the kind's colour, the text cells, and the before/after crops."""
    x = MARGIN
    id_width = TABLE_COLUMNS[0][1]
    writer.text(
        page,
        (x + CELL_PAD, y + CELL_PAD, x + id_width, y + 20),
        row.change_id,
        9,
        bold=True,
        colour=kind_colour(row.kind),
    )
    x += id_width
    cells = (row.kind_text, row.location, row.change_text or "—", row.impact or "—")
    for text, (_, width) in zip(cells, TABLE_COLUMNS[1:], strict=False):
        _cell(writer, page, (x + CELL_PAD, y + CELL_PAD, x + width - CELL_PAD, y + ROW_PT - CELL_PAD), text)
        x += width
    for side, (_, width) in zip(("old", "new"), TABLE_COLUMNS[-2:], strict=True):
        _crop(
            writer, page, (x + CELL_PAD, y + CELL_PAD, x + width - CELL_PAD, y + ROW_PT - CELL_PAD), change, side, read
        )
        x += width
    page.draw_line((MARGIN, y + ROW_PT), (LETTER_LANDSCAPE[0] - MARGIN, y + ROW_PT), color=RULE, width=0.5)


def _table(writer: _Writer, report: ReportInput, sheet: Mapping[str, Any], rows: Sequence[ChangeRow]) -> None:
    """The sheet's changes, a fixed-height row each with before/after crops, :data:`ROWS_PER_PAGE` to a page."""
    heading = f"{sheet_label(sheet)}{' — ' + sheet['title'] if sheet.get('title') else ''}: changes"
    changes = {change["id"]: change for change in sheet["changes"]}
    for first in range(0, len(rows), ROWS_PER_PAGE):
        with appended_page(writer.pdf, *LETTER_LANDSCAPE) as page:
            y = _table_header(writer, page, heading)
            for row in rows[first : first + ROWS_PER_PAGE]:
                _table_row(writer, page, y, row, changes[row.change_id], report.read_file)
                y += ROW_PT


def _sized_sheets(report: ReportInput, sizes: Sequence[tuple[float, float]]) -> list[dict[str, Any]]:
    """The document's changed sheets (new side present, changes in force) with their paper size."""
    sheets = []
    for sheet in report.document["sheets"]:
        if sheet.get("new_page") is not None and sheet["changes"]:
            width, height = sizes[sheet["new_page"]]
            sheets.append({**sheet, "width_pt": width, "height_pt": height})
    return sheets


def write_report(report: ReportInput, out: Path) -> Path:
    """Write the report to ``out``, all or nothing (a missing overlay or crop raises before anything is saved)."""
    rows = change_rows(report)
    writer = _Writer(report.facts)
    _cover(_Flow(writer), report, rows)
    by_sheet = {key: list(group) for key, group in groupby(rows, key=lambda row: row.sheet_key)}
    with open_document(report.new_file) as new:
        for sheet in _sized_sheets(report, [(info.width_pt, info.height_pt) for info in new.pages]):
            sheet_rows = by_sheet.get(sheet_key(sheet), [])
            _sheet_page(writer, report, sheet, sheet_rows, new)
            _table(writer, report, sheet, sheet_rows)
    return writer.save(out)
