"""``buildtrace jobs list``: a project's comparison jobs, as a table or JSON."""

from __future__ import annotations

import json

import click

from buildtrace_assets.cli.db import acting_user, service_transaction
from buildtrace_assets.db.models import Job
from buildtrace_assets.services.jobs import list_jobs


def job_record(job: Job) -> dict[str, str | None]:
    """What the command shows of a job."""
    return {
        "id": job.id,
        "status": job.status,
        "old_drawing_version_id": job.old_drawing_version_id,
        "new_drawing_version_id": job.new_drawing_version_id,
        "created_at": job.created_at.isoformat(),
        "completed_at": job.completed_at.isoformat() if job.completed_at else None,
        "error_message": job.error_message,
    }


@click.group("jobs")
def jobs_group() -> None:
    """Inspect comparison jobs."""


@jobs_group.command("list")
@click.option("--project", "project_id", required=True, help="Project id.")
@click.option("--user", "user_email", required=True, help="E-mail of the acting user (a project member).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
def list_command(project_id: str, user_email: str, as_json: bool, limit: int) -> None:
    """List the project's jobs, newest first."""
    with service_transaction() as session:
        records = [job_record(job) for job in list_jobs(session, acting_user(session, user_email), project_id, limit)]
    if as_json:
        click.echo(json.dumps(records, indent=2))
        return
    for record in records:
        click.echo(
            f"{record['id']}  {record['status']:<9}  {record['created_at']}  {record['error_message'] or ''}".rstrip()
        )


COMMANDS = [jobs_group]
