"""Summaries written by an OpenAI-compatible chat model, checked against the change list.

Endpoint: ``POST {base_url}/chat/completions`` through the official client's
``chat.completions.parse`` with a strict JSON-schema ``response_format``
(structured outputs), which OpenAI and most compatible servers (vLLM,
LiteLLM, Ollama) accept; ``max_tokens`` is sent for the same reason.

The model gets the facts already measured (ids, kinds, old → new text, grid
and room location) plus before/after crops, and answers with items that cite
change ids. Its answer is validated by the schema and by traceability, so an
invented change never reaches a reader. The client's own retries are off:
retries of 429/5xx/timeouts happen here so they show in the metadata.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import openai
from pydantic import BaseModel

from buildtrace_assets.config import Settings
from buildtrace_assets.summaries.categories import known_category
from buildtrace_assets.summaries.context import ChangeContext, change_contexts
from buildtrace_assets.summaries.document import ChangesDocument, WordsBySheet, read_changes
from buildtrace_assets.summaries.errors import SummarizerError
from buildtrace_assets.summaries.images import CropReader, ImageBudget, crop_parts, read_local_file
from buildtrace_assets.summaries.offline import order_items, sheet_items, with_replots
from buildtrace_assets.summaries.schema import (
    PROMPT_VERSION,
    ChangeSummary,
    Impact,
    SummaryItem,
    SummaryMetadata,
    TokenUsage,
)
from buildtrace_assets.summaries.traceability import enforce_traceability

log = logging.getLogger(__name__)

SYSTEM_PROMPT = f"""You write change lists for revised construction drawings (prompt {PROMPT_VERSION}).
You receive the changes a comparison engine measured between an old and a new revision, with their ids,
kinds (added = only in new, removed = only in old, modified = both, moved = the same block or whole view
now elsewhere, with how far and which way), old → new text values and their location in the drawing's own
terms (grid lines, rooms), and before/after crop images of some regions. Write a move as a move ("Room tag
GREAT ROOM moved 12'-0\" east"), never as a removal plus an addition. A sheet with replotted_at was issued at
another paper size: say so in the overall summary ("A-101 re-plotted at 50%").
Write one item per change or per group of related changes, the way an architect writes a revision
narrative: "Dimension from Grid A0 to Property Corner reduced 31'-6 7/8\" → 8'-8 1/8\"",
"Opening D-20 shifted between grids DD11 and DD12", "Added keynotes 11, 14, 15; removed keynotes 4, 6".
Rules: cite only the given change ids in change_ids; never invent changes; give values as old → new;
use the given location words; file each item under its changes' category_hint unless the crops show
otherwise; impact is high for changes that alter cost, scope, structure or
dimensions materially, medium for coordination items, low for cosmetic ones, with a short reason.
Sheets added or removed are listed for you; mention them in the overall summary only."""

ModelCategory = Literal["dimension", "note", "keynote", "linework", "symbol", "door_window", "room", "moved", "other"]


class ModelItem(BaseModel):
    """An item as the model writes it; sheet and discipline are filled in from the cited changes."""

    change_ids: list[str]
    category: ModelCategory
    impact: Impact
    reason: str
    text: str


class ModelReply(BaseModel):
    summary: str
    items: list[ModelItem]


@dataclass(frozen=True)
class OpenAIConfig:
    """How to reach the model and how much to send it."""

    api_key: str
    model: str = "gpt-4.1-mini"
    base_url: str | None = None
    timeout_s: float = 60.0
    max_tokens: int = 2000
    images: ImageBudget = field(default_factory=ImageBudget)
    max_attempts: int = 3
    backoff_s: float = 1.0
    """First retry delay; doubled per attempt, capped by ``max_backoff_s`` (also caps Retry-After)."""
    max_backoff_s: float = 8.0

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> OpenAIConfig:
        if not settings.openai_api_key:
            raise SummarizerError("the OpenAI summarizer needs OPENAI_API_KEY")
        values: dict[str, Any] = {
            "api_key": settings.openai_api_key,
            "model": settings.openai_model,
            "base_url": settings.openai_base_url,
            "timeout_s": settings.openai_timeout_s,
            "max_tokens": settings.openai_max_tokens,
            "images": ImageBudget(max_images=settings.openai_max_images),
        }
        return cls(**(values | overrides))


_RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError, openai.APIConnectionError)


def _describe(exc: openai.OpenAIError) -> str:
    if isinstance(exc, openai.APIStatusError):
        detail = exc.body.get("message") if isinstance(exc.body, dict) else None
        return f"HTTP {exc.status_code}: {detail or exc.message}"
    if isinstance(exc, openai.APITimeoutError):
        return "request timed out"
    return f"{type(exc).__name__}: {exc}"


def _retry_after(exc: openai.OpenAIError) -> float | None:
    if not isinstance(exc, openai.APIStatusError):
        return None
    try:
        return float(exc.response.headers.get("retry-after", ""))
    except ValueError:
        return None


def _facts(document: ChangesDocument, contexts: list[ChangeContext]) -> dict[str, Any]:
    return {
        "sheets": [
            {
                "sheet": s.label,
                "title": s.title,
                "status": s.status,
                "changes": len(s.changes),
                **({"replotted_at": f"{round(s.replot_scale * 100)}%"} if s.replot_scale is not None else {}),
            }
            for s in document.sheets
        ],
        "changes": [context.prompt_view() for context in contexts],
    }


def _with_sheet(item: ModelItem, by_id: Mapping[str, ChangeContext]) -> SummaryItem:
    """The model's item placed on the sheet of its first cited change (unknown ids are dropped later); an ``other``
    category is filled in from the cited changes' content."""
    first = by_id.get(item.change_ids[0]) if item.change_ids else None
    return SummaryItem(
        sheet=first.sheet.label if first else "",
        discipline=first.discipline if first else "general",
        **(item.model_dump() | {"category": known_category(item.category, item.change_ids, by_id)}),
    )


class OpenAISummarizer:
    """Summaries by a chat model with vision, validated against the change list."""

    kind = "openai"

    def __init__(self, config: OpenAIConfig, client: openai.OpenAI | None = None) -> None:
        self.config = config
        self.client = client or openai.OpenAI(
            api_key=config.api_key, base_url=config.base_url, timeout=config.timeout_s, max_retries=0
        )

    @property
    def model(self) -> str:
        """The configured model name; the server may answer with a dated variant of it (kept in the metadata)."""
        return self.config.model

    def messages(
        self, document: ChangesDocument, contexts: list[ChangeContext], read_crop: CropReader
    ) -> tuple[list[dict], int]:
        """The chat messages and the number of images they carry."""
        images = crop_parts(contexts, self.config.images, read_crop)
        facts = json.dumps(_facts(document, contexts), ensure_ascii=False, indent=1)
        content = [{"type": "text", "text": f"Measured changes:\n{facts}"}, *images]
        return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": content}], len(images) // 2

    def _complete(self, messages: list[dict], retries: list[str]) -> Any:
        """One parsed completion, retrying rate limits, server errors and timeouts with backoff."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self.client.chat.completions.parse(
                    model=self.config.model,
                    messages=messages,
                    response_format=ModelReply,
                    max_tokens=self.config.max_tokens,
                    temperature=0,
                )
            except _RETRYABLE as exc:
                reason = _describe(exc)
                if attempt >= self.config.max_attempts:
                    raise SummarizerError(f"model failed after {attempt} attempts: {reason}", attempt) from exc
                delay = min(_retry_after(exc) or self.config.backoff_s * 2 ** (attempt - 1), self.config.max_backoff_s)
                log.warning("summary attempt %d failed (%s); retrying in %.2f s", attempt, reason, delay)
                retries.append(reason)
                time.sleep(delay)
            except openai.LengthFinishReasonError as exc:
                raise SummarizerError(f"reply cut off at max_tokens={self.config.max_tokens}", attempt) from exc
            except openai.APIStatusError as exc:
                raise SummarizerError(f"model server refused the request: {_describe(exc)}", attempt) from exc
            except ValueError as exc:
                raise SummarizerError(f"reply does not match the summary schema: {exc}", attempt) from exc

    def summarize(
        self,
        document: Mapping[str, Any] | ChangesDocument,
        words_by_sheet: WordsBySheet | None = None,
        read_crop: CropReader = read_local_file,
    ) -> ChangeSummary:
        """Ask the model, then keep only items that cite real changes; raises :class:`SummarizerError`."""
        started = time.perf_counter()
        doc = read_changes(document)
        contexts = change_contexts(doc, words_by_sheet)
        messages, images_sent = self.messages(doc, contexts, read_crop)
        retries: list[str] = []
        completion = self._complete(messages, retries)
        message = completion.choices[0].message
        if message.parsed is None:
            raise SummarizerError(f"model gave no summary: {message.refusal or 'empty reply'}", len(retries) + 1)
        by_id = {c.change.id: c for c in contexts}
        model_items = [_with_sheet(item, by_id) for item in message.parsed.items]
        items, not_summarized, dropped = enforce_traceability(
            order_items(doc, sheet_items(doc) + model_items), doc.change_ids
        )
        usage = completion.usage
        return ChangeSummary(
            summary=with_replots(message.parsed.summary, doc),
            items=items,
            not_summarized=not_summarized,
            metadata=SummaryMetadata(
                summarizer="openai",
                model=completion.model or self.config.model,
                usage=TokenUsage(**usage.model_dump(include={"prompt_tokens", "completion_tokens", "total_tokens"}))
                if usage
                else None,
                latency_s=time.perf_counter() - started,
                attempts=len(retries) + 1,
                retries=retries,
                images_sent=images_sent,
                dropped_items=dropped,
            ),
        )
