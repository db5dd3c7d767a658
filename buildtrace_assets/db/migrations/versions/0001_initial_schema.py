"""Initial schema: every table, constraint and index of the app database.

Revision ID: 0001
Revises:
Create Date: 2026-11-29 02:42:10.250156

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from buildtrace_assets.db.base import UTCDateTime

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "organizations",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("name", name=op.f("uq_organizations_name")),
    )
    op.create_table(
        "users",
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_users_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "projects",
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_projects_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_projects_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "audit_logs",
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("project_id", sa.String(length=36), nullable=True),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("before", JSON_DOCUMENT, nullable=True),
        sa.Column("after", JSON_DOCUMENT, nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_audit_logs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_audit_logs_project_id_projects"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_logs_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_logs")),
    )
    with op.batch_alter_table("audit_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_logs_action"), ["action"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_logs_entity_type_entity_id"), ["entity_type", "entity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_logs_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_logs_project_id_created_at"), ["project_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_logs_user_id"), ["user_id"], unique=False)

    op.create_table(
        "drawings",
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_drawings_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drawings")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_drawings_project_id_name")),
    )
    with op.batch_alter_table("drawings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drawings_project_id"), ["project_id"], unique=False)

    op.create_table(
        "project_members",
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'editor', 'viewer')", name=op.f("ck_project_members_role")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_members_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_project_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_members")),
        sa.UniqueConstraint("project_id", "user_id", name=op.f("uq_project_members_project_id_user_id")),
    )
    with op.batch_alter_table("project_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_members_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "drawing_versions",
        sa.Column("drawing_id", sa.String(length=36), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=1024), nullable=False),
        sa.Column("original_filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("file_kind", sa.String(length=8), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("ocr_status", sa.String(length=16), nullable=False),
        sa.Column("ocr_result_ref", sa.String(length=1024), nullable=True),
        sa.Column("rasterized_image_ref", sa.String(length=1024), nullable=True),
        sa.Column("uploaded_by", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("file_kind IN ('pdf', 'png', 'jpeg', 'dxf')", name=op.f("ck_drawing_versions_file_kind")),
        sa.CheckConstraint(
            "ocr_status IN ('pending', 'in_progress', 'completed', 'failed')",
            name=op.f("ck_drawing_versions_ocr_status"),
        ),
        sa.CheckConstraint("file_size > 0", name=op.f("ck_drawing_versions_file_size_positive")),
        sa.CheckConstraint("version_number >= 1", name=op.f("ck_drawing_versions_version_number_positive")),
        sa.ForeignKeyConstraint(
            ["drawing_id"], ["drawings.id"], name=op.f("fk_drawing_versions_drawing_id_drawings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_drawing_versions_uploaded_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drawing_versions")),
        sa.UniqueConstraint("drawing_id", "file_hash", name=op.f("uq_drawing_versions_drawing_id_file_hash")),
        sa.UniqueConstraint("drawing_id", "version_number", name=op.f("uq_drawing_versions_drawing_id_version_number")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_drawing_versions_storage_key")),
    )
    with op.batch_alter_table("drawing_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drawing_versions_drawing_id"), ["drawing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_drawing_versions_file_hash"), ["file_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_drawing_versions_uploaded_by"), ["uploaded_by"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("old_drawing_version_id", sa.String(length=36), nullable=False),
        sa.Column("new_drawing_version_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed', 'cancelled')", name=op.f("ck_jobs_status")
        ),
        sa.CheckConstraint("old_drawing_version_id <> new_drawing_version_id", name=op.f("ck_jobs_distinct_versions")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_jobs_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["new_drawing_version_id"],
            ["drawing_versions.id"],
            name=op.f("fk_jobs_new_drawing_version_id_drawing_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["old_drawing_version_id"],
            ["drawing_versions.id"],
            name=op.f("fk_jobs_old_drawing_version_id_drawing_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_jobs_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_new_drawing_version_id"), ["new_drawing_version_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_old_drawing_version_id"), ["old_drawing_version_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_project_id_created_at"), ["project_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_status"), ["status"], unique=False)

    op.create_table(
        "diff_results",
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("changes_ref", sa.String(length=1024), nullable=False),
        sa.Column("overlay_refs", JSON_DOCUMENT, nullable=False),
        sa.Column("sheet_count", sa.Integer(), nullable=False),
        sa.Column("change_count", sa.Integer(), nullable=False),
        sa.Column("engine_version", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("sheet_count >= 0 AND change_count >= 0", name=op.f("ck_diff_results_counts_non_negative")),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_diff_results_job_id_jobs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diff_results")),
        sa.UniqueConstraint("job_id", name=op.f("uq_diff_results_job_id")),
    )
    op.create_table(
        "job_stages",
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("drawing_version_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("result_ref", sa.String(length=1024), nullable=True),
        sa.Column("dagster_run_id", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("stage IN ('ocr', 'diff', 'summary')", name=op.f("ck_job_stages_stage")),
        sa.CheckConstraint(
            "status IN ('pending', 'in_progress', 'completed', 'failed', 'skipped')", name=op.f("ck_job_stages_status")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_job_stages_attempts_non_negative")),
        sa.ForeignKeyConstraint(
            ["drawing_version_id"],
            ["drawing_versions.id"],
            name=op.f("fk_job_stages_drawing_version_id_drawing_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_job_stages_job_id_jobs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_stages")),
    )
    with op.batch_alter_table("job_stages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_stages_drawing_version_id"), ["drawing_version_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_stages_job_id"), ["job_id"], unique=False)
        # NULLs are distinct in unique constraints, so version-less stages are unique through coalesce.
        batch_op.create_index(
            "uq_job_stages_job_id_stage_version",
            ["job_id", "stage", sa.text("coalesce(drawing_version_id, '')")],
            unique=True,
        )

    op.create_table(
        "manual_overlays",
        sa.Column("diff_result_id", sa.String(length=36), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("parent_overlay_id", sa.String(length=36), nullable=True),
        sa.Column("changes", JSON_DOCUMENT, nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("version_number >= 1", name=op.f("ck_manual_overlays_version_number_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_manual_overlays_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["diff_result_id"],
            ["diff_results.id"],
            name=op.f("fk_manual_overlays_diff_result_id_diff_results"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_overlay_id"],
            ["manual_overlays.id"],
            name=op.f("fk_manual_overlays_parent_overlay_id_manual_overlays"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manual_overlays")),
        sa.UniqueConstraint(
            "diff_result_id", "version_number", name=op.f("uq_manual_overlays_diff_result_id_version_number")
        ),
    )
    with op.batch_alter_table("manual_overlays", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manual_overlays_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_manual_overlays_diff_result_id"), ["diff_result_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_manual_overlays_parent_overlay_id"), ["parent_overlay_id"], unique=False)
        batch_op.create_index(
            "uq_manual_overlays_one_active",
            ["diff_result_id"],
            unique=True,
            sqlite_where=sa.text("is_active"),
            postgresql_where=sa.text("is_active"),
        )

    op.create_table(
        "change_summaries",
        sa.Column("diff_result_id", sa.String(length=36), nullable=False),
        sa.Column("parent_summary_id", sa.String(length=36), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("overlay_id", sa.String(length=36), nullable=True),
        sa.Column("content", JSON_DOCUMENT, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("prompt_version", sa.String(length=32), nullable=True),
        sa.Column("metadata", JSON_DOCUMENT, nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "source IN ('machine', 'human_corrected', 'human_written')", name=op.f("ck_change_summaries_source")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_change_summaries_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["diff_result_id"],
            ["diff_results.id"],
            name=op.f("fk_change_summaries_diff_result_id_diff_results"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["overlay_id"],
            ["manual_overlays.id"],
            name=op.f("fk_change_summaries_overlay_id_manual_overlays"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_summary_id"],
            ["change_summaries.id"],
            name=op.f("fk_change_summaries_parent_summary_id_change_summaries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_summaries")),
    )
    with op.batch_alter_table("change_summaries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_summaries_created_by"), ["created_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_summaries_diff_result_id"), ["diff_result_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_summaries_overlay_id"), ["overlay_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_summaries_parent_summary_id"), ["parent_summary_id"], unique=False)
        batch_op.create_index(
            "uq_change_summaries_one_active",
            ["diff_result_id"],
            unique=True,
            sqlite_where=sa.text("is_active"),
            postgresql_where=sa.text("is_active"),
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("change_summaries")
    op.drop_table("manual_overlays")
    op.drop_table("job_stages")
    op.drop_table("diff_results")
    op.drop_table("jobs")
    op.drop_table("drawing_versions")
    op.drop_table("project_members")
    op.drop_table("drawings")
    op.drop_table("audit_logs")
    op.drop_table("projects")
    op.drop_table("users")
    op.drop_table("organizations")
