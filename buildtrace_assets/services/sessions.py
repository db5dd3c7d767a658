"""Ending sign-in sessions, shared by the REST API and the portal.

Both keep their sign-ins as :class:`ApiSession` rows, so one revocation ends a
session whichever of them started it: the API's tokens and the portal's cookie
are refused from the next request on. Each revocation is a conditional UPDATE,
so an already revoked session keeps the time and reason of its first end.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, update
from sqlalchemy.orm import Session

from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models.api import ApiSession

SIGNED_OUT = "logout"
SIGNED_OUT_EVERYWHERE = "logout_everywhere"
REFRESH_TOKEN_REUSED = "refresh_token_reused"


def _revoke_where(session: Session, condition: ColumnElement[bool], reason: str) -> int:
    # An UPDATE's result is a CursorResult (it has the rowcount); Session.execute is typed with the base class.
    ended = cast(
        CursorResult[Any],
        session.execute(
            update(ApiSession)
            .where(condition, ApiSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason=reason)
            .execution_options(synchronize_session=False)
        ),
    )
    return ended.rowcount


def revoke_session(session: Session, session_id: str, reason: str) -> bool:
    """End one sign-in session (its tokens or cookie stop working at once); False when it had already ended."""
    return _revoke_where(session, ApiSession.id == session_id, reason) == 1


def revoke_user_sessions(session: Session, user_id: str, reason: str = SIGNED_OUT_EVERYWHERE) -> int:
    """End every live session of a person, API clients and browsers alike; the number ended."""
    return _revoke_where(session, ApiSession.user_id == user_id, reason)
