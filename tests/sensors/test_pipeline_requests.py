"""The pipeline request sensor: every request recorded in the database becomes exactly one run.

Runs against a real app database and a real Dagster instance; whatever the
storage keys of the uploads, their analysis starts from their request rows.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from dagster import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    EventLogEntry,
    SensorResult,
    build_sensor_context,
)
from dagster._core.test_utils import create_run_for_test
from pipeline.world import World
from sqlalchemy import func, select

from buildtrace_assets.assets.attribution import REQUESTED_BY_TAG
from buildtrace_assets.assets.runs import REQUEST_TAG, VERSION_TAG
from buildtrace_assets.config import get_settings
from buildtrace_assets.db.models import DiffResult, DrawingVersion, Job, PipelineRequest
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.sensors.pipeline_requests import MAX_ANALYSIS_REQUESTS, pipeline_request_sensor
from buildtrace_assets.services.access import PIPELINE
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.overlays import create_overlay
from buildtrace_assets.services.pipeline_requests import request_summary, retry_request
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


def test_a_request_is_handed_out_until_its_run_exists_then_queued(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    upload(world, "plan.pdf", revision_pair.old_path.read_bytes())
    first = tick(world, instance)
    again = tick(world, instance)
    assert [run.run_key for run in again.run_requests] == [run.run_key for run in first.run_requests]

    launch(instance, first)
    settled = tick(world, instance)

    (request,) = requests(world)
    assert settled.run_requests == [] and request.status == "queued" and request.dagster_run_id
    assert tick(world, instance).run_requests == []


def test_the_request_follows_its_run_to_running_and_done(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    upload(world, "plan.pdf", revision_pair.old_path.read_bytes())
    launch(instance, tick(world, instance))
    tick(world, instance)
    (run,) = instance.get_runs()

    instance.handle_new_event(_run_event(run, DagsterEventType.RUN_START))
    tick(world, instance)
    assert requests(world)[0].status == "running"
    instance.handle_new_event(_run_event(run, DagsterEventType.RUN_SUCCESS))
    tick(world, instance)

    (request,) = requests(world)
    assert (request.status, request.dagster_run_id, request.error_message) == ("done", run.run_id, None)
    assert request.finished_at is not None


def test_a_person_s_summary_request_becomes_a_summarize_run_in_their_name_and_its_failure_is_kept(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    job_id = compared_job(world, revision_pair)
    with world.transaction() as session:
        asked = request_summary(session, world.owner, job_id, "regenerate summary").id

    (run_request,) = tick(world, instance).run_requests

    assert (run_request.job_name, run_request.partition_key, run_request.run_key) == (
        "summarize_changes",
        job_id,
        f"request:{asked}",
    )
    assert run_request.tags[REQUESTED_BY_TAG] == world.owner.user_id
    launch(instance, SensorResult(run_requests=[run_request]))
    tick(world, instance)
    (run,) = instance.get_runs()
    instance.report_run_failed(run)
    tick(world, instance)
    request = next(row for row in requests(world) if row.id == asked)
    assert (request.status, request.error_message) == ("failed", f"run {run.run_id} failed")


def test_a_saved_overlay_is_summarized_by_the_run_of_its_request_in_its_author_s_name(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    job_id = compared_job(world, revision_pair)
    with world.transaction() as session:
        diff_id = session.scalars(select(DiffResult.id).where(DiffResult.job_id == job_id)).one()
        create_overlay(session, world.owner, diff_id, [{"id": "m-1", "kind": "added", "bbox": [1.0, 1.0, 9.0, 9.0]}])
    (asked,) = [row for row in requests(world) if row.kind == "summarize"]

    first = tick(world, instance)
    launch(instance, first)
    second = tick(world, instance)

    assert [(run.job_name, run.run_key, run.tags[REQUESTED_BY_TAG]) for run in first.run_requests] == [
        ("summarize_changes", f"request:{asked.id}", world.owner.user_id)
    ]
    assert asked.reason == "corrected regions (overlay v1)" and second.run_requests == []
    assert next(row.status for row in requests(world) if row.id == asked.id) == "queued"


def failed_summary_request(world: World, revision_pair: RevisionPair, instance: DagsterInstance) -> str:
    """A person's summary request whose run failed (the request row says so)."""
    job_id = compared_job(world, revision_pair)
    with world.transaction() as session:
        asked = request_summary(session, world.owner, job_id, "regenerate summary").id
    launch(instance, tick(world, instance))
    tick(world, instance)
    instance.report_run_failed(instance.get_runs()[0])
    tick(world, instance)
    return asked


def test_operations_re_run_failures_a_retried_request_makes_one_new_run_in_the_person_s_name(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    """docs/operations.md, "re-run failures": the retry `buildtrace jobs retry-request` records (see tests/cli)."""
    failed = failed_summary_request(world, revision_pair, instance)
    with world.transaction() as session:
        again = retry_request(session, world.owner, failed).id

    first = tick(world, instance)
    launch(instance, first)

    assert [(run.run_key, run.tags[REQUESTED_BY_TAG]) for run in first.run_requests] == [
        (f"request:{again}", world.owner.user_id)
    ]
    assert tick(world, instance).run_requests == []
    states = {row.id: (row.status, row.reason) for row in requests(world) if row.kind == "summarize"}
    assert states == {failed: ("failed", "regenerate summary"), again: ("queued", f"retry of request {failed}")}


def test_operations_re_execution_from_the_dagster_ui_carries_the_request_on(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    """docs/operations.md, "re-run failures" in the Dagster UI: a re-execution copies the failed run's tags, so the
    failed request follows the new run to done."""
    failed = failed_summary_request(world, revision_pair, instance)
    (parent,) = instance.get_runs()
    rerun = create_run_for_test(
        instance, job_name=parent.job_name, tags=parent.tags, parent_run_id=parent.run_id, root_run_id=parent.run_id
    )

    instance.handle_new_event(_run_event(rerun, DagsterEventType.RUN_SUCCESS))
    tick(world, instance)

    request = next(row for row in requests(world) if row.id == failed)
    assert (request.status, request.dagster_run_id, request.error_message) == ("done", rerun.run_id, None)


def compared_job(world: World, revision_pair: RevisionPair) -> str:
    """Two analyzed versions of A-101, compared (a diff result recorded): a job whose summary may be rewritten."""
    upload(world, "old.pdf", revision_pair.old_path.read_bytes())
    new_id = upload(world, "new.pdf", revision_pair.new_path.read_bytes())
    with world.transaction() as session:
        job = session.scalars(select(Job).where(Job.new_drawing_version_id == new_id)).one()
        for request in session.scalars(select(PipelineRequest)):
            request.status = "done"
        record_diff_result(session, PIPELINE, job.id, changes_ref="jobs/x/changes.json", engine_version="t")
        return job.id


def _run_event(run: DagsterRun, kind: DagsterEventType) -> EventLogEntry:
    return EventLogEntry(
        error_info=None,
        level="INFO",
        user_message="",
        run_id=run.run_id,
        timestamp=time.time(),
        dagster_event=DagsterEvent(kind.value, job_name=run.job_name),
    )


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
