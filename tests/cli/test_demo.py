"""``buildtrace demo``: the real webserver and daemon drive two uploaded revisions to a summary."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_demo_uploads_two_revisions_and_waits_for_their_summary(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "BUILDTRACE_DATA_DIR": str(tmp_path), "BUILDTRACE_SUMMARIZER": "offline"}
    env.pop("DAGSTER_HOME", None)
    command = [str(Path(sys.executable).parent / "buildtrace"), "demo", "--exit-when-done", "--sheets", "1"]

    done = subprocess.run(
        [*command, "--port", str(port), "--timeout", "400"], env=env, capture_output=True, text=True, timeout=480
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Dagster UI:  http://127.0.0.1:{port}" in done.stdout
    assert "completed (ocr completed, ocr completed, diff completed, summary completed)" in done.stdout
    assert "# Drawing changes" in done.stdout and "A-101" in done.stdout
    assert (tmp_path / "dagster" / "dagster.yaml").exists()
    with create_engine(f"sqlite:///{tmp_path / 'buildtrace.db'}").connect() as connection:
        assert (
            connection.execute(text("SELECT count(*) FROM drawing_versions WHERE uploaded_by IS NOT NULL")).scalar()
            == 2
        )
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
