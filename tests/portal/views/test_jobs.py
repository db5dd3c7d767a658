"""Jobs page: status, stage timeline, failure messages, cancelling, lineage; per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from buildtrace_assets.assets.tracking import fail_version
from buildtrace_assets.config import get_settings
from buildtrace_assets.services import jobs
from buildtrace_assets.services.access import SYSTEM
from tests.portal.support import People, PortalEnv, labelled, seed_job, texts

OpenApp = Callable[..., AppTest]
PAGE = "views/jobs.py"


def test_a_job_shows_its_versions_status_and_four_stages(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seed_job(portal_env, people)

    app = open_app(people.viewer, page=PAGE)

    assert not app.exception
    assert any("**A-101 v1 → v2** :material/schedule: `pending`" in text for text in texts(app.markdown))
    timeline = app.dataframe[0].value
    assert list(timeline["stage"]) == ["ocr v1", "ocr v2", "diff", "summary"]
    assert set(timeline["status"]) == {"pending"}


def test_a_failed_stage_shows_its_error(open_app: OpenApp, people: People, portal_env: PortalEnv) -> None:
    seeded = seed_job(portal_env, people)

    def fail(session) -> None:
        jobs.start_stage(session, SYSTEM, seeded.job_id, "ocr", seeded.old_version_id)
        jobs.fail_stage(session, SYSTEM, seeded.job_id, "ocr", "page 3 is encrypted", seeded.old_version_id)

    portal_env.run(fail)
    app = open_app(people.viewer, page=PAGE)

    assert "ocr failed: page 3 is encrypted" in texts(app.error)
    assert "failed" in list(app.dataframe[0].value["status"])


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

    assert texts(app.info) == ["No comparisons yet: upload a second version of a drawing to start one."]


def test_an_outsider_cannot_open_the_jobs_of_a_project(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seed_job(portal_env, people)

    app = open_app(people.outsider, page=PAGE, project_id=people.project_id)

    assert texts(app.error) == ["Project not found."]
    assert not app.dataframe


def test_the_lineage_lists_each_asset_partition_behind_the_job(
    open_app: OpenApp, people: People, portal_env: PortalEnv, tmp_path, monkeypatch
) -> None:
    seeded = seed_job(portal_env, people)
    (tmp_path / "dagster").mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    app = open_app(people.viewer, page=PAGE)

    labelled(app.toggle, "Lineage in Dagster").set_value(True)
    app.run()

    lineage = app.dataframe[1].value
    assert list(zip(lineage["asset"], lineage["partition"], lineage["for"], strict=True)) == [
        ("drawing_analysis", seeded.old_version_id, "old version"),
        ("drawing_analysis", seeded.new_version_id, "new version"),
        ("change_summary", seeded.job_id, "job"),
        ("diff_result", seeded.job_id, "job"),
    ]
    assert set(lineage["status"]) == {"not started"}


def test_without_dagster_home_the_lineage_says_how_to_get_it(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seed_job(portal_env, people)
    app = open_app(people.viewer, page=PAGE)
    labelled(app.toggle, "Lineage in Dagster").set_value(True)
    app.run()

    assert "Set DAGSTER_HOME to see what the Dagster instance materialized for this job." in texts(app.caption)


def test_an_editor_retries_a_failed_job_and_viewers_see_no_retry(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seeded = seed_job(portal_env, people)
    portal_env.run(lambda s: fail_version(s, seeded.new_version_id, "the analysis process stopped unexpectedly"))
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
