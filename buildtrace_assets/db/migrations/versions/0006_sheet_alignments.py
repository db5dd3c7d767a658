"""Manual sheet alignments: the point pairs a person gave to align a sheet of a diff result.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 04:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from buildtrace_assets.db.base import UTCDateTime

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Add ``sheet_alignments``."""
    op.create_table(
        "sheet_alignments",
        sa.Column("diff_result_id", sa.String(length=36), nullable=False),
        sa.Column("sheet_key", sa.String(length=255), nullable=False),
        sa.Column("points", JSON_DOCUMENT, nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["diff_result_id"],
            ["diff_results.id"],
            name=op.f("fk_sheet_alignments_diff_result_id_diff_results"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_sheet_alignments_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheet_alignments")),
        sa.UniqueConstraint("diff_result_id", "sheet_key", name=op.f("uq_sheet_alignments_diff_result_id_sheet_key")),
    )
    with op.batch_alter_table("sheet_alignments") as batch_op:
        batch_op.create_index(batch_op.f("ix_sheet_alignments_diff_result_id"), ["diff_result_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sheet_alignments_created_by"), ["created_by"], unique=False)


def downgrade() -> None:
    """Drop ``sheet_alignments``."""
    op.drop_table("sheet_alignments")
