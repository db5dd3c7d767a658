"""Change regions on the review canvas, and back.

A region is a change object of the ``buildtrace.changes/v1`` contract: its
``bbox`` is in new-sheet PDF points. The canvas shows the sheet scaled to a
fixed width, so the conversion needs only the page size and that width; it
never depends on the raster resolution the pipeline happened to use.

Each canvas box carries the region id as its label: ids survive moves, resizes
and deletions on the canvas, so a region keeps its kind, note and text values
whatever else the person changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

RegionKind = Literal["added", "removed", "modified"]
REGION_KINDS: tuple[str, ...] = get_args(RegionKind)
"""Kinds a person draws new regions as."""
EDIT_KINDS: tuple[str, ...] = (*REGION_KINDS, "moved")
"""Kinds a region can be given in the table: a machine's move can be corrected, and a person may call a region a
move (where it came from is then unknown)."""
MOVE_FIELDS = ("from_bbox", "offset", "group")
MANUAL_ID_MARKER = "-m"
MIN_SIDE_PT = 1.0
"""Boxes thinner than this are click slips, not regions."""


@dataclass(frozen=True)
class CanvasFrame:
    """A sheet of ``width_pt`` × ``height_pt`` points shown ``canvas_width`` pixels wide."""

    width_pt: float
    height_pt: float
    canvas_width: int

    def __post_init__(self) -> None:
        if self.width_pt <= 0 or self.height_pt <= 0 or self.canvas_width <= 0:
            raise ValueError(f"a canvas frame needs positive sizes, got {self}")

    @property
    def pixels_per_point(self) -> float:
        return self.canvas_width / self.width_pt

    @property
    def canvas_height(self) -> int:
        return max(1, round(self.height_pt * self.pixels_per_point))

    def to_canvas(self, bbox: Iterable[float]) -> dict[str, float]:
        """A bbox in points as a canvas box (``left``, ``top``, ``width``, ``height`` in pixels)."""
        x0, y0, x1, y1 = bbox
        scale = self.pixels_per_point
        return {"left": x0 * scale, "top": y0 * scale, "width": (x1 - x0) * scale, "height": (y1 - y0) * scale}

    def to_points(self, box: Mapping[str, float]) -> list[float]:
        """A canvas box as a bbox in points, clipped to the sheet (boxes may be dragged past its edge)."""
        scale = self.pixels_per_point
        x0, y0 = box["left"] / scale, box["top"] / scale
        x1, y1 = x0 + box["width"] / scale, y0 + box["height"] / scale
        left, right = sorted((x0, x1))
        top, bottom = sorted((y0, y1))
        return [
            round(min(max(left, 0.0), self.width_pt), 2),
            round(min(max(top, 0.0), self.height_pt), 2),
            round(min(max(right, 0.0), self.width_pt), 2),
            round(min(max(bottom, 0.0), self.height_pt), 2),
        ]


def regions_to_boxes(regions: Iterable[Mapping[str, Any]], frame: CanvasFrame) -> list[dict[str, Any]]:
    """Canvas boxes for ``regions``, labelled with their ids."""
    return [{"label": region["id"], **frame.to_canvas(region["bbox"])} for region in regions]


def next_region_id(sheet_key: str, taken: Iterable[str]) -> str:
    """The next free id for a region a person draws: ``<sheet>-m<n>``, distinct from the engine's ``<sheet>-<n>``."""
    pattern = re.compile(re.escape(f"{sheet_key}{MANUAL_ID_MARKER}") + r"(\d+)$")
    numbers = [int(match.group(1)) for match in map(pattern.match, taken) if match]
    return f"{sheet_key}{MANUAL_ID_MARKER}{max(numbers, default=0) + 1}"


def boxes_to_regions(
    boxes: Iterable[Mapping[str, Any]],
    frame: CanvasFrame,
    *,
    sheet_key: str,
    known: Mapping[str, Mapping[str, Any]],
    new_kind: RegionKind,
) -> list[dict[str, Any]]:
    """The regions the canvas now shows.

    A box labelled with a known id keeps that region's fields with the new
    geometry; any other box (a new drawing, or a duplicate label from two quick
    strokes) becomes a new region of ``new_kind`` with a fresh id. Degenerate
    boxes are dropped.
    """
    regions: list[dict[str, Any]] = []
    taken: set[str] = set(known)
    seen: set[str] = set()
    for box in boxes:
        bbox = frame.to_points(box)
        if bbox[2] - bbox[0] < MIN_SIDE_PT or bbox[3] - bbox[1] < MIN_SIDE_PT:
            continue
        label = str(box.get("label") or "")
        if label in known and label not in seen:
            region = {**known[label], "bbox": bbox}
        else:
            label = next_region_id(sheet_key, taken)
            region = {"id": label, "kind": new_kind, "bbox": bbox, "old_text": None, "new_text": None, "note": ""}
        taken.add(label)
        seen.add(label)
        regions.append(region)
    return regions


def apply_edits(regions: Iterable[Mapping[str, Any]], edits: Mapping[str, Mapping[str, str]]) -> list[dict[str, Any]]:
    """``regions`` with the kind and note a person typed in the region table, by id."""
    edited = []
    for region in regions:
        change = dict(region)
        fields = edits.get(change["id"], {})
        if fields.get("kind") in EDIT_KINDS:
            change["kind"] = fields["kind"]
            if change["kind"] != "moved":
                for name in MOVE_FIELDS:
                    change.pop(name, None)
        if "note" in fields:
            change["note"] = fields["note"] or ""
        edited.append(change)
    return edited
