"""When a summary is out of date: the rule on its own, then the nightly query on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from summaries.scene import Scene

from buildtrace_assets.db.models import ChangeSummary, ManualOverlay
from buildtrace_assets.services.jobs import cancel_job
from buildtrace_assets.services.overlays import create_overlay, deactivate_overlay
from buildtrace_assets.services.summaries import edit_summary
from buildtrace_assets.summaries import PROMPT_VERSION
from buildtrace_assets.summaries.staleness import StaleSummary, is_stale, stale_summaries

MODEL = "offline"
OTHER_MODEL = "gpt-4.1-mini"
OVERLAY = ManualOverlay(id="overlay-2")
OVERLAY_CHANGES = [{"id": "A-101-m1", "kind": "added", "bbox": [560, 600, 640, 700]}]


def _summary(
    source: str = "machine",
    overlay_id: str | None = None,
    prompt: str | None = PROMPT_VERSION,
    model: str | None = MODEL,
) -> ChangeSummary:
    return ChangeSummary(source=source, overlay_id=overlay_id, prompt_version=prompt, model=model)


@pytest.mark.parametrize(
    ("summary", "active_overlay", "stale"),
    [
        pytest.param(_summary(), None, False, id="machine summary, no overlay: current"),
        pytest.param(_summary("human_corrected", "overlay-2"), OVERLAY, False, id="written from the active overlay"),
        pytest.param(_summary(), OVERLAY, True, id="an overlay was saved since"),
        pytest.param(_summary("human_corrected", "overlay-1"), OVERLAY, True, id="written from a replaced overlay"),
        pytest.param(_summary("human_corrected", "overlay-2"), None, True, id="its overlay was withdrawn"),
        pytest.param(_summary(prompt="2024-old-prompt"), None, True, id="older prompt version"),
        pytest.param(_summary(model="gpt-4o"), None, True, id="another model"),
        pytest.param(_summary("human_written", prompt=None, model=None), OVERLAY, False, id="a person's text: never"),
    ],
)
def test_a_summary_is_stale_unless_written_from_what_is_in_force_with_the_current_prompt_and_model(
    summary: ChangeSummary, active_overlay: ManualOverlay | None, stale: bool
) -> None:
    assert is_stale(summary, active_overlay, PROMPT_VERSION, MODEL) is stale


def _stale(scene: Scene, model: str = MODEL) -> list[StaleSummary]:
    return scene.commit(lambda session: stale_summaries(session, PROMPT_VERSION, model))


def test_the_query_finds_active_summaries_of_another_model_and_names_their_job(scene: Scene) -> None:
    summary = scene.regenerate()

    assert _stale(scene) == []
    expected = StaleSummary(scene.diff_result.job_id, scene.diff_result.id, summary.id)
    assert _stale(scene, OTHER_MODEL) == [expected]


def test_a_saved_overlay_makes_the_summary_stale_until_it_is_regenerated_and_again_when_withdrawn(scene: Scene) -> None:
    editor, diff_result_id = scene.team.editor, scene.diff_result.id
    scene.regenerate()
    overlay = scene.commit(lambda s: create_overlay(s, editor, diff_result_id, OVERLAY_CHANGES))
    assert [stale.diff_result_id for stale in _stale(scene)] == [diff_result_id]

    scene.regenerate()
    assert _stale(scene) == []

    scene.commit(lambda s: deactivate_overlay(s, editor, overlay.id))
    assert [stale.diff_result_id for stale in _stale(scene)] == [diff_result_id]


def test_a_persons_text_and_cancelled_jobs_are_left_alone(scene: Scene) -> None:
    editor = scene.team.editor
    scene.regenerate()
    scene.commit(lambda s: edit_summary(s, editor, scene.diff_result.id, "Written by hand."))
    assert _stale(scene, OTHER_MODEL) == []

    scene.regenerate()
    scene.commit(lambda s: cancel_job(s, editor, scene.diff_result.job_id))
    assert _stale(scene, OTHER_MODEL) == []
