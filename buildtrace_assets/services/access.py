"""Who is acting, and whether they may act on a project.

Ids from other organizations or of projects the actor is not a member of are
answered with :class:`NotFound`, exactly like ids that do not exist, so
nothing about other tenants leaks; a member whose role is too low gets
:class:`PermissionDenied`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import Project, ProjectMember, Role, User
from buildtrace_assets.services.errors import NotFound, PermissionDenied

ROLE_RANK: dict[str, int] = {"viewer": 1, "editor": 2, "owner": 3}


@dataclass(frozen=True)
class Actor:
    """The user a service call acts for; ``user_id`` None is the system (sensors, schedules).

    ``executor`` names who carries the change out when it is not the user in
    person: ``pipeline`` for a run working on someone's request (the audit
    row names the person as actor and the pipeline as executor).
    """

    user_id: str | None
    executor: str | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user_id=user.id)

    @classmethod
    def via_pipeline(cls, user_id: str | None) -> Actor:
        """The pipeline working for ``user_id``, or on its own account when None."""
        return cls(user_id=user_id, executor=PIPELINE_EXECUTOR)

    @property
    def is_system(self) -> bool:
        return self.user_id is None


PIPELINE_EXECUTOR = "pipeline"
"""The executor of every change a Dagster run makes; also how the portal names the system actor."""

SYSTEM = Actor(user_id=None)
"""The actor of automated work, such as registering a file something dropped into the bucket."""
PIPELINE = Actor(user_id=None, executor=PIPELINE_EXECUTOR)
"""The pipeline acting on its own account (a new upload's analysis, the nightly re-summarization)."""


def role_in(session: Session, actor: Actor, project_id: str) -> str | None:
    """The actor's role in the project; None when not a member or when the account was deactivated."""
    return session.scalar(
        select(ProjectMember.role)
        .join(User, User.id == ProjectMember.user_id)
        .where(ProjectMember.project_id == project_id, ProjectMember.user_id == actor.user_id, User.is_active.is_(True))
    )


def require_project(session: Session, actor: Actor, project_id: str, role: Role = "viewer") -> Project:
    """The project when the actor holds at least ``role`` in it; the system may do anything."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"project {project_id} not found")
    if actor.is_system:
        return project
    held = role_in(session, actor, project_id)
    if held is None:
        raise NotFound(f"project {project_id} not found")
    if ROLE_RANK[held] < ROLE_RANK[role]:
        raise PermissionDenied(f"this needs the {role} role in project {project.name!r}; you are {held}")
    return project


def require_user(session: Session, actor: Actor) -> User:
    """The acting user, which must exist and be active (the system has no user)."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None or not user.is_active:
        raise PermissionDenied("an active user is required")
    return user
