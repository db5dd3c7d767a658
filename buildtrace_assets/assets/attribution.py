"""Whom a run works for, read from its tags: the person who asked for it, or the pipeline itself.

Assets write their rows as this actor (``created_by`` of a summary, the
actor of its audit row), with the pipeline always named as the executor.
"""

from __future__ import annotations

from collections.abc import Mapping

from buildtrace_assets.services.access import Actor

REQUESTED_BY_TAG = "buildtrace/requested_by"
"""Run tag naming the user who asked for the run, or :data:`SYSTEM_REQUESTER`."""
SYSTEM_REQUESTER = "system"


def requester(tags: Mapping[str, str]) -> Actor:
    """The person the tags name as having asked for the run, acting through the pipeline; else the pipeline.

    Runs started from the Dagster UI, a backfill or the nightly schedule carry
    no person and are the pipeline's own.
    """
    user_id = tags.get(REQUESTED_BY_TAG)
    return Actor.via_pipeline(None if user_id in (None, SYSTEM_REQUESTER) else user_id)
