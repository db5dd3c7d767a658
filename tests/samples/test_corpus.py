"""Corpus kinds: every pair's truth says exactly where the two sets differ once the old is carried onto the new."""

import cv2
import numpy as np
import pymupdf
import pytest
from PIL import Image

from buildtrace_assets.samples import SampleError
from buildtrace_assets.samples.corpus import KINDS, make_kind_pair
from buildtrace_assets.samples.replot import matrix_scale
from buildtrace_assets.samples.sheet import PAPER_SIZES, POINTS_PER_FOOT
from buildtrace_assets.samples.truth import Truth

DPI = 100
"""Pixels per inch of the *old* sheet; the new one is rendered so one old point is the same pixels on both."""

VECTOR_KINDS = sorted(k for k, kind in KINDS.items() if not kind.raster)


def _gray(page: pymupdf.Page, dpi: float) -> np.ndarray:
    pix = page.get_pixmap(matrix=pymupdf.Matrix(dpi / 72, dpi / 72), colorspace=pymupdf.csGRAY)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]


def _old_on_new(old: pymupdf.Page, new: pymupdf.Page, alignment) -> tuple[np.ndarray, np.ndarray, float]:
    """Both pages as pixels in the new sheet's frame at equal pixels per drawn point, and new pixels per point."""
    scale = matrix_scale(alignment)
    new_zoom = DPI / 72 / scale
    old_image, new_image = _gray(old, DPI), _gray(new, DPI / scale)
    (a, b, tx), (c, d, ty) = alignment
    # old pixel -> old point (/ old zoom) -> new point (alignment) -> new pixel (* new zoom)
    k = new_zoom / (DPI / 72)
    warp = np.array([[a * k, b * k, tx * new_zoom], [c * k, d * k, ty * new_zoom]], np.float32)
    h, w = new_image.shape
    carried = cv2.warpAffine(old_image, warp, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    return carried, new_image, new_zoom


def _strong_differences(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Firm ink on one side with no ink at all within two pixels on the other (edges move by a pixel)."""
    near = np.ones((5, 5), np.uint8)
    firm_a, firm_b = a < 110, b < 110
    any_a, any_b = (
        (cv2.dilate((a < 235).astype(np.uint8), near) > 0),
        (cv2.dilate((b < 235).astype(np.uint8), near) > 0),
    )
    return (firm_a & ~any_b) | (firm_b & ~any_a)


@pytest.mark.parametrize("kind", VECTOR_KINDS)
def test_every_difference_lies_in_a_truth_box_and_every_truth_box_holds_one(tmp_path, kind):
    pair = make_kind_pair(tmp_path, kind, seed=2)
    with pymupdf.open(pair.old_path) as old, pymupdf.open(pair.new_path) as new:
        for expected in pair.truth.sheets:
            if expected.old_page is None or expected.new_page is None:
                continue
            carried, new_image, zoom = _old_on_new(old[expected.old_page], new[expected.new_page], expected.alignment)
            differs = _strong_differences(carried, new_image)
            changed = np.abs(carried.astype(np.int16) - new_image) > 60
            covered = np.zeros_like(differs)
            for change in expected.changes:
                for box in (change.bbox, change.from_bbox):
                    if box is None:
                        continue
                    x0, y0, x1, y1 = (round(v * zoom) for v in box)
                    assert changed[y0 - 1 : y1 + 2, x0 - 1 : x1 + 2].any(), f"{kind}: nothing differs at {change}"
                    covered[max(y0 - 3, 0) : y1 + 3, max(x0 - 3, 0) : x1 + 3] = True
            stray = np.argwhere(differs & ~covered)
            where = (stray[:5] / zoom).round().tolist()
            assert len(stray) == 0, f"{kind} {expected.sheet_number}: differences outside the truth at {where} pt"


@pytest.mark.parametrize("kind", sorted(k for k, kind in KINDS.items() if kind.raster))
def test_raster_ink_sits_where_the_truth_alignment_carries_the_old_ink(tmp_path, kind):
    pair = make_kind_pair(tmp_path, kind, seed=2)
    with pymupdf.open(pair.old_path) as old, pymupdf.open(pair.new_path) as new:
        for expected in (s for s in pair.truth.sheets if s.old_page is not None and s.new_page is not None):
            carried, new_image, zoom = _old_on_new(old[expected.old_page], new[expected.new_page], expected.alignment)
            changed = np.zeros(new_image.shape, bool)
            for change in expected.changes:
                for box in (b for b in (change.bbox, change.from_bbox) if b is not None):
                    x0, y0, x1, y1 = (round(v * zoom) for v in box)
                    changed[max(y0 - 3, 0) : y1 + 3, max(x0 - 3, 0) : x1 + 3] = True
            near = np.ones((7, 7), np.uint8)
            new_ink, old_ink = (new_image < 120) & ~changed, (carried < 200) & ~changed
            near_old = cv2.dilate(old_ink.astype(np.uint8), near).astype(bool)
            assert new_ink.sum() > 1000
            assert (new_ink & near_old).sum() / new_ink.sum() > 0.97, f"{kind}: new ink away from the old ink"


@pytest.mark.parametrize(
    ("kind", "old_paper", "new_paper", "scale"),
    [
        ("half_size", "ARCH_D", "ARCH_B", 0.5),
        ("half_size_11x17", "ARCH_D", "TABLOID", 792 / 1728),
        ("a4_to_a3", "A4", "A3", 2**0.5),
        ("a3_to_a4", "A3", "A4", 2**-0.5),
    ],
)
def test_a_set_plotted_on_other_paper_has_that_papers_pages_and_the_plot_scale_in_its_truth(
    tmp_path, kind, old_paper, new_paper, scale
):
    pair = make_kind_pair(tmp_path, kind, seed=1)
    with pymupdf.open(pair.old_path) as old, pymupdf.open(pair.new_path) as new:
        assert tuple(old[0].rect)[2:] == pytest.approx(PAPER_SIZES[old_paper])
        assert tuple(new[0].rect)[2:] == pytest.approx(PAPER_SIZES[new_paper])
    (expected,) = pair.truth.sheets
    assert matrix_scale(expected.alignment) == pytest.approx(scale, rel=0.021)


def test_a_300_dpi_scan_and_a_150_dpi_export_are_pngs_that_record_their_dpi_and_one_paper_size(tmp_path):
    pair = make_kind_pair(tmp_path, "raster_dpi", seed=1)
    assert (pair.old_path.suffix, pair.new_path.suffix) == (".png", ".png")
    assert pair.truth.old_scanned and pair.truth.new_scanned
    width, height = PAPER_SIZES["TABLOID"]
    for path, dpi in ((pair.old_path, 300), (pair.new_path, 150)):
        with Image.open(path) as image:
            assert image.info["dpi"] == pytest.approx((dpi, dpi), rel=1e-3)
            assert image.size == (round(width / 72 * dpi), round(height / 72 * dpi))


def test_the_300_dpi_side_is_a_scan_and_the_150_dpi_side_a_clean_export(tmp_path):
    pair = make_kind_pair(tmp_path, "raster_dpi", seed=1)
    with Image.open(pair.old_path) as old, Image.open(pair.new_path) as new:
        old_pixels, new_pixels = np.asarray(old), np.asarray(new)
    assert len(np.unique(new_pixels[:20, :20])) == 1, "an export's paper is one flat white"
    assert len(np.unique(old_pixels[:20, :20])) > 10, "a scan's paper is noisy"


def test_moved_items_are_the_same_words_at_both_boxes_and_the_offset_joins_their_centres(tmp_path):
    pair = make_kind_pair(tmp_path, "moves", seed=1)
    (expected,) = pair.truth.sheets
    moved = [c for c in expected.changes if c.kind == "moved"]
    assert {c.edit for c in moved} == {"move_room_tag", "move_keynote", "move_door_tag"}
    with pymupdf.open(pair.old_path) as old, pymupdf.open(pair.new_path) as new:
        back = ~pymupdf.Matrix(*_contract_to_pymupdf(expected.alignment))
        for change in moved:
            old_box = pymupdf.Rect(change.from_bbox) * back
            assert _words(old[0], old_box) == _words(new[0], pymupdf.Rect(change.bbox)) != ""
            assert _words(new[0], pymupdf.Rect(change.from_bbox)) == ""
            dx = (change.bbox[0] + change.bbox[2] - change.from_bbox[0] - change.from_bbox[2]) / 2
            dy = (change.bbox[1] + change.bbox[3] - change.from_bbox[1] - change.from_bbox[3]) / 2
            assert change.offset == pytest.approx((dx, dy)) and change.group == "item"
            feet, inches = change.drawing_distance.rstrip('"').split("'-")
            drawn = (int(feet) * 12 + int(inches)) / 12 * POINTS_PER_FOOT
            assert drawn == pytest.approx(np.hypot(dx, dy), rel=0.03, abs=POINTS_PER_FOOT / 12)


def _contract_to_pymupdf(alignment):
    (a, c, e), (b, d, f) = alignment
    return (a, b, c, d, e, f)


def _words(page: pymupdf.Page, box: pymupdf.Rect) -> str:
    inside = (w for w in page.get_text("words") if box.contains(pymupdf.Rect(w[:4]).tl + pymupdf.Point(0.5, 0.5)))
    return " ".join(w[4] for w in inside)


def test_a_moved_view_is_one_view_move_holding_its_inner_edits(tmp_path):
    pair = make_kind_pair(tmp_path, "view_moved", seed=1)
    (expected,) = pair.truth.sheets
    (view,) = [c for c in expected.changes if c.kind == "moved"]
    inner = [c for c in expected.changes if c is not view]
    assert view.group == "view" and inner
    assert all(pymupdf.Rect(view.bbox).contains(pymupdf.Rect(c.bbox)) for c in inner)
    assert all(c.kind == "modified" and c.old_text and c.new_text for c in inner)


def test_a_one_page_reissue_gains_a_title_block_and_the_old_page_has_no_sheet_number(tmp_path):
    pair = make_kind_pair(tmp_path, "single_page", seed=1)
    (expected,) = pair.truth.sheets
    assert (pair.truth.old_pages, pair.truth.new_pages) == (1, 1)
    assert expected.matched_by == "single_page" and expected.status == "modified"
    (gained,) = [c for c in expected.changes if c.edit == "gain_title_block"]
    assert gained.kind == "added"
    with pymupdf.open(pair.old_path) as old, pymupdf.open(pair.new_path) as new:
        assert expected.sheet_number not in old[0].get_text().split()
        assert expected.sheet_number in _words(new[0], pymupdf.Rect(gained.bbox)).split()


def test_small_removals_are_at_most_15_points_on_a_side(tmp_path):
    pair = make_kind_pair(tmp_path, "small_removals", seed=1)
    removed = [c for s in pair.truth.sheets for c in s.changes if c.edit in ("remove_tick", "remove_column")]
    assert {c.edit for c in removed} == {"remove_tick", "remove_column"}
    assert all(max(c.bbox[2] - c.bbox[0], c.bbox[3] - c.bbox[1]) <= 15 for c in removed)


def test_a_one_degree_replot_is_turned_one_degree_in_its_truth(tmp_path):
    pair = make_kind_pair(tmp_path, "rotated_text", seed=1)
    (expected,) = pair.truth.sheets
    (a, _, _), (c, _, _) = expected.alignment
    assert np.degrees(np.arctan2(c, a)) == pytest.approx(1.0)
    assert sum(1 for ch in expected.changes if ch.old_text) >= 2


def test_a_note_added_on_a_scan_is_known_word_for_word(tmp_path):
    pair = make_kind_pair(tmp_path, "scan_notes", seed=1)
    (note,) = [c for s in pair.truth.sheets for c in s.changes if c.edit == "add_note"]
    assert pair.truth.new_scanned and note.kind == "added" and note.new_text.split(". ", 1)[1].endswith(".")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_writes_a_pair_whose_truth_reads_back(tmp_path, kind):
    pair = make_kind_pair(tmp_path, kind, seed=4, n_sheets=KINDS[kind].n_sheets)
    assert Truth.load(pair.truth_path) == pair.truth
    assert any(s.old_page is not None and s.new_page is not None for s in pair.truth.sheets)


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("everything", {}, "unknown corpus kind"),
        ("raster_dpi", {"n_sheets": 2}, "a PNG holds one sheet"),
        ("a4_to_a3", {"page_size": "A4"}, "too small"),
        ("half_size", {"new_paper": (0, 10)}, "no area"),
        ("scan_notes", {"new_raster": KINDS["raster_dpi"].new_raster}, "not both"),
    ],
)
def test_impossible_kinds_fail_clearly_and_write_nothing(tmp_path, kind, options, message):
    with pytest.raises(SampleError, match=message):
        make_kind_pair(tmp_path / "out", kind, seed=1, **options)
    assert not (tmp_path / "out").exists()
