"""What pipeline steps measured, read from their stage executions at scrape time.

Steps store their figures on the database row of their stage execution (:mod:`.steps`), so the figures reach
Prometheus from the one exporter whatever ran the step: a run worker on the exporter's machine, or a pod of the
Kubernetes executor that shares nothing with it. Histograms are rebuilt from the rows by one aggregate query each
(a ``SUM(CASE ...)`` per bucket); counters are counts and sums. Like any counter they only grow while rows are
kept: deleting a job (its stages cascade) lowers them, which Prometheus's ``rate`` treats as a reset.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString
from sqlalchemy import ColumnElement, Float, Select, case, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from buildtrace_assets.db.models import JobStage, StageExecution

logger = logging.getLogger(__name__)
STEP_DURATION = "buildtrace_step_duration_seconds"
STEP_FAILURES = "buildtrace_step_failures"
ENGINE_SECONDS_PER_SHEET = "buildtrace_engine_seconds_per_sheet"
ENGINE_PEAK_MEMORY = "buildtrace_engine_peak_memory_bytes"
SHEETS_PER_JOB = "buildtrace_sheets_per_job"
SUMMARIZER_CALLS = "buildtrace_summarizer_calls"
SUMMARIZER_LATENCY = "buildtrace_summarizer_latency_seconds"
SUMMARIZER_TOKENS = "buildtrace_summarizer_tokens"
FAMILY_TYPES = {
    STEP_DURATION: "histogram",
    STEP_FAILURES: "counter",
    ENGINE_SECONDS_PER_SHEET: "histogram",
    ENGINE_PEAK_MEMORY: "histogram",
    SHEETS_PER_JOB: "histogram",
    SUMMARIZER_CALLS: "counter",
    SUMMARIZER_LATENCY: "histogram",
    SUMMARIZER_TOKENS: "counter",
}
"""Each family and its Prometheus type (the dashboard test derives the sample names from it)."""

STEP_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 3600.0)
"""Pipeline step durations: seconds for a small set to an hour for a large one."""
PER_SHEET_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
MEMORY_BUCKETS = tuple(float(2**power) for power in range(27, 34))
SHEET_BUCKETS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0)
SUMMARIZER_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
ENDED = ("completed", "failed")


class _SecondsBetween(FunctionElement[float]):
    """Seconds from the first timestamp to the second, in the dialect's own date arithmetic."""

    type = Float()
    inherit_cache = True


@compiles(_SecondsBetween, "postgresql")
def _postgres_seconds(element: _SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(_SecondsBetween, "sqlite")
def _sqlite_seconds(element: _SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


def _histogram(
    session: Session,
    name: str,
    documentation: str,
    value: ColumnElement[Any] | QueryableAttribute[Any],
    buckets: Sequence[float],
    labels: dict[str, ColumnElement[Any] | QueryableAttribute[Any]],
    query: Select[Any],
) -> HistogramMetricFamily:
    """A histogram of ``value`` over the rows of ``query`` (joined and filtered), one series per label set."""
    keys = list(labels.values())
    counts = [func.sum(case((value <= bound, 1), else_=0)) for bound in buckets]
    rows = session.execute(
        query.with_only_columns(*keys, func.count(), func.coalesce(func.sum(value), 0.0), *counts)
        .where(value.is_not(None))
        .group_by(*keys)
    )
    family = HistogramMetricFamily(name, documentation, labels=list(labels))
    for row in rows:
        label_values, (count, total), cumulative = (
            row[: len(keys)],
            row[len(keys) : len(keys) + 2],
            row[len(keys) + 2 :],
        )
        family.add_metric(
            [str(label) for label in label_values],
            [(floatToGoString(bound), float(seen or 0)) for bound, seen in zip(buckets, cumulative, strict=True)]
            + [("+Inf", float(count))],
            float(total),
        )
    return family


class StepCollector(Collector):
    """Stage durations and failures, engine time, memory and sheets of diffs, summarizer calls, latency, tokens."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def describe(self) -> Iterator[Metric]:
        for name, kind in FAMILY_TYPES.items():
            yield HistogramMetricFamily(name, name) if kind == "histogram" else CounterMetricFamily(name, name)

    def collect(self) -> Iterator[Metric]:
        try:
            with self._session_factory() as session:
                families = list(self._families(session))
        except SQLAlchemyError as error:
            logger.warning("metrics: step figures unreadable, the app database did not answer: %s", error)
            return
        yield from families

    def _families(self, session: Session) -> Iterator[Metric]:
        executions = select(StageExecution.id).join(JobStage, JobStage.id == StageExecution.stage_id)
        ended = executions.where(StageExecution.status.in_(ENDED), StageExecution.finished_at.is_not(None))
        outcome = case((StageExecution.status == "completed", "succeeded"), else_="failed")
        seconds = _SecondsBetween(StageExecution.started_at, StageExecution.finished_at)
        yield _histogram(
            session,
            STEP_DURATION,
            "Wall time of one stage execution (a step attempt), by stage and outcome.",
            seconds,
            STEP_BUCKETS,
            {"stage": JobStage.stage, "outcome": outcome},
            ended,
        )

        failures = CounterMetricFamily(
            STEP_FAILURES, "Stage executions that failed (retried or not), by stage.", labels=["stage"]
        )
        failed = executions.with_only_columns(JobStage.stage, func.count()).where(StageExecution.status == "failed")
        for stage, count in session.execute(failed.group_by(JobStage.stage)):
            failures.add_metric([stage], count)
        yield failures

        diffs = select(StageExecution.id)
        per_sheet = StageExecution.engine_seconds / func.coalesce(func.nullif(StageExecution.sheets, 0), 1)
        yield _histogram(
            session,
            ENGINE_SECONDS_PER_SHEET,
            "Comparison engine time of a diff step divided by its sheets.",
            per_sheet,
            PER_SHEET_BUCKETS,
            {},
            diffs,
        )
        yield _histogram(
            session,
            ENGINE_PEAK_MEMORY,
            "Peak resident memory of the step process (or its render children) after a diff.",
            StageExecution.peak_memory_bytes,
            MEMORY_BUCKETS,
            {},
            diffs,
        )
        yield _histogram(
            session, SHEETS_PER_JOB, "Sheets in one job's comparison.", StageExecution.sheets, SHEET_BUCKETS, {}, diffs
        )
        yield from self._summarizer(session)

    def _summarizer(self, session: Session) -> Iterator[Metric]:
        model = StageExecution.summarizer_model
        calls = CounterMetricFamily(
            SUMMARIZER_CALLS, "Summarizer calls by model and outcome.", labels=["model", "outcome"]
        )
        outcome = case((StageExecution.summarizer_failed.is_(True), "error"), else_="ok")
        by_outcome = select(model, outcome, func.count()).where(model.is_not(None)).group_by(model, outcome)
        for name, result, count in session.execute(by_outcome):
            calls.add_metric([name, result], count)
        yield calls

        yield _histogram(
            session,
            SUMMARIZER_LATENCY,
            "Time of one summarizer call (with its own retries), by model.",
            StageExecution.summarizer_seconds,
            SUMMARIZER_BUCKETS,
            {"model": model},
            select(StageExecution.id),
        )

        tokens = CounterMetricFamily(
            SUMMARIZER_TOKENS, "Tokens the summarizer's model used, by model and kind.", labels=["model", "kind"]
        )
        sums = select(
            model,
            func.coalesce(func.sum(StageExecution.prompt_tokens), 0),
            func.coalesce(func.sum(StageExecution.completion_tokens), 0),
        ).where(model.is_not(None))
        for name, prompt, completion in session.execute(sums.group_by(model)):
            tokens.add_metric([str(name), "prompt"], float(prompt or 0))
            tokens.add_metric([str(name), "completion"], float(completion or 0))
        yield tokens
