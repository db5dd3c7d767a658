"""Summary page: the active summary and its items linked to regions, history, editing, regenerating; per role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from buildtrace_assets.services import diff_results, pipeline_requests, summaries
from buildtrace_assets.services.access import SYSTEM
from tests.portal.support import ComparedPair, People, PortalEnv, SeededJob, labelled, seed_review, texts

OpenApp = Callable[..., AppTest]
PAGE = "views/summary.py"
CONTENT = {
    "overall": "One dimension on A-101 changed.",
    "items": [
        {
            "sheet": "A-101",
            "change_ids": ["A-101-1"],
            "category": "dimension",
            "discipline": "architectural",
            "impact": "medium",
            "reason": "a wall length changed",
            "text": "Wall dimension increased 24'-4\" → 24'-9\".",
        }
    ],
    "not_summarized": [],
}


@pytest.fixture
def reviewed(portal_env: PortalEnv, people: People, compared_pair: ComparedPair) -> SeededJob:
    return seed_review(portal_env, people, compared_pair)


def diff_result_id(env: PortalEnv, people: People, job: SeededJob) -> str:
    return env.run(lambda s: diff_results.get_diff_result(s, people.viewer, job.job_id).id)


@pytest.fixture
def summarized(portal_env: PortalEnv, people: People, reviewed: SeededJob) -> SeededJob:
    result = diff_result_id(portal_env, people, reviewed)
    portal_env.run(
        lambda s: summaries.save_machine_summary(
            s, SYSTEM, result, content=CONTENT, text="One dimension changed.", model="offline", prompt_version="v1"
        )
    )
    return reviewed


def test_the_active_summary_links_each_item_to_its_regions(
    open_app: OpenApp, people: People, summarized: SeededJob
) -> None:
    app = open_app(people.viewer, page=PAGE)

    assert not app.exception
    assert "One dimension on A-101 changed." in texts(app.markdown)
    assert any("Wall dimension increased" in text for text in texts(app.markdown))
    [link] = app.get("page_link")
    assert link.proto.label == "A-101-1"
    assert link.proto.page == "review"
    assert f"job={summarized.job_id}&sheet=A-101" in link.proto.query_string
    history = app.dataframe[0].value
    assert list(history["source"]) == ["machine"] and list(history["author"]) == ["pipeline"]


def history_table(app: AppTest) -> Any:
    """The version history table (editors also have the items table on the page)."""
    [table] = [frame.value for frame in app.dataframe if "source" in frame.value.columns]
    return table


def summary_requests(env: PortalEnv, people: People) -> list[str]:
    return [
        request.id
        for request in env.run(lambda s: pipeline_requests.project_requests(s, people.viewer, people.project_id))
        if request.kind == "summarize"
    ]


def edit(app: AppTest, overall: str, impact: str | None = None) -> AppTest:
    """Type a new overall paragraph (and give the first item another impact), then save."""
    labelled(app.text_area, "Overall").input(overall)
    if impact is not None:
        app.session_state["summary_items"] = {
            "edited_rows": {0: {"impact": impact}},
            "added_rows": [],
            "deleted_rows": [],
        }
    labelled(app.button, "Save my version").click()
    return app.run()


def test_an_editor_edits_items_as_items_and_their_links_to_regions_survive(
    open_app: OpenApp, people: People, portal_env: PortalEnv, summarized: SeededJob
) -> None:
    app = edit(open_app(people.editor, page=PAGE), "The east wall is now 24'-9\".", impact="high")

    assert texts(app.success) == ["Saved as a new hand-written version; its items keep their links to regions."]
    history = history_table(app)
    assert list(history["source"]) == ["human_written", "machine"]
    assert list(history["author"]) == ["editor@acme.test", "pipeline"]
    assert "The east wall is now 24'-9\"." in texts(app.markdown)
    assert [link.proto.label for link in app.get("page_link")] == ["A-101-1"], "the item still links to its region"
    active = portal_env.run(
        lambda s: summaries.active_summary(s, people.viewer, diff_result_id(portal_env, people, summarized))
    )
    assert active.content["items"][0]["impact"] == "high"
    assert active.content["items"][0]["change_ids"] == ["A-101-1"]
    assert any(text.startswith("Version 2. Written by hand by editor,") for text in texts(app.caption))


def test_an_empty_summary_is_refused(open_app: OpenApp, people: People, reviewed: SeededJob) -> None:
    app = edit(open_app(people.editor, page=PAGE), "  ")

    assert texts(app.error) == ["a summary needs some text"]


def test_the_footer_says_the_machine_wrote_a_machine_summary(
    open_app: OpenApp, people: People, summarized: SeededJob
) -> None:
    app = open_app(people.viewer, page=PAGE)

    assert any(
        text.startswith("Version 1. Written by the summarizer (offline) from the machine's regions")
        for text in texts(app.caption)
    )


def test_an_older_version_opens_compares_and_is_restored_as_a_new_version_in_the_editors_name(
    open_app: OpenApp, people: People, portal_env: PortalEnv, summarized: SeededJob
) -> None:
    app = edit(open_app(people.editor, page=PAGE), "Hand-written overall.")
    versions = labelled(app.selectbox, "Open version")
    versions.set_value(versions.options[1])
    app.run()
    assert "One dimension changed." in texts(app.markdown)

    compare = labelled(app.selectbox, "Compare with")
    compare.set_value(compare.options[1])
    app.run()
    assert "-One dimension changed." in app.code[0].value and "+Hand-written overall." in app.code[0].value

    labelled(app.button, "Restore version 1").click()
    app.run()

    assert texts(app.success) == ["Version 1 restored as version 3, in your name."]
    result = diff_result_id(portal_env, people, summarized)
    active = portal_env.run(lambda s: summaries.active_summary(s, people.viewer, result))
    assert (active.version_number, active.text) == (3, "One dimension changed.")
    assert active.created_by == people.editor.user_id
    assert active.metadata_["restored_from"] == 1
    assert any("restored from version 1 by editor" in text for text in texts(app.caption))


def test_regenerating_over_a_hand_written_summary_asks_first(
    open_app: OpenApp, people: People, portal_env: PortalEnv, summarized: SeededJob
) -> None:
    app = edit(open_app(people.editor, page=PAGE), "Hand-written overall.")
    labelled(app.button, "Regenerate summary").click()
    app.run()

    assert any("stays in the history as version 2 and can be restored" in text for text in texts(app.warning))
    assert summary_requests(portal_env, people) == [], "nothing asked before the editor says yes"
    labelled(app.button, "Regenerate anyway").click()
    app.run()

    assert texts(app.success) == ["Asked the pipeline for a new summary; it appears here when it is written."]
    assert len(summary_requests(portal_env, people)) == 1


def test_regenerating_asks_the_pipeline_once_in_the_editor_s_name_and_shows_the_wait(
    open_app: OpenApp, people: People, portal_env: PortalEnv, reviewed: SeededJob
) -> None:
    app = open_app(people.editor, page=PAGE)
    assert (
        "No summary has been written for this comparison yet: “Regenerate summary” below asks the pipeline for one,"
        " or write one under “Edit the summary”." in texts(app.info)
    )

    labelled(app.button, "Regenerate summary").click()
    app.run()
    labelled(app.button, "Regenerate summary").click()
    app.run()

    assert texts(app.success) == ["Asked the pipeline for a new summary; it appears here when it is written."]
    assert any(text.startswith("New summary requested: waiting for the pipeline since") for text in texts(app.info))
    asked = portal_env.run(
        lambda s: [
            (request.kind, request.requested_by, request.status)
            for request in pipeline_requests.project_requests(s, people.viewer, people.project_id)
            if request.kind == "summarize"
        ]
    )
    assert asked == [("summarize", people.editor.user_id, "pending")]
    result = diff_result_id(portal_env, people, reviewed)
    assert portal_env.run(lambda s: summaries.active_summary(s, people.viewer, result)) is None


def test_a_viewer_reads_but_cannot_edit_or_regenerate(open_app: OpenApp, people: People, summarized: SeededJob) -> None:
    app = open_app(people.viewer, page=PAGE)

    assert [button.label for button in app.main.button] == []
    assert not app.text_area


def test_an_outsider_cannot_reach_the_summary_by_url(open_app: OpenApp, people: People, summarized: SeededJob) -> None:
    app = open_app(people.outsider, page=PAGE, project_id=people.project_id)

    assert texts(app.error) == ["Project not found."]
    assert "One dimension on A-101 changed." not in texts(app.markdown)


def test_an_item_stored_as_other_reads_what_its_change_is(
    open_app: OpenApp, people: People, portal_env: PortalEnv, reviewed: SeededJob
) -> None:
    result = diff_result_id(portal_env, people, reviewed)
    item = CONTENT["items"][0] | {"category": "other", "discipline": "other"}
    portal_env.run(
        lambda s: summaries.save_machine_summary(
            s, SYSTEM, result, content=CONTENT | {"items": [item]}, text="-", model="offline", prompt_version="v1"
        )
    )
    app = open_app(people.viewer, page=PAGE)

    captions = [text for text in texts(app.caption) if "impact medium" in text]
    assert captions == ["A-101 · dimension · architectural · impact medium: a wall length changed"]
