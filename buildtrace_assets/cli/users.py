"""``buildtrace user create`` and ``set-password``: local accounts from the command line."""

from __future__ import annotations

import sys

import click

from buildtrace_assets.cli.db import service_transaction
from buildtrace_assets.services.users import DEFAULT_ORGANIZATION, create_user, set_password


def _read_password() -> str:
    """Prompted twice on a terminal; the first line of standard input otherwise (for scripts)."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@click.group("user")
def user_group() -> None:
    """Manage user accounts."""


@user_group.command("create")
@click.argument("email")
@click.option("--name", help="Display name; the part of the e-mail before @ by default.")
@click.option("--org", "organization", default=DEFAULT_ORGANIZATION, show_default=True, help="Organization name.")
def create_command(email: str, name: str | None, organization: str) -> None:
    """Create the account EMAIL; prints its id."""
    password = _read_password()
    with service_transaction() as session:
        user = create_user(session, email, password, display_name=name, organization=organization)
    click.echo(user.id)


@user_group.command("set-password")
@click.argument("email")
def set_password_command(email: str) -> None:
    """Set the password of the account EMAIL (an imported legacy user's first one, or a reset); every session
    of the account is signed out."""
    password = _read_password()
    with service_transaction() as session:
        ended = set_password(session, email, password)
    click.echo(f"password set for {email.strip().lower()}; {ended} session(s) signed out")


COMMANDS = [user_group]
