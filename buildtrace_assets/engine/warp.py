"""Warp a sheet into another sheet's pixel frame, resampling only where it has ink.

Warping a whole ARCH D sheet at 150 DPI was the largest single cost of a
comparison, yet most of a drawing is bare paper, and bilinear resampling of
paper is paper again. So the source is summarised in blocks (does a block
hold anything darker than paper?), each tile of the result is resampled only
when the source area it reads from holds such a block, and every other tile
is left paper. A scan, whose paper is noise, resamples every tile, about as
fast as one whole warp.

OpenCV rounds the sampling position of each pixel in fixed point from the
start of the area it warps, so a tile warped on its own can differ from the
whole warp by one gray level at the odd edge pixel (a few thousand of an ARCH
D sheet's 19 million): on the benchmark's sheets that moved one or two changed
pixels of thousands, and no change.
"""

from __future__ import annotations

import cv2
import numpy as np

PAPER = 255
TILE_PX = 64
"""Side of the result's tiles: large enough that the per-call cost stays small, small enough to skip paper."""
BLOCK_PX = 16
"""Side of the source blocks the ink summary is taken in."""
REACH_PX = 2
"""Source pixels a result pixel may read beyond its mapped position: bilinear reads the next pixel, and the
position is rounded."""


def warp_affine(image: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``cv2.warpAffine(image, matrix, size, INTER_LINEAR, borderValue=255)``, resampling only the tiles of the
    result whose source area holds anything but paper. ``matrix`` maps source pixels to result pixels."""
    width, height = size
    result = np.full((height, width), PAPER, np.uint8)
    to_source = np.asarray(cv2.invertAffineTransform(matrix), np.float64)
    inked = _inked_tiles(image, to_source, size)
    for row, rows, column, columns in _runs(inked):
        y0, x0 = row * TILE_PX, column * TILE_PX
        y1, x1 = min(height, y0 + rows * TILE_PX), min(width, x0 + columns * TILE_PX)
        shifted = to_source.copy()
        shifted[:, 2] += to_source[:, 0] * x0 + to_source[:, 1] * y0
        cv2.warpAffine(
            image,
            shifted,
            (x1 - x0, y1 - y0),
            dst=result[y0:y1, x0:x1],
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderValue=PAPER,
        )
    return result


def _inked_tiles(image: np.ndarray, to_source: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Per tile of the result, whether the source area it samples holds a block with anything but paper."""
    width, height = size
    rows, columns = -(-height // TILE_PX), -(-width // TILE_PX)
    ys = np.minimum(np.arange(rows + 1) * TILE_PX, height)
    xs = np.minimum(np.arange(columns + 1) * TILE_PX, width)
    # The source extent of each tile: the box around its four corners mapped back (affine maps keep it exact).
    corner_xs = to_source[0, 0] * xs[None, :] + to_source[0, 1] * ys[:, None] + to_source[0, 2]
    corner_ys = to_source[1, 0] * xs[None, :] + to_source[1, 1] * ys[:, None] + to_source[1, 2]
    extent = []
    for corners in (corner_xs, corner_ys):
        quads = np.stack([corners[:-1, :-1], corners[:-1, 1:], corners[1:, :-1], corners[1:, 1:]])
        extent.append((quads.min(axis=0) - REACH_PX, quads.max(axis=0) + REACH_PX))
    blocks = _inked_blocks(image)
    table = np.zeros((blocks.shape[0] + 1, blocks.shape[1] + 1), np.int64)
    table[1:, 1:] = blocks.cumsum(axis=0).cumsum(axis=1)
    (sx0, sx1), (sy0, sy1) = extent
    bx0 = np.clip(np.floor(sx0 / BLOCK_PX), 0, blocks.shape[1]).astype(np.intp)
    bx1 = np.clip(np.floor(sx1 / BLOCK_PX) + 1, 0, blocks.shape[1]).astype(np.intp)
    by0 = np.clip(np.floor(sy0 / BLOCK_PX), 0, blocks.shape[0]).astype(np.intp)
    by1 = np.clip(np.floor(sy1 / BLOCK_PX) + 1, 0, blocks.shape[0]).astype(np.intp)
    return (table[by1, bx1] - table[by0, bx1] - table[by1, bx0] + table[by0, bx0]) > 0


def _inked_blocks(image: np.ndarray) -> np.ndarray:
    """Per ``BLOCK_PX`` square of ``image`` (the last row and column of blocks may be smaller), whether any pixel is
    darker than paper."""
    by_rows = _row_blocks_min(image)
    return _row_blocks_min(np.ascontiguousarray(by_rows.T)).T < PAPER


def _row_blocks_min(image: np.ndarray) -> np.ndarray:
    """The darkest pixel of each column in each band of ``BLOCK_PX`` rows: numpy takes the minimum of whole
    contiguous rows at once, several times faster than of short runs along a row."""
    full_rows = image.shape[0] // BLOCK_PX * BLOCK_PX
    bands = image[:full_rows].reshape(-1, BLOCK_PX, image.shape[1]).min(axis=1)
    if full_rows == image.shape[0]:
        return bands
    return np.vstack([bands, image[full_rows:].min(axis=0, keepdims=True)])


def _runs(tiles: np.ndarray) -> list[tuple[int, int, int, int]]:
    """``(first row, rows, first column, columns)`` of rectangles of tiles that cover the set ones, each warped in
    one call: runs along a row, bridging a single unset tile (warping it costs less than one more call), and the
    same run on the rows below joined to it (a sheet's border is one tall run)."""
    bridged = tiles.copy()
    bridged[:, 1:-1] |= tiles[:, :-2] & tiles[:, 2:]
    padded = np.zeros((tiles.shape[0], tiles.shape[1] + 2), np.int8)
    padded[:, 1:-1] = bridged
    steps = np.diff(padded, axis=1)
    starts, ends = np.nonzero(steps == 1), np.nonzero(steps == -1)
    rectangles: list[tuple[int, int, int, int]] = []
    open_runs: dict[tuple[int, int], int] = {}  # by its columns, the index in rectangles of the run on the row above
    for row, start, end in zip(*starts, ends[1], strict=True):
        run = (int(start), int(end - start))
        below = open_runs.get(run)
        if below is not None and rectangles[below][0] + rectangles[below][1] == row:
            first, rows, _, _ = rectangles[below]
            rectangles[below] = (first, rows + 1, *run)
        else:
            open_runs[run] = len(rectangles)
            rectangles.append((int(row), 1, *run))
    return rectangles
