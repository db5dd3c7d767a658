"""Job sensors: start a job's comparison once both versions are analyzed, stop the runs of a
cancelled job, and put a failed run's error on the job it worked for.
"""

from datetime import datetime

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    run_failure_sensor,
    sensor,
)
from sqlalchemy.orm import Session

from buildtrace_assets.assets.runs import JOB_TAG, REQUEST_TAG, compare_job, run_targets
from buildtrace_assets.observability.pipeline_traces import job_submission_tags
from buildtrace_assets.partitions import jobs_partitions
from buildtrace_assets.resources import AppDatabaseResource
from buildtrace_assets.sensors.abandoned import (
    IN_FLIGHT,
    WILL_RETRY_TAG,
    retries_so_far,
    retry_within_budget,
    settle_abandoned_work,
)
from buildtrace_assets.sensors.outages import UNREACHABLE, holding_place_in_outages
from buildtrace_assets.sensors.requests import compare_request
from buildtrace_assets.services.access import PIPELINE
from buildtrace_assets.services.jobs import cancelled_since, fail_run_stages, stage_retried, stages_of_run
from buildtrace_assets.services.pipeline_requests import follow_run
from buildtrace_assets.services.readiness import jobs_ready_to_compare
from buildtrace_assets.services.version_analysis import fail_version, version_retried


@sensor(
    name="job_progress_sensor",
    jobs=[compare_job],
    minimum_interval_seconds=5,
    default_status=DefaultSensorStatus.RUNNING,
    description="Requests a job's diff and summary once both of its versions are analyzed; fails abandoned stages.",
)
@holding_place_in_outages
def job_progress_sensor(context: SensorEvaluationContext, database: AppDatabaseResource) -> SensorResult:
    with database.transaction() as session:
        for job_id in settle_abandoned_work(context.instance, session):
            context.log.warning(f"job {job_id}: a stage was left without a live run; marked failed")
        ready = jobs_ready_to_compare(session, PIPELINE)
        run_requests = [compare_request(job_id, job_submission_tags(session, job_id)) for job_id in ready]
    return SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=[jobs_partitions.build_add_request(ready)],
    )


@sensor(
    name="job_cancellation_sensor",
    minimum_interval_seconds=5,
    default_status=DefaultSensorStatus.RUNNING,
    description="Terminates the queued and running runs of cancelled jobs.",
)
@holding_place_in_outages
def job_cancellation_sensor(context: SensorEvaluationContext, database: AppDatabaseResource) -> SensorResult:
    """The cursor is the newest cancellation handled, so each cancelled job is looked at once."""
    since = datetime.fromisoformat(context.cursor) if context.cursor else None
    with database.session_factory()() as session:
        cancelled = cancelled_since(session, since)
    for job_id, _ in cancelled:
        runs = context.instance.get_runs(RunsFilter(tags={JOB_TAG: job_id}, statuses=IN_FLIGHT))
        for run in runs:
            context.log.info(f"job {job_id} was cancelled: stopping run {run.run_id}")
            context.instance.run_coordinator.cancel_run(run.run_id)
    return SensorResult(cursor=cancelled[-1][1].isoformat() if cancelled else context.cursor)


MONITOR_VERDICT = "Detected run worker status"
"""How Dagster's run monitoring begins the message of a run it failed because its worker was gone."""


@run_failure_sensor(
    name="run_failure_sensor",
    default_status=DefaultSensorStatus.RUNNING,
    description="Puts a failed run's error on the job (and stage) it worked for and on the request it carried out, "
    "or says that it is retried.",
)
def run_failure_sensor(context: RunFailureSensorContext, database: AppDatabaseResource) -> None:
    run = context.dagster_run
    version_id, job_id = run_targets(run)
    message = failure_message(context)
    try:
        with database.transaction() as session:
            attempt = retry_attempt(context, session, version_id, job_id)
            if attempt is not None:
                message = f"{message}; retried {attempt} of {context.instance.run_retries_max_retries}"
            if version_id is not None:
                (version_retried if attempt else fail_version)(session, PIPELINE, version_id, message)
            if job_id is not None:
                if attempt:
                    for stage in stages_of_run(session, job_id, run.run_id)[:1]:
                        stage_retried(session, PIPELINE, stage, message)
                else:
                    fail_run_stages(session, PIPELINE, job_id, run.run_id, message)
            if attempt is None and REQUEST_TAG in run.tags:
                follow_run(session, run.tags[REQUEST_TAG], "failed", run.run_id, message)
    except UNREACHABLE as error:
        # The sensor's cursor moves on regardless; the job progress sensor settles the stage once it can.
        context.log.warning(f"could not record the failure of run {run.run_id}: {type(error).__name__}")


def retry_attempt(
    context: RunFailureSensorContext, session: Session, version_id: str | None, job_id: str | None
) -> int | None:
    """The number of the retry that follows this failure, or None when the failure is final.

    Dagster re-executes a run whose process died (``run_retries``). When it
    could not (its code server was gone too), the retry is asked for here as
    a pipeline request, within the same budget. Failed steps are not retried
    here: their own retry policy has already run out.
    """
    run = context.dagster_run
    if run.tags.get(WILL_RETRY_TAG) == "true":
        return retries_so_far(session, run, version_id, job_id) + 1
    step_failed = bool(context.get_step_failure_events())
    return retry_within_budget(context.instance, session, run, version_id, job_id, step_failed=step_failed)


def failure_message(context: RunFailureSensorContext) -> str:
    """The first failed step's own words (a ``Failure``'s description, else its error), else why the run stopped.

    A run with no failed step stopped from outside: its process died or was
    killed, or it could not start.
    """
    for event in context.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data is not None and data.user_failure_data.description:
            return f"{event.step_key}: {data.user_failure_data.description}"
        if data.error is not None:
            return f"{event.step_key}: {data.error.message.strip()}"
    work = "comparison" if run_targets(context.dagster_run)[1] else "analysis"
    reason = context.failure_event.message or ""
    if not reason or reason.startswith(MONITOR_VERDICT):
        return f"the {work} process stopped unexpectedly"
    return f"the {work} run failed: {reason}"
