"""What a request works with: the app's database, storage and the pipeline's API, and one transaction per request.

A request's service calls share one session whose transaction is committed
only when the response is a success (status below 400) and rolled back
otherwise, so a refused or failed request changes nothing, and the stored
response of an idempotent POST is committed together with its effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from flask import current_app, g
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.api.config import ApiSettings
from buildtrace_assets.pipeline_api import PipelineApi
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.sign_in_throttle import SignInThrottle
from buildtrace_assets.storage import BlobStorage

EXTENSION = "buildtrace_api"


@dataclass(frozen=True)
class ApiContext:
    """The parts every request shares, kept in ``app.extensions``."""

    settings: ApiSettings
    session_factory: sessionmaker[Session]
    storage: BlobStorage
    pipeline: PipelineApi
    """The Dagster webserver's GraphQL API: pipeline health and lineage; the API starts no run itself."""
    sign_in_throttle: SignInThrottle


def api_context() -> ApiContext:
    return cast(ApiContext, current_app.extensions[EXTENSION])


def db() -> Session:
    """The request's session, opened on first use inside its one transaction."""
    if "db" not in g:
        session = api_context().session_factory()
        session.begin()
        g.db = session
    return cast(Session, g.db)


def current_actor() -> Actor:
    """The signed-in user the request acts for (set by authentication)."""
    return cast(Actor, g.actor)


def commit_request() -> None:
    if "db" in g:
        g.db.commit()


def rollback_request() -> None:
    if "db" in g:
        g.db.rollback()


def close_request() -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
