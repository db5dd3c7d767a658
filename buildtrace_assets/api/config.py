"""Settings of the REST API, read from the environment like the rest of BuildTrace (prefix ``BUILDTRACE_API_``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_LENGTH = 32


class ApiSettings(BaseSettings):
    """Token signing and lifetimes.

    The secret has no default: a built-in key would let anyone who read the
    source mint tokens, so the API refuses to start without one.
    """

    model_config = SettingsConfigDict(env_prefix="BUILDTRACE_API_", extra="ignore")

    secret: SecretStr = Field(
        min_length=MIN_SECRET_LENGTH, description="HMAC key signing access tokens (at least 32 characters)."
    )
    audience: str = Field(default="buildtrace-api", description="The aud claim access tokens are issued for.")
    issuer: str = Field(default="buildtrace", description="The iss claim of access tokens.")
    access_token_ttl_s: int = Field(default=900, gt=0, description="Lifetime of an access token.")
    refresh_token_ttl_s: int = Field(default=30 * 24 * 3600, gt=0, description="Lifetime of a refresh token.")
    idempotency_ttl_s: int = Field(default=24 * 3600, gt=0, description="How long an Idempotency-Key is remembered.")
