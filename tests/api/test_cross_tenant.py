"""Every route that takes an id answers 404 to someone outside the project, and changes nothing.

The route list comes from the app itself, so a new id-bearing route without
a probe here fails the coverage test instead of going unchecked.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from api.support import World, count_rows
from fixtures.database import tiny_pdf
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.models import AuditLog
from buildtrace_assets.services.overlays import create_overlay
from buildtrace_assets.storage import BlobStorage

JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/v1/projects/<project_id>"): {"name": "Mine now"},
    ("POST", "/api/v1/projects/<project_id>/members"): {"email": "outsider@rival.test", "role": "owner"},
    ("PATCH", "/api/v1/projects/<project_id>/members/<user_id>"): {"role": "viewer"},
    ("POST", "/api/v1/jobs/<job_id>/overlays"): {"changes": []},
    ("PUT", "/api/v1/overlays/<overlay_id>"): {"changes": []},
    ("PUT", "/api/v1/jobs/<job_id>/summary"): {"text": "Nothing changed."},
    ("PUT", "/api/v1/jobs/<job_id>/sheets/<sheet_key>/alignment"): {
        "points": [{"old": [100, 100], "new": [110, 105]}, {"old": [500, 700], "new": [510, 705]}]
    },
}
UPLOADS = {("POST", "/api/v1/projects/<project_id>/drawings"), ("POST", "/api/v1/drawings/<drawing_id>/versions")}


def _id_routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.arguments
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


@pytest.fixture
def overlay_id(world: World, db_session: Session) -> str:
    overlay = create_overlay(db_session, world.team.editor, world.diff_result_id, [])
    db_session.commit()
    return overlay.id


def _ids(world: World, overlay_id: str) -> dict[str, str]:
    return {
        "project_id": world.project_id,
        "drawing_id": world.drawing_id,
        "version_id": world.old_version_id,
        "job_id": world.job_id,
        "overlay_id": overlay_id,
        "user_id": world.team.viewer.user_id,
        "sheet_key": "A-101",
    }


def _send(client: FlaskClient, method: str, rule: str, ids: dict[str, str], headers: dict[str, str]):
    url = rule
    for name, value in ids.items():
        url = url.replace(f"<{name}>", value)
    if (method, rule) in UPLOADS:
        data = {"file": (io.BytesIO(tiny_pdf("intruder")), "intruder.pdf")}
        return client.open(url, method=method, data=data, headers=headers, content_type="multipart/form-data")
    return client.open(url, method=method, json=JSON_BODIES.get((method, rule)), headers=headers)


def test_every_id_bearing_route_is_probed(app: Flask) -> None:
    assert len(_id_routes(app)) >= 20
    assert set(JSON_BODIES) | UPLOADS <= _id_routes(app)


@pytest.mark.parametrize("intruder", ["outsider@rival.test", "colleague@acme.test"])
def test_another_tenants_ids_are_not_found_anywhere(
    app: Flask,
    client: FlaskClient,
    world: World,
    overlay_id: str,
    sign_in,
    session_factory: sessionmaker[Session],
    blob_storage: BlobStorage,
    intruder: str,
) -> None:
    headers = sign_in(intruder)
    audit_before, blobs_before = count_rows(session_factory, AuditLog), sorted(b.key for b in blob_storage.list())

    answers = {
        (method, rule): _send(client, method, rule, _ids(world, overlay_id), headers)
        for method, rule in sorted(_id_routes(app))
    }

    assert {route: r.status_code for route, r in answers.items() if r.status_code != 404} == {}
    assert all(set(r.get_json()) == {"error"} for r in answers.values())
    assert count_rows(session_factory, AuditLog) == audit_before
    assert sorted(b.key for b in blob_storage.list()) == blobs_before


def test_ids_of_another_tenant_in_a_body_are_not_found_either(
    client: FlaskClient, world: World, sign_in, session_factory: sessionmaker[Session]
) -> None:
    headers = sign_in("outsider@rival.test")
    own = client.post("/api/v1/projects", json={"name": "Rival tower"}, headers=headers).get_json()
    audit_before = count_rows(session_factory, AuditLog)

    job = client.post(
        "/api/v1/jobs",
        json={"old_version_id": world.old_version_id, "new_version_id": world.new_version_id},
        headers=headers,
    )
    upload = client.post(
        f"/api/v1/projects/{own['id']}/drawings",
        data={"file": (io.BytesIO(tiny_pdf("mine")), "mine.pdf"), "old_version_id": world.old_version_id},
        headers=headers,
        content_type="multipart/form-data",
    )

    assert (job.status_code, upload.status_code) == (404, 404)
    assert count_rows(session_factory, AuditLog) == audit_before
