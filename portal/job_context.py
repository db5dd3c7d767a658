"""Jobs as the portal lists them, and the job a page works on.

A job is named by what people recognise, ``A-101 v2 → v3``, not by its id.
As with projects, a ``?job=`` id that is not one of the chosen project's jobs
gets "not found", whatever project it really belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import streamlit as st
from sqlalchemy.orm import Session

from buildtrace_assets.services import drawings, jobs
from portal import backend
from portal.auth import SignedIn
from portal.empty_state import empty_state
from portal.project_context import ProjectAccess
from portal.status import CANCELLED, COMPLETED, FAILED, RUNNING, WAITING, status_of

JOB_PARAM = "job"
UPLOAD_PAGE = "views/upload.py"


@dataclass(frozen=True)
class VersionRef:
    """One side of a comparison."""

    version_id: str
    drawing: str
    number: int
    storage_key: str
    filename: str
    analysis_key: str | None
    """The pipeline's document analysis of the version, once it has run."""


@dataclass(frozen=True)
class JobRef:
    """A job with the versions it compares."""

    job_id: str
    status: str
    created_at: datetime
    error_message: str | None
    old: VersionRef
    new: VersionRef

    @property
    def label(self) -> str:
        return f"{self.new.drawing} v{self.old.number} → v{self.new.number}"

    @property
    def finished(self) -> bool:
        return self.status in jobs.FINISHED_STATUSES


def _version(session: Session, user: SignedIn, version_id: str) -> VersionRef:
    version, drawing = drawings.get_version(session, user.actor, version_id)
    return VersionRef(
        version.id,
        drawing.name,
        version.version_number,
        version.storage_key,
        version.original_filename,
        version.ocr_result_ref,
    )


def project_jobs(user: SignedIn, project: ProjectAccess) -> list[JobRef]:
    """The project's jobs, newest first."""

    def load(session: Session) -> list[JobRef]:
        return [
            JobRef(
                job.id,
                job.status,
                job.created_at,
                job.error_message,
                _version(session, user, job.old_drawing_version_id),
                _version(session, user, job.new_drawing_version_id),
            )
            for job in jobs.list_jobs(session, user.actor, project.project_id)
        ]

    return backend.run(load)


def no_comparisons(project: ProjectAccess) -> None:
    """The empty state of every page about comparisons: a second version of a drawing starts the first one."""
    if project.can_edit:
        empty_state(
            "No comparisons yet: upload a second version of a drawing and its comparison with the first starts by"
            " itself.",
            UPLOAD_PAGE,
            "Upload drawings",
        )
    else:
        empty_state(
            f"No comparisons in {project.name} yet: they appear here once an editor uploads a second version of a"
            " drawing."
        )


def choose_job(user: SignedIn, project: ProjectAccess) -> JobRef:
    """The job in ``?job=`` or picked in the sidebar; stops the page when there is none."""
    available = {job.job_id: job for job in project_jobs(user, project)}
    requested = st.query_params.get(JOB_PARAM)
    if requested is not None and requested not in available:
        st.error("Job not found.")
        st.stop()
    if not available:
        no_comparisons(project)
        st.stop()
    ids = list(available)
    chosen = st.sidebar.selectbox(
        "Comparison",
        ids,
        index=ids.index(requested) if requested in available else 0,
        # The status's mark before the name: a word after it was cut off ("(comple") in the 260 px sidebar.
        format_func=lambda job_id: f"{status_of(available[job_id].status).mark} {available[job_id].label}",
        help=" · ".join(f"{status.mark} {status.label}" for status in (WAITING, RUNNING, COMPLETED, FAILED, CANCELLED)),
    )
    st.query_params[JOB_PARAM] = chosen
    return available[chosen]
