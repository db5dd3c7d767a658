"""Summaries over HTTP: the active one, a person's edit, and a regeneration asked of the pipeline as a request.

That the request becomes one run writing the summary in the person's name is
shown end to end against a real ``dagster dev`` (``tests/pipeline/test_boundary.py``).
"""

from __future__ import annotations

from api.support import World
from flask.testing import FlaskClient


def test_no_summary_yet_is_a_404(client: FlaskClient, world: World, sign_in) -> None:
    response = client.get(f"/api/v1/jobs/{world.job_id}/summary", headers=sign_in("viewer@acme.test"))

    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_regenerate_answers_202_with_one_pending_request_however_often_it_is_asked(
    client: FlaskClient, world: World, sign_in
) -> None:
    headers = sign_in("editor@acme.test")
    url = f"/api/v1/jobs/{world.job_id}/summary/regenerate"

    accepted = client.post(url, headers=headers)
    again = client.post(url, headers=headers)

    assert accepted.status_code == 202 and again.status_code == 202
    request = accepted.get_json()
    assert again.get_json()["id"] == request["id"]
    assert (request["kind"], request["job_id"], request["status"], request["reason"]) == (
        "summarize",
        world.job_id,
        "pending",
        "regenerate summary",
    )
    followed = client.get(f"/api/v1/requests/{request['id']}", headers=sign_in("viewer@acme.test")).get_json()
    assert followed["requested_by"] == request["requested_by"] is not None
    assert client.get(f"/api/v1/jobs/{world.job_id}/summary", headers=headers).status_code == 404


def test_a_request_of_another_organization_is_not_found(client: FlaskClient, world: World, sign_in) -> None:
    request = client.post(
        f"/api/v1/jobs/{world.job_id}/summary/regenerate", headers=sign_in("editor@acme.test")
    ).get_json()

    outsider = sign_in("outsider@rival.test")

    assert client.get(f"/api/v1/requests/{request['id']}", headers=outsider).status_code == 404
    assert client.post(f"/api/v1/requests/{request['id']}/retry", headers=outsider).status_code == 404
    retry = client.post(f"/api/v1/requests/{request['id']}/retry", headers=sign_in("editor@acme.test"))
    assert retry.status_code == 409 and "only a failed request" in retry.get_json()["error"]["message"]


def test_viewers_may_not_regenerate(client: FlaskClient, world: World, sign_in) -> None:
    response = client.post(f"/api/v1/jobs/{world.job_id}/summary/regenerate", headers=sign_in("viewer@acme.test"))

    assert response.status_code == 403


def test_an_edit_becomes_the_active_human_written_version(client: FlaskClient, world: World, sign_in) -> None:
    headers = sign_in("editor@acme.test")
    url = f"/api/v1/jobs/{world.job_id}/summary"

    first = client.put(url, json={"text": "Dimension at grid B changed."}, headers=headers).get_json()
    second = client.put(url, json={"text": "Revised.", "expected_active_id": first["id"]}, headers=headers)
    stale = client.put(url, json={"text": "Mine.", "expected_active_id": first["id"]}, headers=headers)

    assert (first["source"], first["text"]) == ("human_written", "Dimension at grid B changed.")
    assert second.status_code == 200 and second.get_json()["parent_summary_id"] == first["id"]
    assert stale.status_code == 409
    assert client.get(url, headers=headers).get_json()["text"] == "Revised."


def test_an_empty_edit_is_a_422(client: FlaskClient, world: World, sign_in) -> None:
    response = client.put(
        f"/api/v1/jobs/{world.job_id}/summary", json={"text": " "}, headers=sign_in("owner@acme.test")
    )

    assert response.status_code == 422


def test_with_dagster_down_health_and_lineage_say_the_pipeline_is_unreachable(
    client: FlaskClient, world: World, sign_in
) -> None:
    headers = sign_in("viewer@acme.test")

    health = client.get("/api/v1/pipeline/health", headers=headers).get_json()
    lineage = client.get(f"/api/v1/jobs/{world.job_id}/lineage", headers=headers).get_json()

    assert (health["ok"], health["reachable"]) == (False, False)
    assert health["problems"][0].startswith("pipeline unreachable: Dagster API at http://127.0.0.1:9/graphql")
    assert (lineage["reachable"], lineage["partitions"]) == (False, [])
