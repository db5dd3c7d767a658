"""Markdown rendering of a summary, the ``summary.md`` of ``buildtrace compare``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from buildtrace_assets.summaries.document import ChangesDocument, WordsBySheet, read_changes
from buildtrace_assets.summaries.offline import OfflineSummarizer
from buildtrace_assets.summaries.schema import ChangeSummary

_CATEGORY_LABELS = {"door_window": "door/window", "sheet_added": "sheet added", "sheet_removed": "sheet removed"}


def _heading(document: ChangesDocument, sheet: str) -> str:
    record = next((s for s in document.sheets if s.label == sheet), None)
    title = f" — {record.title}" if record and record.title else ""
    return f"## {sheet}{title}"


def render_markdown(summary: ChangeSummary, document: Mapping[str, Any] | ChangesDocument) -> str:
    """Summary text, then one section per sheet with its items and their change ids."""
    doc = read_changes(document)
    lines = ["# Drawing changes", "", summary.summary]
    current = None
    for item in summary.items:
        if item.sheet != current:
            current = item.sheet
            lines += ["", _heading(doc, item.sheet), ""]
        ids = f" ({', '.join(f'`{cid}`' for cid in item.change_ids)})" if item.change_ids else ""
        lines.append(f"- **{item.impact}** · {_CATEGORY_LABELS.get(item.category, item.category)} — {item.text}{ids}")
    if summary.not_summarized:
        lines += ["", "## Not summarized", "", ", ".join(f"`{cid}`" for cid in summary.not_summarized)]
    meta = summary.metadata
    made_by = f"{meta.summarizer} summarizer" + (f", model {meta.model}" if meta.model else "")
    lines += ["", f"_Written by the {made_by}, prompt {meta.prompt_version}._", ""]
    return "\n".join(lines)


def summarize_changes_markdown(
    changes_doc: Mapping[str, Any] | ChangesDocument, words_by_sheet: WordsBySheet | None = None
) -> str:
    """Offline summary of a ``buildtrace.changes/v1`` document as Markdown (deterministic)."""
    doc = read_changes(changes_doc)
    return render_markdown(OfflineSummarizer().summarize(doc, words_by_sheet), doc)
