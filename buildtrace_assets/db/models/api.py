"""State of the REST API: sign-in sessions with their refresh tokens, and idempotency keys.

Access tokens are signed JWTs that are never stored; each one names the
:class:`ApiSession` it was issued in, so revoking the session (logout, or a
refresh token used twice) ends every token of that family at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from buildtrace_assets.db.base import Base, CreatedAtMixin, IdMixin


class ApiSession(IdMixin, CreatedAtMixin, Base):
    """One sign-in: the family of refresh tokens that rotate from one login."""

    __tablename__ = "api_sessions"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    """``logout`` or ``refresh_token_reused``."""


class RefreshToken(IdMixin, CreatedAtMixin, Base):
    """A single-use refresh token; only its SHA-256 is stored, so a database leak gives no usable token."""

    __tablename__ = "api_refresh_tokens"

    session_id: Mapped[str] = mapped_column(ForeignKey("api_sessions.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    """Set when the token was exchanged; presenting it again revokes the session."""


class IdempotencyRecord(IdMixin, CreatedAtMixin, Base):
    """A POST made with an ``Idempotency-Key``: claimed while it runs, then its stored response.

    ``status_code`` is NULL while the first request is still running; the
    unique (user, key) pair makes concurrent duplicates collide on insert.
    """

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the method, path and body, so a different request under the same key is told apart."""
    expires_at: Mapped[datetime] = mapped_column(index=True)
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    response_mimetype: Mapped[str | None] = mapped_column(String(100))
