"""Text changes: the whole changed words of a region, before and after."""

from __future__ import annotations

import numpy as np

from buildtrace_assets.engine.model import Word
from buildtrace_assets.engine.textdiff import (
    map_words,
    phrase_boxes,
    reading_order,
    region_text,
    snap_to_words,
    text_change,
    unmatched_words,
    with_lonely_neighbours,
    without_moved,
    words_centred_in,
)


def _dimension_chain(middle: str) -> list[Word]:
    """Three dimension strings on one line, 60 pt apart."""
    return [
        Word("13'-8\"", (100, 200, 130, 208)),
        Word(middle, (160, 200, 190, 208)),
        Word("17'-0\"", (220, 200, 250, 208)),
    ]


def test_a_changed_dimension_reads_exactly_old_and_new_value():
    old, new = _dimension_chain("24'-4\""), _dimension_chain("24'-9\"")

    assert region_text(old, new, (175, 201, 180, 207)) == ("24'-4\"", "24'-9\"")


def test_unchanged_words_around_the_change_are_trimmed():
    old = [Word("PROVIDE", (0, 0, 30, 8)), Word("2", (32, 0, 36, 8)), Word("LAYERS", (38, 0, 60, 8))]
    new = [Word("PROVIDE", (0, 0, 30, 8)), Word("3", (32, 0, 36, 8)), Word("LAYERS", (38, 0, 60, 8))]

    assert text_change(old, new) == ("2", "3")


def test_same_words_mean_no_text_change():
    words = _dimension_chain("24'-4\"")

    assert region_text(words, list(words), (150, 195, 200, 212)) == (None, None)


def test_added_text_has_no_old_text():
    assert text_change([], [Word("NEW", (0, 0, 10, 8)), Word("STAIR", (12, 0, 30, 8))]) == (None, "NEW STAIR")


def test_words_read_line_by_line_then_left_to_right():
    words = [Word("C", (0, 20, 8, 28)), Word("B", (40, 0, 48, 8)), Word("A", (0, 1, 8, 9))]

    assert [w.text for w in reading_order(words)] == ["A", "B", "C"]


def test_lines_the_region_only_grazes_are_not_its_text():
    old = [Word("WITH", (0, 10, 20, 20)), Word("3", (22, 10, 26, 20)), Word("DRAINS", (0, 0, 30, 9.5))]
    new = [Word("WITH", (0, 10, 20, 20)), Word("5", (22, 10, 26, 20)), Word("SUMPS", (0, 0, 30, 9.5))]

    assert region_text(old, new, (22, 9, 26, 20)) == ("3", "5")


def test_old_words_follow_the_alignment_into_the_new_sheet():
    shift_and_rotate = np.array([[0.0, -1.0, 100.0], [1.0, 0.0, 5.0]])

    (moved,) = map_words([Word("A", (10, 20, 30, 24))], shift_and_rotate)

    assert moved.text == "A"
    np.testing.assert_allclose(moved.bbox, (76, 15, 80, 35))


def test_words_without_an_equal_twin_nearby_are_unmatched():
    old = [Word("DOOR", (0, 0, 20, 8)), Word("101", (50, 0, 60, 8)), Word("EXIT", (100, 0, 120, 8))]
    new = [Word("DOOR", (1, 0.5, 21, 8.5)), Word("102", (50, 0, 60, 8)), Word("EXIT", (300, 0, 320, 8))]

    lonely_old, lonely_new = unmatched_words(old, new)

    assert [w.text for w in lonely_old] == ["101", "EXIT"]
    assert [w.text for w in lonely_new] == ["102", "EXIT"]


def test_nearby_changed_words_form_one_phrase_box():
    words = [Word("36'-6", (0, 0, 18, 8)), Word('1/2"', (20, 0, 34, 8)), Word("FAR", (200, 0, 220, 8))]

    assert phrase_boxes(words) == [(0, 0, 34, 8), (200, 0, 220, 8)]


def test_a_region_grows_to_the_words_it_touches_but_not_to_grazed_ones():
    words = [Word("224'-5", (100, 100, 118, 108)), Word("TYPICAL", (60, 108.5, 140, 118))]

    assert snap_to_words((104, 101, 110, 107), words) == (100, 100, 118, 108)


def test_a_value_that_gains_a_fraction_reads_as_the_whole_old_and_new_value():
    old = [Word("223'-4\"", (122, 0, 148, 11))]
    new = [Word("225'-8", (116, 0, 138, 11)), Word('1/8"', (140.5, 0, 155, 11))]

    assert text_change(old, new) == ("223'-4\"", "225'-8 1/8\"")


def test_a_changed_fraction_still_reads_as_the_whole_value():
    old = [Word("12'-6", (0, 0, 20, 8)), Word('1/4"', (22, 0, 32, 8))]
    new = [Word("12'-6", (0, 0, 20, 8)), Word('3/4"', (22, 0, 32, 8))]

    assert text_change(old, new) == ("12'-6 1/4\"", "12'-6 3/4\"")


def test_a_word_that_only_moved_nearby_is_no_text_change():
    old = [Word("109", (1203, 1338, 1213, 1346)), Word("OFFICE", (900, 900, 930, 908))]
    new = [Word("109", (1203, 1393, 1213, 1401)), Word("OFFICE", (900, 900, 930, 908))]

    kept_old, kept_new = without_moved(old, new)

    assert [w.text for w in kept_old] == [w.text for w in kept_new] == ["OFFICE"]
    assert region_text(kept_old, kept_new, (1164, 1328, 1217, 1355)) == (None, None)


def test_a_word_removed_here_and_written_far_away_is_not_a_move():
    old, new = [Word("EXIT", (0, 0, 20, 8))], [Word("EXIT", (600, 0, 620, 8))]

    assert without_moved(old, new) == (old, new)


def test_a_box_keeps_growing_over_the_words_its_growth_takes_in():
    words = [
        Word("225'-8", (116, 0, 138, 11)),
        Word("223'-4\"", (122.6, 0, 148, 11)),
        Word('1/8"', (140.5, 0, 155, 11)),
    ]

    assert snap_to_words((117, 2, 121, 9), words) == (116, 0, 155, 11)


def test_a_change_over_a_number_takes_in_its_fraction_and_the_other_way_round():
    """On a re-plotted sheet only the whole-number glyphs may differ in ink: the value is still read whole."""
    old = [Word("42'-10", (100, 200, 122, 211)), Word('1/2"', (124, 200, 138, 211))]
    new = [Word("45'-1", (100, 200, 118, 211)), Word('1/8"', (120, 200, 134, 211))]

    over_number = snap_to_words((101, 202, 115, 209), old + new)
    over_fraction = snap_to_words((126, 202, 133, 209), old + new)

    assert over_number == over_fraction == (100, 200, 138, 211)
    assert region_text(old, new, over_number) == ("42'-10 1/2\"", "45'-1 1/8\"")


def test_a_fraction_on_the_next_line_is_not_part_of_a_value():
    words = [Word("12'-6", (100, 200, 120, 208)), Word('3/4"', (121, 212, 135, 220))]

    assert snap_to_words((101, 201, 119, 207), words) == (100, 200, 120, 208)


def test_the_words_of_a_band_are_those_centred_in_it():
    words = [Word("IN", (10, 10, 20, 18)), Word("HALF", (28, 10, 48, 18)), Word("OUT", (10, 40, 20, 48))]

    assert [w.text for w in words_centred_in(words, (0, 0, 40, 30))] == ["IN", "HALF"]


def test_changed_ink_straddling_two_words_of_a_value_reads_the_whole_value():
    """``11'-1 1/8"`` -> ``11'-5 5/8"``: the changed ink covers the last digit of one word and the first of the
    next, most of it inside words though inside neither word mostly."""
    old = [Word("11'-1", (732.3, 92.8, 747.5, 99.1)), Word('1/8"', (751.8, 92.5, 764.9, 98.9))]
    new = [Word("11'-5", (732.6, 92.3, 749.1, 98.6)), Word('5/8"', (751.8, 92.1, 765.1, 98.6))]

    box = snap_to_words((745.0, 92.6, 755.0, 98.4), old + new)

    assert region_text(old, new, box) == ("11'-1 1/8\"", "11'-5 5/8\"")


def test_an_added_notes_number_left_out_of_the_changed_ink_is_taken_in():
    old = [Word("5.", (850, 200, 856, 207)), Word("ACCESSIBLE", (859, 200, 900, 207))]
    new = [*old, Word("7.", (858.5, 220.5, 864, 227.5)), Word("VERIFY", (866.5, 220.5, 890, 227.5))]

    box = with_lonely_neighbours((866.5, 220.5, 890, 227.5), old, new)

    assert box == (858.5, 220.5, 890, 227.5)
    assert region_text(old, new, box) == (None, "7. VERIFY")


def test_a_neighbour_both_sides_have_at_its_place_stops_the_growth():
    old = [Word("12'-0\"", (700, 90, 720, 97)), Word("9'-4\"", (724, 90, 740, 97))]
    new = [Word("12'-0\"", (700, 90, 720, 97)), Word("9'-6\"", (724, 90, 740, 97))]

    assert with_lonely_neighbours((724, 90, 740, 97), old, new) == (724, 90, 740, 97)
