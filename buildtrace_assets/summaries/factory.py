"""Choosing the summarizer from configuration: OpenAI when a key is set (or asked for), offline otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.summaries.document import ChangesDocument, WordsBySheet
from buildtrace_assets.summaries.images import CropReader
from buildtrace_assets.summaries.offline import OfflineSummarizer
from buildtrace_assets.summaries.schema import ChangeSummary


class Summarizer(Protocol):
    kind: str

    @property
    def model(self) -> str:
        """The name stored with each summary and compared when looking for stale ones."""
        ...

    def summarize(
        self,
        document: Mapping[str, Any] | ChangesDocument,
        words_by_sheet: WordsBySheet | None = None,
        read_crop: CropReader = ...,
    ) -> ChangeSummary: ...


def make_summarizer(settings: Settings | None = None, **openai_overrides: Any) -> Summarizer:
    """The summarizer ``settings.summarizer_kind`` names; ``openai_overrides`` tune :class:`OpenAIConfig`."""
    settings = settings or get_settings()
    if settings.summarizer_kind == "openai":
        from buildtrace_assets.summaries.openai_summarizer import OpenAIConfig, OpenAISummarizer

        return OpenAISummarizer(OpenAIConfig.from_settings(settings, **openai_overrides))
    return OfflineSummarizer()
