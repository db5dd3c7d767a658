"""Typed failures of the engine.

Callers (CLI, Dagster assets, portal) tell a user's bad file apart from a bug
by type alone: a :class:`BadInputError` is the file's fault and its message is
one line meant for the person who uploaded it.
"""

from __future__ import annotations

import re

_OBJECT_REPR = re.compile(r"<[^<>\n]* at 0x[0-9a-fA-F]+>")
_FOLDERS_OF_ABSOLUTE_PATH = re.compile(r"(?<![\w.~])(?:/[^\s'\"/<>]+)+/(?=[^\s'\"/<>])")


def public_message(text: str) -> str:
    """``text`` without server internals, for a message the uploader reads.

    Libraries name what failed by its path (``Failed to open file
    '/tmp/buildtrace-upload-x1/upload'``) or by its repr (``<_io.BytesIO object
    at 0x7f...>``); neither means anything to the person who uploaded the file
    and both tell an attacker about the server. Absolute paths keep only their
    last segment; object reprs become "the file".
    """
    return _FOLDERS_OF_ABSOLUTE_PATH.sub("", _OBJECT_REPR.sub("the file", text))


class EngineError(Exception):
    """Base of every failure the engine raises on purpose."""


class BadInputError(EngineError):
    """The input cannot be used: missing, unsupported, corrupt, encrypted, too large, ..."""


class UnsupportedFormatError(BadInputError):
    """The content is not a PDF, PNG, JPEG, DXF or readable DWG, whatever the file's name says (or its header is
    damaged)."""


class TooManyPixelsError(BadInputError):
    """An image's header claims more pixels than the engine decodes: refused before decoding (decompression bomb)."""


class BadPageError(BadInputError):
    """One page of an otherwise usable document cannot be used; the rest of the set still is."""

    def __init__(self, page: int, reason: str) -> None:
        super().__init__(f"page {page + 1}: {reason}")
        self.page = page
        self.reason = reason


class AnalysisMismatchError(EngineError):
    """A stored document analysis was passed for a different file than the one compared."""


class OcrError(EngineError):
    """Tesseract failed or ran past its time limit on a page or region."""


class ContractError(EngineError):
    """A document does not follow ``buildtrace.changes/v1``."""
