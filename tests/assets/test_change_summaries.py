"""The summary asset, materialized per job partition with real resources."""

from __future__ import annotations

import json

import pytest
from dagster import DagsterInstance
from pipeline.world import World, analyzed_job, checks_of, materialize_partition
from sqlalchemy import select

from buildtrace_assets.assets.change_summaries import SUMMARY_COVERS_CHANGES, change_summary
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.db.models import ChangeSummary, DiffResult
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.services.overlays import create_overlay

pytestmark = pytest.mark.slow


def test_a_manual_overlay_is_summarized_as_a_new_human_corrected_version(
    world: World, instance: DagsterInstance, revision_pair: RevisionPair
) -> None:
    job_id = analyzed_job(world, instance, revision_pair)
    assert materialize_partition(world, instance, [diff_result, change_summary], "jobs", job_id).success
    with world.transaction() as session:
        row = session.scalars(select(DiffResult).where(DiffResult.job_id == job_id)).one()
        machine = json.loads(world.storage.get_bytes(row.changes_ref))["sheets"][0]["changes"]
        drawn = {"id": "A-101-m1", "kind": "added", "bbox": [400.0, 300.0, 450.0, 340.0]}
        overlay = create_overlay(session, world.owner, row.id, machine[1:] + [drawn])

    result = materialize_partition(world, instance, [change_summary], "jobs", job_id)

    assert result.success
    assert checks_of(result) == {SUMMARY_COVERS_CHANGES: True}
    with world.session_factory() as session:
        summaries = session.scalars(select(ChangeSummary).order_by(ChangeSummary.created_at)).all()
    first, second = summaries
    assert (second.source, second.overlay_id, second.parent_summary_id) == ("human_corrected", overlay.id, first.id)
    assert second.is_active and not first.is_active
    assert "A-101-m1" in second.text and machine[0]["id"] not in second.text
