"""Blob storage (local directory or GCS) behind one small interface, free of Dagster.

Services, Dagster resources, the portal and the CLI all open storage with
:func:`open_storage` from the ``storage_url`` setting, so the same code runs
on a laptop (``file://``) and in the cluster (``gs://``).
"""

from buildtrace_assets.storage.base import BlobData, BlobInfo, BlobStorage
from buildtrace_assets.storage.errors import BlobNotFound, InvalidKey, StorageUnavailable
from buildtrace_assets.storage.factory import open_storage
from buildtrace_assets.storage.local import LocalBlobStorage

__all__ = [
    "BlobData",
    "BlobInfo",
    "BlobNotFound",
    "BlobStorage",
    "GcsBlobStorage",
    "InvalidKey",
    "LocalBlobStorage",
    "StorageUnavailable",
    "open_storage",
]


def __getattr__(name: str) -> object:
    """``GcsBlobStorage`` on first use: the Google client costs ~0.25 s of every process's start, and laptops
    never use it."""
    if name == "GcsBlobStorage":
        from buildtrace_assets.storage.gcs import GcsBlobStorage

        return GcsBlobStorage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
