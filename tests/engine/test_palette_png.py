"""The banded palette PNG writer: what it writes decodes, pixel for pixel and colour for colour, in Pillow."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from buildtrace_assets.engine.palette_png import BANDS, NIBBLE_COLOURS, PARALLEL_MIN_PIXELS, palette_png

PALETTE = [value for index in range(21) for value in (index * 12, 255 - index * 12, index)]


@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (1001, PARALLEL_MIN_PIXELS // 1000 + 3)])
def test_round_trips_small_images_and_banded_sheets(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(0)
    indices = np.zeros(shape, np.uint8)
    indices[: shape[0] // 2] = rng.integers(0, 21, (shape[0] // 2, shape[1]), dtype=np.uint8)

    decoded = Image.open(io.BytesIO(palette_png(indices, PALETTE)))
    decoded.load()  # checks the IDAT's Adler-32 and every chunk's CRC

    assert decoded.mode == "P"
    np.testing.assert_array_equal(np.asarray(decoded), indices)
    assert decoded.getpalette()[: len(PALETTE)] == PALETTE


def test_a_sheet_is_deflated_in_bands_that_join_into_one_stream() -> None:
    indices = np.full((2000, PARALLEL_MIN_PIXELS // 2000 + 1), 5, np.uint8)
    data = palette_png(indices, PALETTE)
    idat = data[data.index(b"IDAT") + 4 :]
    decompressor = zlib.decompressobj()
    rows = decompressor.decompress(idat)

    assert len(rows) == indices.size + indices.shape[0]
    assert decompressor.eof
    # every band but the last ends in a sync flush's empty stored block
    assert idat.count(b"\x00\x00\xff\xff") >= BANDS - 1


@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (4, 10), (1001, PARALLEL_MIN_PIXELS // 1000 + 3)])
def test_sixteen_colours_are_written_two_pixels_to_a_byte(shape: tuple[int, int]) -> None:
    palette = PALETTE[: 3 * NIBBLE_COLOURS]
    indices = np.random.default_rng(1).integers(0, NIBBLE_COLOURS, shape, dtype=np.uint8)

    data = palette_png(indices, palette)
    decoded = Image.open(io.BytesIO(data))
    decoded.load()

    assert data[data.index(b"IHDR") + 12] == 4  # bit depth
    np.testing.assert_array_equal(np.asarray(decoded), indices)
    assert decoded.getpalette()[: len(palette)] == palette
