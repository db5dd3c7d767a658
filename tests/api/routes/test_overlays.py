"""Overlays over HTTP: the machine result, and manual versions created, updated and withdrawn."""

from __future__ import annotations

from api.support import CHANGE, CHANGES_DOCUMENT, World
from flask.testing import FlaskClient

CORRECTED = [{**CHANGE, "bbox": [90.0, 195.0, 170.0, 225.0]}]


def test_the_machine_overlay_carries_the_stored_changes_document(client: FlaskClient, world: World, sign_in) -> None:
    response = client.get(f"/api/v1/jobs/{world.job_id}/overlay", headers=sign_in("viewer@acme.test"))

    assert response.status_code == 200
    body = response.get_json()
    assert body["changes"] == CHANGES_DOCUMENT
    assert (body["diff_result_id"], body["change_count"], body["active_overlay_id"]) == (world.diff_result_id, 1, None)


def test_a_job_without_a_diff_yet_has_no_overlay(client: FlaskClient, world: World, sign_in) -> None:
    reverse = {"old_version_id": world.new_version_id, "new_version_id": world.old_version_id}
    headers = sign_in("editor@acme.test")
    job_id = client.post("/api/v1/jobs", json=reverse, headers=headers).get_json()["id"]

    assert client.get(f"/api/v1/jobs/{job_id}/overlay", headers=headers).status_code == 404


def test_create_update_and_withdraw_a_manual_overlay(client: FlaskClient, world: World, sign_in) -> None:
    headers = sign_in("editor@acme.test")

    created = client.post(f"/api/v1/jobs/{world.job_id}/overlays", json={"changes": CORRECTED}, headers=headers)
    overlay = created.get_json()
    updated = client.put(f"/api/v1/overlays/{overlay['id']}", json={"changes": []}, headers=headers)
    stale = client.put(f"/api/v1/overlays/{overlay['id']}", json={"changes": []}, headers=headers)
    withdrawn = client.delete(f"/api/v1/overlays/{updated.get_json()['id']}", headers=headers)

    assert created.status_code == 201 and (overlay["version_number"], overlay["changes"]) == (1, CORRECTED)
    assert updated.status_code == 200 and updated.get_json()["parent_overlay_id"] == overlay["id"]
    assert stale.status_code == 409
    assert withdrawn.status_code == 204
    machine = client.get(f"/api/v1/jobs/{world.job_id}/overlay", headers=headers).get_json()
    assert machine["active_overlay_id"] is None


def test_a_bad_region_is_a_422_and_a_second_overlay_a_409(client: FlaskClient, world: World, sign_in) -> None:
    headers = sign_in("editor@acme.test")
    url = f"/api/v1/jobs/{world.job_id}/overlays"

    inverted = client.post(url, json={"changes": [{**CHANGE, "bbox": [5, 5, 1, 1]}]}, headers=headers)
    unknown_kind = client.post(url, json={"changes": [{**CHANGE, "kind": "teleported"}]}, headers=headers)
    first = client.post(url, json={"changes": CORRECTED}, headers=headers)
    second = client.post(url, json={"changes": CORRECTED}, headers=headers)

    assert (inverted.status_code, unknown_kind.status_code) == (422, 422)
    assert "x0 < x1" in inverted.get_json()["error"]["message"]
    assert (first.status_code, second.status_code) == (201, 409)


def test_a_moved_region_keeps_where_it_came_from_and_a_move_without_its_offset_is_a_422(
    client: FlaskClient, world: World, sign_in
) -> None:
    headers = sign_in("editor@acme.test")
    url = f"/api/v1/jobs/{world.job_id}/overlays"
    moved = {
        **CHANGE,
        "kind": "moved",
        "from_bbox": [10.0, 195.0, 90.0, 225.0],
        "offset": {"dx": 80.0, "dy": 0.0, "distance": 80.0, "direction": "right", "drawing_distance": None},
        "group": "item",
    }

    broken = client.post(url, json={"changes": [{**moved, "offset": {"dx": 80.0}}]}, headers=headers)
    created = client.post(url, json={"changes": [moved]}, headers=headers)

    assert broken.status_code == 422 and "offset" in broken.get_json()["error"]["message"]
    assert created.status_code == 201 and created.get_json()["changes"] == [moved]


def test_viewers_cannot_write_overlays(client: FlaskClient, world: World, sign_in) -> None:
    response = client.post(
        f"/api/v1/jobs/{world.job_id}/overlays", json={"changes": CORRECTED}, headers=sign_in("viewer@acme.test")
    )

    assert response.status_code == 403
