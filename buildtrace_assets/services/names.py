"""Rules every name a person gives (a drawing's, an uploaded file's) must meet before it reaches the database or a key.

A name that breaks them is refused with :class:`InvalidInput` (a 422 in the
API, exit code 2 in the CLI, a message in the portal) instead of failing
deeper down: PostgreSQL rejects NUL in text, a local file system rejects path
segments over 255 bytes, and the storage layer reserves the
:data:`~buildtrace_assets.storage.keys.TEMP_PREFIX` of its in-flight writes.
"""

from __future__ import annotations

from buildtrace_assets.services.errors import InvalidInput
from buildtrace_assets.storage.keys import TEMP_PREFIX

MAX_SEGMENT_BYTES = 255
"""Longest file or folder name (UTF-8) local file systems accept; a drawing name is one folder of its files' keys."""


def check_name(name: str, what: str, max_characters: int) -> str:
    """``name`` unchanged when it has no control characters, no reserved prefix and fits; else :class:`InvalidInput`.

    ``what`` names the name in the message ("drawing name", "file name").
    """
    if not name.isprintable():
        raise InvalidInput(f"{what} {name!r} must not contain control characters")
    if name.startswith(TEMP_PREFIX):
        raise InvalidInput(f"{what} must not start with {TEMP_PREFIX!r}, which is reserved for temporary files")
    if len(name) > max_characters or len(name.encode()) > MAX_SEGMENT_BYTES:
        raise InvalidInput(f"{what} must have at most {max_characters} characters ({MAX_SEGMENT_BYTES} bytes in UTF-8)")
    return name
