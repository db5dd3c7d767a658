"""Projects and members over HTTP: each answer and each refusal the services decide."""

from __future__ import annotations

from fixtures.database import Team
from flask.testing import FlaskClient


def test_create_then_list_and_get_a_project(client: FlaskClient, team: Team, sign_in) -> None:
    headers = sign_in("colleague@acme.test")

    created = client.post("/api/v1/projects", json={"name": "Annex", "description": "east wing"}, headers=headers)

    assert created.status_code == 201
    project = created.get_json()
    assert project["name"] == "Annex" and project["organization_id"] == team.project.organization_id
    assert [p["name"] for p in client.get("/api/v1/projects", headers=headers).get_json()] == ["Annex"]
    assert client.get(f"/api/v1/projects/{project['id']}", headers=headers).get_json() == project


def test_an_empty_name_is_refused_with_422(client: FlaskClient, team: Team, sign_in) -> None:
    response = client.post("/api/v1/projects", json={"name": "   "}, headers=sign_in("owner@acme.test"))

    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_input"


def test_unknown_fields_are_refused_rather_than_ignored(client: FlaskClient, team: Team, sign_in) -> None:
    response = client.post("/api/v1/projects", json={"name": "X", "owner": "me"}, headers=sign_in("owner@acme.test"))

    assert response.status_code == 422 and "owner" in response.get_json()["error"]["details"]["json"]


def test_editors_rename_and_viewers_may_not(client: FlaskClient, team: Team, sign_in) -> None:
    url = f"/api/v1/projects/{team.project.id}"

    renamed = client.patch(url, json={"name": "Tower B"}, headers=sign_in("editor@acme.test"))
    refused = client.patch(url, json={"name": "Mine"}, headers=sign_in("viewer@acme.test"))

    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Tower B"
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "permission_denied"


def test_only_owners_delete_and_a_deleted_project_is_gone(client: FlaskClient, team: Team, sign_in) -> None:
    url = f"/api/v1/projects/{team.project.id}"
    owner = sign_in("owner@acme.test")

    assert client.delete(url, headers=sign_in("editor@acme.test")).status_code == 403
    assert client.delete(url, headers=owner).status_code == 204
    assert client.get(url, headers=owner).status_code == 404


def test_members_list_add_change_role_and_remove(client: FlaskClient, team: Team, sign_in) -> None:
    owner = sign_in("owner@acme.test")
    url = f"/api/v1/projects/{team.project.id}/members"

    added = client.post(url, json={"email": "colleague@acme.test", "role": "viewer"}, headers=owner)
    changed = client.patch(f"{url}/{team.colleague.user_id}", json={"role": "editor"}, headers=owner)
    removed = client.delete(f"{url}/{team.colleague.user_id}", headers=owner)

    assert added.status_code == 201 and added.get_json()["role"] == "viewer"
    assert changed.status_code == 200 and changed.get_json()["role"] == "editor"
    assert removed.status_code == 204
    listed = client.get(url, headers=sign_in("viewer@acme.test")).get_json()
    assert [(m["email"], m["role"]) for m in listed] == [
        ("editor@acme.test", "editor"),
        ("owner@acme.test", "owner"),
        ("viewer@acme.test", "viewer"),
    ]


def test_member_errors_are_409_for_duplicates_and_the_last_owner_and_422_for_a_bad_role(
    client: FlaskClient, team: Team, sign_in
) -> None:
    owner = sign_in("owner@acme.test")
    url = f"/api/v1/projects/{team.project.id}/members"

    duplicate = client.post(url, json={"email": "viewer@acme.test", "role": "viewer"}, headers=owner)
    last_owner = client.patch(f"{url}/{team.owner.user_id}", json={"role": "viewer"}, headers=owner)
    bad_role = client.post(url, json={"email": "colleague@acme.test", "role": "admin"}, headers=owner)
    outsider = client.post(url, json={"email": "outsider@rival.test", "role": "viewer"}, headers=owner)

    assert (duplicate.status_code, last_owner.status_code, bad_role.status_code) == (409, 409, 422)
    assert outsider.status_code == 404
