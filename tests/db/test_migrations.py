"""The Alembic migrations build exactly the schema the models describe, on every engine."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from buildtrace_assets.db.base import Base
from buildtrace_assets.db.migrate import upgrade

# SQLite cannot reflect the expression index of job_stages; test_constraints proves it works.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index"),
]

EXPECTED_TABLES = {
    "organizations",
    "users",
    "projects",
    "project_members",
    "drawings",
    "drawing_versions",
    "jobs",
    "job_stages",
    "diff_results",
    "manual_overlays",
    "change_summaries",
    "audit_logs",
    "alembic_version",
}


def test_upgrade_from_empty_creates_every_table(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) == EXPECTED_TABLES
    finally:
        engine.dispose()


def test_models_match_the_migrations(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_every_foreign_key_is_indexed(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        inspector = inspect(engine)
        for table in Base.metadata.sorted_tables:
            indexed = {
                tuple(index["column_names"])[0] for index in inspector.get_indexes(table.name) if index["column_names"]
            }
            indexed |= {tuple(unique["column_names"])[0] for unique in inspector.get_unique_constraints(table.name)}
            for foreign_key in inspector.get_foreign_keys(table.name):
                assert foreign_key["constrained_columns"][0] in indexed, (
                    table.name,
                    foreign_key["constrained_columns"],
                )
    finally:
        engine.dispose()


def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == "0001"
    finally:
        engine.dispose()
