"""Projects: created by a user who becomes their first owner."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import Project, ProjectMember
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import Actor, require_project, require_user
from buildtrace_assets.services.errors import InvalidInput


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("project name must not be empty")
    if len(name) > 200:
        raise InvalidInput("project name must have at most 200 characters")
    return name


def create_project(session: Session, actor: Actor, name: str, description: str = "") -> Project:
    """A new project in the actor's organization, with the actor as owner."""
    user = require_user(session, actor)
    project = Project(
        organization_id=user.organization_id, name=_clean_name(name), description=description, created_by=user.id
    )
    session.add(project)
    session.flush()
    session.add(ProjectMember(project_id=project.id, user_id=user.id, role="owner"))
    audit.record_change(session, actor, "project.create", project, project)
    return project


def get_project(session: Session, actor: Actor, project_id: str) -> Project:
    """The project, when the actor is a member."""
    return require_project(session, actor, project_id)


def list_projects(session: Session, actor: Actor) -> Sequence[Project]:
    """The projects the actor is a member of, by name."""
    return session.scalars(
        select(Project)
        .join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(ProjectMember.user_id == actor.user_id)
        .order_by(Project.name, Project.id)
    ).all()


def update_project(
    session: Session, actor: Actor, project_id: str, *, name: str | None = None, description: str | None = None
) -> Project:
    """Rename or re-describe a project (editors and owners)."""
    project = require_project(session, actor, project_id, "editor")
    before = audit.snapshot(project)
    if name is not None:
        project.name = _clean_name(name)
    if description is not None:
        project.description = description
    session.flush()
    audit.record_change(session, actor, "project.update", project, project, before=before)
    return project


def delete_project(session: Session, actor: Actor, project_id: str) -> None:
    """Delete a project and everything in it (owners only); its audit trail stays, detached."""
    project = require_project(session, actor, project_id, "owner")
    audit.record(
        session,
        actor,
        "project.delete",
        project,
        organization_id=project.organization_id,
        project_id=None,
        before=audit.snapshot(project),
    )
    session.delete(project)
    session.flush()
