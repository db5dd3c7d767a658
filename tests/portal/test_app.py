"""The app shell: the sign-in form at every page's address without a live session, sign-out that revokes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models.api import ApiSession
from portal.auth import SESSION_KEY
from tests.portal.support import APP, People, PortalEnv, signed_in_session, texts

OpenApp = Callable[..., AppTest]


def sign_in_form(app: AppTest) -> str:
    """The HTML of the sign-in form (it posts to ``/auth/sign-in``, outside Streamlit)."""
    (form,) = app.get("html")
    return str(form.proto.body)


def test_without_a_session_every_page_shows_the_sign_in_form_and_nothing_else(
    open_app: OpenApp, people: People
) -> None:
    app = open_app(project_id=people.project_id)

    assert [title.value for title in app.title] == ["BuildTrace"]
    assert 'action="/auth/sign-in"' in sign_in_form(app)
    assert not app.sidebar.selectbox
    assert not app.dataframe


def test_the_form_sends_the_person_back_to_the_page_and_query_they_asked_for(open_app: OpenApp, people: People) -> None:
    app = open_app(project_id=people.project_id)

    assert f'name="next" value="/?project={people.project_id}"' in sign_in_form(app)


def test_a_refused_sign_in_is_explained_in_words_from_its_code(open_app: OpenApp, people: People) -> None:
    app = AppTest.from_file(str(APP))
    app.query_params["sign_in_error"] = "locked"
    app.query_params["retry_after"] = "900"
    app.run()

    assert texts(app.error) == ["Sign-in is locked after too many failed attempts. Try again in 15 minutes."]
    assert 'value="/"' in sign_in_form(app), "the refusal code is not carried into the next attempt"


def test_an_unknown_refusal_code_shows_no_text_from_the_link(open_app: OpenApp, people: People) -> None:
    app = AppTest.from_file(str(APP))
    app.query_params["sign_in_error"] = "Your account is suspended, call 555-0100"
    app.run()

    assert not app.error


def test_a_live_session_shows_the_projects(open_app: OpenApp, people: People) -> None:
    app = open_app(people.owner)

    assert not app.exception
    assert app.title[0].value == "Projects"
    assert "owner@acme.test" in app.sidebar.markdown[0].value


def test_sign_out_revokes_the_session_so_the_cookie_no_longer_works(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    app = open_app(people.owner)
    session_id = app.session_state[SESSION_KEY]

    app.sidebar.button[0].click()
    app.run()

    assert app.title[0].value == "BuildTrace"
    assert SESSION_KEY not in app.session_state
    revoked = portal_env.run(lambda s: s.scalar(select(ApiSession.revoked_reason).where(ApiSession.id == session_id)))
    assert revoked == "logout"


def test_sign_out_everywhere_ends_the_other_browsers_sessions_too(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    other_browser = signed_in_session(portal_env, people.owner)
    editors_browser = signed_in_session(portal_env, people.editor)
    app = open_app(people.owner)

    labelled_buttons = {button.label: button for button in app.sidebar.button}
    labelled_buttons["Sign out everywhere"].click()
    app.run()

    live = portal_env.run(lambda s: set(s.scalars(select(ApiSession.id).where(ApiSession.revoked_at.is_(None)))))
    assert other_browser not in live and editors_browser in live


def test_an_expired_session_shows_the_sign_in_form(open_app: OpenApp, people: People, portal_env: PortalEnv) -> None:
    session_id = signed_in_session(portal_env, people.owner)
    portal_env.run(
        lambda s: s.execute(
            update(ApiSession).where(ApiSession.id == session_id).values(created_at=utcnow() - timedelta(days=15))
        )
    )
    app = AppTest.from_file(str(APP))
    app.session_state[SESSION_KEY] = session_id
    app.run()

    assert app.title[0].value == "BuildTrace"
    assert SESSION_KEY not in app.session_state


def test_a_session_that_does_not_exist_shows_the_sign_in_form(open_app: OpenApp, people: People) -> None:
    app = AppTest.from_file(str(APP))
    app.session_state[SESSION_KEY] = "00000000-0000-0000-0000-000000000000"
    app.run()

    assert app.title[0].value == "BuildTrace"


def test_with_an_auth_block_in_secrets_the_identity_provider_is_offered_too(
    portal_env: PortalEnv, people: People
) -> None:
    app = AppTest.from_file(str(APP))
    app.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "not-a-real-secret",
        "client_id": "buildtrace",
        "client_secret": "not-a-real-secret",
        "server_metadata_url": "https://id.example.test/.well-known/openid-configuration",
    }
    app.run()

    assert [button.label for button in app.button] == ["Sign in with your organization's account"]
    assert sign_in_form(app)


def test_local_accounts_alone_without_an_auth_block(open_app: OpenApp, people: People) -> None:
    app = open_app()

    assert not app.button
    assert sign_in_form(app)
