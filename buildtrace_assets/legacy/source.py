"""The legacy database as the import reads it: its tables reflected, rows as plain dictionaries.

The legacy schema (``gcp/database/models.py`` of ``devbuildtraceasu/buildtrace-dev``) is read by reflection, so
an older database missing a newer optional column still imports; only the columns below are required.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, select

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("id", "email"),
    "projects": ("id", "user_id", "name"),
    "sessions": ("id", "user_id", "project_id"),
    "drawings": ("id", "session_id", "drawing_type", "original_filename", "storage_path"),
    "comparisons": ("id", "session_id", "old_drawing_id", "new_drawing_id", "drawing_name"),
    "analysis_results": ("id", "comparison_id", "analysis_summary"),
    "processing_jobs": ("id", "session_id", "job_type", "status"),
}
Row = dict[str, Any]


class LegacySchemaError(Exception):
    """The database given is not a legacy BuildTrace database (a table or a required column is missing)."""


class LegacySource:
    """Read access to a legacy database; sessions come in batches, everything else is small enough to hold."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url)
        metadata = MetaData()
        metadata.reflect(self.engine, only=lambda name, _: name in REQUIRED_COLUMNS)
        self.tables: dict[str, Table] = dict(metadata.tables)
        absent = [name for name in REQUIRED_COLUMNS if name not in self.tables]
        if absent:
            raise LegacySchemaError(f"no {', '.join(absent)} table: not a legacy BuildTrace database")
        for name, columns in REQUIRED_COLUMNS.items():
            missing = [column for column in columns if column not in self.tables[name].columns]
            if missing:
                raise LegacySchemaError(f"table {name!r} lacks column(s) {', '.join(missing)}")

    def close(self) -> None:
        self.engine.dispose()

    def all(self, table: str) -> list[Row]:
        source = self.tables[table]
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(select(source).order_by(source.c.id))]

    def session_batches(self, size: int) -> Iterator[list[Row]]:
        """Legacy sessions in id order, ``size`` at a time (keyset pagination: no offset scans)."""
        sessions = self.tables["sessions"]
        after = ""
        while True:
            with self.engine.connect() as connection:
                batch = [
                    dict(row._mapping)
                    for row in connection.execute(
                        select(sessions).where(sessions.c.id > after).order_by(sessions.c.id).limit(size)
                    )
                ]
            if not batch:
                return
            yield batch
            after = batch[-1]["id"]

    def rows_of_sessions(self, table: str, session_ids: Sequence[str]) -> list[Row]:
        source = self.tables[table]
        with self.engine.connect() as connection:
            query = select(source).where(source.c.session_id.in_(session_ids)).order_by(source.c.id)
            return [dict(row._mapping) for row in connection.execute(query)]

    def orphans(self, table: str) -> list[Row]:
        """Rows of ``table`` whose session does not exist."""
        source, sessions = self.tables[table], self.tables["sessions"]
        with self.engine.connect() as connection:
            query = select(source).where(~source.c.session_id.in_(select(sessions.c.id))).order_by(source.c.id)
            return [dict(row._mapping) for row in connection.execute(query)]
