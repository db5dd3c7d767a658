"""``buildtrace doctor``: what the portal's pipeline banner says, for operators, plus what waits for the pipeline.

Reads the pipeline through the Dagster GraphQL API (``DAGSTER_GRAPHQL_URL``)
and the app database; starts nothing. Exit code 0 when the pipeline is
running, 1 when it is not (so a cron job or a probe can page someone).
"""

from __future__ import annotations

import click
from sqlalchemy.orm import Session

from buildtrace_assets.cli.db import service_transaction
from buildtrace_assets.config import get_settings
from buildtrace_assets.db.models import PipelineRequest
from buildtrace_assets.pipeline_api import PipelineApi
from buildtrace_assets.services.partition_labels import job_label, version_label
from buildtrace_assets.services.pipeline_requests import pending_requests

SHOWN = 20


def _target(session: Session, request: PipelineRequest) -> str:
    if request.drawing_version_id is not None:
        return version_label(session, request.drawing_version_id)
    return job_label(session, request.job_id or "")


@click.command("doctor")
def doctor_command() -> None:
    """Check that the Dagster daemon beats and the sensors tick, and list the requests waiting for a run."""
    settings = get_settings()
    health = PipelineApi.from_settings(settings).health()
    click.echo(f"Dagster API: {settings.dagster_graphql_url}")
    if health.ok:
        click.echo("pipeline: running (daemon heartbeats and sensor ticks are recent)")
    for problem in health.problems():
        click.echo(f"PROBLEM: {problem}")
    with service_transaction() as session:
        waiting = pending_requests(session, SHOWN)
        lines = [
            f"waiting for the pipeline since {request.created_at:%Y-%m-%d %H:%M} UTC: {request.kind} "
            f"{_target(session, request)} (request {request.id}, {request.reason})"
            for request in waiting
        ]
    click.echo(f"requests waiting for a run: {len(lines)}{'+' if len(lines) == SHOWN else ''}")
    for line in lines:
        click.echo(f"  {line}")
    if not health.ok:
        raise SystemExit(1)


COMMANDS = [doctor_command]
