"""Overlay sensor: a saved manual overlay gets the job a new summary written from it.

The cursor is the creation time and id of the newest overlay handled, so each
saved overlay version is seen once; its id is the run key, so a repeated tick
never writes a second summary for the same overlay.
"""

from datetime import datetime

from dagster import DefaultSensorStatus, SensorEvaluationContext, SensorResult, sensor
from sqlalchemy import literal, select, tuple_

from buildtrace_assets.assets.runs import summarize_job
from buildtrace_assets.db.base import UTCDateTime
from buildtrace_assets.db.models import DiffResult, Job, ManualOverlay
from buildtrace_assets.resources import AppDatabaseResource
from buildtrace_assets.sensors.outages import holding_place_in_outages
from buildtrace_assets.sensors.requests import summary_request

BATCH = 200


@sensor(
    name="manual_overlay_sensor",
    jobs=[summarize_job],
    minimum_interval_seconds=10,
    default_status=DefaultSensorStatus.RUNNING,
    description="Requests a new summary of a job whenever someone saves a manual overlay for it.",
)
@holding_place_in_outages
def manual_overlay_sensor(context: SensorEvaluationContext, database: AppDatabaseResource) -> SensorResult:
    query = (
        select(ManualOverlay.id, ManualOverlay.created_at, DiffResult.job_id, Job.status)
        .join(DiffResult, DiffResult.id == ManualOverlay.diff_result_id)
        .join(Job, Job.id == DiffResult.job_id)
        .order_by(ManualOverlay.created_at, ManualOverlay.id)
        .limit(BATCH)
    )
    if context.cursor:
        created_at, overlay_id = context.cursor.split("|")
        query = query.where(
            tuple_(ManualOverlay.created_at, ManualOverlay.id)
            > tuple_(literal(datetime.fromisoformat(created_at), UTCDateTime()), overlay_id)
        )
    with database.session_factory()() as session:
        overlays = session.execute(query).all()
    requests = [
        summary_request(job_id, f"overlay-{overlay_id}")
        for overlay_id, _, job_id, status in overlays
        if status != "cancelled"
    ]
    cursor = f"{overlays[-1].created_at.isoformat()}|{overlays[-1].id}" if overlays else context.cursor
    return SensorResult(run_requests=requests, cursor=cursor)
