"""Numbered keynote and note lists compared by number.

A keynote legend that gains entries 14 and 15 changes as one block of text;
people report it as "Added keynotes 14, 15", so the texts are split into
numbered entries and compared entry by entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ENTRY = re.compile(r"(?:^|(?<=\s))(\d{1,3})[.)]\s+(.*?)(?=\s+\d{1,3}[.)]\s|\s*$)", re.DOTALL)


def parse_numbered(text: str | None) -> dict[int, str]:
    """``{number: entry text}`` of a numbered list such as ``1. VERIFY ... 2. PROVIDE ...``."""
    if not text:
        return {}
    return {int(number): " ".join(body.split()) for number, body in _ENTRY.findall(text)}


@dataclass
class ListChange:
    """Entries added, removed and reworded between two versions of a numbered list."""

    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    revised: list[int] = field(default_factory=list)

    def merge(self, other: ListChange) -> None:
        """Fold another region's changes of the same list in (a legend may be split over regions)."""
        self.added = sorted(set(self.added) | set(other.added))
        self.removed = sorted(set(self.removed) | set(other.removed))
        self.revised = sorted(set(self.revised) | set(other.revised))

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.revised)


def numbered_list_change(old_text: str | None, new_text: str | None) -> ListChange | None:
    """How a numbered list changed, or None when neither text is a numbered list."""
    old, new = parse_numbered(old_text), parse_numbered(new_text)
    if not old and not new:
        return None
    return ListChange(
        added=sorted(set(new) - set(old)),
        removed=sorted(set(old) - set(new)),
        revised=sorted(n for n in set(old) & set(new) if old[n] != new[n]),
    )
