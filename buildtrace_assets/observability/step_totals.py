"""The step families as running totals: each finished stage execution is added once, then never read again.

Steps store what they measured on their stage execution row (:mod:`.steps`), so the figures reach the one
exporter whatever ran the step (a run worker next to it, or a pod of the Kubernetes executor). Aggregating every
execution at each scrape grew with the table (3.6 s on PostgreSQL, 6.7 s on SQLite at 400,000 executions), so
:func:`roll_up` adds the executions that finished since the last scrape to the rows of ``step_metric_totals`` (a
histogram's cumulative buckets, sum and count; a counter's total) and marks them ``rolled_up_at``; the partial
index on the executions not rolled up yet keeps finding them cheap. A scrape then reads a few hundred totals.

Totals only grow: deleting a job (its stages and executions cascade) no longer lowers a counter, as a counter
should behave. Changing a family's buckets needs its totals rebuilt (clear ``step_metric_totals`` for it and
``rolled_up_at`` everywhere; the next scrape adds everything again).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client.utils import floatToGoString
from sqlalchemy import Connection, Row, select, update
from sqlalchemy.dialects import postgresql, sqlite

from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import JobStage, StageExecution, StepMetricTotal

STEP_DURATION = "buildtrace_step_duration_seconds"
STEP_FAILURES = "buildtrace_step_failures"
ENGINE_SECONDS_PER_SHEET = "buildtrace_engine_seconds_per_sheet"
ENGINE_PEAK_MEMORY = "buildtrace_engine_peak_memory_bytes"
SHEETS_PER_JOB = "buildtrace_sheets_per_job"
SUMMARIZER_CALLS = "buildtrace_summarizer_calls"
SUMMARIZER_LATENCY = "buildtrace_summarizer_latency_seconds"
SUMMARIZER_TOKENS = "buildtrace_summarizer_tokens"

STEP_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 3600.0)
"""Pipeline step durations: seconds for a small set to an hour for a large one."""
PER_SHEET_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
MEMORY_BUCKETS = tuple(float(2**power) for power in range(27, 34))
SHEET_BUCKETS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0)
SUMMARIZER_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
ENDED = ("completed", "failed")
BATCH_SIZE = 5_000
"""Executions fetched per round trip when rolling up (migration 0011 adds every existing one)."""
_IDS_PER_UPDATE = 500


@dataclass(frozen=True)
class StepFamily:
    """A step family's name, help text and labels; a histogram has buckets, a counter has none."""

    name: str
    documentation: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] | None = None


FAMILIES = (
    StepFamily(
        STEP_DURATION,
        "Wall time of one stage execution (a step attempt), by stage and outcome.",
        ("stage", "outcome"),
        STEP_BUCKETS,
    ),
    StepFamily(STEP_FAILURES, "Stage executions that failed (retried or not), by stage.", ("stage",)),
    StepFamily(
        ENGINE_SECONDS_PER_SHEET,
        "Comparison engine time of a diff step divided by its sheets.",
        buckets=PER_SHEET_BUCKETS,
    ),
    StepFamily(
        ENGINE_PEAK_MEMORY,
        "Peak resident memory of the step process (or its render children) after a diff.",
        buckets=MEMORY_BUCKETS,
    ),
    StepFamily(SHEETS_PER_JOB, "Sheets in one job's comparison.", buckets=SHEET_BUCKETS),
    StepFamily(SUMMARIZER_CALLS, "Summarizer calls by model and outcome.", ("model", "outcome")),
    StepFamily(
        SUMMARIZER_LATENCY,
        "Time of one summarizer call (with its own retries), by model.",
        ("model",),
        SUMMARIZER_BUCKETS,
    ),
    StepFamily(SUMMARIZER_TOKENS, "Tokens the summarizer's model used, by model and kind.", ("model", "kind")),
)
FAMILY_TYPES = {family.name: "counter" if family.buckets is None else "histogram" for family in FAMILIES}
"""Each family and its Prometheus type (the dashboard test derives the sample names from it)."""
_BY_NAME = {family.name: family for family in FAMILIES}

Observation = tuple[str, tuple[str, ...], float]
"""A family, its label values, and a histogram's observed value or a counter's increment."""
Totals = Mapping[str, Mapping[tuple[str, ...], Mapping[str, float]]]
"""Family name → label values → sample (``le=<bound>``, ``sum``, ``count``, ``total``) → value."""


def observations(execution: Row[*tuple[Any, ...]]) -> Iterator[Observation]:
    """What one finished execution adds to the step families (its stage and status, and what the step measured)."""
    if execution.status in ENDED:
        outcome = "succeeded" if execution.status == "completed" else "failed"
        seconds = (execution.finished_at - execution.started_at).total_seconds()
        yield STEP_DURATION, (execution.stage, outcome), seconds
    if execution.status == "failed":
        yield STEP_FAILURES, (execution.stage,), 1.0
    if execution.engine_seconds is not None:
        yield ENGINE_SECONDS_PER_SHEET, (), execution.engine_seconds / (execution.sheets or 1)
    if execution.peak_memory_bytes is not None:
        yield ENGINE_PEAK_MEMORY, (), float(execution.peak_memory_bytes)
    if execution.sheets is not None:
        yield SHEETS_PER_JOB, (), float(execution.sheets)
    if execution.summarizer_seconds is not None:
        yield SUMMARIZER_LATENCY, (str(execution.summarizer_model),), execution.summarizer_seconds
    if execution.summarizer_model is not None:
        model = execution.summarizer_model
        yield SUMMARIZER_CALLS, (model, "error" if execution.summarizer_failed else "ok"), 1.0
        yield SUMMARIZER_TOKENS, (model, "prompt"), float(execution.prompt_tokens or 0)
        yield SUMMARIZER_TOKENS, (model, "completion"), float(execution.completion_tokens or 0)


def bucket_sample(bound: float) -> str:
    """The sample key of a histogram bucket, its bound written as Prometheus writes ``le``."""
    return f"le={floatToGoString(bound)}"


Increments = defaultdict[tuple[str, str, str], float]
"""What is added to each (family, labels as JSON, sample) total."""


def increments(executions: Sequence[Row[*tuple[Any, ...]]], added: Increments) -> None:
    """Add what ``executions`` observed to ``added``."""
    for execution in executions:
        for name, labels, value in observations(execution):
            key = json.dumps(labels)
            buckets = _BY_NAME[name].buckets
            if buckets is None:
                added[name, key, "total"] += value
                continue
            added[name, key, "sum"] += value
            added[name, key, "count"] += 1
            for bound in buckets:
                if value <= bound:
                    added[name, key, bucket_sample(bound)] += 1


_NOT_ROLLED_UP = (
    select(
        StageExecution.id,
        JobStage.stage,
        StageExecution.status,
        StageExecution.started_at,
        StageExecution.finished_at,
        StageExecution.engine_seconds,
        StageExecution.sheets,
        StageExecution.peak_memory_bytes,
        StageExecution.summarizer_model,
        StageExecution.summarizer_seconds,
        StageExecution.summarizer_failed,
        StageExecution.prompt_tokens,
        StageExecution.completion_tokens,
    )
    .join(JobStage, JobStage.id == StageExecution.stage_id)
    .where(StageExecution.rolled_up_at.is_(None), StageExecution.finished_at.is_not(None))
    # Two exporters scraping at once (PostgreSQL) each take rows the other has not locked: none is added twice.
    .with_for_update(of=StageExecution, skip_locked=True)
)


def _add(connection: Connection, added: Increments) -> None:
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(StepMetricTotal)
    statement = statement.on_conflict_do_update(
        index_elements=[StepMetricTotal.family, StepMetricTotal.labels, StepMetricTotal.sample],
        set_={"value": StepMetricTotal.value + statement.excluded.value},
    )
    connection.execute(
        statement,
        [
            {"family": family, "labels": labels, "sample": sample, "value": value}
            for (family, labels, sample), value in added.items()
        ],
    )


def roll_up(connection: Connection, batch_size: int = BATCH_SIZE) -> int:
    """Add every finished execution not rolled up yet to the totals and mark it, in the caller's transaction;
    how many were added. Called at each scrape, and by migration 0011 for the executions that existed before.

    The executions are read in one pass (``batch_size`` rows a fetch) and marked by id afterwards: marking them
    between reads would leave their old index entries for every later read to step over.
    """
    added: Increments = defaultdict(float)
    ids: list[str] = []
    for executions in connection.execute(_NOT_ROLLED_UP.execution_options(yield_per=batch_size)).partitions():
        increments(executions, added)
        ids += [execution.id for execution in executions]
    if not ids:
        return 0
    _add(connection, added)
    now = utcnow()
    for start in range(0, len(ids), _IDS_PER_UPDATE):
        connection.execute(
            update(StageExecution)
            .where(StageExecution.id.in_(ids[start : start + _IDS_PER_UPDATE]))
            .values(rolled_up_at=now)
        )
    return len(ids)


def read_totals(connection: Connection) -> Totals:
    """Every total, by family, label values and sample."""
    totals: defaultdict[str, defaultdict[tuple[str, ...], dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    rows = connection.execute(
        select(StepMetricTotal.family, StepMetricTotal.labels, StepMetricTotal.sample, StepMetricTotal.value)
    )
    for family, labels, sample, value in rows:
        totals[family][tuple(json.loads(labels))][sample] = value
    return totals
