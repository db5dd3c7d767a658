"""Helpers of the operations tests: reading one sample of a registry, an address nothing listens on."""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry

UNREACHABLE_DAGSTER = "http://127.0.0.1:9/graphql"
"""A Dagster API that is down: nothing listens on port 9."""
UNREACHABLE_DATABASE = "postgresql+psycopg2://postgres@127.0.0.1:9/none?connect_timeout=2"


def sample(name: str, registry: CollectorRegistry = REGISTRY, **labels: str) -> float:
    """A sample's value, 0 while it has never been observed (process-wide metrics are compared by difference)."""
    return registry.get_sample_value(name, labels) or 0.0
