"""``buildtrace legacy import``: the legacy tables (a database built by ``legacy_world``, on the same engine as
the test database) land here through the services, once, with a report of what was created and what was not."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli.legacy_world import EXPECTED_CREATED, EXPECTED_SKIPPED, build_legacy
from click.testing import CliRunner
from fixtures.database import POSTGRES_SERVER_URL
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.cli import main
from buildtrace_assets.config import Settings
from buildtrace_assets.db.base import Base
from buildtrace_assets.db.models import (
    ChangeSummary,
    DiffResult,
    Drawing,
    DrawingVersion,
    Job,
    Organization,
    PipelineRequest,
    Project,
    User,
)
from buildtrace_assets.engine.contract import validate_changes
from buildtrace_assets.services.users import authenticate
from buildtrace_assets.storage import BlobStorage, open_storage


@pytest.fixture
def legacy_files(tmp_path: Path) -> BlobStorage:
    return open_storage((tmp_path / "legacy-files").as_uri())


@pytest.fixture
def legacy_url(database_url: str, tmp_path: Path, legacy_files: BlobStorage) -> Iterator[str]:
    """A legacy database on the test database's engine (SQLite file, or a PostgreSQL database of its own)."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'legacy.db'}"
        build_legacy(url, legacy_files)
        yield url
        return
    name = f"legacy_{uuid.uuid4().hex[:12]}"
    server = create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_SERVER_URL.set(database=name).render_as_string(hide_password=False)
    build_legacy(url, legacy_files)
    yield url
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def run_import(legacy_url: str, legacy_files: BlobStorage, *options: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        main, ["legacy", "import", "--from", legacy_url, "--files", legacy_files.url, "--json", *options]
    )
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def skipped(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(row["table"], row["id"]): row["reason"] for row in report["skipped"]}


def row_counts(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def test_the_import_creates_what_the_legacy_rows_describe_and_lists_what_it_leaves_out(
    app_settings: Settings,
    session_factory: sessionmaker[Session],
    blob_storage: BlobStorage,
    legacy_url: str,
    legacy_files: BlobStorage,
) -> None:
    report = run_import(legacy_url, legacy_files)

    assert report["created"] == EXPECTED_CREATED
    assert skipped(report) == EXPECTED_SKIPPED
    assert report["read"] == {
        "users": 2,
        "projects": 2,
        "sessions": 4,
        "drawings": 8,
        "comparisons": 6,
        "analysis_results": 3,
        "processing_jobs": 4,
    }
    with session_factory() as session:
        alice = session.scalars(select(User).where(User.email == "alice@old.test")).one()
        assert session.get_one(Organization, alice.organization_id).name == "Acme Builders"
        tower = session.scalars(select(Project).where(Project.name == "Tower")).one()
        jobs = {
            drawing: job
            for job, drawing in session.execute(
                select(Job, Drawing.name)
                .join(DrawingVersion, DrawingVersion.id == Job.new_drawing_version_id)
                .join(Drawing, Drawing.id == DrawingVersion.drawing_id)
            )
        }
        assert (jobs["A-101"].status, jobs["A-101"].project_id) == ("completed", tower.id)
        assert jobs["A-101"].started_at is not None and jobs["A-101"].started_at.isoformat().startswith(
            "2025-03-04T09:31"
        )
        failed = jobs["S-201"]
        assert (failed.status, failed.error_message) == ("failed", "summary stage failed: legacy: OpenAI timeout")
        summary = session.scalars(select(ChangeSummary)).one()
        assert (summary.model, summary.source, summary.is_active) == ("gpt-4-vision-preview", "machine", True)
        assert "Door 12 moved 3 ft east" in summary.text and "Check the door schedule" in summary.text
        result = session.scalars(select(DiffResult).where(DiffResult.job_id == jobs["A-101"].id)).one()
        assert {version.ocr_status for version in session.scalars(select(DrawingVersion))} == {"completed"}
        assert session.scalar(select(func.count()).select_from(PipelineRequest)) == 0
    document = json.loads(blob_storage.get_bytes(result.changes_ref))
    validate_changes(document)
    assert [sheet["status"] for sheet in document["sheets"]] == ["modified"]
    assert blob_storage.get_bytes(result.overlay_refs["A-101"]) == legacy_files.get_bytes("overlays/c-1.png")


def test_a_second_run_changes_nothing(
    app_settings: Settings, session_factory: sessionmaker[Session], legacy_url: str, legacy_files: BlobStorage
) -> None:
    run_import(legacy_url, legacy_files)
    before = row_counts(session_factory)

    again = run_import(legacy_url, legacy_files)

    assert again["created"] == {}
    assert again["already_imported"] == {"comparisons": 2, "projects": 1, "users": 2}
    assert row_counts(session_factory) == before


def test_a_dry_run_writes_nothing_and_reports_what_an_import_would_create(
    app_settings: Settings,
    session_factory: sessionmaker[Session],
    blob_storage: BlobStorage,
    legacy_url: str,
    legacy_files: BlobStorage,
) -> None:
    empty = row_counts(session_factory)

    dry = run_import(legacy_url, legacy_files, "--dry-run")

    assert (dry["dry_run"], dry["created"], skipped(dry)) == (True, EXPECTED_CREATED, EXPECTED_SKIPPED)
    assert row_counts(session_factory) == empty
    assert list(blob_storage.list()) == []
    assert run_import(legacy_url, legacy_files)["created"] == EXPECTED_CREATED


def test_one_session_per_batch_imports_the_same(
    app_settings: Settings, legacy_url: str, legacy_files: BlobStorage
) -> None:
    report = run_import(legacy_url, legacy_files, "--batch-size", "1")

    assert (report["created"], skipped(report)) == (EXPECTED_CREATED, EXPECTED_SKIPPED)


def test_a_database_that_is_not_legacy_is_refused_in_one_line(app_settings: Settings, database_url: str) -> None:
    result = CliRunner().invoke(main, ["legacy", "import", "--from", database_url])

    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "Error: cannot read the legacy database: no sessions, comparisons, analysis_results, processing_jobs table:"
        " not a legacy BuildTrace database"
    )


def test_the_report_reads_as_counts_then_skipped_rows(
    app_settings: Settings, legacy_url: str, legacy_files: BlobStorage
) -> None:
    result = CliRunner().invoke(main, ["legacy", "import", "--from", legacy_url, "--files", legacy_files.url])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "comparisons: read 6, created 0, already imported 0" in lines
    assert "jobs: read 0, created 2, already imported 0" in lines
    assert f"skipped: {len(EXPECTED_SKIPPED)}" in lines
    assert "  comparisons c-2: file 'drawings/never-uploaded.pdf' of drawing d-3 is missing" in lines


def test_imported_users_are_listed_without_a_password_and_sign_in_once_an_operator_sets_one(
    app_settings: Settings, session_factory: sessionmaker[Session], legacy_url: str, legacy_files: BlobStorage
) -> None:
    result = CliRunner().invoke(main, ["legacy", "import", "--from", legacy_url, "--files", legacy_files.url])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("users without a password: 2 (give each one with `buildtrace user set-password EMAIL`)")
    assert lines[at + 1 : at + 3] == ["  alice@old.test", "  bob@old.test"]
    with session_factory() as session:
        assert authenticate(session, "alice@old.test", "alices-new-pass") is None

    set_ = CliRunner().invoke(main, ["user", "set-password", "Alice@old.test"], input="alices-new-pass\n")

    assert set_.exit_code == 0, set_.output
    assert set_.stdout == "password set for alice@old.test; 0 session(s) signed out\n"
    with session_factory() as session:
        assert authenticate(session, "alice@old.test", "alices-new-pass") is not None
    assert run_import(legacy_url, legacy_files)["users_without_password"] == []
