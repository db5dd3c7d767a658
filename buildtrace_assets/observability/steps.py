"""What a pipeline step measures about itself: duration and failures by stage, engine time and memory per
sheet, summarizer calls; and the step's span, a child of the sensor span whose context the run's tags carry."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry.trace import Span

from buildtrace_assets.observability import tracing
from buildtrace_assets.observability.metrics import (
    ENGINE_PEAK_MEMORY,
    ENGINE_SECONDS_PER_SHEET,
    SHEETS_PER_JOB,
    STEP_DURATION,
    STEP_FAILURES,
    SUMMARIZER_CALLS,
    SUMMARIZER_LATENCY,
    SUMMARIZER_TOKENS,
)
from buildtrace_assets.observability.structured_logs import log_context
from buildtrace_assets.summaries.schema import TokenUsage


@contextmanager
def observed_step(
    stage: str,
    run_tags: Mapping[str, str],
    run_id: str,
    *,
    job_id: str | None = None,
    drawing_version_id: str | None = None,
) -> Iterator[Span]:
    """Time the step, count it when it raises, and trace and log it under the run's ids."""
    started = time.perf_counter()
    outcome = "failed"
    with (
        log_context(job_id=job_id, drawing_version_id=drawing_version_id, run_id=run_id),
        tracing.span(
            f"step.{stage}",
            tracing.context_from_tags(run_tags),
            job_id=job_id or "",
            drawing_version_id=drawing_version_id or "",
            run_id=run_id,
        ) as span,
    ):
        try:
            yield span
            outcome = "succeeded"
        except BaseException:
            STEP_FAILURES.labels(stage).inc()
            raise
        finally:
            STEP_DURATION.labels(stage, outcome).observe(time.perf_counter() - started)


def peak_memory_bytes() -> int:
    """Peak resident memory of this process or of any child it waited for (the engine renders in children)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) * 1024


def record_comparison(engine_seconds: float, sheets: int) -> None:
    """A diff step's engine time per sheet, its sheets and the peak memory it reached."""
    SHEETS_PER_JOB.observe(sheets)
    ENGINE_SECONDS_PER_SHEET.observe(engine_seconds / max(sheets, 1))
    ENGINE_PEAK_MEMORY.observe(peak_memory_bytes())


@contextmanager
def summarizer_call(model: str) -> Iterator[Span]:
    """Count, time and trace one summarizer call; its tokens are added by :func:`count_tokens`."""
    started = time.perf_counter()
    with tracing.span("summarizer", model=model) as span:
        try:
            yield span
        except Exception:
            SUMMARIZER_CALLS.labels(model, "error").inc()
            raise
        else:
            SUMMARIZER_CALLS.labels(model, "ok").inc()
        finally:
            SUMMARIZER_LATENCY.labels(model).observe(time.perf_counter() - started)


def count_tokens(model: str, usage: TokenUsage | None) -> None:
    if usage is None:
        return
    SUMMARIZER_TOKENS.labels(model, "prompt").inc(usage.prompt_tokens)
    SUMMARIZER_TOKENS.labels(model, "completion").inc(usage.completion_tokens)
