"""``buildtrace legacy import``: bring the tables of the legacy BuildTrace database into this one."""

from __future__ import annotations

import json

import click
from sqlalchemy.exc import SQLAlchemyError

from buildtrace_assets.cli.db import CommandFailed
from buildtrace_assets.config import get_settings
from buildtrace_assets.db.session import make_session_factory
from buildtrace_assets.legacy.importer import LegacyImport
from buildtrace_assets.legacy.source import LegacySchemaError, LegacySource
from buildtrace_assets.storage import open_storage


@click.group("legacy")
def legacy() -> None:
    """The legacy BuildTrace (sessions, drawings, comparisons, analysis results, processing jobs)."""


@legacy.command("import")
@click.option("--from", "source_url", required=True, help="SQLAlchemy URL of the legacy database (read only).")
@click.option(
    "--files",
    "files_url",
    default=None,
    help="Storage holding the legacy drawing files (file:///path or gs://bucket); drawings.storage_path is read "
    "from it, a gs://bucket/ prefix dropped. Default: the configured storage.",
)
@click.option("--dry-run", is_flag=True, help="Read and check everything, write nothing, report what would change.")
@click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 10_000), help="Sessions a commit.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_(source_url: str, files_url: str | None, dry_run: bool, batch_size: int, as_json: bool) -> None:
    """Import users, projects, drawings, comparisons (jobs, diff results) and analyses (summaries); a second run
    changes nothing. Rows that cannot be imported are listed with the reason."""
    settings = get_settings()
    try:
        source = LegacySource(source_url)
    except (LegacySchemaError, SQLAlchemyError) as error:
        raise CommandFailed(f"cannot read the legacy database: {error}") from None
    target = make_session_factory(settings.database_url)
    try:
        report = LegacyImport(
            source,
            target,
            open_storage(settings.storage_url),
            open_storage(files_url or settings.storage_url),
            dry_run=dry_run,
            batch_size=batch_size,
        ).run()
    finally:
        source.close()
        target.kw["bind"].dispose()
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        click.echo("\n".join(report.lines()))


COMMANDS = [legacy]
