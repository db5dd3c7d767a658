"""``buildtrace metrics serve``: the pipeline exporter (jobs, stages, requests, sensor ticks) for Prometheus."""

from __future__ import annotations

import threading

import click

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.session import make_session_factory
from buildtrace_assets.observability.exporter import exporter_readiness, pipeline_registry
from buildtrace_assets.observability.ops_server import OpsServer


@click.group("metrics")
def metrics() -> None:
    """Prometheus metrics of the pipeline."""


@metrics.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0 for all).")
@click.option("--port", default=9464, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
def serve(host: str, port: int) -> None:
    """Serve /metrics, /healthz and /readyz until interrupted."""
    settings = get_settings()
    session_factory = make_session_factory(settings.database_url)
    server = OpsServer(
        pipeline_registry(settings, session_factory),
        lambda: exporter_readiness(settings, session_factory),
        host,
        port,
    )
    click.echo(f"BuildTrace pipeline metrics on http://{host}:{server.port}/metrics", err=True)
    try:
        threading.Event().wait()
    finally:
        server.close()


COMMANDS = [metrics]
