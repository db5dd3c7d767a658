"""Alignment of an old sheet onto its new revision: recovered transforms, and refusals."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from buildtrace_assets.engine.alignment import align_pages, old_to_new_pixels
from buildtrace_assets.engine.model import RenderedPage
from buildtrace_assets.samples import make_drawing_set

DPI = 100


def _render(pdf: Path) -> np.ndarray:
    pixmap = pymupdf.open(pdf)[0].get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
    return np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.width).copy()


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    """A generated 17x11 in floor plan sheet at 100 DPI."""
    pdf = tmp_path_factory.mktemp("plan") / "plan.pdf"
    make_drawing_set(pdf, 1, seed=3, page_size=(1224, 792))
    return _render(pdf)


def _page(image: np.ndarray, dpi: float = DPI) -> RenderedPage:
    height, width = image.shape
    return RenderedPage(image=image, dpi=dpi, width_pt=width * 72 / dpi, height_pt=height * 72 / dpi)


def _replotted(image: np.ndarray, shift_pt=(0.0, 0.0), angle_deg=0.0, scale=1.0) -> tuple[np.ndarray, np.ndarray]:
    """The sheet moved by a known similarity; returns it and the true old-to-new pixel matrix."""
    height, width = image.shape
    new_to_old = cv2.getRotationMatrix2D((width / 2, height / 2), angle_deg, scale)
    new_to_old[:, 2] += np.array(shift_pt) * DPI / 72
    old = cv2.warpAffine(image, new_to_old, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    return old, cv2.invertAffineTransform(new_to_old)


def _worst_corner_error_px(found: np.ndarray, truth: np.ndarray, shape: tuple[int, int]) -> float:
    height, width = shape
    corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1]], float).T
    return float(np.abs(found @ corners - truth @ corners).max())


def test_identical_pages_align_to_the_exact_identity(plan):
    alignment = align_pages(_page(plan), _page(plan.copy()))

    assert alignment.ok and alignment.score == 1.0
    np.testing.assert_array_equal(alignment.matrix, np.eye(2, 3))


@pytest.mark.parametrize(
    "shift_pt, angle_deg, scale",
    [((12.0, -7.0), 0.0, 1.0), ((-20.0, 20.0), 0.0, 1.0), ((5.0, 3.0), 1.5, 1.02), ((-8.0, 6.0), -2.0, 0.97)],
)
def test_shift_rotation_and_scale_are_recovered_to_a_fraction_of_a_pixel(plan, shift_pt, angle_deg, scale):
    old, truth = _replotted(plan, shift_pt, angle_deg, scale)

    alignment = align_pages(_page(old), _page(plan))

    assert alignment.ok, alignment.reason
    assert alignment.score > 0.9
    found = old_to_new_pixels(alignment.matrix, _page(old), _page(plan))
    assert _worst_corner_error_px(found, truth, plan.shape) < 1.0


def test_matrix_is_in_points_whatever_the_two_resolutions(plan):
    """The old sheet rendered at another DPI still maps point for point onto the new one."""
    old = cv2.resize(plan, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)

    alignment = align_pages(_page(old, dpi=DPI * 1.5), _page(plan))

    assert alignment.ok, alignment.reason
    np.testing.assert_allclose(alignment.matrix, np.eye(2, 3), atol=0.3)


def test_a_different_page_size_is_aligned(plan):
    """The new revision was plotted on a larger sheet with the drawing in its top-left corner."""
    larger = np.full((plan.shape[0] + 150, plan.shape[1] + 200), 255, np.uint8)
    larger[: plan.shape[0], : plan.shape[1]] = plan

    alignment = align_pages(_page(plan), _page(larger))

    assert alignment.ok, alignment.reason
    np.testing.assert_allclose(alignment.matrix, np.eye(2, 3), atol=0.3)


def test_scan_noise_blur_and_jpeg_do_not_prevent_alignment(plan):
    old, truth = _replotted(plan, (6.0, -4.0), 0.8, 1.0)
    rng = np.random.default_rng(7)
    noisy = cv2.GaussianBlur(old, (3, 3), 0).astype(np.float32) * 0.92 + rng.normal(0, 10, old.shape)
    _, jpeg = cv2.imencode(".jpg", np.clip(noisy, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 60])
    scanned = cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)

    alignment = align_pages(_page(scanned), _page(plan))

    assert alignment.ok, alignment.reason
    found = old_to_new_pixels(alignment.matrix, _page(scanned), _page(plan))
    assert _worst_corner_error_px(found, truth, plan.shape) < 1.5


def test_alignment_is_deterministic(plan):
    old, _ = _replotted(plan, (3.0, 9.0), 1.0, 1.01)

    first, second = align_pages(_page(old), _page(plan)), align_pages(_page(old), _page(plan))

    np.testing.assert_array_equal(first.matrix, second.matrix)


def test_unrelated_drawings_are_reported_not_aligned(plan):
    """A mirrored plan has the same kind of ink everywhere but no rotation, scale and shift fits it."""
    random_lines = np.full_like(plan, 255)
    rng = np.random.default_rng(3)
    for _ in range(300):
        x, y = (int(v) for v in rng.integers(0, 1100, 2))
        cv2.line(random_lines, (x, y), (x + int(rng.integers(-200, 200)), y + int(rng.integers(-200, 200))), 0, 2)

    for unrelated in (np.ascontiguousarray(plan[:, ::-1]), random_lines):
        alignment = align_pages(_page(unrelated), _page(plan))
        assert not alignment.ok
        assert alignment.reason


def test_a_blank_page_is_reported_not_aligned(plan):
    alignment = align_pages(_page(np.full_like(plan, 255)), _page(plan))

    assert not alignment.ok
    assert "features" in alignment.reason


def test_a_rotated_copy_of_a_real_scanned_drawing_is_recovered(real_drawing):
    image = cv2.imread(str(real_drawing("raster_Gripper.jpg")), cv2.IMREAD_GRAYSCALE)
    height, width = image.shape
    new_to_old = cv2.getRotationMatrix2D((width / 2, height / 2), 1.2, 1.01)
    new_to_old[:, 2] += (25.0, -18.0)
    old = cv2.warpAffine(image, new_to_old, (width, height), borderValue=255)
    old_page, new_page = _page(old, 300), _page(image, 300)

    alignment = align_pages(old_page, new_page)

    assert alignment.ok, alignment.reason
    found = old_to_new_pixels(alignment.matrix, old_page, new_page)
    assert _worst_corner_error_px(found, cv2.invertAffineTransform(new_to_old), image.shape) < 2.0


@pytest.mark.parametrize("scale", [0.25, 0.5, 1.4142, 2.0, 4.0])
def test_a_sheet_replotted_at_another_size_is_aligned_from_the_expected_scale(plan, scale):
    """The old sheet's paper is 1/scale the new one's; it was rendered finer by the scale, as the comparison does,
    so both images are the same pixels and only the points differ."""
    height, width = plan.shape
    old = RenderedPage(plan, DPI * scale, width * 72 / (DPI * scale), height * 72 / (DPI * scale))

    alignment = align_pages(old, _page(plan), scale)

    assert alignment.ok, alignment.reason
    np.testing.assert_allclose(alignment.matrix, [[scale, 0, 0], [0, scale, 0]], atol=0.3)


def test_a_drawing_plotted_at_half_scale_on_the_same_paper_is_found_without_a_hint(plan):
    small = cv2.resize(plan, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    old = np.full_like(plan, 255)
    old[: small.shape[0], : small.shape[1]] = small

    alignment = align_pages(_page(old), _page(plan))

    assert alignment.ok, alignment.reason
    np.testing.assert_allclose(alignment.matrix, [[2.0, 0, 0], [0, 2.0, 0]], atol=0.5)


def test_a_mirror_image_and_a_scale_beyond_four_are_refused_with_their_reason(plan):
    mirrored = align_pages(_page(np.ascontiguousarray(plan[:, ::-1])), _page(plan))
    height, width = plan.shape
    fifth = RenderedPage(plan, DPI * 5, width * 72 / (DPI * 5), height * 72 / (DPI * 5))
    too_large = align_pages(fifth, _page(plan), 5.0)

    assert not mirrored.ok and mirrored.reason == "the old sheet is a mirror image of the new one"
    assert not too_large.ok and "outside the 0.25x-4x compared" in (too_large.reason or "")
