"""Projects: the creator owns them, members see them, nobody else learns they exist."""

from __future__ import annotations

import pytest
from fixtures.database import Team
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.models import AuditLog, Project, ProjectMember, User
from buildtrace_assets.db.session import transaction
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.errors import InvalidInput, NotFound, PermissionDenied
from buildtrace_assets.services.projects import (
    create_project,
    delete_project,
    get_project,
    list_projects,
    update_project,
)


def test_creator_becomes_owner_and_the_creation_is_audited(db_session: Session, team: Team) -> None:
    project = create_project(db_session, team.editor, "Annex", "east wing")
    member = db_session.scalars(select(ProjectMember).where(ProjectMember.project_id == project.id)).one()
    assert (member.user_id, member.role) == (team.editor.user_id, "owner")
    entry = db_session.scalars(select(AuditLog).where(AuditLog.entity_id == project.id)).one()
    assert (entry.action, entry.user_id, entry.project_id) == ("project.create", team.editor.user_id, project.id)
    assert entry.after["name"] == "Annex"


def test_the_system_cannot_own_a_project(db_session: Session) -> None:
    with pytest.raises(PermissionDenied):
        create_project(db_session, SYSTEM, "Orphan")


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_project_name_must_be_sensible(db_session: Session, team: Team, name: str) -> None:
    with pytest.raises(InvalidInput):
        create_project(db_session, team.owner, name)


def test_members_list_and_read_their_projects_only(db_session: Session, team: Team) -> None:
    for actor in (team.owner, team.editor, team.viewer):
        assert [p.id for p in list_projects(db_session, actor)] == [team.project.id]
        assert get_project(db_session, actor, team.project.id).name == "Tower"
    for actor in (team.colleague, team.outsider):
        assert list_projects(db_session, actor) == []
        with pytest.raises(NotFound):
            get_project(db_session, actor, team.project.id)


def test_editors_update_viewers_may_not(db_session: Session, team: Team) -> None:
    update_project(db_session, team.editor, team.project.id, name="Tower B")
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "project.update")).one()
    assert (entry.before["name"], entry.after["name"]) == ("Tower", "Tower B")
    with pytest.raises(PermissionDenied):
        update_project(db_session, team.viewer, team.project.id, name="Mine")
    with pytest.raises(NotFound):
        update_project(db_session, team.outsider, team.project.id, name="Mine")


@pytest.mark.parametrize("who", ["editor", "viewer", "colleague", "outsider"])
def test_only_owners_delete(db_session: Session, team: Team, who: str) -> None:
    expected = PermissionDenied if who in ("editor", "viewer") else NotFound
    with pytest.raises(expected):
        delete_project(db_session, getattr(team, who), team.project.id)


def test_deleting_keeps_the_audit_trail(db_session: Session, team: Team) -> None:
    delete_project(db_session, team.owner, team.project.id)
    db_session.commit()
    assert db_session.get(Project, team.project.id) is None
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "project.delete")).one()
    assert entry.entity_id == team.project.id
    assert entry.before["name"] == "Tower"


def test_unknown_ids_are_not_found(db_session: Session, team: Team) -> None:
    with pytest.raises(NotFound):
        get_project(db_session, team.owner, "no-such-project")


def test_a_failed_transaction_leaves_neither_the_change_nor_its_audit_row(
    session_factory: sessionmaker[Session], team: Team
) -> None:
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        update_project(session, team.owner, team.project.id, name="Renamed")
        raise RuntimeError("something after the update failed")
    with session_factory() as session:
        assert session.get(Project, team.project.id).name == "Tower"
        assert session.scalars(select(AuditLog).where(AuditLog.action == "project.update")).all() == []


def test_a_deactivated_member_loses_access(db_session: Session, team: Team) -> None:
    user = db_session.get(User, team.editor.user_id)
    user.is_active = False
    db_session.flush()
    with pytest.raises(NotFound):
        get_project(db_session, team.editor, team.project.id)
