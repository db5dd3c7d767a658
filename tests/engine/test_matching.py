"""Sheet matching: by number, then title, then appearance; the rest is added or removed."""

from dataclasses import dataclass

import numpy as np

from buildtrace_assets.engine.matching import SheetPair, match_sheets, thumbnail_signature, visual_similarity
from buildtrace_assets.engine.model import SheetIdentity


@dataclass
class Page:
    index: int
    sheet: SheetIdentity
    thumbnail: np.ndarray | None = None


def _pages(*numbers):
    return [Page(i, SheetIdentity(n, None, 0.9 if n else 0.0)) for i, n in enumerate(numbers)]


def test_reordered_sets_pair_by_normalized_number():
    pairs = match_sheets(_pages("A-101", "A-102", "S-201"), _pages("S201", "A 102", "A-1O1"))
    assert pairs == [SheetPair(2, 0, "number"), SheetPair(1, 1, "number"), SheetPair(0, 2, "number")]


def test_unpaired_sheets_are_added_or_removed():
    pairs = match_sheets(_pages("A-101", "A-102"), _pages("A-101", "A-103"))
    assert pairs == [SheetPair(0, 0, "number"), SheetPair(None, 1, None), SheetPair(1, None, None)]


def test_duplicate_numbers_pair_in_page_order():
    pairs = match_sheets(_pages("A-101", "A-101"), _pages("A-101", "A-101", "A-101"))
    assert pairs == [SheetPair(0, 0, "number"), SheetPair(1, 1, "number"), SheetPair(None, 2, None)]


def test_sheets_without_numbers_pair_by_title():
    old = [Page(0, SheetIdentity(None, "Roof Plan", 0.0)), Page(1, SheetIdentity(None, "SITE PLAN", 0.0))]
    new = [Page(0, SheetIdentity(None, "SITE  PLAN", 0.0)), Page(1, SheetIdentity(None, "ROOF PLAN", 0.0))]
    assert match_sheets(old, new) == [SheetPair(1, 0, "title"), SheetPair(0, 1, "title")]


def _drawing(seed):
    rng = np.random.default_rng(seed)
    image = np.full((400, 600), 255, np.uint8)
    for _ in range(20):
        x, y = rng.integers(0, 500), rng.integers(0, 300)
        image[y : y + 80, x : x + 4] = 0
    return thumbnail_signature(image)


def test_anonymous_sheets_pair_by_appearance_and_dissimilar_ones_do_not():
    old = [Page(0, SheetIdentity(None, None, 0.0), _drawing(1)), Page(1, SheetIdentity(None, None, 0.0), _drawing(2))]
    new = [Page(0, SheetIdentity(None, None, 0.0), _drawing(2)), Page(1, SheetIdentity(None, None, 0.0), _drawing(3))]
    assert match_sheets(old, new) == [SheetPair(1, 0, "visual"), SheetPair(None, 1, None), SheetPair(0, None, None)]


def test_visual_similarity_is_one_for_the_same_drawing_and_zero_for_blank():
    assert visual_similarity(_drawing(5), _drawing(5)) == 1.0
    blank = np.full((32, 32), 255, np.uint8)
    assert visual_similarity(blank, _drawing(5)) == 0.0
