"""Jobs: each comparison's status, stage timeline, requests, Dagster lineage and errors; cancel, retry; what waits
for the pipeline, and since when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import streamlit as st

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import PipelineRequest
from buildtrace_assets.pipeline_api import PipelineUnreachable, job_partitions
from buildtrace_assets.services import jobs, members, pipeline_requests, retries
from portal import backend
from portal.auth import SignedIn, signed_in_user
from portal.job_context import JobRef, no_comparisons, project_jobs
from portal.job_results import duration, result_links, stage_label
from portal.lineage import lineage_rows
from portal.pipeline import pipeline_api, waiting_mark
from portal.project_context import ProjectAccess, choose_project
from portal.status import badge, status_text

POLL_SECONDS = 3
WAITING_WORK = {"analyze": "analysis", "compare": "comparison", "summarize": "summary"}
"""What a pending request of each kind has the pipeline do, in the words of the job card."""


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _people(user: SignedIn, project: ProjectAccess) -> dict[str, str]:
    return backend.run(
        lambda s: {member.id: member.email for member, _ in members.list_members(s, user.actor, project.project_id)}
    )


def _lineage(user: SignedIn, project: ProjectAccess, job: JobRef) -> None:
    refs = job_partitions(job_id=job.job_id, old_version_id=job.old.version_id, new_version_id=job.new.version_id)
    try:
        states = pipeline_api().partition_states([(asset, partition) for asset, partition, _ in refs])
    except PipelineUnreachable:
        st.warning("Pipeline unreachable: the lineage cannot be read now; it shows again once the pipeline answers.")
        return
    rows = lineage_rows(states, [role for _, _, role in refs], _people(user, project))
    st.dataframe(rows, hide_index=True, width="stretch")


def _waiting_work(job: JobRef, asked: Sequence[PipelineRequest], waiting: dict[str, datetime]) -> str:
    """What of the job waits for the pipeline, since when: "summary update waiting for the pipeline since 15:04 UTC".

    A bare "waiting for the pipeline" next to "completed" read as if the job had not finished; the oldest
    pending request of the job says what is to be redone (an update once the job completed), else a
    version's analysis.
    """
    if job.job_id in waiting:
        pending = [request for request in asked if request.status == "pending"]
        oldest = min(pending, key=lambda request: request.created_at, default=None)
        update = " update" if job.status == "completed" else ""
        work = f"{WAITING_WORK.get(oldest.kind, oldest.kind)}{update}" if oldest else "a request"
        return f"{work} {waiting_mark(waiting[job.job_id])}"
    for version in (job.old, job.new):
        if version.version_id in waiting:
            return f"analysis of v{version.number} {waiting_mark(waiting[version.version_id])}"
    return ""


def _requests(user: SignedIn, project: ProjectAccess, asked: Sequence[PipelineRequest]) -> None:
    """The job's pipeline requests: who asked for what, and where its run is; a failed one can be asked again."""
    if not asked:
        return
    people = _people(user, project)
    st.dataframe(
        [
            {
                "asked": _when(request.created_at),
                "what": request.kind,
                "by": people.get(request.requested_by, request.requested_by) if request.requested_by else "pipeline",
                "why": request.reason,
                "status": f"{status_text('pending')}: {waiting_mark(request.created_at)}"
                if request.status == "pending"
                else status_text(request.status),
                "error": request.error_message or "",
            }
            for request in asked[:5]
        ],
        hide_index=True,
        width="stretch",
    )
    failed = asked[0] if asked[0].status == "failed" else None
    if failed is not None:
        st.error(f"The {failed.kind} request failed: {failed.error_message or 'no reason recorded'}")
        again = project.can_edit and st.button("Ask again", key=f"retry-request-{failed.id}")
        if again and backend.attempt(lambda s: pipeline_requests.retry_request(s, user.actor, failed.id)):
            st.rerun()


def _timeline(user: SignedIn, job: JobRef) -> None:
    names = {job.old.version_id: f"v{job.old.number}", job.new.version_id: f"v{job.new.number}"}
    stages = backend.run(lambda s: list(jobs.job_stages(s, user.actor, job.job_id)))
    st.dataframe(
        [
            {
                "stage": stage_label(stage.stage, names.get(stage.drawing_version_id, "")),
                "status": status_text(stage.status),
                "attempts": stage.attempts,
                "started": _when(stage.started_at),
                "completed": _when(stage.completed_at),
                "took": duration(stage.started_at, stage.completed_at, utcnow()),
            }
            for stage in stages
        ],
        hide_index=True,
        width="stretch",
    )
    for stage in stages:
        if stage.status == "failed":
            st.error(f"{stage_label(stage.stage)} failed: {stage.error_message or 'no message recorded'}")


def _job(user: SignedIn, project: ProjectAccess, job: JobRef, waiting: dict[str, datetime]) -> None:
    with st.container(border=True):
        heading, action = st.columns([4, 1])
        asked = backend.run(
            lambda s: list(pipeline_requests.project_requests(s, user.actor, project.project_id, job_id=job.job_id))
        )
        work = _waiting_work(job, asked, waiting)
        mark = f" · :orange[{work}]" if work else ""
        heading.markdown(f"**{job.label}** {badge(job.status)}{mark}")
        heading.caption(f"Created {_when(job.created_at)} UTC · {job.old.filename} → {job.new.filename}")
        cancel = project.can_edit and not job.finished and action.button("Cancel", key=f"cancel-{job.job_id}")
        if cancel and backend.attempt(lambda s: jobs.cancel_job(s, user.actor, job.job_id)):
            st.rerun()
        retry = project.can_edit and job.status == "failed" and action.button("Retry", key=f"retry-{job.job_id}")
        if retry and backend.attempt(lambda s: retries.retry_job(s, user.actor, job.job_id)):
            st.rerun()
        if job.status == "completed":
            result_links(project, job)
        if job.error_message:
            st.error(job.error_message)
        _timeline(user, job)
        _requests(user, project, asked)
        if st.toggle("Lineage in Dagster", key=f"lineage-{job.job_id}"):
            _lineage(user, project, job)


user = signed_in_user()
st.title("Jobs")
project = choose_project(user)
st.caption(f"Comparisons in {project.name}, newest first; refreshed every {POLL_SECONDS} s.")


def _waiting_uploads() -> None:
    """Warn when uploads wait longer than the pipeline normally takes to pick them up (daemon down)."""
    stale_after = get_settings().intake_stale_after_s
    since = utcnow() - timedelta(seconds=stale_after)
    waiting = backend.run(
        lambda s: list(pipeline_requests.waiting_for_pipeline(s, user.actor, project.project_id, since))
    )
    if waiting:
        st.warning(
            f"{len(waiting)} upload(s) have waited more than {stale_after / 60:g} min for the pipeline to start "
            f"(oldest: {waiting[0].original_filename}, {_when(waiting[0].created_at)} UTC). They are asked for "
            "again automatically; if this stays, the Dagster daemon may be stopped."
        )


@st.fragment(run_every=POLL_SECONDS)
def job_board() -> None:
    _waiting_uploads()
    waiting = backend.run(lambda s: pipeline_requests.waiting_since(s, user.actor, project.project_id))
    found = project_jobs(user, project)
    if not found:
        no_comparisons(project)
    for job in found:
        _job(user, project, job, waiting)


job_board()
