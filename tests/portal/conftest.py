"""A real portal back end per test: a migrated SQLite database and local blob storage in tmp_path.

Fixtures:

- ``portal_env``: sets ``BUILDTRACE_DATA_DIR``/``_DATABASE_URL``/``_STORAGE_URL``
  to fresh locations and returns a :class:`PortalEnv` to add data through the
  services. The database is a copy of one migrated with Alembic and seeded
  once per session, so each test pays a file copy instead of a migration and
  four Argon2 hashes.
- ``people``: who is in that database: an organization ("Acme") with an
  owner, an editor and a viewer of one project ("Tower"), plus an outsider of
  another organization ("Rival") with a project of their own.
- ``compared_pair``: a revision pair analysed and compared by the real engine
  once per session; ``support.seed_review`` stores it as a job's diff result.
- ``open_app``: starts an ``AppTest`` of ``portal/app.py``, signed in as a
  given user (or nobody), optionally with ``?project=``.
- ``environment`` and ``portal_url``, for the headless-Chromium tests: settings
  shared by the test process (the pipeline) and a served portal
  (``streamlit run portal/asgi.py`` on a free port) over a fresh database with
  one user, :data:`tests.portal.browser.EMAIL`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.migrate import upgrade
from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.services import members, projects, users
from buildtrace_assets.services.access import Actor
from buildtrace_assets.storage import open_storage
from portal.auth import SESSION_KEY
from tests.observability.support import UNREACHABLE_DAGSTER
from tests.portal.browser import CHROMIUM, EMAIL, REPOSITORY
from tests.portal.support import (
    APP,
    PASSWORD,
    SERVED_APP,
    ComparedPair,
    People,
    PortalEnv,
    compare_pair,
    signed_in_session,
)


def _seed(session: Session) -> People:
    def person(email: str, organization: str = "Acme") -> Actor:
        return Actor.of(users.create_user(session, email, PASSWORD, organization=organization))

    owner, editor, viewer = person("owner@acme.test"), person("editor@acme.test"), person("viewer@acme.test")
    outsider = person("someone@rival.test", organization="Rival")
    project = projects.create_project(session, owner, "Tower", "A 12-storey tower")
    members.add_member(session, owner, project.id, "editor@acme.test", "editor")
    members.add_member(session, owner, project.id, "viewer@acme.test", "viewer")
    hidden = projects.create_project(session, outsider, "Rival secret")
    return People(owner, editor, viewer, outsider, project.id, hidden.id)


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, People]:
    """A database migrated with Alembic and seeded once; tests get copies (password hashing is slow on purpose)."""
    path = tmp_path_factory.mktemp("template") / "buildtrace.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    factory = make_session_factory(url)
    with transaction(factory) as session:
        seeded = _seed(session)
    factory.kw["bind"].dispose()
    return path, seeded


@pytest.fixture
def portal_env(
    tmp_path: Path, seeded_database: tuple[Path, People], monkeypatch: pytest.MonkeyPatch
) -> Iterator[PortalEnv]:
    database = tmp_path / "buildtrace.db"
    shutil.copyfile(seeded_database[0], database)
    blobs = tmp_path / "blobs"
    blobs.mkdir()
    monkeypatch.setenv("BUILDTRACE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BUILDTRACE_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("BUILDTRACE_STORAGE_URL", blobs.as_uri())
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("DAGSTER_GRAPHQL_URL", UNREACHABLE_DAGSTER)
    get_settings.cache_clear()
    yield PortalEnv(database_url=f"sqlite:///{database}", storage=open_storage(blobs.as_uri()))
    get_settings.cache_clear()


@pytest.fixture
def people(portal_env: PortalEnv, seeded_database: tuple[Path, People]) -> People:
    """The people of the seeded database (see the module docstring)."""
    return seeded_database[1]


@pytest.fixture(scope="session")
def compared_pair(tmp_path_factory: pytest.TempPathFactory) -> ComparedPair:
    """A revision pair compared once per session by the real engine (see :func:`compare_pair`)."""
    return compare_pair(tmp_path_factory.mktemp("compared"))


@pytest.fixture(autouse=True, scope="session")
def _no_magic() -> None:
    """Pages use no "magic" writes; turning it off skips ``ast.parse`` in the script thread.

    CPython 3.11.7's AST converter is not thread-safe (``SystemError: AST
    constructor recursion depth mismatch``, fixed in 3.11.8), and the script
    thread of AppTest parses while the test thread may import.
    """
    st_config.set_option("runner.magicEnabled", False)


@pytest.fixture
def open_app(portal_env: PortalEnv) -> Callable[..., AppTest]:
    def open_(actor: Actor | None = None, page: str | None = None, project_id: str | None = None) -> AppTest:
        app = AppTest.from_file(str(APP), default_timeout=30)
        if actor is not None:
            app.session_state[SESSION_KEY] = signed_in_session(portal_env, actor)
        if project_id is not None:
            app.query_params["project"] = project_id
        app.run()
        if page is not None:
            app.switch_page(page).run()
        return app

    return open_


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Settings shared by this process (the pipeline) and the portal server."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    values = {
        "BUILDTRACE_DATA_DIR": str(tmp_path),
        "BUILDTRACE_DATABASE_URL": f"sqlite:///{tmp_path / 'buildtrace.db'}",
        "BUILDTRACE_STORAGE_URL": (tmp_path / "blobs").as_uri(),
        "BUILDTRACE_DPI": "72",
        "BUILDTRACE_SUMMARIZER": "offline",
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "DAGSTER_GRAPHQL_URL": UNREACHABLE_DAGSTER,
    }
    (tmp_path / "dagster").mkdir()
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    upgrade(values["BUILDTRACE_DATABASE_URL"])
    factory = make_session_factory(values["BUILDTRACE_DATABASE_URL"])
    with transaction(factory) as session:
        users.create_user(session, EMAIL, PASSWORD, display_name="Ada Architect", organization="Acme")
    factory.kw["bind"].dispose()
    yield values
    get_settings.cache_clear()


@pytest.fixture
def portal_url(environment: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "streamlit.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(SERVED_APP),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--runner.magicEnabled",
            "false",
        ],
        cwd=REPOSITORY,
        env={**os.environ, **environment},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "streamlit.log").read_text()
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
