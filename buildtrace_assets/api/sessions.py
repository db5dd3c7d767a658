"""Sign-in sessions: login, single-use refresh tokens that rotate, and revocation.

Each login starts an :class:`ApiSession`; every refresh spends the
presented refresh token and issues a new pair in the same session. A spent
token presented again means it was copied, so the whole session is revoked:
the thief's and the user's tokens stop working together, and the user signs
in again. Spending is a conditional UPDATE, so two refreshes racing with one
token cannot both succeed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.api.config import ApiSettings
from buildtrace_assets.api.errors import TooManyRequests, Unauthorized
from buildtrace_assets.api.tokens import AccessClaims, issue_access_token
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import User
from buildtrace_assets.db.models.api import ApiSession, RefreshToken
from buildtrace_assets.db.session import transaction
from buildtrace_assets.services.errors import TooManyAttempts
from buildtrace_assets.services.sessions import REFRESH_TOKEN_REUSED, SIGNED_OUT, revoke_session
from buildtrace_assets.services.sign_in_throttle import SignInAttempt, SignInThrottle

REUSED = REFRESH_TOKEN_REUSED
LOGOUT = SIGNED_OUT


@dataclass(frozen=True)
class TokenPair:
    """What login and refresh hand out."""

    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


class RefreshTokenReused(Unauthorized):
    """A spent refresh token came back: the session it belongs to must be revoked."""

    def __init__(self, session_id: str) -> None:
        super().__init__("this refresh token was already used; the session is revoked, sign in again", "token_reused")
        self.session_id = session_id


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(session: Session, settings: ApiSettings, api_session: ApiSession) -> TokenPair:
    now = utcnow()
    refresh_token = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            session_id=api_session.id,
            token_hash=_digest(refresh_token),
            expires_at=now + timedelta(seconds=settings.refresh_token_ttl_s),
        )
    )
    session.flush()
    return TokenPair(
        access_token=issue_access_token(settings, api_session.user_id, api_session.id, now),
        refresh_token=refresh_token,
        expires_in=settings.access_token_ttl_s,
    )


def login(
    session_factory: sessionmaker[Session],
    settings: ApiSettings,
    throttle: SignInThrottle,
    attempt: SignInAttempt,
    password: str,
) -> TokenPair:
    """A new session when the throttle lets the attempt through and the password matches.

    The check runs in a transaction of its own, not the request's: the
    request's is rolled back on any refusal, and a wrong password must still
    be counted. While throttled the answer is a 429 whose ``Retry-After`` is
    the wait in seconds; a wrong password is the usual 401.
    """
    try:
        with transaction(session_factory) as session:
            user = throttle.sign_in(session, attempt, password)
            pair = None if user is None else start_session(session, settings, user)
    except TooManyAttempts as refusal:
        raise TooManyRequests(str(refusal), refusal.retry_after_s, refusal.code) from refusal
    if pair is None:
        raise Unauthorized("wrong e-mail address or password", code="invalid_credentials")
    return pair


def start_session(session: Session, settings: ApiSettings, user: User) -> TokenPair:
    """A new sign-in session for an authenticated user, with its first token pair."""
    api_session = ApiSession(user_id=user.id)
    session.add(api_session)
    session.flush()
    return _issue(session, settings, api_session)


def refresh(session_factory: sessionmaker[Session], settings: ApiSettings, refresh_token: str) -> TokenPair:
    """Spend ``refresh_token`` for a new pair; on reuse, revoke its session (committed) and raise."""
    try:
        with transaction(session_factory) as session:
            return rotate(session, settings, refresh_token)
    except RefreshTokenReused as reuse:
        with transaction(session_factory) as session:
            revoke(session, reuse.session_id, REUSED)
        raise


def rotate(session: Session, settings: ApiSettings, refresh_token: str) -> TokenPair:
    """Spend ``refresh_token`` for a new pair in this transaction; :class:`RefreshTokenReused` when already spent."""
    row = session.execute(
        select(RefreshToken, ApiSession, User)
        .join(ApiSession, ApiSession.id == RefreshToken.session_id)
        .join(User, User.id == ApiSession.user_id)
        .where(RefreshToken.token_hash == _digest(refresh_token))
    ).first()
    if row is None:
        raise Unauthorized("unknown refresh token", code="invalid_token")
    token, api_session, user = row
    if api_session.revoked_at is not None or not user.is_active:
        raise Unauthorized("this session has ended; sign in again", code="session_revoked")
    now = utcnow()
    if token.expires_at <= now:
        raise Unauthorized("the refresh token has expired; sign in again", code="token_expired")
    # An UPDATE's result is a CursorResult (it has the rowcount); Session.execute is typed with the base class.
    spent = cast(
        CursorResult[Any],
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == token.id, RefreshToken.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if spent.rowcount != 1:
        raise RefreshTokenReused(api_session.id)
    return _issue(session, settings, api_session)


def revoke(session: Session, session_id: str, reason: str) -> None:
    """End a sign-in session: its access and refresh tokens stop working at once."""
    revoke_session(session, session_id, reason)


def signed_in_user(session: Session, claims: AccessClaims) -> User:
    """The active user of a live session named by a verified access token."""
    user = session.scalar(
        select(User)
        .join(ApiSession, ApiSession.user_id == User.id)
        .where(
            ApiSession.id == claims.session_id,
            ApiSession.revoked_at.is_(None),
            User.id == claims.user_id,
            User.is_active.is_(True),
        )
    )
    if user is None:
        raise Unauthorized("this session has ended; sign in again", code="session_revoked")
    return user
