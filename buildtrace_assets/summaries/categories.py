"""Filling in the category and discipline an item leaves as ``other`` from the changes it cites.

A model may answer ``other``, and summaries stored before the rules of
:mod:`.context` and :mod:`.discipline` carry it; the change's content and its
sheet number say more (a dimension, a note, linework, a symbol, a move; the
discipline from the sheet prefix, or ``general``), so readers never see
"other · other" where the drawing tells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, cast, get_args

from buildtrace_assets.summaries.context import ChangeContext, change_contexts
from buildtrace_assets.summaries.discipline import discipline_of
from buildtrace_assets.summaries.document import ChangesDocument
from buildtrace_assets.summaries.schema import Category, Discipline

UNKNOWN: Final = "other"
_CATEGORIES = frozenset(get_args(Category)) - {UNKNOWN}
_DISCIPLINES = frozenset(get_args(Discipline)) - {UNKNOWN}


def known_category(category: str | None, change_ids: Sequence[str], by_id: Mapping[str, ChangeContext]) -> Category:
    """``category`` unless it is ``other``, missing or unknown; then that of the first cited change there is."""
    if category in _CATEGORIES:
        return cast(Category, category)
    for change_id in change_ids:
        if change_id in by_id:
            return by_id[change_id].item_category
    return UNKNOWN


def known_discipline(discipline: str | None, sheet_number: str | None) -> Discipline:
    """``discipline`` unless it is ``other``, missing or unknown; then the sheet's, from its number (or ``general``)."""
    if discipline in _DISCIPLINES:
        return cast(Discipline, discipline)
    return discipline_of(sheet_number)


def with_known_labels(items: Sequence[Mapping[str, Any]], document: ChangesDocument) -> list[dict[str, Any]]:
    """Stored items (dicts) with ``other`` categories and disciplines filled in from ``document``."""
    by_id = {context.change.id: context for context in change_contexts(document)}
    numbers = {sheet.label: sheet.sheet_number for sheet in document.sheets}
    return [
        {
            **item,
            "category": known_category(item.get("category"), item.get("change_ids") or [], by_id),
            "discipline": known_discipline(item.get("discipline"), numbers.get(str(item.get("sheet") or ""))),
        }
        for item in items
    ]
