"""Refresh tokens are single-use and rotate; a reused one revokes its whole session; logout revokes too."""

from __future__ import annotations

from api.support import bearer, login
from fixtures.database import Team
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import User
from buildtrace_assets.db.models.api import ApiSession


def _refresh(client: FlaskClient, token: object):
    return client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def _me_status(client: FlaskClient, access_token: object) -> int:
    return client.get("/api/v1/auth/me", headers=bearer(access_token)).status_code


def test_refresh_hands_out_a_new_pair_and_spends_the_old_refresh_token(client: FlaskClient, team: Team) -> None:
    first = login(client, "editor@acme.test")

    second = _refresh(client, first["refresh_token"])

    assert second.status_code == 200
    pair = second.get_json()
    assert pair["refresh_token"] != first["refresh_token"] and pair["access_token"] != first["access_token"]
    assert pair["token_type"] == "Bearer" and pair["expires_in"] == 900
    assert _me_status(client, pair["access_token"]) == 200


def test_reusing_a_spent_refresh_token_revokes_every_token_of_its_session(
    client: FlaskClient, team: Team, db_session: Session
) -> None:
    first = login(client, "editor@acme.test")
    rotated = _refresh(client, first["refresh_token"]).get_json()

    reuse = _refresh(client, first["refresh_token"])

    assert reuse.status_code == 401 and reuse.get_json()["error"]["code"] == "token_reused"
    assert _refresh(client, rotated["refresh_token"]).status_code == 401
    assert _me_status(client, rotated["access_token"]) == 401
    assert db_session.scalars(select(ApiSession.revoked_reason)).all() == ["refresh_token_reused"]


def test_reuse_revokes_only_its_own_session(client: FlaskClient, team: Team) -> None:
    stolen = login(client, "editor@acme.test")
    other_device = login(client, "editor@acme.test")
    _refresh(client, stolen["refresh_token"])

    _refresh(client, stolen["refresh_token"])

    assert _me_status(client, other_device["access_token"]) == 200


def test_an_unknown_refresh_token_is_a_401(client: FlaskClient, team: Team) -> None:
    response = _refresh(client, "made-up")

    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"


def test_logout_ends_the_access_token_and_the_refresh_token(client: FlaskClient, team: Team) -> None:
    pair = login(client, "viewer@acme.test")

    response = client.post("/api/v1/auth/logout", headers=bearer(pair["access_token"]))

    assert response.status_code == 204
    assert _me_status(client, pair["access_token"]) == 401
    assert _refresh(client, pair["refresh_token"]).get_json()["error"]["code"] == "session_revoked"


def test_a_deactivated_user_loses_access_at_the_next_request(
    client: FlaskClient, team: Team, db_session: Session
) -> None:
    pair = login(client, "viewer@acme.test")
    db_session.get_one(User, team.viewer.user_id).is_active = False
    db_session.commit()

    assert _me_status(client, pair["access_token"]) == 401
    assert _refresh(client, pair["refresh_token"]).status_code == 401
