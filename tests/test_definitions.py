"""The Definitions object: what Dagster loads, how steps retry and which executor runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version as package_version

import pytest
from dagster import Definitions, in_process_executor, multiprocess_executor

from buildtrace_assets.assets.change_summaries import change_summary
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.assets.drawing_versions import drawing_analysis
from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.definitions import EXECUTORS, defs, select_executor
from buildtrace_assets.summaries import PROMPT_VERSION
from buildtrace_assets.summaries.factory import make_summarizer

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
        "pipeline_request_sensor",
        "job_progress_sensor",
        "job_cancellation_sensor",
        "run_failure_sensor",
    }
    assert [schedule.name for schedule in repository.schedule_defs] == ["resummarize_stale_summaries"]
    assert {"analyze_drawing_version", "compare_versions", "summarize_changes"} <= {
        job.name for job in repository.get_all_jobs()
    }


def test_version_assets_and_job_assets_have_their_own_dynamic_partitions() -> None:
    assert drawing_analysis.partitions_def.name == "drawing_versions"
    assert diff_result.partitions_def.name == change_summary.partitions_def.name == "jobs"


def test_each_asset_asks_its_step_pod_for_cpu_and_memory() -> None:
    for asset in ASSETS:
        config = json.loads(asset.op.tags["dagster-k8s/config"])
        requests = config["container_config"]["resources"]["requests"]
        assert set(requests) == {"cpu", "memory"}


def test_runs_execute_in_process_by_default(monkeypatch) -> None:
    """Every step of a run, the diff and its summary too, in the run worker: the launcher gives each run a process."""
    monkeypatch.delenv("BUILDTRACE_EXECUTOR", raising=False)

    assert select_executor(Settings().executor) is in_process_executor


def test_the_cluster_runs_each_step_in_a_kubernetes_job_that_never_retries_on_its_own() -> None:
    executor = select_executor("k8s")

    assert executor.executor_creation_fn.__module__ == "dagster_k8s.executor"
    config = executor.apply_config_mapping({}).value["config"]
    assert config["step_k8s_config"]["job_spec_config"] == {"backoff_limit": 0}


def test_multiprocess_is_dagsters_own_with_at_most_two_steps_at_once_forked_from_the_imported_location() -> None:
    executor = select_executor("multiprocess")
    config = executor.apply_config_mapping({}).value["config"]

    assert executor.executor_creation_fn is multiprocess_executor.executor_creation_fn
    assert config["max_concurrent"] == 2
    assert "buildtrace_assets.definitions" in config["start_method"]["forkserver"]["preload_modules"]


def test_an_unknown_executor_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="BUILDTRACE_EXECUTOR='celery' is not one of in_process, k8s, multiprocess"):
        select_executor("celery")
    assert set(EXECUTORS) == {"in_process", "multiprocess", "k8s"}


def test_the_code_location_takes_its_executor_from_the_environment(tmp_path) -> None:
    probe = "from buildtrace_assets.definitions import defs; print(defs.executor.name)"
    env = {**os.environ, "BUILDTRACE_EXECUTOR": "k8s", "BUILDTRACE_DATA_DIR": str(tmp_path)}

    loaded = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)

    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "k8s"


def test_on_a_laptop_the_code_location_loads_no_cloud_or_cluster_client(tmp_path) -> None:
    """Every process imports the code location (daemon, step forkserver, portal): clients it does not use cost
    seconds of each start."""
    probe = (
        "import sys; import buildtrace_assets.definitions; "
        "print(sorted(m for m in ('google.cloud.storage', 'kubernetes', 'openai') if m in sys.modules))"
    )
    env = {**os.environ, "BUILDTRACE_DATA_DIR": str(tmp_path)}
    env.pop("BUILDTRACE_STORAGE_URL", None)
    env.pop("BUILDTRACE_EXECUTOR", None)

    loaded = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)

    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"


def test_the_asset_graph_reads_analysis_to_diff_to_summary() -> None:
    graph = defs.resolve_asset_graph()

    edges = {
        (parent.to_user_string(), key.to_user_string())
        for key in graph.get_all_asset_keys()
        for parent in graph.get(key).parent_keys
    }

    assert edges == {("drawing_analysis", "diff_result"), ("diff_result", "change_summary")}


def test_engine_and_summarizer_versions_are_the_code_versions() -> None:
    graph = defs.resolve_asset_graph()
    engine = graph.get(drawing_analysis.key).code_version

    assert engine == package_version("buildtrace") and graph.get(diff_result.key).code_version == engine
    assert graph.get(change_summary.key).code_version == (
        f"prompt {PROMPT_VERSION}, model {make_summarizer(get_settings()).model}"
    )


def test_asset_checks_report_against_the_job_partition() -> None:
    checks = {spec.name: spec.partitions_def for asset in (diff_result, change_summary) for spec in asset.check_specs}

    assert {name: partitions.name for name, partitions in checks.items() if partitions} == {
        "sheets_aligned": "jobs",
        "summary_covers_every_change": "jobs",
    }
