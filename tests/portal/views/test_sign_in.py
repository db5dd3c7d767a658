"""``POST /auth/sign-in``, the form's target: the throttle per account and per client, the cookie, the way back.

The route runs in a real Starlette app (Starlette's TestClient speaks ASGI to
it) against the seeded database. The portal runs on the real clock: waits are
set long enough in the environment that no test depends on how fast it runs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.models import SignInCounter
from buildtrace_assets.db.models.api import ApiSession
from buildtrace_assets.services.sign_in_throttle import SignInAttempt, SignInThrottle
from portal import session_cookie
from portal.sign_in_route import ROUTES
from tests.portal.support import PASSWORD, People, PortalEnv


@pytest.fixture
def settings_env(portal_env: PortalEnv, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``settings_env(NAME=value, ...)`` sets ``BUILDTRACE_<NAME>`` for the route under test."""

    def set_(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"BUILDTRACE_{name}", value)
        get_settings.cache_clear()

    return set_


@pytest.fixture
def client(portal_env: PortalEnv, settings_env: Callable[..., None]) -> Iterator[TestClient]:
    settings_env(PORTAL_SESSION_SECRET="a key for these tests only")
    with TestClient(Starlette(routes=ROUTES), follow_redirects=False) as test_client:
        yield test_client


def post(client: TestClient, email: str, password: str, next_: str = "/review?project=p1&job=j1&sheet=2") -> dict:
    """The answer's status, where it sends the browser (path and query) and the cookie it sets, if any."""
    answer = client.post("/auth/sign-in", data={"email": email, "password": password, "next": next_})
    location = urlsplit(answer.headers["location"])
    return {
        "status": answer.status_code,
        "path": location.path,
        "query": {key: values[0] for key, values in parse_qs(location.query).items()},
        "set_cookie": answer.headers.get("set-cookie"),
    }


def test_the_right_password_sets_an_http_only_cookie_and_goes_to_the_page_asked_for(
    client: TestClient, people: People, portal_env: PortalEnv
) -> None:
    answer = post(client, "Editor@Acme.test", PASSWORD)

    assert (answer["status"], answer["path"]) == (303, "/review")
    assert answer["query"] == {"project": "p1", "job": "j1", "sheet": "2"}
    cookie = answer["set_cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and f"Max-Age={14 * 86400}" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    session_id = session_cookie.verify(b"a key for these tests only", value)
    owner = portal_env.run(lambda s: s.scalar(select(ApiSession.user_id).where(ApiSession.id == session_id)))
    assert owner == people.editor.user_id


def test_a_wrong_password_goes_back_to_the_same_page_with_a_code_and_no_cookie(
    client: TestClient, people: People
) -> None:
    answer = post(client, "editor@acme.test", "not the password")

    assert answer["path"] == "/review"
    assert answer["query"] == {"project": "p1", "job": "j1", "sheet": "2", "sign_in_error": "wrong"}
    assert answer["set_cookie"] is None


def test_empty_fields_are_asked_for(client: TestClient, people: People) -> None:
    assert post(client, "", "")["query"]["sign_in_error"] == "missing"


@pytest.mark.parametrize("elsewhere", ["https://evil.test/", "//evil.test/x", "/\\evil.test", "review"])
def test_next_never_leaves_the_portal(client: TestClient, people: People, elsewhere: str) -> None:
    answer = post(client, "editor@acme.test", PASSWORD, elsewhere)

    assert (answer["path"], answer["query"]) == ("/", {})


def test_fifty_wrong_passwords_then_the_right_one_is_refused_with_the_wait(
    client: TestClient, people: People, portal_env: PortalEnv, settings_env: Callable[..., None]
) -> None:
    settings_env(SIGN_IN_BASE_DELAY_S="600")
    started = time.monotonic()
    errors = [post(client, "editor@acme.test", "not the password")["query"] for _ in range(50)]

    answer = post(client, "editor@acme.test", PASSWORD)

    elapsed_s = math.ceil(time.monotonic() - started)
    assert [error["sign_in_error"] for error in errors] == ["wrong"] * 6 + ["throttled"] * 44
    assert answer["query"]["sign_in_error"] == "throttled"
    assert 600 - elapsed_s <= int(answer["query"]["retry_after"]) <= 600, (
        "the base delay, not lengthened by the throttled attempts"
    )
    assert answer["set_cookie"] is None
    assert portal_env.run(lambda session: session.scalar(select(SignInCounter.failures))) == 6


def test_a_locked_account_is_told_so_and_for_how_long(
    client: TestClient, people: People, settings_env: Callable[..., None]
) -> None:
    settings_env(SIGN_IN_LOCKOUT_AFTER="3")
    for _ in range(3):
        post(client, "editor@acme.test", "not the password")

    answer = post(client, "editor@acme.test", PASSWORD)

    assert (answer["query"]["sign_in_error"], answer["query"]["retry_after"]) == ("locked", "900")


def test_one_client_guessing_across_accounts_is_throttled_by_its_address(
    client: TestClient, people: People, settings_env: Callable[..., None]
) -> None:
    settings_env(SIGN_IN_ADDRESS_LOCKOUT_AFTER="3", SIGN_IN_ADDRESS_FREE_ATTEMPTS="0")
    for email in ("owner@acme.test", "editor@acme.test", "viewer@acme.test"):
        post(client, email, "not the password")

    answer = post(client, "someone@rival.test", PASSWORD)

    assert answer["query"]["sign_in_error"] in ("throttled", "locked") and answer["set_cookie"] is None


def test_failures_counted_by_another_process_lock_the_portal_too(
    client: TestClient, people: People, portal_env: PortalEnv, settings_env: Callable[..., None]
) -> None:
    settings_env(SIGN_IN_LOCKOUT_AFTER="1")
    throttle = SignInThrottle.from_settings(get_settings())
    portal_env.run(lambda session: throttle.sign_in(session, SignInAttempt("editor@acme.test", "203.0.113.7"), "nope"))

    assert post(client, "editor@acme.test", PASSWORD)["query"]["sign_in_error"] == "locked"
