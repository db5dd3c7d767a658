"""The app as a whole: the OpenAPI document it serves, and the one error shape for every failure."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient


def test_the_openapi_document_is_public_and_describes_bearer_auth_and_idempotency(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")

    document = response.get_json()
    assert response.status_code == 200 and document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["paths"]["/api/v1/auth/login"]["post"]["security"] == []
    create = document["paths"]["/api/v1/projects"]["post"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in create["parameters"]]
    assert "parameters" not in document["paths"]["/api/v1/auth/login"]["post"]
    assert document["components"]["schemas"]["ErrorEnvelope"]["required"] == ["error"]


def test_unknown_routes_and_methods_answer_in_the_error_shape(client: FlaskClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    wrong_method = client.put("/api/v1/auth/login")

    assert (missing.status_code, missing.get_json()["error"]["code"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.get_json()["error"]["code"]) == (405, "method_not_allowed")


def test_a_bug_is_a_500_that_reveals_nothing(app: Flask, team, sign_in) -> None:
    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/v1/boom", view_func=boom)

    response = app.test_client().get("/api/v1/boom", headers=sign_in("owner@acme.test"))

    assert response.status_code == 500
    assert response.get_json() == {
        "error": {"code": "internal_error", "message": "the server failed to handle the request"}
    }
