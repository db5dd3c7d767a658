"""Generating a diff result's summary as a new version, on SQLite and PostgreSQL.

The changes document, its crop and the new version's words come from blob
storage (see ``conftest.py``); the OpenAI path talks to the fake server over
a real socket.
"""

from __future__ import annotations

import json
import posixpath

import pytest
from fixtures.openai_server import FakeOpenAIServer, Reply, chat_completion, error_body
from summaries.scene import Scene

from buildtrace_assets.db.models import ChangeSummary
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.errors import NotFound, PermissionDenied
from buildtrace_assets.services.overlays import create_overlay
from buildtrace_assets.services.summaries import active_summary, edit_summary
from buildtrace_assets.summaries import (
    PROMPT_VERSION,
    InvalidChangesError,
    OpenAIConfig,
    OpenAISummarizer,
    SummarizerError,
)

CONFIGURED_MODEL = "gpt-4.1-mini"
SERVED_MODEL = "gpt-4.1-mini-2025-04-14"
OVERLAY_CHANGES = [
    {
        "id": "A-101-1",
        "kind": "modified",
        "bbox": [380, 340, 420, 356],
        "old_text": "31'-6 7/8\"",
        "new_text": "8'-8\"",
    },
    {"id": "A-101-m1", "kind": "added", "bbox": [560, 600, 640, 700]},
]


def _summarized_ids(summary: ChangeSummary) -> set[str]:
    return {change_id for item in summary.content["items"] for change_id in item["change_ids"]}


def _openai(server: FakeOpenAIServer) -> OpenAISummarizer:
    config = OpenAIConfig(api_key="k", model=CONFIGURED_MODEL, base_url=server.base_url, timeout_s=2.0, backoff_s=0.01)
    return OpenAISummarizer(config)


def test_the_first_summary_is_the_active_machine_version_placed_by_the_new_sheets_words(scene: Scene) -> None:
    summary = scene.regenerate()

    assert (summary.source, summary.version_number, summary.is_active) == ("machine", 1, True)
    assert (summary.parent_summary_id, summary.overlay_id, summary.created_by) == (None, None, None)
    assert (summary.model, summary.prompt_version) == ("offline", PROMPT_VERSION)
    assert summary.metadata_["summarizer"] == "offline"
    assert _summarized_ids(summary) == {"A-101-1", "A-101-2", "A-101-3", "A-101-4"}
    assert "Dimension at grids B–C/2 in OFFICE 101 reduced" in summary.text


def test_each_generation_is_a_new_version_chained_to_the_one_it_deactivates(scene: Scene) -> None:
    first = scene.regenerate()
    second = scene.regenerate()

    newest, oldest = scene.history()
    assert (newest.id, newest.version_number, newest.is_active) == (second.id, 2, True)
    assert newest.parent_summary_id == first.id
    assert (oldest.id, oldest.is_active) == (first.id, False)


def test_with_an_active_overlay_the_summary_is_human_corrected_from_the_overlays_regions(scene: Scene) -> None:
    editor = scene.team.editor
    overlay = scene.commit(lambda s: create_overlay(s, editor, scene.diff_result.id, OVERLAY_CHANGES))

    summary = scene.regenerate(editor)

    assert (summary.source, summary.overlay_id, summary.created_by) == ("human_corrected", overlay.id, editor.user_id)
    assert _summarized_ids(summary) == {"A-101-1", "A-101-m1"}
    assert "Linework added at grids C–D/3–4 in CONFERENCE 102" in summary.text


def test_regenerating_after_a_person_edit_keeps_the_edit_one_step_back_in_history(scene: Scene) -> None:
    scene.regenerate()
    edited = scene.commit(lambda s: edit_summary(s, scene.team.editor, scene.diff_result.id, "Only B-C/2 matters."))

    summary = scene.regenerate(scene.team.owner)

    assert [row.source for row in scene.history()] == ["machine", "human_written", "machine"]
    assert (summary.parent_summary_id, summary.version_number) == (edited.id, 3)


def test_the_openai_path_stores_configured_model_served_model_token_usage_and_latency(
    scene: Scene, openai_server: FakeOpenAIServer
) -> None:
    items = [
        {"change_ids": [cid], "category": "other", "impact": "low", "reason": "minor", "text": f"Change {cid}."}
        for cid in ("A-101-1", "A-101-2", "A-101-3", "A-101-4")
    ]
    reply = chat_completion(json.dumps({"summary": "Four changes on A-101.", "items": items}), model=SERVED_MODEL)
    openai_server.enqueue(Reply(body=reply))

    summary = scene.regenerate(summarizer=_openai(openai_server))

    assert (summary.model, summary.metadata_["model"]) == (CONFIGURED_MODEL, SERVED_MODEL)
    assert summary.metadata_["usage"] == {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}
    assert summary.metadata_["latency_s"] > 0
    assert summary.metadata_["images_sent"] == 1, "the crop is read from storage next to changes.json"
    assert summary.content["overall"] == "Four changes on A-101."


def test_a_crop_missing_from_storage_is_skipped_and_the_summary_still_written(
    scene: Scene, openai_server: FakeOpenAIServer
) -> None:
    scene.storage.delete(f"{posixpath.dirname(scene.diff_result.changes_ref)}/crops/A-101-1-new.png")
    openai_server.enqueue(Reply(body=chat_completion(json.dumps({"summary": "Changes on A-101.", "items": []}))))

    summary = scene.regenerate(summarizer=_openai(openai_server))

    assert summary.metadata_["images_sent"] == 0
    assert summary.content["overall"] == "Changes on A-101."


def test_a_failing_summarizer_raises_and_leaves_the_previous_summary_active(
    scene: Scene, openai_server: FakeOpenAIServer
) -> None:
    previous = scene.regenerate()
    openai_server.enqueue(Reply(status=400, body=error_body("model not found", "invalid_request_error")))

    with pytest.raises(SummarizerError, match="model not found"):
        scene.regenerate(summarizer=_openai(openai_server))

    assert [(row.id, row.is_active) for row in scene.history()] == [(previous.id, True)]


def test_a_missing_changes_document_is_a_clear_error_and_writes_nothing(scene: Scene) -> None:
    scene.storage.delete(scene.diff_result.changes_ref)

    with pytest.raises(InvalidChangesError, match=r"changes document .* is missing"):
        scene.regenerate()

    assert scene.history() == []


@pytest.mark.parametrize(
    ("who", "error"), [("viewer", PermissionDenied), ("colleague", NotFound), ("outsider", NotFound)]
)
def test_only_editors_and_owners_regenerate_and_others_never_reach_the_model(
    scene: Scene, openai_server: FakeOpenAIServer, who: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        scene.regenerate(getattr(scene.team, who), _openai(openai_server))

    assert openai_server.requests == []
    assert scene.commit(lambda s: active_summary(s, SYSTEM, scene.diff_result.id)) is None
