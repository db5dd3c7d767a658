"""``buildtrace db upgrade``, and how every data command opens the database.

Commands run their work inside :func:`service_transaction`: one committed
transaction, and any expected failure (a service error, a database that is
unreachable or not migrated, unusable storage) reported as one line on
standard error with exit code 2 instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.migrate import upgrade
from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.errors import ServiceError
from buildtrace_assets.services.users import get_user_by_email
from buildtrace_assets.storage import BlobStorage, InvalidKey, StorageUnavailable, open_storage


class CommandFailed(click.ClickException):
    """An expected failure: ``Error: <message>`` on stderr and exit code 2."""

    exit_code = 2


@contextmanager
def service_transaction() -> Iterator[Session]:
    """A committed session on the configured database, translating expected failures into :class:`CommandFailed`."""
    factory = make_session_factory(get_settings().database_url)
    try:
        with transaction(factory) as session:
            yield session
    except (ServiceError, InvalidKey) as exc:
        raise CommandFailed(str(exc)) from exc
    except (OperationalError, ProgrammingError) as exc:
        raise CommandFailed(
            f"the database is unavailable or not migrated ({exc.orig}); run `buildtrace db upgrade`"
        ) from exc
    except StorageUnavailable as exc:
        raise CommandFailed(f"{exc}; try again later") from exc
    finally:
        factory.kw["bind"].dispose()


def acting_user(session: Session, email: str) -> Actor:
    """The actor for ``--user EMAIL``."""
    return Actor.of(get_user_by_email(session, email))


def configured_storage() -> BlobStorage:
    """The blob storage named by the settings."""
    try:
        return open_storage(get_settings().storage_url)
    except ValueError as exc:
        raise CommandFailed(str(exc)) from exc


@click.group("db")
def db_group() -> None:
    """Manage the app database."""


@db_group.command("upgrade")
def upgrade_command() -> None:
    """Create or migrate the app database to the latest schema."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        upgrade(settings.database_url)
    except OperationalError as exc:
        raise CommandFailed(f"cannot migrate the database: {exc.orig}") from exc
    click.echo("database is up to date")


COMMANDS = [db_group]
