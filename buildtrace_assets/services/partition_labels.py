"""Readable names of pipeline partitions: the partition keys are row ids, which mean nothing in the Dagster UI.

Assets put these labels in their materialization metadata, the portal and
``buildtrace doctor`` show them next to the ids.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from buildtrace_assets.db.models import Drawing, DrawingVersion, Job, Project


def _drawing_of(session: Session, version: DrawingVersion) -> str:
    drawing = session.get_one(Drawing, version.drawing_id)
    return f"{session.get_one(Project, drawing.project_id).name} / {drawing.name}"


def version_label(session: Session, version_id: str) -> str:
    """``project / drawing / vN``; the id itself when the version is gone."""
    version = session.get(DrawingVersion, version_id)
    return f"{_drawing_of(session, version)} / v{version.version_number}" if version else version_id


def job_label(session: Session, job_id: str) -> str:
    """``project / drawing / vOLD → vNEW``; the id itself when the job is gone."""
    job = session.get(Job, job_id)
    if job is None:
        return job_id
    old = session.get_one(DrawingVersion, job.old_drawing_version_id)
    new = session.get_one(DrawingVersion, job.new_drawing_version_id)
    return f"{_drawing_of(session, new)} / v{old.version_number} → v{new.version_number}"
