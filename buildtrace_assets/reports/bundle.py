"""Every report document by its file name, so the API, the CLI and the portal offer the same four."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from buildtrace_assets.reports.change_log import log_rows, write_csv, write_xlsx
from buildtrace_assets.reports.inputs import ReportInput
from buildtrace_assets.reports.markups import write_markups
from buildtrace_assets.reports.report_pdf import write_report


@dataclass(frozen=True)
class ReportDocument:
    name: str
    label: str
    """What a download button says."""
    content_type: str
    description: str
    """What the document is, for the API's documentation."""
    write: Callable[[ReportInput, Path], Path]


DOCUMENTS: dict[str, ReportDocument] = {
    document.name: document
    for document in (
        ReportDocument(
            "report.pdf",
            "Download report",
            "application/pdf",
            "The PDF report: cover with the summary, each changed sheet with numbered callouts, change tables.",
            write_report,
        ),
        ReportDocument(
            "markups.pdf",
            "Download marked-up PDF",
            "application/pdf",
            "The new revision with each change as a cloud annotation and a numbered callout (Bluebeam, Acrobat).",
            write_markups,
        ),
        ReportDocument(
            "changes.csv",
            "Download change log (CSV)",
            "text/csv",
            "The change log, one row per change (UTF-8 with a byte-order mark).",
            lambda report, out: write_csv(log_rows(report), out),
        ),
        ReportDocument(
            "changes.xlsx",
            "Download change log (XLSX)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "The change log as a workbook with a header row, filters and frozen panes.",
            lambda report, out: write_xlsx(log_rows(report), out),
        ),
    )
}


def write_documents(report: ReportInput, folder: Path, names: Iterable[str] = DOCUMENTS) -> list[Path]:
    """Write the named documents into ``folder``; each file appears whole or not at all."""
    return [DOCUMENTS[name].write(report, folder / name) for name in names]
