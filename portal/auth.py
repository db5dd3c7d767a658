"""Who is signed in: local accounts by default, OpenID Connect when configured.

Local accounts (e-mail and password checked by the services) work with no
set-up at all. ``st.login`` only speaks OIDC and needs an ``[auth]`` block in
``.streamlit/secrets.toml``; when one is there the sign-in page also offers
it, and the identity provider's e-mail address is matched to an active local
user, so roles and membership stay in the app database either way.

Local sign-ins post to ``/auth/sign-in`` (:mod:`portal.sign_in_route`),
which sets a signed, HTTP-only session cookie; so a reload, a new tab or a
restarted browser stays signed in until the session expires or is revoked.
The signed-in user is re-read on every run: deactivating a user or revoking
the session ends it at the next interaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session

from buildtrace_assets.config import get_settings
from buildtrace_assets.services import users
from buildtrace_assets.services.access import Actor, require_user
from buildtrace_assets.services.errors import NotFound, PermissionDenied
from portal import backend, session_cookie, sessions

SESSION_KEY = "session_id"


@dataclass(frozen=True)
class SignedIn:
    """The person using this browser session."""

    actor: Actor
    email: str
    display_name: str
    session_id: str | None
    """The server-side session behind the cookie; None when signed in through the identity provider."""


def oidc_configured() -> bool:
    """Whether secrets hold an ``[auth]`` block for ``st.login``."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def current_user() -> SignedIn | None:
    """The signed-in user, or None (then every page shows the sign-in form).

    The browser's session cookie (set by :mod:`portal.sign_in_route`) names a
    server-side session; it is checked against the database at every run, so
    a revoked or expired session signs the person out at their next click.
    The verified id is kept in ``st.session_state`` for this connection only.
    """
    settings = get_settings()
    session_id = st.session_state.get(SESSION_KEY) or session_cookie.verify(
        session_cookie.signing_key(settings), st.context.cookies.get(session_cookie.COOKIE_NAME)
    )
    user = None
    if session_id is not None:
        user = backend.run(lambda session: sessions.live_user(session, session_id, settings.portal_session_ttl_s))
    if user is None:
        st.session_state.pop(SESSION_KEY, None)
        return _identity_provider_user()
    st.session_state[SESSION_KEY] = session_id
    return SignedIn(
        actor=Actor(user_id=user.id), email=user.email, display_name=user.display_name, session_id=session_id
    )


def _identity_provider_user() -> SignedIn | None:
    """The user signed in through OIDC (``st.login`` keeps its own cookie), or None."""
    if not (oidc_configured() and st.user.get("is_logged_in", False)):
        return None
    user_id = _local_user_for_identity(str(st.user.email))
    if user_id is None:
        return None
    try:
        user = backend.run(lambda session: require_user(session, Actor(user_id=user_id)))
    except PermissionDenied:
        return None
    return SignedIn(actor=Actor(user_id=user.id), email=user.email, display_name=user.display_name, session_id=None)


def signed_in_user() -> SignedIn:
    """The signed-in user; stops the page when there is none (the app's navigation normally prevents that)."""
    user = current_user()
    if user is None:
        st.stop()
    return user


def _local_user_for_identity(email: str) -> str | None:
    def look_up(session: Session) -> str | None:
        try:
            return users.get_user_by_email(session, email).id
        except NotFound:
            return None

    user_id = backend.run(look_up)
    if user_id is None:
        st.error(f"{email} has no BuildTrace account; ask a project owner to create one.")
    return user_id


def sign_out(user: SignedIn, everywhere: bool = False) -> None:
    """End this browser's session, or every session of the person (other browsers and API clients too).

    The cookie stays in the browser but names a revoked session, which is
    refused from now on (the next sign-in replaces it).
    """
    user_id = user.actor.user_id
    if everywhere and user_id is not None:
        backend.run(lambda session: sessions.revoke_all(session, user_id))
    elif user.session_id is not None:
        session_id = user.session_id
        backend.run(lambda session: sessions.revoke(session, session_id))
    st.session_state.clear()
    if oidc_configured() and st.user.get("is_logged_in", False):
        st.logout()
