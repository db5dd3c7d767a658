"""POST /auth/login (throttled after repeated failures) and GET /auth/me."""

from __future__ import annotations

import pytest
from fixtures.clock import ManualClock
from fixtures.database import PASSWORD, Team
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from buildtrace_assets.db.models import AuditLog


def test_login_returns_an_access_token_a_refresh_token_and_its_lifetime(client: FlaskClient, team: Team) -> None:
    response = client.post("/api/v1/auth/login", json={"email": "Owner@Acme.test", "password": PASSWORD})

    assert response.status_code == 200
    assert set(response.get_json()) == {"access_token", "refresh_token", "token_type", "expires_in"}


@pytest.mark.parametrize("email, password", [("owner@acme.test", "wrong password"), ("nobody@acme.test", PASSWORD)])
def test_wrong_credentials_get_one_answer_whether_or_not_the_account_exists(
    client: FlaskClient, team: Team, email: str, password: str
) -> None:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})

    assert response.status_code == 401
    assert response.get_json() == {
        "error": {"code": "invalid_credentials", "message": "wrong e-mail address or password"}
    }


def test_a_login_without_a_password_is_a_422_naming_the_field(client: FlaskClient, team: Team) -> None:
    response = client.post("/api/v1/auth/login", json={"email": "owner@acme.test"})

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and "password" in error["details"]["json"]


def test_a_body_that_is_not_json_is_a_400(client: FlaskClient, team: Team) -> None:
    response = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")

    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_me_describes_the_signed_in_user(client: FlaskClient, team: Team, sign_in) -> None:
    response = client.get("/api/v1/auth/me", headers=sign_in("editor@acme.test"))

    assert response.status_code == 200
    assert response.get_json() == {
        "id": team.editor.user_id,
        "email": "editor@acme.test",
        "display_name": "editor",
        "organization_id": team.project.organization_id,
    }


def _login(client: FlaskClient, email: str, password: str, address: str = "203.0.113.7") -> TestResponse:
    return client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_fifty_wrong_passwords_in_23_seconds_then_the_right_one_is_a_429_with_retry_after(
    client: FlaskClient, team: Team, clock: ManualClock
) -> None:
    statuses = []
    for _ in range(50):
        clock.advance(0.46)
        statuses.append(_login(client, "editor@acme.test", "wrong password").status_code)

    response = _login(client, "editor@acme.test", PASSWORD)

    assert statuses[:5] == [401] * 5 and statuses.count(401) == 10 and statuses.count(429) == 40
    assert response.status_code == 429
    assert 890 < int(response.headers["Retry-After"]) <= 900
    assert response.get_json() == {
        "error": {
            "code": "too_many_attempts",
            "message": "Sign-in is locked after too many failed attempts. Try again in 15 minutes.",
        }
    }


def test_the_right_password_signs_in_once_retry_after_has_passed(
    client: FlaskClient, team: Team, clock: ManualClock
) -> None:
    for _ in range(6):
        _login(client, "editor@acme.test", "wrong password")
    refused = _login(client, "editor@acme.test", PASSWORD)

    clock.advance(int(refused.headers["Retry-After"]))

    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert _login(client, "editor@acme.test", PASSWORD).status_code == 200


def test_one_address_guessing_across_accounts_is_refused_for_every_account_but_others_are_not(
    client: FlaskClient, team: Team
) -> None:
    statuses = [_login(client, f"guess{number}@acme.test", "wrong password").status_code for number in range(21)]

    assert statuses == [401] * 21
    assert _login(client, "viewer@acme.test", PASSWORD).status_code == 429
    assert _login(client, "viewer@acme.test", PASSWORD, address="198.51.100.20").status_code == 200


def test_a_wrong_password_is_counted_and_audited_although_the_request_is_refused(
    client: FlaskClient, team: Team, session_factory: sessionmaker[Session]
) -> None:
    _login(client, "editor@acme.test", "wrong password")

    with session_factory() as session:
        audited = session.scalars(select(AuditLog).where(AuditLog.action == "sign_in.failed")).all()
    assert sorted((row.after["scope"], row.after["key"], row.after["failures"]) for row in audited) == [
        ("account", "editor@acme.test", 1),
        ("address", "203.0.113.7", 1),
    ]


def test_the_login_operation_documents_the_429_and_its_retry_after_header(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()

    throttled = document["paths"]["/api/v1/auth/login"]["post"]["responses"]["429"]
    assert set(throttled["headers"]) == {"Retry-After"}


def test_a_made_up_x_forwarded_for_does_not_escape_the_address_limit(client: FlaskClient, team: Team) -> None:
    for number in range(21):
        client.post(
            "/api/v1/auth/login",
            json={"email": f"guess{number}@acme.test", "password": "wrong password"},
            headers={"X-Forwarded-For": f"192.0.2.{number}"},
        )

    assert _login(client, "viewer@acme.test", PASSWORD, address="127.0.0.1").status_code == 429
