"""A job's lineage as Dagster sees it: each asset partition behind the job and its state.

The app database mirrors progress in job stages; the Dagster instance is the
source of truth for what was materialized when, and by which run. Reading it
here lets a person check one against the other without opening the Dagster UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    DagsterRunStatus,
    Definitions,
    DynamicPartitionsDefinition,
)

VERSION_PARTITIONS = "drawing_versions"
JOB_PARTITIONS = "jobs"

RUN_STATE_LABELS = {
    DagsterRunStatus.QUEUED: "queued",
    DagsterRunStatus.NOT_STARTED: "queued",
    DagsterRunStatus.STARTING: "running",
    DagsterRunStatus.STARTED: "running",
    DagsterRunStatus.CANCELING: "cancelling",
    DagsterRunStatus.CANCELED: "cancelled",
    DagsterRunStatus.FAILURE: "failed",
    DagsterRunStatus.SUCCESS: "materialized",
}


@dataclass(frozen=True)
class AssetPartitionRef:
    """One asset partition a job depends on or produces."""

    asset_key: AssetKey
    partition: str
    role: str
    """What the partition is for this job, e.g. ``old version`` or ``diff``."""


@dataclass(frozen=True)
class LineageEntry:
    """The state of one asset partition: last materialization and the latest run planned for it."""

    ref: AssetPartitionRef
    status: str
    materialized_at: datetime | None
    run_id: str | None


def assets_by_partitions(definitions: Definitions) -> dict[str, list[AssetKey]]:
    """The asset keys of each dynamic partition set, in a stable order."""
    graph = definitions.resolve_asset_graph()
    found: dict[str, list[AssetKey]] = {}
    for key in sorted(graph.get_all_asset_keys(), key=AssetKey.to_user_string):
        partitions = graph.get(key).partitions_def
        if isinstance(partitions, DynamicPartitionsDefinition) and partitions.name:
            found.setdefault(partitions.name, []).append(key)
    return found


def job_partitions(
    keys: Mapping[str, Sequence[AssetKey]], *, job_id: str, old_version_id: str, new_version_id: str
) -> list[AssetPartitionRef]:
    """Every asset partition behind a job: both versions' processing, then the job's own assets."""
    versions = [(old_version_id, "old version"), (new_version_id, "new version")]
    return [
        *(
            AssetPartitionRef(key, version, role)
            for version, role in versions
            for key in keys.get(VERSION_PARTITIONS, ())
        ),
        *(AssetPartitionRef(key, job_id, "job") for key in keys.get(JOB_PARTITIONS, ())),
    ]


def partition_lineage(instance: DagsterInstance, refs: Iterable[AssetPartitionRef]) -> list[LineageEntry]:
    """The current state of each of ``refs``.

    A run planned after the last materialization decides the status (queued,
    running, failed...), so a failed re-run is not hidden behind an older
    success; otherwise the partition is ``materialized`` or ``not started``.
    """
    return [_entry(instance, ref) for ref in refs]


def _entry(instance: DagsterInstance, ref: AssetPartitionRef) -> LineageEntry:
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=ref.asset_key, asset_partitions=[ref.partition]), limit=1
    ).records
    materialization = records[0] if records else None
    materialized_at = datetime.fromtimestamp(materialization.timestamp, tz=UTC) if materialization else None
    planned = instance.get_latest_planned_materialization_info(ref.asset_key, ref.partition)
    if planned is not None and (materialization is None or planned.storage_id > materialization.storage_id):
        run = instance.get_run_by_id(planned.run_id)
        if run is not None:
            return LineageEntry(
                ref, RUN_STATE_LABELS.get(run.status, run.status.value.lower()), materialized_at, run.run_id
            )
    if materialization is not None:
        return LineageEntry(ref, "materialized", materialized_at, materialization.run_id)
    return LineageEntry(ref, "not started", None, None)


def lineage_rows(entries: Sequence[LineageEntry]) -> list[dict[str, str]]:
    """Table rows for the portal."""
    return [
        {
            "asset": entry.ref.asset_key.to_user_string(),
            "partition": entry.ref.partition,
            "for": entry.ref.role,
            "status": entry.status,
            "materialized at": entry.materialized_at.strftime("%Y-%m-%d %H:%M:%S UTC") if entry.materialized_at else "",
            "run": entry.run_id or "",
        }
        for entry in entries
    ]
