"""Jobs: each comparison's status, stage timeline, Dagster lineage and errors; cancel, retry; uploads still waiting."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import streamlit as st
from dagster import AssetKey, DagsterInstance

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.services import jobs, pipeline_requests, retries
from portal import backend
from portal.auth import SignedIn, signed_in_user
from portal.job_context import JobRef, project_jobs
from portal.lineage import assets_by_partitions, job_partitions, lineage_rows, partition_lineage
from portal.project_context import ProjectAccess, choose_project

POLL_SECONDS = 3
STATUS_ICONS = {
    "pending": ":material/schedule:",
    "running": ":material/sync:",
    "completed": ":green[:material/check_circle:]",
    "failed": ":red[:material/error:]",
    "cancelled": ":material/block:",
}


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


@st.cache_resource(show_spinner=False)
def _pipeline_assets() -> dict[str, list[AssetKey]]:
    """Asset keys by partition set, read from the pipeline's definitions once per server."""
    from buildtrace_assets.definitions import defs

    return assets_by_partitions(defs)


def _lineage(job: JobRef) -> None:
    if not os.environ.get("DAGSTER_HOME"):
        st.caption("Set DAGSTER_HOME to see what the Dagster instance materialized for this job.")
        return
    refs = job_partitions(
        _pipeline_assets(), job_id=job.job_id, old_version_id=job.old.version_id, new_version_id=job.new.version_id
    )
    st.dataframe(lineage_rows(partition_lineage(DagsterInstance.get(), refs)), hide_index=True, width="stretch")


def _timeline(user: SignedIn, job: JobRef) -> None:
    names = {job.old.version_id: f"v{job.old.number}", job.new.version_id: f"v{job.new.number}"}
    stages = backend.run(lambda s: list(jobs.job_stages(s, user.actor, job.job_id)))
    st.dataframe(
        [
            {
                "stage": f"{stage.stage} {names.get(stage.drawing_version_id, '')}".strip(),
                "status": stage.status,
                "attempts": stage.attempts,
                "started": _when(stage.started_at),
                "completed": _when(stage.completed_at),
                "seconds": round((stage.completed_at - stage.started_at).total_seconds(), 1)
                if stage.started_at and stage.completed_at
                else None,
            }
            for stage in stages
        ],
        hide_index=True,
        width="stretch",
    )
    for stage in stages:
        if stage.status == "failed":
            st.error(f"{stage.stage} failed: {stage.error_message or 'no message recorded'}")


def _job(user: SignedIn, project: ProjectAccess, job: JobRef) -> None:
    with st.container(border=True):
        heading, action = st.columns([4, 1])
        heading.markdown(f"**{job.label}** {STATUS_ICONS.get(job.status, '')} `{job.status}`")
        heading.caption(f"Created {_when(job.created_at)} UTC · {job.old.filename} → {job.new.filename}")
        cancel = project.can_edit and not job.finished and action.button("Cancel", key=f"cancel-{job.job_id}")
        if cancel and backend.attempt(lambda s: jobs.cancel_job(s, user.actor, job.job_id)):
            st.rerun()
        retry = project.can_edit and job.status == "failed" and action.button("Retry", key=f"retry-{job.job_id}")
        if retry and backend.attempt(lambda s: retries.retry_job(s, user.actor, job.job_id)):
            st.rerun()
        if job.error_message:
            st.error(job.error_message)
        _timeline(user, job)
        if st.toggle("Lineage in Dagster", key=f"lineage-{job.job_id}"):
            _lineage(job)


user = signed_in_user()
project = choose_project(user)
st.title("Jobs")
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
    found = project_jobs(user, project)
    if not found:
        st.info("No comparisons yet: upload a second version of a drawing to start one.")
    for job in found:
        _job(user, project, job)


job_board()
