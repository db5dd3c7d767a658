"""Idempotency-Key: replays, refuses a different body under the same key, and lets concurrent duplicates act once."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from api.support import count_rows
from fixtures.database import Team, tiny_pdf
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models import DrawingVersion, Project
from buildtrace_assets.db.models.api import IdempotencyRecord


def _create(client: FlaskClient, headers, key: str, name: str = "Annex"):
    return client.post("/api/v1/projects", json={"name": name}, headers={**headers, "Idempotency-Key": key})


def test_the_same_key_and_body_replay_the_first_response(
    client: FlaskClient, team: Team, sign_in, session_factory: sessionmaker[Session]
) -> None:
    headers = sign_in("owner@acme.test")

    first = _create(client, headers, "key-1")
    again = _create(client, headers, "key-1")

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert count_rows(session_factory, Project) == 2


def test_the_same_key_with_another_body_is_a_422(client: FlaskClient, team: Team, sign_in) -> None:
    headers = sign_in("owner@acme.test")
    _create(client, headers, "key-1")

    response = _create(client, headers, "key-1", name="Other")

    assert response.status_code == 422 and response.get_json()["error"]["code"] == "idempotency_key_mismatch"


def test_keys_belong_to_one_user(
    client: FlaskClient, team: Team, sign_in, session_factory: sessionmaker[Session]
) -> None:
    _create(client, sign_in("owner@acme.test"), "shared-key")

    other = _create(client, sign_in("colleague@acme.test"), "shared-key")

    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert count_rows(session_factory, Project) == 3


def test_a_failed_request_releases_its_key(client: FlaskClient, team: Team, sign_in) -> None:
    headers = sign_in("owner@acme.test")

    refused = _create(client, headers, "key-1", name=" ")
    retried = _create(client, headers, "key-1", name="Fixed")

    assert (refused.status_code, retried.status_code) == (422, 201)


def test_an_expired_key_does_the_work_again(
    client: FlaskClient, team: Team, sign_in, session_factory: sessionmaker[Session]
) -> None:
    headers = sign_in("owner@acme.test")
    _create(client, headers, "key-1")
    with session_factory.begin() as session:
        session.execute(update(IdempotencyRecord).values(expires_at=utcnow() - timedelta(seconds=1)))

    again = _create(client, headers, "key-1")

    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert count_rows(session_factory, Project) == 3


def test_a_malformed_key_is_a_400(client: FlaskClient, team: Team, sign_in) -> None:
    response = _create(client, sign_in("owner@acme.test"), "x" * 256)

    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_idempotency_key"


def test_multipart_uploads_with_the_same_file_replay_even_with_a_new_boundary(
    client: FlaskClient, team: Team, sign_in, session_factory: sessionmaker[Session]
) -> None:
    headers = {**sign_in("editor@acme.test"), "Idempotency-Key": "upload-1"}
    url = f"/api/v1/projects/{team.project.id}/drawings"

    responses = [
        client.post(url, data={"file": (io.BytesIO(tiny_pdf("a")), "a.pdf")}, headers=headers) for _ in range(2)
    ]

    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].get_json() == responses[1].get_json()
    assert count_rows(session_factory, DrawingVersion) == 1


def test_concurrent_duplicates_have_one_effect(
    app: Flask, team: Team, sign_in, session_factory: sessionmaker[Session]
) -> None:
    headers = sign_in("owner@acme.test")

    def send(_: int) -> int:
        return _create(app.test_client(), headers, "race").status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(send, range(12)))

    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
    assert count_rows(session_factory, Project) == 2
