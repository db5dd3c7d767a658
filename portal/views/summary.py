"""Summary: the active summary with each item linked to its regions, its history, editing, regenerating."""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from buildtrace_assets.services import access, members, summaries
from portal import backend
from portal.auth import SignedIn, signed_in_user
from portal.job_context import JOB_PARAM, JobRef, choose_job
from portal.project_context import PROJECT_PARAM, ProjectAccess, choose_project
from portal.regenerate import regenerate_summary
from portal.report_downloads import report_downloads
from portal.review_data import SHEET_PARAM, Review, load_review, sheet_of
from portal.views.alignment import unaligned_notice

REVIEW_PAGE = "views/review.py"
NOTICE_KEY = "summary_notice"
IMPACT_ICONS = {
    "high": ":red[:material/priority_high:]",
    "medium": ":orange[:material/warning:]",
    "low": ":green[:material/info:]",
}


def _items(project: ProjectAccess, job: JobRef, content: dict[str, Any]) -> None:
    for item in content.get("items") or []:
        with st.container(border=True):
            impact = item.get("impact", "")
            st.markdown(f"{IMPACT_ICONS.get(impact, '')} {item.get('text', '')}")
            st.caption(
                " · ".join(
                    part
                    for part in (
                        item.get("sheet"),
                        item.get("category"),
                        item.get("discipline"),
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
                "author": emails.get(row.created_by, row.created_by) if row.created_by else "pipeline",
                "active": row.is_active,
            }
            for row in summaries.summary_history(session, user.actor, review.diff_result_id)
        ]

    st.dataframe(backend.run(load), hide_index=True, width="stretch")


def _edit(user: SignedIn, review: Review, active_id: str | None, text: str) -> None:
    with st.form("edit_summary"):
        edited = st.text_area("Summary text (Markdown)", value=text, height=240)
        if st.form_submit_button("Save my version") and backend.attempt(
            lambda s: summaries.edit_summary(s, user.actor, review.diff_result_id, edited, expected_active_id=active_id)
        ):
            st.session_state[NOTICE_KEY] = "Saved as a new human-written version."
            st.rerun()


def _regenerate(user: SignedIn, project: ProjectAccess, job: JobRef) -> None:
    if not st.button("Regenerate summary", help="Runs the pipeline's summary step for this comparison now."):
        return
    if backend.attempt(lambda s: access.require_project(s, user.actor, project.project_id, "editor")) is None:
        return
    with st.spinner("Writing the summary…"):
        error = regenerate_summary(job.job_id)
    if error:
        st.error(f"The summary could not be regenerated: {error}")
    else:
        st.session_state[NOTICE_KEY] = "A new summary was written."
        st.rerun()


user = signed_in_user()
project = choose_project(user)
job = choose_job(user, project)
st.title(f"Summary · {job.label}")
if NOTICE_KEY in st.session_state:
    st.success(st.session_state.pop(NOTICE_KEY))

review = load_review(user, job.job_id)
if review is None:
    st.info(f"No comparison result yet: the job is {job.status}. The Jobs page shows its progress.")
    st.stop()

report_downloads(user, job)
unaligned_notice(project, job, review.document)
active = backend.run(lambda s: summaries.active_summary(s, user.actor, review.diff_result_id))
if review.summary_updating:
    st.info(
        "Summary updating: a newer set of regions was saved and its summary is being written.", icon=":material/sync:"
    )
if active is None:
    st.info("No summary has been written for this comparison yet.")
else:
    st.caption(
        f"{active.source.replace('_', ' ')} · {active.model or 'written by a person'} · "
        f"{active.created_at:%Y-%m-%d %H:%M} UTC"
    )
    st.markdown(active.content.get("overall") or active.text)
    _items(project, job, active.content)

if project.can_edit:
    _regenerate(user, project, job)
    _edit(user, review, active.id if active else None, active.text if active else "")

st.subheader("History")
_history(user, project, review)
