"""While the database cannot be reached the portal explains it on a friendly page, never with a traceback."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from buildtrace_assets.config import get_settings
from tests.portal.support import People


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
def test_signing_in_during_an_outage_shows_the_outage_page(open_app: Callable[..., AppTest]) -> None:
    app = open_app()
    app.text_input[0].input("owner@acme.test")
    app.text_input[1].input("whatever-password")
    app.button[0].click().run()

    assert not app.exception
    assert len(outage_messages(app)) == 1 and "cannot reach its database" in outage_messages(app)[0]
