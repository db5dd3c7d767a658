"""Report downloads over HTTP: the four documents of a finished job, streamed, with the job's access rules."""

from __future__ import annotations

import csv
import io

import pymupdf
import pytest
import requests
from api.support import World, bearer, login
from fixtures.database import Team
from flask.testing import FlaskClient
from openpyxl import load_workbook
from reports.scene import CHANGES, StoredJob, store_finished_job
from sqlalchemy.orm import Session

from buildtrace_assets.storage import BlobStorage

DOCUMENTS = {
    "report.pdf": "application/pdf",
    "markups.pdf": "application/pdf",
    "changes.csv": "text/csv",
    "changes.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.fixture
def finished(db_session: Session, blob_storage: BlobStorage, team: Team) -> StoredJob:
    return store_finished_job(db_session, blob_storage, team.editor, team.project.id)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_viewer_downloads_each_document_as_an_attachment(client: FlaskClient, finished, sign_in, name) -> None:
    response = client.get(f"/api/v1/jobs/{finished.job_id}/{name}", headers=sign_in("viewer@acme.test"))

    assert response.status_code == 200
    assert response.mimetype == DOCUMENTS[name]
    assert response.headers["Content-Disposition"] == f"attachment; filename={finished.job_id}-{name}"
    assert response.is_streamed
    body = response.get_data()
    if name.endswith(".pdf"):
        with pymupdf.open(stream=body, filetype="pdf") as pdf:
            assert pdf.page_count >= 3
    elif name == "changes.csv":
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert [row["id"] for row in rows] == [change["id"] for change in CHANGES]
    else:
        sheet = load_workbook(io.BytesIO(body))["Changes"]
        assert sheet.max_row == len(CHANGES) + 1


def test_the_report_is_streamed_by_the_real_server(live_server: str, client: FlaskClient, finished) -> None:
    headers = bearer(login(client, "viewer@acme.test")["access_token"])
    with requests.get(f"{live_server}/api/v1/jobs/{finished.job_id}/report.pdf", headers=headers, stream=True) as got:
        assert got.status_code == 200 and got.headers["Content-Type"] == "application/pdf"
        body = b"".join(got.iter_content(64 * 1024))
    with pymupdf.open(stream=body, filetype="pdf") as pdf:
        assert f"Job {finished.job_id}" in pdf.load_page(0).get_text()


def test_a_job_that_is_not_finished_is_a_409(client: FlaskClient, world: World, sign_in) -> None:
    response = client.get(f"/api/v1/jobs/{world.job_id}/report.pdf", headers=sign_in("viewer@acme.test"))

    assert response.status_code == 409
    assert "not finished yet" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_another_tenant_gets_404_and_no_report_is_built(
    client: FlaskClient, finished, sign_in, blob_storage: BlobStorage, name
) -> None:
    response = client.get(f"/api/v1/jobs/{finished.job_id}/{name}", headers=sign_in("outsider@rival.test"))

    assert response.status_code == 404
    assert list(blob_storage.list(f"jobs/{finished.job_id}/reports/")) == []


def test_without_a_token_it_is_a_401(client: FlaskClient, finished) -> None:
    assert client.get(f"/api/v1/jobs/{finished.job_id}/changes.csv").status_code == 401


def test_a_deleted_overlay_image_is_a_409_naming_it(
    client: FlaskClient, finished, sign_in, blob_storage: BlobStorage
) -> None:
    overlay = f"jobs/{finished.job_id}/diff/overlays/A-101.png"
    blob_storage.delete(overlay)

    response = client.get(f"/api/v1/jobs/{finished.job_id}/report.pdf", headers=sign_in("viewer@acme.test"))

    assert response.status_code == 409
    assert overlay in response.get_json()["error"]["message"]
