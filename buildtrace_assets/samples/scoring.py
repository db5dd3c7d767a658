"""Scoring a ``buildtrace.changes/v1`` report against the known truth of a generated pair.

Regions are matched per new page (truth boxes live in the new sheet's frame,
so the score does not depend on how the report paired sheets). A predicted
box *matches* a truth box when their intersection covers at least
``MIN_COVER`` of the smaller box and their IoU is at least ``MIN_IOU``: the
first accepts an engine that draws a slightly larger or smaller box, or
merges a moved door's two halves into one region; the second stops one
sheet-sized box from matching everything.

A ``moved`` truth (a block that left one place for another) is reported as
moved when one ``moved`` prediction matches it on both boxes: ``bbox``
where it is now and ``from_bbox`` where it was. It still counts as found
when separate predictions cover both places (a removal there and an
addition here), so recall measures what was seen and ``moved_share`` how
much of it was called a move. A ``moved`` prediction also stands for the
removal at its ``from_bbox`` and the addition at its ``bbox``, so an engine
that calls a slid door a move is not marked wrong for it. Reports without
moves score exactly as before moves existed.

Text is compared on the changed words only: both old/new pairs are reduced by
dropping the words they share at the start and end, so an engine reporting a
whole note line and one reporting only the changed value both count as exact
when they read the same change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from buildtrace_assets.engine.model import BBox
from buildtrace_assets.samples.replot import matrix_scale
from buildtrace_assets.samples.truth import ExpectedChange, ExpectedSheet, Truth

MIN_COVER = 0.5
MIN_IOU = 0.05
SCALE_TOLERANCE = 0.02
"""A reported ``alignment.scale`` within 2 % of the true plot scale is right."""
RESCALED = 0.05
"""Sheets re-plotted more than 5 % larger or smaller are where the reported scale is checked."""


def _area(b: BBox) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _intersection(a: BBox, b: BBox) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def boxes_match(predicted: BBox, truth: BBox) -> bool:
    inter = _intersection(predicted, truth)
    smaller = min(_area(predicted), _area(truth))
    union = _area(predicted) + _area(truth) - inter
    return smaller > 0 and inter / smaller >= MIN_COVER and inter / union >= MIN_IOU


def changed_words(old: str | None, new: str | None) -> tuple[str, str]:
    """The differing middle of two texts, word by word, whitespace-normalised."""
    a, b = (old or "").split(), (new or "").split()
    while a and b and a[0] == b[0]:
        a, b = a[1:], b[1:]
    while a and b and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    return " ".join(a), " ".join(b)


@dataclass
class Score:
    """Counts, so scores of many pairs add up before the ratios are taken."""

    truth_regions: int = 0
    truth_found: int = 0
    predicted_regions: int = 0
    predicted_correct: int = 0
    kinds_found: int = 0
    kinds_correct: int = 0
    text_changes: int = 0
    text_exact: int = 0
    unchanged_sheets: int = 0
    unchanged_clean: int = 0
    sheets: int = 0
    sheets_paired: int = 0
    status_correct: int = 0
    moved_changes: int = 0
    moved_as_moved: int = 0
    pairings_checked: int = 0
    """Sheets whose truth says how the pairing must be recorded (``matched_by``)."""
    pairings_recorded: int = 0
    rescaled_sheets: int = 0
    scale_correct: int = 0
    missed: list[dict] = field(default_factory=list)
    """Truth regions no prediction matched (sheet, edit, bbox): what to look at first."""
    spurious: list[dict] = field(default_factory=list)
    """Predictions that match no truth (new page, kind, bbox): the false positives behind a low precision."""

    def __add__(self, other: Score) -> Score:
        lists = ("missed", "spurious")
        counts = {k: getattr(self, k) + getattr(other, k) for k in self.__dataclass_fields__ if k not in lists}
        return Score(**counts, missed=self.missed + other.missed, spurious=self.spurious + other.spurious)

    @staticmethod
    def _ratio(num: int, den: int) -> float | None:
        return num / den if den else None

    @property
    def recall(self) -> float | None:
        return self._ratio(self.truth_found, self.truth_regions)

    @property
    def precision(self) -> float | None:
        return self._ratio(self.predicted_correct, self.predicted_regions)

    @property
    def kind_accuracy(self) -> float | None:
        """Share of found truth regions that a matching prediction gave the right kind."""
        return self._ratio(self.kinds_correct, self.kinds_found)

    @property
    def text_accuracy(self) -> float | None:
        return self._ratio(self.text_exact, self.text_changes)

    @property
    def unchanged_zero_share(self) -> float | None:
        return self._ratio(self.unchanged_clean, self.unchanged_sheets)

    @property
    def sheet_matching(self) -> float | None:
        return self._ratio(self.sheets_paired, self.sheets)

    @property
    def status_accuracy(self) -> float | None:
        return self._ratio(self.status_correct, self.sheets)

    @property
    def moved_share(self) -> float | None:
        """Share of moved blocks reported as one ``moved`` change on both boxes."""
        return self._ratio(self.moved_as_moved, self.moved_changes)

    @property
    def matched_by_accuracy(self) -> float | None:
        return self._ratio(self.pairings_recorded, self.pairings_checked)

    @property
    def scale_accuracy(self) -> float | None:
        """Share of re-plots at another scale whose ``alignment.scale`` is within ``SCALE_TOLERANCE``."""
        return self._ratio(self.scale_correct, self.rescaled_sheets)

    def summary(self) -> dict:
        return {
            name: getattr(self, name)
            for name in (
                "recall",
                "precision",
                "kind_accuracy",
                "text_accuracy",
                "unchanged_zero_share",
                "sheet_matching",
                "status_accuracy",
                "moved_share",
                "matched_by_accuracy",
                "scale_accuracy",
                "truth_regions",
                "predicted_regions",
                "text_changes",
                "unchanged_sheets",
                "sheets",
                "moved_changes",
                "rescaled_sheets",
            )
        }


def _text_exact(truth: ExpectedChange, predictions: Iterable[dict]) -> bool:
    want = changed_words(truth.old_text, truth.new_text)
    return any(changed_words(p.get("old_text"), p.get("new_text")) == want for p in predictions)


def _at(p: dict, box: BBox) -> bool:
    """The prediction's box is ``box``."""
    return boxes_match(tuple(p["bbox"]), box)


def _came_from(p: dict, box: BBox) -> bool:
    """The prediction is a move away from ``box``."""
    return p.get("kind") == "moved" and p.get("from_bbox") is not None and boxes_match(tuple(p["from_bbox"]), box)


def reported_as_moved(p: dict, truth: ExpectedChange) -> bool:
    """One ``moved`` prediction matching a moved truth on both boxes."""
    assert truth.from_bbox is not None
    return p.get("kind") == "moved" and _at(p, truth.bbox) and _came_from(p, truth.from_bbox)


def _truth_boxes(sheet: ExpectedSheet | None) -> list[BBox]:
    """Every place a sheet's truth says something changed: new places, and the old places of moves."""
    if sheet is None:
        return []
    return [c.bbox for c in sheet.changes] + [c.from_bbox for c in sheet.changes if c.from_bbox is not None]


def _correct(p: dict, expected: ExpectedSheet | None) -> bool:
    """A prediction is right where the truth has a change; a move must be right at both of its ends."""
    places = _truth_boxes(expected)
    here = any(_at(p, box) for box in places)
    if p.get("kind") != "moved":
        return here
    return here and any(_came_from(p, box) for box in places)


def _score_change(score: Score, sheet: str, change: ExpectedChange, predicted: list[dict]) -> None:
    hits = [p for p in predicted if _at(p, change.bbox)]
    if change.kind == "moved":
        assert change.from_bbox is not None
        as_moved = any(reported_as_moved(p, change) for p in predicted)
        left = any(_at(p, change.from_bbox) or _came_from(p, change.from_bbox) for p in predicted)
        found = as_moved or (bool(hits) and left)
        kind_right = as_moved
        score.moved_changes += 1
        score.moved_as_moved += as_moved
    else:
        gone = [p for p in predicted if change.kind == "removed" and _came_from(p, change.bbox)]
        found = bool(hits or gone)
        kind_right = bool(gone) or any(
            p.get("kind") == change.kind or (p.get("kind") == "moved" and change.kind == "added") for p in hits
        )
    score.truth_regions += 1
    score.truth_found += found
    score.kinds_found += found
    score.kinds_correct += found and kind_right
    if not found:
        score.missed.append({"sheet": sheet, "edit": change.edit, "bbox": change.bbox})
    if change.old_text is not None or change.new_text is not None:
        score.text_changes += 1
        score.text_exact += _text_exact(change, hits)


def _score_alignment(score: Score, expected: ExpectedSheet, reported: dict | None) -> None:
    if expected.alignment is None or abs(matrix_scale(expected.alignment) - 1) <= RESCALED:
        return
    score.rescaled_sheets += 1
    scale = ((reported or {}).get("alignment") or {}).get("scale")
    want = matrix_scale(expected.alignment)
    score.scale_correct += isinstance(scale, int | float) and abs(scale - want) <= SCALE_TOLERANCE * want


def score_report(report: dict, truth: Truth) -> Score:
    """Score one report (the ``buildtrace.changes/v1`` dict) against the pair's truth."""
    score = Score()
    by_new_page: dict[int, list[dict]] = {}
    reported: dict[tuple, dict] = {}
    for sheet in report.get("sheets", []):
        reported[(sheet.get("old_page"), sheet.get("new_page"))] = sheet
        if sheet.get("new_page") is not None:
            by_new_page.setdefault(sheet["new_page"], []).extend(sheet.get("changes", []))

    truth_by_new_page = {s.new_page: s for s in truth.sheets if s.new_page is not None}
    for expected in truth.sheets:
        row = reported.get((expected.old_page, expected.new_page))
        score.sheets += 1
        score.sheets_paired += row is not None
        score.status_correct += row is not None and row.get("status") == expected.status
        if expected.matched_by is not None:
            score.pairings_checked += 1
            score.pairings_recorded += row is not None and row.get("matched_by") == expected.matched_by
        _score_alignment(score, expected, row)
        predicted = by_new_page.get(expected.new_page, []) if expected.new_page is not None else []
        if expected.status == "unchanged":
            score.unchanged_sheets += 1
            score.unchanged_clean += not predicted
        for change in expected.changes:
            _score_change(score, expected.sheet_number, change, predicted)

    for new_page, predicted in by_new_page.items():
        expected_sheet = truth_by_new_page.get(new_page)
        for p in predicted:
            correct = _correct(p, expected_sheet)
            score.predicted_regions += 1
            score.predicted_correct += correct
            if not correct:
                score.spurious.append({"new_page": new_page, "kind": p.get("kind"), "bbox": p["bbox"]})
    return score
