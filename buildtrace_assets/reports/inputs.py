"""What every report document is built from: the comparison's facts, its changes in force and its summary.

The documents know nothing of the database or blob storage: the service (a
job's stored results) and ``buildtrace compare --report`` (files in a
folder) each fill a :class:`ReportInput`, so the PDF report, the marked-up
PDF and the change log read one shape whichever way they were asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from buildtrace_assets.summaries.document import WordsBySheet
from buildtrace_assets.summaries.overlays import apply_overlay

FileReader = Callable[[str], bytes]
"""Reads a file the changes document names relative to itself (an overlay, a crop);
raises :class:`MissingInputError` naming what is missing."""


class ReportError(Exception):
    """A report cannot be built from what is stored; the message names what is wrong."""


class MissingInputError(ReportError):
    """A file the report needs (overlay image, crop, the new revision) is gone."""


@dataclass(frozen=True)
class VersionFacts:
    """One side of the comparison as the cover page names it."""

    label: str
    """``v3`` for a stored version, the file name for ``buildtrace compare``."""
    filename: str
    uploaded_at: datetime | None = None
    uploaded_by: str | None = None


@dataclass(frozen=True)
class ReportFacts:
    """Who, what and when: the cover page and the footer of every page."""

    project: str | None
    drawing: str
    old: VersionFacts
    new: VersionFacts
    generated_at: datetime
    job_id: str | None = None
    reviewers: tuple[str, ...] = ()
    summary_source: str = ""
    """How the summary was written, e.g. ``machine · gpt-4.1-mini · 2026-12-07 10:00 UTC``."""

    @property
    def footer(self) -> str:
        origin = f"Job {self.job_id}" if self.job_id else "buildtrace compare"
        return f"{origin} · generated {self.generated_at:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True)
class ReportInput:
    """A comparison ready to be written up.

    ``machine_document`` is the engine's ``buildtrace.changes/v1`` document;
    ``overlay_changes`` the reviewer's corrected change set when one is in
    force, which replaces the machine's changes (as it does for the summary).
    """

    facts: ReportFacts
    machine_document: Mapping[str, Any]
    summary: Mapping[str, Any]
    """The stored summary content: ``{"overall": str, "items": [{"sheet", "change_ids", "impact", "text", ...}]}``."""
    read_file: FileReader
    fetch_new_file: Callable[[], Path]
    """Gives the new revision as a local file (the PDFs are built on it); called once, and only by the PDFs,
    so a change log never downloads a drawing set."""
    overlay_changes: Sequence[Mapping[str, Any]] | None = None
    words_by_sheet: WordsBySheet | None = None

    @cached_property
    def document(self) -> dict[str, Any]:
        """The changes in force: the reviewer's overlay when there is one, else the machine's."""
        if self.overlay_changes is None:
            return dict(self.machine_document)
        return apply_overlay(dict(self.machine_document), [dict(change) for change in self.overlay_changes])

    @cached_property
    def new_file(self) -> Path:
        return self.fetch_new_file()

    @property
    def reviewed(self) -> bool:
        return self.overlay_changes is not None
