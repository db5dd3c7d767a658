"""Writing a diff result's summary as a new version: from the machine changes, or from the active manual overlay.

Generation runs in three steps so the model call never holds a database
transaction open: SQLite transactions start with ``BEGIN IMMEDIATE``, so a
minute-long model call inside one would block every other writer. The
inputs are read (and the actor's editor role checked) in one transaction,
the summarizer runs with none open, and the result is saved in a second one
through the summary service, which deactivates the previous version and
chains the new one to it. A summarizer failure raises before anything is
written, so the previous summary stays active.

The changes document and the crops it names live in blob storage: crop paths
in the document are relative to the folder of ``changes.json``.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.models import ChangeSummary as SummaryRow
from buildtrace_assets.db.models import DrawingVersion, Job
from buildtrace_assets.db.session import transaction
from buildtrace_assets.engine.compare import DocumentAnalysis
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.diff_results import require_diff_result
from buildtrace_assets.services.overlays import active_overlay
from buildtrace_assets.services.summaries import save_machine_summary
from buildtrace_assets.storage import BlobStorage
from buildtrace_assets.storage.errors import BlobNotFound
from buildtrace_assets.summaries.conversion import conversion_notes, conversion_section
from buildtrace_assets.summaries.document import WordsBySheet
from buildtrace_assets.summaries.errors import InvalidChangesError
from buildtrace_assets.summaries.factory import Summarizer
from buildtrace_assets.summaries.markdown import render_markdown
from buildtrace_assets.summaries.overlays import apply_overlay
from buildtrace_assets.summaries.schema import ChangeSummary


@dataclass(frozen=True)
class SummaryInput:
    """Everything a summarizer reads for one diff result, loaded while the database was open."""

    diff_result_id: str
    document: dict[str, Any]
    """The machine's changes document, with the active overlay's changes in place of the machine's."""
    overlay_id: str | None
    words_by_sheet: WordsBySheet | None
    crops_prefix: str
    conversion_notes: tuple[str, ...] = ()
    """What converting either version lost where it touches a changed sheet (see :mod:`.conversion`)."""

    def read_crop(self, storage: BlobStorage, reference: str) -> bytes:
        """The crop's bytes; a missing blob is an ``OSError``, which summarizers skip like a missing file."""
        key = posixpath.join(self.crops_prefix, reference)
        try:
            return storage.get_bytes(key)
        except BlobNotFound:
            raise FileNotFoundError(f"crop {key} is missing from blob storage") from None


def _read_json(storage: BlobStorage, key: str, what: str) -> Any:
    try:
        return json.loads(storage.get_bytes(key))
    except BlobNotFound:
        raise InvalidChangesError(f"the {what} {key} is missing from blob storage") from None
    except ValueError as exc:
        raise InvalidChangesError(f"the {what} {key} is not JSON: {exc}") from exc


def _new_sheet_words(session: Session, storage: BlobStorage, job_id: str) -> WordsBySheet | None:
    """The new version's words by page, which place changes by grid line and room; None before its analysis exists."""
    job = session.get_one(Job, job_id)
    ref = session.get_one(DrawingVersion, job.new_drawing_version_id).ocr_result_ref
    if ref is None:
        return None
    analysis = DocumentAnalysis.from_json(_read_json(storage, ref, "analysis of the new version"))
    return {page.index: page.words for page in analysis.pages}


def load_summary_input(session: Session, storage: BlobStorage, actor: Actor, diff_result_id: str) -> SummaryInput:
    """What to summarize, when the actor may write summaries of the diff result (editors, owners, the system).

    Raises the services' ``NotFound``/``PermissionDenied`` for the actor,
    :class:`InvalidChangesError` when the stored document is missing or not
    JSON, and ``InvalidInput`` when the overlay names sheets the diff lacks.
    """
    result, _ = require_diff_result(session, actor, diff_result_id, "editor")
    document = _read_json(storage, result.changes_ref, "changes document")
    overlay = active_overlay(session, actor, result.id)
    if overlay is not None:
        document = apply_overlay(document, list(overlay.changes))
    return SummaryInput(
        diff_result_id=result.id,
        document=document,
        overlay_id=overlay.id if overlay else None,
        words_by_sheet=_new_sheet_words(session, storage, result.job_id),
        crops_prefix=posixpath.dirname(result.changes_ref),
        conversion_notes=_conversion_notes(session, storage, result.job_id, document),
    )


def _conversion_notes(session: Session, storage: BlobStorage, job_id: str, document: dict[str, Any]) -> tuple[str, ...]:
    """The analysis warnings of both versions (a DWG's conversion losses) that touch a changed sheet."""
    job = session.get_one(Job, job_id)
    warnings = []
    for version_id in (job.old_drawing_version_id, job.new_drawing_version_id):
        ref = session.get_one(DrawingVersion, version_id).ocr_result_ref
        try:
            analysis = _read_json(storage, ref, "analysis of a version") if ref is not None else {}
        except InvalidChangesError:  # a missing analysis has nothing to add; the summary stands without it
            analysis = {}
        warnings.append(analysis.get("warnings", []) if isinstance(analysis, dict) else [])
    return conversion_notes(document, warnings[0], warnings[1])


def summarize_input(summary_input: SummaryInput, storage: BlobStorage, summarizer: Summarizer) -> ChangeSummary:
    """Run the summarizer on the input; its failures (``SummaryError``) propagate untouched."""
    return summarizer.summarize(
        summary_input.document,
        summary_input.words_by_sheet,
        lambda reference: summary_input.read_crop(storage, reference),
    )


def save_summary(
    session: Session, actor: Actor, summary_input: SummaryInput, summary: ChangeSummary, model: str
) -> SummaryRow:
    """Store the summary as the new active version; ``model`` is the summarizer's configured name (see staleness)."""
    return save_machine_summary(
        session,
        actor,
        summary_input.diff_result_id,
        content={"overall": summary.summary, **summary.model_dump(mode="json", exclude={"summary", "metadata"})},
        text=render_markdown(summary, summary_input.document) + conversion_section(summary_input.conversion_notes),
        model=model,
        prompt_version=summary.metadata.prompt_version,
        overlay_id=summary_input.overlay_id,
        metadata=summary.metadata.model_dump(mode="json"),
    )


def regenerate_summary(
    sessions: sessionmaker[Session],
    storage: BlobStorage,
    actor: Actor,
    diff_result_id: str,
    summarizer: Summarizer,
) -> SummaryRow:
    """Write a new active summary of the diff result from what is in force now (a saved overlay, "Regenerate").

    ``actor`` must be an editor or owner of the project (or the system);
    outsiders get ``NotFound`` and viewers ``PermissionDenied`` before any
    model is called.
    """
    with transaction(sessions) as session:
        summary_input = load_summary_input(session, storage, actor, diff_result_id)
    summary = summarize_input(summary_input, storage, summarizer)
    with transaction(sessions) as session:
        return save_summary(session, actor, summary_input, summary, summarizer.model)
