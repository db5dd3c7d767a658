"""Every sentence must point at real changes; every change should be covered by a sentence."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from buildtrace_assets.summaries.schema import SummaryItem

log = logging.getLogger(__name__)

SHEET_CATEGORIES = frozenset({"sheet_added", "sheet_removed", "sheet_unaligned"})
"""Items about whole sheets, which have no change regions to reference."""


def enforce_traceability(
    items: Iterable[SummaryItem], known_ids: Sequence[str]
) -> tuple[list[SummaryItem], list[str], int]:
    """Keep items whose change ids all exist; return them, the uncovered ids (in order) and how many were dropped.

    An item naming an unknown id is dropped whole: its sentence may describe
    the invented change, and the ids it did name then show as not summarized.
    """
    known = set(known_ids)
    kept: list[SummaryItem] = []
    dropped = 0
    for item in items:
        unknown = [cid for cid in item.change_ids if cid not in known]
        untraceable = not item.change_ids and item.category not in SHEET_CATEGORIES
        if unknown or untraceable:
            log.warning("dropping summary item %r: unknown change ids %s", item.text, unknown or "(none given)")
            dropped += 1
            continue
        kept.append(item)
    covered = {cid for item in kept for cid in item.change_ids}
    return kept, [cid for cid in known_ids if cid not in covered], dropped
