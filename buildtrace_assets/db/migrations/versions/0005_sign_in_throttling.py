"""Sign-in throttling: failed sign-ins counted per account and per client address.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 03:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from buildtrace_assets.db.base import UTCDateTime

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``sign_in_counters``."""
    op.create_table(
        "sign_in_counters",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UTCDateTime(), nullable=False),
        sa.Column("blocked_until", UTCDateTime(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("scope IN ('account', 'address')", name=op.f("ck_sign_in_counters_scope")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_counters")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_sign_in_counters_scope_key")),
    )


def downgrade() -> None:
    """Drop ``sign_in_counters``."""
    op.drop_table("sign_in_counters")
