"""``buildtrace jobs list``: a project's comparison jobs, as a table or JSON; ``resummarize`` and ``retry`` ask the
pipeline for work the way the portal's buttons do (a pipeline request the sensors turn into a run)."""

from __future__ import annotations

import json

import click

from buildtrace_assets.cli.db import CommandFailed, acting_user, service_transaction
from buildtrace_assets.db.models import Job, PipelineRequest
from buildtrace_assets.services.jobs import list_jobs
from buildtrace_assets.services.pipeline_requests import request_project_summaries, request_summary, retry_request
from buildtrace_assets.services.retries import retry_job


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


def request_line(request: PipelineRequest) -> str:
    """What the commands print of a request: enough to follow it (``buildtrace doctor``, the API, the portal)."""
    return f"request {request.id} ({request.kind} of job {request.job_id}): {request.status}"


@jobs_group.command("resummarize")
@click.argument("job_id", required=False)
@click.option("--project", "project_id", help="Every compared job of this project instead of one job.")
@click.option("--user", "user_email", required=True, help="E-mail of the acting user (an editor or owner).")
@click.option("--reason", default="regenerate summary", show_default=True, help="Why, for the audit log.")
def resummarize_command(job_id: str | None, project_id: str | None, user_email: str, reason: str) -> None:
    """Ask the pipeline for a new summary of a job (or of every compared job of a project), in the user's name."""
    if (job_id is None) == (project_id is None):
        raise CommandFailed("name either a JOB_ID or --project, not both")
    with service_transaction() as session:
        actor = acting_user(session, user_email)
        if project_id is not None:
            asked = request_project_summaries(session, actor, project_id, reason)
        else:
            asked = [request_summary(session, actor, job_id or "", reason)]
        for request in asked:
            click.echo(request_line(request))


@jobs_group.command("retry")
@click.argument("job_id")
@click.option("--user", "user_email", required=True, help="E-mail of the acting user (an editor or owner).")
def retry_command(job_id: str, user_email: str) -> None:
    """Run a failed job again: its failed analyses, then its comparison."""
    with service_transaction() as session:
        job = retry_job(session, acting_user(session, user_email), job_id)
        click.echo(f"job {job.id}: {job.status}, asked of the pipeline again")


@jobs_group.command("retry-request")
@click.argument("request_id")
@click.option("--user", "user_email", required=True, help="E-mail of the acting user (an editor or owner).")
def retry_request_command(request_id: str, user_email: str) -> None:
    """Ask again for the work of a failed pipeline request."""
    with service_transaction() as session:
        click.echo(request_line(retry_request(session, acting_user(session, user_email), request_id)))


COMMANDS = [jobs_group]
