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


def _register(name: str) -> None:
    """``GET /jobs/{job_id}/<name>``, documented with the document's content type and description."""
    document = DOCUMENTS[name]

    def download(job_id: str) -> Response:
        return _stream(job_id, name)

    download.__doc__ = f"{document.description}\n\nSame access rules as the job; 409 until it is finished."
    endpoint = f"download_{name.replace('.', '_')}"
    binary = {document.content_type: {"schema": {"type": "string", "format": "binary"}}}
    view = blp.doc(responses={"200": {"description": document.description, "content": binary}})(download)
    view = blp.alt_response(409, schema=ErrorEnvelopeSchema, description=NOT_READY)(view)
    blp.route(f"/jobs/<job_id>/{name}", methods=["GET"], endpoint=endpoint)(view)


for _name in DOCUMENTS:
    _register(_name)
