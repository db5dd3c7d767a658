"""Sign-in page under throttling: repeated failures are refused, the right password too, with the wait to expect.

AppTest knows no client address, so these pages throttle per account only.
The portal runs on the real clock: waits are set long enough in the
environment that no test depends on how fast it runs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.models import SignInCounter
from buildtrace_assets.services.sign_in_throttle import SignInAttempt, SignInThrottle
from tests.portal.support import PASSWORD, People, PortalEnv, texts

OpenApp = Callable[..., AppTest]


@pytest.fixture
def throttle_settings(portal_env: PortalEnv, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``throttle_settings(NAME=value, ...)`` sets ``BUILDTRACE_SIGN_IN_<NAME>`` for the portal under test."""

    def set_(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"BUILDTRACE_SIGN_IN_{name}", value)
        get_settings.cache_clear()

    return set_


def sign_in(app: AppTest, email: str, password: str) -> AppTest:
    app.text_input[0].input(email)
    app.text_input[1].input(password)
    app.button[0].click()
    return app.run()


def test_fifty_wrong_passwords_then_the_right_one_is_refused_with_the_wait(
    open_app: OpenApp, people: People, portal_env: PortalEnv, throttle_settings: Callable[..., None]
) -> None:
    throttle_settings(BASE_DELAY_S="600")
    app = open_app()
    errors = [texts(sign_in(app, "editor@acme.test", "not the password").error) for _ in range(50)]

    app = sign_in(app, "editor@acme.test", PASSWORD)

    assert errors[:6] == [["E-mail or password is wrong."]] * 6
    assert errors[6:] == [["Too many failed sign-in attempts. Try again in 10 minutes."]] * 44
    assert texts(app.error) == ["Too many failed sign-in attempts. Try again in 10 minutes."]
    assert "user_id" not in app.session_state
    assert portal_env.run(lambda session: session.scalar(select(SignInCounter.failures))) == 6


def test_a_locked_account_is_told_so_and_for_how_long(
    open_app: OpenApp, people: People, throttle_settings: Callable[..., None]
) -> None:
    throttle_settings(LOCKOUT_AFTER="3")
    app = open_app()
    for _ in range(3):
        sign_in(app, "editor@acme.test", "not the password")

    app = sign_in(app, "editor@acme.test", PASSWORD)

    assert texts(app.error) == ["Sign-in is locked after too many failed attempts. Try again in 15 minutes."]
    assert "user_id" not in app.session_state


def test_failures_counted_by_another_process_lock_the_portal_too(
    open_app: OpenApp, people: People, portal_env: PortalEnv, throttle_settings: Callable[..., None]
) -> None:
    throttle_settings(LOCKOUT_AFTER="1")
    throttle = SignInThrottle.from_settings(get_settings())
    portal_env.run(lambda session: throttle.sign_in(session, SignInAttempt("editor@acme.test", "203.0.113.7"), "nope"))

    app = sign_in(open_app(), "editor@acme.test", PASSWORD)

    assert texts(app.error) == ["Sign-in is locked after too many failed attempts. Try again in 15 minutes."]


def test_a_few_wrong_passwords_do_not_stop_the_right_one(open_app: OpenApp, people: People) -> None:
    app = open_app()
    for _ in range(3):
        sign_in(app, "editor@acme.test", "not the password")

    app = sign_in(app, "editor@acme.test", PASSWORD)

    assert not app.error and app.session_state["user_id"] == people.editor.user_id
