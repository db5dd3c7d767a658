"""``buildtrace report JOB_ID`` and ``buildtrace compare --report``: the four documents on disk; an unfinished or
foreign job exits 2 with one line; the model's summary is what the report says."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pymupdf
from click.testing import CliRunner
from fixtures.database import Team, tiny_pdf
from fixtures.openai_server import FakeOpenAIServer, Reply, chat_completion
from openpyxl import load_workbook
from reports.scene import CHANGES, store_finished_job
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.cli import main
from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.db.session import transaction
from buildtrace_assets.samples import make_revision_pair
from buildtrace_assets.services.jobs import create_comparison_job, fail_stage, start_stage
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.storage import BlobStorage

NAMES = ["report.pdf", "markups.pdf", "changes.csv", "changes.xlsx"]


def finished_job(session_factory: sessionmaker[Session], storage: BlobStorage, team: Team) -> str:
    with transaction(session_factory) as session:
        return store_finished_job(session, storage, team.editor, team.project.id).job_id


def test_report_writes_the_four_documents_of_a_finished_job(
    app_settings: Settings, session_factory, blob_storage: BlobStorage, team: Team, tmp_path: Path
) -> None:
    job_id = finished_job(session_factory, blob_storage, team)
    out = tmp_path / "out"

    result = CliRunner().invoke(main, ["report", job_id, "--out", str(out), "--user", "viewer@acme.test"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(out / name) for name in NAMES]
    with pymupdf.open(out / "report.pdf") as report:
        assert f"Job {job_id}" in report.load_page(0).get_text()
    assert load_workbook(out / "changes.xlsx")["Changes"].max_row == len(CHANGES) + 1


def started_job(session_factory: sessionmaker[Session], storage: BlobStorage, team: Team, failed: bool) -> str:
    """A job whose first analysis started (running), or failed (failed)."""
    with transaction(session_factory) as session:
        old, new = (
            register_upload(session, storage, team.editor, team.project.id, "A-1", f"{n}.pdf", tiny_pdf(n))
            for n in ("1", "2")
        )
        job = create_comparison_job(session, team.editor, old.id, new.id)
        start_stage(session, team.editor, job.id, "ocr", old.id)
        if failed:
            fail_stage(session, team.editor, job.id, "ocr", "tesseract crashed", drawing_version_id=old.id)
        return job.id


def test_a_running_job_exits_2_saying_not_finished_yet(
    app_settings: Settings, session_factory, blob_storage: BlobStorage, team: Team, tmp_path: Path
) -> None:
    job_id = started_job(session_factory, blob_storage, team, failed=False)
    out = tmp_path / "out"

    result = CliRunner().invoke(main, ["report", job_id, "--out", str(out), "--user", "viewer@acme.test"])

    assert result.exit_code == 2
    assert result.stderr == (f"Error: job {job_id} is not finished yet (running); its report follows when it is\n")
    assert not out.exists()


def test_a_failed_job_exits_2_saying_it_has_no_results(
    app_settings: Settings, session_factory, blob_storage: BlobStorage, team: Team, tmp_path: Path
) -> None:
    job_id = started_job(session_factory, blob_storage, team, failed=True)
    result = CliRunner().invoke(main, ["report", job_id, "--out", str(tmp_path), "--user", "viewer@acme.test"])

    assert result.exit_code == 2
    assert result.stderr == f"Error: job {job_id} failed: it has no results to report\n"


def test_another_tenants_job_is_not_found(
    app_settings: Settings, session_factory, blob_storage: BlobStorage, team: Team, tmp_path: Path
) -> None:
    job_id = finished_job(session_factory, blob_storage, team)
    result = CliRunner().invoke(main, ["report", job_id, "--out", str(tmp_path), "--user", "outsider@rival.test"])

    assert result.exit_code == 2 and result.stderr == f"Error: job {job_id} not found\n"


def test_compare_report_carries_the_configured_models_summary(
    tmp_path: Path, monkeypatch, openai_server: FakeOpenAIServer
) -> None:
    reply = {"summary": "The model read these sheets for the report.", "items": []}
    openai_server.enqueue(Reply(body=chat_completion(json.dumps(reply))))
    pair = make_revision_pair(tmp_path / "in", seed=1, n_sheets=2)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("BUILDTRACE_SUMMARIZER", "auto")
    get_settings.cache_clear()
    out = tmp_path / "out"
    try:
        result = CliRunner().invoke(
            main, ["compare", str(pair.old_path), str(pair.new_path), "--out", str(out), "--dpi", "72", "--report"]
        )
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    assert all((out / name).is_file() for name in NAMES)
    with pymupdf.open(out / "report.pdf") as report:
        cover = " ".join(report.load_page(0).get_text().split())
        assert "The model read these sheets for the report." in cover
        assert "openai summarizer, model gpt-4.1-mini" in cover
        assert "buildtrace compare · generated" in cover
    with (out / "changes.csv").open(encoding="utf-8-sig", newline="") as handle:
        locations = [row["location"] for row in csv.DictReader(handle)]
    assert locations and all(location.startswith(("at grid", "between grids")) for location in locations)
    document = json.loads((out / "changes.json").read_text())
    with pymupdf.open(out / "markups.pdf") as markups:
        clouds = [a for page in markups for a in page.annots() if a.type[1] == "Square"]
        expected = [c["id"] for s in document["sheets"] for c in s["changes"]]
        assert sorted(a.info["content"].split(":")[0] for a in clouds if "Revision" in a.info["subject"]) == sorted(
            expected
        )
