"""Jobs over HTTP: create, read, stages, cancel."""

from __future__ import annotations

from api.support import World
from flask.testing import FlaskClient


def test_creating_a_job_for_a_pair_that_has_one_returns_that_job(client: FlaskClient, world: World, sign_in) -> None:
    body = {"old_version_id": world.old_version_id, "new_version_id": world.new_version_id}

    response = client.post("/api/v1/jobs", json=body, headers=sign_in("editor@acme.test"))

    assert response.status_code == 201 and response.get_json()["id"] == world.job_id


def test_a_job_needs_two_different_versions_and_an_editor(client: FlaskClient, world: World, sign_in) -> None:
    same = {"old_version_id": world.old_version_id, "new_version_id": world.old_version_id}
    pair = {"old_version_id": world.new_version_id, "new_version_id": world.old_version_id}

    assert client.post("/api/v1/jobs", json=same, headers=sign_in("editor@acme.test")).status_code == 422
    assert client.post("/api/v1/jobs", json=pair, headers=sign_in("viewer@acme.test")).status_code == 403


def test_get_list_and_stages_of_a_job(client: FlaskClient, world: World, sign_in) -> None:
    headers = sign_in("viewer@acme.test")

    job = client.get(f"/api/v1/jobs/{world.job_id}", headers=headers).get_json()
    listed = client.get(f"/api/v1/projects/{world.project_id}/jobs", headers=headers).get_json()
    stages = client.get(f"/api/v1/jobs/{world.job_id}/stages", headers=headers).get_json()

    assert job["status"] == "pending" and job["old_drawing_version_id"] == world.old_version_id
    assert [j["id"] for j in listed] == [world.job_id]
    assert [(s["stage"], s["status"]) for s in stages] == [
        ("ocr", "pending"),
        ("ocr", "pending"),
        ("diff", "pending"),
        ("summary", "pending"),
    ]


def test_cancel_once_then_409(client: FlaskClient, world: World, sign_in) -> None:
    headers = sign_in("editor@acme.test")
    url = f"/api/v1/jobs/{world.job_id}/cancel"

    first = client.post(url, headers=headers)
    second = client.post(url, headers=headers)

    assert first.status_code == 200 and first.get_json()["status"] == "cancelled"
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "conflict"


def test_viewers_cannot_cancel(client: FlaskClient, world: World, sign_in) -> None:
    assert client.post(f"/api/v1/jobs/{world.job_id}/cancel", headers=sign_in("viewer@acme.test")).status_code == 403
