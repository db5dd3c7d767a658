"""Download buttons for a finished job's report, marked-up PDF and change log (review and summary pages).

What a report is about is read (and access checked) while the page runs:
that is a few rows. The document itself is built, or fetched when it was
built before for the same summary and overlay, only when the button is
clicked: Streamlit runs the button's data callable then, on a thread of its
own, so the page never waits for a PDF nobody asked for.
"""

from __future__ import annotations

import re

import streamlit as st

from buildtrace_assets.reports.bundle import DOCUMENTS
from buildtrace_assets.services.reports import ReportSource, ReportUnavailable, ensure_documents, load_report_source
from buildtrace_assets.storage import BlobStorage
from portal import backend
from portal.auth import SignedIn
from portal.job_context import JobRef


def _document(storage: BlobStorage, source: ReportSource, name: str) -> bytes:
    return storage.get_bytes(ensure_documents(storage, source, [name])[name])


def _file_name(job: JobRef, name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9.-]+", "_", f"{job.new.drawing} v{job.old.number}-v{job.new.number}").strip("_")
    return f"{stem}-{name}"


def report_downloads(user: SignedIn, job: JobRef) -> None:
    """One button per document, or the reason there is no report yet."""
    try:
        source = backend.run(lambda session: load_report_source(session, user.actor, job.job_id))
    except ReportUnavailable as reason:
        st.caption(f"Reports: {reason}")
        return
    storage = backend.storage()
    for column, document in zip(st.columns(len(DOCUMENTS)), DOCUMENTS.values(), strict=True):
        column.download_button(
            document.label,
            data=lambda name=document.name: _document(storage, source, name),
            file_name=_file_name(job, document.name),
            mime=document.content_type,
            on_click="ignore",
            icon=":material/download:",
            key=f"download-{job.job_id}-{document.name}",
        )
