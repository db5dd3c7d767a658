"""Pipeline request sensor: turns the outbox of requests into runs, makes each request follow its run, and
notices versions nobody asked for.

A request stays ``pending`` until a run tagged with its id exists, so a tick
whose runs were never launched (daemon stopped between evaluation and launch)
asks again, and the ``run_key`` keeps a repeated ask from starting a second
run. Then the request takes its latest run's state on every tick (queued,
running, done, failed); the run-failure sensor adds the failed step's words.
A failed request keeps following its runs for a day, so re-executing its run
from the Dagster UI (which copies the run's tags) moves the request on too.
Versions that are ``pending`` for longer than ``intake_stale_after_s``
with neither a request nor a live run are requested again, a bounded number
of times, and then failed with the reason.
"""

from datetime import timedelta

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)
from sqlalchemy.orm import Session

from buildtrace_assets.assets.runs import REQUEST_TAG, VERSION_TAG, analyze_version_job, compare_job, summarize_job
from buildtrace_assets.config import get_settings
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import DrawingVersion, PipelineRequest, RequestStatus
from buildtrace_assets.observability.pipeline_traces import submission_tags
from buildtrace_assets.partitions import drawing_versions_partitions, jobs_partitions
from buildtrace_assets.resources import AppDatabaseResource
from buildtrace_assets.sensors.abandoned import IN_FLIGHT, WILL_RETRY_TAG
from buildtrace_assets.sensors.outages import holding_place_in_outages
from buildtrace_assets.sensors.requests import pipeline_run_request
from buildtrace_assets.services.access import PIPELINE
from buildtrace_assets.services.pipeline_requests import (
    follow_run,
    mark_submitted,
    pending_requests,
    request_automatic_retry,
    requests_failed_since,
    requests_for_version,
    requests_in_flight,
    unrequested_pending_versions,
)
from buildtrace_assets.services.version_analysis import fail_version

BATCH = 100
"""Requests handed out per tick; the rest wait for the next tick, so one tick stays short."""
MAX_ANALYSIS_REQUESTS = 4
"""Requests for one version's analysis after which a version that never got a run is failed."""
REEXECUTION_WINDOW = timedelta(days=1)
"""How long a failed request still follows its runs, so a re-execution from the Dagster UI carries it on."""


REQUEST_STATES: dict[DagsterRunStatus, RequestStatus] = {
    DagsterRunStatus.QUEUED: "queued",
    DagsterRunStatus.NOT_STARTED: "queued",
    DagsterRunStatus.STARTING: "running",
    DagsterRunStatus.STARTED: "running",
    DagsterRunStatus.CANCELING: "running",
    DagsterRunStatus.SUCCESS: "done",
    DagsterRunStatus.FAILURE: "failed",
    DagsterRunStatus.CANCELED: "failed",
}
"""The request state of each run state: a request is done or failed once its latest run is."""


def _launched_run_id(context: SensorEvaluationContext, request: PipelineRequest) -> str | None:
    records = context.instance.get_run_records(RunsFilter(tags={REQUEST_TAG: request.id}), limit=1)
    return records[0].dagster_run.run_id if records else None


def _follow(context: SensorEvaluationContext, session: Session, request: PipelineRequest) -> None:
    """Give the request the state of its latest run (a retried run carries the request's tags too)."""
    records = context.instance.get_run_records(RunsFilter(tags={REQUEST_TAG: request.id}), limit=1)
    if not records:
        return
    run = records[0].dagster_run
    status = REQUEST_STATES.get(run.status, "running")
    if status == "failed" and run.tags.get(WILL_RETRY_TAG) == "true":
        status = "running"
    reason = None
    if status == "failed":
        reason = request.error_message or (
            "the run was cancelled" if run.status == DagsterRunStatus.CANCELED else f"run {run.run_id} failed"
        )
    follow_run(session, request.id, status, run.run_id, reason)


def _ask_again(context: SensorEvaluationContext, session: Session, version: DrawingVersion) -> None:
    """Request a stranded version's analysis again, or fail it once the requests are used up."""
    if context.instance.get_run_records(RunsFilter(tags={VERSION_TAG: version.id}, statuses=IN_FLIGHT), limit=1):
        return
    asked = requests_for_version(session, version.id)
    if asked >= MAX_ANALYSIS_REQUESTS:
        context.log.warning(f"version {version.id} never got an analysis run after {asked} requests: failed")
        fail_version(session, PIPELINE, version.id, f"its analysis never started after {asked} requests")
        return
    context.log.warning(f"version {version.id} was pending without a request or a run: asking again")
    request_automatic_retry(session, version_id=version.id, reason="pending without a request or a run")


@sensor(
    name="pipeline_request_sensor",
    jobs=[analyze_version_job, compare_job, summarize_job],
    minimum_interval_seconds=5,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a run for every pipeline request (new versions, retries, re-summaries), puts each run's "
    "state on its request; re-asks for stranded versions.",
)
@holding_place_in_outages
def pipeline_request_sensor(context: SensorEvaluationContext, database: AppDatabaseResource) -> SensorResult:
    now = utcnow()
    stale_before = now - timedelta(seconds=get_settings().intake_stale_after_s)
    run_requests: list[RunRequest] = []
    with database.transaction() as session:
        for request in pending_requests(session, BATCH):
            run_id = _launched_run_id(context, request)
            if run_id is None:
                run_requests.append(pipeline_run_request(request, submission_tags(session, request)))
            else:
                mark_submitted(session, request.id, run_id)
        for request in [
            *requests_in_flight(session, BATCH),
            *requests_failed_since(session, now - REEXECUTION_WINDOW, BATCH),
        ]:
            _follow(context, session, request)
        for version in unrequested_pending_versions(session, stale_before):
            _ask_again(context, session, version)
    versions = [run.partition_key for run in run_requests if run.job_name == analyze_version_job.name]
    jobs = [run.partition_key for run in run_requests if run.job_name in (compare_job.name, summarize_job.name)]
    return SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=[
            drawing_versions_partitions.build_add_request([key for key in versions if key]),
            jobs_partitions.build_add_request([key for key in jobs if key]),
        ],
    )
