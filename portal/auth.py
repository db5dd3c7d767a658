"""Who is signed in: local accounts by default, OpenID Connect when configured.

Local accounts (e-mail and password checked by the services) work with no
set-up at all. ``st.login`` only speaks OIDC and needs an ``[auth]`` block in
``.streamlit/secrets.toml``; when one is there the sign-in page also offers
it, and the identity provider's e-mail address is matched to an active local
user, so roles and membership stay in the app database either way.

The signed-in user is re-read on every run: deactivating a user ends their
sessions at the next interaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session

from buildtrace_assets.config import get_settings
from buildtrace_assets.observability.metrics import SIGN_IN_FAILURES
from buildtrace_assets.services import users
from buildtrace_assets.services.access import Actor, require_user
from buildtrace_assets.services.errors import NotFound, PermissionDenied, TooManyAttempts
from buildtrace_assets.services.sign_in_throttle import SignInThrottle
from portal import backend

USER_KEY = "user_id"


@dataclass(frozen=True)
class SignedIn:
    """The person using this browser session."""

    actor: Actor
    email: str
    display_name: str


def oidc_configured() -> bool:
    """Whether secrets hold an ``[auth]`` block for ``st.login``."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def current_user() -> SignedIn | None:
    """The signed-in user, or None (then only the sign-in page is shown)."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is None and oidc_configured() and st.user.get("is_logged_in", False):
        user_id = _local_user_for_identity(str(st.user.email))
    if user_id is None:
        return None
    try:
        user = backend.run(lambda session: require_user(session, Actor(user_id=user_id)))
    except PermissionDenied:
        sign_out()
        return None
    st.session_state[USER_KEY] = user.id
    return SignedIn(actor=Actor(user_id=user.id), email=user.email, display_name=user.display_name)


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


def sign_in(email: str, password: str) -> bool:
    """Check a local account's password through the sign-in throttle and start the session; False when wrong.

    The throttle is shared with the API through the app database, so
    guesses spread over the portal and the API add up. The client address
    throttles too when Streamlit knows it (AppTest has no client: its
    ``ip_address`` is no string, and then only the account is throttled).
    Raises :class:`TooManyAttempts`, whose message gives the wait, while the
    account or the address is blocked.
    """
    throttle = SignInThrottle.from_settings(get_settings())
    peer = st.context.ip_address
    attempt = throttle.attempt(
        email, peer if isinstance(peer, str) else None, st.context.headers.get("X-Forwarded-For")
    )
    try:
        user = backend.run(lambda session: throttle.sign_in(session, attempt, password))
    except TooManyAttempts:
        SIGN_IN_FAILURES.labels("portal", "throttled").inc()
        raise
    if user is None:
        SIGN_IN_FAILURES.labels("portal", "refused").inc()
        return False
    st.session_state[USER_KEY] = user.id
    return True


def sign_out() -> None:
    """End the session (and the OIDC login, when there is one)."""
    st.session_state.clear()
    if oidc_configured() and st.user.get("is_logged_in", False):
        st.logout()
