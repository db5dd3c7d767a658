"""Request metrics of a Flask app, by route template (``/api/v1/jobs/<job_id>``), never by raw path, so the
number of series stays bounded whatever URLs clients send."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, Response, g, request

from buildtrace_assets.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS, SIGN_IN_FAILURES

UNMATCHED_ROUTE = "unmatched"
"""Route label of requests no rule matched (404s of made-up paths)."""


def _start() -> None:
    g.buildtrace_request_started = time.perf_counter()


def _recorder(app_name: str, sign_in_route: str) -> Callable[[Response], Response]:
    def record(response: Response) -> Response:
        started = g.pop("buildtrace_request_started", None)
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
        HTTP_REQUESTS.labels(app_name, request.method, route, str(response.status_code)).inc()
        if started is not None:
            HTTP_LATENCY.labels(app_name, request.method, route).observe(time.perf_counter() - started)
        if route == sign_in_route and response.status_code in (401, 429):
            SIGN_IN_FAILURES.labels(app_name, "throttled" if response.status_code == 429 else "refused").inc()
        return response

    return record


def instrument_flask(app: Flask, app_name: str, sign_in_route: str) -> None:
    """Count and time every request; the clock starts before any other ``before_request`` (authentication) and
    stops after every ``after_request`` registered before this call."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _recorder(app_name, sign_in_route))


@contextmanager
def observed_page(app_name: str, route: str) -> Iterator[None]:
    """Count and time one run of a page that is not served by Flask (a Streamlit page): ``error`` when it raises,
    ``ok`` otherwise (Streamlit's stop and rerun are ways to end a run, not failures)."""
    started = time.perf_counter()
    status = "ok"
    try:
        yield
    except Exception:
        status = "error"
        raise
    finally:
        HTTP_REQUESTS.labels(app_name, "GET", route, status).inc()
        HTTP_LATENCY.labels(app_name, "GET", route).observe(time.perf_counter() - started)
