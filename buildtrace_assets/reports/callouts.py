"""Where a change's outline and its numbered callout go on a sheet, and in which colour.

The PDF report draws them into its pages and the marked-up PDF adds them as
annotations; both place them here, so the number a reader finds next to a
region in the report is where the markup puts it, in the legend's colour.
"""

from __future__ import annotations

from dataclasses import dataclass

from buildtrace_assets.engine.legend import KIND_COLOURS, MODIFIED
from buildtrace_assets.engine.model import BBox
from buildtrace_assets.engine.overlay import OUTLINE_PAD_PT

RGB = tuple[float, float, float]


def kind_colour(kind: str) -> RGB:
    """The legend colour of a change kind as PDF colour components (0..1); kinds without one use ``modified``."""
    red, green, blue = KIND_COLOURS.get(kind, MODIFIED).rgb
    return red / 255, green / 255, blue / 255


def label_size(width_pt: float, height_pt: float) -> float:
    """Callout font size: legible on a letter page, not shouting on an ARCH E sheet."""
    return max(9.0, min(24.0, max(width_pt, height_pt) / 120.0))


def outline(bbox: BBox, pad: float = OUTLINE_PAD_PT) -> BBox:
    """The change's box grown by the overlay's outline padding, so markup and overlay outline coincide."""
    return bbox[0] - pad, bbox[1] - pad, bbox[2] + pad, bbox[3] + pad


@dataclass(frozen=True)
class Callout:
    """A numbered label up and to the left of a region, with its leader line."""

    label: BBox
    tip: tuple[float, float]
    """Where the leader touches the region's outline."""
    knee: tuple[float, float]
    """Where the leader leaves the label."""


def place_callout(box: BBox, text: str, size: float, page: tuple[float, float]) -> Callout:
    """A label for ``text`` at ``size`` pt beside ``box``, kept on the ``page`` (width, height)."""
    width = size * (0.62 * max(len(text), 1) + 0.9)
    height = size * 1.45
    gap = size * 1.2
    left = box[0] - gap - width
    top = box[1] - gap - height
    if left < 0:
        left = min(box[2] + gap, page[0] - width)
    if top < 0:
        top = min(box[3] + gap, page[1] - height)
    left, top = max(0.0, left), max(0.0, top)
    label = (left, top, left + width, top + height)
    centre_x, centre_y = (label[0] + label[2]) / 2, (label[1] + label[3]) / 2
    tip = (min(max(centre_x, box[0]), box[2]), min(max(centre_y, box[1]), box[3]))
    knee = (label[2] if centre_x < box[0] else label[0] if centre_x > box[2] else centre_x, centre_y)
    return Callout(label, tip, knee)


def centre(box: BBox) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
