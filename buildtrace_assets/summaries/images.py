"""Before/after crops of change regions as image inputs for a vision model.

Whole sheets are illegible at the resolutions models accept; crops of the
measured regions, downscaled only as far as needed, keep dimension text
readable. A budget caps how many images one request carries.
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from buildtrace_assets.summaries.context import ChangeContext

log = logging.getLogger(__name__)

CropReader = Callable[[str], bytes]
"""Reads a crop's bytes from the reference stored in the change (a path or a blob key)."""


def read_local_file(reference: str) -> bytes:
    return Path(reference).read_bytes()


@dataclass(frozen=True)
class ImageBudget:
    max_images: int = 12
    max_side_px: int = 768
    """Longest side after downscaling; crops smaller than this are sent as they are."""


def to_data_url(data: bytes, max_side_px: int) -> str:
    """PNG data URL of an image, shrunk so its longest side is at most ``max_side_px``."""
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        image.thumbnail((max_side_px, max_side_px), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def crop_parts(contexts: list[ChangeContext], budget: ImageBudget, read: CropReader = read_local_file) -> list[dict]:
    """Chat content parts: a caption naming change id and side, then the image, until the budget is spent.

    A crop that cannot be read is skipped with a warning: the model still has
    the change's text, and one missing file should not cost the whole summary.
    """
    parts: list[dict] = []
    sent = 0
    for context in contexts:
        for side in ("old", "new"):
            reference = (context.change.crops or {}).get(side)
            if reference is None or sent >= budget.max_images:
                continue
            try:
                url = to_data_url(read(reference), budget.max_side_px)
            except (OSError, UnidentifiedImageError) as exc:
                log.warning("skipping %s crop of change %s (%s): %s", side, context.change.id, reference, exc)
                continue
            label = "before (old sheet)" if side == "old" else "after (new sheet)"
            parts.append({"type": "text", "text": f"Change {context.change.id}, {label}:"})
            parts.append({"type": "image_url", "image_url": {"url": url, "detail": "high"}})
            sent += 1
    return parts
