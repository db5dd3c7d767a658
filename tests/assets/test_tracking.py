"""Stage rows follow the steps: in progress while running, failed only when the failure is final."""

from __future__ import annotations

import pytest
from dagster import Failure
from pipeline.world import World
from sqlalchemy import select

from buildtrace_assets.assets.tracking import job_stage_tracked
from buildtrace_assets.db.models import Job, JobStage
from buildtrace_assets.resources import AppDatabaseResource
from buildtrace_assets.samples import RevisionPair


def diff_stage(world: World, job_id: str) -> JobStage:
    with world.session_factory() as session:
        return session.scalars(select(JobStage).where(JobStage.job_id == job_id, JobStage.stage == "diff")).one()


@pytest.fixture
def job_id(world: World, revision_pair: RevisionPair) -> str:
    return world.comparison(revision_pair)[2]


def test_a_failure_that_will_be_retried_leaves_the_stage_in_progress(world: World, job_id: str) -> None:
    database = AppDatabaseResource(url=world.settings.database_url)

    with pytest.raises(ConnectionError), job_stage_tracked(database, job_id, "diff", "run-1", final_attempt=False):
        raise ConnectionError("storage unreachable")

    stage = diff_stage(world, job_id)
    assert (stage.status, stage.attempts, stage.dagster_run_id, stage.error_message) == (
        "in_progress",
        1,
        "run-1",
        None,
    )


def test_the_last_attempt_fails_the_stage_and_the_job_with_the_error(world: World, job_id: str) -> None:
    database = AppDatabaseResource(url=world.settings.database_url)
    for attempt in range(2):
        with (
            pytest.raises(ConnectionError),
            job_stage_tracked(database, job_id, "diff", "run-1", final_attempt=attempt == 1),
        ):
            raise ConnectionError("storage unreachable")

    stage = diff_stage(world, job_id)
    assert (stage.status, stage.attempts) == ("failed", 2)
    assert stage.error_message == "ConnectionError: storage unreachable"
    with world.session_factory() as session:
        assert session.get_one(Job, job_id).status == "failed"


def test_a_failure_that_is_not_retried_is_final_at_once_with_its_description(world: World, job_id: str) -> None:
    database = AppDatabaseResource(url=world.settings.database_url)

    with pytest.raises(Failure), job_stage_tracked(database, job_id, "diff", "run-1", final_attempt=False):
        raise Failure("job x: the file is encrypted", allow_retries=False)

    assert diff_stage(world, job_id).error_message == "job x: the file is encrypted"


def test_success_leaves_completion_to_the_step(world: World, job_id: str) -> None:
    database = AppDatabaseResource(url=world.settings.database_url)

    with (
        job_stage_tracked(database, job_id, "diff", "run-1", final_attempt=False) as stage,
        database.transaction() as session,
    ):
        stage.completed(session, "jobs/x/diff/changes.json")

    stage_row = diff_stage(world, job_id)
    assert (stage_row.status, stage_row.result_ref) == ("completed", "jobs/x/diff/changes.json")
