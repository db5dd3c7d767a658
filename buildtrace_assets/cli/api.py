"""``buildtrace api``: serve the REST API with a production WSGI server."""

from __future__ import annotations

import click
from pydantic import ValidationError

from buildtrace_assets.api.config import MIN_SECRET_LENGTH, ApiSettings
from buildtrace_assets.api.server import DEFAULT_THREADS, serve
from buildtrace_assets.cli.db import CommandFailed


@click.command("api")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0 for all).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=click.IntRange(1, 256))
def api(host: str, port: int, threads: int) -> None:
    """Serve the REST API v1 (``/api/v1``, OpenAPI at ``/api/v1/openapi.json``)."""
    from buildtrace_assets.api.app import create_app

    try:
        api_settings = ApiSettings()  # type: ignore[call-arg]
    except ValidationError as error:
        raise CommandFailed(
            f"set BUILDTRACE_API_SECRET to a random string of at least {MIN_SECRET_LENGTH} characters "
            f"to sign access tokens ({error.error_count()} invalid API setting(s))"
        ) from None
    click.echo(f"BuildTrace API on http://{host}:{port}/api/v1", err=True)
    serve(create_app(api_settings=api_settings), host, port, threads)


COMMANDS = [api]
