"""Open a blob storage from the one URL setting (``BUILDTRACE_STORAGE_URL``)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from buildtrace_assets.storage.base import BlobStorage
from buildtrace_assets.storage.local import LocalBlobStorage

SUPPORTED = "file:///absolute/path or gs://bucket/prefix"


def open_storage(url: str) -> BlobStorage:
    """The storage a URL names: ``file:///abs/path`` (local) or ``gs://bucket/prefix`` (GCS)."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"unsupported storage URL {url!r}: file URLs name a local path, expected {SUPPORTED}")
        path = Path(unquote(parts.path))
        if not path.is_absolute():
            raise ValueError(f"unsupported storage URL {url!r}: the path must be absolute, expected {SUPPORTED}")
        return LocalBlobStorage(path)
    if parts.scheme == "gs":
        from buildtrace_assets.storage.gcs import GcsBlobStorage  # the Google client only where it is used

        return GcsBlobStorage(parts.netloc, unquote(parts.path))
    raise ValueError(f"unsupported storage URL {url!r}: expected {SUPPORTED}")
