"""Upload a new version of a drawing; the pipeline then compares it with the previous version.

The uploader accepts only drawing extensions up to the configured size
(Streamlit enforces both in the browser and again on the server); what the
bytes really are, and the size limit itself, are the services' call, and
their message is shown as it is. For an existing drawing the page lists its
versions, each with its analysis status and what converting its file lost
(a DWG's entities the conversion could not carry), so the person uploading
the next revision sees what the comparison cannot.
"""

from __future__ import annotations

from pathlib import PurePath

import streamlit as st

from buildtrace_assets.config import get_settings
from buildtrace_assets.services import drawings, uploads
from portal import backend
from portal.auth import signed_in_user
from portal.project_context import choose_project

EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "dxf", "dwg")
NEW_DRAWING = "➕ New drawing"
DONE_KEY = "upload_done"
"""The last upload, shown after the rerun that refreshes the list of drawings."""

user = signed_in_user()
project = choose_project(user)
st.title("Upload a drawing")

if not project.can_edit:
    st.info(f"Your role in {project.name} is {project.role}: only editors and owners upload drawings.")
    st.stop()

if DONE_KEY in st.session_state:
    drawing, number, filename = st.session_state.pop(DONE_KEY)
    st.success(f"{drawing}: version {number} uploaded ({filename}).")
    if number > 1:
        st.info(f"The comparison with version {number - 1} starts by itself; follow it on the Jobs page.")

settings = get_settings()
drawing_ids = backend.run(lambda s: {d.name: d.id for d in drawings.list_drawings(s, user.actor, project.project_id)})
names = list(drawing_ids)
file = st.file_uploader(
    f"Drawing file ({', '.join(ext.upper() for ext in EXTENSIONS)}, up to {settings.max_upload_mb} MB)",
    type=list(EXTENSIONS),
    max_upload_size=settings.max_upload_mb,
)
choice = st.selectbox("Drawing", [NEW_DRAWING, *names], help="A new version of an existing drawing, or a new drawing.")
new_name = (
    st.text_input("New drawing name", value=PurePath(file.name).stem if file else "")
    if choice == NEW_DRAWING
    else choice
)

if choice != NEW_DRAWING:
    versions = backend.run(
        lambda s: [
            (version.version_number, version.original_filename, version.ocr_status, warnings)
            for version, warnings in uploads.versions_with_warnings(
                s, backend.storage(), user.actor, drawing_ids[choice]
            )
        ]
    )
    with st.expander(f"Versions of {choice} ({len(versions)})"):
        for number, filename, status, warnings in versions:
            st.markdown(f"**Version {number}**: {filename} (analysis {status.replace('_', ' ')})")
            for warning in warnings:
                st.warning(f"Version {number}: {warning}", icon="⚠️")

if st.button("Upload", type="primary", disabled=file is None):
    version = backend.attempt(
        lambda s: uploads.register_upload(
            s, backend.storage(), user.actor, project.project_id, new_name, file.name, file.getvalue()
        )
    )
    if version is not None:
        st.session_state[DONE_KEY] = (new_name.strip(), version.version_number, file.name)
        st.rerun()
