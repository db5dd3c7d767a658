"""The one colour legend of change overlays, shared by the renderer, the summary prompt and the portal.

Keeping it in one place is what stops the overlay, the text a model is told
about it, and the key shown to people from drifting apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LegendEntry:
    key: str
    label: str
    rgb: tuple[int, int, int]
    meaning: str

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)

    @property
    def bgr(self) -> tuple[int, int, int]:
        """OpenCV's channel order."""
        return self.rgb[::-1]


REMOVED = LegendEntry("removed", "Removed", (220, 30, 30), "ink only on the old sheet")
ADDED = LegendEntry("added", "Added", (20, 160, 40), "ink only on the new sheet")
UNCHANGED = LegendEntry("unchanged", "Unchanged", (150, 150, 150), "ink on both sheets")
MODIFIED = LegendEntry("modified", "Modified", (30, 90, 230), "outline of a region with both removed and added ink")
MOVED = LegendEntry(
    "moved", "Moved", (150, 60, 190), "a block or view moved: arrow from its old outline (thin) to its new one"
)

LEGEND: tuple[LegendEntry, ...] = (REMOVED, ADDED, UNCHANGED, MODIFIED, MOVED)
"""Every colour an overlay uses, in the order a key should list them."""

KIND_COLOURS: dict[str, LegendEntry] = {"added": ADDED, "removed": REMOVED, "modified": MODIFIED, "moved": MOVED}
"""Outline colour of a change region by its kind."""


def legend_text() -> str:
    """The legend as sentences, for prompts and captions."""
    return " ".join(f"{entry.label} ({entry.hex}): {entry.meaning}." for entry in LEGEND)
