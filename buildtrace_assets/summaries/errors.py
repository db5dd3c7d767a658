"""Typed failures of summarization, so callers can tell bad input from a failing model."""

from __future__ import annotations


class SummaryError(Exception):
    """Base class of every summarization failure."""


class InvalidChangesError(SummaryError, ValueError):
    """The change document is not a readable ``buildtrace.changes/v1`` document."""


class SummarizerError(SummaryError):
    """The summarizer could not produce a summary (model unreachable, refused or answered off-schema)."""

    def __init__(self, reason: str, attempts: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
