"""Load test of the REST API with Locust: 50 people browsing projects, jobs and summaries and 5 uploading, against
a real API process (``buildtrace api``, waitress) on PostgreSQL, 127.0.0.1 only.

A fresh PostgreSQL database is created on the server at ``BUILDTRACE_TEST_PGHOST`` (default 127.0.0.1:5432),
migrated and seeded through the services (one project, ``--jobs`` comparison jobs with diff results and
summaries), then dropped. Targets: p95 of reads < 300 ms, no failed request.

Writes ``bench/results/load.json`` and prints a Markdown table.

``--per-request N`` runs no load: it calls each read route N times in this process (Flask's test client on the
real app and the same seeded database) and prints, per route, the round trips to PostgreSQL (statements, the
pool's pre-ping at checkout, the commit or rollback) and the median wall and CPU time of a request: the cost of
one read without the queueing of a loaded machine, to compare before and after a change.

Run: ``.venv/bin/python -m bench.load [--browsers 50] [--uploaders 5] [--seconds 60] [--jobs 20]``
or ``.venv/bin/python -m bench.load --per-request 100``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import pymupdf
import requests
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL

from buildtrace_assets.api.app import create_app
from buildtrace_assets.db.migrate import upgrade
from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.engine.contract import SCHEMA_ID
from buildtrace_assets.services.access import SYSTEM, Actor
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.jobs import create_comparison_job
from buildtrace_assets.services.projects import create_project
from buildtrace_assets.services.summaries import save_machine_summary
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.services.users import create_user
from buildtrace_assets.storage import open_storage

ROOT = Path(__file__).parents[1]
RESULTS = ROOT / "bench" / "results" / "load.json"
EMAIL, PASSWORD = "load@example.com", "load test password"
READ_P95_TARGET_MS = 300.0
SERVER = URL.create(
    "postgresql+psycopg2",
    username="postgres",
    host=os.environ.get("BUILDTRACE_TEST_PGHOST", "127.0.0.1"),
    port=int(os.environ.get("BUILDTRACE_TEST_PGPORT", "5432")),
    database="postgres",
)


@dataclass(frozen=True)
class Figures:
    """One row of Locust's statistics: request count, failures and latency percentiles in milliseconds."""

    name: str
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    per_second: float


@dataclass(frozen=True)
class LoadResult:
    browsers: int
    uploaders: int
    seconds: int
    reads: Figures
    uploads: Figures
    routes: list[Figures]

    @property
    def meets_targets(self) -> bool:
        return self.reads.p95_ms < READ_P95_TARGET_MS and self.reads.failures == 0 and self.uploads.failures == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _database() -> Iterator[str]:
    server = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    name = f"buildtrace_load_{uuid.uuid4().hex[:10]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = SERVER.set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _pdf(label: str) -> bytes:
    document = pymupdf.open()
    document.new_page(width=792, height=612).insert_text((72, 72), label)
    data: bytes = document.tobytes()
    document.close()
    return data


def seed(database_url: str, storage_url: str, jobs: int) -> tuple[str, list[str]]:
    """A project with ``jobs`` comparisons, each with a diff result and a summary; (project id, job ids)."""
    sessions = make_session_factory(database_url)
    storage = open_storage(storage_url)
    document = {"schema": SCHEMA_ID, "old": {"file": "a.pdf", "pages": 1}, "new": {"file": "b.pdf", "pages": 1}}
    job_ids = []
    with transaction(sessions) as session:
        owner = Actor.of(create_user(session, EMAIL, PASSWORD))
        project_id = create_project(session, owner, "Load test").id
    for number in range(jobs):
        with transaction(sessions) as session:
            drawing = f"A-{number}"
            old, new = (
                register_upload(session, storage, owner, project_id, drawing, f"{rev}.pdf", _pdf(f"{drawing} {rev}"))
                for rev in ("rev-1", "rev-2")
            )
            job = create_comparison_job(session, owner, old.id, new.id)
            key = f"jobs/{job.id}/diff/changes.json"
            storage.put_bytes(key, json.dumps({**document, "sheets": []}).encode())
            result = record_diff_result(session, SYSTEM, job.id, changes_ref=key, engine_version="load")
            save_machine_summary(
                session,
                SYSTEM,
                result.id,
                content={"overall": f"Sheet A-{number}: nothing changed.", "items": []},
                text=f"Sheet A-{number}: nothing changed.",
                model="offline",
                prompt_version="load",
            )
            job_ids.append(job.id)
    sessions.kw["bind"].dispose()
    return project_id, job_ids


@contextmanager
def api_process(database_url: str, storage_url: str, work: Path) -> Iterator[str]:
    """``buildtrace api`` on a free 127.0.0.1 port, until the block ends (stopped by process group)."""
    port = _free_port()
    env = {
        **os.environ,
        "BUILDTRACE_DATA_DIR": str(work / "data"),
        "BUILDTRACE_DATABASE_URL": database_url,
        "BUILDTRACE_STORAGE_URL": storage_url,
        "BUILDTRACE_API_SECRET": uuid.uuid4().hex * 2,
        "BUILDTRACE_SUMMARIZER": "offline",
    }
    command = [str(Path(sys.executable).parent / "buildtrace"), "api", "--host", "127.0.0.1", "--port", str(port)]
    with (work / "api.log").open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"the API did not start: {(work / 'api.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def _figures(row: dict[str, str]) -> Figures:
    return Figures(
        name=row["Name"],
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        p50_ms=float(row["50%"]),
        p95_ms=float(row["95%"]),
        p99_ms=float(row["99%"]),
        per_second=round(float(row["Requests/s"]), 1),
    )


def _combined(name: str, rows: list[dict[str, str]]) -> Figures:
    """Several routes as one: counts added up, each percentile the worst route's. That bounds the combined
    percentile from above (if every route's p95 is under m, at most 5% of all requests are over m)."""
    return Figures(
        name=name,
        requests=sum(int(row["Request Count"]) for row in rows),
        failures=sum(int(row["Failure Count"]) for row in rows),
        p50_ms=max((float(row["50%"]) for row in rows), default=0.0),
        p95_ms=max((float(row["95%"]) for row in rows), default=0.0),
        p99_ms=max((float(row["99%"]) for row in rows), default=0.0),
        per_second=round(sum(float(row["Requests/s"]) for row in rows), 1),
    )


def run_load(browsers: int, uploaders: int, seconds: int, jobs: int, *, signed_in: bool = True) -> LoadResult:
    """Seed a fresh PostgreSQL database, start the API and run Locust headless against it; ``signed_in`` users
    share one access token from a sign-in made before the run, otherwise each signs in first."""
    with tempfile.TemporaryDirectory(prefix="buildtrace-load-") as scratch, _database() as database_url:
        work = Path(scratch)
        storage_url = (work / "blobs").as_uri()
        project_id, job_ids = seed(database_url, storage_url, jobs)
        with api_process(database_url, storage_url, work) as base:
            token = ""
            if signed_in:
                login = requests.post(
                    f"{base}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}, timeout=60
                )
                token = login.json()["access_token"]
            env = {
                **os.environ,
                "BUILDTRACE_LOAD_PROJECT": project_id,
                "BUILDTRACE_LOAD_JOBS": ",".join(job_ids),
                "BUILDTRACE_LOAD_EMAIL": EMAIL,
                "BUILDTRACE_LOAD_PASSWORD": PASSWORD,
                "BUILDTRACE_LOAD_TOKEN": token,
                "BUILDTRACE_LOAD_BROWSERS": str(browsers),
                "BUILDTRACE_LOAD_UPLOADERS": str(uploaders),
            }
            users = browsers + uploaders
            command = [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                base,
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{seconds}s",
                "--csv",
                str(work / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ]
            subprocess.run(command, env=env, cwd=work, check=False, capture_output=True, timeout=seconds + 120)
        with (work / "load_stats.csv").open() as stats:
            rows = [row for row in csv.DictReader(stats) if row["Name"] != "Aggregated"]
    reads = [row for row in rows if row["Type"] == "GET"]
    uploads = [row for row in rows if row["Type"] == "POST" and "drawings" in row["Name"]]
    return LoadResult(
        browsers,
        uploaders,
        seconds,
        _combined("reads (worst route)", reads),
        _combined("uploads", uploads),
        [_figures(row) for row in rows],
    )


READ_ROUTES = {
    "GET /projects": "/api/v1/projects",
    "GET /projects/{id}/jobs": "/api/v1/projects/{project}/jobs",
    "GET /jobs/{id}": "/api/v1/jobs/{job}",
    "GET /jobs/{id}/stages": "/api/v1/jobs/{job}/stages",
    "GET /jobs/{id}/summary": "/api/v1/jobs/{job}/summary",
}
"""The routes the browsing users of ``locustfile.py`` read."""


@dataclass(frozen=True)
class RequestCost:
    """One read route called in-process: round trips to the database and median times of one request."""

    name: str
    round_trips: float
    wall_ms: float
    cpu_ms: float


def per_request(requests_per_route: int, jobs: int) -> list[RequestCost]:
    """Seed a fresh PostgreSQL database and call each read route ``requests_per_route`` times in-process."""
    with tempfile.TemporaryDirectory(prefix="buildtrace-reads-") as scratch, _database() as database_url:
        work = Path(scratch)
        storage_url = (work / "blobs").as_uri()
        project_id, job_ids = seed(database_url, storage_url, jobs)
        os.environ.update(
            BUILDTRACE_DATA_DIR=str(work / "data"),
            BUILDTRACE_DATABASE_URL=database_url,
            BUILDTRACE_STORAGE_URL=storage_url,
            BUILDTRACE_API_SECRET=uuid.uuid4().hex * 2,
            BUILDTRACE_SUMMARIZER="offline",
        )
        sessions = make_session_factory(database_url)
        engine = sessions.kw["bind"]
        trips = [0]

        def count(*_: object) -> None:
            trips[0] += 1

        for name in ("before_cursor_execute", "commit", "rollback"):
            event.listen(engine, name, count)
        event.listen(engine.pool, "checkout", count)
        client = create_app(session_factory=sessions).test_client()
        login = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json['access_token']}"}  # type: ignore[index]
        costs = []
        for name, template in READ_ROUTES.items():
            paths = [template.format(project=project_id, job=job_ids[n % len(job_ids)]) for n in range(5)]
            for path in paths:  # warm the app's and the database's caches
                assert client.get(path, headers=headers).status_code == 200, path
            trips[0], walls, cpus = 0, [], []
            for number in range(requests_per_route):
                wall, cpu = time.perf_counter(), time.process_time()
                client.get(paths[number % len(paths)], headers=headers)
                cpus.append(time.process_time() - cpu)
                walls.append(time.perf_counter() - wall)
            costs.append(
                RequestCost(
                    name,
                    trips[0] / requests_per_route,
                    round(statistics.median(walls) * 1000, 1),
                    round(statistics.median(cpus) * 1000, 1),
                )
            )
        engine.dispose()
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--browsers", type=int, default=50)
    parser.add_argument("--uploaders", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--sign-in-each", action="store_true", help="every user signs in first (Argon2 each)")
    parser.add_argument("--per-request", type=int, default=0, help="no load: N in-process calls of each read route")
    arguments = parser.parse_args()
    if arguments.per_request:
        print(f"Each read route called {arguments.per_request} times in-process on PostgreSQL\n")
        print("| route | round trips | wall ms (median) | CPU ms (median) |")
        print("| --- | ---: | ---: | ---: |")
        for cost in per_request(arguments.per_request, arguments.jobs):
            print(f"| {cost.name} | {cost.round_trips:.1f} | {cost.wall_ms} | {cost.cpu_ms} |")
        return
    result = run_load(
        arguments.browsers, arguments.uploaders, arguments.seconds, arguments.jobs, signed_in=not arguments.sign_in_each
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(asdict(result) | {"meets_targets": result.meets_targets}, indent=2) + "\n")
    print(f"{result.browsers} browsing + {result.uploaders} uploading for {result.seconds} s on PostgreSQL\n")
    print("| requests | count | failures | p50 ms | p95 ms | p99 ms | req/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for figures in [result.reads, result.uploads, *result.routes]:
        print(
            f"| {figures.name} | {figures.requests} | {figures.failures} | {figures.p50_ms:.0f} | "
            f"{figures.p95_ms:.0f} | {figures.p99_ms:.0f} | {figures.per_second} |"
        )
    verdict = "met" if result.meets_targets else "MISSED"
    print(f"\nread p95 target < {READ_P95_TARGET_MS:.0f} ms, no failures: {verdict}")


if __name__ == "__main__":
    main()
