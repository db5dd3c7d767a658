"""The ``buildtrace`` command.

Each command group lives in its own module of this package and is named in
``COMMAND_MODULES`` here, so the CLI stays a thin shell over the services and
the engine, and a command imports only what it uses.
"""

from __future__ import annotations

from importlib import import_module

import click

COMMAND_MODULES = {
    "db": "db",
    "user": "users",
    "project": "projects",
    "upload": "uploads",
    "jobs": "jobs",
    "compare": "compare",
    "report": "report",
    "demo": "demo",
    "api": "api",
    "metrics": "metrics",
    "doctor": "doctor",
    "legacy": "legacy",
}
"""Which module of this package holds each command. Only the invoked command's module is imported: the others
bring SQLAlchemy, Flask, Dagster and OpenAI, seconds of start-up that ``buildtrace compare`` never uses."""
PRESTARTED = {"compare": "buildtrace_assets.engine.documents:load_renderer"}
"""Commands that open drawings in sandboxed children, and what such a child imports: one is started before the
command's own imports (numpy, OpenCV, settings: most of a second), and imports PyMuPDF on the other core meanwhile
instead of after them. Named, not imported: importing the engine here would delay the start it is meant to hide."""


class _LazyGroup(click.Group):
    """A group that imports a command's module when the command is asked for, not when the CLI starts."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMAND_MODULES if self.get_command(ctx, name) is not None)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        preload = PRESTARTED.get(args[0]) if args else None
        if preload is not None and not ctx.resilient_parsing:
            from buildtrace_assets.engine.sandbox import prestart

            prestart(preload)
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        try:
            module = import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{module_name}":
                raise
            return None
        return next((command for command in module.COMMANDS if command.name == cmd_name), None)


@click.group(cls=_LazyGroup)
@click.pass_context
def main(context: click.Context) -> None:
    """BuildTrace: compare revisions of construction drawings."""
    from buildtrace_assets.config import get_settings
    from buildtrace_assets.observability.startup import start_observability

    start_observability(f"buildtrace-{context.invoked_subcommand}", get_settings().log_format)
