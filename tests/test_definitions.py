"""The Definitions object: what Dagster loads, how steps retry and which executor runs them."""

from __future__ import annotations

import json

import pytest
from dagster import Backoff, Definitions, Failure, in_process_executor

from buildtrace_assets.assets.drawing_versions import drawing_analysis
from buildtrace_assets.assets.jobs import change_summary, diff_result
from buildtrace_assets.assets.policies import STEP_RETRY, bad_input_failure
from buildtrace_assets.definitions import EXECUTORS, defs, select_executor
from buildtrace_assets.engine.errors import BadInputError

ASSETS = (drawing_analysis, diff_result, change_summary)


def test_definitions_load_with_every_asset_sensor_schedule_and_job() -> None:
    Definitions.validate_loadable(defs)
    repository = defs.get_repository_def()

    assert {key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()} == {
        "drawing_analysis",
        "diff_result",
        "change_summary",
    }
    assert {sensor.name for sensor in repository.sensor_defs} == {
        "upload_sensor",
        "job_progress_sensor",
        "job_cancellation_sensor",
        "run_failure_sensor",
        "manual_overlay_sensor",
    }
    assert [schedule.name for schedule in repository.schedule_defs] == ["resummarize_stale_summaries"]
    assert {"analyze_drawing_version", "compare_versions", "summarize_changes"} <= {job.name for job in repository.get_all_jobs()}


def test_version_assets_and_job_assets_have_their_own_dynamic_partitions() -> None:
    assert drawing_analysis.partitions_def.name == "drawing_versions"
    assert diff_result.partitions_def.name == change_summary.partitions_def.name == "jobs"


def test_steps_retry_three_times_waiting_1_3_and_7_seconds() -> None:
    assert (STEP_RETRY.max_retries, STEP_RETRY.backoff) == (3, Backoff.EXPONENTIAL)
    assert [STEP_RETRY.calculate_delay(attempt) for attempt in (1, 2, 3)] == [1, 3, 7]
    assert all(asset.op.retry_policy == STEP_RETRY for asset in ASSETS)


def test_a_bad_drawing_is_a_failure_that_is_not_retried() -> None:
    failure = bad_input_failure(BadInputError("the file is encrypted"), "drawing version v1")

    assert isinstance(failure, Failure) and not failure.allow_retries
    assert failure.description == "drawing version v1: the file is encrypted"


def test_each_asset_asks_its_step_pod_for_cpu_and_memory() -> None:
    for asset in ASSETS:
        config = json.loads(asset.op.tags["dagster-k8s/config"])
        requests = config["container_config"]["resources"]["requests"]
        assert set(requests) == {"cpu", "memory"}


@pytest.mark.parametrize("name", [None, "in_process"])
def test_runs_execute_in_process_by_default(name: str | None) -> None:
    assert select_executor(name) is in_process_executor


def test_the_cluster_runs_each_step_in_a_kubernetes_job_that_never_retries_on_its_own() -> None:
    executor = select_executor("k8s")

    assert executor.executor_creation_fn.__module__ == "dagster_k8s.executor"
    config = executor.apply_config_mapping({}).value["config"]
    assert config["step_k8s_config"]["job_spec_config"] == {"backoff_limit": 0}


def test_multiprocess_runs_at_most_two_steps_at_once() -> None:
    assert select_executor("multiprocess").apply_config_mapping({}).value["config"]["max_concurrent"] == 2


def test_an_unknown_executor_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="BUILDTRACE_EXECUTOR='celery' is not one of in_process, k8s, multiprocess"):
        select_executor("celery")
    assert set(EXECUTORS) == {"in_process", "multiprocess", "k8s"}
