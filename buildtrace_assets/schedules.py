"""Nightly re-summarization of stale summaries.

Which summaries are stale is decided in one place,
:mod:`buildtrace_assets.summaries.staleness`: not written from the overlay in
force now, or written with another prompt version or model than the
summarizer now uses; text people typed and cancelled jobs are left alone. A
plain schedule yields one run per stale job (Dagster's partitioned-schedule
helper refuses dynamic partitions).
"""

from collections.abc import Iterator

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule

from buildtrace_assets.assets.runs import summarize_job
from buildtrace_assets.resources import AppDatabaseResource, SummarizerResource
from buildtrace_assets.sensors.requests import summary_request
from buildtrace_assets.summaries import PROMPT_VERSION
from buildtrace_assets.summaries.staleness import stale_summaries


@schedule(
    name="resummarize_stale_summaries",
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    job=summarize_job,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every night, rewrites summaries not written from the active overlay, prompt and model.",
)
def resummarize_schedule(
    context: ScheduleEvaluationContext, database: AppDatabaseResource, summarizer: SummarizerResource
) -> Iterator[RunRequest]:
    night = context.scheduled_execution_time.date().isoformat()
    with database.session_factory()() as session:
        stale = stale_summaries(session, PROMPT_VERSION, summarizer.get().model)
    for summary in stale:
        yield summary_request(summary.job_id, f"stale-{night}")
