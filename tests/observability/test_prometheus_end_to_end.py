"""End to end with real parts: a Prometheus on 127.0.0.1 scrapes the API and the pipeline exporter while the
Dagster daemon runs a pipeline on PostgreSQL; a drawing that cannot be read fails its job, and the job-failure
alert fires in Prometheus. Rule ``for`` durations are set to 0 here (promtool's unit tests cover them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from fixtures.database import PASSWORD, tiny_pdf
from fixtures.processes import free_port, pipeline_environment, stop_process_group, wait_for
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from waitress.server import create_server

from buildtrace_assets.api import ApiSettings, create_app
from buildtrace_assets.config import Settings
from buildtrace_assets.db.base import Base
from buildtrace_assets.db.models import Job
from buildtrace_assets.db.session import make_session_factory
from buildtrace_assets.observability.exporter import exporter_readiness, pipeline_registry
from buildtrace_assets.observability.ops_server import OpsServer
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.projects import create_project
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.services.users import create_user
from buildtrace_assets.storage import BlobStorage, open_storage

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(600)]
REPOSITORY = Path(__file__).parents[2]
RULES = REPOSITORY / "helm" / "buildtrace" / "files" / "prometheus-rules.yaml"
BIN = Path(sys.executable).parent


def start(stack: ExitStack, command: list[str], log: Path, env: dict[str, str]) -> None:
    """A process in a session of its own, stopped with its children (by process group) when the stack closes."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=REPOSITORY, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    stack.callback(stop_process_group, process)


def serve(stack: ExitStack, app: Any) -> int:
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    stack.callback(server.task_dispatcher.shutdown)
    stack.callback(server.close)
    return int(server.effective_port)  # type: ignore[union-attr]


@dataclass
class Stack:
    """The parts of the test and where they answer."""

    work: Path
    settings: Settings
    sessions: sessionmaker[Session]
    storage: BlobStorage
    owner: Actor
    project_id: str
    api: str
    exporter: str
    prometheus: str
    logs: tuple[Path, ...]

    def query(self, expression: str) -> list[dict[str, Any]]:
        answer = requests.get(f"{self.prometheus}/api/v1/query", params={"query": expression}, timeout=10).json()
        return list(answer["data"]["result"])


def empty_database(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    engine.dispose()


def prometheus_config(work: Path, api_port: int, exporter_port: int) -> Path:
    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule["for"] = "0s"
    (work / "rules.yaml").write_text(yaml.safe_dump(rules))
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(work / "rules.yaml")],
        "scrape_configs": [
            {"job_name": "api", "static_configs": [{"targets": [f"127.0.0.1:{api_port}"]}]},
            {"job_name": "pipeline", "static_configs": [{"targets": [f"127.0.0.1:{exporter_port}"]}]},
        ],
    }
    path = work / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def stack(migrated_postgres_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if shutil.which("prometheus") is None:
        pytest.fail("prometheus is missing: `make system-deps` installs Debian's prometheus package")
    work = tmp_path_factory.mktemp("operations")
    url = migrated_postgres_database
    empty_database(url)
    (work / "dagster").mkdir()
    shutil.copy(REPOSITORY / "dagster.yaml", work / "dagster" / "dagster.yaml")
    webserver_port = free_port()
    graphql = f"http://127.0.0.1:{webserver_port}/graphql"
    env = {**os.environ, **pipeline_environment(work, url)}
    settings = Settings(
        data_dir=work / "data",
        database_url=url,
        storage_url=env["BUILDTRACE_STORAGE_URL"],
        dagster_graphql_url=graphql,
    )
    sessions = make_session_factory(url)
    storage = open_storage(settings.storage_url)
    with sessions.begin() as session:
        owner = Actor.of(create_user(session, "ops@example.com", PASSWORD))
        project_id = create_project(session, owner, "Operations").id
    logs = (work / "webserver.log", work / "daemon.log", work / "prometheus.log")
    with ExitStack() as parts:
        workspace = ["-w", str(REPOSITORY / "workspace.yaml")]
        start(
            parts,
            [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(webserver_port), *workspace],
            logs[0],
            env,
        )
        # The daemon starts once the webserver has created the instance's SQLite storage: two processes creating it
        # at once collide ("table alembic_version already exists").
        wait_for("Dagster API", lambda: requests.post(graphql, json={"query": "{ version }"}, timeout=2).ok, 180, logs)
        start(parts, [str(BIN / "dagster-daemon"), "run", *workspace], logs[1], env)
        api = create_app(
            settings,
            ApiSettings(secret="end-to-end-secret-of-at-least-32-chars"),
            session_factory=sessions,
            storage=storage,
        )  # type: ignore[arg-type]
        api_port = serve(parts, api)
        exporter = OpsServer(
            pipeline_registry(settings, sessions), lambda: exporter_readiness(settings, sessions), "127.0.0.1", 0
        )
        parts.callback(exporter.close)
        prometheus_port = free_port()
        config = prometheus_config(work, api_port, exporter.port)
        start(
            parts,
            [
                "prometheus",
                f"--config.file={config}",
                f"--storage.tsdb.path={work / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prometheus_port}",
            ],
            logs[2],
            env,
        )
        built = Stack(
            work,
            settings,
            sessions,
            storage,
            owner,
            project_id,
            f"http://127.0.0.1:{api_port}",
            f"http://127.0.0.1:{exporter.port}",
            f"http://127.0.0.1:{prometheus_port}",
            logs,
        )
        wait_for("Prometheus ready", lambda: requests.get(f"{built.prometheus}/-/ready", timeout=2).ok, 60, logs)
        yield built
    sessions.kw["bind"].dispose()


def upload_unreadable_revision(stack: Stack) -> str:
    """Version 1, then a version 2 whose stored bytes are replaced before the commit: its analysis fails for good."""
    with stack.sessions.begin() as session:
        register_upload(session, stack.storage, stack.owner, stack.project_id, "A-101", "r1.pdf", tiny_pdf("r1"))
    with stack.sessions.begin() as session:
        version = register_upload(
            session, stack.storage, stack.owner, stack.project_id, "A-101", "r2.pdf", tiny_pdf("r2")
        )
        stack.storage.put_bytes(version.storage_key, b"%PDF-1.7\n" + bytes(range(256)) * 8)
        return version.id


def test_a_failed_job_raises_its_alert_in_a_real_prometheus(stack: Stack) -> None:
    assert requests.get(f"{stack.api}/readyz", timeout=30).status_code == 200
    refused = requests.post(
        f"{stack.api}/api/v1/auth/login", json={"email": "ops@example.com", "password": "no"}, timeout=30
    )
    assert refused.status_code == 401
    new_version = upload_unreadable_revision(stack)

    def failed_job() -> str | None:
        with stack.sessions() as session:
            job = session.scalars(select(Job).where(Job.new_drawing_version_id == new_version)).one()
            return job.id if job.status == "failed" else None

    wait_for("the job to fail", failed_job, 240, stack.logs)

    def firing() -> list[dict[str, Any]]:
        alerts = requests.get(f"{stack.prometheus}/api/v1/alerts", timeout=10).json()["data"]["alerts"]
        return [
            alert
            for alert in alerts
            if alert["labels"]["alertname"] == "BuildTraceJobFailureRatioHigh" and alert["state"] == "firing"
        ]

    (alert,) = wait_for("the job-failure alert", firing, 60, stack.logs)
    assert float(alert["value"]) == 1.0
    assert {result["metric"]["job"]: result["value"][1] for result in stack.query("up")} == {
        "api": "1",
        "pipeline": "1",
    }
    assert stack.query('buildtrace_job_stages{stage="ocr",status="failed"}')[0]["value"][1] == "1"
    assert float(stack.query('sum(buildtrace_step_failures_total{stage="ocr"})')[0]["value"][1]) >= 1
    assert float(stack.query('sum(buildtrace_sign_in_failures_total{app="api"})')[0]["value"][1]) >= 1
    ticks = stack.query('buildtrace_sensor_last_tick_timestamp_seconds{sensor="pipeline_request_sensor"}')
    assert ticks and float(ticks[0]["value"][1]) > time.time() - 120
