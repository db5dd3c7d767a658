"""The portal's operations server (``python -m portal.serve``): liveness, readiness and the metrics of its page
runs and refused sign-ins."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fixtures.database import Team
from observability.support import UNREACHABLE_DAGSTER, sample
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from buildtrace_assets.config import Settings, get_settings
from portal.serve import OpsServer, start_ops_server
from portal.sign_in_route import PATH as SIGN_IN_PATH
from portal.sign_in_route import ROUTES

PAGES = Path(__file__).parents[2] / "portal" / "app.py"


@pytest.fixture
def ops(app_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("BUILDTRACE_PORTAL_OPS_PORT", str(port))
    monkeypatch.setenv("DAGSTER_GRAPHQL_URL", UNREACHABLE_DAGSTER)
    monkeypatch.setenv("BUILDTRACE_HEALTH_TIMEOUT_S", "1")
    get_settings.cache_clear()
    server = start_ops_server("127.0.0.1")
    assert isinstance(server, OpsServer)
    yield f"http://127.0.0.1:{server.port}"
    server.close()


def test_liveness_answers_and_readiness_names_what_is_down(ops: str) -> None:
    alive = requests.get(f"{ops}/healthz", timeout=10)
    ready = requests.get(f"{ops}/readyz", timeout=10)

    assert (alive.status_code, alive.json()) == (200, {"status": "ok"})
    assert ready.status_code == 503
    assert {check["name"]: check["ok"] for check in ready.json()["checks"]} == {
        "database": True,
        "storage": True,
        "dagster": False,
    }


def test_page_runs_and_refused_sign_ins_reach_the_metrics(ops: str, team: Team) -> None:
    page = {"app": "portal", "method": "GET", "route": "Sign in", "status": "ok"}
    runs = sample("buildtrace_http_requests_total", **page)
    refused = sample("buildtrace_sign_in_failures_total", app="portal", reason="refused")

    app = AppTest.from_file(str(PAGES), default_timeout=30).run()
    with TestClient(Starlette(routes=ROUTES), follow_redirects=False) as client:
        answer = client.post(SIGN_IN_PATH, data={"email": "owner@acme.test", "password": "not the password"})

    assert not app.exception and answer.status_code == 303
    assert sample("buildtrace_http_requests_total", **page) == runs + 1
    assert sample("buildtrace_sign_in_failures_total", app="portal", reason="refused") == refused + 1
    exposition = requests.get(f"{ops}/metrics", timeout=10).text
    assert 'buildtrace_sign_in_failures_total{app="portal",reason="refused"}' in exposition
    assert 'route="Sign in"' in exposition


def test_a_port_of_0_turns_the_server_off(app_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUILDTRACE_PORTAL_OPS_PORT", "0")
    get_settings.cache_clear()

    assert start_ops_server("127.0.0.1") is None
