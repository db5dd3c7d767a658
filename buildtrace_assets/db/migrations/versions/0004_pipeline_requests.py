"""Pipeline requests (the intake's outbox) and the bucket objects the intake has handled.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 02:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from buildtrace_assets.db.base import UTCDateTime

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``pipeline_requests`` and ``bucket_objects``; versions still pending get their request."""
    op.create_table(
        "pipeline_requests",
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("drawing_version_id", sa.String(length=36), nullable=True),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("requested_by", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("dagster_run_id", sa.String(length=64), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('analyze', 'compare')", name=op.f("ck_pipeline_requests_kind")),
        sa.CheckConstraint("status IN ('pending', 'submitted')", name=op.f("ck_pipeline_requests_status")),
        sa.CheckConstraint(
            "(kind = 'analyze' AND drawing_version_id IS NOT NULL) OR (kind = 'compare' AND job_id IS NOT NULL)",
            name=op.f("ck_pipeline_requests_target"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_pipeline_requests_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["drawing_version_id"],
            ["drawing_versions.id"],
            name=op.f("fk_pipeline_requests_drawing_version_id_drawing_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_pipeline_requests_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_pipeline_requests_requested_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_requests")),
    )
    with op.batch_alter_table("pipeline_requests") as batch_op:
        for column in ("project_id", "drawing_version_id", "job_id", "requested_by", "status"):
            batch_op.create_index(batch_op.f(f"ix_pipeline_requests_{column}"), [column], unique=False)

    op.create_table(
        "bucket_objects",
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("etag", sa.String(length=255), nullable=False),
        sa.Column("drawing_version_id", sa.String(length=36), nullable=True),
        sa.Column("refusal", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["drawing_version_id"],
            ["drawing_versions.id"],
            name=op.f("fk_bucket_objects_drawing_version_id_drawing_versions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_bucket_objects")),
    )
    with op.batch_alter_table("bucket_objects") as batch_op:
        batch_op.create_index(batch_op.f("ix_bucket_objects_drawing_version_id"), ["drawing_version_id"], unique=False)

    # Versions registered before the outbox existed and never analyzed start from a request like new ones.
    op.execute(
        "INSERT INTO pipeline_requests (id, created_at, project_id, kind, drawing_version_id, reason, status) "
        "SELECT drawing_versions.id, drawing_versions.created_at, drawings.project_id, 'analyze', "
        "drawing_versions.id, 'registered before the intake outbox', 'pending' "
        "FROM drawing_versions JOIN drawings ON drawings.id = drawing_versions.drawing_id "
        "WHERE drawing_versions.ocr_status = 'pending'"
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("bucket_objects")
    op.drop_table("pipeline_requests")
