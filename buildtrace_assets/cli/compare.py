"""``buildtrace compare OLD NEW --out DIR``: the engine on two files, no database, no Dagster."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from buildtrace_assets.config import get_settings
from buildtrace_assets.engine.analysis_cache import AnalysisCache
from buildtrace_assets.engine.compare import compare_documents
from buildtrace_assets.engine.errors import BadInputError
from buildtrace_assets.engine.manual_alignment import ManualAlignmentError, PointPair, parse_align_option

if TYPE_CHECKING:
    from buildtrace_assets.summaries.document import ChangesDocument
    from buildtrace_assets.summaries.schema import ChangeSummary

SUMMARY_MODULES = ("buildtrace_assets.summaries", "buildtrace_assets.summaries.offline")
"""What writing the summary imports (~0.1-0.3 s: the summaries' models, the crop reader's Pillow): imported on a
thread while the comparison waits on its children and on Tesseract, which run outside the GIL, not before it."""


@click.command("compare")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the results."
)
@click.option(
    "--dpi", type=click.IntRange(36, 600), default=None, help="Raster resolution (default from settings, 150)."
)
@click.option(
    "--align",
    "aligns",
    multiple=True,
    metavar='"SHEET:x1,y1=X1,Y1;x2,y2=X2,Y2"',
    help="Align SHEET (its key or number) by two or three point pairs, old = new, in PDF points, instead of"
    " automatically; repeatable, one per sheet.",
)
@click.option(
    "--report", "with_report", is_flag=True, help="Also write report.pdf, markups.pdf, changes.csv and changes.xlsx."
)
def compare(old: Path, new: Path, out_dir: Path, dpi: int | None, aligns: tuple[str, ...], with_report: bool) -> None:
    """Compare two revisions of a drawing (PDF, PNG, JPG or DXF).

    Writes changes.json, overlays, crops and summary.md (with --report also the PDF report, the marked-up
    PDF and the change log, all from the same summary)."""
    summaries = threading.Thread(target=_import_summaries, name="buildtrace-summaries", daemon=True)
    summaries.start()
    try:
        alignments = _alignments(aligns)
        engine = get_settings()
        resolution = dpi or engine.dpi
        document = compare_documents(
            old,
            new,
            out_dir,
            dpi=resolution,
            ocr_timeout_s=engine.ocr_timeout_s,
            alignments=alignments,
            cache=AnalysisCache(engine.data_dir / "analyses"),
        )
    except BadInputError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    summaries.join()
    from buildtrace_assets.summaries import read_changes, render_markdown

    summary = configured_summary(read_changes(document), out_dir)
    (out_dir / "summary.md").write_text(render_markdown(summary, document), encoding="utf-8")
    if with_report:
        # the report's PDF and spreadsheet libraries cost over a second of start-up: only --report pays for them
        from buildtrace_assets.reports.bundle import write_documents
        from buildtrace_assets.reports.folder import folder_input
        from buildtrace_assets.reports.inputs import ReportError

        try:
            written = write_documents(folder_input(old, new, document, summary, out_dir), out_dir)
        except ReportError as exc:
            click.echo(f"error: the report cannot be written: {exc}", err=True)
            raise SystemExit(2) from None
        click.echo("Report: " + ", ".join(str(path) for path in written))
    changed = sum(1 for sheet in document["sheets"] if sheet["status"] != "unchanged")
    click.echo(f"{len(document['sheets'])} sheet(s) compared, {changed} with changes or errors.")
    for sheet in document["sheets"]:
        if (sheet.get("error") or {}).get("kind") == "unaligned":
            click.echo(
                f"warning: sheet {sheet['key']} could not be aligned ({sheet['error']['message']}), so its changes"
                f' were not computed; align it by hand with --align "{sheet["key"]}:x1,y1=X1,Y1;x2,y2=X2,Y2"',
                err=True,
            )
    click.echo(f"Results: {out_dir / 'changes.json'} (summary: {out_dir / 'summary.md'})")


def _alignments(options: tuple[str, ...]) -> dict[str, tuple[PointPair, ...]]:
    """The ``--align`` options by sheet; naming one sheet twice is refused rather than one of them ignored."""
    alignments: dict[str, tuple[PointPair, ...]] = {}
    for option in options:
        sheet, points = parse_align_option(option)
        if sheet in alignments:
            raise ManualAlignmentError(f"--align names sheet {sheet} twice")
        alignments[sheet] = points
    return alignments


def _import_summaries() -> None:
    for module in SUMMARY_MODULES:
        importlib.import_module(module)


def configured_summary(document: ChangesDocument, out_dir: Path) -> ChangeSummary:
    """The configured summarizer's summary (OpenAI when a key is set), else the offline one, saying why.

    The crops the changes name are read from ``out_dir``, where the engine wrote them.
    """
    from buildtrace_assets.summaries import SummarizerError, make_summarizer
    from buildtrace_assets.summaries.offline import OfflineSummarizer

    summarizer = make_summarizer()
    try:
        summary = summarizer.summarize(document, None, lambda reference: (out_dir / reference).read_bytes())
    except SummarizerError as error:
        click.echo(f"warning: the {summarizer.kind} summarizer failed ({error}); wrote the offline summary", err=True)
        summary = OfflineSummarizer().summarize(document)
    return summary


COMMANDS = [compare]
