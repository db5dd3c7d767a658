"""The pipeline exporter: one process per cluster that Prometheus scrapes for the pipeline's state.

Database counts and sensor ticks are read at scrape time (:mod:`.collector`), so however many API or portal
replicas run, each job is counted once. What steps measured is merged in from prometheus_client's multiprocess
directory when ``PROMETHEUS_MULTIPROC_DIR`` is set (run workers on the same machine or volume write there).
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.config import Settings
from buildtrace_assets.observability.collector import DatabaseCollector, SensorCollector
from buildtrace_assets.observability.health import database_check, readiness

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def pipeline_registry(settings: Settings, session_factory: sessionmaker[Session]) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(session_factory))
    registry.register(SensorCollector(settings.dagster_graphql_url, settings.health_timeout_s))
    directory = os.environ.get(MULTIPROC_DIR)
    if directory:
        MultiProcessCollector(registry, path=directory)
    return registry


def exporter_readiness(settings: Settings, session_factory: sessionmaker[Session]) -> tuple[bool, dict[str, Any]]:
    """Ready when the database answers: without it the exporter has nothing to say (Dagster is reported, not
    required, since an alert on ``buildtrace_dagster_up`` is how an operator learns it is down)."""
    return readiness([database_check(session_factory)], settings.health_timeout_s)
