"""Overlay and crops: colours at known pixels, numbered outlines, legible before/after crops."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from buildtrace_assets.engine.legend import ADDED, LEGEND, MOVED, REMOVED, UNCHANGED, legend_text
from buildtrace_assets.engine.model import RenderedPage
from buildtrace_assets.engine.overlay import OverlayError, write_crops, write_overlay
from buildtrace_assets.engine.pagediff import compare_pages

DPI = 150


def _page(image: np.ndarray) -> RenderedPage:
    height, width = image.shape
    return RenderedPage(image=image, dpi=DPI, width_pt=width * 72 / DPI, height_pt=height * 72 / DPI)


@pytest.fixture(scope="module")
def revision() -> tuple[RenderedPage, RenderedPage]:
    """A grid of walls; the new revision removes one and adds another."""
    base = np.full((900, 1300), 255, np.uint8)
    for x in range(100, 1250, 150):
        cv2.line(base, (x, 80), (x, 820), 0, 3)
    for y in range(80, 850, 185):
        cv2.line(base, (100, y), (1150, y), 0, 3)
    cv2.circle(base, (320, 700), 35, 0, 2)
    old, new = base.copy(), base.copy()
    cv2.line(old, (180, 300), (330, 300), 0, 4)
    cv2.line(new, (980, 500), (1080, 500), 0, 4)
    return _page(old), _page(new)


@pytest.fixture(scope="module")
def comparison(revision):
    return compare_pages(*revision, sheet_key="A-101")


def test_the_overlay_colours_unchanged_removed_and_added_ink(revision, comparison, tmp_path):
    old, new = revision

    path = write_overlay(comparison, old, new, tmp_path / "overlay.png")

    pixels = np.asarray(Image.open(path).convert("RGB"))
    assert pixels.shape == (900, 1300, 3)
    assert tuple(pixels[300, 200]) == REMOVED.rgb
    assert tuple(pixels[500, 1030]) == ADDED.rgb
    assert tuple(pixels[450, 100]) == UNCHANGED.rgb
    assert tuple(pixels[30, 30]) == (255, 255, 255)


def test_each_change_is_outlined_in_its_kind_colour_with_its_number(revision, comparison, tmp_path):
    old, new = revision
    pixels = np.asarray(Image.open(write_overlay(comparison, old, new, tmp_path / "o.png")).convert("RGB"))

    assert [(c.id, c.kind) for c in comparison.changes] == [("A-101-1", "removed"), ("A-101-2", "added")]
    for change, colour in zip(comparison.changes, (REMOVED.rgb, ADDED.rgb), strict=True):
        x0, y0, _x1, _y1 = (round(v * DPI / 72) for v in change.bbox)
        outline_row = pixels[y0 - 12 : y0 - 2, x0 + 20]
        assert any(tuple(p) == colour for p in outline_row)


def test_overlays_of_high_resolution_pages_are_capped_at_150_dpi(tmp_path):
    image = np.full((1200, 1600), 255, np.uint8)
    cv2.rectangle(image, (100, 100), (1500, 1100), 0, 6)
    cv2.line(image, (300, 300), (1300, 900), 0, 6)
    new = image.copy()
    cv2.circle(new, (800, 300), 80, 0, 6)
    old_page = RenderedPage(image, 300, 1600 * 72 / 300, 1200 * 72 / 300)
    new_page = RenderedPage(new, 300, 1600 * 72 / 300, 1200 * 72 / 300)

    path = write_overlay(compare_pages(old_page, new_page, sheet_key="S"), old_page, new_page, tmp_path / "o.png")

    assert Image.open(path).size == (800, 600)


def test_crops_show_the_same_window_before_and_after_at_a_legible_size(revision, comparison, tmp_path):
    old, new = revision

    crops = write_crops(comparison, old, new, tmp_path / "crops")

    assert set(crops) == {"A-101-1", "A-101-2"}
    for change in comparison.changes:
        before = cv2.imread(str(crops[change.id]["old"]), cv2.IMREAD_GRAYSCALE)
        after = cv2.imread(str(crops[change.id]["new"]), cv2.IMREAD_GRAYSCALE)
        assert before.shape == after.shape
        width_pt = change.bbox[2] - change.bbox[0] + 2 * 18
        assert before.shape[1] >= width_pt * 200 / 72 - 2
    removed_before = cv2.imread(str(crops["A-101-1"]["old"]), cv2.IMREAD_GRAYSCALE)
    removed_after = cv2.imread(str(crops["A-101-1"]["new"]), cv2.IMREAD_GRAYSCALE)
    assert (removed_before < 100).sum() > (removed_after < 100).sum()


def test_an_unaligned_comparison_has_no_overlay(revision, tmp_path):
    _, new = revision
    blank = _page(np.full_like(new.image, 255))
    failed = compare_pages(blank, new, sheet_key="A-101")

    with pytest.raises(OverlayError, match="not aligned"):
        write_overlay(failed, blank, new, tmp_path / "o.png")
    with pytest.raises(OverlayError):
        write_crops(failed, blank, new, tmp_path / "crops")
    assert not (tmp_path / "o.png").exists()


def test_the_legend_names_every_colour_once_for_prompts_and_captions():
    text = legend_text()

    assert [entry.key for entry in LEGEND] == ["removed", "added", "unchanged", "modified", "moved"]
    assert REMOVED.hex in text and ADDED.hex in text and UNCHANGED.hex in text
    assert REMOVED.rgb[0] > 200 > REMOVED.rgb[1] and ADDED.rgb[1] > 150 > ADDED.rgb[0]


def _symbol(image: np.ndarray, centre: tuple[int, int]) -> None:
    cv2.circle(image, centre, 20, 0, 2)
    cv2.line(image, (centre[0] - 20, centre[1]), (centre[0] + 20, centre[1]), 0, 2)
    cv2.line(image, (centre[0], centre[1] - 20), (centre[0], centre[1] + 20), 0, 2)


@pytest.fixture(scope="module")
def moved(revision):
    """The new revision has a section symbol moved from one bay to another."""
    base, _ = revision
    old, new = base.image.copy(), base.image.copy()
    _symbol(old, (475, 172))
    _symbol(new, (775, 357))
    return _page(old), _page(new)


def test_a_moved_block_is_an_arrow_from_its_old_outline_to_its_new_one(moved, tmp_path):
    old, new = moved
    result = compare_pages(old, new, sheet_key="A-101")
    (change,) = result.changes
    assert change.kind == "moved"

    pixels = np.asarray(Image.open(write_overlay(result, old, new, tmp_path / "o.png")).convert("RGB"))

    assert tuple(pixels[265, 625]) == MOVED.rgb, "the arrow's middle, halfway between the symbol's places"
    was_left = round((change.from_bbox[0] - 3) * DPI / 72)
    assert tuple(pixels[172, was_left]) == MOVED.rgb, "the old outline"
    now_left = round((change.bbox[0] - 3) * DPI / 72)
    assert tuple(pixels[357, now_left]) == MOVED.rgb, "the new outline"


def test_a_moved_blocks_before_crop_is_cut_where_it_was(moved, tmp_path):
    old, new = moved
    result = compare_pages(old, new, sheet_key="A-101")

    crops = write_crops(result, old, new, tmp_path)["A-101-1"]

    before, after = (np.asarray(Image.open(crops[side]).convert("L")) for side in ("old", "new"))
    assert before.shape == after.shape
    assert (before < 100).sum() > 0.8 * (after < 100).sum() > 0, "the symbol is in both crops"
