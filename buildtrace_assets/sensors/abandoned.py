"""Work a run left behind: stages still in progress, or waiting for a retry, with no live run to finish them.

The run-failure sensor reports each failed run once; when the app database
is out of reach at that moment, or Dagster's retry of a dead run never
starts, a stage would wait forever. The job progress sensor settles such
stages on every tick, so no job stays ``running`` without a live run.
"""

from __future__ import annotations

import time
from datetime import timedelta

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.storage.tags import WILL_RETRY_TAG
from sqlalchemy.orm import Session

from buildtrace_assets.assets.runs import JOB_TAG, VERSION_TAG
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.services.access import PIPELINE
from buildtrace_assets.services.jobs import fail_run_stages
from buildtrace_assets.services.pipeline_requests import has_pending_request
from buildtrace_assets.services.readiness import stages_awaiting_a_run, versions_in_analysis
from buildtrace_assets.services.version_analysis import fail_version

IN_FLIGHT = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]
ENDED_BADLY = (DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)
RETRY_GRACE = timedelta(seconds=90)
"""How long a stage whose run died may wait for Dagster's retry to start before it is failed."""
ABANDONED = "its run ended without finishing it; use Retry to run it again"


def _live(instance: DagsterInstance, tags: dict[str, str]) -> bool:
    return bool(instance.get_run_records(RunsFilter(tags=tags, statuses=IN_FLIGHT), limit=1))


def _ended_badly(instance: DagsterInstance, run_id: str | None) -> bool:
    run = instance.get_run_by_id(run_id) if run_id else None
    return run is None or run.status in ENDED_BADLY


def _retry_coming(instance: DagsterInstance, run_id: str | None) -> bool:
    """Dagster marked the dead run for re-execution (``run_retries``) less than ``RETRY_GRACE`` ago.

    Between the run's failure and its retry's creation, and before the run-failure sensor has put the stage back
    to pending, the stage is in progress with no live run: the retry, not this sensor, finishes it.
    """
    record = instance.get_run_record_by_id(run_id) if run_id else None
    if record is None or record.dagster_run.tags.get(WILL_RETRY_TAG) != "true":
        return False
    return record.end_time is None or time.time() - record.end_time < RETRY_GRACE.total_seconds()


def settle_abandoned_work(instance: DagsterInstance, session: Session) -> list[str]:
    """Fail the stages and versions whose run ended badly and that no live run will finish; their job ids."""
    settled: list[str] = []
    waited_long = utcnow() - RETRY_GRACE
    stages = stages_awaiting_a_run(session, waited_long)
    for stage in stages:
        tags = {VERSION_TAG: stage.drawing_version_id} if stage.stage == "ocr" else {JOB_TAG: stage.job_id}
        versions = [stage.drawing_version_id] if stage.drawing_version_id else []
        if (
            _live(instance, tags)
            or not _ended_badly(instance, stage.dagster_run_id)
            or _retry_coming(instance, stage.dagster_run_id)
            or has_pending_request(session, version_ids=versions, job_id=stage.job_id)
        ):
            continue
        if stage.drawing_version_id is not None:
            fail_version(session, PIPELINE, stage.drawing_version_id, f"analysis: {ABANDONED}")
        else:
            fail_run_stages(session, PIPELINE, stage.job_id, stage.dagster_run_id or "", f"{stage.stage}: {ABANDONED}")
        settled.append(stage.job_id)
    for version in versions_in_analysis(session):
        runs = instance.get_run_records(RunsFilter(tags={VERSION_TAG: version.id}), limit=1)
        if (
            runs
            and runs[0].dagster_run.status in ENDED_BADLY
            and not _retry_coming(instance, runs[0].dagster_run.run_id)
            and not _live(instance, {VERSION_TAG: version.id})
        ):
            fail_version(session, PIPELINE, version.id, f"analysis: {ABANDONED}")
    return settled
