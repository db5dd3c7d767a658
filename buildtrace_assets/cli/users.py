"""``buildtrace user create``: local accounts from the command line."""

from __future__ import annotations

import sys

import click

from buildtrace_assets.cli.db import service_transaction
from buildtrace_assets.services.users import DEFAULT_ORGANIZATION, create_user


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


COMMANDS = [user_group]
