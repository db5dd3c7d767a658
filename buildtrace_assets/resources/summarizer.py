"""The change summarizer as a Dagster resource: an OpenAI-compatible model, or the offline one.

The cluster passes the API key from a Secret through the environment, so the
key never lands in run config or the Dagster UI.
"""

from __future__ import annotations

from typing import Literal

from dagster import ConfigurableResource
from pydantic import Field

from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.summaries.factory import Summarizer, make_summarizer


class SummarizerResource(ConfigurableResource):
    """Which summarizer writes change summaries, and how it reaches its model."""

    kind: Literal["auto", "offline", "openai"] = Field(
        default="auto", description="auto: OpenAI when OPENAI_API_KEY is set, offline otherwise."
    )
    openai_model: str = Field(description="Model name sent to the OpenAI-compatible API.")
    openai_base_url: str | None = Field(default=None, description="Base URL of an OpenAI-compatible API.")
    openai_timeout_s: float = Field(gt=0, description="Time limit of one model call, in seconds.")

    def settings(self) -> Settings:
        """The process settings with this resource's choices; the API key stays in the environment."""
        return get_settings().model_copy(
            update={
                "summarizer": self.kind,
                "openai_model": self.openai_model,
                "openai_base_url": self.openai_base_url,
                "openai_timeout_s": self.openai_timeout_s,
            }
        )

    def get(self) -> Summarizer:
        """A summarizer ready to call; its ``model`` is the name stored with each summary and checked for staleness."""
        return make_summarizer(self.settings())
