"""The pipeline exporter's database and Dagster collectors: counts by state read at scrape time, and ``up`` gauges
that say 0, with the endpoint still answering, while the database or the Dagster API is down."""

from __future__ import annotations

from datetime import timedelta

import requests
from fixtures.database import Team, tiny_pdf
from observability.support import UNREACHABLE_DAGSTER, UNREACHABLE_DATABASE, sample
from prometheus_client import CollectorRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.config import Settings
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import Job
from buildtrace_assets.db.session import make_session_factory
from buildtrace_assets.observability.collector import DatabaseCollector, SensorCollector
from buildtrace_assets.observability.exporter import exporter_readiness
from buildtrace_assets.observability.ops_server import OpsServer
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.jobs import fail_stage
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.storage import BlobStorage


def upload(session_factory: sessionmaker[Session], storage: BlobStorage, team: Team, label: str) -> str:
    with session_factory.begin() as session:
        data = tiny_pdf(label)
        return register_upload(session, storage, team.editor, team.project.id, "A-101", f"{label}.pdf", data).id


def test_jobs_stages_and_requests_are_counted_by_state(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    first, second, third = (upload(session_factory, blob_storage, team, label) for label in ("r1", "r2", "r3"))
    with session_factory.begin() as session:
        failing = session.scalars(select(Job).where(Job.new_drawing_version_id == second)).one()
        fail_stage(session, SYSTEM, failing.id, "ocr", "unreadable", second)
    later = utcnow() + timedelta(minutes=20)
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(session_factory, clock=lambda: later))

    assert sample("buildtrace_database_up", registry) == 1
    assert sample("buildtrace_jobs", registry, status="failed") == 1
    assert sample("buildtrace_jobs", registry, status="pending") == 1
    assert sample("buildtrace_jobs_finished_recently", registry, status="failed") == 1
    assert sample("buildtrace_jobs_finished_recently", registry, status="completed") == 0
    assert sample("buildtrace_job_stages", registry, stage="ocr", status="failed") == 1
    assert sample("buildtrace_pipeline_requests", registry, kind="analyze", status="pending") == 3
    assert 20 * 60 - 30 < sample("buildtrace_jobs_oldest_waiting_age_seconds", registry) <= 20 * 60 + 1
    waited = sample(
        "buildtrace_pipeline_requests_oldest_waiting_age_seconds", registry, kind="analyze", status="pending"
    )
    assert waited > 20 * 60 - 30
    assert first != third


def test_collected_families_are_the_declared_ones(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    upload(session_factory, blob_storage, team, "r1")
    collector = DatabaseCollector(session_factory)

    collected = {family.name for family in collector.collect()}

    assert collected == set(DatabaseCollector.FAMILIES)
    assert {family.name for family in collector.describe()} == collected


def test_a_scrape_while_the_database_and_dagster_are_down_answers_with_up_gauges_at_0(app_settings: Settings) -> None:
    down = make_session_factory(UNREACHABLE_DATABASE)
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(down))
    registry.register(SensorCollector(UNREACHABLE_DAGSTER, timeout_s=1.0))
    server = OpsServer(registry, lambda: exporter_readiness(app_settings, down), "127.0.0.1", 0)
    try:
        metrics = requests.get(f"http://127.0.0.1:{server.port}/metrics", timeout=30)
        ready = requests.get(f"http://127.0.0.1:{server.port}/readyz", timeout=30)
        alive = requests.get(f"http://127.0.0.1:{server.port}/healthz", timeout=30)
    finally:
        server.close()

    assert metrics.status_code == 200
    lines = metrics.text.splitlines()
    assert "buildtrace_database_up 0.0" in lines and "buildtrace_dagster_up 0.0" in lines
    assert not [line for line in lines if line.startswith("buildtrace_jobs")]
    assert ready.status_code == 503 and not ready.json()["checks"][0]["ok"]
    assert alive.status_code == 200
