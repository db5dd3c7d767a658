"""Re-plot transforms: rotation and scale about the page centre, then a shift, in PDF point space."""

import math

import pymupdf
import pytest

from buildtrace_assets.samples.replot import IDENTITY, Replot, as_affine, map_bbox

W, H = 2592.0, 1728.0


def test_the_page_centre_moves_by_the_shift_only():
    m = Replot(dx=12, dy=-7, angle_deg=1.2, scale=1.015).matrix(W, H)
    centre = pymupdf.Point(W / 2, H / 2) * m
    assert (centre.x, centre.y) == pytest.approx((W / 2 + 12, H / 2 - 7))


def test_rotation_and_scale_act_about_the_centre():
    m = Replot(angle_deg=90, scale=2).matrix(W, H)
    p = pymupdf.Point(W / 2 + 10, H / 2) * m
    # +90 degrees turns +x towards +y (down the page, since y grows downwards)
    assert (p.x, p.y) == pytest.approx((W / 2, H / 2 + 20))


def test_composing_two_replots_equals_applying_their_matrices_in_turn():
    first, second = Replot(5, -3, 1.1, 1.01), Replot(-2, 4, -0.4, 0.99)
    combined = first.compose(second).matrix(W, H)
    expected = first.matrix(W, H) * second.matrix(W, H)
    assert list(combined) == pytest.approx(list(expected), abs=1e-3)  # PyMuPDF stores floats


def test_a_mapped_box_holds_every_transformed_corner():
    m = Replot(3, 4, 1.5, 1.02).matrix(W, H)
    box = (100.0, 200.0, 300.0, 260.0)
    mapped = map_bbox(box, m)
    for x, y in ((100, 200), (300, 200), (300, 260), (100, 260)):
        p = pymupdf.Point(x, y) * m
        assert mapped[0] - 1e-6 <= p.x <= mapped[2] + 1e-6 and mapped[1] - 1e-6 <= p.y <= mapped[3] + 1e-6
    assert map_bbox(box, IDENTITY.matrix(W, H)) == pytest.approx(box)


def test_the_contract_affine_reads_x_prime_equals_a_x_plus_b_y_plus_tx():
    m = Replot(7, 9, 0.8, 1.0).matrix(W, H)
    (a, b, tx), (c, d, ty) = as_affine(m)
    p = pymupdf.Point(40, 70) * m
    assert (a * 40 + b * 70 + tx, c * 40 + d * 70 + ty) == pytest.approx((p.x, p.y))
    assert math.hypot(a, c) == pytest.approx(1.0)
