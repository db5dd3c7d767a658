"""``buildtrace jobs list``: a member sees the project's jobs, as a table or JSON."""

from __future__ import annotations

import json

from click.testing import CliRunner
from fixtures.database import Team, tiny_pdf
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.cli import main
from buildtrace_assets.config import Settings
from buildtrace_assets.db.session import transaction
from buildtrace_assets.services.jobs import create_comparison_job, fail_stage
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.storage import BlobStorage


def make_failed_job(session_factory: sessionmaker[Session], storage: BlobStorage, team: Team) -> str:
    with transaction(session_factory) as session:
        old, new = (
            register_upload(session, storage, team.editor, team.project.id, "A-101", f"{n}.pdf", tiny_pdf(n))
            for n in ("1", "2")
        )
        job = create_comparison_job(session, team.editor, old.id, new.id)
        fail_stage(session, team.editor, job.id, "ocr", "tesseract crashed", drawing_version_id=old.id)
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
