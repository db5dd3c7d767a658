"""Report documents of a job: only for finished jobs and readers of the project, built once per summary and
overlay version and kept in blob storage, and a stored file that has gone missing is named, never half-built."""

from __future__ import annotations

import pymupdf
import pytest
from fixtures.database import Team, tiny_pdf
from reports.scene import CHANGES, store_finished_job
from sqlalchemy.orm import Session

from buildtrace_assets.reports.bundle import DOCUMENTS
from buildtrace_assets.services.errors import NotFound
from buildtrace_assets.services.jobs import create_comparison_job
from buildtrace_assets.services.overlays import create_overlay
from buildtrace_assets.services.reports import ReportUnavailable, ensure_documents, load_report_source
from buildtrace_assets.services.summaries import edit_summary
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.storage import BlobStorage


@pytest.fixture
def finished(db_session: Session, blob_storage: BlobStorage, team: Team):
    return store_finished_job(db_session, blob_storage, team.editor, team.project.id)


def test_a_viewer_gets_all_four_documents_stored_under_the_summary_they_were_built_from(
    db_session, blob_storage, team, finished
):
    source = load_report_source(db_session, team.viewer, finished.job_id)

    keys = ensure_documents(blob_storage, source)

    assert sorted(keys) == sorted(DOCUMENTS)
    for name, key in keys.items():
        assert key.startswith(f"jobs/{finished.job_id}/reports/{source.summary_id}/machine/") and key.endswith(name)
    with pymupdf.open(stream=blob_storage.get_bytes(keys["report.pdf"]), filetype="pdf") as report:
        assert f"Job {finished.job_id}" in report.load_page(0).get_text()
        assert "New: v2 (rev2.pdf, uploaded" in report.load_page(0).get_text()


def test_a_stored_document_is_served_again_not_rebuilt(db_session, blob_storage, team, finished):
    source = load_report_source(db_session, team.viewer, finished.job_id)
    key = ensure_documents(blob_storage, source, ["report.pdf"])["report.pdf"]
    first = blob_storage.stat(key)

    assert ensure_documents(blob_storage, source, ["report.pdf"]) == {"report.pdf": key}
    assert blob_storage.stat(key).etag == first.etag


def test_a_new_summary_or_overlay_gives_new_documents_naming_the_reviewer(db_session, blob_storage, team, finished):
    before = load_report_source(db_session, team.viewer, finished.job_id)
    edit_summary(db_session, team.editor, finished.diff_result_id, "Checked by the architect.")
    create_overlay(db_session, team.editor, finished.diff_result_id, CHANGES[:2])
    db_session.commit()

    after = load_report_source(db_session, team.viewer, finished.job_id)
    key = ensure_documents(blob_storage, after, ["changes.csv"])["changes.csv"]

    assert after.key("changes.csv") != before.key("changes.csv") and after.overlay_id in key
    assert after.reviewers == ("editor@acme.test",)
    log = blob_storage.get_bytes(key).decode("utf-8-sig")
    assert "A-101-3" in log and "rejected by reviewer" in log


def test_an_unfinished_job_has_no_report_yet(db_session, blob_storage, team, finished):
    third = register_upload(
        db_session, blob_storage, team.editor, team.project.id, "Architectural Set", "rev3.pdf", tiny_pdf("rev 3")
    )
    pending = create_comparison_job(db_session, team.editor, finished.new_version_id, third.id)

    with pytest.raises(ReportUnavailable, match="not finished yet"):
        load_report_source(db_session, team.viewer, pending.id)


def test_another_tenants_job_is_not_found(db_session, team, finished):
    with pytest.raises(NotFound):
        load_report_source(db_session, team.outsider, finished.job_id)


def test_a_missing_overlay_image_is_named_and_nothing_is_stored(db_session, blob_storage, team, finished):
    blob_storage.delete(f"jobs/{finished.job_id}/diff/overlays/A-101.png")
    source = load_report_source(db_session, team.viewer, finished.job_id)

    with pytest.raises(ReportUnavailable, match=f"overlay image jobs/{finished.job_id}/diff/overlays/A-101.png"):
        ensure_documents(blob_storage, source, ["changes.csv", "report.pdf"])

    assert not blob_storage.exists(source.key("report.pdf"))
    assert not blob_storage.exists(source.key("changes.csv"))


def test_the_change_log_needs_no_drawing_but_the_pdfs_name_a_missing_new_revision(
    db_session, blob_storage, team, finished
):
    source = load_report_source(db_session, team.viewer, finished.job_id)
    blob_storage.delete(source.new.storage_key)

    assert blob_storage.exists(ensure_documents(blob_storage, source, ["changes.csv"])["changes.csv"])
    with pytest.raises(ReportUnavailable, match=f"new revision {source.new.storage_key} is missing"):
        ensure_documents(blob_storage, source, ["markups.pdf"])
    assert not blob_storage.exists(source.key("markups.pdf"))
