"""The API load test, short: Locust (headless, 127.0.0.1) against a real ``buildtrace api`` process on PostgreSQL.

The full run (50 browsing, 5 uploading, 60 s) and its targets are ``python -m bench.load``; figures are in
``docs/operations.md``. Here: the same harness end to end, every request answered without a failure.
"""

from __future__ import annotations

import pytest

from bench.load import run_load

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(300)]


@pytest.mark.usefixtures("postgres_test_database")  # skips when the PostgreSQL server is not reachable
def test_browsing_and_uploading_users_get_answers_without_failures() -> None:
    result = run_load(browsers=4, uploaders=1, seconds=8, jobs=3, signed_in=False)

    assert result.reads.requests > 0 and result.uploads.requests > 0
    assert (result.reads.failures, result.uploads.failures) == (0, 0)
    assert {route.name for route in result.routes} >= {"/api/v1/auth/login", "POST /projects/{id}/drawings"}
    assert 0 < result.reads.p50_ms <= result.reads.p95_ms <= result.reads.p99_ms
