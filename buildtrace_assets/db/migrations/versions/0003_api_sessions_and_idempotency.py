"""REST API state: sign-in sessions, rotating refresh tokens and idempotency keys.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 04:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from buildtrace_assets.db.base import UTCDateTime

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``api_sessions``, ``api_refresh_tokens`` and ``api_idempotency_keys``."""
    op.create_table(
        "api_sessions",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=32), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_sessions")),
    )
    with op.batch_alter_table("api_sessions") as batch_op:
        batch_op.create_index(batch_op.f("ix_api_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "api_refresh_tokens",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["api_sessions.id"],
            name=op.f("fk_api_refresh_tokens_session_id_api_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_refresh_tokens_token_hash")),
    )
    with op.batch_alter_table("api_refresh_tokens") as batch_op:
        batch_op.create_index(batch_op.f("ix_api_refresh_tokens_session_id"), ["session_id"], unique=False)

    op.create_table(
        "api_idempotency_keys",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("response_mimetype", sa.String(length=100), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_idempotency_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_idempotency_keys")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_api_idempotency_keys_user_id_key")),
    )
    with op.batch_alter_table("api_idempotency_keys") as batch_op:
        batch_op.create_index(batch_op.f("ix_api_idempotency_keys_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    """Drop the API tables."""
    op.drop_table("api_idempotency_keys")
    op.drop_table("api_refresh_tokens")
    op.drop_table("api_sessions")
