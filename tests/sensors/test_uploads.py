"""The upload sensor, evaluated against real blob storage (local and the GCS emulator) and a real app database."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance, SensorResult, build_sensor_context
from pipeline.world import World
from sqlalchemy import func, select

from buildtrace_assets.db.models import DrawingVersion, Job
from buildtrace_assets.resources import AppDatabaseResource
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.sensors.uploads import upload_sensor


def tick(world: World, instance: DagsterInstance, cursor: str | None = None, **resources: object) -> SensorResult:
    with build_sensor_context(instance=instance, cursor=cursor, resources={**world.resources, **resources}) as context:
        return upload_sensor(context)


def added_partitions(result: SensorResult) -> dict[str, list[str]]:
    return {request.partitions_def_name: list(request.partition_keys) for request in result.dynamic_partitions_requests}


def assert_first_version_registered(world: World, result: SensorResult, key: str) -> None:
    with world.session_factory() as session:
        version = session.scalars(select(DrawingVersion)).one()
    assert version.storage_key == key and version.version_number == 1 and version.uploaded_by is None
    assert added_partitions(result) == {"drawing_versions": [version.id], "jobs": []}
    (run,) = result.run_requests
    assert (run.run_key, run.partition_key, run.job_name) == (
        f"analyze:{version.id}",
        version.id,
        "analyze_drawing_version",
    )
    assert result.cursor == key


def test_a_first_version_is_registered_and_its_analysis_requested(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    key = world.drop("Architectural Set", "set.pdf", revision_pair.old_path.read_bytes())

    assert_first_version_registered(world, tick(world, instance), key)


def test_files_landing_in_a_gcs_bucket_are_registered_the_same_way(
    gcs_world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    key = gcs_world.drop("Architectural Set", "set.pdf", revision_pair.old_path.read_bytes())

    assert_first_version_registered(gcs_world, tick(gcs_world, instance), key)


def test_a_second_version_gets_a_job_against_the_first(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    world.drop("Architectural Set", "rev-1.pdf", revision_pair.old_path.read_bytes())
    world.drop("Architectural Set", "rev-2.pdf", revision_pair.new_path.read_bytes())

    result = tick(world, instance)

    with world.session_factory() as session:
        old, new = session.scalars(select(DrawingVersion).order_by(DrawingVersion.version_number)).all()
        job = session.scalars(select(Job)).one()
    assert (job.old_drawing_version_id, job.new_drawing_version_id) == (old.id, new.id)
    assert added_partitions(result) == {"drawing_versions": [old.id, new.id], "jobs": [job.id]}
    assert [run.partition_key for run in result.run_requests] == [old.id, new.id]


def test_a_repeated_tick_duplicates_nothing(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    world.drop("Architectural Set", "rev-1.pdf", revision_pair.old_path.read_bytes())
    world.drop("Architectural Set", "rev-2.pdf", revision_pair.new_path.read_bytes())
    first = tick(world, instance)

    again_from_scratch = tick(world, instance)
    from_cursor = tick(world, instance, cursor=first.cursor)

    assert [run.run_key for run in again_from_scratch.run_requests] == [run.run_key for run in first.run_requests]
    assert from_cursor.run_requests == [] and from_cursor.cursor == first.cursor
    with world.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(DrawingVersion)) == 2
        assert session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_bad_object_is_logged_and_the_others_still_registered(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance, capfd: pytest.CaptureFixture[str]
) -> None:
    world.drop("A-101", "a-notes.txt", b"not a drawing")
    stray = f"uploads/{world.project_id}/stray.pdf"
    world.storage.put_bytes(stray, revision_pair.old_path.read_bytes())
    good = world.drop("A-101", "b-plan.pdf", revision_pair.old_path.read_bytes())

    result = tick(world, instance)

    with world.session_factory() as session:
        assert session.scalars(select(DrawingVersion.storage_key)).all() == [good]
    log = capfd.readouterr().err
    assert "skipped uploads/" in log and "a-notes.txt is not a PDF" in log and "stray.pdf' is not of the form" in log
    assert result.cursor == max(stray, good)


def test_an_unreachable_database_keeps_the_cursor_so_the_next_tick_retries(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    world.drop("A-101", "plan.pdf", revision_pair.old_path.read_bytes())
    unreachable = AppDatabaseResource(url="postgresql+psycopg2://postgres@127.0.0.1:9/none?connect_timeout=2")

    failed = tick(world, instance, database=unreachable)
    retried = tick(world, instance, cursor=failed.cursor)

    assert failed.cursor is None and failed.run_requests == []
    assert len(retried.run_requests) == 1
