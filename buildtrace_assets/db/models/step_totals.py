"""Running totals of what finished stage executions measured: the step histograms and counters, rolled up.

The pipeline exporter serves the step families from these few rows instead of
aggregating every execution at each scrape (:mod:`buildtrace_assets.observability.step_totals`).
"""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from buildtrace_assets.db.base import Base


class StepMetricTotal(Base):
    """One sample of a step family: a histogram's cumulative bucket, sum or count, or a counter's total."""

    __tablename__ = "step_metric_totals"

    family: Mapped[str] = mapped_column(String(64), primary_key=True)
    labels: Mapped[str] = mapped_column(String(512), primary_key=True)
    """The label values in the family's label order, as a JSON array."""
    sample: Mapped[str] = mapped_column(String(32), primary_key=True)
    """``le=<bound>`` (cumulative, as Prometheus counts buckets), ``sum``, ``count``, or ``total`` of a counter."""
    value: Mapped[float] = mapped_column(Float)
