"""Setting a password: how an imported legacy user gets a first one and how an operator resets one."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog
from buildtrace_assets.db.models.api import ApiSession
from buildtrace_assets.services.errors import InvalidInput, NotFound
from buildtrace_assets.services.users import PASSWORD_SET_REASON, authenticate, create_user, set_password


def test_the_new_password_signs_in_and_the_old_one_no_longer_does(db_session: Session) -> None:
    create_user(db_session, "ann@example.com", "old-password")

    set_password(db_session, " Ann@Example.com ", "new-password")

    assert authenticate(db_session, "ann@example.com", "new-password") is not None
    assert authenticate(db_session, "ann@example.com", "old-password") is None


def test_every_live_session_of_the_person_ends_and_the_change_is_audited_without_the_hash(
    db_session: Session,
) -> None:
    ann = create_user(db_session, "ann@example.com", "old-password")
    bob = create_user(db_session, "bob@example.com", "bobs-password")
    browser, client, ended_before, bobs = (ApiSession(user_id=user.id) for user in (ann, ann, ann, bob))
    db_session.add_all([browser, client, ended_before, bobs])
    db_session.flush()
    ended_before.revoked_reason = "logout"
    ended_before.revoked_at = ended_before.created_at
    db_session.flush()

    assert set_password(db_session, "ann@example.com", "new-password") == 2

    reasons = {row.id: row.revoked_reason for row in db_session.scalars(select(ApiSession))}
    assert reasons == {
        browser.id: PASSWORD_SET_REASON,
        client.id: PASSWORD_SET_REASON,
        ended_before.id: "logout",
        bobs.id: None,
    }
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "user.password_set")).one()
    assert (entry.entity_id, entry.after) == (ann.id, {"sessions_ended": 2})


def test_a_short_password_is_refused_and_the_old_one_stays(db_session: Session) -> None:
    create_user(db_session, "ann@example.com", "old-password")

    with pytest.raises(InvalidInput, match="at least 8 characters"):
        set_password(db_session, "ann@example.com", "short")

    assert authenticate(db_session, "ann@example.com", "old-password") is not None


def test_an_unknown_or_inactive_account_is_not_found(db_session: Session) -> None:
    user = create_user(db_session, "ann@example.com", "old-password")
    user.is_active = False
    db_session.flush()

    for email in ("ann@example.com", "nobody@example.com"):
        with pytest.raises(NotFound):
            set_password(db_session, email, "new-password")
