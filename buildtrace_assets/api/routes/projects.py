"""Projects and their members."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_smorest import Blueprint

from buildtrace_assets.api.context import current_actor, db
from buildtrace_assets.api.schemas import (
    MemberAddSchema,
    MemberRoleSchema,
    MemberSchema,
    ProjectCreateSchema,
    ProjectSchema,
    ProjectUpdateSchema,
)
from buildtrace_assets.db.models import Project, User
from buildtrace_assets.services import members, projects

blp = Blueprint("projects", __name__, url_prefix="/api/v1/projects", description="Projects and their members.")


def _member(user: User, role: str) -> dict[str, Any]:
    return {"user_id": user.id, "email": user.email, "display_name": user.display_name, "role": role}


@blp.route("", methods=["GET"])
@blp.response(200, ProjectSchema(many=True))
def list_projects() -> Sequence[Project]:
    """The projects you are a member of."""
    return projects.list_projects(db(), current_actor())


@blp.route("", methods=["POST"])
@blp.arguments(ProjectCreateSchema)
@blp.response(201, ProjectSchema)
def create_project(body: dict[str, str]) -> Project:
    """A new project in your organization, with you as its owner."""
    return projects.create_project(db(), current_actor(), body["name"], body["description"])


@blp.route("/<project_id>", methods=["GET"])
@blp.response(200, ProjectSchema)
def get_project(project_id: str) -> Project:
    """One project you are a member of."""
    return projects.get_project(db(), current_actor(), project_id)


@blp.route("/<project_id>", methods=["PATCH"])
@blp.arguments(ProjectUpdateSchema)
@blp.response(200, ProjectSchema)
def update_project(body: dict[str, str], project_id: str) -> Project:
    """Rename or re-describe a project (editors and owners)."""
    return projects.update_project(db(), current_actor(), project_id, **body)


@blp.route("/<project_id>", methods=["DELETE"])
@blp.response(204)
def delete_project(project_id: str) -> None:
    """Delete a project and everything in it (owners)."""
    projects.delete_project(db(), current_actor(), project_id)


@blp.route("/<project_id>/members", methods=["GET"])
@blp.response(200, MemberSchema(many=True))
def list_members(project_id: str) -> list[dict[str, Any]]:
    """Everyone in the project with their role."""
    return [_member(user, role) for user, role in members.list_members(db(), current_actor(), project_id)]


@blp.route("/<project_id>/members", methods=["POST"])
@blp.arguments(MemberAddSchema)
@blp.response(201, MemberSchema)
def add_member(body: dict[str, str], project_id: str) -> dict[str, Any]:
    """Give a user of your organization a role in the project (owners)."""
    member = members.add_member(db(), current_actor(), project_id, body["email"], body["role"])  # type: ignore[arg-type]
    return _member(db().get_one(User, member.user_id), member.role)


@blp.route("/<project_id>/members/<user_id>", methods=["PATCH"])
@blp.arguments(MemberRoleSchema)
@blp.response(200, MemberSchema)
def change_role(body: dict[str, str], project_id: str, user_id: str) -> dict[str, Any]:
    """Change a member's role (owners); the last owner cannot step down."""
    member = members.change_role(db(), current_actor(), project_id, user_id, body["role"])  # type: ignore[arg-type]
    return _member(db().get_one(User, member.user_id), member.role)


@blp.route("/<project_id>/members/<user_id>", methods=["DELETE"])
@blp.response(204)
def remove_member(project_id: str, user_id: str) -> None:
    """Remove a member (owners); the last owner cannot be removed."""
    members.remove_member(db(), current_actor(), project_id, user_id)
