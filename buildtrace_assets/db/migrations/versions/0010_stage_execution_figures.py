"""What a step measured about itself, on its stage execution: engine time, sheets and peak memory of a diff,
the summarizer call of a summary.

The pipeline exporter reads these rows at scrape time, so the step figures
reach Prometheus whatever the executor (one pod per step shares no directory
with the exporter).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 06:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("engine_seconds", sa.Float()),
    ("sheets", sa.Integer()),
    ("peak_memory_bytes", sa.BigInteger()),
    ("summarizer_model", sa.String(length=128)),
    ("summarizer_seconds", sa.Float()),
    ("summarizer_failed", sa.Boolean()),
    ("prompt_tokens", sa.Integer()),
    ("completion_tokens", sa.Integer()),
)


def upgrade() -> None:
    """Add the figures, all nullable (a step that measured nothing of a kind leaves it empty)."""
    with op.batch_alter_table("stage_executions") as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("stage_executions") as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
