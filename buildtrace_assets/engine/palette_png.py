"""Encode a palette image as PNG, a full sheet's deflate split over the cores.

zlib is the whole cost of a palette PNG (one byte per pixel, no filter), and
one zlib stream runs on one core: ~40 ms for an ARCH D sheet at 150 DPI,
while the other core sits idle at the end of a one-sheet comparison. A
deflate stream may be cut into pieces each compressed on its own and ended
with a sync flush (the pieces then simply follow one another, as pigz
does), so a large image's rows are deflated in bands on parallel threads
(zlib releases the GIL) and joined under one zlib header and checksum. The
file is an ordinary PNG: each band starts without the previous one's history,
which costs well under 1% of the size.

zlib's time grows with the bytes it reads even where they are one long run of
paper, so an image of at most 16 colours is written with two pixels per byte
(bit depth 4): half the bytes, about half the time, and a smaller file.
"""

from __future__ import annotations

import struct
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np

COMPRESSION = 1
"""zlib level 1: files ~20% larger than the default level, several times faster."""
BANDS = 4
"""Pieces a large image is deflated in, on ``WORKERS`` threads: four bands even out a sheet whose ink sits in one
half."""
WORKERS = 2
PARALLEL_MIN_PIXELS = 4_000_000
"""Below this (every crop) one stream is faster than starting threads."""
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZLIB_HEADER = b"\x78\x01"
"""Deflate with a 32 KB window at the fastest level, as RFC 1950 spells it."""
_ADLER_BASE = 65521
NIBBLE_COLOURS = 16
"""A palette of at most this many colours is written at bit depth 4."""
PACK_BAND_BYTES = 1 << 20
"""Pixels packed at a time: scratch arrays of a few MB are reused by the allocator, not mapped anew."""


def palette_png(indices: np.ndarray, palette: list[int]) -> bytes:
    """PNG bytes of ``indices`` (2-D ``uint8``) coloured by ``palette`` (flat RGB triples, at most 256; with at most
    ``NIBBLE_COLOURS`` the image is written at bit depth 4)."""
    height, width = indices.shape
    depth = 4 if len(palette) <= 3 * NIBBLE_COLOURS else 8
    rows = _nibble_rows(indices) if depth == 4 else _byte_rows(indices)
    raw = rows.data.cast("B")
    header = struct.pack(">IIBBBBB", width, height, depth, 3, 0, 0, 0)
    return b"".join(
        (
            _SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", bytes(palette)),
            _chunk(b"IDAT", _zlib_stream(raw, height, rows.shape[1])),
            _chunk(b"IEND", b""),
        )
    )


def _byte_rows(indices: np.ndarray) -> np.ndarray:
    """The PNG rows of a bit depth 8 image: filter type "none" before every row, then one byte per pixel."""
    rows = np.empty((indices.shape[0], indices.shape[1] + 1), np.uint8)
    rows[:, 0] = 0
    rows[:, 1:] = indices
    return rows


def _nibble_rows(indices: np.ndarray) -> np.ndarray:
    """The PNG rows of a bit depth 4 image: filter type "none", then two pixels per byte, the left one in the high
    half. Pairs of pixels are read as one little-endian 16-bit number, so the packing is a few whole-array steps,
    taken a band of rows at a time so that the steps' scratch arrays stay small."""
    height, width = indices.shape
    even = width - width % 2
    rows = np.empty((height, (width + 1) // 2 + 1), np.uint8)
    rows[:, 0] = 0
    band = max(1, PACK_BAND_BYTES // max(1, width))
    for top in range(0, height, band):
        pairs = np.ascontiguousarray(indices[top : top + band, :even]).view("<u2")
        packed = np.bitwise_and(pairs, 0x0F)
        np.left_shift(packed, 4, out=packed)
        np.bitwise_or(packed, pairs >> 8, out=packed)
        rows[top : top + band, 1 : 1 + even // 2] = packed
    if width % 2:
        rows[:, -1] = indices[:, -1] << 4
    return rows


def _zlib_stream(raw: memoryview, height: int, row_bytes: int) -> bytes:
    """One zlib stream of ``raw``: its bands deflated (and checksummed) side by side when the image is large."""
    bands = BANDS if height * row_bytes >= PARALLEL_MIN_PIXELS and height >= BANDS else 1
    step = -(-height // bands) * row_bytes
    pieces = [raw[start : start + step] for start in range(0, len(raw), step)]
    ends = [i == len(pieces) - 1 for i in range(len(pieces))]
    if len(pieces) == 1:
        deflated = [_deflate(pieces[0], True)]
    else:
        with ThreadPoolExecutor(WORKERS, "buildtrace-png") as pool:
            deflated = list(pool.map(_deflate, pieces, ends))
    checksum = 1
    for piece, (_, piece_checksum) in zip(pieces, deflated, strict=True):
        checksum = _adler32_joined(checksum, piece_checksum, len(piece))
    return b"".join((_ZLIB_HEADER, *(data for data, _ in deflated), struct.pack(">I", checksum)))


def _deflate(piece: memoryview, last: bool) -> tuple[bytes, int]:
    """Raw deflate of one band, ended on a byte boundary (sync flush) so the next band's blocks can follow; and
    the band's Adler-32."""
    compressor = zlib.compressobj(COMPRESSION, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = compressor.compress(piece) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
    return data, zlib.adler32(piece)


def _adler32_joined(first: int, second: int, second_length: int) -> int:
    """Adler-32 of two byte runs one after the other from each run's own (zlib's ``adler32_combine``)."""
    rest = second_length % _ADLER_BASE
    low = ((first & 0xFFFF) + (second & 0xFFFF) - 1) % _ADLER_BASE
    high = ((first >> 16) + (second >> 16) + rest * (first & 0xFFFF) - rest) % _ADLER_BASE
    return high << 16 | low


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))
