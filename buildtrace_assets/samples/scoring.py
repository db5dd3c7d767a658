"""Scoring a ``buildtrace.changes/v1`` report against the known truth of a generated pair.

Regions are matched per new page (truth boxes live in the new sheet's frame,
so the score does not depend on how the report paired sheets). A predicted
box *matches* a truth box when their intersection covers at least
``MIN_COVER`` of the smaller box and their IoU is at least ``MIN_IOU``: the
first accepts an engine that draws a slightly larger or smaller box, or
merges a moved door's two halves into one region; the second stops one
sheet-sized box from matching everything.

Text is compared on the changed words only: both old/new pairs are reduced by
dropping the words they share at the start and end, so an engine reporting a
whole note line and one reporting only the changed value both count as exact
when they read the same change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from buildtrace_assets.engine.model import BBox
from buildtrace_assets.samples.truth import ExpectedChange, Truth

MIN_COVER = 0.5
MIN_IOU = 0.05


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
    missed: list[dict] = field(default_factory=list)
    """Truth regions no prediction matched (sheet, edit, bbox): what to look at first."""

    def __add__(self, other: Score) -> Score:
        counts = {k: getattr(self, k) + getattr(other, k) for k in self.__dataclass_fields__ if k != "missed"}
        return Score(**counts, missed=self.missed + other.missed)

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
                "truth_regions",
                "predicted_regions",
                "text_changes",
                "unchanged_sheets",
                "sheets",
            )
        }


def _text_exact(truth: ExpectedChange, predictions: Iterable[dict]) -> bool:
    want = changed_words(truth.old_text, truth.new_text)
    return any(changed_words(p.get("old_text"), p.get("new_text")) == want for p in predictions)


def score_report(report: dict, truth: Truth) -> Score:
    """Score one report (the ``buildtrace.changes/v1`` dict) against the pair's truth."""
    score = Score()
    by_new_page: dict[int, list[dict]] = {}
    pairs = set()
    reported_status = {}
    for sheet in report.get("sheets", []):
        pairs.add((sheet.get("old_page"), sheet.get("new_page")))
        reported_status[(sheet.get("old_page"), sheet.get("new_page"))] = sheet.get("status")
        if sheet.get("new_page") is not None:
            by_new_page.setdefault(sheet["new_page"], []).extend(sheet.get("changes", []))

    truth_by_new_page = {s.new_page: s for s in truth.sheets if s.new_page is not None}
    for expected in truth.sheets:
        key = (expected.old_page, expected.new_page)
        score.sheets += 1
        score.sheets_paired += key in pairs
        score.status_correct += reported_status.get(key) == expected.status
        predicted = by_new_page.get(expected.new_page, []) if expected.new_page is not None else []
        if expected.status == "unchanged":
            score.unchanged_sheets += 1
            score.unchanged_clean += not predicted
        for change in expected.changes:
            hits = [p for p in predicted if boxes_match(tuple(p["bbox"]), change.bbox)]
            score.truth_regions += 1
            score.truth_found += bool(hits)
            score.kinds_found += bool(hits)
            score.kinds_correct += any(p.get("kind") == change.kind for p in hits)
            if not hits:
                score.missed.append({"sheet": expected.sheet_number, "edit": change.edit, "bbox": change.bbox})
            if change.old_text is not None or change.new_text is not None:
                score.text_changes += 1
                score.text_exact += _text_exact(change, hits)

    for new_page, predicted in by_new_page.items():
        expected = truth_by_new_page.get(new_page)
        for p in predicted:
            score.predicted_regions += 1
            score.predicted_correct += expected is not None and any(
                boxes_match(tuple(p["bbox"]), c.bbox) for c in expected.changes
            )
    return score
