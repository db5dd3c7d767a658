"""The change log: one row per change, as CSV and as an XLSX workbook people sort, filter and annotate.

The workbook has a bold header row with filters and frozen panes, so it reads
like a hand-kept log from the first open. Machine changes the reviewer
rejected stay in the log, marked so, which is what a reviewer's status is for.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from buildtrace_assets.reports.inputs import ReportInput
from buildtrace_assets.reports.rows import ChangeRow, change_rows, rejected_rows
from buildtrace_assets.storage.atomic import atomic_write

COLUMNS: tuple[tuple[str, int], ...] = (
    ("sheet", 10),
    ("id", 14),
    ("kind", 10),
    ("offset", 22),
    ("location", 32),
    ("old", 28),
    ("new", 28),
    ("impact", 9),
    ("summary", 60),
    ("reviewer status", 20),
)
"""Header and XLSX column width (characters) of each column."""
HEADER_FILL = PatternFill("solid", start_color="DDE3EA")


def log_rows(report: ReportInput) -> list[ChangeRow]:
    """The changes in force, then the machine's changes the reviewer rejected."""
    return change_rows(report) + rejected_rows(report)


def _values(row: ChangeRow) -> list[str]:
    return [
        row.sheet,
        row.change_id,
        row.kind,
        row.offset,
        row.location,
        row.old,
        row.new,
        row.impact,
        row.summary,
        row.status,
    ]


def write_csv(rows: Sequence[ChangeRow], path: Path) -> Path:
    """UTF-8 with a byte-order mark, so spreadsheet programs read arrows and primes (′ ″) right."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([name for name, _ in COLUMNS])
    writer.writerows(_values(row) for row in rows)
    with atomic_write(path) as handle:
        handle.write(text.getvalue().encode("utf-8-sig"))
    return path


def write_xlsx(rows: Sequence[ChangeRow], path: Path) -> Path:
    """One sheet ``Changes``: header row, filters over every column, panes frozen below the header and ids."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "Changes"
    sheet.append([name for name, _ in COLUMNS])
    for row in rows:
        sheet.append(_values(row))
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    wrap = Alignment(wrap_text=True, vertical="top")
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = wrap
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, len(rows) + 1)}"
    sheet.freeze_panes = "C2"
    with atomic_write(path) as handle:
        workbook.save(handle)
    return path
