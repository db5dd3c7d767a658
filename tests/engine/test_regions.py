"""Change regions: changed ink grouped into one region per logical change, and nothing for noise."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from buildtrace_assets.engine.regions import (
    ANY_INK_LEVEL,
    CORE_LEVEL,
    cluster_boxes,
    find_change_regions,
    paper_level,
    raw_differences,
    rediffed_within,
    tolerance_px,
)

PX_PER_PT = 150 / 72
SHIFT_BITS = 4
"""cv2 drawing with fractional coordinates: positions are multiplied by 2**SHIFT_BITS."""


def _walls(offset: float = 0.0, weight: int = 3) -> np.ndarray:
    """A small plan: outer walls, two partitions and a note, drawn at a sub-pixel offset."""
    image = np.full((600, 900), 255, np.uint8)
    scale = 2**SHIFT_BITS

    def line(a, b):
        pa = tuple(round((v + offset) * scale) for v in a)
        pb = tuple(round((v + offset) * scale) for v in b)
        cv2.line(image, pa, pb, 0, weight, cv2.LINE_AA, SHIFT_BITS)

    for a, b in [((50, 50), (850, 50)), ((850, 50), (850, 550)), ((850, 550), (50, 550)), ((50, 550), (50, 50))]:
        line(a, b)
    line((400, 50), (400, 300))
    line((50, 300), (600, 300))
    cv2.putText(image, "SEAL ALL PENETRATIONS", (480, 420), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 1, cv2.LINE_AA)
    return image


def _regions(old: np.ndarray, new: np.ndarray):
    return find_change_regions(old, new, np.ones(new.shape, np.uint8), PX_PER_PT)


def test_a_replotted_sheet_has_no_changes():
    """Sub-pixel misregistration, anti-aliasing and a heavier pen are not changes."""
    changes = _regions(_walls(0.0, weight=2), _walls(0.45, weight=3))

    assert changes.regions == []
    assert len(changes.added.rows) == 0 and len(changes.removed.rows) == 0


def test_scan_speckles_and_jpeg_artefacts_are_not_changes():
    rng = np.random.default_rng(5)
    scanned = _walls().astype(np.float32) * 0.9 + rng.normal(0, 6, (600, 900))
    speckles = rng.random((600, 900)) < 0.0004
    scanned[speckles] = 30
    _, jpeg = cv2.imencode(".jpg", np.clip(scanned, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 50])

    changes = _regions(_walls(), cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE))

    assert changes.regions == []


def test_an_added_wall_is_one_added_region_around_it():
    new = _walls()
    cv2.line(new, (600, 300), (600, 550), 0, 3)

    (region,) = _regions(_walls(), new).regions

    assert region.kind == "added"
    x0, y0, x1, y1 = region.box
    assert abs(x0 - 598) <= 2 and abs(x1 - 602) <= 2
    assert 300 <= y0 <= 310 and 540 <= y1 <= 552
    assert region.removed_px == 0 and region.confidence > 0.9


def test_a_removed_partition_is_one_removed_region():
    old = _walls()
    new = _walls()
    cv2.line(new, (400, 53), (400, 297), 255, 7)

    (region,) = _regions(old, new).regions

    assert region.kind == "removed"
    assert region.added_px == 0


def _rewrite_note(image: np.ndarray, *lines: str) -> np.ndarray:
    """Erase the note and write new lines a few pixels lower, as a re-typed note lands."""
    cv2.rectangle(image, (470, 395), (840, 430), 255, -1)
    for number, text in enumerate(lines):
        cv2.putText(image, text, (480, 426 + 30 * number), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 1, cv2.LINE_AA)
    return image


def test_a_rewritten_note_is_one_modified_region_not_one_per_glyph():
    new = _rewrite_note(_walls(), "FIRESTOP EVERY OPENING")

    (region,) = _regions(_walls(), new).regions

    assert region.kind == "modified"
    assert region.box[0] < 540 and region.box[2] > 650


def test_the_lines_of_a_note_form_one_region():
    new = _rewrite_note(_walls(), "FIRESTOP ALL OPENINGS", "PER DETAIL 5/A-501", "AND UL SYSTEM W-L-1234")

    (region,) = _regions(_walls(), new).regions

    assert region.box[1] < 410 and region.box[3] > 475


def _door_in_wall(image: np.ndarray, y: int, opening: bool) -> np.ndarray:
    """A 36 in door hung in the 4 pt partition at x=400: wall cut open, leaf and swing; or the wall closed again."""
    width = round(27 * PX_PER_PT)
    if opening:
        cv2.rectangle(image, (396, y), (404, y + width), 255, -1)
        cv2.line(image, (400, y), (400 + width, y), 0, 2)
        cv2.ellipse(image, (400, y), (width, width), 0, 0, 90, 0, 1)
    return image


def test_a_door_moved_away_is_removed_there_and_added_here_though_its_wall_changes_too():
    """The closed opening adds wall ink and the new opening cuts it, but only thinly: the door decides the kind."""
    old = _door_in_wall(_door_in_wall(_walls(), 80, opening=True), 190, opening=False)
    new = _door_in_wall(_door_in_wall(_walls(), 80, opening=False), 190, opening=True)

    regions = sorted(_regions(old, new).regions, key=lambda r: r.box[1])

    assert [r.kind for r in regions] == ["removed", "added"]
    assert all(r.added_px and r.removed_px for r in regions)


def test_distant_changes_stay_separate_regions():
    new = _walls()
    cv2.circle(new, (200, 150), 30, 0, 2)
    cv2.circle(new, (700, 450), 30, 0, 2)

    regions = _regions(_walls(), new).regions

    assert len(regions) == 2
    assert all(region.kind == "added" for region in regions)


def test_ink_outside_the_compared_area_is_not_judged():
    new = _walls()
    cv2.line(new, (600, 300), (600, 550), 0, 3)
    compared = np.ones(new.shape, np.uint8)
    compared[:, 500:] = 0

    assert find_change_regions(_walls(), new, compared, PX_PER_PT).regions == []


def test_faint_small_changes_are_less_certain_than_bold_large_ones():
    new = _walls()
    cv2.line(new, (600, 320), (600, 540), 0, 4)
    cv2.circle(new, (200, 150), 3, 120, -1)

    bold, faint = sorted(_regions(_walls(), new).regions, key=lambda r: -r.confidence)

    assert bold.box[0] > 590 and faint.box[0] < 210
    assert faint.confidence < 0.5 < bold.confidence


def test_changed_pixels_are_only_the_changed_ink():
    new = _walls()
    cv2.line(new, (600, 300), (600, 550), 0, 3)

    changes = _regions(_walls(), new)

    added = set(zip(changes.added.rows.tolist(), changes.added.columns.tolist(), strict=True))
    assert (400, 600) in added and (50, 300) not in added
    assert all(299 <= row <= 551 and 597 <= column <= 603 for row, column in added)
    assert len(changes.removed.rows) == 0


def _dilation_differences(
    old: np.ndarray, new: np.ndarray, compared: np.ndarray, tolerance_pt: float, papers: tuple[float, float]
):
    """The definition of changed ink, computed the slow way: whole-sheet dilations of each sheet's ink (the papers
    are chosen so that no level is a whole number, where ``<`` and OpenCV's threshold would part)."""
    radius = tolerance_px(PX_PER_PT, tolerance_pt)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    near = [
        cv2.dilate((image < ANY_INK_LEVEL * paper).astype(np.uint8), kernel) == 0
        for image, paper in zip((old, new), papers, strict=True)
    ]
    judged = compared > 0
    return (new < CORE_LEVEL * papers[1]) & near[0] & judged, (old < CORE_LEVEL * papers[0]) & near[1] & judged


@pytest.mark.parametrize("changed_share", [0.0005, 0.05, 0.5], ids=["few", "some", "most"])
@pytest.mark.parametrize("tolerance_pt", [0.0, 1.2, 3.0])
@pytest.mark.parametrize(
    "papers",
    [(255.0, 255.0), (201.0, 255.0), (255.0, 71.0)],
    ids=["clean", "gray-old-paper", "papers-further-apart-than-ink-and-core"],
)
def test_raw_differences_equal_the_dilation_definition_however_many_pixels_differ(changed_share, tolerance_pt, papers):
    """Only candidate pixels get the distance test; it must still match dilating the whole sheet, borders included.
    Candidates are found from the sheets' difference, or from either sheet's core ink where the papers are so far
    apart that a pixel can be ink on one sheet and core on the other at the same gray."""
    rng = np.random.default_rng(11)
    old = _walls()
    new = np.where(rng.random(old.shape) < changed_share, rng.integers(0, 256, old.shape), _walls(0.45)).astype(
        np.uint8
    )
    new[:3, :] = new[-3:, :] = 0
    compared = np.ones(old.shape, np.uint8)
    compared[:, :40] = 0

    added, removed = raw_differences(old, new, compared, PX_PER_PT, papers, tolerance_pt)

    expected_added, expected_removed = _dilation_differences(old, new, compared, tolerance_pt, papers)
    assert np.array_equal(added > 0, expected_added) and expected_added.any()
    assert np.array_equal(removed > 0, expected_removed)


@pytest.mark.parametrize(
    "boxes, gap, expected",
    [
        ([(0, 0, 10, 10), (20, 0, 30, 10)], 0.0, [0, 1]),
        ([(0, 0, 10, 10), (5, 5, 15, 15)], 0.0, [0, 0]),
        ([(0, 0, 10, 10), (12, 0, 20, 10)], 3.0, [0, 0]),
        # The union of the first two reaches the third, which neither reached alone.
        ([(0, 0, 10, 10), (5, 5, 30, 12), (20, 0, 25, 3)], 0.0, [0, 0, 0]),
    ],
)
def test_cluster_boxes_joins_boxes_until_clusters_are_apart(boxes, gap, expected):
    assert list(cluster_boxes(np.array(boxes, float), gap)) == expected


def test_a_difference_taken_again_inside_boxes_equals_the_whole_sheets():
    """Where the old sheet changed only inside some boxes (a view laid where it is now), diffing those boxes again
    and keeping the earlier difference elsewhere finds what a whole-sheet difference finds."""
    new = _walls()
    old = _walls(0.3)
    cv2.putText(old, "OLD NOTE", (120, 200), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 1, cv2.LINE_AA)
    cv2.rectangle(new, (600, 120), (700, 200), 0, 2)
    compared = np.ones(new.shape, np.uint8)
    earlier = find_change_regions(old, new, compared, PX_PER_PT)
    changed = old.copy()
    changed[100:220, 580:720] = new[100:220, 580:720]  # the rectangle now drawn on the old sheet too
    papers = (paper_level(old), paper_level(new))

    again = rediffed_within(changed, new, compared, PX_PER_PT, papers, earlier, [(580, 100, 720, 220)])
    whole = find_change_regions(changed, new, compared, PX_PER_PT, papers)

    assert len(earlier.regions) == 2 and len(whole.regions) == 1
    assert again.regions == whole.regions
    for mine, theirs in ((again.added, whole.added), (again.removed, whole.removed)):
        assert sorted(zip(mine.rows, mine.columns, strict=True)) == sorted(
            zip(theirs.rows, theirs.columns, strict=True)
        )
