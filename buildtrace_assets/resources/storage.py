"""Blob storage as a Dagster resource.

Assets and sensors reach blobs only through this resource, so the same code
writes to a local directory on a laptop and to a GCS bucket in the cluster,
where each step runs in its own pod and nothing may pass through local disk.
"""

from __future__ import annotations

from dagster import ConfigurableResource
from pydantic import Field, PrivateAttr

from buildtrace_assets.storage import BlobStorage, open_storage


class BlobStorageResource(ConfigurableResource):
    """Uploads, analyses, diff documents, overlays and crops, addressed by key."""

    url: str = Field(description="file:///path or gs://bucket/prefix")

    _storage: BlobStorage | None = PrivateAttr(default=None)

    def get(self) -> BlobStorage:
        """The storage client, opened once per resource instance (GCS clients are costly to build)."""
        if self._storage is None:
            self._storage = open_storage(self.url)
        return self._storage
