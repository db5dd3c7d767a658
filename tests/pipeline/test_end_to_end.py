"""A file lands in storage and, through the sensors and the runs they request, becomes a summary.

The runs execute in process against a Dagster instance built from the
repository's ``dagster.yaml``: once as it is (SQLite under DAGSTER_HOME), once
with its storage switched to PostgreSQL through dagster-postgres, as the
cluster runs it. Run keys are honoured the way the sensor daemon does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from dagster import AssetKey, DagsterInstance, RunRequest, SensorDefinition, build_sensor_context
from pipeline.world import World, make_world
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from buildtrace_assets.db.migrate import upgrade
from buildtrace_assets.db.models import ChangeSummary, Job
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.sensors.jobs import job_progress_sensor
from buildtrace_assets.sensors.pipeline_requests import pipeline_request_sensor
from buildtrace_assets.sensors.uploads import upload_sensor

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).parents[2]
POSTGRES_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"


class SensorDaemon:
    """What the Dagster daemon does with sensor results, run one tick at a time in this process."""

    def __init__(self, world: World, instance: DagsterInstance) -> None:
        self.world = world
        self.instance = instance
        self.definitions = world.definitions
        self.cursors: dict[str, str | None] = {}
        self.run_keys: set[str] = set()

    def tick(self, sensor: SensorDefinition) -> list[str]:
        """Evaluate the sensor, add its partitions, run each new request; the run ids."""
        with build_sensor_context(
            instance=self.instance, cursor=self.cursors.get(sensor.name), resources=self.world.resources
        ) as context:
            result = sensor(context)
        self.cursors[sensor.name] = result.cursor
        for request in result.dynamic_partitions_requests:
            self.instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
        return [self.launch(request) for request in result.run_requests if request.run_key not in self.run_keys]

    def launch(self, request: RunRequest) -> str:
        self.run_keys.add(request.run_key)
        job = self.definitions.resolve_job_def(request.job_name)
        result = job.execute_in_process(
            instance=self.instance, partition_key=request.partition_key, tags=request.tags, raise_on_error=False
        )
        assert result.success, f"{request.job_name} run for {request.partition_key} failed"
        return result.run_id


def land_and_summarize(world: World, instance: DagsterInstance, pair: RevisionPair) -> None:
    daemon = SensorDaemon(world, instance)
    world.drop("Architectural Set", "rev-A.pdf", pair.old_path.read_bytes())
    assert daemon.tick(upload_sensor) == []
    assert len(daemon.tick(pipeline_request_sensor)) == 1
    assert daemon.tick(job_progress_sensor) == []

    world.drop("Architectural Set", "rev-B.pdf", pair.new_path.read_bytes())
    assert daemon.tick(upload_sensor) == []
    assert len(daemon.tick(pipeline_request_sensor)) == 1
    (compare_run,) = daemon.tick(job_progress_sensor)

    assert daemon.tick(upload_sensor) == daemon.tick(pipeline_request_sensor) == daemon.tick(job_progress_sensor) == []
    with world.session_factory() as session:
        job = session.scalars(select(Job)).one()
        summary = session.scalars(select(ChangeSummary).where(ChangeSummary.is_active)).one()
    assert job.status == "completed"
    assert summary.source == "machine" and summary.text.startswith("# Drawing changes")
    materializations = instance.fetch_materializations(AssetKey("change_summary"), limit=10).records
    assert [record.partition_key for record in materializations] == [job.id]
    assert materializations[0].run_id == compare_run


def instance_config(storage: dict) -> dict:
    config = yaml.safe_load((REPOSITORY / "dagster.yaml").read_text())
    return {**config, "storage": storage}


@pytest.fixture
def sqlite_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DagsterInstance]:
    """The instance ``dagster.yaml`` describes, in a fresh DAGSTER_HOME."""
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPOSITORY / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with DagsterInstance.from_config(str(home)) as instance:
        yield instance


@pytest.fixture
def postgres_databases() -> Iterator[tuple[str, str]]:
    """Two fresh PostgreSQL databases on the local server, app and Dagster, dropped afterwards.

    They must be apart: the app's migrations and dagster-postgres both keep
    their revision in an ``alembic_version`` table.
    """
    server = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    names = [f"buildtrace_{role}_{uuid.uuid4().hex[:12]}" for role in ("app", "dagster")]
    try:
        with server.connect() as connection:
            for name in names:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        server.dispose()
        pytest.skip(f"PostgreSQL not reachable: {error}")
    try:
        yield f"{POSTGRES_SERVER}/{names[0]}", f"{POSTGRES_SERVER}/{names[1]}"
    finally:
        with server.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_a_dropped_revision_becomes_a_summary_on_the_local_instance(
    sqlite_instance: DagsterInstance, tmp_path: Path, revision_pair: RevisionPair
) -> None:
    app_database = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(app_database)
    world = make_world(app_database, (tmp_path / "blobs").as_uri(), tmp_path)

    land_and_summarize(world, sqlite_instance, revision_pair)

    assert (Path(sqlite_instance.root_directory) / "history" / "runs.db").exists()


@pytest.mark.postgres
def test_a_dropped_revision_becomes_a_summary_with_postgres_instance_storage_and_gcs(
    postgres_databases: tuple[str, str],
    gcs_storage_url: str,
    tmp_path: Path,
    revision_pair: RevisionPair,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "dagster"
    home.mkdir()
    app_database, dagster_database = postgres_databases
    storage = {"postgres": {"postgres_url": dagster_database}}
    (home / "dagster.yaml").write_text(yaml.safe_dump(instance_config(storage)))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    upgrade(app_database)
    world = make_world(app_database, gcs_storage_url, tmp_path)

    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        land_and_summarize(world, instance, revision_pair)
