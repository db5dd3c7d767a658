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
from portal.status import COMPLETED, RUNNING, WAITING, status_of


def _document(storage: BlobStorage, source: ReportSource, name: str) -> bytes:
    return storage.get_bytes(ensure_documents(storage, source, [name])[name])


def _file_name(job: JobRef, name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9.-]+", "_", f"{job.new.drawing} v{job.old.number}-v{job.new.number}").strip("_")
    return f"{stem}-{name}"


def unavailable_reason(status: str) -> str:
    """Why a job has no report, told from its status in the portal's words (the service's own reason names the job
    by its id and its status by the stored word)."""
    look = status_of(status)
    if look in (WAITING, RUNNING):
        return f"they follow when the job is completed; it is {look.label} now."
    if look == COMPLETED:
        return "they follow once the comparison has its summary."
    return f"the job is {look.label}, so it has no results to report."


def report_downloads(user: SignedIn, job: JobRef) -> None:
    """One button per document, or the reason there is no report yet."""
    try:
        source = backend.run(lambda session: load_report_source(session, user.actor, job.job_id))
    except ReportUnavailable:
        st.caption(f"{status_of(job.status).material} Reports: {unavailable_reason(job.status)}")
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
