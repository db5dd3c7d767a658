"""Work a run left behind: stages still in progress, or waiting for a retry, with no live run to finish them.

The run-failure sensor reports each failed run once; when the app database
is out of reach at that moment, or Dagster's retry of a dead run never
starts, a stage would wait forever. The job progress sensor settles such
stages on every tick, so no job stays ``running`` without a live run: a run
whose process stopped is asked for again within its retry budget (Dagster
promises a retry when the run dies, then cannot make it when the code
server died with it), and only then is the stage failed.
"""

from __future__ import annotations

import time
from datetime import timedelta

from dagster import DagsterEventType, DagsterInstance, DagsterRun, DagsterRunStatus, RunsFilter
from sqlalchemy.orm import Session

from buildtrace_assets.assets.runs import JOB_TAG, VERSION_TAG
from buildtrace_assets.config import get_settings
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.services.access import PIPELINE
from buildtrace_assets.services.jobs import fail_run_stages, stage_retried
from buildtrace_assets.services.pipeline_requests import automatic_retries, has_pending_request, request_automatic_retry
from buildtrace_assets.services.readiness import stages_awaiting_a_run, versions_in_analysis
from buildtrace_assets.services.version_analysis import fail_version, version_retried

IN_FLIGHT = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]
ENDED_BADLY = (DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)
ABANDONED = "its run ended without finishing it; use Retry to run it again"
WILL_RETRY_TAG = "dagster/will_retry"
"""Set by Dagster on a failed run: ``true`` when the run-retry daemon re-executes it (``run_retries``)."""
MAX_RETRIES_TAG = "dagster/max_retries"
"""A run's own retry budget, when it overrides the instance's ``run_retries.max_retries``."""
RETRY_NUMBER_TAG = "dagster/retry_number"
"""Set by Dagster on a run that re-executes a failed one: 1 for the first retry."""


def retries_so_far(session: Session, run: DagsterRun, version_id: str | None, job_id: str | None) -> int:
    """Retries of this work before ``run`` ended: Dagster's own re-executions and the pipeline's requests."""
    return int(run.tags.get(RETRY_NUMBER_TAG, "0")) + automatic_retries(session, version_id=version_id, job_id=job_id)


def retry_within_budget(
    instance: DagsterInstance,
    session: Session,
    run: DagsterRun,
    version_id: str | None,
    job_id: str | None,
    *,
    step_failed: bool,
) -> int | None:
    """Ask for a dead run's work again as a pipeline request, within the run's retry budget; the retry's number, or
    None when the failure is final. A failed step is final: its own retry policy has already run out."""
    earlier = retries_so_far(session, run, version_id, job_id)
    budget = int(run.tags.get(MAX_RETRIES_TAG, instance.run_retries_max_retries))
    if step_failed or earlier >= budget or (version_id is None and job_id is None):
        return None
    work = "analysis" if job_id is None else "comparison"
    reason = f"the {work} process stopped and Dagster could not re-execute run {run.run_id}"
    request_automatic_retry(session, version_id=None if job_id else version_id, job_id=job_id, reason=reason)
    return earlier + 1


def _retried(
    instance: DagsterInstance, session: Session, run_id: str | None, version_id: str | None, job_id: str | None
) -> str | None:
    """Retry the work of a run that died and whose promised retry never came, within its budget; the message
    its stage is put back to pending with, or None when the work fails."""
    run = instance.get_run_by_id(run_id) if run_id else None
    if run is None:
        return None
    step_failed = bool(instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_FAILURE))
    attempt = retry_within_budget(instance, session, run, version_id, job_id, step_failed=step_failed)
    if attempt is None:
        return None
    return f"its run ended without finishing it; retried {attempt} of {instance.run_retries_max_retries}"


def _live(instance: DagsterInstance, tags: dict[str, str]) -> bool:
    return bool(instance.get_run_records(RunsFilter(tags=tags, statuses=IN_FLIGHT), limit=1))


def _ended_badly(instance: DagsterInstance, run_id: str | None) -> bool:
    run = instance.get_run_by_id(run_id) if run_id else None
    return run is None or run.status in ENDED_BADLY


def _retry_coming(instance: DagsterInstance, run_id: str | None) -> bool:
    """Dagster marked the dead run for re-execution (``run_retries``) less than the retry grace ago.

    Between the run's failure and its retry's creation, and before the run-failure sensor has put the stage back
    to pending, the stage is in progress with no live run: the retry, not this sensor, finishes it.
    """
    record = instance.get_run_record_by_id(run_id) if run_id else None
    if record is None or record.dagster_run.tags.get(WILL_RETRY_TAG) != "true":
        return False
    return record.end_time is None or time.time() - record.end_time < get_settings().run_retry_grace_s


def settle_abandoned_work(instance: DagsterInstance, session: Session) -> list[str]:
    """Retry, or else fail, the stages and versions whose run ended badly and that no live run will finish; the ids
    of the jobs failed."""
    settled: list[str] = []
    waited_long = utcnow() - timedelta(seconds=get_settings().run_retry_grace_s)
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
        version_id, job_id = (stage.drawing_version_id, None) if stage.drawing_version_id else (None, stage.job_id)
        retried = _retried(instance, session, stage.dagster_run_id, version_id, job_id)
        if retried is not None and version_id is not None:
            version_retried(session, PIPELINE, version_id, f"analysis: {retried}")
        elif retried is not None:
            stage_retried(session, PIPELINE, stage, f"{stage.stage}: {retried}")
        elif version_id is not None:
            fail_version(session, PIPELINE, version_id, f"analysis: {ABANDONED}")
        else:
            fail_run_stages(session, PIPELINE, stage.job_id, stage.dagster_run_id or "", f"{stage.stage}: {ABANDONED}")
        if retried is None:
            settled.append(stage.job_id)
    for version in versions_in_analysis(session):
        runs = instance.get_run_records(RunsFilter(tags={VERSION_TAG: version.id}), limit=1)
        if (
            runs
            and runs[0].dagster_run.status in ENDED_BADLY
            and not _retry_coming(instance, runs[0].dagster_run.run_id)
            and not _live(instance, {VERSION_TAG: version.id})
        ):
            retried = _retried(instance, session, runs[0].dagster_run.run_id, version.id, None)
            if retried is not None:
                version_retried(session, PIPELINE, version.id, f"analysis: {retried}")
            else:
                fail_version(session, PIPELINE, version.id, f"analysis: {ABANDONED}")
    return settled
