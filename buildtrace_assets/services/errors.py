"""Typed failures of the services, each with a stable ``code`` for the API, CLI and portal."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a service raises on purpose; ``str(error)`` is fit to show a user."""

    code = "error"


class NotFound(ServiceError):
    """The thing does not exist, or the actor may not know that it does."""

    code = "not_found"


class PermissionDenied(ServiceError):
    """The actor is a member of the project but its role does not allow this."""

    code = "permission_denied"


class Conflict(ServiceError):
    """The request clashes with the current state (a duplicate, the last owner, a cancelled job)."""

    code = "conflict"


class InvalidInput(ServiceError):
    """The request is malformed: an empty name, a short password, a bad change region."""

    code = "invalid_input"


class PayloadTooLarge(InvalidInput):
    """An upload is larger than the configured limit."""

    code = "payload_too_large"


class UnsupportedFileType(InvalidInput):
    """An upload is not a PDF, PNG, JPEG, DXF or DWG file, or it cannot be read as one."""

    code = "unsupported_file_type"


class TooManyAttempts(ServiceError):
    """Sign-in refused before the password is looked at: too many recent failures for the account or address.

    ``retry_after_s`` is whole seconds, rounded up, so a client that waits
    exactly that long is not refused again.
    """

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after_s: int, *, locked_out: bool) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.locked_out = locked_out
