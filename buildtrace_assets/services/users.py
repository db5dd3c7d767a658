"""Local accounts: creation, passwords (Argon2id, checked and set) and look-ups."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import User
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import SYSTEM, Actor
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound
from buildtrace_assets.services.organizations import get_or_create_organization
from buildtrace_assets.services.sessions import revoke_user_sessions

MIN_PASSWORD_LENGTH = 8
DEFAULT_ORGANIZATION = "Default"

PASSWORD_HASHER = PasswordHasher()
"""Argon2id with the library's recommended parameters."""


def normalize_email(email: str) -> str:
    """The form emails are stored and looked up in; rejects what is clearly not an address."""
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise InvalidInput(f"not an e-mail address: {email!r}")
    return email


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")


def create_user(
    session: Session,
    email: str,
    password: str,
    *,
    display_name: str | None = None,
    organization: str = DEFAULT_ORGANIZATION,
    actor: Actor = SYSTEM,
) -> User:
    """A new active user in ``organization`` (created when missing)."""
    email = normalize_email(email)
    _check_password(password)
    if find_user(session, email) is not None:
        raise Conflict(f"a user with e-mail {email} already exists")
    org = get_or_create_organization(session, organization, actor)
    user = User(
        organization_id=org.id,
        email=email,
        password_hash=PASSWORD_HASHER.hash(password),
        display_name=(display_name or email.split("@")[0]).strip(),
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor, "user.create", user, organization_id=org.id, project_id=None, after=audit.snapshot(user)
    )
    return user


def find_user(session: Session, email: str) -> User | None:
    """The user with this e-mail address, if any."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def get_user_by_email(session: Session, email: str) -> User:
    """The active user with this e-mail address; :class:`NotFound` otherwise."""
    user = find_user(session, email)
    if user is None or not user.is_active:
        raise NotFound(f"no active user with e-mail {email.strip()}")
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user when the password matches, else None (the same answer for an unknown e-mail)."""
    user = find_user(session, email)
    if user is None or not user.is_active:
        PASSWORD_HASHER.hash(password)  # spend the same time, so timing does not reveal which e-mails exist
        return None
    try:
        PASSWORD_HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = PASSWORD_HASHER.hash(password)
        session.flush()
    return user


PASSWORD_SET_REASON = "password_set"
"""Why the sessions of a person whose password was set were ended (``api_sessions.revoked_reason``)."""


def set_password(session: Session, email: str, password: str, *, actor: Actor = SYSTEM) -> int:
    """Give the active user ``email`` a new password; the number of their sessions it ended.

    How a person without a usable password (an account brought in by ``buildtrace legacy import``, whose
    password is random) gets one, and how an operator resets a forgotten or leaked one. Every live session of
    the person (API clients and browsers) ends with it, so whoever held the old password is signed out too.
    """
    _check_password(password)
    user = get_user_by_email(session, email)
    user.password_hash = PASSWORD_HASHER.hash(password)
    ended = revoke_user_sessions(session, user.id, PASSWORD_SET_REASON)
    audit.record(
        session,
        actor,
        "user.password_set",
        user,
        organization_id=user.organization_id,
        project_id=None,
        after={"sessions_ended": ended},
    )
    return ended
