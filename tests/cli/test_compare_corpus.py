"""``buildtrace compare`` end to end on one small pair of each corpus kind of issue 13, scored against its truth.

Each pair comes from ``buildtrace_assets.samples.corpus`` (the kinds the
benchmark measures), with seeds the benchmark does not use. A test states
what a user must get on that kind of revision set; when the engine falls
short, the failure says which capability is missing and what was reported.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from buildtrace_assets.cli import main
from buildtrace_assets.samples import RevisionPair, make_kind_pair
from buildtrace_assets.samples.replot import matrix_scale
from buildtrace_assets.samples.scoring import Score, boxes_match, reported_as_moved, score_report
from buildtrace_assets.samples.truth import ExpectedChange, ExpectedSheet

OFFSET_TOLERANCE = 2.0
"""Points a reported move's offset may differ from the truth's (boxes are drawn from rendered ink)."""


@dataclass
class Compared:
    pair: RevisionPair
    document: dict
    score: Score

    def row(self, expected: ExpectedSheet) -> dict:
        """The report's row for a truth sheet; fails saying how the sheet was paired instead."""
        for row in self.document["sheets"]:
            if (row["old_page"], row["new_page"]) == (expected.old_page, expected.new_page):
                return row
        pairs = [(r["old_page"], r["new_page"], r["sheet_number"], r["status"]) for r in self.document["sheets"]]
        pytest.fail(
            f"sheet {expected.sheet_number} (old page {expected.old_page}, new page {expected.new_page}) "
            f"was not compared as one pair; the report has (old, new, number, status): {pairs}"
        )


def compare(tmp_path: Path, kind: str, seed: int, **overrides: object) -> Compared:
    """Generate a pair of ``kind``, run ``buildtrace compare`` on it through the CLI, score the result."""
    pair = make_kind_pair(tmp_path / "in", kind, seed, **overrides)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compare", str(pair.old_path), str(pair.new_path), "--out", str(out)])
    assert result.exit_code == 0, f"buildtrace compare failed on a {kind} pair:\n{result.output}"
    document = json.loads((out / "changes.json").read_text())
    return Compared(pair, document, score_report(document, pair.truth))


def assert_every_edit_found_and_nothing_else(compared: Compared, what: str) -> None:
    score = compared.score
    assert score.recall == 1.0, (
        f"{what}: {len(score.missed)} of {score.truth_regions} changes missed: {score.missed}; "
        f"reported instead: {score.spurious}"
    )
    assert score.precision == 1.0, f"{what}: changes reported where nothing changed: {score.spurious}"


def assert_every_text_read(compared: Compared, what: str) -> None:
    wrong = [
        (c.edit, c.old_text, c.new_text, _texts_near(compared, s, c))
        for s in compared.pair.truth.sheets
        for c in s.changes
        if c.old_text is not None or c.new_text is not None
    ]
    assert compared.score.text_accuracy == 1.0, (
        f"{what}: {compared.score.text_changes - compared.score.text_exact} of {compared.score.text_changes} "
        f"text changes not read exactly; (edit, truth old, truth new, reported old/new there): {wrong}"
    )


def _texts_near(compared: Compared, expected: ExpectedSheet, change: ExpectedChange) -> list:
    row = next((r for r in compared.document["sheets"] if r["new_page"] == expected.new_page), {"changes": []})
    return [
        (p.get("old_text"), p.get("new_text")) for p in row["changes"] if boxes_match(tuple(p["bbox"]), change.bbox)
    ]


def assert_plotted_at_scale(compared: Compared, what: str) -> None:
    for expected in compared.pair.truth.sheets:
        row = compared.row(expected)
        alignment = row.get("alignment") or {}
        want = matrix_scale(expected.alignment)
        assert alignment.get("ok", True) and "error" not in row, (
            f"{what}: sheet {expected.sheet_number} was not aligned: {row.get('error') or alignment.get('reason')}"
        )
        assert alignment.get("scale") == pytest.approx(want, rel=0.02), (
            f"{what}: sheet {expected.sheet_number} re-plotted at {want:.3f}x, but alignment.scale is "
            f"{alignment.get('scale')!r} (item 1: the contract records the plot scale)"
        )


def test_a_set_reissued_at_half_size_is_compared_at_50_percent_and_every_edit_found(tmp_path):
    compared = compare(tmp_path, "half_size", seed=21, n_sheets=2)
    what = "ARCH D set reissued at half size (ARCH B)"
    assert_plotted_at_scale(compared, what)
    unchanged = [s for s in compared.pair.truth.sheets if s.status == "unchanged"]
    assert unchanged and all(compared.row(s)["changes"] == [] for s in unchanged), (
        f"{what}: an unchanged sheet re-plotted at half size reports changes"
    )
    assert_every_edit_found_and_nothing_else(compared, what)
    assert_every_text_read(compared, what)


def test_an_unchanged_sheet_reissued_at_half_size_has_no_changes(tmp_path):
    compared = compare(tmp_path, "half_size_unchanged", seed=22)
    (expected,) = compared.pair.truth.sheets
    row = compared.row(expected)
    assert row["status"] == "unchanged" and row["changes"] == [], (
        f"an unchanged ARCH D sheet printed at half size is reported {row['status']} with {len(row['changes'])} "
        f"change(s) and error {row.get('error')}: {[(c['kind'], c['bbox']) for c in row['changes']][:5]}"
    )


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        ("a4_to_a3", "A3 drawing, old printed on A4, new on A3 (141 %)"),
        ("a3_to_a4", "A3 drawing, old printed on A3, new on A4 (71 %)"),
        ("half_size_11x17", "ARCH D sheet printed on 11x17 (fit to page, 46 %)"),
    ],
)
def test_a_sheet_printed_on_other_paper_is_compared_at_its_plot_scale_and_every_edit_found(tmp_path, kind, what):
    compared = compare(tmp_path, kind, seed=23)
    assert_plotted_at_scale(compared, what)
    assert_every_edit_found_and_nothing_else(compared, what)
    assert_every_text_read(compared, what)


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        ("raster_dpi", "300-dpi scanned PNG against a 150-dpi exported PNG"),
        ("raster_dpi_pdf", "150-dpi image PDF against a 300-dpi scanned image PDF"),
    ],
)
def test_rasters_at_different_dpi_find_every_edit_and_read_its_text(tmp_path, kind, what):
    compared = compare(tmp_path, kind, seed=24)
    assert_every_edit_found_and_nothing_else(compared, what)
    assert_every_text_read(compared, what)


def test_moved_notes_tags_and_symbols_are_each_one_moved_change_with_both_places_and_the_offset(tmp_path):
    compared = compare(tmp_path, "moves", seed=25, page_size="TABLOID")
    (expected,) = compared.pair.truth.sheets
    reported = compared.row(expected)["changes"]
    for change in (c for c in expected.changes if c.kind == "moved"):
        as_moved = [p for p in reported if reported_as_moved(p, change)]
        near = [(p["kind"], p["bbox"], p.get("from_bbox")) for p in reported if _touches(p, change)]
        assert as_moved, (
            f"{change.edit}: a block moved from {_rounded(change.from_bbox)} to {_rounded(change.bbox)} "
            f"(item 2: one `moved` change with bbox and from_bbox) was reported as (kind, bbox, from_bbox): {near}"
        )
        (move,) = as_moved
        offset = move.get("offset") or {}
        assert (offset.get("dx"), offset.get("dy")) == pytest.approx(change.offset, abs=OFFSET_TOLERANCE), (
            f"{change.edit}: moved by {_rounded(change.offset)} pt, reported offset {offset}"
        )
        assert move.get("group") == "item", f"{change.edit}: a moved note/tag/symbol is group 'item', not {move}"
        said = _inches(offset.get("drawing_distance"))
        want = _inches(change.drawing_distance)
        assert said is not None and abs(said - want) <= max(1.0, 0.03 * want), (
            f"{change.edit}: moved {change.drawing_distance} at the title block's 1/8\" = 1'-0\", reported "
            f"drawing_distance {offset.get('drawing_distance')!r} (item 2: distance in drawing units)"
        )
    assert_every_edit_found_and_nothing_else(compared, "notes, tags and symbols moved")


def _inches(text: str | None) -> float | None:
    """``12'-0"``, ``3'-4 1/2"`` or ``5"`` as inches; None for anything else."""
    match = re.fullmatch(r"(?:(\d+)'-?\s*)?(\d+)?(?:\s+(\d+)/(\d+))?\"?", (text or "").strip())
    if not text or match is None:
        return None
    feet, inches, num, den = match.groups()
    return int(feet or 0) * 12 + int(inches or 0) + (int(num) / int(den) if num else 0.0)


def _touches(prediction: dict, change: ExpectedChange) -> bool:
    boxes = [tuple(prediction["bbox"])] + ([tuple(prediction["from_bbox"])] if prediction.get("from_bbox") else [])
    return any(boxes_match(b, t) for b in boxes for t in (change.bbox, change.from_bbox))


def _rounded(values) -> list:
    return [round(v) for v in values]


def test_a_view_moved_on_its_own_is_one_moved_view_and_the_edits_inside_it_are_found(tmp_path):
    compared = compare(tmp_path, "view_moved", seed=26, page_size="TABLOID")
    (expected,) = compared.pair.truth.sheets
    reported = compared.row(expected)["changes"]
    (view,) = [c for c in expected.changes if c.kind == "moved"]
    as_moved = [p for p in reported if reported_as_moved(p, view)]
    assert as_moved, (
        f"a view moved from {_rounded(view.from_bbox)} to {_rounded(view.bbox)} (item 3: one `moved` view) was "
        f"reported as (kind, bbox): {[(p['kind'], _rounded(p['bbox'])) for p in reported]}"
    )
    assert as_moved[0].get("group") == "view", f"a moved view is group 'view', not {as_moved[0].get('group')!r}"
    assert (as_moved[0].get("offset") or {}).get("dx") == pytest.approx(view.offset[0], abs=OFFSET_TOLERANCE)
    assert_every_edit_found_and_nothing_else(compared, "view moved on its own, a dimension and a note edited in it")
    assert_every_text_read(compared, "edits inside a moved view")


def test_a_one_page_drawing_reissued_with_a_title_block_is_compared_as_one_pair(tmp_path):
    compared = compare(tmp_path, "single_page", seed=27, page_size="TABLOID")
    (expected,) = compared.pair.truth.sheets
    rows = [(r["old_page"], r["new_page"], r["sheet_number"], r["status"]) for r in compared.document["sheets"]]
    assert len(rows) == 1, f"two one-page documents must be one pair (item 4), the report has {rows}"
    row = compared.row(expected)
    assert row.get("matched_by") == "single_page", f"matched_by should say single_page, not {row.get('matched_by')!r}"
    (block,) = [c for c in expected.changes if c.edit == "gain_title_block"]
    added = [p for p in row["changes"] if p["kind"] == "added" and boxes_match(tuple(p["bbox"]), block.bbox)]
    assert added, (
        f"the title block gained at {_rounded(block.bbox)} is not reported as added; reported (kind, bbox): "
        f"{[(p['kind'], _rounded(p['bbox'])) for p in row['changes']]}"
    )
    assert_every_edit_found_and_nothing_else(compared, "one-page reissue gaining a title block")
    assert_every_text_read(compared, "one-page reissue gaining a title block")


def test_removals_of_15_points_or_less_are_found_as_removed(tmp_path):
    compared = compare(tmp_path, "small_removals", seed=28, page_size="TABLOID")
    small = [c for s in compared.pair.truth.sheets for c in s.changes if c.edit in ("remove_tick", "remove_column")]
    missed = [m for m in compared.score.missed if m["edit"] in ("remove_tick", "remove_column")]
    assert not missed, f"{len(missed)} of {len(small)} small removals (<= 15 pt, item 7) missed: {missed}"
    assert compared.score.kind_accuracy == 1.0, "a small removal was found but not reported as removed"
    assert_every_edit_found_and_nothing_else(compared, "small removals")


def test_text_edits_on_a_sheet_replotted_one_degree_turned_are_read_exactly(tmp_path):
    compared = compare(tmp_path, "rotated_text", seed=29, page_size="TABLOID")
    assert_every_text_read(compared, "sheet re-plotted 1 degree turned (item 7)")
    assert_every_edit_found_and_nothing_else(compared, "sheet re-plotted 1 degree turned")


def test_a_note_added_on_a_scan_is_found_and_read_word_for_word(tmp_path):
    compared = compare(tmp_path, "scan_notes", seed=30)
    (note,) = [c for s in compared.pair.truth.sheets for c in s.changes if c.edit == "add_note"]
    assert not [m for m in compared.score.missed if m["edit"] == "add_note"], (
        f"the keynote added on the scan at {_rounded(note.bbox)} was not found"
    )
    assert_every_text_read(compared, "note added on a scanned sheet (item 7: OCR of the right line)")
    assert_every_edit_found_and_nothing_else(compared, "scan with an added note")
