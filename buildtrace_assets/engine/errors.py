"""Typed failures of the engine.

Callers (CLI, Dagster assets, portal) tell a user's bad file apart from a bug
by type alone: a :class:`BadInputError` is the file's fault and its message is
one line meant for the person who uploaded it.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of every failure the engine raises on purpose."""


class BadInputError(EngineError):
    """The input cannot be used: missing, unsupported, corrupt, encrypted, too large, ..."""


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
