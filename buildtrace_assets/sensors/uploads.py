"""Bucket intake: files dropped straight under ``uploads/`` (integrations, ``gsutil cp``) become versions.

Uploads through the services need no listing: they record their own
pipeline request. For everything else the sensor sweeps the prefix a page of
``BATCH`` keys per tick, resuming after the last key of the previous page and
starting over at the end, and reads only keys it has not seen: neither a
version's storage key nor a :class:`~buildtrace_assets.db.models.BucketObject`
with the same etag. A key created behind the sweep position (``…/10-x.pdf``
after ``…/9-x.pdf``, a project whose id sorts low) is therefore reached on the
next round instead of never. Registering a drop records its analysis request
and comparison job in the same transaction, like an upload.
"""

from dagster import DefaultSensorStatus, SensorEvaluationContext, SensorResult, sensor

from buildtrace_assets.resources import AppDatabaseResource, BlobStorageResource
from buildtrace_assets.sensors.outages import UNREACHABLE, holding_place_in_outages
from buildtrace_assets.services.bucket_objects import record, unseen
from buildtrace_assets.services.errors import ServiceError
from buildtrace_assets.services.uploads import UPLOADS_PREFIX, register_stored_object
from buildtrace_assets.storage import BlobInfo

BATCH = 1000
"""Keys listed per tick: one listing page on GCS, so an idle tick stays well under a second."""


@sensor(
    name="upload_sensor",
    minimum_interval_seconds=5,
    default_status=DefaultSensorStatus.RUNNING,
    description="Registers files dropped under uploads/ and requests their analysis.",
)
@holding_place_in_outages
def upload_sensor(
    context: SensorEvaluationContext, storage: BlobStorageResource, database: AppDatabaseResource
) -> SensorResult:
    blobs = list(storage.get().list(prefix=UPLOADS_PREFIX, start_after=context.cursor or None, limit=BATCH))
    with database.transaction() as session:
        fresh = unseen(session, blobs)
    for blob in fresh:
        _register(context, database, storage, blob)
    return SensorResult(cursor=blobs[-1].key if len(blobs) == BATCH else "")


def _register(
    context: SensorEvaluationContext, database: AppDatabaseResource, storage: BlobStorageResource, blob: BlobInfo
) -> None:
    """Register one dropped object, or record why it is refused; transient errors propagate."""
    try:
        with database.transaction() as session:
            version = register_stored_object(session, storage.get(), blob.key)
            record(session, blob, version.id, None)
    except UNREACHABLE:
        raise
    except ServiceError as error:
        context.log.warning(f"refused {blob.key}: {error}")
        with database.transaction() as session:
            record(session, blob, None, str(error))
    except Exception as error:  # noqa: BLE001 - one unusable object must not hold up the others
        context.log.error(f"skipped {blob.key}: {type(error).__name__}: {error}")
        with database.transaction() as session:
            record(session, blob, None, f"could not be read ({type(error).__name__})")
