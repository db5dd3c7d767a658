"""The ``buildtrace`` command.

Each command group lives in its own module of this package and is registered
here, so the CLI stays a thin shell over the services and the engine.
"""

from __future__ import annotations

import click


@click.group()
@click.pass_context
def main(context: click.Context) -> None:
    """BuildTrace: compare revisions of construction drawings."""
    from buildtrace_assets.config import get_settings
    from buildtrace_assets.observability.startup import start_observability

    start_observability(f"buildtrace-{context.invoked_subcommand}", get_settings().log_format)


def _register() -> None:
    from importlib import import_module

    for name in (
        "db",
        "users",
        "projects",
        "uploads",
        "jobs",
        "compare",
        "report",
        "demo",
        "api",
        "metrics",
        "legacy",
    ):
        try:
            module = import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        for command in module.COMMANDS:
            main.add_command(command)


_register()
