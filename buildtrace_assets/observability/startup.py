"""What every BuildTrace process does once at start: JSON logs when asked for, traces when an endpoint is set."""

from __future__ import annotations

import functools

from buildtrace_assets.observability.structured_logs import LogFormat, configure_logging
from buildtrace_assets.observability.tracing import configure_tracing


@functools.cache
def start_observability(service_name: str, log_format: LogFormat) -> None:
    """Once per process and name. Text logs keep each tool's own handlers (Dagster's, Streamlit's, click's
    messages), so only ``json`` installs a handler: then every line of the process is one JSON object."""
    if log_format == "json":
        configure_logging("json")
    configure_tracing(service_name)
