"""Sheets as CAD programs export them: a site plan whose text is drawn as paths, and a text-heavy survey plan.

AutoCAD plots its SHX fonts as strokes, so most construction PDFs have no text layer at all; survey plans carry a
text layer dense with bearings, distances and spot levels. Both are drawn from one scene of lines and labels on an
ARCH D sheet: the text-as-paths sheet goes through ezdxf's PDF plot (every glyph becomes a path, none is text),
the survey sheet through PyMuPDF with a real text layer. A revision moves no paper, only edits: labels' values
change, a lot line and a label are added. Made for timing the engine as a whole process (``bench.engine``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import pymupdf

from buildtrace_assets.samples.render import save_atomically

ARCH_D_PT = (36 * 72.0, 24 * 72.0)
CadSheet = Literal["text_as_paths", "survey"]


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float
    """Baseline start, in points from the top-left."""
    size: float


@dataclass(frozen=True)
class Scene:
    lines: tuple[tuple[float, float, float, float], ...]
    labels: tuple[Label, ...]


@dataclass(frozen=True)
class CadPair:
    old_path: Path
    new_path: Path
    edited_labels: int
    """Labels whose text changed, plus the added label."""


def _bearing(rng: random.Random) -> str:
    return f"N{rng.randint(0, 89):02d}°{rng.randint(0, 59):02d}'{rng.randint(0, 59):02d}\"E"


def survey_scene(seed: int, *, words: int) -> Scene:
    """Lots along a street grid, each side labelled with bearing and distance, spot levels between, a title block.

    ``words`` is about how many words the labels hold."""
    rng = random.Random(seed)
    width, height = ARCH_D_PT
    left, top, right, bottom = 36.0, 36.0, width - 36, height - 36
    lines: list[tuple[float, float, float, float]] = [(left, top, right, top), (left, bottom, right, bottom)]
    lines += [(left, top, left, bottom), (right, top, right, bottom)]
    labels: list[Label] = []
    x0, y0, cell_w, cell_h = 90.0, 90.0, 300.0, 220.0
    cols, rows = int((width - 520) // cell_w), int((height - 180) // cell_h)
    for col in range(cols):
        for row in range(rows):
            left, top = x0 + col * cell_w, y0 + row * cell_h
            lines += [(left, top, left + cell_w - 30, top), (left, top, left, top + cell_h - 30)]
            lines += [(left + cell_w - 30, top, left + cell_w - 30, top + cell_h - 30)]
            lines += [(left, top + cell_h - 30, left + cell_w - 30, top + cell_h - 30)]
            for _ in range(rng.randint(3, 6)):
                x, y = left + rng.uniform(10, cell_w - 60), top + rng.uniform(10, cell_h - 50)
                lines.append((x, y, x + rng.uniform(-20, 20), y + rng.uniform(-20, 20)))
    slots = [(x0 + c * cell_w, y0 + r * cell_h) for c in range(cols) for r in range(rows)]
    rng.shuffle(slots)
    count = 0
    for index, (left, top) in enumerate(slots * 4):
        if count >= words:
            break
        line = index // len(slots)
        text = rng.choice(
            (
                f"{_bearing(rng)} {rng.uniform(20, 400):.2f}'",
                f"LOT {rng.randint(1, 240)}",
                f"EL {rng.uniform(90, 140):.2f}",
                f"{rng.randint(4000, 40000):,} SF",
                f'IR FND {rng.choice(("5/8", "1/2", "3/4"))}"',
            )
        )
        labels.append(Label(text, left + 14, top + 28 + line * 40, 7.0))
        count += len(text.split())
    title_x = width - 400
    lines += [(title_x, height - 230, width - 36, height - 230), (title_x, height - 230, title_x, height - 36)]
    labels += [
        Label("BOUNDARY AND TOPOGRAPHIC SURVEY", title_x + 16, height - 190, 14.0),
        Label("SHEET V-101", title_x + 16, height - 150, 12.0),
        Label(f"JOB NO. {rng.randint(1000, 9999)}", title_x + 16, height - 120, 9.0),
        Label("SCALE 1\" = 40'", title_x + 16, height - 95, 9.0),
    ]
    return Scene(tuple(lines), tuple(labels))


def revised(scene: Scene, seed: int, *, edits: int) -> tuple[Scene, int]:
    """The scene with ``edits`` labels' values changed, one lot line and one label added."""
    rng = random.Random(seed + 1000)
    labels = list(scene.labels)
    for index in rng.sample(range(len(labels) - 4), edits):
        label = labels[index]
        labels[index] = replace(label, text=label.text[:-2] + str(rng.randint(10, 99)))
    width, height = ARCH_D_PT
    labels.append(Label("ESMT 10' UTIL", width * 0.45, height * 0.52, 7.0))
    line = (width * 0.40, height * 0.40, width * 0.40, height * 0.60)
    return Scene((*scene.lines, line), tuple(labels)), edits + 1


def write_survey_pdf(scene: Scene, path: Path) -> None:
    """The scene with a text layer: what a survey package's PDF export holds."""
    doc = pymupdf.open()
    page = doc.new_page(width=ARCH_D_PT[0], height=ARCH_D_PT[1])
    shape = page.new_shape()
    for x0, y0, x1, y1 in scene.lines:
        shape.draw_line((x0, y0), (x1, y1))
    shape.finish(width=0.7, color=(0,))
    for label in scene.labels:
        shape.insert_text((label.x, label.y), label.text, fontsize=label.size, fontname="helv", color=(0,))
    shape.commit()
    save_atomically(doc, path)


def write_paths_pdf(scene: Scene, path: Path) -> None:
    """The scene plotted from CAD: a DXF drawn through ezdxf's PDF backend, where every glyph is a path."""
    import ezdxf
    from ezdxf.addons.drawing import Frontend, RenderContext, config, layout
    from ezdxf.addons.drawing.pymupdf import PyMuPdfBackend

    width, height = ARCH_D_PT
    dxf = ezdxf.new(units=ezdxf.units.IN)
    msp = dxf.modelspace()
    for x0, y0, x1, y1 in scene.lines:
        msp.add_line((x0, height - y0), (x1, height - y1))
    for label in scene.labels:
        msp.add_text(label.text, height=label.size * 0.72, dxfattribs={"insert": (label.x, height - label.y)})
    msp.add_line((0, 0), (width, 0))  # the sheet's corners fix the plot's extent to the paper
    msp.add_line((0, height), (width, height))
    backend = PyMuPdfBackend()
    settings = config.Configuration(
        background_policy=config.BackgroundPolicy.WHITE, color_policy=config.ColorPolicy.BLACK
    )
    Frontend(RenderContext(dxf), backend, config=settings).draw_layout(msp)
    page = layout.Page(36 * 25.4, 24 * 25.4, layout.Units.mm)
    pdf = backend.get_pdf_bytes(page, settings=layout.Settings(fit_page=False, scale=25.4 / 72.0))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(pdf)
    partial.replace(path)


def make_cad_pair(out_dir: Path, sheet: CadSheet, seed: int) -> CadPair:
    """An old and a new one-sheet PDF of ``sheet``'s kind: text as paths (~100 words) or a survey (~200 words)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    words, edits = (100, 4) if sheet == "text_as_paths" else (200, 6)
    old = survey_scene(seed, words=words)
    new, edited = revised(old, seed, edits=edits)
    write = write_paths_pdf if sheet == "text_as_paths" else write_survey_pdf
    paths = (out_dir / f"{sheet}_old.pdf", out_dir / f"{sheet}_new.pdf")
    write(old, paths[0])
    write(new, paths[1])
    return CadPair(paths[0], paths[1], edited)
