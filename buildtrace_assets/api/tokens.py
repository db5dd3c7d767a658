"""JWT access tokens: HS256 only, and ``exp``, ``iat``, ``aud``, ``iss``, ``sub`` and ``sid`` always required.

Pinning the algorithm list on decode is what defeats ``alg=none`` and
algorithm-confusion tokens; requiring the claims means a token minted
without an expiry or for another audience is refused rather than trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from buildtrace_assets.api.config import ApiSettings
from buildtrace_assets.api.errors import Unauthorized
from buildtrace_assets.db.base import new_id

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "aud", "iss", "sub", "sid", "jti"]
LEEWAY_S = 5
"""Clock skew tolerated between servers issuing and checking tokens."""


@dataclass(frozen=True)
class AccessClaims:
    """What a verified access token says: who, and in which sign-in session."""

    user_id: str
    session_id: str


def issue_access_token(settings: ApiSettings, user_id: str, session_id: str, now: datetime) -> str:
    """A signed access token for the user's session, valid for ``access_token_ttl_s``."""
    claims = {
        "sub": user_id,
        "sid": session_id,
        "jti": new_id(),
        "aud": settings.audience,
        "iss": settings.issuer,
        "iat": now,
        "exp": now + timedelta(seconds=settings.access_token_ttl_s),
    }
    return jwt.encode(claims, settings.secret.get_secret_value(), algorithm=ALGORITHM)


def verify_access_token(settings: ApiSettings, token: str) -> AccessClaims:
    """The claims of a genuine, unexpired token for this API; :class:`Unauthorized` for anything else."""
    try:
        claims = jwt.decode(
            token,
            settings.secret.get_secret_value(),
            algorithms=[ALGORITHM],
            audience=settings.audience,
            issuer=settings.issuer,
            leeway=LEEWAY_S,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the access token has expired; refresh it", code="token_expired") from None
    except jwt.InvalidTokenError as error:
        raise Unauthorized(f"invalid access token: {error}", code="invalid_token") from None
    if not isinstance(claims["sub"], str) or not isinstance(claims["sid"], str):
        raise Unauthorized("invalid access token: malformed subject", code="invalid_token")
    return AccessClaims(user_id=claims["sub"], session_id=claims["sid"])
