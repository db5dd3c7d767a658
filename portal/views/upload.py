"""Upload drawings: one file, a multi-page set, or many files at once, each a new version of a drawing.

The uploader accepts only drawing extensions up to the configured size
(Streamlit enforces both in the browser and again on the server); what the
bytes really are, and the size limit itself, are the services' call, and
their message is shown in plain words. Before saving, a table shows which
drawing each file becomes a version of (:mod:`portal.upload_set`), and the
person may change it. Each file then gets its own progress bar, which
moves with the bytes written to storage; after the upload the uploader is
emptied, so a second click cannot upload the same files again. For an
existing drawing the page lists its versions, each with its analysis
status and what converting its file lost.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.models import DrawingVersion
from buildtrace_assets.services import drawings, uploads
from buildtrace_assets.services.errors import ServiceError
from portal import backend
from portal.auth import signed_in_user
from portal.empty_state import empty_state
from portal.project_context import choose_project
from portal.status import badge
from portal.upload_set import drawing_for, plain_refusal, stored_share

EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "dxf", "dwg")
DONE_KEY = "upload_done"
"""What the last upload did, file by file, shown after the rerun that empties the uploader."""
GENERATION_KEY = "upload_generation"
"""Part of the uploader's key: a new key is a new, empty uploader."""

user = signed_in_user()
st.title("Upload drawings")
project = choose_project(user)

if not project.can_edit:
    empty_state(
        f"Your role in {project.name} is {project.role}: only editors and owners upload drawings. Ask an owner of the"
        " project to make you an editor, or read the comparisons on the Jobs page.",
        "views/jobs.py",
        "Jobs",
        icon=":material/lock:",
    )
    st.stop()

just_done: list[tuple[str, str]] = st.session_state.pop(DONE_KEY, [])
for kind, message in just_done:
    (st.success if kind == "done" else st.info if kind == "next" else st.error)(message)

settings = get_settings()
drawing_ids = backend.run(lambda s: {d.name: d.id for d in drawings.list_drawings(s, user.actor, project.project_id)})
names = list(drawing_ids)
files = st.file_uploader(
    f"Drawing files ({', '.join(ext.upper() for ext in EXTENSIONS)}, up to {settings.max_upload_mb} MB each): "
    "one file, a multi-page set, or many files at once",
    type=list(EXTENSIONS),
    max_upload_size=settings.max_upload_mb,
    accept_multiple_files=True,
    key=f"uploader-{st.session_state.get(GENERATION_KEY, 0)}",
)
if not files:
    if just_done:
        st.stop()
    empty_state(
        "Choose the files of a drawing set above: each becomes a new version of the drawing its name matches "
        "(by name without the revision mark, or by sheet number), or a new drawing."
        if names
        else "No drawings yet: choose the first revision of a set above; the next upload of each drawing is compared "
        "with it.",
        icon=":material/upload_file:",
    )
    st.stop()

planned: list[dict[str, Any]] = st.data_editor(
    [{"file": file.name, "drawing": drawing_for(file.name, names)} for file in files],
    column_config={
        "file": st.column_config.TextColumn("File", disabled=True),
        "drawing": st.column_config.TextColumn("Drawing", help="An existing drawing's name, or a new drawing's"),
    },
    hide_index=True,
    width="stretch",
    key=f"mapping-{st.session_state.get(GENERATION_KEY, 0)}",
)
for row in planned:
    target = (row["drawing"] or "").strip()
    becomes = f"a new version of {target}" if target in drawing_ids else f"version 1 of a new drawing {target!r}"
    st.caption(f"{row['file']} → {becomes}")


def _versions(session: Session, name: str) -> list[tuple[int, str, str, tuple[str, ...]]]:
    return [
        (version.version_number, version.original_filename, version.ocr_status, warnings)
        for version, warnings in uploads.versions_with_warnings(
            session, backend.storage(), user.actor, drawing_ids[name]
        )
    ]


def _register(session: Session, target: str, file: UploadedFile, bar: DeltaGenerator) -> DrawingVersion:
    """Register the file as a version; its bar moves with the bytes written to storage."""
    data = file.getvalue()

    def stored(count: int) -> None:
        share, text = stored_share(file.name, count, len(data))
        bar.progress(share, text=text)

    return uploads.register_upload(
        session, backend.storage(), user.actor, project.project_id, target, file.name, data, progress=stored
    )


for name in sorted({row["drawing"] for row in planned} & set(names)):
    versions = backend.run(partial(_versions, name=name))
    with st.expander(f"Versions of {name} ({len(versions)})"):
        for number, filename, status, warnings in versions:
            st.markdown(f"**Version {number}**: {filename} · analysis {badge(status)}")
            for warning in warnings:
                st.warning(f"Version {number}: {warning}", icon="⚠️")

if st.button("Upload", type="primary"):
    outcome: list[tuple[str, str]] = []
    for file, row in zip(files, planned, strict=True):
        bar = st.progress(0.0, text=f"{file.name}: checking the file")
        target = (row["drawing"] or "").strip()
        try:
            version = backend.run(partial(_register, target=target, file=file, bar=bar))
        except ServiceError as error:
            bar.progress(1.0, text=f"{file.name}: refused")
            outcome.append(("refused", plain_refusal(error, file.name)))
            continue
        bar.progress(1.0, text=f"{file.name}: done")
        outcome.append(("done", f"{target}: version {version.version_number} uploaded ({file.name})."))
        if version.version_number > 1:
            outcome.append(
                (
                    "next",
                    f"The comparison with version {version.version_number - 1} starts by itself; "
                    "follow it on the Jobs page.",
                )
            )
    if any(kind == "refused" for kind, _ in outcome) and len(files) > 1:
        outcome.append(("next", "The refused files were not saved; choose them again once fixed."))
    st.session_state[DONE_KEY] = outcome
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
    st.rerun()
