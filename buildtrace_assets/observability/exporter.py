"""The pipeline exporter: one process per cluster that Prometheus scrapes for the pipeline's state.

Database counts, what the steps measured (stored on their stage executions, :mod:`.step_collector`) and sensor
ticks are read at scrape time (:mod:`.collector`), so however many API or portal replicas run, each job is counted
once, and a step pod of the Kubernetes executor needs no volume shared with the exporter.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.config import Settings
from buildtrace_assets.observability.collector import DatabaseCollector, SensorCollector
from buildtrace_assets.observability.health import database_check, readiness
from buildtrace_assets.observability.step_collector import StepCollector


def pipeline_registry(settings: Settings, session_factory: sessionmaker[Session]) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(session_factory))
    registry.register(StepCollector(session_factory))
    registry.register(SensorCollector(settings.dagster_graphql_url, settings.health_timeout_s))
    return registry


def exporter_readiness(settings: Settings, session_factory: sessionmaker[Session]) -> tuple[bool, dict[str, Any]]:
    """Ready when the database answers: without it the exporter has nothing to say (Dagster is reported, not
    required, since an alert on ``buildtrace_dagster_up`` is how an operator learns it is down)."""
    return readiness([database_check(session_factory)], settings.health_timeout_s)
