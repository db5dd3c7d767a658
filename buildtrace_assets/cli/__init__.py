"""The ``buildtrace`` command.

Each command group lives in its own module of this package and is named in
``COMMAND_MODULES`` here, so the CLI stays a thin shell over the services and
the engine, and a command imports only what it uses.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any

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
QUICK_EXIT = frozenset({"compare"})
"""Commands whose process ends without the interpreter's teardown once its exit handlers ran: unloading the
~600 modules a comparison imports (numpy, OpenCV, pydantic) costs 0.1-0.15 s of CPU after the results are written.
Only commands that leave nothing open behind them (a compare closes its children and threads itself)."""


class _LazyGroup(click.Group):
    """A group that imports a command's module when the command is asked for, not when the CLI starts."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMAND_MODULES if self.get_command(ctx, name) is not None)

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        """Run the command line; as the ``buildtrace`` process itself (no ``args`` given) running a
        ``QUICK_EXIT`` command, end the process as soon as the command and the exit handlers are done."""
        if args is not None or not set(sys.argv[1:2]) & QUICK_EXIT:
            return super().main(args, *rest, **options)
        try:
            result = super().main(args, *rest, **options)
            code: Any = 0
        except SystemExit as exc:
            result, code = None, exc.code
        if options.get("standalone_mode", True) is False:
            return result
        _end_process(code)

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


def _end_process(code: Any) -> None:
    """Exit as ``sys.exit(code)`` would, minus the module teardown: the exit handlers run (logging's flush, the
    trace exporter's shutdown), the output is flushed, then the process ends."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code or 0)


@click.group(cls=_LazyGroup)
@click.pass_context
def main(context: click.Context) -> None:
    """BuildTrace: compare revisions of construction drawings."""
    from buildtrace_assets.config import get_settings
    from buildtrace_assets.observability.startup import start_observability

    start_observability(f"buildtrace-{context.invoked_subcommand}", get_settings().log_format)
