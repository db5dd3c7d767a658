"""All-or-nothing local file writes.

Both backends download into local files and the local backend stores blobs as
files, so one helper guarantees that an interrupted write never leaves a
partial file where a reader could find it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from buildtrace_assets.storage.base import PROGRESS_CHUNK_BYTES, BlobData, Progress
from buildtrace_assets.storage.keys import TEMP_PREFIX


def _fsync_directory(directory: Path) -> None:
    """Persist the rename itself, not just the file content, across a power loss."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def atomic_write(path: Path) -> Iterator[IO[bytes]]:
    """Yield a file that replaces ``path`` only if the ``with`` block completes.

    The temporary file lives in the target's directory (so ``os.replace`` is a
    rename on one file system) and carries the reserved :data:`TEMP_PREFIX`, so
    listings skip it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # Closed by the `with handle:` below; opened before the `try` so that the clean-up knows its name.
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=TEMP_PREFIX, delete=False)  # noqa: SIM115
    temporary = Path(handle.name)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def write_chunks(target: IO[bytes], data: BlobData, progress: Progress | None = None) -> int:
    """Write whole content or an iterable of chunks to ``target``; the number of bytes written.

    With ``progress``, whole content is written in :data:`PROGRESS_CHUNK_BYTES` pieces and the running total
    reported after each piece or chunk.
    """
    chunks: Iterable[bytes | memoryview]
    if isinstance(data, (bytes, bytearray, memoryview)):
        if progress is None:
            return target.write(data)
        view = memoryview(data).cast("B")
        chunks = (view[start : start + PROGRESS_CHUNK_BYTES] for start in range(0, len(view), PROGRESS_CHUNK_BYTES))
    else:
        chunks = data
    written = 0
    for chunk in chunks:
        written += target.write(chunk)
        if progress is not None:
            progress(written)
    return written
