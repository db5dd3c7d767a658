"""Sign in, refresh, sign out, and who am I."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import g, request
from flask_smorest import Blueprint

from buildtrace_assets.api import sessions
from buildtrace_assets.api.context import api_context, db
from buildtrace_assets.api.schemas import ErrorEnvelopeSchema, LoginSchema, RefreshSchema, TokenPairSchema, UserSchema
from buildtrace_assets.api.security import public
from buildtrace_assets.db.models import User
from buildtrace_assets.services.access import require_user

THROTTLED = (
    "Too many failed sign-ins for this account or from this address: refused, whatever the password,"
    " until the wait in Retry-After (seconds) has passed."
)
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Tokens: login, refresh, logout.")


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(429, schema=ErrorEnvelopeSchema, description=THROTTLED, headers=RETRY_AFTER)
@blp.doc(security=[])
@public
def login(body: dict[str, str]) -> dict[str, Any]:
    """Exchange an e-mail address and password for an access token and a refresh token.

    Repeated failures for one account or from one client address are throttled: see ``429``.
    """
    context = api_context()
    throttle = context.sign_in_throttle
    attempt = throttle.attempt(body["email"], request.remote_addr, request.headers.get("X-Forwarded-For"))
    return asdict(sessions.login(context.session_factory, context.settings, throttle, attempt, body["password"]))


@blp.route("/refresh", methods=["POST"])
@blp.arguments(RefreshSchema)
@blp.response(200, TokenPairSchema)
@blp.doc(security=[])
@public
def refresh(body: dict[str, str]) -> dict[str, Any]:
    """Spend a refresh token for a new pair; a token used twice revokes its whole session."""
    context = api_context()
    return asdict(sessions.refresh(context.session_factory, context.settings, body["refresh_token"]))


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout() -> None:
    """End the session of the access token: it and its refresh tokens stop working."""
    sessions.revoke(db(), g.session_id, sessions.LOGOUT)


@blp.route("/me", methods=["GET"])
@blp.response(200, UserSchema)
def me() -> User:
    """The signed-in user."""
    return require_user(db(), g.actor)
