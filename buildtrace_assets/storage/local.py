"""Blob storage in a local directory: the default on a laptop and in tests.

Each blob is one file under the root, so a person can look at the data with
ordinary tools; writes go through :func:`atomic_write` so readers (and the
upload sensor) never see a half-written file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from buildtrace_assets.storage.atomic import atomic_write, write_chunks
from buildtrace_assets.storage.base import BlobData, BlobInfo, Progress, limit_listing
from buildtrace_assets.storage.errors import BlobNotFound, InvalidKey
from buildtrace_assets.storage.keys import TEMP_PREFIX, validate_key, validate_prefix


def _info(key: str, status: os.stat_result) -> BlobInfo:
    """Describe a blob from its file's metadata only: listings must not read contents."""
    return BlobInfo(
        key=key,
        size=status.st_size,
        updated=datetime.fromtimestamp(status.st_mtime, tz=UTC),
        etag=f"{status.st_ino:x}-{status.st_mtime_ns:x}-{status.st_size:x}",
    )


def _may_hold_listed_keys(folder: str, prefix: str, start_after: str | None) -> bool:
    """Whether any key under ``folder`` (ending in ``/``) can match the listing.

    Every key below ``folder`` starts with it, so unless the cursor lies inside
    the folder, comparing the folder with the cursor decides for all of them;
    this is what keeps a cursor listing from visiting old folders again.
    """
    if not (folder.startswith(prefix) or prefix.startswith(folder)):
        return False
    return start_after is None or start_after.startswith(folder) or folder > start_after


class LocalBlobStorage:
    """Blobs as files under ``root`` (created on the first write)."""

    def __init__(self, root: Path | str) -> None:
        root = Path(root)
        if not root.is_absolute():
            raise ValueError(f"local storage root must be an absolute path, not {str(root)!r}")
        self.root = root

    def __repr__(self) -> str:
        return f"LocalBlobStorage({str(self.root)!r})"

    @property
    def url(self) -> str:
        return self.root.as_uri()

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    @contextmanager
    def _writing(self, key: str) -> Iterator[Path]:
        """Report a key whose folder is a blob (or whose blob is a folder) as a bad key.

        Object stores allow ``a`` and ``a/b`` side by side; a file system does not.
        """
        path = self._path(key)
        try:
            yield path
        except (FileExistsError, NotADirectoryError, IsADirectoryError) as error:
            raise InvalidKey(f"cannot store {key!r} in {self.url}: a blob and a folder would share a name") from error

    def put_bytes(
        self, key: str, data: BlobData, content_type: str | None = None, progress: Progress | None = None
    ) -> BlobInfo:
        """Store ``data``; ``content_type`` is accepted for parity with GCS but files keep no metadata."""
        with self._writing(key) as path, atomic_write(path) as target:
            written = write_chunks(target, data, progress)
        if progress is not None:
            progress(written)
        return self.stat(key)

    def put_file(self, key: str, path: Path | str, content_type: str | None = None) -> BlobInfo:
        with open(path, "rb") as source, self._writing(key) as blob_path, atomic_write(blob_path) as target:
            shutil.copyfileobj(source, target)
        return self.stat(key)

    def _open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as error:
            raise BlobNotFound(key, self.url) from error

    def get_bytes(self, key: str) -> bytes:
        with self._open(key) as source:
            return source.read()

    def download(self, key: str, path: Path | str) -> Path:
        destination = Path(path)
        with self._open(key) as source, atomic_write(destination) as target:
            shutil.copyfileobj(source, target)
        return destination

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path.is_file():
            path.unlink(missing_ok=True)

    def stat(self, key: str) -> BlobInfo:
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(key, self.url)
        return _info(key, path.stat())

    def uri(self, key: str) -> str:
        return self._path(key).as_uri()

    def list(self, prefix: str = "", start_after: str | None = None, limit: int | None = None) -> Iterator[BlobInfo]:
        return limit_listing(self._walk(self.root, "", validate_prefix(prefix), start_after), limit)

    def _walk(self, directory: Path | str, folder: str, prefix: str, start_after: str | None) -> Iterator[BlobInfo]:
        """Yield the blobs below ``directory`` in key order.

        Folders sort by their name plus ``/`` and files by their name, which puts
        every entry exactly where its keys belong in the overall key order.
        """
        try:
            with os.scandir(directory) as scan:
                entries = [entry for entry in scan if not entry.name.startswith(TEMP_PREFIX)]
        except (FileNotFoundError, NotADirectoryError):
            return
        named = sorted(
            (folder + entry.name + ("/" if entry.is_dir(follow_symlinks=False) else ""), entry) for entry in entries
        )
        for name, entry in named:
            if name.endswith("/"):
                if _may_hold_listed_keys(name, prefix, start_after):
                    yield from self._walk(entry.path, name, prefix, start_after)
            elif (
                name.startswith(prefix)
                and (start_after is None or name > start_after)
                and entry.is_file(follow_symlinks=False)
            ):
                yield _info(name, entry.stat(follow_symlinks=False))
