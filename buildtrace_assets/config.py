"""The one place configuration is read.

Every part of BuildTrace (CLI, services, Dagster resources, portal) reads its
settings from :func:`get_settings`, so a laptop runs on embedded defaults and a
cluster overrides them with environment variables only.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

ENV_PREFIX = "BUILDTRACE_"


class Settings(BaseModel):
    """Settings from the environment (prefix ``BUILDTRACE_``) with embedded defaults.

    Read as pydantic-settings reads them (a keyword given beats the environment, which beats the default; variable
    names in any case; a field's ``validation_alias`` is its variable's name without the prefix), but by a plain
    pydantic model: importing pydantic-settings costs ~0.4 s of every ``buildtrace compare``'s start-up, for
    reading a dozen variables.
    """

    model_config = ConfigDict(extra="ignore", validate_by_name=True, validate_default=True)

    data_dir: Path = Field(default=Path(".buildtrace"), description="Root of all local state.")
    database_url: str = Field(
        default="", description="SQLAlchemy URL of the app database; SQLite in data_dir when empty."
    )
    storage_url: str = Field(
        default="", description="Blob storage: file:///path or gs://bucket/prefix; data_dir/blobs when empty."
    )
    max_upload_mb: int = Field(default=200, description="Largest accepted upload, in MiB.")
    dpi: int = Field(default=150, description="Raster resolution of the comparison engine.")
    ocr_timeout_s: float = Field(default=120.0, description="Tesseract time limit per page.")
    dwg_min_carried_share: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="A DWG whose conversion to DXF carries less than this share of its entities is refused.",
    )
    summarizer: Literal["auto", "offline", "openai"] = Field(
        default="auto", description="auto: OpenAI when an API key is set, offline otherwise."
    )
    openai_api_key: str | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    openai_model: str = Field(default="gpt-4.1-mini")
    openai_timeout_s: float = Field(default=60.0)
    openai_max_tokens: int = Field(default=2000, description="Completion token limit of one summary.")
    openai_max_images: int = Field(default=12, description="Most region crops sent with one summary request.")
    executor: str = Field(
        default="in_process", description="Dagster executor: in_process, multiprocess or k8s (one pod per step)."
    )
    dagster_home: Path | None = Field(default=None, validation_alias="DAGSTER_HOME")
    intake_stale_after_s: float = Field(
        default=600.0, description="A version pending this long without a request or a run is asked for again."
    )
    sign_in_free_attempts: int = Field(
        default=5, ge=0, description="Failed sign-ins of one account answered without any wait."
    )
    sign_in_base_delay_s: float = Field(
        default=1.0, ge=0, description="First back-off after the free attempts; it doubles with every further failure."
    )
    sign_in_lockout_after: int = Field(
        default=10, ge=1, description="Failed sign-ins of one account that lock it for sign_in_lockout_s."
    )
    sign_in_lockout_s: float = Field(
        default=900.0, ge=0, description="First lockout; every failure after it doubles the lockout."
    )
    sign_in_max_lockout_s: float = Field(default=3600.0, ge=0, description="Longest lockout or back-off.")
    sign_in_address_free_attempts: int = Field(
        default=20, ge=0, description="Like sign_in_free_attempts, for one client address (offices share one)."
    )
    sign_in_address_lockout_after: int = Field(
        default=30, ge=1, description="Like sign_in_lockout_after, for one client address."
    )
    sign_in_forget_after_s: float = Field(
        default=86400.0, gt=0, description="Failures are forgotten after this long without a new one."
    )
    trusted_proxies: int = Field(
        default=0,
        ge=0,
        description="Reverse proxies in front of the API and portal that append to X-Forwarded-For; 0 trusts none.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per log line (ids of job, version, run, trace)."
    )
    dagster_graphql_url: str = Field(
        default="http://127.0.0.1:3000/graphql",
        validation_alias="DAGSTER_GRAPHQL_URL",
        description="GraphQL endpoint of the Dagster webserver (readiness, sensor ticks).",
    )
    health_timeout_s: float = Field(
        default=2.0, gt=0, description="Time limit of each readiness check (database, storage, Dagster)."
    )
    pipeline_silent_after_s: float = Field(
        default=90.0,
        gt=0,
        description="A Dagster daemon without a heartbeat, or a running sensor without a tick, for this long is "
        "shown as not running (the daemon beats every 30 s, sensors tick every 5-30 s).",
    )
    run_retry_grace_s: float = Field(
        default=90.0,
        gt=0,
        description="How long a stage whose run died waits for Dagster's own retry of that run to start; then the "
        "work is asked for again within the run's retry budget, or the stage is failed once the budget is spent.",
    )
    portal_session_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs the portal's session cookie; unset: a random key per process (everyone signs "
        "in again after a restart, and replicas do not share sign-ins).",
    )
    portal_session_ttl_s: float = Field(
        default=14 * 86400.0, gt=0, description="A portal sign-in lasts this long unless the person signs out."
    )
    portal_cookie_secure: bool = Field(
        default=False, description="Send the portal's session cookie over HTTPS only (set it behind TLS)."
    )
    portal_ops_port: int = Field(
        default=8502, ge=0, le=65535, description="Port of the portal's /healthz, /readyz and /metrics; 0 turns it off."
    )

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, given: Any) -> Any:
        """The environment's values under the fields' names, overridden by the keywords given (by name or alias)."""
        if not isinstance(given, dict):
            return given
        environment = {name.lower(): value for name, value in os.environ.items()}
        values: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            alias = field.validation_alias if isinstance(field.validation_alias, str) else None
            variable = (alias or ENV_PREFIX + name).lower()
            if variable in environment:
                values[name] = environment[variable]
            for key in (name, alias):
                if key is not None and key in given:
                    values[name] = given[key]
        return values

    @model_validator(mode="after")
    def _derive_defaults(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().absolute()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'buildtrace.db'}"
        if not self.storage_url:
            self.storage_url = (self.data_dir / "blobs").as_uri()
        if self.dagster_home is None:
            self.dagster_home = self.data_dir / "dagster"
        return self

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def summarizer_kind(self) -> Literal["offline", "openai"]:
        """The summarizer actually used once ``auto`` is resolved."""
        if self.summarizer == "auto":
            return "openai" if self.openai_api_key else "offline"
        return self.summarizer


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process; tests call ``get_settings.cache_clear()`` after changing the environment."""
    return Settings()
