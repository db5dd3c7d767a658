"""The Flask application of the REST API: blueprints, OpenAPI document, authentication, transactions, errors."""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask import Flask, Response
from flask_smorest import Api
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException

from buildtrace_assets.api import errors, idempotency
from buildtrace_assets.api import operations as ops
from buildtrace_assets.api.config import ApiSettings
from buildtrace_assets.api.context import (
    EXTENSION,
    ApiContext,
    close_request,
    commit_request,
    rollback_request,
)
from buildtrace_assets.api.routes import BLUEPRINTS
from buildtrace_assets.api.schemas import ErrorEnvelopeSchema
from buildtrace_assets.api.security import BEARER_SCHEME, authenticate
from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.db.session import make_session_factory
from buildtrace_assets.pipeline_api import PipelineApi
from buildtrace_assets.services.errors import ServiceError
from buildtrace_assets.services.sign_in_throttle import SignInThrottle
from buildtrace_assets.storage import BlobStorage, open_storage

API_PREFIX = "/api/v1"
MULTIPART_OVERHEAD_BYTES = 1024 * 1024
"""Room above the upload limit for multipart headers, so a file just under the limit is not cut off."""


class BuildTraceApi(Api):
    """flask-smorest's ``Api`` answering every HTTP error in the one error shape (also in the document)."""

    ERROR_SCHEMA = ErrorEnvelopeSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return errors.handle_http_exception(error)


class IdempotencyKeyPlugin(BasePlugin):
    """Documents the ``Idempotency-Key`` header on every authenticated POST."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        post = (operations or {}).get("post")
        if post is not None and post.get("security") != []:
            post.setdefault("parameters", []).append(idempotency.HEADER_PARAMETER)


def _finish_request(response: Response) -> Response:
    """Commit the request's work with its stored idempotent response on success; undo everything otherwise."""
    if response.status_code >= 400:
        rollback_request()
        idempotency.release_key()
        return response
    try:
        idempotency.store_response(response)
        commit_request()
    except IntegrityError:
        rollback_request()
        idempotency.release_key()
        return errors.error_response(409, "conflict", "the change collided with a concurrent one; try again")
    return response


def create_app(
    settings: Settings | None = None,
    api_settings: ApiSettings | None = None,
    *,
    session_factory: sessionmaker[Session] | None = None,
    storage: BlobStorage | None = None,
    pipeline: PipelineApi | None = None,
    sign_in_throttle: SignInThrottle | None = None,
) -> Flask:
    """The API app for ``settings`` (the process settings by default); parts can be passed in to share them.

    ``sign_in_throttle`` defaults to the one the settings describe; tests pass one with a clock of their own.
    """
    settings = settings or get_settings()
    api_settings = api_settings or ApiSettings()  # type: ignore[call-arg]
    session_factory = session_factory or make_session_factory(settings.database_url)
    storage = storage or open_storage(settings.storage_url)
    pipeline = pipeline or PipelineApi.from_settings(settings)

    app = Flask(__name__)
    app.config.update(
        API_TITLE="BuildTrace API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES,
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearerAuth": BEARER_SCHEME}},
            "security": [{"bearerAuth": []}],
        },
    )
    sign_in_throttle = sign_in_throttle or SignInThrottle.from_settings(settings)
    context = ApiContext(api_settings, session_factory, storage, pipeline, sign_in_throttle)
    app.extensions[EXTENSION] = context

    api = BuildTraceApi(app, spec_kwargs={"extra_plugins": [IdempotencyKeyPlugin()]})
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)

    app.before_request(authenticate)
    app.before_request(idempotency.claim_idempotency_key)
    app.after_request(_finish_request)
    app.teardown_request(lambda _error: close_request())
    app.register_error_handler(errors.ApiError, errors.handle_api_error)
    app.register_error_handler(ServiceError, errors.handle_service_error)
    app.register_error_handler(Exception, errors.handle_unexpected)
    ops.register_operations(app, settings, context)
    return app
