"""Legacy BuildTrace rows written here through the services: users and their organizations, projects, drawing
versions, comparison jobs with their stages, diff results and machine summaries.

Design document section 3 maps ``processing_jobs`` to ``jobs``, ``comparisons`` to ``diff_results`` and
``analysis_results`` to ``change_summaries``. A legacy comparison is session-based: its old and new files are
``drawings`` rows of its session, so each comparison becomes one job comparing two versions of the drawing it
names, in the session's project. The legacy processing job of the session gives the job its times and, when it
failed, its failure.

Idempotent through a ledger kept in the audit log: every imported row writes one ``legacy.import`` audit entry
naming the legacy table and id, and a later run skips what the ledger holds. Sessions are imported in batches,
one transaction per batch and a savepoint per comparison: a comparison whose files are missing or unreadable, or
that references a missing row, is skipped and reported, never half-imported. ``dry_run`` writes nothing (neither
rows nor blobs) and reports what would be created.
"""

from __future__ import annotations

import json
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.base import Base
from buildtrace_assets.db.models import AuditLog, Drawing, DrawingVersion, Job, Organization, Project, User
from buildtrace_assets.engine.contract import SCHEMA_ID, validate_changes
from buildtrace_assets.legacy.report import ImportReport
from buildtrace_assets.legacy.source import LegacySource, Row
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import SYSTEM, Actor
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.drawings import get_or_create_drawing, next_version_number, version_with_hash
from buildtrace_assets.services.errors import ServiceError
from buildtrace_assets.services.filetypes import InspectedFile, inspect_upload
from buildtrace_assets.services.jobs import complete_stage, create_comparison_job, fail_stage, skip_stage
from buildtrace_assets.services.projects import create_project
from buildtrace_assets.services.summaries import save_machine_summary
from buildtrace_assets.services.uploads import upload_key
from buildtrace_assets.services.users import create_user, find_user
from buildtrace_assets.storage import BlobNotFound, BlobStorage

LEDGER_ACTION = "legacy.import"
ORGANIZATION = "BuildTrace legacy"
"""Organization of legacy users who named no company."""
ENGINE_VERSION = "legacy"
PROMPT_VERSION = "legacy"
SESSIONS_PROJECT = "session_projects"
"""Ledger table of the project made for a user's sessions that belonged to no project."""
_GCS_PREFIX = re.compile(r"^gs://[^/]+/")


class Ledger:
    """Legacy (table, id) pairs already imported, and the id each became here."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(AuditLog.after, AuditLog.entity_id).where(AuditLog.action == LEDGER_ACTION))
        self._ids = {(after["legacy_table"], after["legacy_id"]): entity_id for after, entity_id in rows if after}

    def get(self, table: str, legacy_id: str) -> str | None:
        return self._ids.get((table, legacy_id))

    def record(self, session: Session, table: str, legacy_id: str, entity: Base, project: Project | None) -> None:
        audit.record(
            session,
            SYSTEM,
            LEDGER_ACTION,
            entity,
            organization_id=project.organization_id if project else getattr(entity, "organization_id", None),
            project_id=project.id if project else None,
            after={"legacy_table": table, "legacy_id": legacy_id},
        )
        self._ids[(table, legacy_id)] = entity.id  # type: ignore[attr-defined]


@dataclass(frozen=True)
class LegacyFile:
    """A legacy drawing's bytes, accepted by the same checks as an upload."""

    row: Row
    data: bytes
    inspected: InspectedFile

    @property
    def filename(self) -> str:
        return str(self.row["original_filename"] or self.row.get("filename") or "drawing")


class Skip(Exception):
    """A legacy row that cannot be imported; the message is the reason in the report."""


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _group(rows: Iterable[Row], key: str) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[str(row[key])].append(row)
    return grouped


class LegacyImport:
    """One run of the import; :meth:`run` returns its report."""

    def __init__(
        self,
        source: LegacySource,
        target: sessionmaker[Session],
        storage: BlobStorage,
        files: BlobStorage,
        *,
        dry_run: bool = False,
        batch_size: int = 100,
    ) -> None:
        self.source, self.target, self.storage, self.files = source, target, storage, files
        self.report = ImportReport(dry_run)
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.users: dict[str, str] = {}
        self.projects: dict[str, str] = {}
        self.ledger: Ledger

    def run(self) -> ImportReport:
        """Accounts, then the sessions batch by batch, each committed; a dry run rolls everything back at the end
        (one transaction, so later batches see what earlier ones would have created)."""
        with self.target() as session:
            self.ledger = Ledger(session)
            self._accounts(session)
            self._commit(session)
            for batch in self.source.session_batches(self.batch_size):
                self._sessions(session, batch)
                self._commit(session)
            session.rollback()
        self._orphans()
        return self.report

    def _commit(self, session: Session) -> None:
        if not self.dry_run:
            session.commit()
            session.expunge_all()

    def _created(self, table: str, count: int = 1) -> None:
        self.report.created[table] += count

    # users, organizations, projects

    def _accounts(self, session: Session) -> None:
        users = self.source.all("users")
        self.report.read["users"] += len(users)
        for row in users:
            self._user(session, row)
        projects = self.source.all("projects")
        self.report.read["projects"] += len(projects)
        for row in projects:
            self._project(session, row)

    def _user(self, session: Session, row: Row) -> None:
        known = self.ledger.get("users", row["id"])
        existing = session.get(User, known) if known else find_user(session, row["email"] or "")
        if existing is not None:
            self.users[row["id"]] = existing.id
            self.report.already_imported["users"] += 1
            return
        try:
            organizations_before = _count_organizations(session)
            user = create_user(
                session,
                row["email"] or "",
                secrets.token_urlsafe(24),
                display_name=row.get("name") or None,
                organization=(row.get("company") or "").strip() or ORGANIZATION,
            )
        except ServiceError as error:
            self.report.skip("users", row["id"], str(error))
            return
        self._created("organizations", _count_organizations(session) - organizations_before)
        self.ledger.record(session, "users", row["id"], user, None)
        self.users[row["id"]] = user.id
        self._created("users")
        self.report.without_password.append(user.email)

    def _project(self, session: Session, row: Row) -> None:
        known = self.ledger.get("projects", row["id"])
        if known is not None:
            self.projects[row["id"]] = known
            self.report.already_imported["projects"] += 1
            return
        owner = self.users.get(row["user_id"])
        if owner is None:
            self.report.skip("projects", row["id"], f"its owner {row['user_id']} was not imported")
            return
        project = create_project(session, Actor(owner), row["name"] or "Imported project", row.get("description") or "")
        self.ledger.record(session, "projects", row["id"], project, project)
        self.projects[row["id"]] = project.id
        self._created("projects")

    # sessions: drawings, comparisons, analyses, processing jobs

    def _sessions(self, session: Session, batch: list[Row]) -> None:
        ids = [row["id"] for row in batch]
        drawings = {row["id"]: row for row in self.source.rows_of_sessions("drawings", ids)}
        comparisons = _group(self.source.rows_of_sessions("comparisons", ids), "session_id")
        analyses = _group(self.source.rows_of_sessions("analysis_results", ids), "comparison_id")
        processing = _group(self.source.rows_of_sessions("processing_jobs", ids), "session_id")
        self.report.read["sessions"] += len(batch)
        self.report.read["drawings"] += len(drawings)
        self.report.read["comparisons"] += sum(map(len, comparisons.values()))
        self.report.read["analysis_results"] += sum(map(len, analyses.values()))
        self.report.read["processing_jobs"] += sum(map(len, processing.values()))
        for row in batch:
            self._session(session, row, drawings, comparisons[row["id"]], analyses, processing[row["id"]])

    def _session(
        self,
        session: Session,
        row: Row,
        drawings: dict[str, Row],
        comparisons: list[Row],
        analyses: dict[str, list[Row]],
        processing: list[Row],
    ) -> None:
        runs = []
        for job in processing:
            if job["job_type"] == "comparison":
                runs.append(job)
            else:
                self.report.skip("processing_jobs", job["id"], f"a {job['job_type']} job, not a comparison")
        try:
            project = self._project_of(session, row)
        except Skip as reason:
            for comparison in comparisons:
                self.report.skip("comparisons", comparison["id"], f"session {row['id']}: {reason}")
            return
        if not comparisons:
            for job in runs:
                self.report.skip("processing_jobs", job["id"], "its session has no comparison to import")
            return
        run = runs[0] if runs else None
        for comparison in comparisons:
            if self.ledger.get("comparisons", comparison["id"]) is not None:
                self.report.already_imported["comparisons"] += 1
                continue
            try:
                files = self._files(comparison, drawings)
                with session.begin_nested():
                    self._comparison(session, project, row, comparison, files, analyses.get(comparison["id"], []), run)
            except Skip as reason:
                self.report.skip("comparisons", comparison["id"], str(reason))
        for job in runs[1:]:
            self.report.skip("processing_jobs", job["id"], "a second comparison job of its session (the first is used)")

    def _project_of(self, session: Session, row: Row) -> Project:
        if row.get("project_id"):
            project_id = self.projects.get(row["project_id"]) or self.ledger.get("projects", row["project_id"])
            if project_id is None:
                raise Skip(f"its project {row['project_id']} was not imported")
            return session.get_one(Project, project_id)
        owner = self.users.get(row.get("user_id") or "")
        if owner is None:
            raise Skip("it belongs to no project and no imported user")
        known = self.ledger.get(SESSIONS_PROJECT, row["user_id"])
        if known is not None:
            return session.get_one(Project, known)
        user = session.get_one(User, owner)
        project = create_project(session, Actor(owner), f"Imported comparisons of {user.email}")
        self.ledger.record(session, SESSIONS_PROJECT, row["user_id"], project, project)
        self._created("projects")
        return project

    def _files(self, comparison: Row, drawings: dict[str, Row]) -> tuple[LegacyFile, LegacyFile]:
        """Both files of a comparison, read and checked before anything is written."""
        found = []
        for side in ("old_drawing_id", "new_drawing_id"):
            drawing = drawings.get(comparison[side])
            if drawing is None:
                raise Skip(f"it references drawing {comparison[side]}, which its session does not have")
            path = drawing.get("storage_path") or ""
            try:
                data = self.files.get_bytes(_GCS_PREFIX.sub("", path).lstrip("/"))
            except BlobNotFound:
                raise Skip(f"file {path!r} of drawing {drawing['id']} is missing") from None
            try:
                inspected = inspect_upload(data, drawing["original_filename"] or "drawing")
            except ServiceError as error:
                raise Skip(f"file {path!r} of drawing {drawing['id']} is refused: {error}") from None
            found.append(LegacyFile(drawing, data, inspected))
        if found[0].inspected.sha256 == found[1].inspected.sha256:
            raise Skip("its old and new files are the same file")
        return found[0], found[1]

    def _comparison(
        self,
        session: Session,
        project: Project,
        legacy_session: Row,
        comparison: Row,
        files: tuple[LegacyFile, LegacyFile],
        analyses: list[Row],
        run: Row | None,
    ) -> None:
        actor = Actor(self.users.get(legacy_session.get("user_id") or "") or project.created_by)
        drawing = get_or_create_drawing(session, SYSTEM, project, comparison["drawing_name"] or "Imported drawing")
        old, new = (self._version(session, actor, project, drawing, file) for file in files)
        job = create_comparison_job(session, SYSTEM, old.id, new.id)
        job.created_by = actor.user_id
        job.created_at = _aware(comparison.get("created_at")) or job.created_at
        key = re.sub(r"[^A-Za-z0-9._-]", "-", comparison["drawing_name"] or "sheet") or "sheet"
        changes_ref, overlay_refs = self._diff_document(job.id, key, comparison, files)
        complete_stage(session, SYSTEM, job.id, "ocr", old.id)
        complete_stage(session, SYSTEM, job.id, "ocr", new.id)
        result = record_diff_result(
            session,
            SYSTEM,
            job.id,
            changes_ref=changes_ref,
            engine_version=ENGINE_VERSION,
            overlay_refs=overlay_refs,
            sheet_count=1,
        )
        complete_stage(session, SYSTEM, job.id, "diff", result_ref=changes_ref)
        self._summary(session, project, job, result.id, analyses, run)
        if run is not None:
            job.started_at = _aware(run.get("started_at")) or job.started_at
            job.completed_at = _aware(run.get("completed_at")) or job.completed_at
        self.ledger.record(session, "comparisons", comparison["id"], result, project)
        if run is not None and self.ledger.get("processing_jobs", run["id"]) is None:
            self.ledger.record(session, "processing_jobs", run["id"], job, project)
            self._created("processing_jobs→jobs")
        self._created("jobs")
        self._created("comparisons→diff_results")

    def _version(
        self, session: Session, actor: Actor, project: Project, drawing: Drawing, file: LegacyFile
    ) -> DrawingVersion:
        existing = version_with_hash(session, drawing, file.inspected.sha256)
        if existing is not None:
            return existing
        number = next_version_number(session, drawing)
        key = upload_key(project.id, drawing.name, number, file.filename)
        version = DrawingVersion(
            drawing_id=drawing.id,
            version_number=number,
            storage_key=key,
            original_filename=file.filename[-255:],
            content_type=file.inspected.content_type,
            file_kind=file.inspected.kind,
            file_hash=file.inspected.sha256,
            file_size=file.inspected.size,
            page_count=file.inspected.page_count,
            ocr_status="completed",
            uploaded_by=actor.user_id,
            created_at=_aware(file.row.get("processed_at")) or datetime.now(UTC),
        )
        session.add(version)
        session.flush()
        audit.record_change(session, SYSTEM, "drawing_version.create", project, version)
        self.ledger.record(session, "drawings", file.row["id"], version, project)
        if not self.dry_run:
            self.storage.put_bytes(key, file.data, content_type=file.inspected.content_type)
        self._created("drawing_versions")
        return version

    def _diff_document(
        self, job_id: str, key: str, comparison: Row, files: tuple[LegacyFile, LegacyFile]
    ) -> tuple[str, dict[str, str]]:
        """A ``buildtrace.changes/v1`` document of the one legacy sheet (no change regions: the legacy engine kept
        only an overlay image), with that overlay copied beside it when it can be read."""
        prefix = f"jobs/{job_id}/diff"
        sheet: dict[str, Any] = {
            "key": key,
            "sheet_number": comparison["drawing_name"],
            "title": None,
            "old_page": (files[0].row.get("page_number") or 1) - 1,
            "new_page": (files[1].row.get("page_number") or 1) - 1,
            "status": "modified" if comparison.get("changes_detected") else "unchanged",
            "changes": [],
        }
        overlay_refs: dict[str, str] = {}
        overlay_path = _GCS_PREFIX.sub("", comparison.get("overlay_path") or "").lstrip("/")
        if overlay_path and self.files.exists(overlay_path):
            sheet["overlay"] = f"overlays/{key}.png"
            overlay_refs[key] = f"{prefix}/{sheet['overlay']}"
            if not self.dry_run:
                self.storage.put_bytes(overlay_refs[key], self.files.get_bytes(overlay_path), content_type="image/png")
        document = {
            "schema": SCHEMA_ID,
            "old": {"file": files[0].filename, "pages": files[0].inspected.page_count or 1},
            "new": {"file": files[1].filename, "pages": files[1].inspected.page_count or 1},
            "sheets": [sheet],
        }
        validate_changes(document)
        if not self.dry_run:
            self.storage.put_bytes(f"{prefix}/changes.json", json.dumps(document).encode(), "application/json")
        return f"{prefix}/changes.json", overlay_refs

    def _summary(
        self, session: Session, project: Project, job: Job, diff_result_id: str, analyses: list[Row], run: Row | None
    ) -> None:
        """The first legacy analysis as the machine summary; the summary stage fails as the legacy job did."""
        analysis = analyses[0] if analyses else None
        for extra in analyses[1:]:
            self.report.skip("analysis_results", extra["id"], "a second analysis of its comparison (the first is used)")
        failure = None
        if analysis is not None and analysis.get("success") is False:
            failure = analysis.get("error_message") or "the legacy analysis failed"
        elif analysis is None and run is not None and run.get("status") == "failed":
            failure = run.get("error_message") or "the legacy comparison job failed"
        if failure is not None:
            fail_stage(session, SYSTEM, job.id, "summary", f"legacy: {failure}")
            if analysis is not None:
                self.report.skip("analysis_results", analysis["id"], f"a failed analysis: {failure}")
            return
        if analysis is None:
            skip_stage(session, SYSTEM, job.id, "summary", reason="the legacy comparison had no analysis")
            return
        summary = save_machine_summary(
            session,
            SYSTEM,
            diff_result_id,
            content={"overall": analysis.get("analysis_summary") or "", "items": []},
            text=_summary_text(analysis),
            model=analysis.get("ai_model_used") or "legacy",
            prompt_version=PROMPT_VERSION,
            metadata={"legacy_analysis_id": analysis["id"], "recommendations": analysis.get("recommendations") or []},
        )
        complete_stage(session, SYSTEM, job.id, "summary")
        self.ledger.record(session, "analysis_results", analysis["id"], summary, project)
        self._created("analysis_results→change_summaries")

    def _orphans(self) -> None:
        """Rows whose session is gone: listed, never imported."""
        for table in ("drawings", "comparisons", "analysis_results", "processing_jobs"):
            rows = self.source.orphans(table)
            self.report.read[table] += len(rows)
            for row in rows:
                self.report.skip(table, row["id"], f"its session {row['session_id']} does not exist")


def _count_organizations(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Organization)) or 0


def _summary_text(analysis: Row) -> str:
    """The legacy analysis as markdown: its summary, the most critical change, the changes and recommendations."""
    parts = [analysis.get("analysis_summary") or "The legacy analysis wrote no summary."]
    if analysis.get("critical_change"):
        parts.append(f"**Most critical change:** {analysis['critical_change']}")
    for title, key in (("Changes found", "changes_found"), ("Recommendations", "recommendations")):
        entries = [str(entry) for entry in analysis.get(key) or []]
        if entries:
            parts.append(f"### {title}\n" + "\n".join(f"- {entry}" for entry in entries))
    return "\n\n".join(parts)
