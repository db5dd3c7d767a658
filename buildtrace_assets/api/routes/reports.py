"""Report downloads of a finished job: the PDF report, the marked-up PDF and the change log (CSV, XLSX).

Same access rules as the job (another tenant's job is a 404), 409 while the
job is not finished. A document is built on first request for the summary
and overlay in force and stored; later requests stream the stored blob. The
request's transaction ends once the report's facts are read, so a build
never holds the database.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Response, send_file
from flask_smorest import Blueprint

from buildtrace_assets.api.context import api_context, commit_request, current_actor, db
from buildtrace_assets.api.schemas import ErrorEnvelopeSchema
from buildtrace_assets.reports.bundle import DOCUMENTS
from buildtrace_assets.services.reports import ensure_documents, load_report_source

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports of finished jobs.")


def _stream(job_id: str, name: str) -> Response:
    """The stored document, streamed from a local copy that is already unlinked (nothing is left behind)."""
    source = load_report_source(db(), current_actor(), job_id)
    commit_request()
    storage = api_context().storage
    key = ensure_documents(storage, source, [name])[name]
    handle, path = tempfile.mkstemp(prefix="buildtrace-download-")
    os.close(handle)
    try:
        storage.download(key, Path(path))
        stream = open(path, "rb")  # noqa: SIM115 - closed by the response once sent
    finally:
        os.unlink(path)
    document = DOCUMENTS[name]
    return send_file(stream, mimetype=document.content_type, as_attachment=True, download_name=f"{job_id}-{name}")


NOT_READY = "The job is not finished yet, failed, or a stored file its report needs is missing."


@blp.route("/jobs/<job_id>/report.pdf", methods=["GET"])
@blp.response(200, content_type="application/pdf", description="The PDF report.")
@blp.alt_response(409, schema=ErrorEnvelopeSchema, description=NOT_READY)
def report_pdf(job_id: str) -> Response:
    """The PDF report: cover with the summary, each changed sheet with numbered callouts, change tables."""
    return _stream(job_id, "report.pdf")


@blp.route("/jobs/<job_id>/markups.pdf", methods=["GET"])
@blp.response(200, content_type="application/pdf", description="The marked-up new revision.")
@blp.alt_response(409, schema=ErrorEnvelopeSchema, description=NOT_READY)
def markups_pdf(job_id: str) -> Response:
    """The new revision with each change as a cloud annotation and a numbered callout (Bluebeam, Acrobat)."""
    return _stream(job_id, "markups.pdf")


@blp.route("/jobs/<job_id>/changes.csv", methods=["GET"])
@blp.response(200, content_type="text/csv", description="The change log as CSV.")
@blp.alt_response(409, schema=ErrorEnvelopeSchema, description=NOT_READY)
def changes_csv(job_id: str) -> Response:
    """The change log, one row per change (UTF-8 with a byte-order mark)."""
    return _stream(job_id, "changes.csv")


@blp.route("/jobs/<job_id>/changes.xlsx", methods=["GET"])
@blp.response(200, content_type=DOCUMENTS["changes.xlsx"].content_type, description="The change log as XLSX.")
@blp.alt_response(409, schema=ErrorEnvelopeSchema, description=NOT_READY)
def changes_xlsx(job_id: str) -> Response:
    """The change log as a workbook with a header row, filters and frozen panes."""
    return _stream(job_id, "changes.xlsx")
