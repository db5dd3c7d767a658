"""Uploads and drawing versions over HTTP: type sniffed from content, size limit, comparison on request."""

from __future__ import annotations

import io

import pytest
from api.support import World
from fixtures.database import Team, tiny_pdf
from fixtures.files import dxf_bytes, png_header_only
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import Drawing, DrawingVersion
from buildtrace_assets.storage import BlobStorage


def _upload(client: FlaskClient, headers, url: str, data: bytes, filename: str = "A-201.pdf", **fields: str):
    form = {"file": (io.BytesIO(data), filename), **fields}
    return client.post(url, data=form, headers=headers, content_type="multipart/form-data")


def test_an_upload_becomes_version_1_stored_where_the_upload_sensor_looks(
    client: FlaskClient, team: Team, sign_in, blob_storage: BlobStorage
) -> None:
    response = _upload(
        client, sign_in("editor@acme.test"), f"/api/v1/projects/{team.project.id}/drawings", tiny_pdf("x")
    )

    assert response.status_code == 201
    body = response.get_json()
    assert body["drawing"]["name"] == "A-201" and body["job"] is None
    assert (body["version"]["version_number"], body["version"]["file_kind"], body["version"]["page_count"]) == (
        1,
        "pdf",
        1,
    )
    assert blob_storage.get_bytes(f"uploads/{team.project.id}/A-201/1-A-201.pdf") == tiny_pdf("x")


def test_an_upload_with_old_version_id_starts_the_comparison(client: FlaskClient, world: World, sign_in) -> None:
    url = f"/api/v1/projects/{world.project_id}/drawings"

    response = _upload(
        client,
        sign_in("editor@acme.test"),
        url,
        tiny_pdf("rev 3"),
        "x.pdf",
        name="A-101",
        old_version_id=world.new_version_id,
    )

    body = response.get_json()
    assert response.status_code == 201 and body["version"]["version_number"] == 3
    assert (body["job"]["old_drawing_version_id"], body["job"]["new_drawing_version_id"], body["job"]["status"]) == (
        world.new_version_id,
        body["version"]["id"],
        "pending",
    )


@pytest.mark.parametrize(
    "data, filename, status, code",
    [
        (b"%PDF-1.7 but not really", "fake.pdf", 415, "unsupported_file_type"),
        (b"plain text pretending to be a drawing", "drawing.pdf", 415, "unsupported_file_type"),
        (b"", "empty.pdf", 422, "invalid_input"),
    ],
)
def test_files_are_judged_by_their_content(
    client: FlaskClient, team: Team, sign_in, db_session: Session, data: bytes, filename: str, status: int, code: str
) -> None:
    response = _upload(
        client, sign_in("editor@acme.test"), f"/api/v1/projects/{team.project.id}/drawings", data, filename
    )

    assert response.status_code == status and response.get_json()["error"]["code"] == code
    assert db_session.scalars(select(Drawing)).all() == []


def test_a_file_over_the_limit_is_a_413_and_nothing_is_stored(
    client: FlaskClient, team: Team, sign_in, monkeypatch: pytest.MonkeyPatch, blob_storage: BlobStorage
) -> None:
    from buildtrace_assets.config import get_settings

    monkeypatch.setenv("BUILDTRACE_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()

    response = _upload(
        client,
        sign_in("editor@acme.test"),
        f"/api/v1/projects/{team.project.id}/drawings",
        tiny_pdf("x") + b"\0" * 1_100_000,
    )

    assert response.status_code == 413 and response.get_json()["error"]["code"] == "payload_too_large"
    assert list(blob_storage.list("uploads/")) == []


def test_a_body_beyond_what_the_server_accepts_is_cut_off_with_413(
    client: FlaskClient, team: Team, sign_in, app
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10_000

    response = _upload(
        client, sign_in("editor@acme.test"), f"/api/v1/projects/{team.project.id}/drawings", b"x" * 20_000
    )

    assert response.status_code == 413 and response.get_json()["error"]["code"] == "payload_too_large"


def test_the_same_bytes_twice_are_a_409_and_a_missing_file_a_422(client: FlaskClient, world: World, sign_in) -> None:
    headers = sign_in("editor@acme.test")
    url = f"/api/v1/projects/{world.project_id}/drawings"

    duplicate = _upload(client, headers, url, tiny_pdf("rev 2"), name="A-101")
    no_file = client.post(url, data={"name": "A-101"}, headers=headers, content_type="multipart/form-data")

    assert duplicate.status_code == 409 and "already version 2" in duplicate.get_json()["error"]["message"]
    assert no_file.status_code == 422 and "file" in no_file.get_json()["error"]["details"]["multipart"]


def test_viewers_cannot_upload(client: FlaskClient, team: Team, sign_in) -> None:
    response = _upload(
        client, sign_in("viewer@acme.test"), f"/api/v1/projects/{team.project.id}/drawings", tiny_pdf("v")
    )

    assert response.status_code == 403


def test_drawing_versions_and_a_new_version(client: FlaskClient, world: World, sign_in) -> None:
    headers = sign_in("viewer@acme.test")
    base = f"/api/v1/drawings/{world.drawing_id}"

    added = _upload(client, sign_in("editor@acme.test"), f"{base}/versions", tiny_pdf("rev 3"), "rev3.pdf")

    assert added.status_code == 201 and added.get_json()["drawing"]["id"] == world.drawing_id
    detail = client.get(base, headers=headers).get_json()
    assert detail["name"] == "A-101" and [v["version_number"] for v in detail["versions"]] == [1, 2, 3]
    listed = client.get(f"{base}/versions", headers=headers).get_json()
    assert [v["original_filename"] for v in listed] == ["rev 1.pdf", "rev 2.pdf", "rev3.pdf"]
    version = client.get(f"/api/v1/versions/{world.old_version_id}", headers=headers).get_json()
    assert version["version_number"] == 1 and version["ocr_status"] == "pending"
    assert client.get(f"/api/v1/projects/{world.project_id}/drawings", headers=headers).get_json()[0]["id"] == (
        world.drawing_id
    )


def test_owners_delete_a_drawing_with_its_versions_and_files(
    client: FlaskClient, world: World, sign_in, db_session: Session, blob_storage: BlobStorage
) -> None:
    url = f"/api/v1/drawings/{world.drawing_id}"

    assert client.delete(url, headers=sign_in("editor@acme.test")).status_code == 403
    assert client.delete(url, headers=sign_in("owner@acme.test")).status_code == 204

    assert client.get(url, headers=sign_in("owner@acme.test")).status_code == 404
    assert list(blob_storage.list("uploads/")) == []
    assert db_session.scalars(select(DrawingVersion)).all() == []


@pytest.mark.parametrize(
    "data, filename, kind",
    [
        (dxf_bytes(binary=False), "plan.pdf", "dxf"),
        (b"\0" * 500 + tiny_pdf("junk first"), "set.pdf", "pdf"),
    ],
    ids=["ascii-dxf-named-pdf", "pdf-after-500-junk-bytes"],
)
def test_what_the_engine_reads_is_accepted_as_what_it_is(
    client: FlaskClient, team: Team, sign_in, data: bytes, filename: str, kind: str
) -> None:
    url = f"/api/v1/projects/{team.project.id}/drawings"

    response = _upload(client, sign_in("editor@acme.test"), url, data, filename, name="A-301")

    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["version"]["file_kind"], response.get_json()["version"]["page_count"]) == (kind, 1)


def test_a_decompression_bomb_is_a_413_refused_before_decoding(client: FlaskClient, team: Team, sign_in) -> None:
    url = f"/api/v1/projects/{team.project.id}/drawings"

    response = _upload(client, sign_in("editor@acme.test"), url, png_header_only(60_000, 60_000), "bomb.png")

    assert response.status_code == 413
    assert response.get_json()["error"] == {
        "code": "payload_too_large",
        "message": "bomb.png is an image of 60,000 x 60,000 pixels (3,600 megapixels); the limit is 200 megapixels",
    }


@pytest.mark.parametrize(
    "filename, fields, wrong",
    [
        ("A-201\x00.pdf", {"name": "A-201"}, "file name"),
        ("A-201.pdf", {"name": "A\x00201"}, "drawing name"),
        ("A-201.pdf", {"name": ".buildtrace-tmp-evil"}, "reserved"),
        ("A-201.pdf", {"name": "A\x07201"}, "control characters"),
        ("x" * 300 + ".pdf", {"name": "A-201"}, "at most 255 characters"),
        ("A-201.pdf", {"name": "é" * 150}, "at most 200 characters"),
    ],
    ids=["nul-in-file-name", "nul-in-drawing-name", "reserved-prefix", "bell", "long-file-name", "long-name"],
)
def test_names_that_cannot_be_stored_are_a_422_with_a_reason(
    client: FlaskClient, team: Team, sign_in, blob_storage: BlobStorage, filename: str, fields, wrong: str
) -> None:
    url = f"/api/v1/projects/{team.project.id}/drawings"

    response = _upload(client, sign_in("editor@acme.test"), url, tiny_pdf("x"), filename, **fields)

    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_input" and wrong in response.get_json()["error"]["message"]
    assert list(blob_storage.list("uploads/")) == []


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7 but not really", png_header_only(40, 30)[:33] + b"junk"], ids=["pdf", "png"]
)
def test_refusals_name_the_upload_never_a_server_path_or_object(
    client: FlaskClient, team: Team, sign_in, data: bytes
) -> None:
    url = f"/api/v1/projects/{team.project.id}/drawings"

    message = _upload(client, sign_in("editor@acme.test"), url, data, "broken.bin").get_json()["error"]["message"]

    assert message.startswith("broken.bin is a damaged")
    assert "/" not in message and " at 0x" not in message, message
