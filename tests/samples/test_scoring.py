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
    assert score.spurious == [{"new_page": 0, "kind": None, "bbox": [10, 10, 20, 20]}]


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


TAG = ExpectedChange(
    "moved", (600.0, 400.0, 660.0, 420.0), "move_room_tag", from_bbox=(600.0, 300.0, 660.0, 320.0), group="item"
)
DOOR_OUT = ExpectedChange("removed", (100.0, 500.0, 130.0, 530.0), "move_door")
DOOR_IN = ExpectedChange("added", (200.0, 500.0, 230.0, 530.0), "move_door")
HALF = [[0.5, 0.0, 10.0], [0.0, 0.5, 5.0]]
MOVES = Truth(
    "old.pdf",
    "new.pdf",
    1,
    1,
    False,
    False,
    (ExpectedSheet("A-101", "PLAN", 0, 0, "modified", (TAG, DOOR_OUT, DOOR_IN), HALF, "single_page"),),
    seed=0,
)


def _moved(bbox, from_bbox):
    return {"bbox": list(bbox), "from_bbox": list(from_bbox), "kind": "moved"}


def test_a_move_reported_as_one_moved_change_on_both_boxes_counts_as_moved():
    report = _report(_sheet(0, 0, "modified", _moved(TAG.bbox, TAG.from_bbox)))
    score = score_report(report, MOVES)
    assert score.moved_changes == 1 and score.moved_share == 1.0
    assert score.precision == 1.0 and score.missed == [
        {"sheet": "A-101", "edit": "move_door", "bbox": b} for b in (DOOR_OUT.bbox, DOOR_IN.bbox)
    ]


def test_a_move_reported_as_removed_plus_added_is_found_but_not_a_move():
    removed = {"bbox": list(TAG.from_bbox), "kind": "removed"}
    added = {"bbox": list(TAG.bbox), "kind": "added"}
    score = score_report(_report(_sheet(0, 0, "modified", removed, added)), MOVES)
    assert score.truth_found == 1 and score.moved_share == 0.0 and score.kinds_correct == 0
    assert score.precision == 1.0, "both halves are where something changed"


def test_a_move_seen_at_one_end_only_is_missed():
    score = score_report(_report(_sheet(0, 0, "modified", {"bbox": list(TAG.bbox), "kind": "added"})), MOVES)
    assert score.truth_found == 0 and score.moved_share == 0.0


def test_a_moved_change_from_the_wrong_place_is_neither_a_move_nor_correct():
    wrong = _moved(TAG.bbox, (900.0, 900.0, 960.0, 920.0))
    score = score_report(_report(_sheet(0, 0, "modified", wrong)), MOVES)
    assert score.moved_share == 0.0 and score.precision == 0.0


def test_calling_a_slid_door_a_move_covers_its_removal_and_addition_with_the_right_kinds():
    report = _report(_sheet(0, 0, "modified", _moved(DOOR_IN.bbox, DOOR_OUT.bbox)))
    score = score_report(report, MOVES)
    assert score.truth_found == 2 and score.kinds_correct == 2 and score.precision == 1.0


def test_the_recorded_pairing_and_the_plot_scale_are_checked_where_the_truth_sets_them():
    row = _sheet(0, 0, "modified") | {"matched_by": "single_page", "alignment": {"matrix": HALF, "scale": 0.505}}
    score = score_report(_report(row), MOVES)
    assert score.matched_by_accuracy == 1.0 and score.scale_accuracy == 1.0
    wrong = _sheet(0, 0, "modified") | {"matched_by": "number", "alignment": {"matrix": HALF, "scale": 1.0}}
    score = score_report(_report(wrong), MOVES)
    assert score.matched_by_accuracy == 0.0 and score.scale_accuracy == 0.0


def test_sheets_at_their_own_scale_and_truths_without_a_pairing_rule_are_not_counted():
    score = score_report(PERFECT, TRUTH)
    assert score.scale_accuracy is None and score.matched_by_accuracy is None and score.moved_share is None
