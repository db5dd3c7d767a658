"""Pipeline requests follow their run (summarize kind, queued/running/done/failed with the reason); stage
executions; the executor of an audited change.

``pipeline_requests`` is rebuilt by batch mode on SQLite: no table refers to
it, so dropping and copying it cascades to nothing. Requests already handed
to a run (``submitted``) become ``queued``; the request sensor moves them on
from their run's state.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 05:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from buildtrace_assets.db.base import UTCDateTime

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_TARGET = "(kind = 'analyze' AND drawing_version_id IS NOT NULL) OR (kind = 'compare' AND job_id IS NOT NULL)"
NEW_TARGET = (
    "(kind = 'analyze' AND drawing_version_id IS NOT NULL) OR (kind IN ('compare', 'summarize') AND job_id IS NOT NULL)"
)
NEW_STATUSES = "status IN ('pending', 'queued', 'running', 'done', 'failed')"
OLD_STATUSES = "status IN ('pending', 'submitted')"


def _request_checks(kinds: str, statuses: str, target: str) -> None:
    with op.batch_alter_table("pipeline_requests") as batch_op:
        for name in ("kind", "status", "target"):
            batch_op.drop_constraint(op.f(f"ck_pipeline_requests_{name}"), type_="check")
        batch_op.create_check_constraint(op.f("ck_pipeline_requests_kind"), kinds)
        batch_op.create_check_constraint(op.f("ck_pipeline_requests_status"), statuses)
        batch_op.create_check_constraint(op.f("ck_pipeline_requests_target"), target)


def upgrade() -> None:
    """Add the request lifecycle, ``stage_executions`` and ``audit_logs.executed_by``."""
    with op.batch_alter_table("pipeline_requests") as batch_op:
        batch_op.add_column(sa.Column("finished_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("error_message", sa.Text(), nullable=True))
    op.execute("UPDATE pipeline_requests SET status = 'queued' WHERE status = 'submitted'")
    _request_checks("kind IN ('analyze', 'compare', 'summarize')", NEW_STATUSES, NEW_TARGET)
    with op.batch_alter_table("audit_logs") as batch_op:
        batch_op.add_column(sa.Column("executed_by", sa.String(length=32), nullable=True))
    op.create_table(
        "stage_executions",
        sa.Column("stage_id", sa.String(length=36), nullable=False),
        sa.Column("dagster_run_id", sa.String(length=64), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("attempt >= 1", name=op.f("ck_stage_executions_attempt_positive")),
        sa.CheckConstraint(
            "status IN ('pending', 'in_progress', 'completed', 'failed', 'skipped')",
            name=op.f("ck_stage_executions_status"),
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["job_stages.id"], name=op.f("fk_stage_executions_stage_id_job_stages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_executions")),
    )
    op.create_index(
        op.f("ix_stage_executions_stage_id_started_at"), "stage_executions", ["stage_id", "started_at"], unique=False
    )


def downgrade() -> None:
    """Drop them; requests of the new kind go, the others fall back to ``pending``/``submitted``."""
    op.drop_index(op.f("ix_stage_executions_stage_id_started_at"), table_name="stage_executions")
    op.drop_table("stage_executions")
    with op.batch_alter_table("audit_logs") as batch_op:
        batch_op.drop_column("executed_by")
    op.execute("DELETE FROM pipeline_requests WHERE kind = 'summarize'")
    op.execute("UPDATE pipeline_requests SET status = 'submitted' WHERE status <> 'pending'")
    _request_checks("kind IN ('analyze', 'compare')", OLD_STATUSES, OLD_TARGET)
    with op.batch_alter_table("pipeline_requests") as batch_op:
        batch_op.drop_column("error_message")
        batch_op.drop_column("finished_at")
