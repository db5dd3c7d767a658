"""``buildtrace db upgrade`` migrates the configured database, idempotently."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from buildtrace_assets.cli import main
from buildtrace_assets.config import get_settings


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Embedded defaults under a data directory that does not exist yet."""
    data_dir = tmp_path / "new" / "data"
    monkeypatch.setenv("BUILDTRACE_DATA_DIR", str(data_dir))
    monkeypatch.delenv("BUILDTRACE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


def test_upgrade_creates_the_data_dir_and_every_table(fresh_settings: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["db", "upgrade"])
    second = runner.invoke(main, ["db", "upgrade"])

    assert (first.exit_code, second.exit_code) == (0, 0), first.output
    engine = create_engine(f"sqlite:///{fresh_settings / 'buildtrace.db'}")
    try:
        assert {"users", "projects", "jobs", "audit_logs"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_an_unreachable_database_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BUILDTRACE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BUILDTRACE_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:1/none")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot migrate the database")
    assert "Traceback" not in result.output
