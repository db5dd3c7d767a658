"""Every page with nothing to show says what is missing and the next step, for each role (and for someone in no
project at all)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from buildtrace_assets.services import users
from buildtrace_assets.services.access import Actor
from tests.portal.support import PASSWORD, People, PortalEnv, labelled, seed_job, texts

OpenApp = Callable[..., AppTest]
PAGES = [
    "views/projects.py",
    "views/upload.py",
    "views/jobs.py",
    "views/review.py",
    "views/summary.py",
    "views/audit.py",
]


def links(app: AppTest) -> list[tuple[str, str]]:
    return [(link.proto.label, link.proto.page) for link in app.get("page_link")]


@pytest.fixture
def newcomer(portal_env: PortalEnv) -> Actor:
    """A person of the organization who is in no project yet."""
    return portal_env.run(lambda s: Actor.of(users.create_user(s, "new@acme.test", PASSWORD, organization="Acme")))


@pytest.mark.parametrize("page", PAGES[1:])
def test_in_no_project_every_page_leads_to_creating_one(open_app: OpenApp, newcomer: Actor, page: str) -> None:
    app = open_app(newcomer, page=page)

    assert not app.exception
    assert texts(app.info) == ["You are not a member of any project yet: create one on the Projects page."]
    assert links(app) == [("Create a project", "")], "the Projects page is the portal's home, at its root"


def test_in_no_project_the_projects_page_opens_the_new_project_form(open_app: OpenApp, newcomer: Actor) -> None:
    app = open_app(newcomer)

    assert texts(app.info)[0].startswith("No projects yet: create your first one with “New project” above.")
    assert labelled(app.expander, "New project").proto.expanded and not app.dataframe


@pytest.mark.parametrize("page", ["views/jobs.py", "views/review.py", "views/summary.py"])
@pytest.mark.parametrize(("role", "link"), [("owner", [("Upload drawings", "upload")]), ("viewer", [])])
def test_without_comparisons_editors_are_sent_to_upload_and_viewers_told_who_starts_them(
    open_app: OpenApp, people: People, page: str, role: str, link: list[tuple[str, str]]
) -> None:
    app = open_app(getattr(people, role), page=page)

    assert not app.exception
    assert [text for text in texts(app.info) if text.startswith("No comparisons")]
    assert links(app) == link


def test_without_drawings_the_upload_page_says_what_to_choose(open_app: OpenApp, people: People) -> None:
    app = open_app(people.editor, page="views/upload.py")

    assert texts(app.info) == [
        "No drawings yet: choose the first revision of a set above; the next upload of each drawing is compared"
        " with it."
    ]


def test_a_viewer_is_told_why_upload_is_closed_and_where_to_go(open_app: OpenApp, people: People) -> None:
    app = open_app(people.viewer, page="views/upload.py")

    assert texts(app.info)[0].startswith("Your role in Tower is viewer")
    assert links(app) == [("Jobs", "jobs")]


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_a_job_without_its_result_yet_sends_to_jobs(
    open_app: OpenApp, people: People, portal_env: PortalEnv, role: str
) -> None:
    seed_job(portal_env, people)

    app = open_app(getattr(people, role), page="views/summary.py")

    assert texts(app.info) == ["No comparison result yet: the job is waiting. The Jobs page shows its progress."]
    assert links(app) == [("Follow it on Jobs", "jobs")]
