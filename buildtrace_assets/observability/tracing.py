"""OpenTelemetry traces: one trace per uploaded version, from its HTTP request to its stored summary.

An upload through the API starts at the request's server span (:mod:`.http_traces`), and the version's
registration span is its child. The hop from an upload to the pipeline goes through the database (the outbox of
pipeline requests), not through a call that could carry a trace header, so the registration span's W3C
``traceparent`` is stored with the analysis request. An upload without a request span (portal, CLI, a file
dropped in the bucket) gets a trace named after the version it registers: its trace id is the version's UUID and
its root span id the UUID's low 64 bits, which is also where a sensor looks when a request stores no context.
The sensor that turns a request into a run opens its span under the upload's span (for a comparison: that of the
job's new version) and writes its own context into the run's tags (:data:`TRACE_TAG`); every step span is a
child of it.

Spans are exported over OTLP/HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set; otherwise no provider is installed
and every span is a no-op; the SDK is then never imported (a tenth of a second of every command's start).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACE_TAG = "buildtrace/traceparent"
"""Run tag carrying the W3C ``traceparent`` of the sensor span that asked for the run."""
OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
TRACER_NAME = "buildtrace"
_LOW_64 = 2**64 - 1
_PROPAGATOR = TraceContextTextMapPropagator()
_ROOT_IDS: ContextVar[int | None] = ContextVar("buildtrace_root_ids", default=None)

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.sdk.trace.id_generator import IdGenerator


def _version_root_ids() -> IdGenerator:
    """Random ids, except for the root span of an upload, whose ids are derived from its version id."""
    from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

    class VersionRootIds(RandomIdGenerator):
        def generate_trace_id(self) -> int:
            seed = _ROOT_IDS.get()
            return seed if seed is not None else super().generate_trace_id()

        def generate_span_id(self) -> int:
            seed = _ROOT_IDS.get()
            return (seed & _LOW_64) or 1 if seed is not None else super().generate_span_id()

    return VersionRootIds()


_installed: TracerProvider | None = None


def make_provider(service_name: str, exporter: SpanExporter | None = None) -> TracerProvider:
    """A provider exporting to ``exporter`` as spans end (tests), or in batches over OTLP/HTTP."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    resource = Resource.create({"service.name": service_name})
    provider = TracerProvider(resource=resource, id_generator=_version_root_ids())
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def configure_tracing(service_name: str) -> TracerProvider | None:
    """Export this process's spans over OTLP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set; otherwise none.

    OpenTelemetry allows one global provider per process, so this is called once, at start-up.
    """
    global _installed
    if not os.environ.get(OTLP_ENDPOINT):
        return None
    _installed = make_provider(service_name)
    trace.set_tracer_provider(_installed)
    return _installed


@contextmanager
def installed(provider: TracerProvider | None) -> Iterator[None]:
    """BuildTrace's spans go to ``provider`` inside the block (tests install one with an in-memory exporter)."""
    global _installed
    previous, _installed = _installed, provider
    try:
        yield
    finally:
        _installed = previous


def tracer() -> trace.Tracer:
    if _installed is not None:
        return _installed.get_tracer(TRACER_NAME)
    return trace.get_tracer(TRACER_NAME)


def _version_ids(version_id: str) -> tuple[int, int]:
    seed = uuid.UUID(version_id).int
    return seed, (seed & _LOW_64) or 1


def version_trace(version_id: str) -> Context:
    """The context whose spans belong to the trace of ``version_id``'s upload, as children of its root."""
    trace_id, span_id = _version_ids(version_id)
    root = SpanContext(trace_id, span_id, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
    return trace.set_span_in_context(NonRecordingSpan(root))


def record_upload(version_id: str, **attributes: Any) -> str | None:
    """The span of a version's registration (API, portal, CLI or a file dropped in the bucket); its
    ``traceparent``, None when it is not recorded.

    Under an HTTP request's span it is that span's child; otherwise it is the root of a trace named after the
    version.
    """
    parent = trace.get_current_span().get_span_context()
    token = None if parent.is_valid else _ROOT_IDS.set(uuid.UUID(version_id).int)
    try:
        span = tracer().start_span("upload", attributes={"buildtrace.drawing_version_id": version_id})
    finally:
        if token is not None:
            _ROOT_IDS.reset(token)
    span.set_attributes({f"buildtrace.{key}": value for key, value in attributes.items()})
    value = traceparent(trace.set_span_in_context(span)) if span.is_recording() else None
    span.end()
    return value


def traceparent(context: Context | None = None) -> str | None:
    """The W3C ``traceparent`` of the current span (or of ``context``'s), None when there is none."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, context=context)
    return carrier.get("traceparent")


def context_from_traceparent(value: str | None) -> Context | None:
    """The context a W3C ``traceparent`` names, None without one."""
    return _PROPAGATOR.extract({"traceparent": value}) if value else None


def context_from_tags(tags: Mapping[str, str]) -> Context | None:
    """The context a run's tags carry, None when the run was started without one (by hand in the Dagster UI)."""
    return context_from_traceparent(tags.get(TRACE_TAG))


@contextmanager
def span(name: str, context: Context | None = None, **attributes: Any) -> Iterator[Span]:
    """A span around the block, under ``context`` or the current span; an exception is recorded and re-raised."""
    with tracer().start_as_current_span(
        name, context=context, attributes={f"buildtrace.{key}": value for key, value in attributes.items()}
    ) as current:
        yield current


@contextmanager
def engine_stage(stage: str, **attributes: Any) -> Iterator[Span]:
    """A span of one comparison engine stage (load, render, align, diff, text, overlay)."""
    with span(f"engine.{stage}", **attributes) as current:
        yield current
