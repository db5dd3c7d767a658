from fractions import Fraction

import pytest

from buildtrace_assets.engine.drawing_scale import format_length
from buildtrace_assets.summaries.dimensions import length_change, parse_length


@pytest.mark.parametrize(
    ("text", "inches"),
    [
        ("31'-6 7/8\"", Fraction(3031, 8)),
        ("24'-4\"", 292),
        ("24' - 4\"", 292),
        ("24'4\"", 292),
        ("12'", 144),
        ('6"', 6),
        ('6 1/2"', Fraction(13, 2)),
        ('6-1/2"', Fraction(13, 2)),
        ('3/4"', Fraction(3, 4)),
        ("2'-0\" TYP.", 24),
    ],
)
def test_feet_inches_strings_parse_to_exact_inches(text, inches):
    assert parse_length(text) == inches


@pytest.mark.parametrize("text", [None, "", "SEE 3/A-501", "101", "1'-2\" AND 3'"])
def test_text_without_exactly_one_length_is_not_a_dimension(text):
    assert parse_length(text) is None


@pytest.mark.parametrize(
    ("inches", "text"),
    [
        (Fraction(3031, 8), "31'-6 7/8\""),
        (144, "12'-0\""),
        (5, '5"'),
        (Fraction(3, 4), '3/4"'),
        (Fraction(291, 4), "6'-0 3/4\""),
    ],
)
def test_lengths_are_written_in_architectural_notation(inches, text):
    assert format_length(Fraction(inches)) == text


def test_a_shorter_dimension_is_reduced_by_the_exact_difference():
    change = length_change("31'-6 7/8\"", "8'-8 1/8\"")
    assert change.direction == "reduced"
    assert format_length(change.delta) == "22'-10 3/4\""


def test_a_longer_dimension_is_increased_and_text_pairs_without_lengths_give_none():
    assert length_change("24'-4\"", "24'-9\"").direction == "increased"
    assert length_change("24'-4\"", "NEW WALL") is None
