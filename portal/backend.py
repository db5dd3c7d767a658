"""The portal's one door to the services: database sessions, blob storage, service errors.

Engines and storage clients are shared by every session of the server
(``st.cache_resource``, keyed by URL so a changed configuration gets new
ones). Each service call runs in its own transaction; a :class:`ServiceError`
becomes a message on the page instead of a traceback, and nothing of the
failed call is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.services.errors import ServiceError
from buildtrace_assets.storage import BlobStorage, open_storage
from portal.outage import outage_page

T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _session_factory(database_url: str) -> sessionmaker[Session]:
    return make_session_factory(database_url)


@st.cache_resource(show_spinner=False)
def _storage(storage_url: str) -> BlobStorage:
    return open_storage(storage_url)


def storage() -> BlobStorage:
    """The configured blob storage."""
    return _storage(get_settings().storage_url)


def run(operation: Callable[[Session], T]) -> T:
    """``operation`` in a transaction of its own, committed when it returns.

    An unreachable database or storage shows the outage page and stops the run
    here, so fragments that rerun on their own (job progress) get it too.
    """
    with outage_page(), transaction(_session_factory(get_settings().database_url)) as session:
        return operation(session)


def attempt(operation: Callable[[Session], T]) -> T | None:
    """Like :func:`run`, but a service refusal is shown as an error message and gives None."""
    try:
        return run(operation)
    except ServiceError as error:
        st.error(str(error) or "The request was refused.")
        return None
