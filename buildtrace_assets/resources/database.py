"""The app database as a Dagster resource.

Every write from the pipeline goes through the services in one transaction per
step, so a failed step leaves the database as it was and the stage rows the
portal shows never claim work that did not happen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dagster import ConfigurableResource, InitResourceContext
from pydantic import Field, PrivateAttr
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.session import make_session_factory, transaction


class AppDatabaseResource(ConfigurableResource):
    """Sessions on the app database (SQLite on a laptop, PostgreSQL in the cluster)."""

    url: str = Field(description="SQLAlchemy URL of the app database.")

    _factory: sessionmaker[Session] | None = PrivateAttr(default=None)

    def session_factory(self) -> sessionmaker[Session]:
        """One engine per resource instance, so a sensor tick or a step reuses its connections."""
        if self._factory is None:
            self._factory = make_session_factory(self.url)
        return self._factory

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any exception."""
        with transaction(self.session_factory()) as session:
            yield session

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._factory is not None:
            self._factory.kw["bind"].dispose()
            self._factory = None
