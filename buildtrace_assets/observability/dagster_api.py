"""The Dagster webserver's GraphQL API, as operations needs it: is it reachable, and when did each sensor tick.

Kept apart from any pipeline client so readiness probes and the metrics exporter depend on nothing else; a
client of the pipeline boundary can build on :func:`graphql_query`.
"""

from __future__ import annotations

from typing import Any

import requests

SENSOR_TICKS_QUERY = """
query SensorTicks {
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes { sensors { name sensorState { status ticks(limit: 1) { timestamp status } } } }
    }
    ... on PythonError { message }
  }
}
"""
VERSION_QUERY = "query Version { version }"


class DagsterApiError(Exception):
    """The webserver could not be reached or answered with an error."""


def graphql_query(url: str, query: str, timeout_s: float, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``data`` of a GraphQL query; :class:`DagsterApiError` for a network failure, an HTTP error or errors."""
    try:
        response = requests.post(url, json={"query": query, "variables": variables or {}}, timeout=timeout_s)
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as error:
        raise DagsterApiError(f"Dagster API at {url} unreachable: {error}") from error
    if body.get("errors"):
        raise DagsterApiError(f"Dagster API at {url} answered: {body['errors'][0].get('message', body['errors'])}")
    data: dict[str, Any] = body.get("data") or {}
    return data


def dagster_version(url: str, timeout_s: float) -> str:
    """The webserver's Dagster version: the cheapest query that proves the API answers."""
    return str(graphql_query(url, VERSION_QUERY, timeout_s).get("version"))


def sensor_last_ticks(url: str, timeout_s: float) -> dict[str, float | None]:
    """Each running sensor's last tick time (Unix seconds), None for one that never ticked; a stopped sensor is
    left out, since it is not supposed to tick."""
    result = graphql_query(url, SENSOR_TICKS_QUERY, timeout_s)["repositoriesOrError"]
    if result.get("__typename") != "RepositoryConnection":
        raise DagsterApiError(f"Dagster API at {url} could not list repositories: {result.get('message')}")
    ticks: dict[str, float | None] = {}
    for repository in result["nodes"]:
        for sensor in repository["sensors"]:
            if sensor["sensorState"]["status"] != "RUNNING":
                continue
            last = sensor["sensorState"]["ticks"]
            ticks[sensor["name"]] = float(last[0]["timestamp"]) if last else None
    return ticks
