"""A job's lineage read from a real (ephemeral) Dagster instance."""

from __future__ import annotations

import pytest
from dagster import AssetKey, DagsterInstance, Definitions, DynamicPartitionsDefinition, asset, materialize

from portal.lineage import AssetPartitionRef, assets_by_partitions, job_partitions, lineage_rows, partition_lineage

JOBS = DynamicPartitionsDefinition(name="jobs")
VERSIONS = DynamicPartitionsDefinition(name="drawing_versions")


@asset(partitions_def=VERSIONS)
def sheet_index() -> int:
    return 0


@asset
def unpartitioned() -> int:
    return 0


@asset(partitions_def=JOBS)
def diff_result() -> int:
    return 1


@asset(partitions_def=JOBS)
def change_summary(context) -> int:
    if context.partition_key == "broken":
        raise RuntimeError("summarizer unavailable")
    return 2


@pytest.fixture
def instance() -> DagsterInstance:
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("jobs", ["job-1", "broken", "never"])
    return instance


def test_a_materialized_partition_reports_its_time_and_run(instance: DagsterInstance) -> None:
    result = materialize([diff_result], instance=instance, partition_key="job-1")

    [entry] = partition_lineage(instance, [AssetPartitionRef(AssetKey("diff_result"), "job-1", "diff")])

    assert entry.status == "materialized"
    assert entry.run_id == result.run_id
    assert entry.materialized_at is not None and entry.materialized_at.tzinfo is not None


def test_a_failed_run_is_reported_as_failed_not_as_missing(instance: DagsterInstance) -> None:
    materialize([change_summary], instance=instance, partition_key="broken", raise_on_error=False)

    [entry] = partition_lineage(instance, [AssetPartitionRef(AssetKey("change_summary"), "broken", "summary")])

    assert entry.status == "failed"
    assert entry.materialized_at is None


def test_a_partition_nothing_ran_for_is_not_started_and_other_partitions_do_not_leak(
    instance: DagsterInstance,
) -> None:
    materialize([diff_result], instance=instance, partition_key="job-1")

    [entry] = partition_lineage(instance, [AssetPartitionRef(AssetKey("diff_result"), "never", "diff")])

    assert (entry.status, entry.materialized_at, entry.run_id) == ("not started", None, None)


def test_rows_name_asset_partition_and_role(instance: DagsterInstance) -> None:
    rows = lineage_rows(partition_lineage(instance, [AssetPartitionRef(AssetKey(["jobs", "diff"]), "never", "diff")]))

    assert rows == [
        {
            "asset": "jobs/diff",
            "partition": "never",
            "for": "diff",
            "status": "not started",
            "materialized at": "",
            "run": "",
        }
    ]


def test_a_jobs_partitions_are_both_versions_then_the_job_itself() -> None:
    keys = assets_by_partitions(Definitions(assets=[diff_result, change_summary, sheet_index, unpartitioned]))

    assert keys == {
        "drawing_versions": [AssetKey("sheet_index")],
        "jobs": [AssetKey("change_summary"), AssetKey("diff_result")],
    }
    refs = job_partitions(keys, job_id="j", old_version_id="v1", new_version_id="v2")
    assert [(ref.asset_key.to_user_string(), ref.partition, ref.role) for ref in refs] == [
        ("sheet_index", "v1", "old version"),
        ("sheet_index", "v2", "new version"),
        ("change_summary", "j", "job"),
        ("diff_result", "j", "job"),
    ]
