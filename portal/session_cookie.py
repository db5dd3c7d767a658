"""The portal's session cookie: a server-side session id, signed so a forged or altered value is refused unread.

The cookie carries nothing but the id of an :class:`ApiSession` row and an
HMAC-SHA256 of it; who the person is, whether the session was revoked and
when it expires are looked up on the server at every page run
(:mod:`portal.sessions`), so signing out, deactivating a user or "sign out
everywhere" takes effect at once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from functools import lru_cache

from buildtrace_assets.config import Settings

COOKIE_NAME = "buildtrace_session"
_LOG = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _process_key() -> bytes:
    _LOG.warning(
        "BUILDTRACE_PORTAL_SESSION_SECRET is not set: portal sign-ins end when this process restarts "
        "and are not shared between replicas"
    )
    return secrets.token_bytes(32)


def signing_key(settings: Settings) -> bytes:
    """The configured key, else one random key for the life of this process."""
    if settings.portal_session_secret is None:
        return _process_key()
    return settings.portal_session_secret.get_secret_value().encode()


def _signature(key: bytes, session_id: str) -> str:
    return hmac.new(key, session_id.encode(), hashlib.sha256).hexdigest()


def sign(key: bytes, session_id: str) -> str:
    """The cookie value naming ``session_id``."""
    return f"{session_id}.{_signature(key, session_id)}"


def verify(key: bytes, value: str | None) -> str | None:
    """The session id of a cookie value signed with ``key``; None for a missing, malformed or forged value."""
    if not value or value.count(".") != 1:
        return None
    session_id, signature = value.split(".")
    if not hmac.compare_digest(signature, _signature(key, session_id)):
        return None
    return session_id
