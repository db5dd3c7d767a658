"""Pipeline requests carry the trace context of the upload that asked for them.

An upload's trace now starts at its HTTP request (whose trace id is random), so
the sensor can no longer derive the trace from the version id alone: the
registration span's W3C ``traceparent`` is stored with the analysis request.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:55:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``pipeline_requests.traceparent``."""
    with op.batch_alter_table("pipeline_requests") as batch_op:
        batch_op.add_column(sa.Column("traceparent", sa.String(length=55), nullable=True))


def downgrade() -> None:
    """Drop it; sensors fall back to the trace named after the version."""
    with op.batch_alter_table("pipeline_requests") as batch_op:
        batch_op.drop_column("traceparent")
