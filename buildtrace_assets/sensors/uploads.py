"""Upload sensor: every file that lands under ``uploads/`` becomes a drawing version and, from
version 2 on, a comparison job against the version before it.

The cursor is the last storage key handled, and listing starts strictly after
it, so a tick over a bucket of 10,000 old uploads reads nothing but what is
new. Registration is idempotent (by key and by content) and every run request
has a ``run_key``, so repeating a tick never duplicates versions, jobs or runs.
"""

from dataclasses import dataclass, field

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from buildtrace_assets.assets.runs import analyze_version_job
from buildtrace_assets.db.models import DrawingVersion, Job
from buildtrace_assets.partitions import drawing_versions_partitions, jobs_partitions
from buildtrace_assets.resources import AppDatabaseResource, BlobStorageResource
from buildtrace_assets.sensors.requests import analysis_request
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.jobs import create_comparison_job, previous_version
from buildtrace_assets.services.uploads import UPLOADS_PREFIX, register_stored_object

BATCH = 500
"""Objects handled per tick; the rest wait for the next tick, so one tick stays short."""

TRANSIENT_ERRORS = (OperationalError, ConnectionError, TimeoutError)
"""Failures worth trying again: the cursor stays before the object so the next tick retries it."""


def comparison_for_new_version(session: Session, version: DrawingVersion) -> Job | None:
    """The job comparing ``version`` with the version before it; None for a first version."""
    previous = previous_version(session, SYSTEM, version.id)
    if previous is None:
        return None
    return create_comparison_job(session, SYSTEM, previous.id, version.id)


@dataclass
class Intake:
    """What one tick registered, turned into partitions and run requests."""

    version_ids: list[str] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)
    run_requests: list[RunRequest] = field(default_factory=list)

    def add(self, version: DrawingVersion, job: Job | None) -> None:
        self.version_ids.append(version.id)
        if version.ocr_status == "pending":
            self.run_requests.append(analysis_request(version.id))
        if job is not None:
            self.job_ids.append(job.id)


@sensor(
    name="upload_sensor",
    jobs=[analyze_version_job],
    minimum_interval_seconds=5,
    default_status=DefaultSensorStatus.RUNNING,
    description="Registers files that land under uploads/ and starts their analysis.",
)
def upload_sensor(
    context: SensorEvaluationContext, storage: BlobStorageResource, database: AppDatabaseResource
) -> SensorResult:
    blobs = storage.get().list(prefix=UPLOADS_PREFIX, start_after=context.cursor or None, limit=BATCH)
    intake = Intake()
    cursor = context.cursor
    retry_cursor: str | None = None
    held = False
    for blob in blobs:
        try:
            with database.transaction() as session:
                version = register_stored_object(session, storage.get(), blob.key)
                job = comparison_for_new_version(session, version)
        except TRANSIENT_ERRORS as error:
            context.log.warning(f"will retry {blob.key}: {error}")
            if not held:
                held, retry_cursor = True, cursor
        except Exception as error:  # one unusable object must not hold up the others
            context.log.error(f"skipped {blob.key}: {type(error).__name__}: {error}")
        else:
            intake.add(version, job)
        cursor = blob.key
    return SensorResult(
        run_requests=intake.run_requests,
        cursor=retry_cursor if held else cursor,
        dynamic_partitions_requests=[
            drawing_versions_partitions.build_add_request(intake.version_ids),
            jobs_partitions.build_add_request(intake.job_ids),
        ],
    )
