"""A job's lineage as Dagster sees it: each asset partition behind the job and its state, read over GraphQL.

The app database mirrors progress in job stages; the Dagster instance is the
source of truth for what was materialized when, by which run and for whom.
Reading it here lets a person check one against the other without opening
the Dagster UI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from buildtrace_assets.pipeline_api import PartitionState


def lineage_rows(
    states: Sequence[PartitionState], roles: Sequence[str], people: Mapping[str, str]
) -> list[dict[str, str]]:
    """Table rows for the portal; ``people`` names user ids (the run's requester) by email."""
    return [
        {
            "asset": state.asset,
            "partition": state.partition,
            "for": role,
            "status": state.status,
            "materialized at": state.materialized_at.strftime("%Y-%m-%d %H:%M:%S UTC") if state.materialized_at else "",
            "asked by": _asker(state.requested_by, people) if state.run_id else "",
            "run": state.run_id or "",
        }
        for state, role in zip(states, roles, strict=True)
    ]


def _asker(user_id: str | None, people: Mapping[str, str]) -> str:
    if user_id is None or user_id == "system":
        return "pipeline"
    return people.get(user_id, user_id)
