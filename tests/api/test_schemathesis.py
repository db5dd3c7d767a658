"""The running server against its own OpenAPI document, with generated requests (schemathesis).

For a project member (with the project's real ids substituted into paths, so
success answers are exercised too) and for an outsider (with the same real
ids, who must be denied): no 5xx, and every response conforms to the
document. Few examples per operation keep it well under a minute.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from api.support import World, bearer, login
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 4
ACCEPTED_REJECTIONS = ["2xx", "3xx", "401", "403", "404", "409", "413", "415", "422", "429"]
"""A schema-valid request may still break a rule the schema cannot express (a file's real type, a blank
name, an Idempotency-Key reused): those are refused with 413, 415 or 422, which is not a failure."""
SKIPPED = {("POST", "/api/v1/auth/logout")}
"""Logging out would end the token the rest of the run uses; the logout tests cover it."""


def _ids(world: World) -> dict[str, str]:
    return {
        "project_id": world.project_id,
        "drawing_id": world.drawing_id,
        "version_id": world.old_version_id,
        "job_id": world.job_id,
        "user_id": world.team.viewer.user_id,
    }


def _operations(base_url: str) -> list[Any]:
    config = schemathesis.Config.from_dict(
        {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_REJECTIONS}}}
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if (op.method.upper(), op.path) not in SKIPPED]


def _exercise(operation: Any, base_url: str, headers: dict[str, str], real_ids: dict[str, str], outsider: bool) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), use_real_ids=st.booleans())
    def check(case: Any, use_real_ids: bool) -> None:
        substitute = outsider or use_real_ids
        if substitute and case.path_parameters:
            case.path_parameters = {name: real_ids.get(name, value) for name, value in case.path_parameters.items()}
        with requests.Session() as session:
            response = case.call_and_validate(base_url=base_url, session=session, headers=headers)
        assert response.status_code < 500
        if outsider and case.path_parameters and set(case.path_parameters) <= set(real_ids):
            assert response.status_code in (401, 403, 404, 405, 422), (case.path, response.status_code)

    check()


@pytest.mark.parametrize("who", ["editor@acme.test", "outsider@rival.test"])
def test_generated_requests_get_documented_answers_and_outsiders_are_denied(
    live_server: str, client: FlaskClient, world: World, who: str
) -> None:
    headers = bearer(login(client, who)["access_token"])
    operations = _operations(live_server)

    for operation in operations:
        _exercise(operation, live_server, headers, _ids(world), outsider=who.endswith("rival.test"))

    assert len(operations) >= 25
