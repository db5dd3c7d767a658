"""``buildtrace report JOB_ID --out DIR --user EMAIL``: a finished job's report, marked-up PDF and change log."""

from __future__ import annotations

from pathlib import Path

import click

from buildtrace_assets.cli.db import CommandFailed, acting_user, configured_storage, service_transaction
from buildtrace_assets.services.errors import ServiceError
from buildtrace_assets.services.reports import ensure_documents, load_report_source
from buildtrace_assets.storage import StorageUnavailable


@click.command("report")
@click.argument("job_id")
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the files."
)
@click.option("--user", "user_email", required=True, help="E-mail of the acting user (a project member).")
def report(job_id: str, out_dir: Path, user_email: str) -> None:
    """Write report.pdf, markups.pdf, changes.csv and changes.xlsx of a finished job.

    Documents already built for the job's current summary and overlay are
    fetched from storage; the others are built and stored first.
    """
    with service_transaction() as session:
        source = load_report_source(session, acting_user(session, user_email), job_id)
    storage = configured_storage()
    try:
        keys = ensure_documents(storage, source)
    except ServiceError as error:
        raise CommandFailed(str(error)) from error
    except StorageUnavailable as error:
        raise CommandFailed(f"{error}; try again later") from error
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, key in keys.items():
        click.echo(storage.download(key, out_dir / name))


COMMANDS = [report]
