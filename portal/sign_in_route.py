"""``POST /auth/sign-in``: checks the password and sets the session cookie, then sends the browser on.

A Streamlit script runs over a WebSocket and cannot set an HTTP-only cookie
(``st.context.cookies`` only reads the ones the browser sent). So the
sign-in form posts to this small Starlette route, mounted next to the
Streamlit app by :mod:`portal.asgi` in the same server: it runs the shared
sign-in throttle (per account and per client address), starts a
server-side session, sets a signed, HTTP-only, ``SameSite=Lax`` cookie and
redirects (303) to ``next``, the page and query the person asked for. Lax,
not Strict: a shared link clicked in a mail client is a cross-site
top-level navigation, and it must arrive signed in.

A refusal redirects back to the same page with ``sign_in_error`` (a code,
never free text, so a crafted link cannot put words on the sign-in page);
so does an unreachable database (``unavailable``), never a server error.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.observability.metrics import SIGN_IN_FAILURES
from buildtrace_assets.services.errors import TooManyAttempts
from buildtrace_assets.services.sign_in_throttle import SignInThrottle
from portal import session_cookie, sessions

_LOG = logging.getLogger(__name__)
PATH = "/auth/sign-in"
ERROR_PARAMETER = "sign_in_error"
WAIT_PARAMETER = "retry_after"


@lru_cache(maxsize=4)
def _session_factory(database_url: str) -> sessionmaker[Session]:
    return make_session_factory(database_url)


def safe_next(target: str | None) -> str:
    """``target`` when it is a path of this site, else ``/``: the form must not redirect anywhere else."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def with_error(target: str, error: str, retry_after_s: int | None = None) -> str:
    """``target`` with the refusal code added to its query (and an earlier code dropped)."""
    parts = urlsplit(target)
    dropped = (ERROR_PARAMETER, WAIT_PARAMETER)
    query = {key: values for key, values in parse_qs(parts.query).items() if key not in dropped}
    query[ERROR_PARAMETER] = [error]
    if retry_after_s is not None:
        query[WAIT_PARAMETER] = [str(retry_after_s)]
    return urlunsplit(("", "", parts.path, urlencode(query, doseq=True), ""))


def _check(settings: Settings, email: str, password: str, peer: str | None, forwarded_for: str | None) -> str | None:
    """The new session's id, or None for a wrong password; raises :class:`TooManyAttempts` while throttled."""
    throttle = SignInThrottle.from_settings(settings)
    attempt = throttle.attempt(email, peer, forwarded_for)
    with transaction(_session_factory(settings.database_url)) as session:
        user = throttle.sign_in(session, attempt, password)
        return None if user is None else sessions.start(session, user.id)


async def sign_in(request: Request) -> RedirectResponse:
    """The form's target; see the module docstring."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    email = form.get("email", [""])[0].strip()
    password = form.get("password", [""])[0]
    target = safe_next(form.get("next", ["/"])[0])
    if not email or not password:
        return RedirectResponse(with_error(target, "missing"), status_code=303)
    settings = get_settings()
    peer = request.client.host if request.client else None
    try:
        session_id = await run_in_threadpool(
            _check, settings, email, password, peer, request.headers.get("X-Forwarded-For")
        )
    except DBAPIError:
        _LOG.exception("sign-in: the database cannot be reached")
        return RedirectResponse(with_error(target, "unavailable"), status_code=303)
    except TooManyAttempts as refusal:
        SIGN_IN_FAILURES.labels("portal", "throttled").inc()
        kind = "locked" if refusal.locked_out else "throttled"
        return RedirectResponse(with_error(target, kind, refusal.retry_after_s), status_code=303)
    if session_id is None:
        SIGN_IN_FAILURES.labels("portal", "refused").inc()
        return RedirectResponse(with_error(target, "wrong"), status_code=303)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        session_cookie.COOKIE_NAME,
        session_cookie.sign(session_cookie.signing_key(settings), session_id),
        max_age=int(settings.portal_session_ttl_s),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.portal_cookie_secure,
    )
    return response


ROUTES = [Route(PATH, sign_in, methods=["POST"])]
