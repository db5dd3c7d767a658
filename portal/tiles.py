"""Sheet pictures as tile pyramids: a small preview first, full-resolution tiles only where a person zooms.

An ARCH D sheet at the pipeline's 150 dpi is 5400 × 3600 px, several
megabytes of PNG; sent whole as a data URL over the page's WebSocket it
delays every run of the review page. Instead the page :func:`publish`\\ es
the picture here and gives the sheet viewer a URL: the viewer loads a
preview at most :data:`PREVIEW_MAX_PX` wide, and when the zoom asks for more
detail it requests :data:`TILE_PX`-square tiles of the level that matches the
zoom (level 0 is full resolution, each level above halves it), for the part
on screen only.

The pictures live in this process, the one Streamlit server that runs both
the pages and the tile route (:mod:`portal.tile_route`); a token is the hash
of the picture and of the job it belongs to, so the same picture gets the
same URLs and the browser's cache serves it again. Who may fetch the tiles
is decided by the route, per request, from the session cookie and the job.
"""

from __future__ import annotations

import hashlib
import io
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image

TILE_PX = 512
PREVIEW_MAX_PX = 2048
"""Wide enough to read a whole sheet fitted to a screen; detail beyond it comes as tiles."""
PICTURES_KEPT = 24
"""Published pictures kept (PNG bytes, a few MB each for ARCH D); older ones are dropped and their tiles 404."""
DECODED_KEPT = 2
"""Decoded pictures kept for cutting tiles: an ARCH D RGB picture is about 58 MB."""


@dataclass(frozen=True)
class Pyramid:
    """What the viewer needs to ask for a published picture's preview and tiles."""

    token: str
    job_id: str
    width: int
    height: int
    preview_width: int
    levels: int
    """Levels with more detail than the preview (0 is full resolution); 0 when the preview is the picture."""


@dataclass(frozen=True)
class _Published:
    pyramid: Pyramid
    png: bytes


def _levels(width: int) -> int:
    """How many halvings from full width stay wider than the preview."""
    return 0 if width <= PREVIEW_MAX_PX else math.ceil(math.log2(width / PREVIEW_MAX_PX))


def level_width(width: int, level: int) -> int:
    """A level's width in pixels: the full width halved ``level`` times, rounded up."""
    return math.ceil(width / 2**level)


def tile_grid(width: int, height: int, level: int) -> tuple[int, int]:
    """Columns and rows of tiles at ``level``."""
    return math.ceil(level_width(width, level) / TILE_PX), math.ceil(level_width(height, level) / TILE_PX)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class TileStore:
    """Published pictures by token, and the tiles and previews cut from them."""

    def __init__(self) -> None:
        self._published: OrderedDict[str, _Published] = OrderedDict()
        self._decoded: OrderedDict[str, Image.Image] = OrderedDict()
        self._lock = threading.Lock()

    def publish(self, png: bytes, job_id: str) -> Pyramid:
        """Keep ``png`` (a picture of job ``job_id``) for its preview and tiles; its pyramid."""
        token = hashlib.sha256(job_id.encode() + b"\0" + png).hexdigest()[:32]
        with self._lock:
            known = self._published.get(token)
            if known is not None:
                self._published.move_to_end(token)
                return known.pyramid
        with Image.open(io.BytesIO(png)) as image:
            width, height = image.size
        pyramid = Pyramid(token, job_id, width, height, min(width, PREVIEW_MAX_PX), _levels(width))
        with self._lock:
            self._published[token] = _Published(pyramid, png)
            while len(self._published) > PICTURES_KEPT:
                dropped, _ = self._published.popitem(last=False)
                self._decoded.pop(dropped, None)
        return pyramid

    def pyramid(self, token: str) -> Pyramid | None:
        """The pyramid published under ``token``, or None when unknown or dropped."""
        with self._lock:
            published = self._published.get(token)
        return published.pyramid if published else None

    def _image(self, token: str) -> Image.Image | None:
        with self._lock:
            published = self._published.get(token)
            decoded = self._decoded.get(token)
            if decoded is not None:
                self._decoded.move_to_end(token)
                return decoded
        if published is None:
            return None
        image = Image.open(io.BytesIO(published.png)).convert("RGB")
        with self._lock:
            self._decoded[token] = image
            while len(self._decoded) > DECODED_KEPT:
                self._decoded.popitem(last=False)
        return image

    def preview(self, token: str) -> bytes | None:
        """The whole picture at most :data:`PREVIEW_MAX_PX` wide, or None for an unknown token."""
        image = self._image(token)
        if image is None:
            return None
        if image.width <= PREVIEW_MAX_PX:
            return _png(image)
        height = max(1, round(image.height * PREVIEW_MAX_PX / image.width))
        return _png(image.resize((PREVIEW_MAX_PX, height), Image.Resampling.LANCZOS))

    def tile(self, token: str, level: int, column: int, row: int) -> bytes | None:
        """Tile (``column``, ``row``) of ``level``, or None when the token or the tile does not exist."""
        pyramid = self.pyramid(token)
        if pyramid is None or not 0 <= level < pyramid.levels:
            return None
        columns, rows = tile_grid(pyramid.width, pyramid.height, level)
        if not (0 <= column < columns and 0 <= row < rows):
            return None
        image = self._image(token)
        if image is None:
            return None
        span = TILE_PX * 2**level
        left, top = column * span, row * span
        right, bottom = min(image.width, left + span), min(image.height, top + span)
        size = (math.ceil((right - left) / 2**level), math.ceil((bottom - top) / 2**level))
        piece = image.crop((left, top, right, bottom))
        return _png(piece if level == 0 else piece.resize(size, Image.Resampling.LANCZOS))


STORE = TileStore()
"""The server's one store: the pages publish into it and the tile route reads from it."""
