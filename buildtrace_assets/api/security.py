"""Authentication of every request with a bearer access token, except the routes marked :func:`public`.

Protected is the default, so a new route cannot be left open by
forgetting a decorator. The token is checked in a short transaction of its
own (signature, claims, then that its session is live and its user active),
so a logout or a revoked session takes effect on the very next request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, request

from buildtrace_assets.api.context import api_context
from buildtrace_assets.api.errors import Unauthorized
from buildtrace_assets.api.sessions import signed_in_user
from buildtrace_assets.api.tokens import verify_access_token
from buildtrace_assets.db.session import transaction
from buildtrace_assets.services.access import Actor

PUBLIC_ATTRIBUTE = "buildtrace_public"
DOCS_BLUEPRINT = "api-docs"
BEARER_SCHEME = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}

View = TypeVar("View", bound=Callable[..., object])


def public(view: View) -> View:
    """Mark a view as reachable without a token (login, refresh); apply it closest to the function."""
    setattr(view, PUBLIC_ATTRIBUTE, True)
    return view


def _is_public() -> bool:
    if request.endpoint is None or request.blueprint == DOCS_BLUEPRINT:
        return True
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, PUBLIC_ATTRIBUTE, False))


def bearer_token() -> str:
    """The token of the ``Authorization: Bearer`` header."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send an access token as 'Authorization: Bearer <token>'")
    return token.strip()


def authenticate() -> None:
    """``before_request``: set ``g.actor`` and ``g.session_id`` from the access token, or refuse with 401."""
    if _is_public():
        return
    context = api_context()
    claims = verify_access_token(context.settings, bearer_token())
    with transaction(context.session_factory) as session:
        user = signed_in_user(session, claims)
    g.actor = Actor.of(user)
    g.session_id = claims.session_id
