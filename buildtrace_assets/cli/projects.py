"""``buildtrace project create``."""

from __future__ import annotations

import click

from buildtrace_assets.cli.db import acting_user, service_transaction
from buildtrace_assets.services.projects import create_project


@click.group("project")
def project_group() -> None:
    """Manage projects."""


@project_group.command("create")
@click.argument("name")
@click.option("--owner", "owner_email", required=True, help="E-mail of the user who will own the project.")
@click.option("--description", default="", help="Optional description.")
def create_command(name: str, owner_email: str, description: str) -> None:
    """Create project NAME owned by --owner; prints its id."""
    with service_transaction() as session:
        project = create_project(session, acting_user(session, owner_email), name, description)
    click.echo(project.id)


COMMANDS = [project_group]
