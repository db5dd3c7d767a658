"""Job sensors: start a job's comparison once both versions are analyzed, stop the runs of a
cancelled job, and put a failed run's error on the job it worked for.
"""

from datetime import datetime

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    run_failure_sensor,
    sensor,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.assets.runs import JOB_TAG, VERSION_TAG, compare_job
from buildtrace_assets.assets.tracking import fail_version, jobs_ready_to_compare
from buildtrace_assets.db.models import Job, JobStage
from buildtrace_assets.partitions import jobs_partitions
from buildtrace_assets.resources import AppDatabaseResource
from buildtrace_assets.sensors.requests import compare_request
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.jobs import fail_stage

IN_FLIGHT = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


@sensor(
    name="job_progress_sensor",
    jobs=[compare_job],
    minimum_interval_seconds=5,
    default_status=DefaultSensorStatus.RUNNING,
    description="Requests a job's diff and summary once both of its versions are analyzed.",
)
def job_progress_sensor(context: SensorEvaluationContext, database: AppDatabaseResource) -> SensorResult:
    with database.transaction() as session:
        ready = jobs_ready_to_compare(session)
    return SensorResult(
        run_requests=[compare_request(job_id) for job_id in ready],
        dynamic_partitions_requests=[jobs_partitions.build_add_request(ready)],
    )


@sensor(
    name="job_cancellation_sensor",
    minimum_interval_seconds=5,
    default_status=DefaultSensorStatus.RUNNING,
    description="Terminates the queued and running runs of cancelled jobs.",
)
def job_cancellation_sensor(context: SensorEvaluationContext, database: AppDatabaseResource) -> SensorResult:
    """The cursor is the newest cancellation handled, so each cancelled job is looked at once."""
    since = datetime.fromisoformat(context.cursor) if context.cursor else None
    with database.session_factory()() as session:
        query = select(Job.id, Job.cancelled_at).where(Job.status == "cancelled").order_by(Job.cancelled_at)
        if since is not None:
            query = query.where(Job.cancelled_at > since)
        cancelled = session.execute(query).all()
    for job_id, _ in cancelled:
        runs = context.instance.get_runs(RunsFilter(tags={JOB_TAG: job_id}, statuses=IN_FLIGHT))
        for run in runs:
            context.log.info(f"job {job_id} was cancelled: stopping run {run.run_id}")
            context.instance.run_coordinator.cancel_run(run.run_id)
    return SensorResult(cursor=cancelled[-1][1].isoformat() if cancelled else context.cursor)


@run_failure_sensor(
    name="run_failure_sensor",
    default_status=DefaultSensorStatus.RUNNING,
    description="Marks the job (and stage) a failed run worked for as failed, with the error.",
)
def run_failure_sensor(context: RunFailureSensorContext, database: AppDatabaseResource) -> None:
    tags = context.dagster_run.tags
    message = failure_message(context)
    with database.transaction() as session:
        if VERSION_TAG in tags:
            fail_version(session, tags[VERSION_TAG], message)
        if JOB_TAG in tags:
            fail_open_stages(session, tags[JOB_TAG], message)


def failure_message(context: RunFailureSensorContext) -> str:
    """The first failed step's own words (a ``Failure``'s description, else its error), else the run's message."""
    for event in context.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data is not None and data.user_failure_data.description:
            return f"{event.step_key}: {data.user_failure_data.description}"
        if data.error is not None:
            return f"{event.step_key}: {data.error.message.strip()}"
    return context.failure_event.message or "the run failed"


def fail_open_stages(session: Session, job_id: str, message: str) -> None:
    """Fail the stage the failed run left open: the one in progress, else the first still pending.

    Nothing changes for a cancelled job, or when the step already recorded its failure.
    """
    job = session.get(Job, job_id)
    if job is None or job.status in ("cancelled", "failed"):
        return
    stages = session.scalars(
        select(JobStage).where(JobStage.job_id == job_id, JobStage.stage.in_(("diff", "summary")))
    ).all()
    ordered = sorted(stages, key=lambda stage: (stage.status != "in_progress", stage.stage != "diff"))
    open_stage = next((stage for stage in ordered if stage.status in ("in_progress", "pending")), None)
    if open_stage is not None:
        fail_stage(session, SYSTEM, job_id, open_stage.stage, message)
