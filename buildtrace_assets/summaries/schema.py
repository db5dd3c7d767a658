"""The written summary of a comparison, as stored and as asked of a model.

Every item names the change ids it describes, so a reader can jump from a
sentence to the region on the overlay and a wrong sentence can be traced to
the change it misreads.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

PROMPT_VERSION = "2026-12-summaries-v3"
"""Bumped whenever the prompt or the deterministic wording changes, so stale summaries can be found."""

Category = Literal[
    "dimension",
    "note",
    "keynote",
    "linework",
    "door_window",
    "room",
    "symbol",
    "moved",
    "sheet_added",
    "sheet_removed",
    "sheet_unaligned",
    "other",
]
"""``other`` is never written by the summarizers (see :mod:`.categories`); it stays readable in stored summaries."""
Impact = Literal["low", "medium", "high"]
Discipline = Literal[
    "architectural",
    "structural",
    "mechanical",
    "electrical",
    "plumbing",
    "civil",
    "landscape",
    "fire_protection",
    "fire_alarm",
    "general",
    "interiors",
    "telecommunications",
    "survey",
    "geotechnical",
    "equipment",
    "hazardous_materials",
    "process",
    "operations",
    "resource",
    "distributed_energy",
    "other",
]
SummarizerKind = Literal["offline", "openai"]


class SummaryItem(BaseModel):
    """One sentence of the summary and the changes it is about."""

    sheet: str = Field(description="Sheet number (or 'page N') the item is about.")
    change_ids: list[str] = Field(description="Ids of the changes described; empty only for sheet_added/sheet_removed.")
    category: Category
    discipline: Discipline
    impact: Impact
    reason: str = Field(description="Why the impact is what it is.")
    text: str


class TokenUsage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class SummaryMetadata(BaseModel):
    """How the summary was made, so stale or costly summaries can be found and redone."""

    summarizer: SummarizerKind
    model: str | None = None
    prompt_version: str = PROMPT_VERSION
    usage: TokenUsage | None = None
    latency_s: float = 0.0
    attempts: int = 1
    retries: list[str] = Field(default_factory=list, description="Why each failed attempt was retried.")
    images_sent: int = 0
    dropped_items: int = Field(default=0, description="Model items discarded for naming unknown change ids.")


class ChangeSummary(BaseModel):
    """Overall summary plus traceable items."""

    summary: str
    items: list[SummaryItem]
    not_summarized: list[str] = Field(default_factory=list, description="Change ids no item covers.")
    metadata: SummaryMetadata
