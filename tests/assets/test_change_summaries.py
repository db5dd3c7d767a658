"""The summary asset, materialized per job partition with real resources."""

from __future__ import annotations

import json

import pytest
from dagster import DagsterInstance, materialize
from pipeline.world import World, analyzed_job, checks_of, materialize_partition, metadata_of
from sqlalchemy import select

from buildtrace_assets.assets.attribution import REQUESTED_BY_TAG
from buildtrace_assets.assets.change_summaries import SUMMARY_COVERS_CHANGES, change_summary
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.db.models import AuditLog, ChangeSummary, DiffResult, JobStage, StageExecution
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.services.overlays import create_overlay

pytestmark = pytest.mark.slow


def summarized_job(world: World, instance: DagsterInstance, pair: RevisionPair) -> DiffResult:
    """A job whose diff and first (machine) summary have been materialized: its diff result."""
    job_id = analyzed_job(world, instance, pair)
    assert materialize_partition(world, instance, [diff_result, change_summary], "jobs", job_id).success
    with world.session_factory() as session:
        return session.scalars(select(DiffResult).where(DiffResult.job_id == job_id)).one()


def summary_stage(world: World, job_id: str) -> JobStage:
    with world.session_factory() as session:
        return session.scalars(select(JobStage).where(JobStage.job_id == job_id, JobStage.stage == "summary")).one()


def test_a_manual_overlay_is_summarized_as_a_new_human_corrected_version(
    world: World, instance: DagsterInstance, revision_pair: RevisionPair
) -> None:
    row = summarized_job(world, instance, revision_pair)
    machine = json.loads(world.storage.get_bytes(row.changes_ref))["sheets"][0]["changes"]
    drawn = {"id": "A-101-m1", "kind": "added", "bbox": [400.0, 300.0, 450.0, 340.0]}
    with world.transaction() as session:
        overlay = create_overlay(session, world.owner, row.id, [*machine[1:], drawn])

    result = materialize_partition(world, instance, [change_summary], "jobs", row.job_id)

    assert result.success
    assert checks_of(result) == {SUMMARY_COVERS_CHANGES: True}
    with world.session_factory() as session:
        summaries = session.scalars(select(ChangeSummary).order_by(ChangeSummary.created_at)).all()
    first, second = summaries
    assert (second.source, second.overlay_id, second.parent_summary_id) == ("human_corrected", overlay.id, first.id)
    assert second.is_active and not first.is_active
    assert "A-101-m1" in second.text and machine[0]["id"] not in second.text


def test_an_overlay_naming_a_sheet_the_diff_lacks_fails_the_stage_at_once_and_keeps_the_summary(
    world: World, instance: DagsterInstance, revision_pair: RevisionPair
) -> None:
    row = summarized_job(world, instance, revision_pair)
    stray = {"id": "Z-999-m1", "kind": "added", "bbox": [1.0, 1.0, 9.0, 9.0]}
    with world.transaction() as session:
        create_overlay(session, world.owner, row.id, [stray])

    result = materialize_partition(world, instance, [change_summary], "jobs", row.job_id)

    assert not result.success
    stage = summary_stage(world, row.job_id)
    with world.session_factory() as session:
        summaries = session.scalars(select(ChangeSummary)).all()
    assert stage.status == "failed" and stage.attempts == 1, "a new run's first attempt, not a retry of the first run"
    with world.session_factory() as session:
        executions = session.scalars(
            select(StageExecution).where(StageExecution.stage_id == stage.id).order_by(StageExecution.started_at)
        ).all()
    assert [(execution.status, execution.attempt) for execution in executions] == [("completed", 1), ("failed", 1)]
    assert executions[0].dagster_run_id != executions[1].dagster_run_id and executions[0].finished_at is not None
    assert "Z-999" in stage.error_message
    assert [(summary.source, summary.is_active) for summary in summaries] == [("machine", True)]


def test_a_job_without_a_diff_result_fails_with_a_clear_message(
    world: World, instance: DagsterInstance, revision_pair: RevisionPair
) -> None:
    job_id = analyzed_job(world, instance, revision_pair)

    result = materialize_partition(world, instance, [change_summary], "jobs", job_id)

    assert not result.success
    stage = summary_stage(world, job_id)
    assert (stage.status, stage.attempts) == ("failed", 1)
    assert "has no diff result" in stage.error_message


def test_a_run_asked_for_by_a_person_writes_the_summary_in_their_name_with_the_pipeline_as_executor(
    world: World, instance: DagsterInstance, revision_pair: RevisionPair
) -> None:
    row = summarized_job(world, instance, revision_pair)

    result = materialize(
        [change_summary],
        partition_key=row.job_id,
        resources=world.resources,
        instance=instance,
        tags={REQUESTED_BY_TAG: world.owner.user_id},
    )

    assert result.success and metadata_of(result, "change_summary")["written_for"] == world.owner.user_id
    with world.session_factory() as session:
        summaries = session.scalars(select(ChangeSummary).order_by(ChangeSummary.version_number)).all()
        audited = session.scalars(
            select(AuditLog).where(AuditLog.action == "summary.machine").order_by(AuditLog.created_at)
        ).all()
    assert [summary.created_by for summary in summaries] == [None, world.owner.user_id]
    assert [(entry.user_id, entry.executed_by) for entry in audited] == [
        (None, "pipeline"),
        (world.owner.user_id, "pipeline"),
    ]
    assert "/ v1 → v2" in metadata_of(result, "change_summary")["job"]
