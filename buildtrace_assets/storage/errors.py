"""Typed storage errors, so callers can tell a missing blob from a bad request."""

from __future__ import annotations


class BlobNotFound(KeyError):
    """No blob is stored under the key.

    A :class:`KeyError` so mapping-style callers (``except KeyError``) keep working.
    """

    def __init__(self, key: str, where: str) -> None:
        super().__init__(key)
        self.key = key
        self.where = where

    def __str__(self) -> str:
        return f"no blob {self.key!r} in {self.where}"


class InvalidKey(ValueError):
    """The key cannot name a blob: it could escape the storage root or is ambiguous."""


class StorageUnavailable(Exception):
    """The storage service cannot be reached (network down, service or emulator stopped): try again later.

    Raised instead of the client library's own connection errors, so callers
    (the API's 503, the portal's outage page) need not know any backend's
    exception types.
    """
