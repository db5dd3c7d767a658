"""The summarizer that needs no model: deterministic sentences from the change list and the sheet words.

It is the default without an API key and the fallback wording the model's
answer is compared with; the same input always gives the same summary.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from buildtrace_assets.summaries.context import ChangeContext, change_contexts
from buildtrace_assets.summaries.discipline import discipline_of
from buildtrace_assets.summaries.document import ChangesDocument, SheetRecord, WordsBySheet, read_changes
from buildtrace_assets.summaries.images import CropReader
from buildtrace_assets.summaries.numbered_lists import ListChange
from buildtrace_assets.summaries.schema import ChangeSummary, SummaryItem, SummaryMetadata
from buildtrace_assets.summaries.traceability import enforce_traceability
from buildtrace_assets.summaries.wording import change_impact, change_sentence, list_sentence, replot_sentence


def _unaligned_item(sheet: SheetRecord) -> SummaryItem:
    """A sheet the engine could not align has no changes because none were computed, not because none were made."""
    return SummaryItem(
        sheet=sheet.label,
        change_ids=[],
        category="sheet_unaligned",
        discipline=discipline_of(sheet.sheet_number),
        impact="high",
        reason="its changes are unknown until it is aligned",
        text=f"Sheet {sheet.label} could not be aligned with its old revision ({sheet.unaligned_reason}), so its"
        " changes were not computed; align it by hand on the review page.",
    )


def sheet_items(document: ChangesDocument) -> list[SummaryItem]:
    """Items for sheets added to or removed from the set (they have no change regions), and for sheets that could
    not be aligned."""
    items = [_unaligned_item(sheet) for sheet in document.sheets if sheet.unaligned_reason is not None]
    for sheet in document.sheets:
        if sheet.status not in ("added", "removed"):
            continue
        title = f" {sheet.title}" if sheet.title else ""
        items.append(
            SummaryItem(
                sheet=sheet.label,
                change_ids=[],
                category=f"sheet_{sheet.status}",
                discipline=discipline_of(sheet.sheet_number),
                impact="high",
                reason="a whole sheet entered the set" if sheet.status == "added" else "a whole sheet left the set",
                text=f"Sheet {sheet.label}{title} {sheet.status}.",
            )
        )
    return items


def _list_items(contexts: list[ChangeContext]) -> list[SummaryItem]:
    """One item per sheet and list kind, folding every region of a keynote or note legend together."""
    groups: dict[tuple[str, str], tuple[ListChange, list[ChangeContext]]] = {}
    for context in contexts:
        if context.list_change is None:
            continue
        merged, members = groups.setdefault((context.sheet.label, context.category), (ListChange(), []))
        merged.merge(context.list_change)
        members.append(context)
    items = []
    for (sheet, noun), (merged, members) in groups.items():
        impact, reason = change_impact(members[0])
        items.append(
            SummaryItem(
                sheet=sheet,
                change_ids=[c.change.id for c in members],
                category=members[0].category,
                discipline=members[0].discipline,
                impact=impact,
                reason=reason,
                text=list_sentence(noun, merged),
            )
        )
    return items


def change_items(contexts: list[ChangeContext]) -> list[SummaryItem]:
    """Items for the changes of modified sheets: one per change, one per numbered list."""
    items = []
    for context in contexts:
        if context.list_change is not None:
            continue
        impact, reason = change_impact(context)
        items.append(
            SummaryItem(
                sheet=context.sheet.label,
                change_ids=[context.change.id],
                category=context.item_category,
                discipline=context.discipline,
                impact=impact,
                reason=reason,
                text=change_sentence(context),
            )
        )
    return items + _list_items(contexts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def overview(document: ChangesDocument, items: list[SummaryItem]) -> str:
    """``Compared 4 sheets: A-101 (3 changes) modified; A-102 added; 1 unchanged. 1 high-impact item.``"""
    by_status: dict[str, list[SheetRecord]] = {}
    for sheet in document.sheets:
        by_status.setdefault("unaligned" if sheet.unaligned_reason else sheet.status, []).append(sheet)
    parts = []
    if modified := by_status.get("modified"):
        parts.append(", ".join(f"{s.label} ({_count(len(s.changes), 'change')})" for s in modified) + " modified")
    for status in ("added", "removed"):
        if sheets := by_status.get(status):
            parts.append(", ".join(s.label for s in sheets) + f" {status}")
    if unaligned := by_status.get("unaligned"):
        parts.append(", ".join(s.label for s in unaligned) + " could not be aligned (changes not computed)")
    if unchanged := by_status.get("unchanged"):
        parts.append(f"{len(unchanged)} unchanged")
    text = f"Compared {_count(len(document.sheets), 'sheet')}: " + "; ".join(parts) + "."
    if not modified and not unaligned and not by_status.get("added") and not by_status.get("removed"):
        text = f"Compared {_count(len(document.sheets), 'sheet')}: no changes found."
    high = sum(item.impact == "high" for item in items)
    return with_replots(text, document) + (f" {_count(high, 'high-impact item')}." if high else "")


def with_replots(text: str, document: ChangesDocument) -> str:
    """``text`` followed by one sentence per sheet re-plotted at another size (``A-101 re-plotted at 50%.``),
    unless it already names the sheet and its percentage (a model's own wording)."""
    notes = [
        replot_sentence(sheet.label, sheet.replot_scale)
        for sheet in document.sheets
        if sheet.replot_scale is not None
        and not (sheet.label in text and f"{round(sheet.replot_scale * 100)}%" in text)
    ]
    return " ".join([text, *notes])


def _sheet_order(document: ChangesDocument) -> dict[str, int]:
    return {sheet.label: index for index, sheet in enumerate(document.sheets)}


def order_items(document: ChangesDocument, items: list[SummaryItem]) -> list[SummaryItem]:
    """Items in sheet order, keeping their order within a sheet."""
    order = _sheet_order(document)
    return sorted(items, key=lambda item: order.get(item.sheet, len(order)))


class OfflineSummarizer:
    """Deterministic summaries; never calls out of the process."""

    kind = "offline"
    model = "offline"
    """Recorded as the model of its summaries, so a switch to a real model finds them stale."""

    def summarize(
        self,
        document: Mapping[str, Any] | ChangesDocument,
        words_by_sheet: WordsBySheet | None = None,
        read_crop: CropReader | None = None,
    ) -> ChangeSummary:
        """Summarize from text and positions only; ``read_crop`` is accepted for parity and not used."""
        started = time.perf_counter()
        doc = read_changes(document)
        contexts = change_contexts(doc, words_by_sheet)
        items, not_summarized, _ = enforce_traceability(
            order_items(doc, sheet_items(doc) + change_items(contexts)), doc.change_ids
        )
        return ChangeSummary(
            summary=overview(doc, items),
            items=items,
            not_summarized=not_summarized,
            metadata=SummaryMetadata(summarizer="offline", latency_s=time.perf_counter() - started),
        )
