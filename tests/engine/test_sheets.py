"""Sheet identity: the number in the title block, not the door tag in the plan."""

import pytest

from buildtrace_assets.engine.model import Word
from buildtrace_assets.engine.sheets import identify_sheet, normalize_sheet_number

W, H = 2592.0, 1728.0  # ARCH D landscape


@pytest.mark.parametrize("variant", ["A-101", "A101", "a 101", "A-1O1", "A-l01", "A_101", "A.101"])
def test_typing_and_ocr_variants_of_a_number_normalize_alike(variant):
    assert normalize_sheet_number(variant) == normalize_sheet_number("A-101") == "A101"


def test_suffixes_and_decimals_are_kept_apart_from_other_sheets():
    assert normalize_sheet_number("A-101A") == "A101A" != normalize_sheet_number("A-101")
    assert normalize_sheet_number("S2.01") == "S201"
    assert normalize_sheet_number("E0.1") == normalize_sheet_number("EO.1") == "E01"
    assert normalize_sheet_number("L-101") == "L101"  # a landscape sheet keeps its L


def _word(text, x, y, size):
    return Word(text, (x, y, x + 0.6 * size * len(text), y + size))


def test_the_title_block_number_wins_over_door_tags_and_grid_labels():
    words = (
        _word("D101", 400, 300, 8),  # door tag in the plan
        _word("A", 200, 100, 12),  # grid label
        _word("SHEET", W - 300, H - 120, 8),
        _word("A-101", W - 300, H - 100, 30),
        _word("FIRST", W - 300, H - 200, 16),
        _word("FLOOR", W - 240, H - 200, 16),
        _word("PLAN", W - 180, H - 200, 16),
    )
    sheet = identify_sheet(words, W, H)
    assert sheet.number == "A-101"
    assert sheet.title == "FIRST FLOOR PLAN"
    assert sheet.confidence > 0.6


def test_a_sheet_with_only_plan_tags_has_no_number():
    words = (_word("D101", 400, 300, 8), _word("W12", 900, 600, 8), _word("KITCHEN", 500, 500, 8))
    assert identify_sheet(words, W, H).number is None


def test_a_page_without_words_has_no_identity():
    sheet = identify_sheet((), W, H)
    assert (sheet.number, sheet.title, sheet.confidence) == (None, None, 0.0)
