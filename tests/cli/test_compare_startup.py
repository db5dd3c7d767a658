"""``buildtrace compare`` pays only for what it uses: a whole process never imports the pipeline, the database,
the web API or the OpenAI client, whose imports cost seconds of every run, nor pydantic-settings (~0.4 s), whose
work the settings do with pydantic alone."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

UNUSED_BY_COMPARE = ("dagster", "dagster_graphql", "sqlalchemy", "flask", "openai", "pydantic_settings")


def _write_sheet(path: Path, note: str) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=792, height=612)
    page.draw_rect(pymupdf.Rect(36, 36, 756, 576), width=1)
    page.insert_text((72, 100), f"GENERAL NOTES {note}", fontsize=10)
    page.insert_text((600, 560), "SHEET A-101 FIRST FLOOR PLAN", fontsize=9)
    doc.save(path)


def _imported_top_level_modules(importtime_log: str) -> set[str]:
    """Names of every top-level package in ``-X importtime`` output (``import time: self | total | name``)."""
    names = set()
    for line in importtime_log.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name.split(".")[0])
    return names


@pytest.fixture(scope="module")
def compare_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    work = tmp_path_factory.mktemp("startup")
    _write_sheet(work / "old.pdf", "1")
    _write_sheet(work / "new.pdf", "2")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI", "OTEL_"))}
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "from buildtrace_assets.cli import main; main()",
            "compare",
            str(work / "old.pdf"),
            str(work / "new.pdf"),
            "--out",
            str(work / "out"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    return done, work / "out"


def test_a_whole_compare_process_finishes_and_writes_its_results(compare_run):
    done, out = compare_run
    assert done.returncode == 0, done.stderr[-3000:]
    assert (out / "changes.json").is_file()


@pytest.mark.parametrize("package", UNUSED_BY_COMPARE)
def test_a_whole_compare_process_never_imports_what_only_other_commands_use(compare_run, package):
    done, _ = compare_run
    assert package not in _imported_top_level_modules(done.stderr)


def test_without_a_trace_endpoint_the_tracing_sdk_is_never_imported(compare_run):
    done, _ = compare_run
    imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "opentelemetry.trace" in imported
    assert not [name for name in imported if name.startswith("opentelemetry.sdk")]


def test_the_child_a_command_starts_early_imports_what_exists():
    """``PRESTARTED`` names its preload as text (importing the engine would delay the start it hides): a renamed
    function would leave every compare without its head start, silently."""
    from buildtrace_assets.cli import PRESTARTED

    for target in PRESTARTED.values():
        module, _, function = target.partition(":")
        assert callable(getattr(importlib.import_module(module), function))


def test_the_other_commands_are_still_found_by_name():
    from buildtrace_assets.cli import COMMAND_MODULES, main

    context = main.make_context("buildtrace", ["--help"], resilient_parsing=True)
    found = {name for name in COMMAND_MODULES if main.get_command(context, name) is not None}
    assert {"compare", "report", "db", "jobs", "api", "upload", "user", "project"} <= found


def test_a_compare_process_ends_with_its_exit_code_after_its_exit_handlers(tmp_path):
    """``buildtrace compare`` skips the interpreter's teardown (the main module's objects are never finalized), not
    what it must still do: exit handlers (logging's flush, the trace exporter's shutdown) run and the exit code is
    the command's."""
    script = (
        "import atexit; atexit.register(lambda: print('exit handlers ran', flush=True));"
        " torn = type('Torn', (), {'__del__': lambda self: print('torn down', flush=True)})();"
        " from buildtrace_assets.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "compare", "missing.pdf", "also-missing.pdf", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "no such file" in done.stderr
    assert done.stdout.strip().endswith("exit handlers ran")  # and the modules were not torn down after them
