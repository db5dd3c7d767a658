"""The app shell: sign-in, sign-out, and nothing but the sign-in page without a session."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from tests.portal.support import APP, PASSWORD, People


def sign_in(app: AppTest, email: str, password: str) -> AppTest:
    app.text_input[0].input(email)
    app.text_input[1].input(password)
    app.button[0].click()
    return app.run()


def test_without_a_session_only_the_sign_in_page_exists(open_app: Callable[..., AppTest], people: People) -> None:
    app = open_app(project_id=people.project_id)

    assert [title.value for title in app.title] == ["BuildTrace"]
    assert not app.sidebar.selectbox
    assert not app.dataframe


def test_a_good_password_signs_in_and_shows_the_projects(open_app: Callable[..., AppTest], people: People) -> None:
    app = sign_in(open_app(), "Owner@Acme.test", PASSWORD)

    assert not app.exception
    assert app.title[0].value == "Projects"
    assert "owner@acme.test" in app.sidebar.markdown[0].value


def test_a_wrong_password_is_refused_with_one_message(open_app: Callable[..., AppTest], people: People) -> None:
    app = sign_in(open_app(), "owner@acme.test", "not the password")

    assert [error.value for error in app.error] == ["E-mail or password is wrong."]
    assert "user_id" not in app.session_state


def test_empty_fields_are_asked_for(open_app: Callable[..., AppTest], people: People) -> None:
    app = sign_in(open_app(), "", "")

    assert [error.value for error in app.error] == ["Enter your e-mail address and password."]


def test_sign_out_returns_to_the_sign_in_page(open_app: Callable[..., AppTest], people: People) -> None:
    app = open_app(people.owner)
    app.sidebar.button[0].click()
    app.run()

    assert app.title[0].value == "BuildTrace"
    assert "user_id" not in app.session_state


def test_a_session_of_a_user_that_no_longer_exists_is_signed_out(
    open_app: Callable[..., AppTest], people: People
) -> None:
    app = AppTest.from_file(str(APP))
    app.session_state["user_id"] = "00000000-0000-0000-0000-000000000000"
    app.run()

    assert app.title[0].value == "BuildTrace"


def test_with_an_auth_block_in_secrets_the_identity_provider_is_offered_too(portal_env, people: People) -> None:
    app = AppTest.from_file(str(APP))
    app.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "not-a-real-secret",
        "client_id": "buildtrace",
        "client_secret": "not-a-real-secret",
        "server_metadata_url": "https://id.example.test/.well-known/openid-configuration",
    }
    app.run()

    assert [button.label for button in app.button] == ["Sign in", "Sign in with your organization's account"]


def test_local_accounts_alone_without_an_auth_block(open_app: Callable[..., AppTest], people: People) -> None:
    assert [button.label for button in open_app().button] == ["Sign in"]
