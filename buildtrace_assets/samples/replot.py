"""Re-plot transforms: the small shift, rotation and scale a sheet picks up when it is plotted again.

The transform is applied to every coordinate drawn, so the truth boxes of a
revision are mapped through exactly the transform the new sheet was drawn with.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pymupdf

from buildtrace_assets.engine.model import BBox


@dataclass(frozen=True)
class Replot:
    """Rotation and scale about the page centre, then a shift (points, degrees, factor)."""

    dx: float = 0.0
    dy: float = 0.0
    angle_deg: float = 0.0
    scale: float = 1.0

    def matrix(self, width: float, height: float) -> pymupdf.Matrix:
        """The design-to-page matrix (PyMuPDF row-vector convention, ``p' = p * M``)."""
        cx, cy = width / 2, height / 2
        a = math.radians(self.angle_deg)
        cos, sin = self.scale * math.cos(a), self.scale * math.sin(a)
        linear = pymupdf.Matrix(cos, sin, -sin, cos, 0, 0)
        return pymupdf.Matrix(1, 0, 0, 1, -cx, -cy) * linear * pymupdf.Matrix(1, 0, 0, 1, cx + self.dx, cy + self.dy)

    def compose(self, other: Replot) -> Replot:
        """This re-plot followed by ``other`` (both about the page centre), e.g. a scanner's skew."""
        a = math.radians(other.angle_deg)
        cos, sin = other.scale * math.cos(a), other.scale * math.sin(a)
        return Replot(
            dx=cos * self.dx - sin * self.dy + other.dx,
            dy=sin * self.dx + cos * self.dy + other.dy,
            angle_deg=self.angle_deg + other.angle_deg,
            scale=self.scale * other.scale,
        )


IDENTITY = Replot()


def random_replot(rng: random.Random, shift: float = 20.0, angle_deg: float = 1.5, scale: float = 0.02) -> Replot:
    """A re-plot drawn uniformly within the given bounds (defaults: +-20 pt, +-1.5 deg, +-2 %)."""
    return Replot(
        dx=rng.uniform(-shift, shift),
        dy=rng.uniform(-shift, shift),
        angle_deg=rng.uniform(-angle_deg, angle_deg),
        scale=1 + rng.uniform(-scale, scale),
    )


def map_bbox(box: BBox, matrix: pymupdf.Matrix) -> BBox:
    """The axis-aligned box around ``box`` after ``matrix``."""
    rect = pymupdf.Rect(box).transform(matrix)
    return (rect.x0, rect.y0, rect.x1, rect.y1)


def as_affine(matrix: pymupdf.Matrix) -> list[list[float]]:
    """The matrix as the contract's 2x3 ``[[a, b, tx], [c, d, ty]]`` (``x' = a x + b y + tx``)."""
    return [[matrix.a, matrix.c, matrix.e], [matrix.b, matrix.d, matrix.f]]


def fit_matrix(design: tuple[float, float], paper: tuple[float, float]) -> pymupdf.Matrix:
    """Plotting a drawing on other paper ("fit to page"): one uniform scale, centred (identity on the same paper)."""
    (dw, dh), (pw, ph) = design, paper
    scale = min(pw / dw, ph / dh)
    return pymupdf.Matrix(scale, 0, 0, scale, (pw - scale * dw) / 2, (ph - scale * dh) / 2)


def matrix_scale(affine: list[list[float]]) -> float:
    """The uniform scale of a contract 2x3 affine (new-sheet points per old-sheet point)."""
    (a, b, _), (c, d, _) = affine
    return math.sqrt(abs(a * d - b * c))
