"""Generated vector sheets for the move tests: a frame, background walls and a title block with its scale note,
rendered through PyMuPDF, with blocks placed exactly where a test says."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pymupdf

from buildtrace_assets.engine.model import RenderedPage, Word

DPI = 100
WIDTH, HEIGHT = 792.0, 612.0
Draw = Callable[[pymupdf.Page], None]


def page_with(*draws: Draw, scale_note: str | None = '1/8" = 1\'-0"') -> RenderedPage:
    """A sheet with a frame, a few walls and a title block; ``draws`` add the blocks under test."""
    document = pymupdf.open()
    page = document.new_page(width=WIDTH, height=HEIGHT)
    page.draw_rect(pymupdf.Rect(18, 18, WIDTH - 18, HEIGHT - 18), width=1.5)
    for n in range(5):
        page.draw_line((60 + 110 * n, 60), (60 + 110 * n, 330), width=2.0)
    page.draw_line((60, 330), (500, 330), width=2.0)
    page.draw_rect(pymupdf.Rect(600, 520, WIDTH - 18, HEIGHT - 18), width=1.0)
    page.insert_text((610, 545), "A-101 FIRST FLOOR PLAN", fontsize=7)
    if scale_note:
        page.insert_text((610, 565), f"SCALE: {scale_note}", fontsize=7)
    for draw in draws:
        draw(page)
    with pymupdf.open(stream=document.tobytes()) as reopened:
        pixmap = reopened[0].get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
        image = np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.width).copy()
        words = tuple(Word(w[4], tuple(w[:4])) for w in reopened[0].get_text("words"))
    return RenderedPage(image, DPI, WIDTH, HEIGHT, words)


def text(x: float, y: float, text: str, size: float = 9) -> Draw:
    return lambda page: page.insert_text((x, y), text, fontsize=size)


def bubble(x: float, y: float) -> Draw:
    """A section marker: a circle split by a line, with an arrowhead; no words."""

    def draw(page: pymupdf.Page) -> None:
        page.draw_circle((x, y), 9, width=1.2)
        page.draw_line((x - 9, y), (x + 9, y), width=1.0)
        page.draw_polyline([(x + 9, y - 5), (x + 17, y), (x + 9, y + 5)], width=1.0, closePath=True, fill=0)

    return draw


def square(x: float, y: float) -> Draw:
    return lambda page: page.draw_rect(pymupdf.Rect(x - 9, y - 9, x + 9, y + 9), width=1.2)


def detail(x: float, y: float, dimension: str = "2'-6\"", extra_line: bool = False) -> Draw:
    """A wall-section detail 170 x 130 pt with its top-left at ``(x, y)``: a boxed frame, hatched wall layers, a
    dimension and a title; ``extra_line`` adds a flashing line inside it (an edit made in the view)."""

    def draw(page: pymupdf.Page) -> None:
        page.draw_rect(pymupdf.Rect(x, y, x + 170, y + 130), width=0.8)
        for n in range(4):
            page.draw_line((x + 30 + 20 * n, y + 15), (x + 30 + 20 * n, y + 95), width=1.4)
        for n in range(8):
            page.draw_line((x + 30, y + 20 + 9 * n), (x + 90, y + 26 + 9 * n), width=0.4)
        page.draw_line((x + 30, y + 102), (x + 90, y + 102), width=0.6)
        page.insert_text((x + 45, y + 100), dimension, fontsize=6)
        page.insert_text((x + 10, y + 122), "3 WALL SECTION", fontsize=8)
        page.insert_text((x + 100, y + 40), "BRICK VENEER", fontsize=6)
        page.insert_text((x + 100, y + 52), 'AIR GAP 2"', fontsize=6)
        if extra_line:
            page.draw_line((x + 95, y + 70), (x + 160, y + 70), width=1.2)

    return draw
