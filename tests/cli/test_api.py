"""``buildtrace api``: refuses to start without a signing secret, and serves the API with waitress."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import requests
from click.testing import CliRunner

from buildtrace_assets.cli import main

STARTUP_TIMEOUT_S = 60


def test_without_a_secret_it_explains_what_to_set(monkeypatch) -> None:
    monkeypatch.delenv("BUILDTRACE_API_SECRET", raising=False)

    result = CliRunner().invoke(main, ["api", "--port", "8999"])

    assert result.exit_code == 2 and "BUILDTRACE_API_SECRET" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_it_serves_the_openapi_document_and_refuses_unauthenticated_calls(app_settings) -> None:
    port = _free_port()
    environment = {**os.environ, "BUILDTRACE_API_SECRET": "s" * 40}
    command = [sys.executable, "-c", "from buildtrace_assets.cli import main; main()", "api", "--port", str(port)]
    server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                document = requests.get(f"{base}/openapi.json", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, f"no answer within {STARTUP_TIMEOUT_S} s"
                time.sleep(0.2)
        projects = requests.get(f"{base}/projects", timeout=2)
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert document.status_code == 200 and document.json()["info"]["title"] == "BuildTrace API"
    assert projects.status_code == 401 and projects.headers["Server"] == "buildtrace"
