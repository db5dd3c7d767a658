"""Blob storage (local directory or GCS) behind one small interface, free of Dagster.

Services, Dagster resources, the portal and the CLI all open storage with
:func:`open_storage` from the ``storage_url`` setting, so the same code runs
on a laptop (``file://``) and in the cluster (``gs://``).
"""

from buildtrace_assets.storage.base import BlobData, BlobInfo, BlobStorage
from buildtrace_assets.storage.errors import BlobNotFound, InvalidKey
from buildtrace_assets.storage.factory import open_storage
from buildtrace_assets.storage.gcs import GcsBlobStorage
from buildtrace_assets.storage.local import LocalBlobStorage

__all__ = [
    "BlobData",
    "BlobInfo",
    "BlobNotFound",
    "BlobStorage",
    "GcsBlobStorage",
    "InvalidKey",
    "LocalBlobStorage",
    "open_storage",
]
