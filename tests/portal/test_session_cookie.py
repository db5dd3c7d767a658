"""The session cookie names a session id and nothing else, and only a value signed with the portal's key counts."""

from __future__ import annotations

import pytest

from portal import session_cookie

KEY = b"the portal's key"


def test_a_signed_value_gives_back_its_session_id() -> None:
    assert session_cookie.verify(KEY, session_cookie.sign(KEY, "3f2c-session")) == "3f2c-session"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "3f2c-session",
        session_cookie.sign(b"another key", "3f2c-session"),
        session_cookie.sign(KEY, "3f2c-session").replace("3f2c", "3f2d", 1),
        session_cookie.sign(KEY, "3f2c-session") + ".extra",
    ],
)
def test_a_missing_forged_or_altered_value_names_no_session(value: str | None) -> None:
    assert session_cookie.verify(KEY, value) is None
