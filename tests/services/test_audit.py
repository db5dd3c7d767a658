"""The audit trail of a project: every change, newest first, for members only, without secrets."""

from __future__ import annotations

import pytest
from fixtures.database import Team
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog
from buildtrace_assets.services.audit import project_history
from buildtrace_assets.services.errors import NotFound
from buildtrace_assets.services.projects import update_project


def test_members_read_the_history_newest_first(db_session: Session, team: Team) -> None:
    update_project(db_session, team.editor, team.project.id, description="east wing")
    history = project_history(db_session, team.viewer, team.project.id)
    assert [entry.action for entry in history] == ["project.update", "member.add", "member.add", "project.create"]
    assert history[0].user_id == team.editor.user_id


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_strangers_do_not(db_session: Session, team: Team, who: str) -> None:
    with pytest.raises(NotFound):
        project_history(db_session, getattr(team, who), team.project.id)


def test_no_password_hash_is_ever_audited(db_session: Session, team: Team) -> None:
    for entry in db_session.scalars(select(AuditLog)):
        assert "password_hash" not in (entry.after or {}) and "password_hash" not in (entry.before or {})
