"""A details sheet: several views (sections, details) laid out in a grid, with empty cells a view can move to.

Mechanical and architectural sheets are re-laid out view by view; this sheet
is what lets a revision move one whole view on its own. Every element of a
view has an id starting ``view<n>-``, so the view can be found and moved as a
whole after drafting.
"""

from __future__ import annotations

import random
from collections import defaultdict

from buildtrace_assets.samples.primitives import Element, Label, Stroke, centered_label
from buildtrace_assets.samples.sheet import (
    MARGIN,
    Drafter,
    Sheet,
    SheetSpec,
    circle,
    hatch_lines,
    project_name,
    rect,
)

COLUMNS, ROWS = 3, 2
_VIEW_TITLES = (
    "WALL SECTION",
    "HEAD DETAIL",
    "SILL DETAIL",
    "FOOTING DETAIL",
    "PARAPET DETAIL",
    "DUCT SUPPORT",
    "PIPE HANGER",
    "EQUIPMENT PAD",
)
_VIEW_NOTES = (
    'PROVIDE 5/8" GYP. BD.',
    'FILL 3 1/2" BATTS',
    'USE 2x6 STUDS AT 16" O.C.',
    'SET 1/2" ANCHOR BOLTS',
    'LAP 6" AT ALL SEAMS',
    'HANG AT 48" O.C. MAX.',
    'SLOPE 1/4" PER FOOT',
    'KEEP 2" CLEAR OF DECK',
)


def view_name(element: Element) -> str | None:
    """``view<n>`` for an element of a view, None for the border, title block and notes."""
    head = element.id.split("-", 1)[0]
    return head if head.startswith("view") else None


def views(sheet: Sheet) -> dict[str, list[Element]]:
    """The sheet's views by name, each with all of its elements."""
    grouped: dict[str, list[Element]] = defaultdict(list)
    for element in sheet.elements:
        name = view_name(element)
        if name is not None:
            grouped[name].append(element)
    return dict(grouped)


def cell_size(sheet: Sheet) -> tuple[float, float]:
    """The layout grid's cell, recorded on every view title; moving a view by whole cells keeps the layout."""
    return next(e.meta["cell"] for e in sheet.elements if e.id.endswith("-title") and "cell" in e.meta)


def _view(drafter: Drafter, n: int, x: float, y: float, width: float, height: float, cell: tuple) -> None:
    """One detail in the box ``x, y, width, height``: a wall on a hatched slab, a dimension, two notes, a title."""
    rng, name = drafter.rng, f"view{n}"
    h = height - 40
    slab = (x, y + 0.55 * h, x + 0.8 * width, y + 0.7 * h)
    drafter.add(f"{name}-slab", "hatch", rect(*slab, 0.9), *hatch_lines(*slab, 8.0))
    wall_x0, wall_x1 = x + 0.3 * width, x + 0.42 * width
    drafter.add(
        f"{name}-wall",
        "wall",
        rect(wall_x0, y, wall_x1, slab[1], 0.9),
        Stroke((((wall_x0 + wall_x1) / 2, y), ((wall_x0 + wall_x1) / 2, slab[1])), 0.35, "[6 3] 0"),
    )
    drafter.dimension(f"{name}-dim", slab[0], slab[2], slab[3] + 26, slab[3] + 4, rng.randrange(8))
    for i, text in enumerate(rng.sample(_VIEW_NOTES, 2)):
        drafter.add(f"{name}-note{i}", "note", Label((x + 0.5 * width, y + (0.15 + 0.2 * i) * h), text, 7))
    title_y = y + h + 22
    title = rng.choice(_VIEW_TITLES)
    drafter.add(
        f"{name}-title",
        "view_title",
        circle((x + 10, title_y), 10),
        centered_label((x + 10, title_y), str(n), 9, bold=True),
        Label((x + 28, title_y + 3), title, 9, bold=True),
        Stroke(((x + 28, title_y + 6), (x + 28 + 0.55 * width, title_y + 6)), 0.8),
        Label((x + 28, title_y + 15), 'SCALE: 1 1/2" = 1\'-0"', 6),
        meta={"cell": cell},
    )


def draft_details_sheet(spec: SheetSpec, size: tuple[float, float], seed: int = 0) -> Sheet:
    """Views in a 3 x 2 grid left of the title block, one or two cells left empty; the same seed, the same sheet."""
    width, height = size
    drafter = Drafter(spec, width, height, random.Random(f"{seed}:{spec.number}:details"))
    drafter.border_and_title_block(project_name(seed))
    x0, y0 = MARGIN + 30, MARGIN + 30
    cell = ((width - MARGIN - drafter.title_w - 30 - x0) / COLUMNS, (height - MARGIN - 30 - y0) / ROWS)
    cells = [(i, j) for j in range(ROWS) for i in range(COLUMNS)]
    empty = set(drafter.rng.sample(cells, drafter.rng.randint(1, 2)))
    for n, (i, j) in enumerate((c for c in cells if c not in empty), start=1):
        _view(drafter, n, x0 + i * cell[0] + 24, y0 + j * cell[1] + 24, cell[0] - 48, cell[1] - 48, cell)
    drafter.notes()
    return Sheet(spec, width, height, tuple(drafter.elements))
