"""Telling "a part we depend on is down" apart from a bug, so callers answer "try again later" instead of a crash.

The database (SQLAlchemy's ``OperationalError``, a connection the DBAPI
dropped, an exhausted pool) and blob storage (:class:`StorageUnavailable`)
can be unreachable for a while without anything being wrong with the request
or the code. The API answers 503 with ``Retry-After``, the portal a friendly
page; both log :func:`outage_line` (one line) rather than a traceback per
request, which during an outage would bury everything else in the log.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from buildtrace_assets.storage import StorageUnavailable

RETRY_AFTER_S = 30
"""Seconds a client is asked to wait before trying again (``Retry-After``)."""


def unavailable_part(error: BaseException) -> str | None:
    """``"database"`` or ``"blob storage"`` when ``error`` means that part is unreachable; None for anything else."""
    if isinstance(error, StorageUnavailable):
        return "blob storage"
    if isinstance(error, (OperationalError, PoolTimeout)):
        return "database"
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return "database"
    return None


def outage_line(part: str, error: BaseException) -> str:
    """One log line about the outage: the part and the first line of the driver's own message."""
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return f"{part} unavailable: {type(cause).__name__}: {first_line}"
