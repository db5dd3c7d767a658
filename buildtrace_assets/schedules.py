"""Nightly re-summarization of stale summaries.

A summary is stale when a manual overlay was saved after it, or when it was
written with another prompt version or model than the summarizer now uses.
Summaries people typed themselves are never replaced by a machine. A plain
schedule yields one run per stale job (Dagster's partitioned-schedule helper
refuses dynamic partitions).
"""

from collections.abc import Iterator

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from buildtrace_assets.assets.runs import summarize_job
from buildtrace_assets.db.models import ChangeSummary, DiffResult, Job, ManualOverlay
from buildtrace_assets.resources import AppDatabaseResource, SummarizerResource
from buildtrace_assets.sensors.requests import summary_request
from buildtrace_assets.summaries import PROMPT_VERSION


def stale_summary_jobs(session: Session, prompt_version: str, model: str) -> list[str]:
    """Ids of live jobs whose active machine-written summary is out of date."""
    newer_overlay = (
        select(ManualOverlay.id)
        .where(
            ManualOverlay.diff_result_id == ChangeSummary.diff_result_id,
            ManualOverlay.is_active.is_(True),
            ManualOverlay.created_at > ChangeSummary.created_at,
        )
        .exists()
    )
    query = (
        select(DiffResult.job_id)
        .join(ChangeSummary, and_(ChangeSummary.diff_result_id == DiffResult.id, ChangeSummary.is_active.is_(True)))
        .join(Job, Job.id == DiffResult.job_id)
        .where(
            Job.status != "cancelled",
            ChangeSummary.source.in_(("machine", "human_corrected")),
            or_(
                newer_overlay,
                ChangeSummary.prompt_version.is_distinct_from(prompt_version),
                ChangeSummary.model.is_distinct_from(model),
            ),
        )
        .order_by(DiffResult.job_id)
    )
    return list(session.scalars(query))


@schedule(
    name="resummarize_stale_summaries",
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    job=summarize_job,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every night, rewrites summaries that are older than their overlay, prompt or model.",
)
def resummarize_schedule(
    context: ScheduleEvaluationContext, database: AppDatabaseResource, summarizer: SummarizerResource
) -> Iterator[RunRequest]:
    night = context.scheduled_execution_time.date().isoformat()
    with database.session_factory()() as session:
        stale = stale_summary_jobs(session, PROMPT_VERSION, summarizer.model_name())
    for job_id in stale:
        yield summary_request(job_id, f"stale-{night}")
