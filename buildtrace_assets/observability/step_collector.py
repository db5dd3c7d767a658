"""What pipeline steps measured, served from the step totals at scrape time.

Each scrape first rolls up the stage executions that finished since the last one (:func:`.step_totals.roll_up`,
usually a handful), then reads the totals back as the step histograms and counters: the cost of a scrape no
longer grows with the number of executions kept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.observability.step_totals import (
    FAMILIES,
    FAMILY_TYPES,
    StepFamily,
    Totals,
    bucket_sample,
    read_totals,
    roll_up,
)

__all__ = ["FAMILY_TYPES", "StepCollector"]
logger = logging.getLogger(__name__)


def _family(family: StepFamily, totals: Totals) -> Metric:
    series = sorted(totals.get(family.name, {}).items())
    if family.buckets is None:
        counter = CounterMetricFamily(family.name, family.documentation, labels=list(family.labels))
        for labels, samples in series:
            counter.add_metric(list(labels), samples.get("total", 0.0))
        return counter
    histogram = HistogramMetricFamily(family.name, family.documentation, labels=list(family.labels))
    for labels, samples in series:
        buckets = [(floatToGoString(bound), samples.get(bucket_sample(bound), 0.0)) for bound in family.buckets]
        histogram.add_metric(list(labels), [*buckets, ("+Inf", samples.get("count", 0.0))], samples.get("sum", 0.0))
    return histogram


class StepCollector(Collector):
    """Stage durations and failures, engine time, memory and sheets of diffs, summarizer calls, latency, tokens."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def describe(self) -> Iterator[Metric]:
        for name, kind in FAMILY_TYPES.items():
            yield HistogramMetricFamily(name, name) if kind == "histogram" else CounterMetricFamily(name, name)

    def collect(self) -> Iterator[Metric]:
        try:
            with self._session_factory.begin() as session:
                connection = session.connection()
                roll_up(connection)
                totals = read_totals(connection)
        except SQLAlchemyError as error:
            logger.warning("metrics: step figures unreadable, the app database did not answer: %s", error)
            return
        for family in FAMILIES:
            yield _family(family, totals)
