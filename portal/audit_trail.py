"""The audit log as people read it: objects by name, changes as "field: before → after", filters, CSV.

Audit rows store table names and ids (``drawing_versions`` ``a1678c0c-…``)
and whole JSON snapshots. A person asks "who changed drawing Flange v2, and
what?": so each id is named from the project's own rows (drawing "Flange",
drawing "Flange" v2, job "Flange v1 → v2", summary v3 of that job...), and
before/after become one line per changed field. Actions read in plain words
("stage started", not ``job_stage.in_progress``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import (
    AuditLog,
    DiffResult,
    Drawing,
    DrawingVersion,
    Job,
    JobStage,
    PipelineRequest,
    Project,
    User,
)
from buildtrace_assets.db.models.results import ChangeSummary, ManualOverlay, SheetAlignment
from portal.job_results import stage_label

UNNAMED = {"api_sessions": "sign-in session", "sign_in_counters": "sign-in counter"}
REQUEST_KINDS = {"analyze": "analysis", "compare": "comparison", "summarize": "summary"}
ACTIONS = {
    "organization.create": "organization created",
    "user.create": "account created",
    "user.password_set": "password set",
    "sign_in.failed": "sign-in failed",
    "sign_in.locked_out": "sign-in locked",
    "sign_in.reset": "sign-in lock lifted",
    "project.create": "project created",
    "project.update": "project changed",
    "project.delete": "project deleted",
    "member.add": "member added",
    "member.change_role": "member's role changed",
    "member.remove": "member removed",
    "drawing.create": "drawing added",
    "drawing.delete": "drawing deleted",
    "drawing_version.create": "version uploaded",
    "drawing_version.processing": "version analysis updated",
    "job.create": "job created",
    "job.cancel": "job cancelled",
    "job.retry": "job retried",
    "job_stage.pending": "stage waiting for a retry",
    "job_stage.in_progress": "stage started",
    "job_stage.completed": "stage completed",
    "job_stage.failed": "stage failed",
    "job_stage.skipped": "stage skipped",
    "pipeline_request.analyze": "analysis requested",
    "pipeline_request.compare": "comparison requested",
    "pipeline_request.summarize": "summary requested",
    "pipeline_request.done": "request done",
    "pipeline_request.failed": "request failed",
    "diff_result.create": "comparison result saved",
    "diff_result.replace": "comparison result replaced",
    "overlay.create": "corrections saved",
    "overlay.deactivate": "corrections withdrawn",
    "summary.machine": "summary written by the summarizer",
    "summary.human_corrected": "summary corrected by hand",
    "summary.human_written": "summary written by hand",
    "summary.restore": "summary version restored",
    "sheet_alignment.create": "sheet alignment set",
    "sheet_alignment.replace": "sheet alignment changed",
    "sheet_alignment.delete": "sheet alignment removed",
}
"""Each recorded action in words; one not listed reads as its words (``thing.do_it`` → "thing do it")."""


def action_words(action: str) -> str:
    """``job_stage.in_progress`` → "stage started"."""
    return ACTIONS.get(action) or action.replace(".", " ").replace("_", " ")


@dataclass(frozen=True)
class TrailEntry:
    """One audit row in words."""

    when: datetime
    who: str
    through: str
    action: str
    what: str
    changes: list[str]

    def as_row(self) -> dict[str, str]:
        """The entry as a table or CSV row."""
        return {
            "when": self.when.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "who": self.who,
            "through": self.through,
            "action": self.action,
            "object": self.what,
            "change": "; ".join(self.changes),
        }


def object_names(session: Session, project_id: str) -> dict[str, str]:
    """A readable name for every id of the project an audit row may point at."""
    names: dict[str, str] = {}
    project = session.get(Project, project_id)
    if project is not None:
        names[project.id] = f'project "{project.name}"'
    versions: dict[str, tuple[str, int]] = {}
    for drawing, version in session.execute(
        select(Drawing, DrawingVersion)
        .outerjoin(DrawingVersion, DrawingVersion.drawing_id == Drawing.id)
        .where(Drawing.project_id == project_id)
    ):
        names[drawing.id] = f'drawing "{drawing.name}"'
        if version is not None:
            versions[version.id] = (drawing.name, version.version_number)
            names[version.id] = f'drawing "{drawing.name}" v{version.version_number}'
    jobs: dict[str, str] = {}
    for job in session.scalars(select(Job).where(Job.project_id == project_id)):
        jobs[job.id] = _job_name(versions.get(job.old_drawing_version_id), versions.get(job.new_drawing_version_id))
        names[job.id] = f"job {jobs[job.id]}"
    for stage in session.scalars(select(JobStage).where(JobStage.job_id.in_(jobs))):
        compared = versions.get(stage.drawing_version_id or "")
        label = stage_label(stage.stage, f"v{compared[1]}" if compared else "")
        names[stage.id] = f'stage "{label}" of job {jobs[stage.job_id]}'
    for request in session.scalars(select(PipelineRequest).where(PipelineRequest.project_id == project_id)):
        kind = REQUEST_KINDS.get(request.kind, request.kind)
        if request.job_id in jobs:
            names[request.id] = f"{kind} request for job {jobs[request.job_id]}"
        elif request.drawing_version_id in versions:
            names[request.id] = f"{kind} request for {names[request.drawing_version_id]}"
    results = {
        result.id: jobs.get(result.job_id, "?")
        for result in session.scalars(select(DiffResult).join(Job).where(Job.project_id == project_id))
    }
    for overlay in session.scalars(select(ManualOverlay).where(ManualOverlay.diff_result_id.in_(results))):
        names[overlay.id] = f"corrections v{overlay.version_number} of job {results[overlay.diff_result_id]}"
    for summary in session.scalars(select(ChangeSummary).where(ChangeSummary.diff_result_id.in_(results))):
        names[summary.id] = f"summary v{summary.version_number} of job {results[summary.diff_result_id]}"
    for result_id, job_name in results.items():
        names[result_id] = f"comparison result of job {job_name}"
    for alignment in session.scalars(select(SheetAlignment).where(SheetAlignment.diff_result_id.in_(results))):
        names[alignment.id] = f"alignment of sheet {alignment.sheet_key}, job {results[alignment.diff_result_id]}"
    return names


def _job_name(old: tuple[str, int] | None, new: tuple[str, int] | None) -> str:
    """``"Flange" v1 → v2``, or both drawings named when a job compares two of them."""
    if old is None or new is None:
        return "of a removed drawing"
    if old[0] == new[0]:
        return f'"{old[0]}" v{old[1]} → v{new[1]}'
    return f'"{old[0]}" v{old[1]} → "{new[0]}" v{new[1]}'


def people_names(session: Session, user_ids: Iterable[str]) -> dict[str, str]:
    """``Display Name <e-mail>`` for each user id."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    return {
        user.id: f"{user.display_name} <{user.email}>" if user.display_name else user.email
        for user in session.scalars(select(User).where(User.id.in_(wanted)))
    }


def _value(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def field_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    """One line per field that differs: ``field: before → after``; a created or deleted row lists its fields."""
    before, after = before or {}, after or {}
    lines = []
    for field in sorted(set(before) | set(after)):
        if field in before and field in after:
            if before[field] != after[field]:
                lines.append(f"{field}: {_value(before[field])} → {_value(after[field])}")
        elif field in after:
            lines.append(f"{field}: {_value(after[field])}")
        else:
            lines.append(f"{field}: {_value(before[field])} → removed")
    return lines


def describe(entries: Sequence[AuditLog], names: Mapping[str, str], people: Mapping[str, str]) -> list[TrailEntry]:
    """The rows in words; an id no longer in the project is shown by its kind and first 8 characters."""
    return [
        TrailEntry(
            when=entry.created_at,
            who=people.get(entry.user_id, "a removed user") if entry.user_id else (entry.executed_by or "system"),
            through=entry.executed_by or "",
            action=action_words(entry.action),
            what=names.get(entry.entity_id)
            or f"{UNNAMED.get(entry.entity_type, entry.entity_type.rstrip('s').replace('_', ' '))} "
            f"{entry.entity_id[:8]}",
            changes=field_changes(entry.before, entry.after),
        )
        for entry in entries
    ]


def filtered(
    entries: Iterable[TrailEntry],
    people: Sequence[str] = (),
    actions: Sequence[str] = (),
    days: tuple[date, date] | None = None,
) -> list[TrailEntry]:
    """The entries by any of ``people``, with any of ``actions``, between the two days (inclusive); empty: all."""
    return [
        entry
        for entry in entries
        if (not people or entry.who in people)
        and (not actions or entry.action in actions)
        and (days is None or days[0] <= entry.when.date() <= days[1])
    ]


def as_csv(entries: Iterable[TrailEntry]) -> bytes:
    """The entries as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the arrows right)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["when", "who", "through", "action", "object", "change"])
    writer.writeheader()
    for entry in entries:
        writer.writerow(entry.as_row())
    return buffer.getvalue().encode("utf-8-sig")
