"""The per-version analysis asset, materialized for one partition with real resources."""

from __future__ import annotations

import json

import pytest
from dagster import DagsterInstance, ExecuteInProcessResult
from pipeline.world import World, materialize_partition, metadata_of
from sqlalchemy import select

from buildtrace_assets.assets.drawing_versions import analysis_key, drawing_analysis
from buildtrace_assets.db.models import DrawingVersion, Job, JobStage
from buildtrace_assets.samples import RevisionPair


def analyze(world: World, version_id: str) -> ExecuteInProcessResult:
    return materialize_partition(world, DagsterInstance.ephemeral(), [drawing_analysis], "drawing_versions", version_id)


@pytest.mark.slow
def test_analysis_is_stored_per_version_and_completes_the_jobs_waiting_for_it(
    world: World, revision_pair: RevisionPair
) -> None:
    old_id, new_id, _job_id = world.comparison(revision_pair)

    result = analyze(world, old_id)

    assert result.success
    metadata = metadata_of(result, "drawing_analysis")
    assert metadata["pages"] == 1 and metadata["sheet_numbers_found"] == 1
    assert "A-101" in metadata["sheets"] and metadata["text_sources"] == {"text_layer": 1}
    stored = json.loads(world.storage.get_bytes(analysis_key(old_id)))
    assert stored["pages"][0]["sheet"]["number"] == "A-101"
    assert stored["pages"][0]["thumbnail"] is None, "the diff renders thumbnails of sheets its numbers leave unpaired"
    with world.session_factory() as session:
        version = session.get_one(DrawingVersion, old_id)
        stages = {
            stage.drawing_version_id: stage
            for stage in session.scalars(select(JobStage).where(JobStage.stage == "ocr"))
        }
    assert (version.ocr_status, version.ocr_result_ref, version.page_count) == ("completed", analysis_key(old_id), 1)
    assert stages[old_id].status == "completed" and stages[old_id].result_ref == analysis_key(old_id)
    assert stages[old_id].attempts == 1 and stages[old_id].dagster_run_id == result.run_id
    assert stages[new_id].status == "pending"


@pytest.mark.slow
def test_an_unreadable_file_fails_at_once_with_its_reason_on_the_job(world: World, revision_pair: RevisionPair) -> None:
    old_id, _, job_id = world.comparison(revision_pair)
    with world.session_factory() as session:
        key = session.get_one(DrawingVersion, old_id).storage_key
    world.storage.put_bytes(key, b"%PDF-1.7\n" + bytes(range(256)) * 8)

    result = analyze(world, old_id)

    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert "drawing version" in failure.step_failure_data.error.message
    assert not [event for event in result.all_events if event.event_type_value == "STEP_UP_FOR_RETRY"]
    with world.session_factory() as session:
        version = session.get_one(DrawingVersion, old_id)
        stage = session.scalars(select(JobStage).where(JobStage.drawing_version_id == old_id)).one()
        job = session.get_one(Job, job_id)
    assert version.ocr_status == "failed"
    assert stage.status == "failed" and "drawing version" in stage.error_message
    assert job.status == "failed" and "drawing version" in job.error_message
