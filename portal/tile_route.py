"""``GET /tiles/{token}/…``: a published sheet's preview and tiles, for a signed-in person who may read its job.

The sheet viewer's ``<img>`` requests come from the page's own origin and
carry the HTTP-only session cookie (:mod:`portal.session_cookie`). Every
request is checked as a page run is: the cookie's signature, the server-side
session (not revoked, not expired, user active), then read access to the
job the picture belongs to. Anything else is a bare 404, the same for an
unknown token, a forged cookie or someone else's job, so nothing tells an
outsider which pictures exist.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.services import jobs
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.errors import NotFound
from portal import session_cookie, sessions
from portal.tiles import STORE

PATH = "/tiles"
CACHE_CONTROL = "private, max-age=3600"
"""A token names one picture for good (it is the picture's hash), so the browser may keep its tiles."""


@lru_cache(maxsize=4)
def _session_factory(database_url: str) -> sessionmaker[Session]:
    return make_session_factory(database_url)


def tiles_url(token: str) -> str:
    """Where the viewer asks for the picture published under ``token``."""
    return f"{PATH}/{token}"


def may_read(cookie: str | None, job_id: str) -> bool:
    """Whether the browser holding ``cookie`` is signed in as someone who may read job ``job_id``."""
    settings = get_settings()
    session_id = session_cookie.verify(session_cookie.signing_key(settings), cookie)
    if session_id is None:
        return False
    with transaction(_session_factory(settings.database_url)) as session:
        user = sessions.live_user(session, session_id, settings.portal_session_ttl_s)
        if user is None:
            return False
        try:
            jobs.get_job(session, Actor(user_id=user.id), job_id)
        except NotFound:
            return False
    return True


async def _serve(request: Request, cut: str) -> Response:
    token = request.path_params["token"]
    pyramid = STORE.pyramid(token)
    if pyramid is None:
        return Response(status_code=404)
    cookie = request.cookies.get(session_cookie.COOKIE_NAME)
    if not await run_in_threadpool(may_read, cookie, pyramid.job_id):
        return Response(status_code=404)
    if cut == "preview":
        png = await run_in_threadpool(STORE.preview, token)
    else:
        params = request.path_params
        png = await run_in_threadpool(STORE.tile, token, params["level"], params["column"], params["row"])
    if png is None:
        return Response(status_code=404)
    return Response(png, media_type="image/png", headers={"Cache-Control": CACHE_CONTROL})


async def preview(request: Request) -> Response:
    """The whole picture, small: what the viewer shows first."""
    return await _serve(request, "preview")


async def tile(request: Request) -> Response:
    """One tile of one level."""
    return await _serve(request, "tile")


ROUTES = [
    Route(PATH + "/{token}/preview.png", preview, methods=["GET"]),
    Route(PATH + "/{token}/{level:int}/{column:int}_{row:int}.png", tile, methods=["GET"]),
]
