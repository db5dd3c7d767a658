"""Jobs page: status, stage timeline, failure messages, cancelling, lineage; per role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.models import Job, Project
from buildtrace_assets.pipeline_api import PipelineApi
from buildtrace_assets.services import diff_results, jobs, pipeline_requests
from buildtrace_assets.services.access import PIPELINE, SYSTEM
from buildtrace_assets.services.version_analysis import fail_version
from portal.pipeline import BANNER_TITLE
from tests.portal.support import People, PortalEnv, labelled, seed_job, texts

OpenApp = Callable[..., AppTest]
PAGE = "views/jobs.py"


def test_a_job_shows_its_versions_status_and_four_stages(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seed_job(portal_env, people)

    app = open_app(people.viewer, page=PAGE)

    assert not app.exception
    assert any("**A-101 v1 → v2** :gray-badge[:material/schedule: waiting]" in text for text in texts(app.markdown))
    timeline = app.dataframe[0].value
    assert list(timeline["stage"]) == ["analysis v1", "analysis v2", "comparison", "summary"]
    assert set(timeline["status"]) == {"◷ waiting"}, "the statuses' one look (portal.status)"
    assert set(timeline["took"]) == {""}, "no duration before a stage starts, never None"
    assert not app.get("page_link"), "no results to link to yet"


def test_a_completed_job_links_to_its_review_and_summary_and_says_how_long_each_stage_took(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seeded = seed_job(portal_env, people)

    def finish(session) -> None:
        for version in (seeded.old_version_id, seeded.new_version_id):
            jobs.start_stage(session, SYSTEM, seeded.job_id, "ocr", version)
            jobs.complete_stage(session, SYSTEM, seeded.job_id, "ocr", version)
        jobs.complete_stage(session, SYSTEM, seeded.job_id, "diff", result_ref="jobs/x/diff/changes.json")
        jobs.complete_stage(session, SYSTEM, seeded.job_id, "summary")

    portal_env.run(finish)
    app = open_app(people.viewer, page=PAGE)

    links = {link.proto.label: link.proto.page for link in app.get("page_link")}
    assert set(links) == {"Review changes", "Read the summary"}
    assert all(f"job={seeded.job_id}" in link.proto.query_string for link in app.get("page_link"))
    took = list(app.dataframe[0].value["took"])
    assert took[0].endswith(" s") and took[2] == "", "analysis was started and timed; the comparison was not"


def test_a_failed_stage_shows_its_error(open_app: OpenApp, people: People, portal_env: PortalEnv) -> None:
    seeded = seed_job(portal_env, people)

    def fail(session) -> None:
        jobs.start_stage(session, SYSTEM, seeded.job_id, "ocr", seeded.old_version_id)
        jobs.fail_stage(session, SYSTEM, seeded.job_id, "ocr", "page 3 is encrypted", seeded.old_version_id)

    portal_env.run(fail)
    app = open_app(people.viewer, page=PAGE)

    assert "analysis failed: page 3 is encrypted" in texts(app.error)
    assert "✕ failed" in list(app.dataframe[0].value["status"])


def test_an_editor_cancels_a_running_job(open_app: OpenApp, people: People, portal_env: PortalEnv) -> None:
    seeded = seed_job(portal_env, people)
    app = open_app(people.editor, page=PAGE)

    labelled(app.button, "Cancel").click()
    app.run()

    assert portal_env.run(lambda s: jobs.get_job(s, people.editor, seeded.job_id).status) == "cancelled"
    assert not [button for button in app.main.button if button.label == "Cancel"]


def test_a_viewer_has_no_cancel_button(open_app: OpenApp, people: People, portal_env: PortalEnv) -> None:
    seed_job(portal_env, people)

    app = open_app(people.viewer, page=PAGE)

    assert [button.label for button in app.main.button] == []


def test_no_jobs_yet_says_how_to_start_one(open_app: OpenApp, people: People) -> None:
    app = open_app(people.owner, page=PAGE)

    assert texts(app.info) == [
        "No comparisons yet: upload a second version of a drawing and its comparison with the first starts by itself."
    ]
    assert [(link.proto.label, link.proto.page) for link in app.get("page_link")] == [("Upload drawings", "upload")]


def test_no_jobs_yet_tells_a_viewer_who_starts_one(open_app: OpenApp, people: People) -> None:
    app = open_app(people.viewer, page=PAGE)

    assert [text for text in texts(app.info) if text.startswith("No comparisons")] == [
        "No comparisons in Tower yet: they appear here once an editor uploads a second version of a drawing."
    ]
    assert not app.get("page_link"), "a viewer cannot upload: no link to a page they cannot use"


def test_an_outsider_cannot_open_the_jobs_of_a_project(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seed_job(portal_env, people)

    app = open_app(people.outsider, page=PAGE, project_id=people.project_id)

    assert texts(app.error) == ["Project not found."]
    assert not app.dataframe


def test_with_the_pipeline_unreachable_the_lineage_says_so_and_every_page_shows_the_banner(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seed_job(portal_env, people)
    app = open_app(people.viewer, page=PAGE)
    labelled(app.toggle, "Lineage in Dagster").set_value(True)
    app.run()

    assert any(text.startswith("Pipeline unreachable: the lineage cannot be read now") for text in texts(app.warning))
    [banner] = [expander for expander in app.expander if expander.label == BANNER_TITLE]
    assert banner.markdown[0].value.startswith("- The pipeline's server does not answer.")
    raw = PipelineApi.from_settings(get_settings()).health().unreachable
    assert raw and not any(raw in text for text in texts(app.markdown))


def test_a_job_whose_requests_wait_for_the_pipeline_says_since_when_and_lists_who_asked(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seeded = seed_job(portal_env, people)
    since = portal_env.run(lambda s: pipeline_requests.waiting_since(s, people.viewer, people.project_id))

    app = open_app(people.viewer, page=PAGE)

    oldest = min(since[seeded.old_version_id], since[seeded.new_version_id])
    assert any(
        f"analysis of v1 waiting for the pipeline since {oldest:%H:%M} UTC" in text for text in texts(app.markdown)
    )


def test_a_completed_job_waiting_for_a_new_summary_says_the_summary_update_waits(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seeded = seed_job(portal_env, people)

    def finish_then_ask_for_a_summary(session) -> datetime:
        for version in (seeded.old_version_id, seeded.new_version_id):
            jobs.complete_stage(session, SYSTEM, seeded.job_id, "ocr", version)
        jobs.complete_stage(session, SYSTEM, seeded.job_id, "diff", result_ref="jobs/x/diff/changes.json")
        jobs.complete_stage(session, SYSTEM, seeded.job_id, "summary")
        diff_results.record_diff_result(
            session,
            SYSTEM,
            seeded.job_id,
            changes_ref="jobs/x/diff/changes.json",
            engine_version="test",
            overlay_refs={},
            sheet_count=1,
            change_count=1,
        )
        return pipeline_requests.request_summary(session, people.editor, seeded.job_id, "new wording").created_at

    asked_at = portal_env.run(finish_then_ask_for_a_summary)
    app = open_app(people.viewer, page=PAGE)

    heading = next(text for text in texts(app.markdown) if text.startswith("**A-101 v1 → v2**"))
    assert "completed" in heading
    assert heading.endswith(f":orange[summary update waiting for the pipeline since {asked_at:%H:%M} UTC]")


def test_a_failed_request_shows_why_and_an_editor_asks_again(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seeded = seed_job(portal_env, people)

    def failed_comparison(session) -> str:
        job = session.get_one(Job, seeded.job_id)
        request = pipeline_requests.request_comparison(session, people.editor, _project(session, job), job, "retry")
        pipeline_requests.mark_submitted(session, request.id, "run-1")
        pipeline_requests.follow_run(session, request.id, "failed", "run-1", "diff_result: sheet A-101 is unreadable")
        return request.id

    failed = portal_env.run(failed_comparison)
    assert not [button for button in open_app(people.viewer, page=PAGE).button if button.label == "Ask again"]
    app = open_app(people.editor, page=PAGE)
    assert "The compare request failed: diff_result: sheet A-101 is unreadable" in texts(app.error)

    labelled(app.button, "Ask again").click()
    app.run()

    asked = portal_env.run(lambda s: pipeline_requests.project_requests(s, people.editor, people.project_id, limit=1))
    assert (asked[0].reason, asked[0].status) == (f"retry of request {failed}", "pending")


def _project(session, job: Job) -> Project:
    return session.get_one(Project, job.project_id)


def test_an_editor_retries_a_failed_job_and_viewers_see_no_retry(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seeded = seed_job(portal_env, people)
    portal_env.run(
        lambda s: fail_version(s, PIPELINE, seeded.new_version_id, "the analysis process stopped unexpectedly")
    )
    assert not [button for button in open_app(people.viewer, page=PAGE).main.button if button.label == "Retry"]
    app = open_app(people.editor, page=PAGE)

    labelled(app.button, "Retry").click()
    app.run()

    assert portal_env.run(lambda s: jobs.get_job(s, people.editor, seeded.job_id).status) == "pending"
    assert not [button for button in app.main.button if button.label == "Retry"]


def test_uploads_the_pipeline_has_not_taken_up_are_reported(
    open_app: OpenApp, people: People, portal_env: PortalEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_job(portal_env, people)
    assert not any("waited" in text for text in texts(open_app(people.viewer, page=PAGE).warning))

    monkeypatch.setenv("BUILDTRACE_INTAKE_STALE_AFTER_S", "0")
    get_settings.cache_clear()
    try:
        app = open_app(people.viewer, page=PAGE)
    finally:
        get_settings.cache_clear()

    assert any("2 upload(s) have waited more than 0 min" in text for text in texts(app.warning))
