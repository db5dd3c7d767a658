"""``buildtrace user create``: the password comes from a prompt or from standard input."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.cli import main
from buildtrace_assets.config import Settings
from buildtrace_assets.db.models import Organization, User
from buildtrace_assets.services.users import authenticate


def test_create_reads_the_password_from_stdin(app_settings: Settings, session_factory: sessionmaker[Session]) -> None:
    result = CliRunner().invoke(
        main, ["user", "create", "Ann@Example.com", "--name", "Ann", "--org", "Acme"], input="s3cret-pass\n"
    )

    assert result.exit_code == 0, result.output
    with session_factory() as session:
        user = authenticate(session, "ann@example.com", "s3cret-pass")
        assert user is not None and user.id == result.stdout.strip()
        assert (user.display_name, session.get(Organization, user.organization_id).name) == ("Ann", "Acme")


def test_a_duplicate_or_short_password_is_one_line_and_exit_2(
    app_settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    runner = CliRunner()
    runner.invoke(main, ["user", "create", "ann@example.com"], input="s3cret-pass\n")
    duplicate = runner.invoke(main, ["user", "create", "ann@example.com"], input="other-pass\n")
    short = runner.invoke(main, ["user", "create", "bob@example.com"], input="short\n")

    assert (duplicate.exit_code, short.exit_code) == (2, 2)
    assert duplicate.stderr == "Error: a user with e-mail ann@example.com already exists\n"
    assert short.stderr.count("\n") == 1 and "at least 8 characters" in short.stderr
    with session_factory() as session:
        assert [u.email for u in session.query(User)] == ["ann@example.com"]
