"""Audit log page: every member reads the project's trail, newest first, with people by e-mail; outsiders nothing."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from tests.portal.support import People, PortalEnv, seed_job, texts

OpenApp = Callable[..., AppTest]
PAGE = "views/audit.py"


def test_a_viewer_reads_who_did_what_newest_first(open_app: OpenApp, people: People) -> None:
    app = open_app(people.viewer, page=PAGE)

    trail = app.dataframe[0].value
    assert list(trail["action"]) == ["member.add", "member.add", "project.create"]
    assert set(trail["who"]) == {"owner@acme.test"}


def test_uploads_and_jobs_appear_with_their_author(open_app: OpenApp, people: People, portal_env: PortalEnv) -> None:
    seed_job(portal_env, people)

    app = open_app(people.owner, page=PAGE)

    trail = app.dataframe[0].value
    assert list(trail["action"])[:6] == [
        "job.create",
        "pipeline_request.analyze",
        "drawing_version.create",
        "pipeline_request.analyze",
        "drawing_version.create",
        "drawing.create",
    ]
    assert set(list(trail["who"])[:6]) == {"editor@acme.test"}


def test_an_outsider_sees_nothing_of_the_trail(open_app: OpenApp, people: People) -> None:
    app = open_app(people.outsider, page=PAGE, project_id=people.project_id)

    assert texts(app.error) == ["Project not found."]
    assert not app.dataframe


def test_the_outsiders_own_project_shows_only_its_own_trail(open_app: OpenApp, people: People) -> None:
    app = open_app(people.outsider, page=PAGE)

    assert list(app.dataframe[0].value["action"]) == ["project.create"]
    assert "Rival secret" in " ".join(texts(app.caption))
