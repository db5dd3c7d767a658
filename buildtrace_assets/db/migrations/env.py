"""Alembic environment: the URL comes from ``Config.attributes`` (see ``buildtrace_assets.db.migrate``)."""

from __future__ import annotations

from alembic import context

from buildtrace_assets.db import models  # noqa: F401  (registers every table on the metadata)
from buildtrace_assets.db.base import Base
from buildtrace_assets.db.session import make_engine

config = context.config


def run_migrations_online() -> None:
    engine = make_engine(config.attributes["database_url"])
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations_online()
