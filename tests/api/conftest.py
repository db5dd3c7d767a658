"""Fixtures of the API tests: the app on the test database, signed-in clients, and a job with real results.

- ``api_settings``: token settings with a test secret.
- ``app`` / ``client``: the API over ``database_url`` and ``blob_storage``
  (both engines), with a real background summarizer (offline) and the
  default sign-in throttle running on ``clock`` (a :class:`ManualClock`).
- ``sign_in(email)``: the ``Authorization`` header of a fresh login.
- ``world``: ``team`` plus versions 1 and 2 of drawing A-101, their job,
  and a diff result whose changes document is stored in blob storage.
- ``live_server``: the app served by waitress on a free port (its base URL).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator

import pytest
from api.support import CHANGES_DOCUMENT, SECRET, Headers, World, bearer, login
from fixtures.clock import ManualClock
from fixtures.database import Team, tiny_pdf
from flask import Flask
from flask.testing import FlaskClient
from observability.support import UNREACHABLE_DAGSTER
from sqlalchemy.orm import Session, sessionmaker
from waitress.server import create_server

from buildtrace_assets.api import ApiSettings, create_app
from buildtrace_assets.config import Settings
from buildtrace_assets.engine.contract import validate_changes
from buildtrace_assets.pipeline_api import PipelineApi
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.jobs import create_comparison_job
from buildtrace_assets.services.sign_in_throttle import SignInThrottle
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.storage import BlobStorage

SignIn = Callable[[str], Headers]


@pytest.fixture
def api_settings() -> ApiSettings:
    return ApiSettings(secret=SECRET)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> ManualClock:
    """The time the sign-in throttle sees; tests move it to pass back-offs and lockouts."""
    return ManualClock()


@pytest.fixture
def app(
    app_settings: Settings,
    api_settings: ApiSettings,
    session_factory: sessionmaker[Session],
    blob_storage: BlobStorage,
    clock: ManualClock,
) -> Flask:
    return create_app(
        app_settings,
        api_settings,
        session_factory=session_factory,
        storage=blob_storage,
        sign_in_throttle=SignInThrottle.from_settings(app_settings, clock),
        pipeline=PipelineApi(UNREACHABLE_DAGSTER, timeout_s=1.0, silent_after_s=90.0),
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sign_in(client: FlaskClient) -> SignIn:
    return lambda email: bearer(login(client, email)["access_token"])


@pytest.fixture
def world(db_session: Session, blob_storage: BlobStorage, team: Team) -> World:
    old, new = (
        register_upload(
            db_session, blob_storage, team.editor, team.project.id, "A-101", f"{label}.pdf", tiny_pdf(label)
        )
        for label in ("rev 1", "rev 2")
    )
    job = create_comparison_job(db_session, team.editor, old.id, new.id)
    validate_changes(CHANGES_DOCUMENT)
    changes_ref = f"diffs/{job.id}/changes.json"
    blob_storage.put_bytes(changes_ref, json.dumps(CHANGES_DOCUMENT).encode(), content_type="application/json")
    result = record_diff_result(
        db_session, SYSTEM, job.id, changes_ref=changes_ref, engine_version="test", sheet_count=1, change_count=1
    )
    db_session.commit()
    return World(team, team.project.id, old.drawing_id, old.id, new.id, job.id, result.id)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served by waitress on a free localhost port, as in production; yields the base URL."""
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="api-test-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    server.task_dispatcher.shutdown()
