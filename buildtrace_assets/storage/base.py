"""The blob storage contract shared by the local and the GCS backend."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Protocol, runtime_checkable

BlobData = bytes | bytearray | memoryview | Iterable[bytes]
"""What a write accepts: the whole content, or chunks so large outputs can stream."""

Progress = Callable[[int], None]
"""Told how many bytes of a write the storage holds so far, as they land: a person's upload bar moves with them."""

PROGRESS_CHUNK_BYTES = 1024 * 1024
"""How much is written between two progress reports (a multiple of 256 KiB, the unit of GCS resumable uploads)."""


@dataclass(frozen=True)
class BlobInfo:
    """What a listing tells about one blob without reading it."""

    key: str
    size: int
    updated: datetime
    """Last write, timezone-aware (UTC)."""
    etag: str
    """Opaque version tag: equal tags mean the blob was not rewritten in between."""


@runtime_checkable
class BlobStorage(Protocol):
    """Blobs under ``/``-separated keys (see :mod:`buildtrace_assets.storage.keys`).

    Writes are all-or-nothing: a reader sees the previous blob or the complete
    new one, never a partial write, so sensors can pick up whatever they list.
    """

    @property
    def url(self) -> str:
        """The URL :func:`~buildtrace_assets.storage.open_storage` opens this storage from."""
        ...

    def put_bytes(
        self, key: str, data: BlobData, content_type: str | None = None, progress: Progress | None = None
    ) -> BlobInfo:
        """Store ``data`` under ``key``, replacing any previous blob; ``progress`` hears the bytes stored so far,
        every :data:`PROGRESS_CHUNK_BYTES` and once at the end with the blob's whole size."""
        ...

    def put_file(self, key: str, path: Path | str, content_type: str | None = None) -> BlobInfo:
        """Store the content of the local file ``path`` under ``key``."""
        ...

    def get_bytes(self, key: str) -> bytes:
        """The blob's content; :class:`BlobNotFound` when there is none."""
        ...

    def download(self, key: str, path: Path | str) -> Path:
        """Write the blob to the local file ``path`` (atomically) and return the path."""
        ...

    def exists(self, key: str) -> bool:
        """Whether a blob is stored under ``key``."""
        ...

    def delete(self, key: str) -> None:
        """Remove the blob; a missing blob is not an error, so deletes can be retried."""
        ...

    def list(self, prefix: str = "", start_after: str | None = None, limit: int | None = None) -> Iterator[BlobInfo]:
        """Blobs whose key starts with ``prefix``, sorted by key, strictly after ``start_after``.

        ``start_after`` is a cursor: passing the last key seen returns only
        newer keys without rescanning the ones before it.
        """
        ...

    def stat(self, key: str) -> BlobInfo:
        """The blob's :class:`BlobInfo`; :class:`BlobNotFound` when there is none."""
        ...

    def uri(self, key: str) -> str:
        """A URI naming the blob outside this process (``file://…`` or ``gs://…``)."""
        ...


def limit_listing(infos: Iterator[BlobInfo], limit: int | None) -> Iterator[BlobInfo]:
    """Stop a lazy listing after ``limit`` blobs, so backends never fetch more than asked."""
    if limit is None:
        return infos
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"limit must be a non-negative integer or None, not {limit!r}")
    return islice(infos, limit)
