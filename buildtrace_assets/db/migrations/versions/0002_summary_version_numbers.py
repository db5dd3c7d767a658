"""Number change summaries like manual overlays, so their history has an order that never ties.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 03:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMBER_EXISTING_SUMMARIES = """
UPDATE change_summaries SET version_number = (
    SELECT count(*) FROM change_summaries AS earlier
    WHERE earlier.diff_result_id = change_summaries.diff_result_id
      AND (earlier.created_at < change_summaries.created_at
           OR (earlier.created_at = change_summaries.created_at AND earlier.id <= change_summaries.id))
)
"""


def upgrade() -> None:
    """Add ``version_number``, numbering existing summaries by creation time."""
    with op.batch_alter_table("change_summaries") as batch_op:
        batch_op.add_column(sa.Column("version_number", sa.Integer(), nullable=True))
    op.execute(NUMBER_EXISTING_SUMMARIES)
    with op.batch_alter_table("change_summaries") as batch_op:
        batch_op.alter_column("version_number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            op.f("uq_change_summaries_diff_result_id_version_number"), ["diff_result_id", "version_number"]
        )
        batch_op.create_check_constraint(op.f("ck_change_summaries_version_number_positive"), "version_number >= 1")


def downgrade() -> None:
    """Drop ``version_number`` again."""
    with op.batch_alter_table("change_summaries") as batch_op:
        batch_op.drop_constraint(op.f("ck_change_summaries_version_number_positive"), type_="check")
        batch_op.drop_constraint(op.f("uq_change_summaries_diff_result_id_version_number"), type_="unique")
        batch_op.drop_column("version_number")
