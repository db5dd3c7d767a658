"""``buildtrace compare OLD NEW --out DIR``: the engine on two files, no database, no Dagster."""

from __future__ import annotations

from pathlib import Path

import click

from buildtrace_assets.engine.compare import compare_documents
from buildtrace_assets.engine.errors import BadInputError
from buildtrace_assets.summaries import render_markdown
from buildtrace_assets.summaries.document import ChangesDocument, read_changes
from buildtrace_assets.summaries.errors import SummarizerError
from buildtrace_assets.summaries.factory import make_summarizer
from buildtrace_assets.summaries.offline import OfflineSummarizer


@click.command("compare")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the results."
)
@click.option(
    "--dpi", type=click.IntRange(36, 600), default=None, help="Raster resolution (default from settings, 150)."
)
def compare(old: Path, new: Path, out_dir: Path, dpi: int | None) -> None:
    """Compare two revisions of a drawing (PDF, PNG, JPG or DXF).

    Writes changes.json, overlays, crops and summary.md."""
    try:
        document = compare_documents(old, new, out_dir, dpi=dpi)
    except BadInputError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    (out_dir / "summary.md").write_text(summary_markdown(read_changes(document), out_dir), encoding="utf-8")
    changed = sum(1 for sheet in document["sheets"] if sheet["status"] != "unchanged")
    click.echo(f"{len(document['sheets'])} sheet(s) compared, {changed} with changes or errors.")
    click.echo(f"Results: {out_dir / 'changes.json'} (summary: {out_dir / 'summary.md'})")


def summary_markdown(document: ChangesDocument, out_dir: Path) -> str:
    """The configured summarizer's summary (OpenAI when a key is set), else the offline one, saying why.

    The crops the changes name are read from ``out_dir``, where the engine wrote them.
    """
    summarizer = make_summarizer()
    try:
        summary = summarizer.summarize(document, None, lambda reference: (out_dir / reference).read_bytes())
    except SummarizerError as error:
        click.echo(f"warning: the {summarizer.kind} summarizer failed ({error}); wrote the offline summary", err=True)
        summary = OfflineSummarizer().summarize(document)
    return render_markdown(summary, document)


COMMANDS = [compare]
