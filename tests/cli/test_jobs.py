"""``buildtrace jobs``: a member sees the project's jobs; an editor asks for new summaries (pipeline requests);
``buildtrace doctor`` says whether the pipeline runs and what waits for it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fixtures.database import Team, tiny_pdf
from observability.support import UNREACHABLE_DAGSTER
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.cli import main
from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.db.models import Job, PipelineRequest
from buildtrace_assets.db.session import transaction
from buildtrace_assets.services.access import PIPELINE
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.jobs import create_comparison_job, fail_stage
from buildtrace_assets.services.pipeline_requests import follow_run
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.storage import BlobStorage


def uploaded_job(session: Session, storage: BlobStorage, team: Team) -> Job:
    """The editor's job comparing two uploaded versions of A-101."""
    old, new = (
        register_upload(session, storage, team.editor, team.project.id, "A-101", f"{n}.pdf", tiny_pdf(n))
        for n in ("1", "2")
    )
    return create_comparison_job(session, team.editor, old.id, new.id)


def make_failed_job(session_factory: sessionmaker[Session], storage: BlobStorage, team: Team) -> str:
    with transaction(session_factory) as session:
        job = uploaded_job(session, storage, team)
        fail_stage(
            session, team.editor, job.id, "ocr", "tesseract crashed", drawing_version_id=job.old_drawing_version_id
        )
        return job.id


def test_json_lists_the_jobs_with_their_status(
    app_settings: Settings, session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    job_id = make_failed_job(session_factory, blob_storage, team)
    result = CliRunner().invoke(
        main, ["jobs", "list", "--project", team.project.id, "--user", "viewer@acme.test", "--json"]
    )

    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)
    assert (record["id"], record["status"]) == (job_id, "failed")
    assert record["error_message"] == "ocr stage failed: tesseract crashed"


def test_the_table_has_one_line_per_job(
    app_settings: Settings, session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    job_id = make_failed_job(session_factory, blob_storage, team)
    result = CliRunner().invoke(main, ["jobs", "list", "--project", team.project.id, "--user", "owner@acme.test"])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{job_id}  failed ") and line.endswith("tesseract crashed")


def test_strangers_get_not_found(app_settings: Settings, team: Team) -> None:
    result = CliRunner().invoke(main, ["jobs", "list", "--project", team.project.id, "--user", "outsider@rival.test"])
    assert result.exit_code == 2
    assert result.stderr == f"Error: project {team.project.id} not found\n"


def compared_job(session_factory: sessionmaker[Session], storage: BlobStorage, team: Team) -> str:
    """A job with a comparison result, whose summary may be asked for again."""
    with transaction(session_factory) as session:
        job = uploaded_job(session, storage, team)
        record_diff_result(session, PIPELINE, job.id, changes_ref="jobs/x/changes.json", engine_version="t")
        return job.id


def test_resummarize_records_one_request_in_the_person_s_name_for_a_job_or_a_whole_project(
    app_settings: Settings, session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    job_id = compared_job(session_factory, blob_storage, team)

    one = CliRunner().invoke(main, ["jobs", "resummarize", job_id, "--user", "editor@acme.test"])
    project = CliRunner().invoke(
        main, ["jobs", "resummarize", "--project", team.project.id, "--user", "editor@acme.test"]
    )

    assert one.exit_code == 0 and project.exit_code == 0, one.output + project.output
    assert one.stdout.endswith(f"(summarize of job {job_id}): pending\n")
    assert project.stdout == one.stdout, "the waiting request is the same one: no second run"
    with session_factory() as session:
        (request,) = session.scalars(select(PipelineRequest).where(PipelineRequest.kind == "summarize")).all()
    assert request.requested_by == team.editor.user_id


def test_operations_re_run_failures_retry_and_retry_request_ask_again_in_the_person_s_name(
    app_settings: Settings, session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    """docs/operations.md, "re-run failures" from the CLI; tests/sensors/test_pipeline_requests.py shows the sensor
    making one run of such a request."""
    job_id = make_failed_job(session_factory, blob_storage, team)
    with transaction(session_factory) as session:
        failed = session.scalars(select(PipelineRequest).order_by(PipelineRequest.created_at)).first()
        assert failed is not None
        follow_run(session, failed.id, "failed", "run-1", "the step crashed")
        failed_id = failed.id

    job = CliRunner().invoke(main, ["jobs", "retry", job_id, "--user", "editor@acme.test"])
    request = CliRunner().invoke(main, ["jobs", "retry-request", failed_id, "--user", "editor@acme.test"])
    twice = CliRunner().invoke(main, ["jobs", "retry-request", failed_id, "--user", "editor@acme.test"])

    assert (job.exit_code, request.exit_code, twice.exit_code) == (0, 0, 0), job.output + request.output
    assert job.stdout == f"job {job_id}: pending, asked of the pipeline again\n"
    assert twice.stdout == request.stdout, "the waiting retry is the same one: no second run"
    with session_factory() as session:
        asked = session.scalars(select(PipelineRequest).where(PipelineRequest.requested_by == team.editor.user_id))
        reasons = sorted(row.reason for row in asked if row.status == "pending")
    assert reasons == ["new version", f"retry of request {failed_id}"]


def test_resummarize_refuses_viewers_strangers_and_a_muddled_call(
    app_settings: Settings, session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    job_id = compared_job(session_factory, blob_storage, team)

    viewer = CliRunner().invoke(main, ["jobs", "resummarize", job_id, "--user", "viewer@acme.test"])
    stranger = CliRunner().invoke(main, ["jobs", "resummarize", job_id, "--user", "outsider@rival.test"])
    both = CliRunner().invoke(
        main, ["jobs", "resummarize", job_id, "--project", team.project.id, "--user", "editor@acme.test"]
    )

    assert (viewer.exit_code, stranger.exit_code, both.exit_code) == (2, 2, 2)
    assert "needs the editor role" in viewer.stderr
    assert stranger.stderr == f"Error: project {team.project.id} not found\n"
    assert both.stderr == "Error: name either a JOB_ID or --project, not both\n"
    with session_factory() as session:
        assert not session.scalars(select(PipelineRequest).where(PipelineRequest.kind == "summarize")).all()


def test_doctor_says_the_pipeline_is_unreachable_and_lists_what_waits_for_it(
    app_settings: Settings,
    session_factory: sessionmaker[Session],
    blob_storage: BlobStorage,
    team: Team,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_failed_job(session_factory, blob_storage, team)
    monkeypatch.setenv("DAGSTER_GRAPHQL_URL", UNREACHABLE_DAGSTER)
    get_settings.cache_clear()

    result = CliRunner().invoke(main, ["doctor"])

    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Dagster API: {UNREACHABLE_DAGSTER}"
    assert lines[1].startswith(f"PROBLEM: pipeline unreachable: Dagster API at {UNREACHABLE_DAGSTER} unreachable")
    assert lines[2] == "requests waiting for a run: 2"
    assert all("waiting for the pipeline since" in line and "Tower / A-101 / v" in line for line in lines[3:])
