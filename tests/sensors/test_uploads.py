"""The bucket intake sensor, against real blob storage (local and the GCS emulator) and a real app database.

Files dropped under ``uploads/`` become versions with their analysis
requested, whatever order their keys sort in; nothing is registered twice and
an unreadable object is read once.
"""

from __future__ import annotations

import pytest
from dagster import DagsterInstance, SensorResult, SkipReason, build_sensor_context
from pipeline.world import UNREACHABLE_DATABASE, World
from sqlalchemy import func, select

from buildtrace_assets.db.models import BucketObject, DrawingVersion, Job, PipelineRequest
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.sensors import uploads
from buildtrace_assets.sensors.uploads import upload_sensor
from buildtrace_assets.services.projects import create_project


def tick(world: World, instance: DagsterInstance, cursor: str | None = None, **resources: object) -> SensorResult:
    with build_sensor_context(instance=instance, cursor=cursor, resources={**world.resources, **resources}) as context:
        return upload_sensor(context)


def sweep(world: World, instance: DagsterInstance, cursor: str | None, ticks: int) -> str | None:
    """Run ``ticks`` ticks, each resuming where the last left off; the final cursor."""
    for _ in range(ticks):
        cursor = tick(world, instance, cursor).cursor
    return cursor


def registered_keys(world: World) -> list[str]:
    with world.session_factory() as session:
        return sorted(session.scalars(select(DrawingVersion.storage_key)))


def count(world: World, table: type) -> int:
    with world.session_factory() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def assert_first_version_registered(world: World, key: str) -> None:
    with world.session_factory() as session:
        version = session.scalars(select(DrawingVersion)).one()
        request = session.scalars(select(PipelineRequest)).one()
    assert version.storage_key == key and version.version_number == 1 and version.uploaded_by is None
    assert (request.kind, request.drawing_version_id, request.status) == ("analyze", version.id, "pending")


def test_a_first_version_is_registered_and_its_analysis_requested(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    key = world.drop("Architectural Set", "set.pdf", revision_pair.old_path.read_bytes())

    tick(world, instance)

    assert_first_version_registered(world, key)


def test_files_landing_in_a_gcs_bucket_are_registered_the_same_way(
    gcs_world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    key = gcs_world.drop("Architectural Set", "set.pdf", revision_pair.old_path.read_bytes())

    tick(gcs_world, instance)

    assert_first_version_registered(gcs_world, key)


def test_a_second_version_gets_a_job_against_the_first(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    world.drop("Architectural Set", "rev-1.pdf", revision_pair.old_path.read_bytes())
    world.drop("Architectural Set", "rev-2.pdf", revision_pair.new_path.read_bytes())

    tick(world, instance)

    with world.session_factory() as session:
        old, new = session.scalars(select(DrawingVersion).order_by(DrawingVersion.version_number)).all()
        job = session.scalars(select(Job)).one()
    assert (job.old_drawing_version_id, job.new_drawing_version_id) == (old.id, new.id)
    assert count(world, PipelineRequest) == 2


def test_a_repeated_tick_duplicates_nothing(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    world.drop("Architectural Set", "rev-1.pdf", revision_pair.old_path.read_bytes())
    world.drop("Architectural Set", "rev-2.pdf", revision_pair.new_path.read_bytes())

    first = tick(world, instance)
    tick(world, instance)
    tick(world, instance, cursor=first.cursor)

    assert (count(world, DrawingVersion), count(world, Job), count(world, PipelineRequest)) == (2, 1, 2)


def test_the_tenth_revision_sorting_before_the_ninth_is_registered(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "BATCH", 3)
    drawing = revision_pair.old_path.read_bytes()
    cursor = None
    for number in range(1, 10):
        world.drop("A-101", f"{number}-plan.pdf", drawing + f"\n% revision {number}\n".encode())
        cursor = sweep(world, instance, cursor, ticks=4)

    tenth = world.drop("A-101", "10-plan.pdf", drawing + b"\n% revision 10\n")
    sweep(world, instance, cursor, ticks=4)

    with world.session_factory() as session:
        assert session.scalar(select(DrawingVersion.version_number).where(DrawingVersion.storage_key == tenth)) == 10
    assert count(world, Job) == 9


def test_a_project_whose_id_sorts_below_a_busier_one_is_not_left_behind(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "BATCH", 2)
    with world.transaction() as session:
        other = create_project(session, world.owner, "Tower B").id
    quiet, busy = sorted([world.project_id, other])
    for number in range(1, 4):
        world.storage.put_bytes(
            f"uploads/{busy}/A-101/{number}.pdf", revision_pair.old_path.read_bytes() + bytes([number])
        )
    cursor = sweep(world, instance, None, ticks=3)
    late = f"uploads/{quiet}/A-101/rev-1.pdf"
    world.storage.put_bytes(late, revision_pair.new_path.read_bytes())

    sweep(world, instance, cursor, ticks=3)

    assert late in registered_keys(world) and count(world, DrawingVersion) == 4


def test_a_bad_object_is_recorded_once_and_read_again_only_when_rewritten(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance, capfd: pytest.CaptureFixture[str]
) -> None:
    notes = world.drop("A-101", "a-notes.txt", b"not a drawing")
    stray = f"uploads/{world.project_id}/stray.pdf"
    world.storage.put_bytes(stray, revision_pair.old_path.read_bytes())
    good = world.drop("A-101", "b-plan.pdf", revision_pair.old_path.read_bytes())

    tick(world, instance)
    first_log = capfd.readouterr().err
    tick(world, instance)
    second_log = capfd.readouterr().err

    assert registered_keys(world) == [good]
    assert f"refused {notes}" in first_log and f"refused {stray}" in first_log and "is not of the form" in first_log
    assert "refused" not in second_log
    with world.session_factory() as session:
        refusals = dict(session.execute(select(BucketObject.key, BucketObject.refusal)).all())
    assert set(refusals) == {notes, stray, good} and refusals[good] is None and refusals[notes]

    world.storage.put_bytes(notes, revision_pair.new_path.read_bytes())
    tick(world, instance)
    assert registered_keys(world) == [notes, good]


def test_an_unreachable_database_skips_the_tick_in_one_line_and_the_next_tick_resumes(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance, capfd: pytest.CaptureFixture[str]
) -> None:
    key = world.drop("A-101", "plan.pdf", revision_pair.old_path.read_bytes())

    with build_sensor_context(
        instance=instance, cursor="uploads/", resources={**world.resources, "database": UNREACHABLE_DATABASE}
    ) as context:
        skipped = upload_sensor(context)
    log = capfd.readouterr().err

    assert isinstance(skipped, SkipReason) and "unreachable" in (skipped.skip_message or "")
    assert "Traceback" not in log and log.count("unreachable") == 1
    assert registered_keys(world) == []
    tick(world, instance, cursor="uploads/")
    assert registered_keys(world) == [key]
