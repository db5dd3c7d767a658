"""Server-side portal sessions: started at sign-in, looked up at every page run, revoked at sign-out.

They are rows of the same :class:`ApiSession` table as the REST API's
sign-ins, so one revocation mechanism ("sign out everywhere" ends API and
portal sessions alike) and one place to see who is signed in. A portal
session expires ``portal_session_ttl_s`` after it started; the expiry is
checked here, on the server, not trusted from the cookie.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import User
from buildtrace_assets.db.models.api import ApiSession
from buildtrace_assets.services.sessions import SIGNED_OUT, SIGNED_OUT_EVERYWHERE, revoke_session, revoke_user_sessions


def start(session: Session, user_id: str) -> str:
    """A new session for a person whose password was just checked; its id goes into the cookie."""
    row = ApiSession(user_id=user_id)
    session.add(row)
    session.flush()
    return row.id


def live_user(session: Session, session_id: str, ttl_s: float) -> User | None:
    """The active user of a session that is neither revoked nor older than ``ttl_s``; None otherwise."""
    return session.scalar(
        select(User)
        .join(ApiSession, ApiSession.user_id == User.id)
        .where(
            ApiSession.id == session_id,
            ApiSession.revoked_at.is_(None),
            ApiSession.created_at > utcnow() - timedelta(seconds=ttl_s),
            User.is_active.is_(True),
        )
    )


def revoke(session: Session, session_id: str) -> None:
    """Sign out this browser: the cookie it still holds is refused from now on."""
    revoke_session(session, session_id, SIGNED_OUT)


def revoke_all(session: Session, user_id: str) -> int:
    """Sign a person out of every browser and API client; the number of sessions ended."""
    return revoke_user_sessions(session, user_id, SIGNED_OUT_EVERYWHERE)
