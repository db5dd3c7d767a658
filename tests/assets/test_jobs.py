"""The job assets, materialized per job partition with real resources: diff, then summary."""

from __future__ import annotations

import json

import pytest
from dagster import DagsterInstance, ExecuteInProcessResult, materialize
from pipeline.world import World
from sqlalchemy import select

from buildtrace_assets.assets.drawing_versions import drawing_analysis
from buildtrace_assets.assets.jobs import SHEETS_ALIGNED, SUMMARY_COVERS_CHANGES, change_summary, diff_result
from buildtrace_assets.db.models import ChangeSummary, DiffResult, Job, JobStage
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.services.jobs import cancel_job
from buildtrace_assets.services.overlays import create_overlay

pytestmark = pytest.mark.slow


@pytest.fixture
def instance() -> DagsterInstance:
    return DagsterInstance.ephemeral()


def run(world: World, instance: DagsterInstance, assets: list, partitions: str, key: str) -> ExecuteInProcessResult:
    instance.add_dynamic_partitions(partitions, [key])
    return materialize(assets, partition_key=key, resources=world.resources, instance=instance, raise_on_error=False)


def analyzed_job(world: World, instance: DagsterInstance, pair: RevisionPair) -> str:
    old_id, new_id, job_id = world.comparison(pair)
    for version_id in (old_id, new_id):
        assert run(world, instance, [drawing_analysis], "drawing_versions", version_id).success
    return job_id


def metadata_of(result: ExecuteInProcessResult, asset: str) -> dict:
    (materialization,) = result.asset_materializations_for_node(asset)
    return {key: value.value for key, value in materialization.metadata.items()}


def checks_of(result: ExecuteInProcessResult) -> dict[str, bool]:
    return {evaluation.check_name: evaluation.passed for evaluation in result.get_asset_check_evaluations()}


def test_diff_and_summary_land_in_storage_and_database(
    world: World, instance: DagsterInstance, revision_pair: RevisionPair
) -> None:
    job_id = analyzed_job(world, instance, revision_pair)

    result = run(world, instance, [diff_result, change_summary], "jobs", job_id)

    assert result.success
    diff = metadata_of(result, "diff_result")
    assert diff["sheets"] == 1 and diff["changes"] >= len(revision_pair.truth.sheets[0].changes)
    assert diff["sheet_status"] == {"modified": 1}
    assert "![overlay" in diff["overlay_preview"] and "A-101.png" in diff["overlay_preview"]
    assert checks_of(result) == {SHEETS_ALIGNED: True, SUMMARY_COVERS_CHANGES: True}
    with world.session_factory() as session:
        row = session.scalars(select(DiffResult).where(DiffResult.job_id == job_id)).one()
        summary = session.scalars(select(ChangeSummary).where(ChangeSummary.is_active)).one()
        stages = {stage.stage: stage for stage in session.scalars(select(JobStage).where(JobStage.job_id == job_id))}
        job = session.get_one(Job, job_id)
    document = json.loads(world.storage.get_bytes(row.changes_ref))
    assert row.changes_ref == f"jobs/{job_id}/diff/changes.json" and row.change_count == diff["changes"]
    assert world.storage.exists(row.overlay_refs["A-101"])
    assert len(document["sheets"][0]["changes"]) == diff["changes"]
    for change in document["sheets"][0]["changes"]:
        assert world.storage.exists(f"jobs/{job_id}/diff/{change['crops']['new']}")
    assert (summary.source, summary.model, summary.overlay_id) == ("machine", "offline", None)
    assert all(change["id"] in summary.text for change in document["sheets"][0]["changes"])
    assert stages["diff"].result_ref == row.changes_ref and stages["summary"].result_ref.endswith(f"{summary.id}.md")
    assert job.status == "completed"


def test_a_manual_overlay_is_summarized_as_a_new_human_corrected_version(
    world: World, instance: DagsterInstance, revision_pair: RevisionPair
) -> None:
    job_id = analyzed_job(world, instance, revision_pair)
    assert run(world, instance, [diff_result, change_summary], "jobs", job_id).success
    with world.transaction() as session:
        row = session.scalars(select(DiffResult).where(DiffResult.job_id == job_id)).one()
        machine = json.loads(world.storage.get_bytes(row.changes_ref))["sheets"][0]["changes"]
        drawn = {"id": "A-101-m1", "kind": "added", "bbox": [400.0, 300.0, 450.0, 340.0]}
        overlay = create_overlay(session, world.owner, row.id, machine[1:] + [drawn])

    result = run(world, instance, [change_summary], "jobs", job_id)

    assert result.success
    assert checks_of(result) == {SUMMARY_COVERS_CHANGES: True}
    with world.session_factory() as session:
        summaries = session.scalars(select(ChangeSummary).order_by(ChangeSummary.created_at)).all()
    first, second = summaries
    assert (second.source, second.overlay_id, second.parent_summary_id) == ("human_corrected", overlay.id, first.id)
    assert second.is_active and not first.is_active
    assert "A-101-m1" in second.text and machine[0]["id"] not in second.text


def test_a_cancelled_job_starts_no_work(world: World, instance: DagsterInstance, revision_pair: RevisionPair) -> None:
    _, _, job_id = world.comparison(revision_pair)
    with world.transaction() as session:
        cancel_job(session, world.owner, job_id)

    result = run(world, instance, [diff_result], "jobs", job_id)

    assert not result.success
    with world.session_factory() as session:
        stage = session.scalars(select(JobStage).where(JobStage.job_id == job_id, JobStage.stage == "diff")).one()
        assert (stage.status, stage.attempts) == ("skipped", 0)
        assert session.get_one(Job, job_id).status == "cancelled"
