"""Project membership: owners add people of their organization, change roles, remove them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import ROLES, Project, ProjectMember, Role, User
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import Actor, require_project
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound
from buildtrace_assets.services.users import find_user


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}; got {role!r}")


def _membership(session: Session, project: Project, user_id: str) -> ProjectMember:
    member = session.scalar(
        select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user_id)
    )
    if member is None:
        raise NotFound(f"user {user_id} is not a member of project {project.name!r}")
    return member


def list_members(session: Session, actor: Actor, project_id: str) -> list[tuple[User, str]]:
    """``(user, role)`` of every member, by e-mail; any member may read it."""
    require_project(session, actor, project_id)
    rows = session.execute(
        select(User, ProjectMember.role)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project_id)
        .order_by(User.email)
    )
    return [(user, role) for user, role in rows]


def add_member(session: Session, actor: Actor, project_id: str, email: str, role: Role) -> ProjectMember:
    """Give a user of the project's organization a role (owners only)."""
    _check_role(role)
    project = require_project(session, actor, project_id, "owner")
    user = find_user(session, email)
    if user is None or user.organization_id != project.organization_id or not user.is_active:
        raise NotFound(f"no active user with e-mail {email.strip()} in this organization")
    if session.scalar(
        select(ProjectMember.id).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user.id)
    ):
        raise Conflict(f"{user.email} is already a member of project {project.name!r}")
    member = ProjectMember(project_id=project.id, user_id=user.id, role=role)
    session.add(member)
    session.flush()
    audit.record_change(session, actor, "member.add", project, member)
    return member


def _owner_count(session: Session, project_id: str) -> int:
    return (
        session.scalar(
            select(func.count()).where(ProjectMember.project_id == project_id, ProjectMember.role == "owner")
        )
        or 0
    )


def change_role(session: Session, actor: Actor, project_id: str, user_id: str, role: Role) -> ProjectMember:
    """Change a member's role (owners only); the last owner cannot step down."""
    _check_role(role)
    project = require_project(session, actor, project_id, "owner")
    member = _membership(session, project, user_id)
    if member.role == "owner" and role != "owner" and _owner_count(session, project.id) == 1:
        raise Conflict("a project keeps at least one owner")
    before = audit.snapshot(member)
    member.role = role
    session.flush()
    audit.record_change(session, actor, "member.change_role", project, member, before=before)
    return member


def remove_member(session: Session, actor: Actor, project_id: str, user_id: str) -> None:
    """Remove a member (owners only); the last owner cannot be removed."""
    project = require_project(session, actor, project_id, "owner")
    member = _membership(session, project, user_id)
    if member.role == "owner" and _owner_count(session, project.id) == 1:
        raise Conflict("a project keeps at least one owner")
    audit.record_change(session, actor, "member.remove", project, member, before=audit.snapshot(member), deleted=True)
    session.delete(member)
    session.flush()
