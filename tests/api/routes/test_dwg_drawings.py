"""DWG uploads over HTTP: accepted as DWG by content, refused with 415 and the reason when unusable."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fixtures.database import Team
from fixtures.dwg import password_protected, sheet_dwg, with_version
from flask.testing import FlaskClient

from buildtrace_assets.storage import BlobStorage


def _upload(client: FlaskClient, headers, url: str, data: bytes, filename: str):
    form = {"file": (io.BytesIO(data), filename)}
    return client.post(url, data=form, headers=headers, content_type="multipart/form-data")


def test_a_dwg_named_anything_is_accepted_as_dwg(client: FlaskClient, team: Team, sign_in, tmp_path: Path) -> None:
    url = f"/api/v1/projects/{team.project.id}/drawings"

    response = _upload(client, sign_in("editor@acme.test"), url, sheet_dwg(tmp_path / "s.dwg").read_bytes(), "A.bin")

    assert response.status_code == 201, response.get_json()
    version = response.get_json()["version"]
    assert (version["file_kind"], version["page_count"]) == ("dwg", 1)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("r12", "plan.dwg is a DWG of AutoCAD R11/R12 (AC1009), older than the versions that can be read"),
        ("password", "plan.dwg is a password-protected DWG; save it without a password and upload it again"),
        ("truncated", "plan.dwg is a DWG that cannot be used: not a readable DWG (format error"),
    ],
)
def test_unusable_dwgs_are_a_415_with_the_reason_and_nothing_is_stored(
    client: FlaskClient, team: Team, sign_in, blob_storage: BlobStorage, tmp_path: Path, damage: str, message: str
) -> None:
    sheet = sheet_dwg(tmp_path / "s.dwg").read_bytes()
    data = {"r12": with_version(sheet, "AC1009"), "password": password_protected(sheet), "truncated": sheet[:1500]}
    url = f"/api/v1/projects/{team.project.id}/drawings"

    response = _upload(client, sign_in("editor@acme.test"), url, data[damage], "plan.dwg")

    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_file_type"
    assert response.get_json()["error"]["message"].startswith(message)
    assert list(blob_storage.list("uploads/")) == []
