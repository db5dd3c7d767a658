"""Scoring a change report against known truth, on hand-made reports whose score is known."""

import pytest

from buildtrace_assets.samples.scoring import (
    Score,
    boxes_match,
    changed_words,
    score_report,
)
from buildtrace_assets.samples.truth import ExpectedChange, ExpectedSheet, Truth

WALL = ExpectedChange("removed", (100.0, 100.0, 300.0, 108.0), "remove_wall")
DIM = ExpectedChange("modified", (500.0, 50.0, 530.0, 60.0), "dimension_text", "24'-4\"", "24'-9\"")
TRUTH = Truth(
    "old.pdf",
    "new.pdf",
    3,
    3,
    False,
    False,
    (
        ExpectedSheet("A-101", "FIRST FLOOR PLAN", 0, 1, "modified", (WALL, DIM)),
        ExpectedSheet("A-102", "SECOND FLOOR PLAN", 1, 0, "unchanged"),
        ExpectedSheet("S-201", "FOUNDATION PLAN", 2, None, "removed"),
        ExpectedSheet("M-001", "MECHANICAL FLOOR PLAN", None, 2, "added"),
    ),
    seed=0,
)


def _report(*sheets):
    return {"schema": "buildtrace.changes/v1", "sheets": list(sheets)}


def _sheet(old_page, new_page, status, *changes):
    return {"old_page": old_page, "new_page": new_page, "status": status, "changes": list(changes)}


PERFECT = _report(
    _sheet(
        0,
        1,
        "modified",
        {"bbox": [98, 99, 302, 110], "kind": "removed"},
        {"bbox": [499, 49, 531, 61], "kind": "modified", "old_text": "24'-4\"", "new_text": "24'-9\""},
    ),
    _sheet(1, 0, "unchanged"),
    _sheet(2, None, "removed"),
    _sheet(None, 2, "added"),
)


def test_a_report_that_finds_everything_scores_full_marks():
    s = score_report(PERFECT, TRUTH).summary()
    assert s["recall"] == s["precision"] == s["kind_accuracy"] == s["text_accuracy"] == 1.0
    assert s["unchanged_zero_share"] == s["sheet_matching"] == s["status_accuracy"] == 1.0


def test_a_missed_change_lowers_recall_and_is_listed():
    report = _report(_sheet(0, 1, "modified", {"bbox": [98, 99, 302, 110]}))
    score = score_report(report, TRUTH)
    assert score.recall == 0.5 and score.precision == 1.0 and score.text_accuracy == 0.0
    assert score.missed == [{"sheet": "A-101", "edit": "dimension_text", "bbox": DIM.bbox}]


def test_a_found_region_with_the_wrong_kind_lowers_kind_accuracy_only():
    report = _report(_sheet(0, 1, "modified", {"bbox": [98, 99, 302, 110], "kind": "added"}))
    score = score_report(report, TRUTH)
    assert score.kind_accuracy == 0.0 and score.precision == 1.0


def test_noise_on_a_replotted_unchanged_sheet_is_a_false_positive_and_spoils_that_sheet():
    report = _report(*PERFECT["sheets"][:1], _sheet(1, 0, "modified", {"bbox": [10, 10, 20, 20]}))
    score = score_report(report, TRUTH)
    assert score.precision == pytest.approx(2 / 3) and score.unchanged_zero_share == 0.0


def test_pairing_sheets_by_page_index_is_caught_by_sheet_matching():
    report = _report(_sheet(0, 0, "unchanged"), _sheet(1, 1, "modified"), _sheet(2, 2, "modified"))
    assert score_report(report, TRUTH).sheet_matching == 0.0


def test_one_box_over_the_whole_sheet_matches_nothing():
    report = _report(_sheet(0, 1, "modified", {"bbox": [0, 0, 2592, 1728]}))
    score = score_report(report, TRUTH)
    assert score.recall == 0.0 and score.precision == 0.0


@pytest.mark.parametrize(
    ("predicted", "matches"),
    [
        ((100, 100, 300, 108), True),  # exact
        ((90, 95, 320, 115), True),  # a little generous
        ((100, 100, 180, 108), True),  # only part of the wall, but mostly inside
        ((400, 100, 500, 108), False),  # beside it
        ((0, 0, 1000, 1000), False),  # drowning it
    ],
)
def test_boxes_match_when_they_mostly_overlap_without_one_swamping_the_other(predicted, matches):
    assert boxes_match(predicted, WALL.bbox) is matches


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("24'-4\"", "24'-9\"", ("24'-4\"", "24'-9\"")),
        ('1. PROVIDE 5/8" TYPE X', '1. PROVIDE 3/8" TYPE X', ('5/8"', '3/8"')),
        ("31'-6  7/8\"", "31'-6 1/4\"", ('7/8"', '1/4"')),
        (None, "NEW", ("", "NEW")),
    ],
)
def test_text_is_compared_on_the_changed_words_only(old, new, expected):
    assert changed_words(old, new) == expected


def test_a_whole_note_line_and_just_its_changed_value_score_the_same():
    note = ExpectedChange("modified", (10.0, 10.0, 30.0, 18.0), "note_text", '5/8"', '3/8"')
    truth = Truth("o", "n", 1, 1, False, False, (ExpectedSheet("A-101", "T", 0, 0, "modified", (note,)),), 0)
    line = {"bbox": [10, 10, 30, 18], "old_text": '1. PROVIDE 5/8" GYP', "new_text": '1. PROVIDE 3/8" GYP'}
    assert score_report(_report(_sheet(0, 0, "modified", line)), truth).text_accuracy == 1.0


def test_scores_of_many_pairs_add_up_before_ratios_are_taken():
    total = score_report(PERFECT, TRUTH) + score_report(_report(), TRUTH)
    assert isinstance(total, Score)
    assert total.truth_regions == 4 and total.recall == 0.5
    assert Score().recall is None
