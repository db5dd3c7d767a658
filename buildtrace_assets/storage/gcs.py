"""Blob storage in a Google Cloud Storage bucket, for the cluster.

GCS writes are atomic by nature (an object appears only once its upload is
complete), so this backend only has to map keys under a prefix and keep the
local backend's semantics. Setting ``STORAGE_EMULATOR_HOST`` points the same
code at an emulator, which is how the tests exercise it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import requests
from google.api_core.exceptions import GatewayTimeout, NotFound, RetryError, ServiceUnavailable
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import TransportError
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from buildtrace_assets.storage.atomic import atomic_write, write_chunks
from buildtrace_assets.storage.base import PROGRESS_CHUNK_BYTES, BlobData, BlobInfo, Progress, limit_listing
from buildtrace_assets.storage.errors import BlobNotFound, InvalidKey, StorageUnavailable
from buildtrace_assets.storage.keys import validate_key, validate_prefix

EMULATOR_PROJECT = "buildtrace-local"
"""Project id used against an emulator, which needs one but checks none."""

_SPOOL_IN_MEMORY_BYTES = 16 * 1024 * 1024
RETRY_TIMEOUT_S = 10.0
"""How long a call retries an unreachable service before :class:`StorageUnavailable` (the client's default is 120 s,
longer than any person waits for a page or an API answer)."""
_UNREACHABLE = (
    requests.ConnectionError,
    requests.Timeout,
    TransportError,
    RetryError,
    ServiceUnavailable,
    GatewayTimeout,
)
"""What the client raises when the service cannot be reached, as opposed to a refused or missing object."""


def make_client() -> storage.Client:
    """A client for real GCS (application default credentials) or for the emulator.

    The emulator accepts no credentials, and without a project the client would
    go looking for one in the environment and fail.
    """
    if os.environ.get("STORAGE_EMULATOR_HOST"):
        project = os.environ.get("GOOGLE_CLOUD_PROJECT", EMULATOR_PROJECT)
        return storage.Client(project=project, credentials=AnonymousCredentials())
    return storage.Client()


def _info(key: str, blob: storage.Blob) -> BlobInfo:
    return BlobInfo(key=key, size=blob.size, updated=blob.updated, etag=blob.etag)


class _ReportedReads:
    """A stream that reports its position before each read: a resumable upload reads the next chunk only once the
    service acknowledged the one before, so the position is what the service holds."""

    def __init__(self, stream: IO[bytes], progress: Progress) -> None:
        self._stream = stream
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        self._progress(self._stream.tell())
        return self._stream.read(size)

    def tell(self) -> int:
        return self._stream.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._stream.seek(offset, whence)


def _is_key(name: str) -> bool:
    """Objects that are no valid key (e.g. console folder placeholders ``a/``) are not our blobs."""
    try:
        validate_key(name)
    except InvalidKey:
        return False
    return True


class GcsBlobStorage:
    """Blobs as objects ``<prefix>/<key>`` in ``bucket_name``."""

    def __init__(
        self,
        bucket_name: str,
        prefix: str = "",
        client: storage.Client | None = None,
        retry_timeout_s: float = RETRY_TIMEOUT_S,
    ) -> None:
        if not bucket_name:
            raise ValueError("a GCS storage URL needs a bucket: gs://bucket/prefix")
        prefix = prefix.strip("/")
        self._root = validate_key(prefix) + "/" if prefix else ""
        self._client = client or make_client()
        self._bucket = self._client.bucket(bucket_name)
        self._retry = DEFAULT_RETRY.with_timeout(retry_timeout_s)

    @contextmanager
    def _reaching(self) -> Iterator[None]:
        """Turn the client's connection failures into :class:`StorageUnavailable`."""
        try:
            yield
        except _UNREACHABLE as error:
            raise StorageUnavailable(f"blob storage {self.url} is unreachable ({type(error).__name__})") from error

    def __repr__(self) -> str:
        return f"GcsBlobStorage({self.url!r})"

    @property
    def url(self) -> str:
        return f"gs://{self._bucket.name}/{self._root}".rstrip("/")

    def _blob(self, key: str) -> storage.Blob:
        return self._bucket.blob(self._root + validate_key(key))

    def put_bytes(
        self, key: str, data: BlobData, content_type: str | None = None, progress: Progress | None = None
    ) -> BlobInfo:
        """Store ``data``; chunked data is spooled first so a failing producer uploads nothing.

        With ``progress`` the upload is resumable, in :data:`PROGRESS_CHUNK_BYTES` chunks, each reported once the
        service has it; the object still appears only when its last chunk is in.
        """
        blob = self._blob(key)
        if isinstance(data, (bytes, bytearray, memoryview)) and progress is None:
            with self._reaching():
                blob.upload_from_string(
                    bytes(data), content_type=content_type or "application/octet-stream", retry=self._retry
                )
            return _info(key, blob)
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY_BYTES) as spool:
            write_chunks(spool, data)
            spool.seek(0)
            if progress is not None:
                blob.chunk_size = PROGRESS_CHUNK_BYTES
            with self._reaching():
                blob.upload_from_file(
                    spool if progress is None else _ReportedReads(spool, progress),
                    content_type=content_type,
                    retry=self._retry,
                )
        if progress is not None:
            progress(blob.size)
        return _info(key, blob)

    def put_file(self, key: str, path: Path | str, content_type: str | None = None) -> BlobInfo:
        blob = self._blob(key)
        with self._reaching():
            blob.upload_from_filename(str(path), content_type=content_type, retry=self._retry)
        return _info(key, blob)

    def get_bytes(self, key: str) -> bytes:
        try:
            with self._reaching():
                return self._blob(key).download_as_bytes(retry=self._retry)
        except NotFound as error:
            raise BlobNotFound(key, self.url) from error

    def download(self, key: str, path: Path | str) -> Path:
        destination = Path(path)
        blob = self._blob(key)
        try:
            with self._reaching(), atomic_write(destination) as target:
                blob.download_to_file(target, retry=self._retry)
        except NotFound as error:
            raise BlobNotFound(key, self.url) from error
        return destination

    def exists(self, key: str) -> bool:
        with self._reaching():
            return self._blob(key).exists(retry=self._retry)

    def delete(self, key: str) -> None:
        try:
            with self._reaching():
                self._blob(key).delete(retry=self._retry)
        except NotFound:
            pass

    def stat(self, key: str) -> BlobInfo:
        with self._reaching():
            blob = self._bucket.get_blob(self._root + validate_key(key), retry=self._retry)
        if blob is None:
            raise BlobNotFound(key, self.url)
        return _info(key, blob)

    def uri(self, key: str) -> str:
        return f"gs://{self._bucket.name}/{self._root}{validate_key(key)}"

    def list(self, prefix: str = "", start_after: str | None = None, limit: int | None = None) -> Iterator[BlobInfo]:
        return limit_listing(self._list(validate_prefix(prefix), start_after, limit), limit)

    def _list(self, prefix: str, start_after: str | None, limit: int | None) -> Iterator[BlobInfo]:
        """List from the cursor on; ``start_offset`` is inclusive, so the cursor itself is skipped here.

        Keys are also compared client-side because not every emulator honours
        ``start_offset``.
        """
        blobs = self._client.list_blobs(
            self._bucket,
            prefix=self._root + prefix,
            start_offset=None if start_after is None else self._root + start_after,
            page_size=None if limit is None else limit + 1,
            retry=self._retry,
        )
        with self._reaching():
            for blob in blobs:
                key = blob.name[len(self._root) :]
                if (start_after is None or key > start_after) and _is_key(key):
                    yield _info(key, blob)
