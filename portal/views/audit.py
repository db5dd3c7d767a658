"""The project's audit trail: who changed what, when, with the values before and after."""

from __future__ import annotations

import streamlit as st

from buildtrace_assets.services import audit, members
from portal import backend
from portal.auth import signed_in_user
from portal.project_context import choose_project

LIMIT = 500

user = signed_in_user()
project = choose_project(user)
st.title("Audit log")
st.caption(f"{project.name}: the latest {LIMIT} changes, newest first.")

emails = backend.run(lambda s: {u.id: u.email for u, _ in members.list_members(s, user.actor, project.project_id)})
entries = backend.run(
    lambda s: [
        {
            "when": entry.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "who": emails.get(entry.user_id, entry.user_id) if entry.user_id else (entry.executed_by or "system"),
            "through": entry.executed_by or "",
            "action": entry.action,
            "entity": f"{entry.entity_type} {entry.entity_id}",
            "before": entry.before,
            "after": entry.after,
        }
        for entry in audit.project_history(s, user.actor, project.project_id, limit=LIMIT)
    ]
)
if not entries:
    st.info("Nothing has been changed in this project yet.")
st.dataframe(
    entries,
    hide_index=True,
    width="stretch",
    column_config={"before": st.column_config.JsonColumn(), "after": st.column_config.JsonColumn()},
)
