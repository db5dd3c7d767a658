"""Summaries over HTTP: the active one, a person's edit, and a regeneration that really runs."""

from __future__ import annotations

from api.support import World
from flask.testing import FlaskClient

from buildtrace_assets.api.regeneration import BackgroundSummaries


def test_no_summary_yet_is_a_404(client: FlaskClient, world: World, sign_in) -> None:
    response = client.get(f"/api/v1/jobs/{world.job_id}/summary", headers=sign_in("viewer@acme.test"))

    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_regenerate_answers_202_and_the_summarizer_writes_the_active_summary(
    client: FlaskClient, world: World, sign_in, summary_worker: BackgroundSummaries
) -> None:
    headers = sign_in("editor@acme.test")

    accepted = client.post(f"/api/v1/jobs/{world.job_id}/summary/regenerate", headers=headers)
    summary_worker.shutdown()

    assert accepted.status_code == 202
    assert accepted.get_json() == {"job_id": world.job_id, "diff_result_id": world.diff_result_id, "status": "accepted"}
    summary = client.get(f"/api/v1/jobs/{world.job_id}/summary", headers=headers).get_json()
    assert (summary["source"], summary["version_number"], summary["is_active"]) == ("machine", 1, True)
    assert "24'-9\"" in summary["text"]


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
