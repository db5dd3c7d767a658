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
    write: Callable[[ReportInput, Path], Path]


DOCUMENTS: dict[str, ReportDocument] = {
    document.name: document
    for document in (
        ReportDocument("report.pdf", "Download report", "application/pdf", write_report),
        ReportDocument("markups.pdf", "Download marked-up PDF", "application/pdf", write_markups),
        ReportDocument(
            "changes.csv", "Download change log (CSV)", "text/csv", lambda report, out: write_csv(log_rows(report), out)
        ),
        ReportDocument(
            "changes.xlsx",
            "Download change log (XLSX)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            lambda report, out: write_xlsx(log_rows(report), out),
        ),
    )
}


def write_documents(report: ReportInput, folder: Path, names: Iterable[str] = DOCUMENTS) -> list[Path]:
    """Write the named documents into ``folder``; each file appears whole or not at all."""
    return [DOCUMENTS[name].write(report, folder / name) for name in names]
