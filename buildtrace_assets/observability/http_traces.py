"""A server span per API request, so the trace of an upload starts at its HTTP request and the version's
registration span is its child.

A small pair of request hooks rather than ``opentelemetry-instrumentation-flask``: the instrumentation binds its
tracer provider when the app is built, while BuildTrace's spans go to whatever provider :mod:`.tracing` has
installed at the time of the request (tests install an in-memory one around the app they already built).
"""

from __future__ import annotations

from flask import Flask, Response, g, request
from opentelemetry import context, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from buildtrace_assets.observability import tracing
from buildtrace_assets.observability.http_metrics import UNMATCHED_ROUTE


def _start() -> None:
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
    span = tracing.tracer().start_span(
        f"{request.method} {route}",
        context=tracing.context_from_traceparent(request.headers.get("traceparent")),
        kind=SpanKind.SERVER,
        attributes={"http.request.method": request.method, "http.route": route, "url.path": request.path},
    )
    g.buildtrace_span = span
    g.buildtrace_span_token = context.attach(trace.set_span_in_context(span))


def _status(response: Response) -> Response:
    span = g.get("buildtrace_span")
    if span is not None:
        span.set_attribute("http.response.status_code", response.status_code)
        if response.status_code >= 500:
            span.set_status(Status(StatusCode.ERROR))
    return response


def _end(error: BaseException | None) -> None:
    span = g.pop("buildtrace_span", None)
    token = g.pop("buildtrace_span_token", None)
    if span is None:
        return
    if error is not None:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, str(error)))
    span.end()
    if token is not None:
        context.detach(token)


def trace_flask(app: Flask) -> None:
    """Open a server span before any other ``before_request`` (authentication) and end it when the request is
    torn down; a ``traceparent`` header the client sends makes it a child of the client's span."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _status)
    app.teardown_request_funcs.setdefault(None, []).append(_end)
