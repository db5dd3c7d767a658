"""Access tokens: only genuine, unexpired HS256 tokens for this API's audience and issuer are accepted."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from api.support import SECRET, bearer, login
from flask.testing import FlaskClient

from buildtrace_assets.api import ApiSettings
from buildtrace_assets.api.tokens import issue_access_token, verify_access_token


def _claims(client: FlaskClient) -> dict[str, object]:
    token = login(client, "owner@acme.test")["access_token"]
    return jwt.decode(token, SECRET, algorithms=["HS256"], audience="buildtrace-api")


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _me(client: FlaskClient, token: str) -> tuple[int, dict[str, dict[str, str]]]:
    response = client.get("/api/v1/auth/me", headers=bearer(token))
    return response.status_code, response.get_json()


def test_a_token_from_login_names_its_user_session_audience_and_lifetime(client: FlaskClient, team) -> None:
    claims = _claims(client)

    assert claims["sub"] == team.owner.user_id
    assert claims["aud"] == "buildtrace-api" and claims["iss"] == "buildtrace"
    assert claims["exp"] - claims["iat"] == 900
    assert _me(client, jwt.encode(claims, SECRET, algorithm="HS256"))[0] == 200


def test_an_unsigned_alg_none_token_is_refused(client: FlaskClient, team) -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(client))}."

    status, body = _me(client, token)

    assert status == 401 and body["error"]["code"] == "invalid_token"


def test_a_token_whose_payload_was_changed_is_refused(client: FlaskClient, team) -> None:
    header, _, signature = login(client, "viewer@acme.test")["access_token"].split(".")
    forged = {**_claims(client), "sub": team.owner.user_id}

    status, body = _me(client, f"{header}.{_b64(forged)}.{signature}")

    assert status == 401 and body["error"]["code"] == "invalid_token"


def test_a_token_signed_with_another_key_is_refused(client: FlaskClient, team) -> None:
    status, _ = _me(client, jwt.encode(_claims(client), "another-secret-of-sufficient-length!", algorithm="HS256"))

    assert status == 401


def test_an_expired_token_is_refused_with_its_own_code(client: FlaskClient, team) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    claims = {**_claims(client), "iat": past, "exp": past + timedelta(minutes=15)}

    status, body = _me(client, jwt.encode(claims, SECRET, algorithm="HS256"))

    assert status == 401 and body["error"]["code"] == "token_expired"


@pytest.mark.parametrize("claim, value", [("aud", "another-api"), ("iss", "someone-else")])
def test_a_token_for_another_audience_or_issuer_is_refused(client: FlaskClient, team, claim: str, value: str) -> None:
    status, body = _me(client, jwt.encode({**_claims(client), claim: value}, SECRET, algorithm="HS256"))

    assert status == 401 and body["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("claim", ["exp", "iat", "aud", "sid"])
def test_a_token_missing_a_required_claim_is_refused(client: FlaskClient, team, claim: str) -> None:
    claims = _claims(client)
    del claims[claim]

    assert _me(client, jwt.encode(claims, SECRET, algorithm="HS256"))[0] == 401


@pytest.mark.parametrize("header", ["", "Bearer", "Basic b3duZXI6cHc=", "Bearer not.a.jwt"])
def test_missing_or_malformed_authorization_is_a_401_with_a_bearer_challenge(client: FlaskClient, header: str) -> None:
    response = client.get("/api/v1/auth/me", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(response.get_json()["error"]) == {"code", "message"}


def test_verify_accepts_exactly_what_issue_produces() -> None:
    settings = ApiSettings(secret=SECRET)  # type: ignore[arg-type]
    token = issue_access_token(settings, "user-1", "session-1", datetime.now(UTC))

    claims = verify_access_token(settings, token)

    assert (claims.user_id, claims.session_id) == ("user-1", "session-1")
