"""POST /auth/login and GET /auth/me."""

from __future__ import annotations

import pytest
from fixtures.database import PASSWORD, Team
from flask.testing import FlaskClient


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
