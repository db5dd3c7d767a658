"""Report documents of a finished job, built once per summary and overlay version and kept as blobs.

Like summary generation, this runs in two steps so nothing slow holds a
database transaction: :func:`load_report_source` reads what the report is
about (and checks the actor may read the job) in a transaction;
:func:`ensure_documents` then builds what is not stored yet from blob storage
alone. A document's key names the summary and the overlay it was built from
(and :data:`REPORT_FORMAT`), so it is rebuilt only when one of them changes.
Reports are derived, cached files, not data people change: building one
writes no row and no audit entry.
"""

from __future__ import annotations

import json
import posixpath
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from buildtrace_assets.db.models import ChangeSummary as SummaryRow
from buildtrace_assets.db.models import User
from buildtrace_assets.engine.compare import DocumentAnalysis
from buildtrace_assets.reports.bundle import DOCUMENTS, write_documents
from buildtrace_assets.reports.inputs import MissingInputError, ReportError, ReportFacts, ReportInput, VersionFacts
from buildtrace_assets.services.access import Actor, require_project
from buildtrace_assets.services.diff_results import get_diff_result
from buildtrace_assets.services.drawings import get_version
from buildtrace_assets.services.errors import Conflict
from buildtrace_assets.services.jobs import get_job
from buildtrace_assets.services.overlays import active_overlay, overlay_history
from buildtrace_assets.services.summaries import active_summary, summary_history
from buildtrace_assets.storage import BlobStorage
from buildtrace_assets.storage.errors import BlobNotFound
from buildtrace_assets.summaries.document import WordsBySheet

REPORT_FORMAT = 1
"""Bumped when a document's layout or content changes, so stored documents are rebuilt."""


class ReportUnavailable(Conflict):
    """The job has no report (yet): not finished, no summary, or a stored file it needs is gone."""

    code = "report_unavailable"


@dataclass(frozen=True)
class StoredVersion:
    """One side of the job: what the cover says about it, and where its files are."""

    facts: VersionFacts
    storage_key: str
    analysis_ref: str | None


@dataclass(frozen=True)
class ReportSource:
    """What a job's report is built from, read while the database was open."""

    job_id: str
    project: str
    drawing: str
    old: StoredVersion
    new: StoredVersion
    changes_ref: str
    summary_id: str
    summary_content: dict[str, Any]
    summary_source: str
    overlay_id: str | None
    overlay_changes: list[dict[str, Any]] | None
    reviewers: tuple[str, ...] = field(default=())

    def key(self, name: str) -> str:
        """The blob of document ``name`` for this summary and overlay."""
        return f"jobs/{self.job_id}/reports/{self.summary_id}/{self.overlay_id or 'machine'}/v{REPORT_FORMAT}/{name}"


def _email(session: Session, user_id: str | None) -> str | None:
    user = session.get(User, user_id) if user_id else None
    return user.email if user else None


def _version(session: Session, actor: Actor, version_id: str) -> tuple[StoredVersion, str]:
    version, drawing = get_version(session, actor, version_id)
    facts = VersionFacts(
        label=f"v{version.version_number}",
        filename=version.original_filename,
        uploaded_at=version.created_at,
        uploaded_by=_email(session, version.uploaded_by) or "the pipeline (bucket drop)",
    )
    return StoredVersion(facts, version.storage_key, version.ocr_result_ref), drawing.name


def _reviewers(session: Session, actor: Actor, diff_result_id: str) -> tuple[str, ...]:
    """Everyone who saved a corrected overlay or wrote the summary text, in order of their first review."""
    authors = [row.created_by for row in reversed(overlay_history(session, actor, diff_result_id))]
    authors += [
        row.created_by
        for row in reversed(summary_history(session, actor, diff_result_id))
        if row.source == "human_written"
    ]
    emails = (_email(session, user_id) for user_id in authors)
    return tuple(dict.fromkeys(email for email in emails if email))


def _summary_source(summary: SummaryRow) -> str:
    return (
        f"{summary.source.replace('_', ' ')} · {summary.model or 'written by a person'} · "
        f"version {summary.version_number} · {summary.created_at:%Y-%m-%d %H:%M} UTC"
    )


def load_report_source(session: Session, actor: Actor, job_id: str) -> ReportSource:
    """The report's facts, when the actor may read the job and the job is done; else the services' errors.

    An unfinished job, a failed or cancelled one, and one without a summary
    are :class:`ReportUnavailable` (a ``Conflict``); another tenant's job is ``NotFound``.
    """
    job = get_job(session, actor, job_id)
    if job.status in ("pending", "running"):
        raise ReportUnavailable(f"job {job_id} is not finished yet ({job.status}); its report follows when it is")
    if job.status != "completed":
        raise ReportUnavailable(f"job {job_id} {job.status}: it has no results to report")
    project = require_project(session, actor, job.project_id)
    result = get_diff_result(session, actor, job_id)
    summary = active_summary(session, actor, result.id)
    if summary is None:
        raise ReportUnavailable(f"job {job_id} has no summary yet; its report follows when it has")
    overlay = active_overlay(session, actor, result.id)
    old, _ = _version(session, actor, job.old_drawing_version_id)
    new, drawing = _version(session, actor, job.new_drawing_version_id)
    return ReportSource(
        job_id=job.id,
        project=project.name,
        drawing=drawing,
        old=old,
        new=new,
        changes_ref=result.changes_ref,
        summary_id=summary.id,
        summary_content=dict(summary.content),
        summary_source=_summary_source(summary),
        overlay_id=overlay.id if overlay else None,
        overlay_changes=list(overlay.changes) if overlay else None,
        reviewers=_reviewers(session, actor, result.id),
    )


def _blob(storage: BlobStorage, key: str, what: str) -> bytes:
    try:
        return storage.get_bytes(key)
    except BlobNotFound:
        raise MissingInputError(f"the {what} {key} is missing from blob storage") from None


def _words(storage: BlobStorage, analysis_ref: str | None) -> WordsBySheet | None:
    """The new sheets' words by page (they place changes by grid line and room); None before the analysis exists."""
    if analysis_ref is None:
        return None
    analysis = DocumentAnalysis.from_json(json.loads(_blob(storage, analysis_ref, "analysis of the new version")))
    return {page.index: page.words for page in analysis.pages}


def _download_new(storage: BlobStorage, source: ReportSource, folder: Path) -> Path:
    try:
        return storage.download(source.new.storage_key, folder / Path(source.new.storage_key).name)
    except BlobNotFound:
        raise MissingInputError(f"the new revision {source.new.storage_key} is missing from blob storage") from None


def report_input(storage: BlobStorage, source: ReportSource, folder: Path) -> ReportInput:
    """The documents' input; the new revision is downloaded into ``folder`` when a PDF asks for it."""
    changes_folder = posixpath.dirname(source.changes_ref)
    return ReportInput(
        facts=ReportFacts(
            project=source.project,
            drawing=source.drawing,
            old=source.old.facts,
            new=source.new.facts,
            generated_at=datetime.now(UTC),
            job_id=source.job_id,
            reviewers=source.reviewers,
            summary_source=source.summary_source,
        ),
        machine_document=json.loads(_blob(storage, source.changes_ref, "changes document")),
        summary=source.summary_content,
        read_file=lambda reference: _blob(
            storage,
            posixpath.normpath(posixpath.join(changes_folder, reference)),
            "overlay image" if reference.startswith("overlays/") else "crop",
        ),
        fetch_new_file=lambda: _download_new(storage, source, folder),
        overlay_changes=source.overlay_changes,
        words_by_sheet=_words(storage, source.new.analysis_ref),
    )


def ensure_documents(storage: BlobStorage, source: ReportSource, names: Iterable[str] = DOCUMENTS) -> dict[str, str]:
    """The blob key of each named document, building (and storing) those not stored yet.

    Building reads only blob storage. A file it needs that is gone (an overlay
    image, a crop, the new revision) is :class:`ReportUnavailable` naming it,
    and nothing is stored for that document.
    """
    keys = {name: source.key(name) for name in names}
    missing = [name for name, key in keys.items() if not storage.exists(key)]
    if missing:
        with tempfile.TemporaryDirectory(prefix="buildtrace-report-") as scratch:
            folder = Path(scratch)
            try:
                written = write_documents(report_input(storage, source, folder), folder, missing)
            except ReportError as error:
                raise ReportUnavailable(f"the report of job {source.job_id} cannot be built: {error}") from error
            for path in written:
                storage.put_file(keys[path.name], path, content_type=DOCUMENTS[path.name].content_type)
    return keys
