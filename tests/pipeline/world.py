"""A small BuildTrace world for pipeline tests, built from real parts.

A migrated app database (SQLite or PostgreSQL, from ``database_url``), blob
storage (a local folder or the GCS emulator), a project with an owner, and
Dagster definitions whose resources point at them. Drawings come from the
samples generator, so what changed between two revisions is known.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from dagster import DagsterInstance, Definitions, ExecuteInProcessResult, in_process_executor, materialize
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.assets.drawing_versions import drawing_analysis
from buildtrace_assets.config import Settings
from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.definitions import make_definitions
from buildtrace_assets.resources import AppDatabaseResource, build_resources
from buildtrace_assets.samples import RevisionPair, make_revision_pair
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.jobs import create_comparison_job
from buildtrace_assets.services.projects import create_project
from buildtrace_assets.services.uploads import register_stored_object
from buildtrace_assets.services.users import create_user
from buildtrace_assets.storage import BlobStorage, open_storage

TEST_DPI = 72
UNREACHABLE_DATABASE = AppDatabaseResource(url="postgresql+psycopg2://postgres@127.0.0.1:9/none?connect_timeout=2")
"""The app database as a resource whose server is down: nothing listens on port 9."""
SMALL_SHEET = (792.0, 612.0)
"""Letter landscape, the smallest sheet the generator draws a title block on."""


@dataclass
class World:
    """Settings, storage, database and a project shared by the pipeline's parts in one test."""

    settings: Settings
    storage: BlobStorage
    session_factory: sessionmaker[Session]
    project_id: str
    owner: Actor

    @property
    def resources(self) -> dict[str, object]:
        return build_resources(self.settings)

    @property
    def definitions(self) -> Definitions:
        return make_definitions(self.settings, in_process_executor)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with transaction(self.session_factory) as session:
            yield session

    def drop(self, drawing: str, filename: str, data: bytes) -> str:
        """Put a file where something with bucket access would, bypassing the services; its key."""
        key = f"uploads/{self.project_id}/{drawing}/{filename}"
        self.storage.put_bytes(key, data)
        return key

    def register(self, drawing: str, filename: str, data: bytes) -> str:
        """A dropped file registered the way the upload sensor does it; the version id."""
        key = self.drop(drawing, filename, data)
        with self.transaction() as session:
            return register_stored_object(session, self.storage, key).id

    def comparison(self, pair: RevisionPair, drawing: str = "Architectural Set") -> tuple[str, str, str]:
        """Both revisions registered and a job comparing them: (old version id, new version id, job id)."""
        old = self.register(drawing, "rev-1.pdf", pair.old_path.read_bytes())
        new = self.register(drawing, "rev-2.pdf", pair.new_path.read_bytes())
        with self.transaction() as session:
            job = create_comparison_job(session, self.owner, old, new)
        return old, new, job.id


def make_world(database_url: str, storage_url: str, data_dir: Path) -> World:
    settings = Settings(
        data_dir=data_dir, database_url=database_url, storage_url=storage_url, dpi=TEST_DPI, summarizer="offline"
    )
    session_factory = make_session_factory(database_url)
    with transaction(session_factory) as session:
        user = create_user(session, "owner@example.com", "correct horse battery")
        owner = Actor.of(user)
        project = create_project(session, owner, "Tower A")
    return World(settings, open_storage(storage_url), session_factory, project.id, owner)


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    """A world with local blob storage."""
    built = make_world(database_url, (tmp_path / "blobs").as_uri(), tmp_path)
    yield built
    built.session_factory.kw["bind"].dispose()


@pytest.fixture
def gcs_world(database_url: str, gcs_storage_url: str, tmp_path: Path) -> Iterator[World]:
    """A world whose blob storage is a bucket on the GCS emulator."""
    built = make_world(database_url, gcs_storage_url, tmp_path)
    yield built
    built.session_factory.kw["bind"].dispose()


@pytest.fixture
def instance() -> DagsterInstance:
    """A throwaway Dagster instance, in memory."""
    return DagsterInstance.ephemeral()


@pytest.fixture(scope="session")
def revision_pair(tmp_path_factory: pytest.TempPathFactory) -> RevisionPair:
    """Two revisions of a one-sheet set: a wall added, a wall removed, a dimension and a note changed."""
    return make_revision_pair(tmp_path_factory.mktemp("pair"), seed=3, n_sheets=1, page_size=SMALL_SHEET)


def materialize_partition(
    world: World, instance: DagsterInstance, assets: list, partitions: str, key: str
) -> ExecuteInProcessResult:
    """Materialize ``assets`` for one dynamic partition, adding the partition first as the sensors do."""
    instance.add_dynamic_partitions(partitions, [key])
    return materialize(assets, partition_key=key, resources=world.resources, instance=instance, raise_on_error=False)


def analyzed_job(world: World, instance: DagsterInstance, pair: RevisionPair) -> str:
    """A job whose two versions are analyzed, ready for its diff; its id."""
    old_id, new_id, job_id = world.comparison(pair)
    for version_id in (old_id, new_id):
        assert materialize_partition(world, instance, [drawing_analysis], "drawing_versions", version_id).success
    return job_id


def metadata_of(result: ExecuteInProcessResult, asset: str) -> dict:
    """The plain values of the one materialization of ``asset``."""
    (materialization,) = result.asset_materializations_for_node(asset)
    return {key: value.value for key, value in materialization.metadata.items()}


def checks_of(result: ExecuteInProcessResult) -> dict[str, bool]:
    """Asset check outcomes by check name."""
    return {evaluation.check_name: evaluation.passed for evaluation in result.get_asset_check_evaluations()}
