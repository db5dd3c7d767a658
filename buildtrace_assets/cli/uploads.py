"""``buildtrace upload``: register a drawing file as a new version, as a user."""

from __future__ import annotations

from pathlib import Path

import click

from buildtrace_assets.cli.db import CommandFailed, acting_user, configured_storage, service_transaction
from buildtrace_assets.config import get_settings
from buildtrace_assets.services.uploads import register_upload


@click.command("upload")
@click.argument("project_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--drawing", help="Drawing name; the file name without extension by default.")
@click.option("--user", "user_email", required=True, help="E-mail of the uploading user.")
def upload_command(project_id: str, file: Path, drawing: str | None, user_email: str) -> None:
    """Upload FILE to project PROJECT_ID; prints the version number and id."""
    limit = get_settings().max_upload_bytes
    if file.stat().st_size > limit:
        raise CommandFailed(f"{file.name} is {file.stat().st_size:,} bytes; the limit is {limit:,} bytes")
    storage = configured_storage()
    with service_transaction() as session:
        version = register_upload(
            session,
            storage,
            acting_user(session, user_email),
            project_id,
            drawing or file.stem,
            file.name,
            file.read_bytes(),
        )
    click.echo(f"version {version.version_number} {version.id}")


COMMANDS = [upload_command]
