"""docs/operations.md, "re-analyze every version after an engine upgrade": the documented GraphQL backfill asks for
every version's analysis, run against the real Dagster GraphQL schema over the project's code location."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from dagster import DagsterInstance, instance_for_test
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.context import WorkspaceProcessContext, WorkspaceRequestContext
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster_graphql.test.utils import execute_dagster_graphql

from buildtrace_assets.partitions import drawing_versions_partitions

BACKFILL = """mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"""


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    """A real instance in a temporary DAGSTER_HOME (a workspace refuses an in-memory one)."""
    with instance_for_test() as instance:
        yield instance


@pytest.fixture
def graphql(instance: DagsterInstance) -> Iterator[WorkspaceRequestContext]:
    """What the webserver answers, without a webserver: the GraphQL schema over the definitions, loaded in process."""
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(
            executable_path=sys.executable, module_name="buildtrace_assets.definitions", attribute="defs"
        ),
        location_name="buildtrace",
    )
    with WorkspaceProcessContext(instance, InProcessWorkspaceLoadTarget(origin)) as process:
        yield process.create_request_context()


def test_a_backfill_of_all_partitions_asks_for_every_version_s_analysis(
    instance: DagsterInstance, graphql: WorkspaceRequestContext
) -> None:
    versions = ["v-1", "v-2", "v-3"]
    instance.add_dynamic_partitions(drawing_versions_partitions.name, versions)
    params = {"assetSelection": [{"path": ["drawing_analysis"]}], "allPartitions": True}

    answer = execute_dagster_graphql(graphql, BACKFILL, {"p": params}).data["launchPartitionBackfill"]

    assert answer["__typename"] == "LaunchBackfillSuccess", answer
    backfill = instance.get_backfill(answer["backfillId"])
    assert sorted(backfill.get_partition_names(graphql) or []) == versions
