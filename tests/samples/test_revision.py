"""Revision pairs: what the truth says changed is exactly what was drawn differently."""

import cv2
import numpy as np
import pymupdf
import pytest

from buildtrace_assets.samples import (
    SampleError,
    Scenario,
    make_drawing_set,
    make_revision_pair,
)
from buildtrace_assets.samples.render import draw_sheet, rasterize_gray
from buildtrace_assets.samples.sheet import SheetSpec, draft_sheet

DPI = 144
SCALE = DPI / 72
EVERY_EDIT = Scenario(changed=1.0)


def _gray(page: pymupdf.Page) -> np.ndarray:
    return rasterize_gray(page, DPI).astype(np.int16)


def _matrix(alignment: list[list[float]]) -> pymupdf.Matrix:
    (a, c, e), (b, d, f) = alignment
    return pymupdf.Matrix(a, b, c, d, e, f)


def _old_sheet_as_replotted(pair, expected) -> np.ndarray:
    """The old sheet drawn through the new sheet's transform: differs from the new page only where edited."""
    width, height = pymupdf.open(pair.new_path)[expected.new_page].rect[2:]
    sheet = draft_sheet(SheetSpec(expected.sheet_number, expected.title), (width, height), seed=pair.truth.seed)
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    draw_sheet(page, sheet, _matrix(expected.alignment))
    return _gray(page)


def _ink_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Ink in one image with no ink within a pixel in the other (float rounding moves edges by a pixel)."""
    ink_a, ink_b = (a < 128).astype(np.uint8), (b < 128).astype(np.uint8)
    near = np.ones((3, 3), np.uint8)
    return (ink_a & ~cv2.dilate(ink_b, near).astype(bool)) | (ink_b & ~cv2.dilate(ink_a, near).astype(bool))


def _words_inside(page: pymupdf.Page, box) -> str:
    inside = [
        w
        for w in page.get_text("words")
        if box[0] <= (w[0] + w[2]) / 2 <= box[2] and box[1] <= (w[1] + w[3]) / 2 <= box[3]
    ]
    return " ".join(w[4] for w in inside)


@pytest.mark.parametrize("replot", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_pixel_difference_lies_inside_a_truth_box_and_every_box_holds_one(revision_pair, seed, replot):
    pair = revision_pair(seed=seed, n_sheets=2, scenario=EVERY_EDIT, replot=replot, page_size="ARCH_C")
    with pymupdf.open(pair.new_path) as new:
        for expected in pair.truth.sheets:
            assert expected.status == "modified" and len(expected.changes) >= 5
            new_image = _gray(new[expected.new_page])
            old_image = _old_sheet_as_replotted(pair, expected)
            changed = np.abs(new_image - old_image) > 60
            covered = np.zeros_like(changed)
            for change in expected.changes:
                x0, y0, x1, y1 = (round(v * SCALE) for v in change.bbox)
                assert changed[y0:y1, x0:x1].any(), f"nothing drawn differently in {change}"
                covered[max(y0 - 2, 0) : y1 + 2, max(x0 - 2, 0) : x1 + 2] = True
            diff = _ink_difference(new_image, old_image)
            stray = np.argwhere(diff & ~covered)
            assert len(stray) == 0, f"{expected.sheet_number}: differences outside the truth at {stray[:5].tolist()}"


def test_changed_text_is_in_both_text_layers_at_the_truth_box(revision_pair):
    pair = revision_pair(seed=7, n_sheets=2, scenario="text")
    with pymupdf.open(pair.old_path) as old, pymupdf.open(pair.new_path) as new:
        texts = [(e, c) for e in pair.truth.sheets for c in e.changes]
        assert len(texts) >= 4
        for expected, change in texts:
            assert change.kind == "modified" and change.old_text != change.new_text
            assert _words_inside(new[expected.new_page], change.bbox) == change.new_text
            back = pymupdf.Rect(change.bbox) * ~_matrix(expected.alignment)
            assert _words_inside(old[expected.old_page], tuple(back)) == change.old_text


def test_the_truth_alignment_carries_every_old_word_onto_the_same_new_word(revision_pair):
    pair = revision_pair(seed=5, n_sheets=1, scenario="unchanged")
    (expected,) = pair.truth.sheets
    assert expected.status == "unchanged" and expected.changes == ()
    m = _matrix(expected.alignment)
    assert m != pymupdf.Identity  # the new sheet really was re-plotted
    with pymupdf.open(pair.old_path) as old, pymupdf.open(pair.new_path) as new:
        new_words = {
            (w[4], round(x), round(y))
            for w in new[0].get_text("words")
            for x, y in [((w[0] + w[2]) / 2, (w[1] + w[3]) / 2)]
        }
        for w in old[0].get_text("words"):
            centre = pymupdf.Point((w[0] + w[2]) / 2, (w[1] + w[3]) / 2) * m
            near = {(w[4], round(centre.x) + dx, round(centre.y) + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)}
            assert near & new_words, f"{w[4]!r} not found near {centre}"


def test_sheets_can_be_added_removed_and_reordered_and_pages_follow_the_truth(revision_pair):
    pair = revision_pair(seed=11, n_sheets=4, scenario="sheet_set")
    statuses = sorted(s.status for s in pair.truth.sheets)
    assert statuses.count("added") == 1 and statuses.count("removed") == 1
    assert pair.truth.old_pages == 4 and pair.truth.new_pages == 4
    with pymupdf.open(pair.old_path) as old, pymupdf.open(pair.new_path) as new:
        for expected in pair.truth.sheets:
            for doc, page in ((old, expected.old_page), (new, expected.new_page)):
                if page is not None:
                    assert expected.sheet_number in doc[page].get_text().split()
    kept = [s for s in pair.truth.sheets if s.old_page is not None and s.new_page is not None]
    assert [s.old_page for s in sorted(kept, key=lambda s: s.new_page)] != sorted(s.old_page for s in kept)


def test_a_scanned_sheet_is_an_image_only_page_whose_ink_sits_where_the_truth_transform_puts_it(revision_pair):
    pair = revision_pair(seed=3, n_sheets=1, scenario="unchanged", scan="new", page_size="TABLOID")
    assert pair.truth.new_scanned and not pair.truth.old_scanned
    (expected,) = pair.truth.sheets
    with pymupdf.open(pair.new_path) as new:
        page = new[0]
        assert page.get_text().strip() == "" and len(page.get_images()) == 1
        assert tuple(page.rect) == (0, 0, 1224, 792)
        scanned_ink = _gray(page) < 140
    expected_ink = _old_sheet_as_replotted(pair, expected) < 200
    near_expected = cv2.dilate(expected_ink.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    assert scanned_ink.sum() > 1000
    assert (scanned_ink & near_expected).sum() / scanned_ink.sum() > 0.95


def test_scanning_both_sets_leaves_no_text_layer_on_either_side(revision_pair):
    pair = revision_pair(seed=4, n_sheets=1, scenario="text", scan="both", page_size="TABLOID")
    assert pair.truth.old_scanned and pair.truth.new_scanned
    for path in (pair.old_path, pair.new_path):
        with pymupdf.open(path) as doc:
            assert doc[0].get_text().strip() == "" and len(doc[0].get_images()) == 1


def test_the_same_seed_gives_the_same_pair_and_truth(tmp_path):
    first = make_revision_pair(tmp_path / "a", seed=9, n_sheets=2)
    second = make_revision_pair(tmp_path / "b", seed=9, n_sheets=2)
    assert first.truth == second.truth
    with pymupdf.open(first.new_path) as a, pymupdf.open(second.new_path) as b:
        assert [p.get_text() for p in a] == [p.get_text() for p in b]


def test_a_drawing_set_has_one_vector_page_per_sheet_in_order(tmp_path):
    sheets = make_drawing_set(tmp_path / "set.pdf", 6, seed=1, page_size="ARCH_B")
    with pymupdf.open(tmp_path / "set.pdf") as doc:
        assert doc.page_count == 6
        for page, sheet in zip(doc, sheets, strict=True):
            assert sheet.spec.number in page.get_text().split()
            assert tuple(page.rect) == (0, 0, 1296, 864)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scenario": "everything"}, "unknown scenario"),
        ({"scan": "sometimes"}, "scan must be"),
        ({"page_size": "A0"}, "unknown page size"),
        ({"page_size": (300, 200)}, "too small"),
        ({"n_sheets": 1, "scenario": "sheet_set"}, "cannot lose"),
        ({"scenario": Scenario(edits=("paint_it_red",))}, "unknown edits"),
    ],
)
def test_impossible_requests_fail_clearly_and_write_nothing(tmp_path, options, message):
    with pytest.raises(SampleError, match=message):
        make_revision_pair(tmp_path / "out", **options)
    assert not (tmp_path / "out").exists()
