"""Written summaries of drawing changes: offline (deterministic) or by an OpenAI-compatible model.

The OpenAI client library costs about a second to import, so its summarizer is
imported on first use: every Dagster step process, the portal and the CLI
import this package, and most of them run the offline summarizer.
"""

from buildtrace_assets.summaries.document import ChangesDocument, read_changes
from buildtrace_assets.summaries.errors import InvalidChangesError, SummarizerError, SummaryError
from buildtrace_assets.summaries.factory import Summarizer, make_summarizer
from buildtrace_assets.summaries.markdown import render_markdown, summarize_changes_markdown
from buildtrace_assets.summaries.offline import OfflineSummarizer
from buildtrace_assets.summaries.schema import PROMPT_VERSION, ChangeSummary, SummaryItem, SummaryMetadata

__all__ = [
    "PROMPT_VERSION",
    "ChangeSummary",
    "ChangesDocument",
    "InvalidChangesError",
    "OfflineSummarizer",
    "OpenAIConfig",
    "OpenAISummarizer",
    "Summarizer",
    "SummarizerError",
    "SummaryError",
    "SummaryItem",
    "SummaryMetadata",
    "make_summarizer",
    "read_changes",
    "render_markdown",
    "summarize_changes_markdown",
]


def __getattr__(name: str) -> object:
    if name in ("OpenAIConfig", "OpenAISummarizer"):
        from buildtrace_assets.summaries import openai_summarizer

        return getattr(openai_summarizer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
