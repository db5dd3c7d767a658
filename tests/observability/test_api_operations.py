"""The API's operations endpoints: request metrics by route template, sign-in failures, liveness, readiness."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fixtures.database import PASSWORD, Team
from flask import Flask
from flask.testing import FlaskClient
from observability.support import UNREACHABLE_DAGSTER, sample
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.api import ApiSettings, create_app
from buildtrace_assets.config import Settings
from buildtrace_assets.storage import BlobStorage

SECRET = "operations-test-secret-of-at-least-32-chars"


@pytest.fixture
def app(app_settings: Settings, session_factory: sessionmaker[Session], blob_storage: BlobStorage) -> Iterator[Flask]:
    settings = app_settings.model_copy(update={"dagster_graphql_url": UNREACHABLE_DAGSTER, "health_timeout_s": 1.0})
    yield create_app(
        settings,
        ApiSettings(secret=SECRET),  # type: ignore[arg-type]
        session_factory=session_factory,
        storage=blob_storage,
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_requests_are_counted_and_timed_by_route_template_and_status(client: FlaskClient, team: Team) -> None:
    route = "/api/v1/projects/<project_id>"
    before = sample("buildtrace_http_requests_total", app="api", method="GET", route=route, status="401")
    timed = sample("buildtrace_http_request_duration_seconds_count", app="api", method="GET", route=route)

    for project_id in ("one", "two", team.project.id):
        assert client.get(f"/api/v1/projects/{project_id}").status_code == 401
    unmatched = client.get("/made/up/path")

    assert sample("buildtrace_http_requests_total", app="api", method="GET", route=route, status="401") == before + 3
    assert sample("buildtrace_http_request_duration_seconds_count", app="api", method="GET", route=route) == timed + 3
    assert unmatched.status_code == 404
    exposition = client.get("/metrics")
    assert exposition.status_code == 200 and exposition.mimetype == "text/plain"
    families = {family.name: family for family in text_string_to_metric_families(exposition.get_data(as_text=True))}
    routes = {sample.labels.get("route") for sample in families["buildtrace_http_requests"].samples}
    assert {route, "unmatched"} <= routes and "/api/v1/projects/one" not in routes


def test_refused_sign_ins_are_counted(client: FlaskClient, team: Team) -> None:
    before = sample("buildtrace_sign_in_failures_total", app="api", reason="refused")

    refused = client.post("/api/v1/auth/login", json={"email": "owner@acme.test", "password": "wrong"})
    accepted = client.post("/api/v1/auth/login", json={"email": "owner@acme.test", "password": PASSWORD})

    assert (refused.status_code, accepted.status_code) == (401, 200)
    assert sample("buildtrace_sign_in_failures_total", app="api", reason="refused") == before + 1


def test_healthz_answers_without_a_token_and_checks_nothing_outside_the_process(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_readyz_is_503_with_the_reason_while_the_dagster_api_is_down(client: FlaskClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 503 and response.json is not None
    checks = {check["name"]: check for check in response.json["checks"]}
    assert response.json["status"] == "not ready"
    assert (checks["database"]["ok"], checks["storage"]["ok"], checks["dagster"]["ok"]) == (True, True, False)
    assert "127.0.0.1:9" in checks["dagster"]["detail"]


def test_the_operations_endpoints_stay_out_of_the_api_document(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]  # type: ignore[index]

    assert not {"/metrics", "/healthz", "/readyz"} & set(paths)
