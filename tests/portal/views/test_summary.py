"""Summary page: the active summary and its items linked to regions, history, editing, regenerating; per role."""

from __future__ import annotations

from collections.abc import Callable

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


def test_an_editor_saves_a_human_written_version(
    open_app: OpenApp, people: People, portal_env: PortalEnv, summarized: SeededJob
) -> None:
    app = open_app(people.editor, page=PAGE)
    labelled(app.text_area, "Summary text (Markdown)").input("The east wall is now 24'-9\".")
    labelled(app.button, "Save my version").click()
    app.run()

    assert texts(app.success) == ["Saved as a new human-written version."]
    history = app.dataframe[0].value
    assert list(history["source"]) == ["human_written", "machine"]
    assert list(history["author"]) == ["editor@acme.test", "pipeline"]
    assert "The east wall is now 24'-9\"." in texts(app.markdown)


def test_an_empty_edit_is_refused(open_app: OpenApp, people: People, summarized: SeededJob) -> None:
    app = open_app(people.editor, page=PAGE)
    labelled(app.text_area, "Summary text (Markdown)").input("  ")
    labelled(app.button, "Save my version").click()
    app.run()

    assert texts(app.error) == ["a summary needs some text"]


def test_regenerating_asks_the_pipeline_once_in_the_editor_s_name_and_shows_the_wait(
    open_app: OpenApp, people: People, portal_env: PortalEnv, reviewed: SeededJob
) -> None:
    app = open_app(people.editor, page=PAGE)
    assert "No summary has been written for this comparison yet." in texts(app.info)

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
