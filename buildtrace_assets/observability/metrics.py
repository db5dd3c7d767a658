"""The metrics BuildTrace processes export, in one place so the dashboard and the alert rules can be checked
against them.

Each process kind serves its own registry on ``/metrics`` (see ``docs/operations.md``): the API and the portal
their request metrics defined here, the pipeline exporter what it reads from the database at scrape time
(:mod:`.collector`), including what the pipeline steps measured and stored on their stage executions
(:mod:`.step_collector`).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
"""Request latency buckets: fine below the 300 ms read target, coarse for uploads."""

HTTP_REQUESTS = Counter(
    "buildtrace_http_requests",
    "HTTP requests (API) or page runs (portal) by route template and status.",
    ["app", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "buildtrace_http_request_duration_seconds",
    "Time to answer a request (API) or run a page (portal), by route template.",
    ["app", "method", "route"],
    buckets=LATENCY_BUCKETS,
)
SIGN_IN_FAILURES = Counter(
    "buildtrace_sign_in_failures", "Refused sign-ins (wrong password or throttled).", ["app", "reason"]
)
