"""The tile-sparse warp: what it resamples equals OpenCV's whole-image warp, and bare paper stays paper."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from buildtrace_assets.engine.warp import BLOCK_PX, PAPER, TILE_PX, _inked_blocks, _runs, warp_affine


def _sparse_sheet(shape: tuple[int, int], seed: int) -> np.ndarray:
    """Paper with a border, a few lines and dots of ink, most of it bare (as a drawing is)."""
    rng = np.random.default_rng(seed)
    image = np.full(shape, PAPER, np.uint8)
    cv2.rectangle(image, (5, 5), (shape[1] - 6, shape[0] - 6), 0, 2)
    for _ in range(6):
        x0, x1 = sorted(rng.integers(0, shape[1], 2))
        y = int(rng.integers(0, shape[0]))
        cv2.line(image, (int(x0), y), (int(x1), y + int(rng.integers(-20, 20))), int(rng.integers(0, 200)), 1)
    image[rng.integers(0, shape[0], 30), rng.integers(0, shape[1], 30)] = 254
    return image


@pytest.mark.parametrize(
    "angle, scale, shift",
    [(0.0, 1.0, (0.0, 0.0)), (1.3, 0.985, (12.4, -7.6)), (-4.0, 1.02, (-30.0, 41.5)), (0.5, 0.5, (3.0, 2.0))],
)
def test_matches_opencvs_whole_warp_within_one_gray_level(angle, scale, shift):
    image = _sparse_sheet((701, 957), seed=3)
    matrix = cv2.getRotationMatrix2D((478.0, 350.0), angle, scale)
    matrix[:, 2] += shift
    size = (990, 680)

    warped = warp_affine(image, matrix, size)

    whole = cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR, borderValue=PAPER)
    difference = np.abs(warped.astype(int) - whole)
    assert warped.shape == (size[1], size[0])
    assert difference.max() <= 1
    assert np.count_nonzero(difference) < 0.001 * difference.size
    assert np.array_equal(warped < PAPER, whole < PAPER)  # even a pixel one level off paper is kept


def test_a_bare_sheet_is_paper_without_resampling():
    warped = warp_affine(np.full((300, 400), PAPER, np.uint8), cv2.getRotationMatrix2D((0, 0), 2.0, 1.1), (420, 310))

    assert (warped == PAPER).all()


def test_blocks_with_any_ink_are_found_up_to_the_last_partial_block():
    image = np.full((3 * BLOCK_PX + 5, 2 * BLOCK_PX + 3), PAPER, np.uint8)
    image[-1, -1] = 254
    image[BLOCK_PX, 0] = 0

    inked = _inked_blocks(image)

    assert inked.shape == (4, 3)
    assert {tuple(i) for i in np.argwhere(inked)} == {(3, 2), (1, 0)}


def test_runs_cover_every_inked_tile_once():
    rng = np.random.default_rng(5)
    for _ in range(100):
        tiles = rng.random((int(rng.integers(1, 9)), int(rng.integers(1, 9)))) < rng.random()
        cover = np.zeros(tiles.shape, int)
        for row, rows, column, columns in _runs(tiles):
            cover[row : row + rows, column : column + columns] += 1
        assert (cover[tiles] == 1).all() and cover.max(initial=0) <= 1


def test_a_column_of_tiles_is_one_call_and_a_one_tile_gap_is_bridged():
    column = np.zeros((5, 6), bool)
    column[:, 0] = True
    column[2, 3] = True
    gap = np.array([[True, False, True, False, False, True]])

    assert sorted(_runs(column)) == [(0, 5, 0, 1), (2, 1, 3, 1)]
    assert sorted(_runs(gap)) == [(0, 1, 0, 3), (0, 1, 5, 1)]
    assert TILE_PX % BLOCK_PX == 0
