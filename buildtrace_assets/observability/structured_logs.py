"""Log lines as JSON (``BUILDTRACE_LOG_FORMAT=json``) for the cluster's log collector, readable text otherwise.

Each JSON line carries the timestamp, level, logger and message plus the ids an operator searches by: the job,
the drawing version and the Dagster run a pipeline step works for (set with :func:`log_context`), and the id of
the current trace, so a log line leads to its trace and back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

from opentelemetry import trace

LogFormat = Literal["text", "json"]
CONTEXT_FIELDS = ("job_id", "drawing_version_id", "run_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_CONTEXT: ContextVar[dict[str, str]] = ContextVar("buildtrace_log_context", default={})  # noqa: B039 - never mutated


@contextmanager
def log_context(**ids: str | None) -> Iterator[None]:
    """Add ``ids`` (of :data:`CONTEXT_FIELDS`) to every log line written inside the block, in this thread."""
    token = _CONTEXT.set({**_CONTEXT.get(), **{key: value for key, value in ids.items() if value}})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record; ids missing from the context are null, so every line has the same keys."""

    def format(self, record: logging.LogRecord) -> str:
        ids = _CONTEXT.get()
        span_context = trace.get_current_span().get_span_context()
        line = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **{field: ids.get(field) for field in CONTEXT_FIELDS},
            "trace_id": format(span_context.trace_id, "032x") if span_context.is_valid else None,
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def formatter(log_format: LogFormat) -> logging.Formatter:
    return JsonLineFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(log_format: LogFormat, level: int = logging.INFO) -> logging.Handler:
    """Send the root logger's records to stderr in ``log_format``; replaces a handler an earlier call installed."""
    root = logging.getLogger()
    for handler in [handler for handler in root.handlers if getattr(handler, "buildtrace", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    handler.buildtrace = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler
