"""Upload page and DWG: a DWG is uploaded like any drawing, and what its conversion lost is shown by its version."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fixtures.dwg import sheet_dwg
from streamlit.testing.v1 import AppTest

from buildtrace_assets.services import drawings
from buildtrace_assets.services.access import SYSTEM
from tests.portal.support import People, PortalEnv, labelled, texts

OpenApp = Callable[..., AppTest]
PAGE = "views/upload.py"
LOST = "2 entities of entity types the DWG converter does not read are missing (2 3DSOLID)"


def test_a_dwg_is_uploaded_and_its_conversion_warnings_are_shown_by_its_version(
    open_app: OpenApp, people: People, portal_env: PortalEnv, tmp_path: Path
) -> None:
    app = open_app(people.editor, page=PAGE)
    app.file_uploader[0].set_value(("A-101.dwg", sheet_dwg(tmp_path / "A-101.dwg").read_bytes(), "image/vnd.dwg"))
    app.run()
    labelled(app.button, "Upload").click()
    app = app.run()
    assert texts(app.success) == ["A-101: version 1 uploaded (A-101.dwg)."]

    def analysed(session) -> None:  # what the analysis asset stores for a DWG that lost two solids
        (drawing,) = drawings.list_drawings(session, people.editor, people.project_id)
        (version,) = drawings.list_versions(session, people.editor, drawing.id)
        warning = {"kind": "unsupported_entities", "message": LOST, "count": 2, "spaces": ["Model"], "pages": [0]}
        portal_env.storage.put_bytes(f"analyses/{version.id}.json", json.dumps({"warnings": [warning]}).encode())
        drawings.record_version_processing(
            session, SYSTEM, version.id, ocr_status="completed", ocr_result_ref=f"analyses/{version.id}.json"
        )

    portal_env.run(analysed)
    app.file_uploader[0].set_value(("A-101 rev2.dwg", b"chosen, not uploaded yet", "image/vnd.dwg"))
    app = app.run()

    assert f"Version 1: {LOST}" in texts(app.warning)
    assert "**Version 1**: A-101.dwg · analysis :green-badge[:material/check_circle: completed]" in texts(app.markdown)
