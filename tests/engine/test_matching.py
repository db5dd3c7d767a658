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


def test_two_one_page_documents_always_pair_whatever_their_title_blocks_say():
    no_title_block = [Page(0, SheetIdentity(None, None, 0.0))]
    gained_one = [Page(0, SheetIdentity("B1", "BRACKET", 0.9))]
    renumbered = [Page(0, SheetIdentity("C7", "BRACKET", 0.9))]
    assert match_sheets(no_title_block, gained_one) == [SheetPair(0, 0, "single_page")]
    assert match_sheets(_pages("B1"), renumbered) == [SheetPair(0, 0, "single_page")]
    assert match_sheets(_pages("B1"), _pages("B-1")) == [SheetPair(0, 0, "number")]


def _sheet(index, number, title, seed):
    return Page(index, SheetIdentity(number, title, 0.9 if number else 0.0), _drawing(seed))


def test_a_sheet_whose_number_was_not_read_on_one_side_pairs_by_its_drawing():
    old = [_sheet(0, "A-101", "FIRST FLOOR", 1), _sheet(1, "A-102", "SECOND FLOOR", 2)]
    new = [_sheet(0, None, None, 1), _sheet(1, "A-102", "SECOND FLOOR", 2)]
    assert match_sheets(old, new) == [SheetPair(0, 0, "visual"), SheetPair(1, 1, "number")]


def test_in_a_set_a_renumbered_and_retitled_sheet_pairs_by_its_drawing_and_new_sheets_stay_added():
    old = [_sheet(0, "A-101", "FIRST FLOOR", 1), _sheet(1, "A-102", "SECOND FLOOR", 2), _sheet(2, "A-103", "ROOF", 3)]
    new = [_sheet(0, "A-101", "FIRST FLOOR", 1), _sheet(1, "A-201", "LEVEL 2", 2), _sheet(2, "A-900", "DETAILS", 4)]
    assert match_sheets(old, new) == [
        SheetPair(0, 0, "number"),
        SheetPair(1, 1, "visual"),
        SheetPair(None, 2, None),
        SheetPair(2, None, None),
    ]


def test_sheets_of_different_disciplines_never_pair_by_appearance():
    """A mechanical plan is drawn over the architectural plan of its floor: alike, yet another sheet."""
    old = [_sheet(0, "A-101", "FIRST FLOOR PLAN", 1)]
    new = [_sheet(0, "M-101", "FIRST FLOOR HVAC PLAN", 1), _sheet(1, "A-102", "SECOND FLOOR PLAN", 2)]
    assert match_sheets(old, new) == [SheetPair(None, 0, None), SheetPair(None, 1, None), SheetPair(0, None, None)]
