"""Operations endpoints of the API process, outside ``/api/v1`` and its OpenAPI document: ``/metrics``
(Prometheus), ``/healthz`` (the process answers) and ``/readyz`` (database, storage and Dagster answer)."""

from __future__ import annotations

from flask import Flask, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from buildtrace_assets.api.context import ApiContext
from buildtrace_assets.api.security import public
from buildtrace_assets.config import Settings
from buildtrace_assets.observability.health import LIVENESS_BODY, readiness, standard_checks
from buildtrace_assets.observability.http_metrics import instrument_flask
from buildtrace_assets.observability.http_traces import trace_flask

SIGN_IN_ROUTE = "/api/v1/auth/login"


def register_operations(app: Flask, settings: Settings, context: ApiContext) -> None:
    """Instrument and trace ``app`` and add the three endpoints (no token needed: probes and scrapers have none)."""
    instrument_flask(app, "api", SIGN_IN_ROUTE)
    trace_flask(app)
    checks = standard_checks(settings, context.session_factory, context.storage)

    @public
    def metrics() -> Response:
        return Response(generate_latest(REGISTRY), mimetype=CONTENT_TYPE_LATEST)

    @public
    def healthz() -> Response:
        return jsonify(LIVENESS_BODY)

    @public
    def readyz() -> tuple[Response, int]:
        ready, body = readiness(checks, settings.health_timeout_s)
        return jsonify(body), 200 if ready else 503

    app.add_url_rule("/metrics", view_func=metrics)
    app.add_url_rule("/healthz", view_func=healthz)
    app.add_url_rule("/readyz", view_func=readyz)
