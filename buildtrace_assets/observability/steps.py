"""What a pipeline step measures about itself: engine time, sheets and peak memory of a diff, the summarizer call
of a summary; and the step's span, a child of the sensor span whose context the run's tags carry.

The figures are gathered in :class:`StepFigures` while the step runs and stored on its stage execution
(:func:`~buildtrace_assets.services.step_figures.record_step_figures`, called by the stage tracking), where the
pipeline exporter reads them at scrape time (:mod:`.step_collector`): a step pod of the Kubernetes executor
shares nothing with the exporter but the database.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from opentelemetry.trace import Span

from buildtrace_assets.observability import tracing
from buildtrace_assets.observability.structured_logs import log_context
from buildtrace_assets.summaries.schema import TokenUsage


@dataclass
class StepFigures:
    """What one step attempt measured; None where it measured nothing of that kind."""

    engine_seconds: float | None = None
    sheets: int | None = None
    peak_memory_bytes: int | None = None
    summarizer_model: str | None = None
    summarizer_seconds: float | None = None
    summarizer_failed: bool | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


_FIGURES: ContextVar[StepFigures | None] = ContextVar("buildtrace_step_figures", default=None)


def step_figures() -> StepFigures:
    """The figures of the step running in this context (a throwaway set outside a step: a CLI comparison)."""
    return _FIGURES.get() or StepFigures()


@contextmanager
def observed_step(
    stage: str,
    run_tags: Mapping[str, str],
    run_id: str,
    *,
    job_id: str | None = None,
    drawing_version_id: str | None = None,
) -> Iterator[Span]:
    """Gather the step's figures, and trace and log it under the run's ids."""
    token = _FIGURES.set(StepFigures())
    try:
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
            yield span
    finally:
        _FIGURES.reset(token)


def peak_memory_bytes() -> int:
    """Peak resident memory of this process or of any child it waited for (the engine renders in children)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) * 1024


def record_comparison(engine_seconds: float, sheets: int) -> None:
    """A diff step's engine time, its sheets and the peak memory it reached."""
    figures = step_figures()
    figures.engine_seconds, figures.sheets, figures.peak_memory_bytes = engine_seconds, sheets, peak_memory_bytes()


@contextmanager
def summarizer_call(model: str) -> Iterator[Span]:
    """Time and trace one summarizer call, and note whether it raised; its tokens are added by
    :func:`count_tokens`."""
    figures = step_figures()
    figures.summarizer_model, figures.summarizer_failed = model, True
    started = time.perf_counter()
    with tracing.span("summarizer", model=model) as span:
        try:
            yield span
            figures.summarizer_failed = False
        finally:
            figures.summarizer_seconds = time.perf_counter() - started


def count_tokens(usage: TokenUsage | None) -> None:
    if usage is None:
        return
    figures = step_figures()
    figures.prompt_tokens, figures.completion_tokens = usage.prompt_tokens, usage.completion_tokens
