"""``buildtrace project create``: the owner is a user given by e-mail; prints the id."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.database import Team
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.cli import main
from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.services.members import list_members


def test_create_prints_the_id_and_makes_the_owner(
    app_settings: Settings, session_factory: sessionmaker[Session], team: Team
) -> None:
    result = CliRunner().invoke(main, ["project", "create", "Annex", "--owner", "viewer@acme.test"])

    assert result.exit_code == 0, result.output
    project_id = result.stdout.strip()
    with session_factory() as session:
        members = list_members(session, team.viewer, project_id)
        assert [(user.email, role) for user, role in members] == [("viewer@acme.test", "owner")]


def test_unknown_owner_is_one_line_and_exit_2(app_settings: Settings, team: Team) -> None:
    result = CliRunner().invoke(main, ["project", "create", "Annex", "--owner", "nobody@acme.test"])
    assert result.exit_code == 2
    assert result.stderr == "Error: no active user with e-mail nobody@acme.test\n"


def test_an_unmigrated_database_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BUILDTRACE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BUILDTRACE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["project", "create", "Annex", "--owner", "a@b.test"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "buildtrace db upgrade" in result.stderr and "Traceback" not in result.output
