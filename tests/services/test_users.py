"""Local accounts: Argon2 hashes, normalized unique e-mails, constant answers for failed sign-ins."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog, Organization, User
from buildtrace_assets.services import users
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound
from buildtrace_assets.services.users import authenticate, create_user, get_user_by_email


def test_create_user_hashes_the_password_and_joins_the_organization(db_session: Session) -> None:
    user = create_user(db_session, "  Ann@Example.COM ", "s3cret-pass", display_name="Ann", organization="Acme")
    db_session.commit()

    assert user.email == "ann@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret-pass" not in user.password_hash
    assert db_session.get(Organization, user.organization_id).name == "Acme"
    actions = db_session.scalars(select(AuditLog.action).order_by(AuditLog.created_at)).all()
    assert actions == ["organization.create", "user.create"]
    assert (
        "password_hash" not in db_session.scalars(select(AuditLog).where(AuditLog.action == "user.create")).one().after
    )


def test_users_of_one_organization_share_it(db_session: Session) -> None:
    first = create_user(db_session, "a@acme.test", "password1", organization="Acme")
    second = create_user(db_session, "b@acme.test", "password2", organization="Acme")
    assert first.organization_id == second.organization_id


def test_authenticate_accepts_only_the_right_password(db_session: Session) -> None:
    create_user(db_session, "ann@example.com", "s3cret-pass")
    assert authenticate(db_session, "ANN@example.com", "s3cret-pass") is not None
    assert authenticate(db_session, "ann@example.com", "wrong-pass") is None
    assert authenticate(db_session, "nobody@example.com", "s3cret-pass") is None


def test_inactive_users_cannot_sign_in_or_be_found(db_session: Session) -> None:
    user = create_user(db_session, "ann@example.com", "s3cret-pass")
    user.is_active = False
    db_session.flush()
    assert authenticate(db_session, "ann@example.com", "s3cret-pass") is None
    with pytest.raises(NotFound):
        get_user_by_email(db_session, "ann@example.com")


@pytest.mark.parametrize(
    ("email", "password"), [("not-an-email", "long enough"), ("a@b", "long enough"), ("ann@example.com", "short")]
)
def test_bad_accounts_are_refused_and_nothing_is_written(db_session: Session, email: str, password: str) -> None:
    with pytest.raises(InvalidInput):
        create_user(db_session, email, password)
    assert db_session.scalars(select(User)).all() == []
    assert db_session.scalars(select(AuditLog)).all() == []


def test_email_is_unique_whatever_its_case(db_session: Session) -> None:
    create_user(db_session, "ann@example.com", "s3cret-pass")
    with pytest.raises(Conflict, match="already exists"):
        create_user(db_session, "ANN@example.com", "other-pass")


def test_old_hashes_are_upgraded_at_sign_in(db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    user = create_user(db_session, "ann@example.com", "s3cret-pass")
    old_hash = user.password_hash
    monkeypatch.setattr(users, "PASSWORD_HASHER", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))

    assert authenticate(db_session, "ann@example.com", "s3cret-pass") is user
    assert user.password_hash != old_hash
    assert authenticate(db_session, "ann@example.com", "s3cret-pass") is user
