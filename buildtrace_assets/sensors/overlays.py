"""Overlay sensor: a saved manual overlay gets the job a new summary written from it, in its author's name.

The cursor is the creation time and id of the newest overlay handled, so each
saved overlay version is seen once; its id is the run key, so a repeated tick
never writes a second summary for the same overlay.
"""

from datetime import datetime

from dagster import DefaultSensorStatus, SensorEvaluationContext, SensorResult, sensor

from buildtrace_assets.assets.runs import summarize_job
from buildtrace_assets.resources import AppDatabaseResource
from buildtrace_assets.sensors.outages import holding_place_in_outages
from buildtrace_assets.sensors.requests import summary_request
from buildtrace_assets.services.overlays import overlays_saved_after

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
    after = None
    if context.cursor:
        created_at, overlay_id = context.cursor.split("|")
        after = (datetime.fromisoformat(created_at), overlay_id)
    with database.session_factory()() as session:
        overlays = overlays_saved_after(session, after, BATCH)
    requests = [
        summary_request(saved.job_id, f"overlay-{saved.overlay_id}", saved.created_by)
        for saved in overlays
        if saved.job_status != "cancelled"
    ]
    cursor = f"{overlays[-1].created_at.isoformat()}|{overlays[-1].overlay_id}" if overlays else context.cursor
    return SensorResult(run_requests=requests, cursor=cursor)
