"""While the database cannot be reached the portal explains it on a friendly page, never with a traceback."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from buildtrace_assets.config import get_settings
from portal.sign_in_route import ROUTES
from tests.portal.support import APP, People


@pytest.fixture
def database_down(people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    """The portal's database URL names a PostgreSQL port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("BUILDTRACE_DATABASE_URL", f"postgresql+psycopg2://postgres@127.0.0.1:{port}/buildtrace")
    get_settings.cache_clear()


def outage_messages(app: AppTest) -> list[str]:
    return [error.value for error in app.error]


@pytest.mark.usefixtures("database_down")
def test_a_signed_in_user_sees_the_outage_page_and_can_try_again(
    open_app: Callable[..., AppTest], people: People, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="portal.outage"):
        app = open_app(people.owner)

    assert not app.exception
    assert outage_messages(app) == [
        (
            "BuildTrace cannot reach its database at the moment, so this page cannot be shown. "
            "Nothing you did caused this; what you were saving, if anything, was not saved. "
            "Please try again in a minute."
        )
    ]
    assert [button.label for button in app.button] == ["Try again"]
    (record,) = [r for r in caplog.records if r.name == "portal.outage"]
    assert record.exc_info is None and record.getMessage().startswith("database unavailable: OperationalError: ")

    app.button[0].click().run()
    assert not app.exception and len(outage_messages(app)) == 1


@pytest.mark.usefixtures("database_down")
def test_signing_in_during_an_outage_goes_back_to_the_form_with_a_message_not_an_error() -> None:
    with TestClient(Starlette(routes=ROUTES), follow_redirects=False) as client:
        answer = client.post("/auth/sign-in", data={"email": "owner@acme.test", "password": "x", "next": "/jobs"})

    assert (answer.status_code, answer.headers["location"]) == (303, "/jobs?sign_in_error=unavailable")
    assert "set-cookie" not in answer.headers
    app = AppTest.from_file(str(APP))
    app.query_params["sign_in_error"] = "unavailable"
    app.run()
    assert not app.exception
    assert [error.value for error in app.error] == [
        "BuildTrace cannot reach its database right now, so nobody can sign in; try again in a minute."
    ]
