"""The metrics BuildTrace processes export, in one place so the dashboard and the alert rules can be checked
against them.

Each process kind serves its own registry on ``/metrics`` (see ``docs/operations.md``): the API and the portal
their request metrics, the pipeline exporter the counts it reads from the database at scrape time plus what the
pipeline steps measured. Steps run in short-lived run-worker processes; with ``PROMETHEUS_MULTIPROC_DIR`` set
(prometheus_client's multiprocess mode) they write their samples to files the exporter aggregates.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
"""Request latency buckets: fine below the 300 ms read target, coarse for uploads."""
STEP_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 3600.0)
"""Pipeline step durations: seconds for a small set to an hour for a large one."""

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

STEP_DURATION = Histogram(
    "buildtrace_step_duration_seconds",
    "Wall time of one pipeline step attempt, by stage and outcome.",
    ["stage", "outcome"],
    buckets=STEP_BUCKETS,
)
STEP_FAILURES = Counter("buildtrace_step_failures", "Pipeline step attempts that raised, by stage.", ["stage"])
ENGINE_SECONDS_PER_SHEET = Histogram(
    "buildtrace_engine_seconds_per_sheet",
    "Comparison engine time of a diff step divided by its sheets.",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0),
)
ENGINE_PEAK_MEMORY = Histogram(
    "buildtrace_engine_peak_memory_bytes",
    "Peak resident memory of the process after a diff step.",
    buckets=tuple(float(2**power) for power in range(27, 34)),
)
SHEETS_PER_JOB = Histogram(
    "buildtrace_sheets_per_job", "Sheets in one job's comparison.", buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500)
)
SUMMARIZER_CALLS = Counter(
    "buildtrace_summarizer_calls", "Summarizer calls by model and outcome.", ["model", "outcome"]
)
SUMMARIZER_LATENCY = Histogram(
    "buildtrace_summarizer_latency_seconds",
    "Time of one summarizer call (with its own retries), by model.",
    ["model"],
    buckets=(0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
)
SUMMARIZER_TOKENS = Counter(
    "buildtrace_summarizer_tokens", "Tokens the summarizer's model used, by model and kind.", ["model", "kind"]
)
