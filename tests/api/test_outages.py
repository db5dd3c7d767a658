"""While the database or blob storage cannot be reached, every request is a 503 with Retry-After, logged in one line."""

from __future__ import annotations

import io
import logging
import socket

import pytest
from api.support import bearer, login
from fixtures.database import Team, tiny_pdf
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.api import ApiSettings, create_app
from buildtrace_assets.config import Settings
from buildtrace_assets.db.session import make_session_factory
from buildtrace_assets.storage import BlobStorage, GcsBlobStorage


def port_where_nothing_listens() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def outage_app(
    settings: Settings,
    api_settings: ApiSettings,
    session_factory: sessionmaker[Session],
    storage: BlobStorage,
) -> Flask:
    return create_app(settings, api_settings, session_factory=session_factory, storage=storage)


def assert_unavailable(response, part: str) -> None:
    assert response.status_code == 503, response.get_json()
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["error"] == {
        "code": "service_unavailable",
        "message": f"the {part} is unavailable at the moment; try again in 30 s",
    }


@pytest.fixture
def database_down_client(
    app_settings: Settings,
    api_settings: ApiSettings,
    blob_storage: BlobStorage,
) -> FlaskClient:
    """The API on a PostgreSQL URL whose port has no server: the database is down."""
    dead = make_session_factory(f"postgresql+psycopg2://postgres@127.0.0.1:{port_where_nothing_listens()}/buildtrace")
    return outage_app(app_settings, api_settings, dead, blob_storage).test_client()


def test_with_the_database_down_signing_in_is_a_503_with_retry_after(
    database_down_client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="buildtrace_assets.api.errors"):
        response = database_down_client.post("/api/v1/auth/login", json={"email": "a@b.test", "password": "x" * 12})

    assert_unavailable(response, "database")
    (record,) = [r for r in caplog.records if r.name == "buildtrace_assets.api.errors"]
    assert record.exc_info is None and "\n" not in record.getMessage()
    assert record.getMessage().startswith("database unavailable: OperationalError: ")


def test_with_the_database_down_an_authenticated_request_is_a_503(
    client: FlaskClient, database_down_client: FlaskClient, team: Team
) -> None:
    headers = bearer(login(client, "viewer@acme.test")["access_token"])

    assert_unavailable(database_down_client.get("/api/v1/projects", headers=headers), "database")


def test_with_blob_storage_down_an_upload_is_a_503_and_nothing_is_recorded(
    client: FlaskClient,
    app_settings: Settings,
    api_settings: ApiSettings,
    session_factory: sessionmaker[Session],
    team: Team,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{port_where_nothing_listens()}")
    stopped = GcsBlobStorage("bucket", "buildtrace", retry_timeout_s=0.5)
    storage_down = outage_app(app_settings, api_settings, session_factory, stopped).test_client()
    headers = bearer(login(client, "editor@acme.test")["access_token"])

    response = storage_down.post(
        f"/api/v1/projects/{team.project.id}/drawings",
        data={"file": (io.BytesIO(tiny_pdf("x")), "A-201.pdf")},
        headers=headers,
        content_type="multipart/form-data",
    )

    assert_unavailable(response, "blob storage")
    assert client.get(f"/api/v1/projects/{team.project.id}/drawings", headers=headers).get_json() == []
