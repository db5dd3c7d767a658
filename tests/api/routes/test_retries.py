"""Retrying failures over HTTP: a failed analysis and a failed job, by editors only."""

from __future__ import annotations

from api.support import World
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from buildtrace_assets.services.access import PIPELINE
from buildtrace_assets.services.version_analysis import fail_version


def test_an_editor_retries_a_failed_analysis_and_the_job_waiting_for_it(
    client: FlaskClient, world: World, sign_in, db_session: Session
) -> None:
    fail_version(db_session, PIPELINE, world.new_version_id, "the analysis process stopped unexpectedly")
    db_session.commit()
    headers = sign_in("editor@acme.test")
    assert client.get(f"/api/v1/jobs/{world.job_id}", headers=headers).get_json()["status"] == "failed"

    response = client.post(f"/api/v1/versions/{world.new_version_id}/retry", headers=headers)

    assert response.status_code == 200 and response.get_json()["ocr_status"] == "pending"
    assert client.get(f"/api/v1/jobs/{world.job_id}", headers=headers).get_json()["status"] == "pending"
    again = client.post(f"/api/v1/versions/{world.new_version_id}/retry", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"


def test_a_failed_job_is_retried_once_and_viewers_cannot(
    client: FlaskClient, world: World, sign_in, db_session: Session
) -> None:
    fail_version(db_session, PIPELINE, world.old_version_id, "unreadable page 3")
    db_session.commit()
    url = f"/api/v1/jobs/{world.job_id}/retry"

    assert client.post(url, headers=sign_in("viewer@acme.test")).status_code == 403
    first = client.post(url, headers=sign_in("owner@acme.test"))
    second = client.post(url, headers=sign_in("owner@acme.test"))

    assert first.status_code == 200 and first.get_json()["status"] == "pending"
    assert second.status_code == 409
