"""Liveness and readiness: ``/healthz`` says the process answers, ``/readyz`` that what it needs answers too.

Kubernetes restarts a pod whose liveness fails and stops sending it traffic while readiness fails, so liveness
checks nothing outside the process (a database outage must not restart every pod) and readiness checks the
database, blob storage and the Dagster API, each within a time limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.config import Settings
from buildtrace_assets.observability.dagster_api import dagster_version
from buildtrace_assets.storage import BlobStorage

PROBE_KEY = "healthz/probe"
"""A key that is never written: asking whether it exists proves the bucket answers and we may read it."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float


@dataclass(frozen=True)
class Check:
    """One dependency: ``probe`` returns a short description of what answered, or raises."""

    name: str
    probe: Callable[[], str]


def database_check(session_factory: sessionmaker[Session]) -> Check:
    def probe() -> str:
        with session_factory() as session:
            session.execute(text("SELECT 1"))
        return "answers"

    return Check("database", probe)


def storage_check(storage: BlobStorage) -> Check:
    def probe() -> str:
        storage.exists(PROBE_KEY)
        return "answers"

    return Check("storage", probe)


def dagster_check(url: str, timeout_s: float) -> Check:
    return Check("dagster", lambda: f"Dagster {dagster_version(url, timeout_s)}")


def standard_checks(
    settings: Settings, session_factory: sessionmaker[Session], storage: BlobStorage
) -> tuple[Check, ...]:
    """What the API and the portal need: the app database, blob storage and the Dagster API."""
    return (
        database_check(session_factory),
        storage_check(storage),
        dagster_check(settings.dagster_graphql_url, settings.health_timeout_s),
    )


def _run(check: Check) -> CheckResult:
    started = time.perf_counter()
    try:
        detail, ok = check.probe(), True
    except Exception as error:  # noqa: BLE001 - any failure of a dependency means not ready, with its reason
        detail, ok = f"{type(error).__name__}: {error}"[:500], False
    return CheckResult(check.name, ok, detail, round(time.perf_counter() - started, 4))


def run_checks(checks: Sequence[Check], timeout_s: float) -> list[CheckResult]:
    """Every check at once, each given at most ``timeout_s``; one that hangs is reported as timed out."""
    pool = ThreadPoolExecutor(max(1, len(checks)), "buildtrace-readyz")
    futures = [(check, pool.submit(_run, check)) for check in checks]
    results = []
    for check, future in futures:
        try:
            results.append(future.result(timeout=timeout_s))
        except FutureTimeout:
            results.append(CheckResult(check.name, False, f"no answer within {timeout_s} s", timeout_s))
    pool.shutdown(wait=False)
    return results


def readiness(checks: Sequence[Check], timeout_s: float) -> tuple[bool, dict[str, Any]]:
    """Whether every check passed, and the body of ``/readyz``."""
    results = run_checks(checks, timeout_s)
    ready = all(result.ok for result in results)
    return ready, {"status": "ready" if ready else "not ready", "checks": [asdict(result) for result in results]}


LIVENESS_BODY = {"status": "ok"}
