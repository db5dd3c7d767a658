"""The Alembic migrations build exactly the schema the models describe, on every engine."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, text

from buildtrace_assets.db.base import Base
from buildtrace_assets.db.migrate import alembic_config, upgrade

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
    "api_sessions",
    "api_refresh_tokens",
    "api_idempotency_keys",
    "pipeline_requests",
    "bucket_objects",
    "sign_in_counters",
    "sheet_alignments",
    "stage_executions",
    "step_metric_totals",
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
                next(iter(index["column_names"]))
                for index in inspector.get_indexes(table.name)
                if index["column_names"]
            }
            indexed |= {next(iter(unique["column_names"])) for unique in inspector.get_unique_constraints(table.name)}
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
            head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
            assert MigrationContext.configure(connection).get_current_revision() == head
    finally:
        engine.dispose()


def test_summary_numbering_migration_numbers_existing_rows(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "0001")
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            _insert_summary_world(connection)
        upgrade(database_url)
        with engine.connect() as connection:
            numbers = connection.execute(
                text("SELECT id, version_number FROM change_summaries ORDER BY version_number")
            ).all()
            assert [tuple(row) for row in numbers] == [("s-old", 1), ("s-new", 2)]
            active_index = next(
                index
                for index in inspect(connection).get_indexes("change_summaries")
                if index["name"] == "uq_change_summaries_one_active"
            )
            assert active_index["unique"]
    finally:
        engine.dispose()


def _insert_summary_world(connection: Connection) -> None:
    """One diff result with two summaries, written with plain SQL as revision 0001 knew them."""
    now = "2026-01-01 00:00:00"
    statements = [
        f"INSERT INTO organizations (id, name, created_at) VALUES ('o', 'Acme', '{now}')",
        f"INSERT INTO projects (id, organization_id, name, description, created_at, updated_at)"
        f" VALUES ('p', 'o', 'Tower', '', '{now}', '{now}')",
        f"INSERT INTO drawings (id, project_id, name, created_at) VALUES ('d', 'p', 'A-101', '{now}')",
    ]
    for number in (1, 2):
        statements.append(
            "INSERT INTO drawing_versions (id, drawing_id, version_number, storage_key, original_filename,"
            " content_type, file_kind, file_hash, file_size, ocr_status, created_at)"
            f" VALUES ('v{number}', 'd', {number}, 'k{number}', 'a.pdf', 'application/pdf', 'pdf', 'h{number}', 1,"
            f" 'pending', '{now}')"
        )
    statements += [
        f"INSERT INTO jobs (id, project_id, old_drawing_version_id, new_drawing_version_id, status, created_at)"
        f" VALUES ('j', 'p', 'v1', 'v2', 'completed', '{now}')",
        f"INSERT INTO diff_results (id, job_id, changes_ref, overlay_refs, sheet_count, change_count, engine_version,"
        f" created_at) VALUES ('r', 'j', 'c', '{{}}', 0, 0, '1', '{now}')",
    ]
    for summary_id, created, active in (("s-new", "2026-01-02 00:00:00", True), ("s-old", now, False)):
        statements.append(
            "INSERT INTO change_summaries (id, diff_result_id, source, content, text, metadata, is_active, created_at)"
            f" VALUES ('{summary_id}', 'r', 'machine', '{{}}', 't', '{{}}', {active}, '{created}')"
        )
    for statement in statements:
        connection.execute(text(statement))
