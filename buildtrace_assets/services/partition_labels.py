"""Readable names of pipeline partitions: the partition keys are row ids, which mean nothing in the Dagster UI.

Assets put these labels in their materialization metadata, the portal and
``buildtrace doctor`` show them next to the ids.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from buildtrace_assets.db.models import Drawing, DrawingVersion, Job, Project


def version_label(session: Session, version_id: str) -> str:
    """``project / drawing / vN``; the id itself when the version is gone."""
    version = session.get(DrawingVersion, version_id)
    if version is None:
        return version_id
    drawing = session.get_one(Drawing, version.drawing_id)
    project = session.get_one(Project, drawing.project_id)
    return f"{project.name} / {drawing.name} / v{version.version_number}"


def job_label(session: Session, job_id: str) -> str:
    """``project / drawing / vOLD → vNEW``; the id itself when the job is gone."""
    job = session.get(Job, job_id)
    if job is None:
        return job_id
    old = session.get_one(DrawingVersion, job.old_drawing_version_id)
    new = session.get_one(DrawingVersion, job.new_drawing_version_id)
    return f"{version_label(session, old.id).rsplit(' / ', 1)[0]} / v{old.version_number} → v{new.version_number}"
