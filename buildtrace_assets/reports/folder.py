"""The report input of ``buildtrace compare --report``: two files and the engine's output folder, no database.

The cover names the files (with their modification times) instead of stored
versions and uploaders, and the footer says ``buildtrace compare`` instead of
a job id; the summary is the one ``summary.md`` was written from. Changes are
placed by grid line and room from the new file's text layer (the pipeline
uses its stored analysis instead).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from buildtrace_assets.engine.documents import open_document
from buildtrace_assets.reports.inputs import FileReader, MissingInputError, ReportFacts, ReportInput, VersionFacts
from buildtrace_assets.summaries.document import WordsBySheet
from buildtrace_assets.summaries.schema import ChangeSummary


def _file_facts(path: Path) -> VersionFacts:
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return VersionFacts(label=path.name, filename=f"modified {modified:%Y-%m-%d %H:%M} UTC")


def _reader(folder: Path) -> FileReader:
    def read(reference: str) -> bytes:
        path = folder / reference
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise MissingInputError(f"{path} is missing") from None

    return read


def _text_layer_words(new: Path) -> WordsBySheet:
    with open_document(new) as document:
        return {index: document.text_layer_words(index) for index in range(document.page_count)}


def folder_input(old: Path, new: Path, document: dict[str, Any], summary: ChangeSummary, out_dir: Path) -> ReportInput:
    """What ``buildtrace compare`` compared and wrote into ``out_dir``, as a report input."""
    meta = summary.metadata
    return ReportInput(
        facts=ReportFacts(
            project=None,
            drawing=f"{old.name} → {new.name}",
            old=_file_facts(old),
            new=_file_facts(new),
            generated_at=datetime.now(UTC),
            summary_source=f"{meta.summarizer} summarizer" + (f", model {meta.model}" if meta.model else ""),
        ),
        machine_document=document,
        summary={"overall": summary.summary, **summary.model_dump(mode="json", exclude={"summary", "metadata"})},
        read_file=_reader(out_dir),
        fetch_new_file=lambda: new,
        words_by_sheet=_text_layer_words(new),
    )
