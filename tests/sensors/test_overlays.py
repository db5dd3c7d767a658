"""The manual overlay sensor against a real app database."""

from __future__ import annotations

from dagster import DagsterInstance, SensorResult, build_sensor_context
from pipeline.world import World

from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.sensors.overlays import manual_overlay_sensor
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.jobs import cancel_job
from buildtrace_assets.services.overlays import create_overlay, update_overlay

REGION = {"id": "A-101-m1", "kind": "added", "bbox": [10.0, 10.0, 20.0, 20.0]}


def tick(world: World, instance: DagsterInstance, cursor: str | None) -> SensorResult:
    with build_sensor_context(instance=instance, resources=world.resources, cursor=cursor) as context:
        return manual_overlay_sensor(context)


def diffed_job(world: World, pair: RevisionPair) -> tuple[str, str]:
    """A job with a recorded diff result: (job id, diff result id)."""
    _, _, job_id = world.comparison(pair)
    with world.transaction() as session:
        result = record_diff_result(
            session, SYSTEM, job_id, changes_ref=f"jobs/{job_id}/diff/changes.json", engine_version="test"
        )
    return job_id, result.id


def test_each_saved_overlay_version_requests_one_summary_keyed_by_its_id(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    job_id, diff_id = diffed_job(world, revision_pair)
    with world.transaction() as session:
        first = create_overlay(session, world.owner, diff_id, [REGION])
    one = tick(world, instance, None)
    with world.transaction() as session:
        second = update_overlay(session, world.owner, first.id, [{**REGION, "kind": "removed"}])

    two = tick(world, instance, one.cursor)
    three = tick(world, instance, two.cursor)

    assert [(run.run_key, run.partition_key, run.job_name) for run in one.run_requests] == [
        (f"summarize:{job_id}:overlay-{first.id}", job_id, "summarize_changes")
    ]
    assert [run.run_key for run in two.run_requests] == [f"summarize:{job_id}:overlay-{second.id}"]
    assert three.run_requests == [] and three.cursor == two.cursor


def test_overlays_of_cancelled_jobs_request_nothing(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    job_id, diff_id = diffed_job(world, revision_pair)
    with world.transaction() as session:
        create_overlay(session, world.owner, diff_id, [REGION])
        cancel_job(session, world.owner, job_id)

    result = tick(world, instance, None)

    assert result.run_requests == [] and result.cursor is not None
