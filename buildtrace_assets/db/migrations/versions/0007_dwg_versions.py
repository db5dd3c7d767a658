"""DWG drawing versions: ``dwg`` among the file kinds a version may have.

On SQLite the CHECK constraint's text is changed in place (SQLite's
documented way to change a CHECK, with ``writable_schema``): rebuilding
``drawing_versions`` as batch mode does would drop the table, and SQLite's
implicit delete on drop cascades to every job, diff result and summary of
its versions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 05:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WITH_DWG = "file_kind IN ('pdf', 'png', 'jpeg', 'dxf', 'dwg')"
WITHOUT_DWG = "file_kind IN ('pdf', 'png', 'jpeg', 'dxf')"


def _file_kinds(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        with op.batch_alter_table("drawing_versions") as batch_op:
            batch_op.drop_constraint(op.f("ck_drawing_versions_file_kind"), type_="check")
            batch_op.create_check_constraint(op.f("ck_drawing_versions_file_kind"), new)
        return
    schema_version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = replace(sql, :old, :new) WHERE type = 'table' AND name = :table"),
        {"old": old, "new": new, "table": "drawing_versions"},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(schema_version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    stored = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 'drawing_versions'")).scalar_one()
    if new not in stored:
        raise RuntimeError(f"drawing_versions does not hold the expected CHECK ({old}); not changed")


def upgrade() -> None:
    """Accept ``dwg``."""
    _file_kinds(WITHOUT_DWG, WITH_DWG)


def downgrade() -> None:
    """Refuse ``dwg`` again; refused itself while DWG versions exist (going back would lose them)."""
    if op.get_bind().execute(sa.text("SELECT count(*) FROM drawing_versions WHERE file_kind = 'dwg'")).scalar_one():
        raise RuntimeError("DWG versions exist; delete them before downgrading below 0007")
    _file_kinds(WITH_DWG, WITHOUT_DWG)
