"""Membership: owners manage it within their organization, and a project always keeps an owner."""

from __future__ import annotations

import pytest
from fixtures.database import Team, make_actor
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from buildtrace_assets.services.members import add_member, change_role, list_members, remove_member


def roles(session: Session, team: Team) -> dict[str, str]:
    return {user.email: role for user, role in list_members(session, team.owner, team.project.id)}


def test_owner_adds_a_colleague_and_it_is_audited(db_session: Session, team: Team) -> None:
    add_member(db_session, team.owner, team.project.id, "colleague@acme.test", "viewer")
    assert roles(db_session, team)["colleague@acme.test"] == "viewer"
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "member.add")).all()[-1]
    assert entry.after["user_id"] == team.colleague.user_id


def test_users_of_another_organization_cannot_be_added(db_session: Session, team: Team) -> None:
    with pytest.raises(NotFound):
        add_member(db_session, team.owner, team.project.id, "outsider@rival.test", "viewer")


def test_adding_twice_or_with_an_unknown_role_is_refused(db_session: Session, team: Team) -> None:
    with pytest.raises(Conflict):
        add_member(db_session, team.owner, team.project.id, "editor@acme.test", "viewer")
    with pytest.raises(InvalidInput):
        add_member(db_session, team.owner, team.project.id, "colleague@acme.test", "admin")  # type: ignore[arg-type]


@pytest.mark.parametrize("who", ["editor", "viewer", "colleague", "outsider"])
def test_only_owners_manage_members(db_session: Session, team: Team, who: str) -> None:
    actor = getattr(team, who)
    expected = PermissionDenied if who in ("editor", "viewer") else NotFound
    with pytest.raises(expected):
        add_member(db_session, actor, team.project.id, "colleague@acme.test", "viewer")
    with pytest.raises(expected):
        change_role(db_session, actor, team.project.id, team.viewer.user_id, "owner")
    with pytest.raises(expected):
        remove_member(db_session, actor, team.project.id, team.viewer.user_id)


def test_members_read_the_member_list_strangers_do_not(db_session: Session, team: Team) -> None:
    assert len(list_members(db_session, team.viewer, team.project.id)) == 3
    with pytest.raises(NotFound):
        list_members(db_session, team.outsider, team.project.id)


def test_change_role_and_remove_are_audited(db_session: Session, team: Team) -> None:
    change_role(db_session, team.owner, team.project.id, team.viewer.user_id, "editor")
    remove_member(db_session, team.owner, team.project.id, team.editor.user_id)
    assert roles(db_session, team) == {"owner@acme.test": "owner", "viewer@acme.test": "editor"}
    changed, removed = (
        db_session.scalars(select(AuditLog).where(AuditLog.action == action)).one()
        for action in ("member.change_role", "member.remove")
    )
    assert (changed.before["role"], changed.after["role"]) == ("viewer", "editor")
    assert removed.after is None and removed.before["user_id"] == team.editor.user_id


def test_the_last_owner_stays(db_session: Session, team: Team) -> None:
    with pytest.raises(Conflict, match="at least one owner"):
        change_role(db_session, team.owner, team.project.id, team.owner.user_id, "editor")
    with pytest.raises(Conflict, match="at least one owner"):
        remove_member(db_session, team.owner, team.project.id, team.owner.user_id)
    change_role(db_session, team.owner, team.project.id, team.editor.user_id, "owner")
    remove_member(db_session, team.owner, team.project.id, team.owner.user_id)
    remaining = {user.email: role for user, role in list_members(db_session, team.editor, team.project.id)}
    assert remaining == {"editor@acme.test": "owner", "viewer@acme.test": "viewer"}


def test_changing_a_non_member_is_not_found(db_session: Session, team: Team) -> None:
    late = make_actor(db_session, "late@acme.test")
    with pytest.raises(NotFound):
        change_role(db_session, team.owner, team.project.id, late.user_id, "editor")
