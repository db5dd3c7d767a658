"""The project's audit trail: who changed what and when, in names and words; filtered, exported as CSV."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy.orm import Session

from buildtrace_assets.services import audit
from portal import backend
from portal.audit_trail import TrailEntry, as_csv, describe, filtered, object_names, people_names
from portal.auth import signed_in_user
from portal.empty_state import empty_state
from portal.job_context import UPLOAD_PAGE
from portal.project_context import choose_project

LIMIT = 500

user = signed_in_user()
st.title("Audit log")
project = choose_project(user)


def _trail(session: Session) -> list[TrailEntry]:
    entries = audit.project_history(session, user.actor, project.project_id, limit=LIMIT)
    people = people_names(session, [entry.user_id for entry in entries if entry.user_id])
    return describe(entries, object_names(session, project.project_id), people)


trail = backend.run(_trail)
if not trail:
    empty_state(
        "Nothing has been changed in this project yet: uploads, comparisons, corrections and members appear here as"
        " people make them" + (", starting with the first drawing you upload." if project.can_edit else "."),
        UPLOAD_PAGE if project.can_edit else None,
        "Upload drawings" if project.can_edit else None,
    )
    st.stop()
st.caption(f"{project.name}: the latest {LIMIT} changes, newest first. Select a row to read its whole change.")
by_person, by_action, by_day = st.columns(3)
people = by_person.multiselect("Person", sorted({entry.who for entry in trail}), placeholder="Everyone")
actions = by_action.multiselect("Action", sorted({entry.action for entry in trail}), placeholder="Every action")
first, last = min(entry.when.date() for entry in trail), max(entry.when.date() for entry in trail)
days = by_day.date_input("Between", (first, last), min_value=first, max_value=last)
chosen_days = (days[0], days[1]) if isinstance(days, tuple) and len(days) == 2 else None
shown = filtered(trail, people, actions, chosen_days if chosen_days != (first, last) else None)
if not shown:
    empty_state(
        "No change matches these filters: remove a person or an action, or widen the dates.",
        icon=":material/filter_alt_off:",
    )
    st.stop()
st.download_button(
    f"Download these {len(shown)} rows (CSV)",
    as_csv(shown),
    file_name=f"{project.name} audit log {date.today().isoformat()}.csv",
    mime="text/csv",
    icon=":material/download:",
)
event = st.dataframe(
    [entry.as_row() for entry in shown],
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="audit-table",
)
selected = event.selection.rows
if selected:
    entry = shown[selected[0]]
    st.subheader(f"{entry.action} · {entry.what}")
    st.caption(f"{entry.as_row()['when']} · {entry.who}" + (f" through {entry.through}" if entry.through else ""))
    st.code("\n".join(entry.changes) or "No fields were recorded for this action.", language=None, wrap_lines=True)
