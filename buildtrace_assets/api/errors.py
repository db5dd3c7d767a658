"""One error shape for every failure: ``{"error": {"code", "message", "details"?}}`` with the right status.

Service refusals keep the services' ``code``; HTTP errors raised by Flask,
Werkzeug or request parsing get a code named after their status, so clients
can branch on ``code`` without parsing messages. While the database or blob
storage is unreachable every request is a 503 ``service_unavailable`` with
``Retry-After``, logged in one line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from buildtrace_assets.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ServiceError,
    UnsupportedFileType,
)
from buildtrace_assets.services.outages import RETRY_AFTER_S, outage_line, unavailable_part

LOG = logging.getLogger(__name__)

SERVICE_STATUS: tuple[tuple[type[ServiceError], int], ...] = (
    (NotFound, 404),
    (PermissionDenied, 403),
    (Conflict, 409),
    (PayloadTooLarge, 413),
    (UnsupportedFileType, 415),
    (InvalidInput, 422),
)
"""Most specific first: ``PayloadTooLarge`` and ``UnsupportedFileType`` are also ``InvalidInput``."""
HTTP_CODES = {413: PayloadTooLarge.code}
"""Codes of HTTP errors that mean the same as a service error, so clients see one code for one cause."""


class ApiError(Exception):
    """A refusal decided by the API layer itself (authentication, headers, idempotency)."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


class Unauthorized(ApiError):
    """No valid access token, or wrong credentials; tells the client to authenticate with a bearer token."""

    def __init__(self, message: str, code: str = "unauthorized") -> None:
        super().__init__(401, code, message, {"WWW-Authenticate": 'Bearer realm="buildtrace"'})


class TooManyRequests(ApiError):
    """Throttled: ``Retry-After`` tells the client how many seconds to wait, so it need not guess or hammer."""

    def __init__(self, message: str, retry_after_s: int, code: str) -> None:
        super().__init__(429, code, message, {"Retry-After": str(retry_after_s)})


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: Mapping[str, str] | None = None
) -> Response:
    """The JSON error response every failure becomes."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    response = jsonify(error=body)
    response.status_code = status
    response.headers.update(dict(headers or {}))
    return response


def handle_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.code, error.message, headers=error.headers)


def handle_service_error(error: ServiceError) -> Response:
    status = next((status for kind, status in SERVICE_STATUS if isinstance(error, kind)), 400)
    return error_response(status, error.code, str(error) or HTTPStatus(status).phrase)


def outage_response(error: BaseException) -> Response | None:
    """The 503 for an error that means the database or blob storage is unreachable (logged in one line), else None."""
    part = unavailable_part(error)
    if part is None:
        return None
    LOG.warning(outage_line(part, error))
    message = f"the {part} is unavailable at the moment; try again in {RETRY_AFTER_S} s"
    return error_response(503, "service_unavailable", message, headers={"Retry-After": str(RETRY_AFTER_S)})


def handle_http_exception(error: HTTPException) -> Response:
    """Werkzeug's and webargs' errors; validation messages of the request parser go to ``details``.

    Flask wraps a failure after the view (committing the request's work) in an
    ``InternalServerError``; when the original error is an outage it is a 503.
    """
    original = getattr(error, "original_exception", None)
    unavailable = None if original is None else outage_response(original)
    if unavailable is not None:
        return unavailable
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    details = data.get("errors") or data.get("messages")
    if status == 422 and details:
        return error_response(status, "validation_error", "the request does not match the schema", details)
    message = data.get("message") or error.description or HTTPStatus(status).phrase
    code = HTTP_CODES.get(status, HTTPStatus(status).name.lower())
    return error_response(status, code, message, headers=data.get("headers"))


def handle_unexpected(error: Exception) -> Response:
    """A bug, not the client's fault: logged with its traceback, answered without internals (or an outage: 503)."""
    unavailable = outage_response(error)
    if unavailable is not None:
        return unavailable
    LOG.exception("unhandled error in an API request", exc_info=error)
    return error_response(500, "internal_error", "the server failed to handle the request")
