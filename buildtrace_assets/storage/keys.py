"""Blob keys: ``/``-separated relative paths that cannot escape the storage root.

The same rules apply to every backend, so a key accepted locally is accepted on
GCS and the other way round; code tested against the local store never meets a
surprise in the cluster.
"""

from __future__ import annotations

from buildtrace_assets.storage.errors import InvalidKey

TEMP_PREFIX = ".buildtrace-tmp-"
"""Name prefix of in-flight local writes; reserved so a listing can skip them."""

_FORBIDDEN_CHARACTERS = {"\\": "a backslash", "\x00": "a NUL character"}


def _check_segment(segment: str, key: str) -> None:
    if segment in ("", ".", ".."):
        raise InvalidKey(f"invalid key {key!r}: empty, '.' and '..' path segments are not allowed")
    if segment.startswith(TEMP_PREFIX):
        raise InvalidKey(f"invalid key {key!r}: names starting with {TEMP_PREFIX!r} are reserved")


def _check_characters(text: str, what: str) -> None:
    if not isinstance(text, str):
        raise InvalidKey(f"{what} must be a string, not {type(text).__name__}")
    for character, name in _FORBIDDEN_CHARACTERS.items():
        if character in text:
            raise InvalidKey(f"invalid {what} {text!r}: contains {name}")
    if text.startswith("/"):
        raise InvalidKey(f"invalid {what} {text!r}: must be relative (no leading '/')")


def validate_key(key: str) -> str:
    """Return ``key`` unchanged if it is a valid blob key, else raise :class:`InvalidKey`."""
    _check_characters(key, "key")
    if not key:
        raise InvalidKey("invalid key '': a key cannot be empty")
    for segment in key.split("/"):
        _check_segment(segment, key)
    return key


def validate_prefix(prefix: str) -> str:
    """Return ``prefix`` if it can start a valid key (``""``, ``uploads/``, ``uploads/pro``)."""
    _check_characters(prefix, "prefix")
    if prefix:
        *folders, last = prefix.split("/")
        for segment in folders:
            _check_segment(segment, prefix)
        if last in (".", ".."):
            raise InvalidKey(f"invalid prefix {prefix!r}: '.' and '..' path segments are not allowed")
    return prefix
