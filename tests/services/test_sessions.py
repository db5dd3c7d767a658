"""Ending sign-in sessions, the part the REST API and the portal share."""

from __future__ import annotations

from sqlalchemy.orm import Session

from buildtrace_assets.db.models.api import ApiSession
from buildtrace_assets.services.sessions import SIGNED_OUT, SIGNED_OUT_EVERYWHERE, revoke_session, revoke_user_sessions
from buildtrace_assets.services.users import create_user


def test_a_session_ends_once_and_keeps_the_reason_of_its_first_end(db_session: Session) -> None:
    user = create_user(db_session, "ann@example.com", "s3cret-pass")
    row = ApiSession(user_id=user.id)
    db_session.add(row)
    db_session.flush()

    assert revoke_session(db_session, row.id, SIGNED_OUT) is True
    assert revoke_session(db_session, row.id, "refresh_token_reused") is False

    db_session.refresh(row)
    assert row.revoked_reason == SIGNED_OUT and row.revoked_at is not None


def test_ending_a_person_s_sessions_leaves_other_people_signed_in(db_session: Session) -> None:
    ann = create_user(db_session, "ann@example.com", "s3cret-pass")
    bob = create_user(db_session, "bob@example.com", "s3cret-pass")
    rows = [ApiSession(user_id=ann.id), ApiSession(user_id=ann.id), ApiSession(user_id=bob.id)]
    db_session.add_all(rows)
    db_session.flush()

    assert revoke_user_sessions(db_session, ann.id) == 2
    assert revoke_user_sessions(db_session, ann.id) == 0

    for row in rows:
        db_session.refresh(row)
    assert [row.revoked_reason for row in rows] == [SIGNED_OUT_EVERYWHERE, SIGNED_OUT_EVERYWHERE, None]
