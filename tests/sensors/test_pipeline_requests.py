"""The pipeline request sensor: every request recorded in the database becomes exactly one run.

Runs against a real app database and a real Dagster instance; whatever the
storage keys of the uploads, their analysis starts from their request rows.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from dagster import DagsterInstance, SensorResult, build_sensor_context
from dagster._core.test_utils import create_run_for_test
from pipeline.world import World
from sqlalchemy import func, select

from buildtrace_assets.assets.runs import REQUEST_TAG, REQUESTED_BY_TAG, VERSION_TAG
from buildtrace_assets.config import get_settings
from buildtrace_assets.db.models import DrawingVersion, PipelineRequest
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.sensors.pipeline_requests import MAX_ANALYSIS_REQUESTS, pipeline_request_sensor
from buildtrace_assets.services.uploads import register_upload


def tick(world: World, instance: DagsterInstance) -> SensorResult:
    with build_sensor_context(instance=instance, resources=world.resources) as context:
        return pipeline_request_sensor(context)


def upload(world: World, filename: str, data: bytes, drawing: str = "A-101") -> str:
    with world.transaction() as session:
        version = register_upload(session, world.storage, world.owner, world.project_id, drawing, filename, data)
        return version.id


def launch(instance: DagsterInstance, result: SensorResult) -> None:
    """What the daemon does with a tick's run requests: a run per request, with its tags."""
    for request in result.run_requests:
        create_run_for_test(instance, job_name=request.job_name, tags=request.tags)


def requests(world: World) -> list[PipelineRequest]:
    with world.session_factory() as session:
        return list(session.scalars(select(PipelineRequest).order_by(PipelineRequest.created_at)))


def test_an_upload_through_the_services_is_analyzed_from_its_request(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    version_id = upload(world, "plan.pdf", revision_pair.old_path.read_bytes())

    result = tick(world, instance)

    (run,) = result.run_requests
    (request,) = requests(world)
    assert (run.run_key, run.partition_key, run.job_name) == (
        f"request:{request.id}",
        version_id,
        "analyze_drawing_version",
    )
    assert run.tags == {VERSION_TAG: version_id, REQUEST_TAG: request.id, REQUESTED_BY_TAG: world.owner.user_id}
    assert [list(added.partition_keys) for added in result.dynamic_partitions_requests] == [[version_id], []]


def test_every_revision_is_requested_whatever_its_storage_key(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    drawing = revision_pair.old_path.read_bytes()
    ids = [upload(world, "plan.pdf", drawing + f"\n% revision {n}\n".encode()) for n in range(1, 11)]

    result = tick(world, instance)

    assert sorted(run.partition_key for run in result.run_requests) == sorted(ids)
    with world.session_factory() as session:
        tenth = session.get_one(DrawingVersion, ids[-1])
    assert tenth.storage_key.split("/")[-1].startswith("10-") and tenth.version_number == 10


def test_a_request_is_handed_out_until_its_run_exists_then_marked_submitted(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    upload(world, "plan.pdf", revision_pair.old_path.read_bytes())
    first = tick(world, instance)
    again = tick(world, instance)
    assert [run.run_key for run in again.run_requests] == [run.run_key for run in first.run_requests]

    launch(instance, first)
    settled = tick(world, instance)

    (request,) = requests(world)
    assert settled.run_requests == [] and request.status == "submitted" and request.dagster_run_id
    assert tick(world, instance).run_requests == []


def test_a_version_left_pending_without_a_request_or_run_is_asked_for_again_then_failed(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    version_id = upload(world, "plan.pdf", revision_pair.old_path.read_bytes())
    monkeypatch.setenv("BUILDTRACE_INTAKE_STALE_AFTER_S", "0")
    get_settings.cache_clear()
    try:
        for asked in range(1, MAX_ANALYSIS_REQUESTS + 1):
            assert len(requests(world)) == asked
            launch(instance, tick(world, instance))
            for run in instance.get_runs():
                instance.report_run_canceled(run)
            tick(world, instance)
    finally:
        get_settings.cache_clear()

    with world.session_factory() as session:
        assert session.get_one(DrawingVersion, version_id).ocr_status == "failed"
        assert session.scalar(select(func.count()).select_from(PipelineRequest)) == MAX_ANALYSIS_REQUESTS
    assert {request.requested_by for request in requests(world)[1:]} == {None}


def test_a_pending_version_with_a_live_run_is_not_asked_for_again(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload(world, "plan.pdf", revision_pair.old_path.read_bytes())
    launch(instance, tick(world, instance))
    tick(world, instance)
    monkeypatch.setenv("BUILDTRACE_INTAKE_STALE_AFTER_S", "0")
    get_settings.cache_clear()
    try:
        assert tick(world, instance).run_requests == []
    finally:
        get_settings.cache_clear()

    assert len(requests(world)) == 1


def test_a_version_pending_for_less_than_the_stale_time_is_left_alone(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    upload(world, "plan.pdf", revision_pair.old_path.read_bytes())
    launch(instance, tick(world, instance))
    for run in instance.get_runs():
        instance.report_run_canceled(run)
    tick(world, instance)

    assert get_settings().intake_stale_after_s >= timedelta(minutes=5).total_seconds()
    assert len(requests(world)) == 1
