"""Summary: the active summary with each item linked to its regions, its history, editing, and asking the pipeline
for a new one (a pipeline request the sensors turn into a run, written in the asker's name)."""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import ChangeSummary
from buildtrace_assets.services import members, pipeline_requests, summaries
from buildtrace_assets.services.access import PIPELINE_EXECUTOR
from portal import backend
from portal.auth import SignedIn, signed_in_user
from portal.empty_state import empty_state
from portal.job_context import JOB_PARAM, JobRef, choose_job
from portal.pipeline import waiting_mark
from portal.project_context import PROJECT_PARAM, ProjectAccess, choose_project
from portal.report_downloads import report_downloads
from portal.review_data import SHEET_PARAM, Review, load_review, sheet_of
from portal.status import RUNNING, WAITING, status_of
from portal.summary_versions import (
    NOTICE_KEY,
    authorship,
    items_editor,
    known_items,
    label,
    regenerate_confirmed,
    versions_panel,
)
from portal.views.alignment import unaligned_notice

REVIEW_PAGE = "views/review.py"
IMPACT_ICONS = {
    "high": ":red[:material/priority_high:]",
    "medium": ":orange[:material/warning:]",
    "low": ":green[:material/info:]",
}


def _items(project: ProjectAccess, job: JobRef, content: dict[str, Any], review: Review) -> None:
    for item in known_items(content, review):
        with st.container(border=True):
            impact = item.get("impact", "")
            st.markdown(f"{IMPACT_ICONS.get(impact, '')} {item.get('text', '')}")
            st.caption(
                " · ".join(
                    part
                    for part in (
                        item.get("sheet"),
                        label(item.get("category")),
                        label(item.get("discipline")),
                        f"impact {impact}: {item.get('reason', '')}",
                    )
                    if part
                )
            )
            links = st.columns(max(1, len(item.get("change_ids") or [])))
            for column, change_id in zip(links, item.get("change_ids") or [], strict=False):
                with column:
                    st.page_link(
                        REVIEW_PAGE,
                        label=change_id,
                        icon=":material/crop_free:",
                        query_params={
                            PROJECT_PARAM: project.project_id,
                            JOB_PARAM: job.job_id,
                            SHEET_PARAM: sheet_of(change_id) or "",
                        },
                    )
    if content.get("not_summarized"):
        st.warning(f"Changes no item describes: {', '.join(content['not_summarized'])}")


def _history(user: SignedIn, project: ProjectAccess, review: Review) -> None:
    def load(session: Session) -> list[dict[str, Any]]:
        emails = {u.id: u.email for u, _ in members.list_members(session, user.actor, project.project_id)}
        return [
            {
                "created": row.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                "source": row.source,
                "model": row.model or "",
                "prompt": row.prompt_version or "",
                "author": emails.get(row.created_by, row.created_by) if row.created_by else PIPELINE_EXECUTOR,
                "active": row.is_active,
            }
            for row in summaries.summary_history(session, user.actor, review.diff_result_id)
        ]

    st.dataframe(backend.run(load), hide_index=True, width="stretch")


def _regenerate(user: SignedIn, job: JobRef, active: ChangeSummary | None, people: dict[str, str]) -> None:
    help_text = "Asks the pipeline to write a new summary from what is in force now, in your name."
    if not regenerate_confirmed(active, st.button("Regenerate summary", help=help_text), people):
        return
    asked = backend.attempt(
        lambda s: pipeline_requests.request_summary(s, user.actor, job.job_id, "regenerate summary").id
    )
    if asked is not None:
        st.session_state[NOTICE_KEY] = "Asked the pipeline for a new summary; it appears here when it is written."
        st.rerun()


def _latest_request(user: SignedIn, project: ProjectAccess, job: JobRef) -> None:
    """Where the newest summary request of the job is: waiting, running, or failed with the reason."""
    asked = backend.run(
        lambda s: pipeline_requests.project_requests(s, user.actor, project.project_id, job_id=job.job_id, limit=1)
    )
    request = asked[0] if asked and asked[0].kind == "summarize" else None
    if request is None or request.status == "done":
        return
    if request.status == "failed":
        st.error(f"The requested summary could not be written: {request.error_message or 'no reason recorded'}")
        again = project.can_edit and st.button("Ask again", key=f"retry-request-{request.id}")
        if again and backend.attempt(lambda s: pipeline_requests.retry_request(s, user.actor, request.id)):
            st.rerun()
    elif request.status == "pending":
        st.info(f"New summary requested: {waiting_mark(request.created_at)}.", icon=f":material/{WAITING.icon}:")
    else:
        look = status_of(request.status)
        st.info(f"New summary requested: {look.label}.", icon=f":material/{look.icon}:")


user = signed_in_user()
project = choose_project(user)
job = choose_job(user, project)
st.title(f"Summary · {job.label}")
if NOTICE_KEY in st.session_state:
    st.success(st.session_state.pop(NOTICE_KEY))

review = load_review(user, job.job_id)
if review is None:
    empty_state(
        f"No comparison result yet: the job is {status_of(job.status).label}. The Jobs page shows its progress.",
        "views/jobs.py",
        "Follow it on Jobs",
    )
    st.stop()

report_downloads(user, job)
unaligned_notice(project, job, review.document)
active = backend.run(lambda s: summaries.active_summary(s, user.actor, review.diff_result_id))
people = backend.run(
    lambda s: {u.id: u.display_name or u.email for u, _ in members.list_members(s, user.actor, project.project_id)}
)
if review.summary_updating:
    st.info(
        "Summary updating: a newer set of regions was saved and its summary is being written.", icon=RUNNING.material
    )
if active is None:
    empty_state(
        "No summary has been written for this comparison yet: "
        + (
            "“Regenerate summary” below asks the pipeline for one, or write one under “Edit the summary”."
            if project.can_edit
            else "it appears here once the pipeline or an editor writes one; the Review page shows the changes now."
        ),
        None if project.can_edit else REVIEW_PAGE,
        None if project.can_edit else "Review the changes",
    )
else:
    st.markdown(active.content.get("overall") or active.text)
    _items(project, job, active.content, review)
    st.caption(authorship(active, people))

_latest_request(user, project, job)
if project.can_edit:
    _regenerate(user, job, active, people)
    with st.expander("Edit the summary"):
        items_editor(user, review, active)

st.subheader("History")
_history(user, project, review)
versions_panel(
    user,
    project.can_edit,
    review,
    backend.run(lambda s: list(summaries.summary_history(s, user.actor, review.diff_result_id))),
    people,
)
