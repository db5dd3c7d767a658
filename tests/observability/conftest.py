"""Fixtures of the operations tests: the pipeline's test world, and spans caught in memory.

- ``spans``: BuildTrace's spans of the test, exported to an in-memory exporter (``spans.get_finished_spans()``).
- ``world``, ``instance``, ``revision_pair``: see ``pipeline/world.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pipeline.world import instance, revision_pair, world  # noqa: F401

from buildtrace_assets.observability import tracing


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = tracing.make_provider("buildtrace-test", exporter)
    with tracing.installed(provider):
        yield exporter
    provider.shutdown()
