"""Projects: the user's projects, creating one, and managing the chosen one and its members."""

from __future__ import annotations

import streamlit as st

from buildtrace_assets.db.models import ROLES
from buildtrace_assets.services import members, projects
from portal import backend
from portal.auth import signed_in_user
from portal.empty_state import empty_state
from portal.project_context import PROJECT_PARAM, ProjectAccess, choose_project

user = signed_in_user()

st.title("Projects")

has_projects = backend.run(lambda s: bool(projects.list_projects(s, user.actor)))
with st.expander("New project", expanded=not has_projects), st.form("create_project", clear_on_submit=True):
    name = st.text_input("Name")
    description = st.text_area("Description")
    if st.form_submit_button("Create project", type="primary"):
        created = backend.attempt(lambda s: projects.create_project(s, user.actor, name, description).id)
        if created is not None:
            st.session_state[PROJECT_PARAM] = created
            st.success(f"Project {name.strip()!r} created; you are its owner.")

mine = backend.run(
    lambda s: [
        {"name": p.name, "description": p.description, "created": p.created_at.strftime("%Y-%m-%d")}
        for p in projects.list_projects(s, user.actor)
    ]
)
if not mine:
    empty_state(
        "No projects yet: create your first one with “New project” above. You become its owner, then add the "
        "people who work on it under Members; someone who invites you to their project makes it appear here."
    )
    st.stop()
st.dataframe(mine, hide_index=True, width="stretch")

project: ProjectAccess = choose_project(user)
st.header(project.name)
st.caption(f"Your role: **{project.role}**")

if project.can_edit:
    with st.form("rename_project"):
        new_name = st.text_input("Project name", value=project.name)
        if st.form_submit_button("Rename") and backend.attempt(
            lambda s: projects.update_project(s, user.actor, project.project_id, name=new_name)
        ):
            st.rerun()

st.subheader("Members")
roster = backend.run(
    lambda s: [
        {"user_id": u.id, "name": u.display_name, "e-mail": u.email, "role": role}
        for u, role in members.list_members(s, user.actor, project.project_id)
    ]
)
st.dataframe([{k: v for k, v in row.items() if k != "user_id"} for row in roster], hide_index=True, width="stretch")

if project.is_owner:
    with st.form("add_member", clear_on_submit=True):
        st.markdown("**Add a member** (a user of your organization)")
        email = st.text_input("Member e-mail")
        role = st.selectbox("Role", ROLES, index=ROLES.index("viewer"))
        if st.form_submit_button("Add member") and backend.attempt(
            lambda s: members.add_member(s, user.actor, project.project_id, email, role)
        ):
            st.rerun()

    with st.form("change_member"):
        st.markdown("**Change a member**")
        by_id = {row["user_id"]: f"{row['name']} <{row['e-mail']}> ({row['role']})" for row in roster}
        member_id = st.selectbox("Member", list(by_id), format_func=by_id.__getitem__)
        new_role = st.selectbox("New role", ROLES)
        change, remove = st.columns(2)
        if change.form_submit_button("Change role") and backend.attempt(
            lambda s: members.change_role(s, user.actor, project.project_id, member_id, new_role)
        ):
            st.rerun()
        if remove.form_submit_button("Remove member") and backend.attempt(
            lambda s: members.remove_member(s, user.actor, project.project_id, member_id) or True
        ):
            st.rerun()

    st.subheader("Delete project")
    confirm = st.text_input(f"Type the project name ({project.name}) to delete it and everything in it")
    delete = st.button("Delete project", type="primary", disabled=confirm != project.name)
    if delete and backend.attempt(lambda s: projects.delete_project(s, user.actor, project.project_id) or True):
        st.session_state.pop(PROJECT_PARAM, None)
        st.query_params.clear()
        st.rerun()
