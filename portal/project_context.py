"""The project a page works on, and the signed-in user's role in it.

The project comes from the ``?project=`` query parameter (so links can be
shared) or the sidebar; either way it is checked through the services on
every run. An id the user is not a member of gets the same answer as one that
does not exist, so the URL reveals nothing about other people's projects.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session

from buildtrace_assets.services import access, projects
from buildtrace_assets.services.errors import NotFound
from portal import backend
from portal.auth import SignedIn
from portal.empty_state import empty_state

PROJECT_PARAM = "project"
DEPENDENT_PARAMS = ("job", "sheet")
PROJECTS_PAGE = "views/projects.py"
"""Query parameters naming things inside a project, dropped when another project is picked."""
_PICKER_KEY = "project_picker"
_WRITTEN_KEY = "project_param_written"


@dataclass(frozen=True)
class ProjectAccess:
    """A project as one member sees it."""

    project_id: str
    name: str
    role: str

    @property
    def can_edit(self) -> bool:
        return self.role in ("editor", "owner")

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def _remember_pick() -> None:
    st.session_state[PROJECT_PARAM] = st.session_state[_PICKER_KEY]
    for other in DEPENDENT_PARAMS:
        st.query_params.pop(other, None)


def project_access(user: SignedIn, project_id: str) -> ProjectAccess | None:
    """The user's view of ``project_id``; None when it does not exist or they are not a member."""

    def look_up(session: Session) -> ProjectAccess | None:
        try:
            project = projects.get_project(session, user.actor, project_id)
        except NotFound:
            return None
        role = access.role_in(session, user.actor, project.id)
        return ProjectAccess(project.id, project.name, role or "viewer")

    return backend.run(look_up)


def choose_project(user: SignedIn) -> ProjectAccess:
    """The project chosen in the URL or the sidebar; stops the page when there is none to show.

    The choice is kept in session state (widget state does not survive a page
    that has no sidebar picker) and mirrored into the URL; a URL that differs
    from what the portal last wrote was typed or followed, so it wins.
    """
    mine = dict(backend.run(lambda session: [(p.id, p.name) for p in projects.list_projects(session, user.actor)]))
    requested = st.query_params.get(PROJECT_PARAM)
    if requested is not None and requested != st.session_state.get(_WRITTEN_KEY):
        if requested not in mine:
            st.error("Project not found.")
            st.stop()
        st.session_state[PROJECT_PARAM] = requested
    if not mine:
        empty_state(
            "You are not a member of any project yet: create one on the Projects page.",
            PROJECTS_PAGE,
            "Create a project",
        )
        st.stop()
    if st.session_state.get(PROJECT_PARAM) not in mine:
        st.session_state[PROJECT_PARAM] = next(iter(mine))
    st.session_state[_PICKER_KEY] = st.session_state[PROJECT_PARAM]
    chosen = st.sidebar.selectbox(
        "Project", list(mine), key=_PICKER_KEY, format_func=mine.__getitem__, on_change=_remember_pick
    )
    st.session_state[_WRITTEN_KEY] = st.query_params[PROJECT_PARAM] = chosen
    found = project_access(user, chosen)
    if found is None:
        st.error("Project not found.")
        st.stop()
    return found
