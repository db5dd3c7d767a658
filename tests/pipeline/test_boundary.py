"""The pipeline boundary end to end, against a real ``dagster dev`` (webserver and daemon in processes of their own).

The portal (Streamlit AppTest) and the REST API (Flask) run in this process
with no Dagster instance: they record pipeline requests and read Dagster over
its GraphQL API. A regeneration from either makes exactly one run, the summary
and its audit row name the person (the pipeline as executor), and the lineage
read over GraphQL shows who asked. With the daemon stopped, the portal's
banner appears within one refresh and ``buildtrace doctor`` says the same.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner
from fixtures.processes import free_port, pipeline_environment, stop_process_group, wait_for
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from buildtrace_assets.api import ApiSettings, create_app
from buildtrace_assets.cli import main as cli
from buildtrace_assets.config import get_settings
from buildtrace_assets.db.migrate import upgrade
from buildtrace_assets.db.models import AuditLog, ChangeSummary, DiffResult, Job, PipelineRequest
from buildtrace_assets.db.session import make_session_factory
from buildtrace_assets.observability.dagster_api import graphql_query
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.members import add_member
from buildtrace_assets.services.projects import create_project
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.services.users import create_user
from buildtrace_assets.storage import open_storage
from portal import sessions
from portal.auth import SESSION_KEY
from portal.pipeline import BANNER_TITLE

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
REPOSITORY = Path(__file__).parents[2]
APP = REPOSITORY / "portal" / "app.py"
PASSWORD = "correct horse battery"
SECRET = "boundary-test-secret-of-at-least-32-chars"
SILENT_AFTER_S = 20
"""How long the pipeline may be quiet before it is shown as not running: four ticks of the request sensor."""
RUNS_OF_REQUEST = """
query Runs($tags: [ExecutionTag!]) { runsOrError(filter: {tags: $tags}) { ... on Runs { results { runId status } } } }
"""


@dataclass
class Stack:
    graphql: str
    dev: subprocess.Popen[bytes]
    log: Path
    sessions: sessionmaker[Session]
    editor: Actor
    editor_email: str
    job_id: str


def daemon_of(dev: subprocess.Popen[bytes]) -> psutil.Process:
    """The daemon process ``dagster dev`` started."""
    return next(
        child
        for child in psutil.Process(dev.pid).children(recursive=True)
        if "daemon" in " ".join(child.cmdline()) and "run" in child.cmdline()
    )


def runs_of(stack: Stack, request_id: str) -> list[dict[str, str]]:
    data = graphql_query(
        stack.graphql, RUNS_OF_REQUEST, 10, {"tags": [{"key": "buildtrace/request_id", "value": request_id}]}
    )
    return list(data["runsOrError"]["results"])


def request_row(stack: Stack, request_id: str) -> PipelineRequest:
    with stack.sessions() as session:
        return session.get_one(PipelineRequest, request_id)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, revision_pair: RevisionPair) -> Iterator[Stack]:
    work = tmp_path_factory.mktemp("boundary")
    home = work / "dagster"
    home.mkdir()
    shutil.copy(REPOSITORY / "dagster.yaml", home / "dagster.yaml")
    database = f"sqlite:///{work / 'buildtrace.db'}"
    upgrade(database)
    port = free_port()
    graphql = f"http://127.0.0.1:{port}/graphql"
    env = {
        **pipeline_environment(work, database),
        "DAGSTER_GRAPHQL_URL": graphql,
        "BUILDTRACE_PIPELINE_SILENT_AFTER_S": str(SILENT_AFTER_S),
    }
    log = work / "dagster-dev.log"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        get_settings.cache_clear()
        command = [str(Path(sys.executable).parent / "dagster"), "dev", "-w", str(REPOSITORY / "workspace.yaml")]
        with log.open("ab") as output:
            dev = subprocess.Popen(
                [*command, "-h", "127.0.0.1", "-p", str(port)],
                cwd=REPOSITORY,
                env={**os.environ, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            sessions = make_session_factory(database)
            storage = open_storage(env["BUILDTRACE_STORAGE_URL"])
            with sessions.begin() as session:
                owner = Actor.of(create_user(session, "owner@acme.test", PASSWORD))
                editor = Actor.of(create_user(session, "pm@acme.test", PASSWORD))
                project = create_project(session, owner, "Tower")
                add_member(session, owner, project.id, "pm@acme.test", "editor")
                for path in (revision_pair.old_path, revision_pair.new_path):
                    register_upload(session, storage, owner, project.id, "A-101", path.name, path.read_bytes())

            def first_summary() -> str | None:
                with sessions() as session:
                    return session.scalar(select(DiffResult.job_id).join(ChangeSummary))

            job_id = wait_for("the upload's first summary", first_summary, 480, (log,))
            yield Stack(graphql, dev, log, sessions, editor, "pm@acme.test", job_id)
        finally:
            stop_process_group(dev, grace_s=15)
            get_settings.cache_clear()


def finished(stack: Stack, request_id: str) -> PipelineRequest:
    def done() -> PipelineRequest | None:
        row = request_row(stack, request_id)
        return row if row.status in ("done", "failed") else None

    return wait_for(f"request {request_id} to finish", done, 240, (stack.log,))


def assert_written_for_the_editor(stack: Stack, request: PipelineRequest) -> None:
    assert (request.status, request.error_message) == ("done", None)
    assert [run["runId"] for run in runs_of(stack, request.id)] == [request.dagster_run_id]
    with stack.sessions() as session:
        summary = session.scalars(select(ChangeSummary).where(ChangeSummary.is_active.is_(True))).one()
        audited = session.scalars(
            select(AuditLog).where(AuditLog.entity_id == summary.id, AuditLog.action == "summary.machine")
        ).one()
    assert summary.created_by == stack.editor.user_id
    assert (audited.user_id, audited.executed_by) == (stack.editor.user_id, "pipeline")


def test_the_api_regenerates_through_one_run_in_the_person_s_name_visible_in_lineage(stack: Stack) -> None:
    client: FlaskClient = create_app(get_settings(), ApiSettings(secret=SECRET)).test_client()  # type: ignore[arg-type]
    token = client.post("/api/v1/auth/login", json={"email": stack.editor_email, "password": PASSWORD}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    asked = [client.post(f"/api/v1/jobs/{stack.job_id}/summary/regenerate", headers=headers) for _ in range(2)]

    assert [response.status_code for response in asked] == [202, 202]
    assert asked[0].get_json()["id"] == asked[1].get_json()["id"]
    request = finished(stack, asked[0].get_json()["id"])
    assert_written_for_the_editor(stack, request)
    followed = client.get(f"/api/v1/requests/{request.id}", headers=headers).get_json()
    assert (followed["status"], followed["dagster_run_id"], followed["run_status"]) == (
        "done",
        request.dagster_run_id,
        "SUCCESS",
    )
    lineage = client.get(f"/api/v1/jobs/{stack.job_id}/lineage", headers=headers).get_json()
    summary = next(row for row in lineage["partitions"] if row["asset"] == "change_summary")
    assert (summary["status"], summary["run_id"], summary["requested_by"]) == (
        "materialized",
        request.dagster_run_id,
        stack.editor.user_id,
    )
    assert {row["status"] for row in lineage["partitions"]} == {"materialized"}
    assert client.get("/api/v1/pipeline/health", headers=headers).get_json() == {
        "ok": True,
        "problems": [],
        "reachable": True,
    }


def portal(stack: Stack, page: str) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60)
    with stack.sessions.begin() as session:
        app.session_state[SESSION_KEY] = sessions.start(session, str(stack.editor.user_id))
    app.run()
    app.switch_page(page).run()
    return app


def test_the_portal_regenerates_through_one_run_and_its_lineage_names_the_person(stack: Stack) -> None:
    app = portal(stack, "views/summary.py")
    assert not [expander for expander in app.expander if expander.label == BANNER_TITLE]

    for _ in range(2):
        next(button for button in app.button if button.label == "Regenerate summary").click()
        app.run()

    with stack.sessions() as session:
        (request_id,) = session.scalars(
            select(PipelineRequest.id).where(PipelineRequest.kind == "summarize", PipelineRequest.status != "done")
        ).all()
    request = finished(stack, request_id)
    assert_written_for_the_editor(stack, request)
    jobs = portal(stack, "views/jobs.py")
    next(toggle for toggle in jobs.toggle if toggle.label == "Lineage in Dagster").set_value(True)
    jobs.run()
    lineage = jobs.dataframe[-1].value
    row = lineage[lineage["asset"] == "change_summary"].iloc[0]
    assert (row["status"], row["asked by"], row["run"]) == ("materialized", stack.editor_email, request.dagster_run_id)


BACKFILL = """
mutation Backfill($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}
"""


def test_a_data_engineer_s_graphql_backfill_writes_the_summary_as_the_pipeline(stack: Stack) -> None:
    with stack.sessions() as session:
        before = len(session.scalars(select(ChangeSummary.id)).all())
    params = {"assetSelection": [{"path": ["change_summary"]}], "partitionNames": [stack.job_id]}

    launched = graphql_query(stack.graphql, BACKFILL, 10, {"params": params})["launchPartitionBackfill"]

    assert launched["__typename"] == "LaunchBackfillSuccess", launched

    def written() -> ChangeSummary | None:
        with stack.sessions() as session:
            rows = session.scalars(select(ChangeSummary).order_by(ChangeSummary.version_number)).all()
            return rows[-1] if len(rows) > before else None

    summary = wait_for("the backfilled summary", written, 240, (stack.log,))
    with stack.sessions() as session:
        audited = session.scalars(select(AuditLog).where(AuditLog.entity_id == summary.id)).one()
    assert (summary.created_by, audited.user_id, audited.executed_by) == (None, None, "pipeline")


def test_with_the_daemon_stopped_the_portal_shows_the_banner_within_one_refresh_and_doctor_says_so(
    stack: Stack,
) -> None:
    daemon = daemon_of(stack.dev)
    daemon.suspend()
    try:
        time.sleep(SILENT_AFTER_S + 5)
        with stack.sessions() as session:
            job = session.get_one(Job, stack.job_id)
        app = portal(stack, "views/jobs.py")

        [banner] = [expander for expander in app.expander if expander.label == BANNER_TITLE]
        assert "Its watcher “pipeline_request_sensor” has not run since" in banner.markdown[0].value
        doctor = CliRunner().invoke(cli, ["doctor"])
        assert doctor.exit_code == 1, doctor.output
        assert "PROBLEM: sensor pipeline_request_sensor not ticking" in doctor.output
        assert job.status == "completed"
    finally:
        daemon.resume()
