"""The pipeline's API as the portal, the REST API and the CLI use it: Dagster over GraphQL only, and a clear
"unreachable" when the webserver does not answer. Reads against a live webserver are in
``tests/pipeline/test_boundary.py`` (a real ``dagster dev``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from observability.support import UNREACHABLE_DAGSTER

from buildtrace_assets.pipeline_api import PipelineApi, PipelineUnreachable

REPOSITORY = Path(__file__).parents[1]
IN_PROCESS_DAGSTER = ("buildtrace_assets.definitions", "DagsterInstance", "execute_in_process", "materialize")


def test_an_unreachable_webserver_is_a_health_problem_not_an_error() -> None:
    health = PipelineApi(UNREACHABLE_DAGSTER, timeout_s=1, silent_after_s=90).health()

    assert not health.ok
    (problem,) = health.problems()
    assert problem.startswith(f"pipeline unreachable: Dagster API at {UNREACHABLE_DAGSTER} unreachable: ")


def test_reads_of_an_unreachable_webserver_raise_pipeline_unreachable() -> None:
    api = PipelineApi(UNREACHABLE_DAGSTER, timeout_s=1, silent_after_s=90)

    with pytest.raises(PipelineUnreachable, match="unreachable"):
        api.partition_states([("change_summary", "job-1")])
    with pytest.raises(PipelineUnreachable, match="run run-1"):
        api.run_status("run-1")


@pytest.mark.parametrize("package", ["portal", "buildtrace_assets/api"])
def test_the_portal_and_the_api_run_no_dagster_code_in_their_process(package: str) -> None:
    found = []
    for path in (REPOSITORY / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or "", *(alias.name for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            found += [f"{path.relative_to(REPOSITORY)}: {name}" for name in names if name in IN_PROCESS_DAGSTER]

    assert found == []
