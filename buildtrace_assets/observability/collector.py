"""The pipeline's state as Prometheus reads it: counts kept in the app database, and the sensors' last ticks.

Read at scrape time, one query per family, each an aggregate over an indexed or small table (measured at 100k
jobs by ``python -m bench.observability``). When the database or the Dagster API does not answer, the
``*_up`` gauge says 0 and the families that depend on it are left out: the endpoint still answers, and an
alert on ``up == 0`` replaces the missing series.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import ChangeSummary, Job, JobStage, PipelineRequest
from buildtrace_assets.observability.dagster_api import DagsterApiError, sensor_last_ticks

logger = logging.getLogger(__name__)
DATABASE_UP = "buildtrace_database_up"
COLLECTOR_SECONDS = "buildtrace_collector_seconds"
JOBS = "buildtrace_jobs"
JOBS_OLDEST_WAITING = "buildtrace_jobs_oldest_waiting_age_seconds"
JOBS_FINISHED_RECENTLY = "buildtrace_jobs_finished_recently"
JOB_STAGES = "buildtrace_job_stages"
PIPELINE_REQUESTS = "buildtrace_pipeline_requests"
REQUESTS_OLDEST_WAITING = "buildtrace_pipeline_requests_oldest_waiting_age_seconds"
CHANGE_SUMMARIES = "buildtrace_change_summaries"
DAGSTER_UP = "buildtrace_dagster_up"
SENSOR_LAST_TICK = "buildtrace_sensor_last_tick_timestamp_seconds"
WAITING_REQUESTS = ("pending", "queued")
"""Request states in which work waits for the pipeline: no run yet, or a run Dagster has not started."""
RECENT = timedelta(hours=1)
"""Window of ``buildtrace_jobs_finished_recently``: the failure ratio alert reads the last hour's outcomes."""


def declared(families: tuple[str, ...]) -> Iterator[Metric]:
    """What a collector's ``describe`` gives the registry: its family names, so a clash is caught at start."""
    for name in families:
        yield GaugeMetricFamily(name, name)


def _age_seconds(oldest: datetime | None, now: datetime) -> float:
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0


class DatabaseCollector(Collector):
    """Jobs, job stages, pipeline requests and summaries by state, from the app database."""

    FAMILIES = (
        DATABASE_UP,
        COLLECTOR_SECONDS,
        JOBS,
        JOBS_OLDEST_WAITING,
        JOBS_FINISHED_RECENTLY,
        JOB_STAGES,
        PIPELINE_REQUESTS,
        REQUESTS_OLDEST_WAITING,
        CHANGE_SUMMARIES,
    )

    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime] = utcnow) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def describe(self) -> Iterator[Metric]:
        return declared(self.FAMILIES)

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(DATABASE_UP, "1 when the app database answered the last scrape.")
        started = time.perf_counter()
        try:
            with self._session_factory() as session:
                families = list(self._families(session, self._clock()))
        except SQLAlchemyError as error:
            logger.warning("metrics: the app database did not answer: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families
        seconds = GaugeMetricFamily(COLLECTOR_SECONDS, "Time the database collector took.")
        seconds.add_metric([], time.perf_counter() - started)
        yield seconds

    def _families(self, session: Session, now: datetime) -> Iterator[Metric]:
        jobs = GaugeMetricFamily(JOBS, "Comparison jobs by status.", labels=["status"])
        for status, count in session.execute(select(Job.status, func.count()).group_by(Job.status)):
            jobs.add_metric([status], count)
        yield jobs

        waiting = GaugeMetricFamily(JOBS_OLDEST_WAITING, "Age of the oldest job no run has started (0: none).")
        oldest = session.scalar(select(func.min(Job.created_at)).where(Job.status == "pending"))
        waiting.add_metric([], _age_seconds(oldest, now))
        yield waiting

        finished = GaugeMetricFamily(
            JOBS_FINISHED_RECENTLY,
            f"Jobs that completed or failed in the last {int(RECENT.total_seconds())} s, by status.",
            labels=["status"],
        )
        recent = (
            select(Job.status, func.count())
            .where(Job.status.in_(("completed", "failed")), Job.completed_at >= now - RECENT)
            .group_by(Job.status)
        )
        counts = dict.fromkeys(("completed", "failed"), 0) | dict(session.execute(recent).all())
        for status, count in counts.items():
            finished.add_metric([status], count)
        yield finished

        stages = GaugeMetricFamily(
            JOB_STAGES,
            "Job stages by stage and status (failed: why jobs fail).",
            labels=["stage", "status"],
        )
        by_stage = select(JobStage.stage, JobStage.status, func.count()).group_by(JobStage.stage, JobStage.status)
        for stage, status, count in session.execute(by_stage):
            stages.add_metric([stage, status], count)
        yield stages

        requests = GaugeMetricFamily(
            PIPELINE_REQUESTS, "Pipeline requests (analyze, compare) by state.", labels=["kind", "status"]
        )
        request_age = GaugeMetricFamily(
            REQUESTS_OLDEST_WAITING,
            "Age of the oldest request waiting for its run to start, by kind and state.",
            labels=["kind", "status"],
        )
        by_state = select(
            PipelineRequest.kind,
            PipelineRequest.status,
            func.count(),
            func.min(PipelineRequest.created_at),
        ).group_by(PipelineRequest.kind, PipelineRequest.status)
        for kind, status, count, first in session.execute(by_state):
            requests.add_metric([kind, status], count)
            if status in WAITING_REQUESTS:
                request_age.add_metric([kind, status], _age_seconds(first, now))
        yield requests
        yield request_age

        summaries = GaugeMetricFamily(
            CHANGE_SUMMARIES, "Stored summaries by model and source.", labels=["model", "source"]
        )
        by_model = select(ChangeSummary.model, ChangeSummary.source, func.count()).group_by(
            ChangeSummary.model, ChangeSummary.source
        )
        for model, source, count in session.execute(by_model):
            summaries.add_metric([model or "none", source], count)
        yield summaries


class SensorCollector(Collector):
    """Each running sensor's last tick, from the Dagster webserver's GraphQL API."""

    FAMILIES = (DAGSTER_UP, SENSOR_LAST_TICK)

    def __init__(self, graphql_url: str, timeout_s: float) -> None:
        self._url = graphql_url
        self._timeout_s = timeout_s

    def describe(self) -> Iterator[Metric]:
        return declared(self.FAMILIES)

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(DAGSTER_UP, "1 when the Dagster API answered the last scrape.")
        try:
            ticks = sensor_last_ticks(self._url, self._timeout_s)
        except DagsterApiError as error:
            logger.warning("metrics: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        last = GaugeMetricFamily(
            SENSOR_LAST_TICK,
            "Unix time of each running sensor's last tick (0: never ticked).",
            labels=["sensor"],
        )
        for name, timestamp in sorted(ticks.items()):
            last.add_metric([name], timestamp or 0.0)
        yield last
