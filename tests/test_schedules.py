"""The nightly re-summarization schedule against a real app database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dagster import build_schedule_context
from pipeline.world import World, revision_pair, world  # noqa: F401 (fixtures)

from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.schedules import resummarize_schedule
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.jobs import cancel_job
from buildtrace_assets.services.overlays import create_overlay, deactivate_overlay
from buildtrace_assets.services.summaries import edit_summary, save_machine_summary
from buildtrace_assets.summaries import PROMPT_VERSION

NIGHT = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)
CONTENT = {"overall": "One wall added.", "items": []}
DRAWN = [{"id": "A-101-m1", "kind": "added", "bbox": [1.0, 1.0, 9.0, 9.0]}]


def summarized_job(world: World, pair: RevisionPair, drawing: str, **summary: str) -> tuple[str, str]:
    """A job with a diff result and an active machine summary: (job id, diff result id)."""
    _, _, job_id = world.comparison(pair, drawing)
    with world.transaction() as session:
        result = record_diff_result(session, SYSTEM, job_id, changes_ref="jobs/x/diff/changes.json", engine_version="t")
        fields = {"model": "offline", "prompt_version": PROMPT_VERSION, **summary}
        save_machine_summary(session, SYSTEM, result.id, content=CONTENT, text="One wall added.", **fields)
    return job_id, result.id


def stale_runs(world: World) -> list[tuple[str, str]]:
    with build_schedule_context(resources=world.resources, scheduled_execution_time=NIGHT) as context:
        return [(run.partition_key, run.run_key) for run in resummarize_schedule(context)]


def test_a_summary_from_the_current_prompt_and_model_is_left_alone(world: World, revision_pair: RevisionPair) -> None:
    summarized_job(world, revision_pair, "A")

    assert stale_runs(world) == []


@pytest.mark.parametrize("outdated", [{"prompt_version": "v0"}, {"model": "gpt-3.5-turbo"}])
def test_a_summary_from_another_prompt_or_model_is_rewritten(
    world: World, revision_pair: RevisionPair, outdated: dict[str, str]
) -> None:
    job_id, _ = summarized_job(world, revision_pair, "A", **outdated)

    assert stale_runs(world) == [(job_id, f"summarize:{job_id}:stale-2026-03-04")]


def test_a_summary_older_than_the_active_overlay_is_rewritten(world: World, revision_pair: RevisionPair) -> None:
    job_id, diff_id = summarized_job(world, revision_pair, "A")
    summarized_job(world, revision_pair, "B")
    with world.transaction() as session:
        create_overlay(session, world.owner, diff_id, DRAWN)

    assert [job for job, _ in stale_runs(world)] == [job_id]


def test_a_summary_follows_the_overlay_in_force_not_the_clock(world: World, revision_pair: RevisionPair) -> None:
    job_id, diff_id = summarized_job(world, revision_pair, "A")
    with world.transaction() as session:
        overlay = create_overlay(session, world.owner, diff_id, DRAWN)
        fields = {"model": "offline", "prompt_version": PROMPT_VERSION, "overlay_id": overlay.id}
        save_machine_summary(session, SYSTEM, diff_id, content=CONTENT, text="One wall added.", **fields)
    assert stale_runs(world) == []

    with world.transaction() as session:
        deactivate_overlay(session, world.owner, overlay.id)

    assert [job for job, _ in stale_runs(world)] == [job_id]


def test_text_people_wrote_and_cancelled_jobs_are_never_rewritten(world: World, revision_pair: RevisionPair) -> None:
    _, written_diff = summarized_job(world, revision_pair, "A", prompt_version="v0")
    cancelled_job, _ = summarized_job(world, revision_pair, "B", prompt_version="v0")
    with world.transaction() as session:
        edit_summary(session, world.owner, written_diff, "Reviewed by hand.")
        cancel_job(session, world.owner, cancelled_job)

    assert stale_runs(world) == []
