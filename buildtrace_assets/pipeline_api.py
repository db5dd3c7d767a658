"""The pipeline as the portal, the REST API and ``buildtrace doctor`` see it: through the Dagster webserver's
GraphQL API, never by loading definitions or opening the instance in their own process.

In the cluster the portal and API pods have no Dagster instance; they reach
the webserver service at ``DAGSTER_GRAPHQL_URL``. Run states come through
``dagster-graphql``'s :class:`DagsterGraphQLClient`; what it has no method
for (daemon heartbeats, sensor ticks, materializations of a partition) are
plain queries through :func:`~buildtrace_assets.observability.dagster_api.graphql_query`.
(The health query extends the sensor-tick query of
:mod:`~buildtrace_assets.observability.dagster_api` with each sensor's
interval, so a run-failure sensor ticking every 30 s is not called silent.)
Every read fails as :class:`PipelineUnreachable`, which callers show as
"pipeline unreachable" instead of an error page.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

from buildtrace_assets.config import Settings
from buildtrace_assets.observability.dagster_api import DagsterApiError, graphql_query

HEALTH_QUERY = """
query PipelineHealth {
  instance { daemonHealth { allDaemonStatuses { daemonType required healthy lastHeartbeatTime } } }
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes { sensors { name minIntervalSeconds sensorState { status ticks(limit: 1) { timestamp } } } }
    }
    ... on PythonError { message }
  }
}
"""
LINEAGE_QUERY = """
query PartitionLineage($assetKey: AssetKeyInput!, $partition: String!, $tags: [ExecutionTag!]) {
  assetOrError(assetKey: $assetKey) {
    __typename
    ... on Asset { assetMaterializations(partitions: [$partition], limit: 1) { runId timestamp } }
  }
  runsOrError(filter: {tags: $tags}, limit: 10) {
    __typename
    ... on Runs {
      results { runId status creationTime assetSelection { path } tags { key value } }
    }
  }
}
"""
PARTITION_TAG = "dagster/partition"
REQUESTED_BY_TAG = "buildtrace/requested_by"
RUN_STATE_LABELS = {
    "QUEUED": "queued",
    "NOT_STARTED": "queued",
    "STARTING": "running",
    "STARTED": "running",
    "CANCELING": "cancelling",
    "CANCELED": "cancelled",
    "FAILURE": "failed",
    "SUCCESS": "materialized",
}


VERSION_ASSETS = ("drawing_analysis",)
JOB_ASSETS = ("diff_result", "change_summary")


def job_partitions(*, job_id: str, old_version_id: str, new_version_id: str) -> list[tuple[str, str, str]]:
    """``(asset, partition, role)`` of every asset partition behind a job: both versions' analyses, then the job's
    own assets in pipeline order."""
    return [
        *((asset, old_version_id, "old version") for asset in VERSION_ASSETS),
        *((asset, new_version_id, "new version") for asset in VERSION_ASSETS),
        *((asset, job_id, "job") for asset in JOB_ASSETS),
    ]


DAEMON_HEARTBEAT_GRACE_S = 75.0
"""The Dagster daemon beats every 30 s: a daemon is silent only after missing two beats, whatever ``silent_after_s``
says (sensors, ticking every 5 s, show a stopped daemon sooner)."""
MISSED_TICKS = 3
"""A sensor is silent only once it missed this many ticks of its own interval (run-failure sensors tick every 30 s)."""


class PipelineUnreachable(Exception):
    """The Dagster webserver did not answer, or answered with an error; the message says which."""


@dataclass(frozen=True)
class PipelineHealth:
    """Whether the pipeline is doing its work: its daemon beats and its sensors tick."""

    silent_daemons: dict[str, float | None] = field(default_factory=dict)
    """Required daemons without a recent heartbeat, with the time of their last one (Unix seconds)."""
    silent_sensors: dict[str, float | None] = field(default_factory=dict)
    """Running sensors without a recent tick, with the time of their last tick."""
    unreachable: str | None = None
    """Why the webserver could not be asked; None when it answered."""

    @property
    def ok(self) -> bool:
        return self.unreachable is None and not self.silent_daemons and not self.silent_sensors

    def problems(self) -> list[str]:
        """One line per problem, for the banner and the doctor."""
        if self.unreachable is not None:
            return [f"pipeline unreachable: {self.unreachable}"]
        return [
            *(f"daemon {name} not running (last heartbeat {_when(at)})" for name, at in self.silent_daemons.items()),
            *(f"sensor {name} not ticking (last tick {_when(at)})" for name, at in self.silent_sensors.items()),
        ]


@dataclass(frozen=True)
class PartitionState:
    """One asset partition in Dagster: its last materialization and the state of the latest run planned for it."""

    asset: str
    partition: str
    status: str
    materialized_at: datetime | None
    run_id: str | None
    requested_by: str | None
    """The ``buildtrace/requested_by`` tag of that run: a user id, ``system``, or None for a hand-started run."""


def _when(moment: float | None) -> str:
    return datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "never"


class PipelineApi:
    """Reads of the pipeline's state over GraphQL, each within ``timeout_s``."""

    def __init__(self, url: str, timeout_s: float, silent_after_s: float) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.silent_after_s = silent_after_s

    @classmethod
    def from_settings(cls, settings: Settings) -> PipelineApi:
        return cls(settings.dagster_graphql_url, settings.health_timeout_s, settings.pipeline_silent_after_s)

    def _query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            return graphql_query(self.url, query, self.timeout_s, dict(variables or {}))
        except DagsterApiError as error:
            raise PipelineUnreachable(str(error)) from error

    def client(self) -> DagsterGraphQLClient:
        """``dagster-graphql``'s client for the same webserver (host, port and path taken from the URL)."""
        parts = urlsplit(self.url)
        prefix = parts.path.removesuffix("/graphql").rstrip("/")
        try:
            return DagsterGraphQLClient(
                parts.hostname or "127.0.0.1",
                port_number=parts.port,
                use_https=parts.scheme == "https",
                timeout=max(1, round(self.timeout_s)),
                path_prefix=prefix,
            )
        except DagsterGraphQLClientError as error:
            raise PipelineUnreachable(str(error)) from error

    def run_status(self, run_id: str) -> str:
        """The run's state in Dagster (``QUEUED``, ``STARTED``, ``SUCCESS``, ``FAILURE``...)."""
        try:
            return self.client().get_run_status(run_id).value
        except DagsterGraphQLClientError as error:
            raise PipelineUnreachable(f"run {run_id}: {error}") from error

    def health(self) -> PipelineHealth:
        """Which daemons and running sensors have gone quiet for longer than ``silent_after_s``; never raises."""
        now = time.time()
        try:
            data = self._query(HEALTH_QUERY)
            daemons = data["instance"]["daemonHealth"]["allDaemonStatuses"]
            repositories = data["repositoriesOrError"]
            sensors = [sensor for repository in repositories["nodes"] for sensor in repository["sensors"]]
        except (PipelineUnreachable, KeyError, TypeError) as error:
            return PipelineHealth(unreachable=str(error))
        beats_after = now - max(self.silent_after_s, DAEMON_HEARTBEAT_GRACE_S)
        silent_daemons = {
            daemon["daemonType"]: daemon["lastHeartbeatTime"]
            for daemon in daemons
            if daemon["required"] and (daemon["lastHeartbeatTime"] or 0) < beats_after
        }
        silent_sensors: dict[str, float | None] = {}
        for sensor in sensors:
            state = sensor["sensorState"]
            last = float(state["ticks"][0]["timestamp"]) if state["ticks"] else None
            quiet_for = max(self.silent_after_s, MISSED_TICKS * (sensor["minIntervalSeconds"] or 0))
            if state["status"] == "RUNNING" and (last or 0) < now - quiet_for:
                silent_sensors[sensor["name"]] = last
        return PipelineHealth(silent_daemons=silent_daemons, silent_sensors=silent_sensors)

    def partition_states(self, refs: Sequence[tuple[str, str]]) -> list[PartitionState]:
        """The state of each ``(asset, partition)``: a run planned after the last materialization decides it
        (queued, running, failed...), so a failed re-run is not hidden behind an older success."""
        return [self._partition_state(asset, partition) for asset, partition in refs]

    def _partition_state(self, asset: str, partition: str) -> PartitionState:
        tags = [{"key": PARTITION_TAG, "value": partition}]
        data = self._query(LINEAGE_QUERY, {"assetKey": {"path": [asset]}, "partition": partition, "tags": tags})
        events = data["assetOrError"].get("assetMaterializations") or []
        runs = data["runsOrError"].get("results") or []
        materialized: dict[str, Any] = events[0] if events else {}
        materialized_at = (
            datetime.fromtimestamp(int(materialized["timestamp"]) / 1000, tz=UTC) if materialized else None
        )
        planned = next((run for run in runs if {"path": [asset]} in (run.get("assetSelection") or [])), None)
        newer = planned is not None and (
            materialized_at is None
            or (planned["runId"] != materialized["runId"] and planned["creationTime"] > materialized_at.timestamp())
        )
        if planned is not None and newer:
            status = RUN_STATE_LABELS.get(planned["status"], planned["status"].lower())
            return PartitionState(asset, partition, status, materialized_at, planned["runId"], _tag(planned))
        if materialized:
            run = next((run for run in runs if run["runId"] == materialized["runId"]), None)
            return PartitionState(
                asset, partition, "materialized", materialized_at, materialized["runId"], _tag(run) if run else None
            )
        return PartitionState(asset, partition, "not started", None, None, None)


def _tag(run: dict[str, Any]) -> str | None:
    """Who asked for the run, from its tags."""
    return next((tag["value"] for tag in run.get("tags") or [] if tag["key"] == REQUESTED_BY_TAG), None)
