"""Job sensors against a real app database and a real Dagster instance: progress, cancellation, run failure."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    SensorResult,
    SkipReason,
    build_run_status_sensor_context,
    build_sensor_context,
)
from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.test_utils import create_run_for_test, instance_for_test
from pipeline.world import UNREACHABLE_DATABASE, World, materialize_partition
from sqlalchemy import select

from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.assets.runs import JOB_TAG, VERSION_TAG
from buildtrace_assets.config import get_settings
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import DrawingVersion, Job, JobStage, PipelineRequest
from buildtrace_assets.resources import AppDatabaseResource
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.sensors.jobs import (
    failure_message,
    job_cancellation_sensor,
    job_progress_sensor,
    run_failure_sensor,
)
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.jobs import cancel_job, start_stage


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    """An instance with the queued run coordinator and the run retries of ``dagster.yaml``."""
    queued = {"module": "dagster.core.run_coordinator", "class": "QueuedRunCoordinator"}
    retries = {"enabled": True, "max_retries": 3, "retry_on_asset_or_op_failure": False}
    with instance_for_test(overrides={"run_coordinator": queued, "run_retries": retries}) as test_instance:
        yield test_instance


def progress_tick(world: World, instance: DagsterInstance) -> SensorResult:
    with build_sensor_context(instance=instance, resources=world.resources) as context:
        return job_progress_sensor(context)


def mark_analyzed(world: World, *version_ids: str, status: str = "completed") -> None:
    with world.transaction() as session:
        for version_id in version_ids:
            version = session.get_one(DrawingVersion, version_id)
            version.ocr_status = status
            version.ocr_result_ref = f"analyses/{version_id}.json" if status == "completed" else None


def stages_of(world: World, job_id: str) -> dict[tuple[str, str | None], JobStage]:
    with world.session_factory() as session:
        rows = session.scalars(select(JobStage).where(JobStage.job_id == job_id)).all()
    return {(row.stage, row.drawing_version_id): row for row in rows}


def test_a_job_is_compared_once_both_versions_are_analyzed(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    old_id, new_id, job_id = world.comparison(revision_pair)
    mark_analyzed(world, old_id)
    assert progress_tick(world, instance).run_requests == []

    mark_analyzed(world, new_id)
    result = progress_tick(world, instance)

    (run,) = result.run_requests
    assert (run.run_key, run.partition_key, run.job_name, run.tags[JOB_TAG]) == (
        f"compare:{job_id}",
        job_id,
        "compare_versions",
        job_id,
    )
    assert [list(request.partition_keys) for request in result.dynamic_partitions_requests] == [[job_id]]
    stages = stages_of(world, job_id)
    assert stages[("ocr", old_id)].status == stages[("ocr", new_id)].status == "completed"
    assert stages[("ocr", new_id)].result_ref == f"analyses/{new_id}.json"


def test_a_version_that_could_not_be_read_fails_its_jobs_instead_of_waiting_forever(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    old_id, new_id, job_id = world.comparison(revision_pair)
    mark_analyzed(world, old_id)
    mark_analyzed(world, new_id, status="failed")

    assert progress_tick(world, instance).run_requests == []

    with world.session_factory() as session:
        job = session.get_one(Job, job_id)
    assert job.status == "failed" and "rev-2.pdf" in job.error_message and "could not be read" in job.error_message


def test_a_cancelled_job_is_not_compared(world: World, revision_pair: RevisionPair, instance: DagsterInstance) -> None:
    old_id, new_id, job_id = world.comparison(revision_pair)
    mark_analyzed(world, old_id, new_id)
    with world.transaction() as session:
        cancel_job(session, world.owner, job_id)

    assert progress_tick(world, instance).run_requests == []


ORIGIN = RemoteJobOrigin(
    repository_origin=RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("buildtrace"), "__repository__"),
    job_name="compare_versions",
)
"""Where a queued run says its code lives; the daemon would load it from there to launch it."""


def queued_run(instance: DagsterInstance, tags: dict[str, str], status: DagsterRunStatus) -> DagsterRun:
    return create_run_for_test(
        instance, job_name="compare_versions", status=status, tags=tags, remote_job_origin=ORIGIN
    )


def test_cancelling_a_job_cancels_its_queued_runs_and_leaves_others_alone(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    _, _, job_id = world.comparison(revision_pair)
    mine = queued_run(instance, {JOB_TAG: job_id}, DagsterRunStatus.QUEUED)
    other = queued_run(instance, {JOB_TAG: "another-job"}, DagsterRunStatus.QUEUED)
    with world.transaction() as session:
        cancel_job(session, world.owner, job_id)

    with build_sensor_context(instance=instance, resources=world.resources) as context:
        first = job_cancellation_sensor(context)
    with build_sensor_context(instance=instance, resources=world.resources, cursor=first.cursor) as context:
        second = job_cancellation_sensor(context)

    assert instance.get_run_by_id(mine.run_id).status == DagsterRunStatus.CANCELED
    assert instance.get_run_by_id(other.run_id).status == DagsterRunStatus.QUEUED
    assert first.cursor is not None and second.cursor == first.cursor


NOT_RETRIED = {"dagster/max_retries": "0"}
"""Tags of a run the run-retry daemon does not re-execute (its retries are used up)."""


def report_failure(world: World, instance: DagsterInstance, tags: dict[str, str], message: str) -> None:
    fail_run(world, instance, queued_run(instance, tags, DagsterRunStatus.STARTED), message)


def fail_run(
    world: World,
    instance: DagsterInstance,
    run: DagsterRun,
    message: str,
    *,
    database: AppDatabaseResource | None = None,
    tags_after_failure: dict[str, str] | None = None,
) -> None:
    """Fail ``run`` as the run monitor does, and evaluate the run-failure sensor on it.

    ``tags_after_failure`` are set between the two, as Dagster's retry daemon does.
    """
    event = instance.report_run_failed(run, message)
    instance.add_run_tags(run.run_id, tags_after_failure or {})
    resources = world.resources if database is None else {**world.resources, "database": database}
    context = build_run_status_sensor_context(
        sensor_name="run_failure_sensor",
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run.run_id),
        resources=resources,
    )
    with context:
        run_failure_sensor(context.for_run_failure())


def test_a_run_that_died_fails_the_stage_it_left_in_progress_with_the_message(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    _, _, job_id = world.comparison(revision_pair)
    with world.transaction() as session:
        start_stage(session, SYSTEM, job_id, "diff")

    report_failure(world, instance, {JOB_TAG: job_id, **NOT_RETRIED}, "run worker pod was evicted")

    stages = stages_of(world, job_id)
    assert stages[("diff", None)].status == "failed"
    assert "evicted" in stages[("diff", None)].error_message
    assert stages[("summary", None)].status == "pending"
    with world.session_factory() as session:
        assert "evicted" in session.get_one(Job, job_id).error_message


def test_a_failed_analysis_run_fails_the_version_and_every_job_waiting_for_it(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    old_id, _, job_id = world.comparison(revision_pair)

    report_failure(world, instance, {VERSION_TAG: old_id, **NOT_RETRIED}, "out of memory")

    with world.session_factory() as session:
        assert session.get_one(DrawingVersion, old_id).ocr_status == "failed"
        assert session.get_one(Job, job_id).status == "failed"
    assert "out of memory" in stages_of(world, job_id)[("ocr", old_id)].error_message


def test_a_failed_run_of_a_cancelled_job_leaves_it_cancelled(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    _, _, job_id = world.comparison(revision_pair)
    with world.transaction() as session:
        cancel_job(session, world.owner, job_id)

    report_failure(world, instance, {JOB_TAG: job_id}, "terminated")

    with world.session_factory() as session:
        assert session.get_one(Job, job_id).status == "cancelled"


@pytest.mark.slow
def test_the_failure_message_is_the_failed_steps_own_error(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    old_id, _, job_id = world.comparison(revision_pair)
    with world.session_factory() as session:
        world.storage.put_bytes(session.get_one(DrawingVersion, old_id).storage_key, b"%PDF-1.7\n" + bytes(256))
    result = materialize_partition(world, instance, [diff_result], "jobs", job_id)
    (failure,) = instance.all_logs(result.run_id, of_type=DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(
        sensor_name="run_failure_sensor",
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
    )

    message = failure_message(context.for_run_failure())

    assert message.startswith(f"diff_result: job {job_id}: rev-1.pdf: not a readable PDF")


def diff_started_by_a_run(
    world: World, instance: DagsterInstance, pair: RevisionPair, **tags: str
) -> tuple[str, DagsterRun]:
    """A job whose diff stage a started run is working on: the job id and that run."""
    _, _, job_id = world.comparison(pair)
    run = queued_run(instance, {JOB_TAG: job_id, **tags}, DagsterRunStatus.STARTED)
    with world.transaction() as session:
        start_stage(session, SYSTEM, job_id, "diff", dagster_run_id=run.run_id)
    return job_id, run


DEAD_WORKER = "Detected run worker status FAILED: 'the run worker process (pid 4242) is gone'. Marking run as failed."


def test_a_late_failure_after_the_analysis_was_committed_leaves_the_version_completed(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    _, new_id, job_id = world.comparison(revision_pair)
    mark_analyzed(world, new_id)

    report_failure(world, instance, {VERSION_TAG: new_id}, DEAD_WORKER)

    with world.session_factory() as session:
        assert session.get_one(DrawingVersion, new_id).ocr_status == "completed"
        assert session.get_one(Job, job_id).status != "failed"
    assert stages_of(world, job_id)[("ocr", new_id)].status != "failed"


def test_a_late_failure_of_an_older_run_leaves_the_stage_a_newer_run_took_over(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    _, _, job_id = world.comparison(revision_pair)
    older = queued_run(instance, {JOB_TAG: job_id}, DagsterRunStatus.STARTED)
    with world.transaction() as session:
        start_stage(session, SYSTEM, job_id, "diff", dagster_run_id="a-newer-run")

    fail_run(world, instance, older, DEAD_WORKER)

    diff = stages_of(world, job_id)[("diff", None)]
    assert (diff.status, diff.dagster_run_id) == ("in_progress", "a-newer-run")


def test_a_run_whose_process_died_and_is_retried_says_so_and_keeps_the_job_going(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    job_id, run = diff_started_by_a_run(world, instance, revision_pair)

    fail_run(world, instance, run, DEAD_WORKER)

    diff = stages_of(world, job_id)[("diff", None)]
    assert diff.status == "pending"
    assert diff.error_message == "the comparison process stopped unexpectedly; retried 1 of 3"
    with world.session_factory() as session:
        assert session.get_one(Job, job_id).status in ("pending", "running")


def test_a_run_whose_process_died_for_the_last_time_fails_the_stage_with_a_readable_reason(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    job_id, run = diff_started_by_a_run(world, instance, revision_pair, **NOT_RETRIED)

    fail_run(world, instance, run, DEAD_WORKER)

    diff = stages_of(world, job_id)[("diff", None)]
    assert (diff.status, diff.error_message) == ("failed", "the comparison process stopped unexpectedly")


def test_an_analysis_run_whose_process_died_and_is_retried_puts_the_version_back_to_pending(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    _, new_id, job_id = world.comparison(revision_pair)
    mark_analyzed(world, new_id, status="in_progress")

    report_failure(world, instance, {VERSION_TAG: new_id}, DEAD_WORKER)

    with world.session_factory() as session:
        assert session.get_one(DrawingVersion, new_id).ocr_status == "pending"
    ocr = stages_of(world, job_id)[("ocr", new_id)]
    assert (ocr.status, ocr.error_message) == ("pending", "the analysis process stopped unexpectedly; retried 1 of 3")


def test_a_run_launched_by_hand_reports_its_failure_on_the_job_its_partition_names(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    _, _, job_id = world.comparison(revision_pair)
    with world.transaction() as session:
        start_stage(session, SYSTEM, job_id, "diff")

    report_failure(world, instance, {"dagster/partition": job_id, **NOT_RETRIED}, "diff_result: out of memory")

    diff = stages_of(world, job_id)[("diff", None)]
    assert diff.status == "failed" and "out of memory" in diff.error_message


def test_a_failure_that_cannot_be_recorded_is_settled_by_the_progress_sensor(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance, capfd: pytest.CaptureFixture[str]
) -> None:
    job_id, run = diff_started_by_a_run(world, instance, revision_pair, **NOT_RETRIED)
    fail_run(world, instance, run, DEAD_WORKER, database=UNREACHABLE_DATABASE)
    assert "could not record the failure" in capfd.readouterr().err
    assert stages_of(world, job_id)[("diff", None)].status == "in_progress"

    progress_tick(world, instance)

    diff = stages_of(world, job_id)[("diff", None)]
    assert diff.status == "failed" and "its run ended without finishing it" in diff.error_message


def test_a_stage_with_a_live_run_is_not_settled(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    job_id, _ = diff_started_by_a_run(world, instance, revision_pair)

    progress_tick(world, instance)

    assert stages_of(world, job_id)[("diff", None)].status == "in_progress"


def test_a_stage_whose_dead_run_dagster_will_retry_waits_for_the_retry(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    """The progress tick can come between the run's failure and the retry's creation, before the run-failure
    sensor has reacted: the stage is then in progress with no live run, and must not be failed. When Dagster then
    gives its retry up (its code server died with the run), the work is asked for again through a request."""
    job_id, run = diff_started_by_a_run(world, instance, revision_pair)
    instance.report_run_failed(run, DEAD_WORKER)
    instance.add_run_tags(run.run_id, {"dagster/will_retry": "true"})

    progress_tick(world, instance)

    assert stages_of(world, job_id)[("diff", None)].status == "in_progress"
    instance.add_run_tags(run.run_id, {"dagster/will_retry": "false"})
    progress_tick(world, instance)
    diff = stages_of(world, job_id)[("diff", None)]
    assert (diff.status, diff.error_message) == ("pending", "diff: its run ended without finishing it; retried 1 of 3")
    with world.session_factory() as session:
        (request,) = session.scalars(select(PipelineRequest).where(PipelineRequest.kind == "compare")).all()
    assert request.job_id == job_id and request.reason.startswith("automatic retry")


def test_a_promised_retry_that_does_not_start_within_the_grace_is_asked_for_again(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dagster tags the dead run ``will_retry`` and then never creates the retry (its code server died with the
    run): after ``BUILDTRACE_RUN_RETRY_GRACE_S`` the work is asked for again."""
    monkeypatch.setattr(get_settings(), "run_retry_grace_s", 1.0)
    job_id, run = diff_started_by_a_run(world, instance, revision_pair)
    instance.report_run_failed(run, DEAD_WORKER)
    instance.add_run_tags(run.run_id, {"dagster/will_retry": "true"})

    progress_tick(world, instance)
    assert stages_of(world, job_id)[("diff", None)].status == "in_progress"
    time.sleep(1.5)
    progress_tick(world, instance)

    diff = stages_of(world, job_id)[("diff", None)]
    assert (diff.status, diff.error_message) == ("pending", "diff: its run ended without finishing it; retried 1 of 3")


def test_a_dead_run_whose_retries_are_spent_fails_its_stage(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    job_id, run = diff_started_by_a_run(world, instance, revision_pair)
    instance.report_run_failed(run, DEAD_WORKER)
    instance.add_run_tags(run.run_id, {"dagster/will_retry": "false", "dagster/retry_number": "3"})

    progress_tick(world, instance)

    diff = stages_of(world, job_id)[("diff", None)]
    assert diff.status == "failed" and "its run ended without finishing it" in (diff.error_message or "")


def test_an_unreachable_database_skips_the_progress_tick(world: World, instance: DagsterInstance) -> None:
    with build_sensor_context(
        instance=instance, resources={**world.resources, "database": UNREACHABLE_DATABASE}
    ) as context:
        skipped = job_progress_sensor(context)

    assert isinstance(skipped, SkipReason)


def test_a_dead_run_dagster_could_not_re_execute_is_retried_through_a_request(
    world: World, revision_pair: RevisionPair, instance: DagsterInstance
) -> None:
    job_id, run = diff_started_by_a_run(world, instance, revision_pair)
    fail_run(world, instance, run, DEAD_WORKER, tags_after_failure={"dagster/will_retry": "false"})

    diff = stages_of(world, job_id)[("diff", None)]
    assert (diff.status, diff.error_message) == (
        "pending",
        "the comparison process stopped unexpectedly; retried 1 of 3",
    )
    with world.session_factory() as session:
        (request,) = session.scalars(select(PipelineRequest).where(PipelineRequest.kind == "compare")).all()
    assert request.job_id == job_id and request.requested_by is None and request.reason.startswith("automatic retry")
    with world.transaction() as session:
        session.get_one(JobStage, diff.id).started_at = utcnow() - timedelta(minutes=5)
    assert progress_tick(world, instance).run_requests == []
    assert stages_of(world, job_id)[("diff", None)].status == "pending"
