"""Engines and transactions behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.models import Organization
from buildtrace_assets.db.session import make_engine, on_rollback, transaction


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
    finally:
        engine.dispose()


def test_transaction_commits_on_success_and_rolls_back_on_error(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        session.add(Organization(name="Kept"))
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        session.add(Organization(name="Dropped"))
        session.flush()
        raise RuntimeError("boom")
    with session_factory() as session:
        assert session.scalars(select(Organization.name)).all() == ["Kept"]


def test_on_rollback_runs_only_when_its_transaction_rolls_back(session_factory: sessionmaker[Session]) -> None:
    undone: list[str] = []
    with session_factory() as session:
        session.add(Organization(name="A"))
        session.flush()
        on_rollback(session, lambda: undone.append("first"))
        session.commit()

        session.add(Organization(name="B"))
        session.flush()
        on_rollback(session, lambda: undone.append("second"))
        session.rollback()

        session.rollback()
    assert undone == ["second"]
