"""Drawing sets and revision pairs with known truth: the test data of the comparison engine.

A pair is an old set and a new set of the same sheets, where chosen sheets
were edited (walls added/removed, doors moved, dimension and note values
changed, notes/tags/symbols or whole views moved, ticks and columns removed,
notes added), sheets may be added, removed or reordered, and every new sheet
is re-plotted (shifted, rotated, scaled). Either set can be plotted on other
paper than the sheets were drafted for (a half-size set, an A4 reduction) and
either can be a raster (a noisy scan or a clean export, image PDF or PNG, at
its own DPI). The old sheets of a reissue can lack their title block.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import pymupdf

from buildtrace_assets.engine.model import SheetStatus
from buildtrace_assets.samples.catalog import EDITS, apply_edits
from buildtrace_assets.samples.details import draft_details_sheet
from buildtrace_assets.samples.render import write_pdf
from buildtrace_assets.samples.replot import (
    IDENTITY,
    Replot,
    as_affine,
    fit_matrix,
    map_bbox,
    random_replot,
)
from buildtrace_assets.samples.scan import SCAN, Raster, scan_skew, write_raster
from buildtrace_assets.samples.sheet import PAPER_SIZES, Sheet, SheetSpec, draft_sheet
from buildtrace_assets.samples.truth import ExpectedChange, ExpectedSheet, Truth

_NAMED_SHEETS = (
    SheetSpec("A-101", "FIRST FLOOR PLAN"),
    SheetSpec("A-102", "SECOND FLOOR PLAN"),
    SheetSpec("S-201", "FOUNDATION PLAN"),
    SheetSpec("M-001", "MECHANICAL FLOOR PLAN"),
    SheetSpec("E0.1", "ELECTRICAL SITE PLAN"),
    SheetSpec("A-103", "THIRD FLOOR PLAN"),
    SheetSpec("S-202", "SECOND FLOOR FRAMING PLAN"),
    SheetSpec("P-101", "PLUMBING FLOOR PLAN"),
)

ScanMode = Literal["none", "new", "both"]


class SampleError(ValueError):
    """Sample generation was asked for something it cannot make."""


def sheet_specs(count: int) -> list[SheetSpec]:
    """``count`` distinct sheets: the named ones first, then numbered floor plans by discipline."""
    specs = list(_NAMED_SHEETS[:count])
    disciplines = ("A", "S", "M", "E", "P")
    n = 0
    while len(specs) < count:
        letter, level = disciplines[n % len(disciplines)], 2 + n // len(disciplines)
        specs.append(SheetSpec(f"{letter}-{level}01", f"LEVEL {level} {_DISCIPLINE_TITLES[letter]}"))
        n += 1
    return specs


_DISCIPLINE_TITLES = {
    "A": "FLOOR PLAN",
    "S": "FRAMING PLAN",
    "M": "HVAC PLAN",
    "E": "LIGHTING PLAN",
    "P": "PLUMBING PLAN",
}


_PLAN_EDITS = ("add_wall", "remove_wall", "move_door", "dimension_text", "note_text")
"""What the original scenarios apply; the newer edits are named by the scenarios made for them."""


@dataclass(frozen=True)
class Scenario:
    """What a revision does to the set."""

    edits: tuple[str, ...] = _PLAN_EDITS
    """Edits applied to each changed sheet, in order (see ``catalog.EDITS``)."""
    changed: float = 0.5
    """Share of the sheets present in both sets that are edited (at least one when > 0)."""
    added_sheets: int = 0
    removed_sheets: int = 0
    reorder: bool = False
    """Swap the first two sheets of the new set."""
    layout: Literal["plan", "details"] = "plan"
    """Floor plans, or details sheets of views in a grid (what ``move_view`` moves)."""
    untitled_old: bool = False
    """The old sheets have no title block (a one-page part drawing reissued with one): the title block is added."""


SCENARIOS: dict[str, Scenario] = {
    "mixed": Scenario(edits=_PLAN_EDITS, changed=0.6),
    "unchanged": Scenario(edits=(), changed=0.0),
    "text": Scenario(edits=("dimension_text", "note_text", "dimension_text"), changed=1.0),
    "linework": Scenario(edits=("add_wall", "remove_wall", "move_door"), changed=1.0),
    "sheet_set": Scenario(edits=_PLAN_EDITS, changed=0.5, added_sheets=1, removed_sheets=1, reorder=True),
    "moves": Scenario(edits=("move_room_tag", "move_keynote", "move_door_tag", "dimension_text"), changed=1.0),
    "view": Scenario(edits=("move_view",), changed=1.0, layout="details"),
    "reissue": Scenario(edits=("note_text",), changed=1.0, untitled_old=True),
    "small_removals": Scenario(edits=("remove_tick", "remove_column", "remove_tick", "add_wall"), changed=1.0),
    "rotated_text": Scenario(edits=("dimension_text", "note_text", "remove_tick"), changed=1.0),
    "added_notes": Scenario(edits=("add_note", "dimension_text", "remove_wall"), changed=1.0),
}


@dataclass(frozen=True)
class RevisionPair:
    old_path: Path
    new_path: Path
    truth_path: Path
    truth: Truth = field(repr=False)


PaperSize = str | tuple[float, float]


def _paper(size: PaperSize) -> tuple[float, float]:
    if isinstance(size, str):
        if size not in PAPER_SIZES:
            raise SampleError(f"unknown page size {size!r}; choose one of {sorted(PAPER_SIZES)} or (width, height)")
        return PAPER_SIZES[size]
    width, height = size
    if width <= 0 or height <= 0:
        raise SampleError(f"paper {width}x{height} pt has no area")
    return float(width), float(height)


def _page_size(page_size: PaperSize) -> tuple[float, float]:
    """A size a sheet can be drafted on (a title block and a plan need room; smaller paper takes a reduction)."""
    width, height = _paper(page_size)
    if width < 792 or height < 612:
        raise SampleError(f"page {width:g}x{height:g} pt is too small for a title block and a plan (min 792x612)")
    return width, height


def _draft(spec: SheetSpec, size: tuple[float, float], seed: int, layout: str) -> Sheet:
    return draft_details_sheet(spec, size, seed) if layout == "details" else draft_sheet(spec, size, seed)


def _untitled(sheet: Sheet) -> tuple[Sheet, ExpectedChange]:
    """The sheet without its title block, and the title block as the change its reissue adds."""
    block = next(e for e in sheet.elements if e.kind == "title_block")
    rest = tuple(e for e in sheet.elements if e is not block)
    return replace(sheet, elements=rest), ExpectedChange("added", block.bbox, "gain_title_block")


def _write(
    path: Path,
    sheets: list[Sheet],
    matrices: list[pymupdf.Matrix],
    paper: tuple[float, float],
    raster: Raster | None,
    seed: int,
) -> None:
    papers = [paper] * len(sheets)
    if raster is not None:
        write_raster(path, sheets, matrices, papers, seed, raster)
    else:
        write_pdf(path, sheets, matrices, papers)


def _mapped(change: ExpectedChange, matrix: pymupdf.Matrix) -> ExpectedChange:
    """A design-coordinate change on the new sheet: boxes through the plot, a move's offset between their centres."""
    bbox = map_bbox(change.bbox, matrix)
    if change.from_bbox is None:
        return replace(change, bbox=bbox)
    from_bbox = map_bbox(change.from_bbox, matrix)
    offset = (
        (bbox[0] + bbox[2] - from_bbox[0] - from_bbox[2]) / 2,
        (bbox[1] + bbox[3] - from_bbox[1] - from_bbox[3]) / 2,
    )
    return replace(change, bbox=bbox, from_bbox=from_bbox, offset=offset)


def make_drawing_set(
    path: Path, sheets: int | list[SheetSpec] = 3, *, seed: int = 0, page_size: PaperSize = "ARCH_D"
) -> list[Sheet]:
    """Write a vector drawing set, one sheet per page, and return the drafted sheets."""
    specs = sheet_specs(sheets) if isinstance(sheets, int) else list(sheets)
    if not specs:
        raise SampleError("a drawing set needs at least one sheet")
    size = _page_size(page_size)
    drafted = [draft_sheet(spec, size, seed) for spec in specs]
    write_pdf(Path(path), drafted, [IDENTITY.matrix(*size)] * len(drafted))
    return drafted


def _rasters(scan: ScanMode, old_raster: Raster | None, new_raster: Raster | None) -> tuple[Raster | None, ...]:
    if scan not in ("none", "new", "both"):
        raise SampleError(f"scan must be 'none', 'new' or 'both', not {scan!r}")
    if scan != "none" and (old_raster or new_raster):
        raise SampleError("give either scan= or old_raster=/new_raster=, not both")
    if scan != "none":
        return (SCAN if scan == "both" else None), SCAN
    return old_raster, new_raster


def make_revision_pair(
    out_dir: Path,
    *,
    seed: int = 0,
    n_sheets: int = 3,
    scenario: str | Scenario = "mixed",
    replot: bool | Replot = True,
    scan: ScanMode = "none",
    page_size: PaperSize = "ARCH_D",
    old_paper: PaperSize | None = None,
    new_paper: PaperSize | None = None,
    old_raster: Raster | None = None,
    new_raster: Raster | None = None,
) -> RevisionPair:
    """Write ``old.pdf`` (or ``.png``), ``new.pdf`` (or ``.png``) and ``truth.json`` into ``out_dir``.

    Sheets are drafted at ``page_size`` and plotted on ``old_paper``/``new_paper`` (default: the same), scaled
    to fit. ``replot`` jitters every new sheet at random (True), exactly as given (a ``Replot``) or not at all.
    ``scan`` scans the new or both sets at 200 dpi; ``old_raster``/``new_raster`` say how each side is
    rasterized instead (DPI, scan or clean export, PDF or PNG)."""
    plan = SCENARIOS.get(scenario) if isinstance(scenario, str) else scenario
    if plan is None:
        raise SampleError(f"unknown scenario {scenario!r}; choose one of {sorted(SCENARIOS)}")
    rasters = _rasters(scan, old_raster, new_raster)
    unknown = set(plan.edits) - set(EDITS)
    if unknown:
        raise SampleError(f"unknown edits {sorted(unknown)}; choose from {sorted(EDITS)}")
    if n_sheets < 1 or plan.removed_sheets >= n_sheets:
        raise SampleError(f"{n_sheets} sheet(s) cannot lose {plan.removed_sheets} and keep one to compare")
    size = _page_size(page_size)
    papers = (_paper(old_paper or size), _paper(new_paper or size))
    rng = random.Random(seed)

    specs = sheet_specs(n_sheets + plan.added_sheets)
    if plan.layout == "details":
        specs = [SheetSpec(spec.number, "DETAILS") for spec in specs]
    old_specs = specs[:n_sheets]
    removed = rng.sample(old_specs, plan.removed_sheets)
    new_specs = [s for s in old_specs if s not in removed]
    for spec in specs[n_sheets:]:
        new_specs.insert(rng.randint(0, len(new_specs)), spec)
    if plan.reorder and len(new_specs) > 1:
        new_specs[0], new_specs[1] = new_specs[1], new_specs[0]
    for raster, count in zip(rasters, (len(old_specs), len(new_specs)), strict=True):
        if raster is not None and raster.format == "png" and count != 1:
            raise SampleError(f"a PNG holds one sheet; this side has {count}")

    old_sheets = {spec: _draft(spec, size, seed, plan.layout) for spec in old_specs}
    common = [s for s in old_specs if s in new_specs]
    n_changed = max(1, round(plan.changed * len(common))) if plan.changed > 0 and plan.edits else 0
    changed = set(rng.sample(common, min(n_changed, len(common))))

    new_sheets, design_changes = {}, {}
    for spec in new_specs:
        if spec in changed:
            new_sheets[spec], design_changes[spec] = apply_edits(old_sheets[spec], plan.edits, rng)
        else:
            new_sheets[spec], design_changes[spec] = old_sheets.get(spec) or _draft(spec, size, seed, plan.layout), []
    if plan.untitled_old:
        for spec in old_specs:
            old_sheets[spec], gained = _untitled(old_sheets[spec])
            if spec in new_sheets:
                design_changes[spec].append(gained)

    old_scanned, new_scanned = (r is not None and r.noisy for r in rasters)
    old_tf = {s: scan_skew(rng) if old_scanned else IDENTITY for s in old_specs}
    jitter = {
        s: replot if isinstance(replot, Replot) else random_replot(rng) if replot else IDENTITY for s in new_specs
    }
    new_tf = {s: jitter[s].compose(scan_skew(rng) if new_scanned else IDENTITY) for s in new_specs}
    old_m = {s: fit_matrix(size, papers[0]) * old_tf[s].matrix(*papers[0]) for s in old_specs}
    new_m = {s: fit_matrix(size, papers[1]) * new_tf[s].matrix(*papers[1]) for s in new_specs}

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffixes = [f".{r.format}" if r is not None else ".pdf" for r in rasters]
    old_path, new_path = out_dir / f"old{suffixes[0]}", out_dir / f"new{suffixes[1]}"
    truth_path = out_dir / "truth.json"
    _write(old_path, [old_sheets[s] for s in old_specs], [old_m[s] for s in old_specs], papers[0], rasters[0], seed)
    _write(new_path, [new_sheets[s] for s in new_specs], [new_m[s] for s in new_specs], papers[1], rasters[1], seed + 1)

    expected = []
    for spec in dict.fromkeys(old_specs + new_specs):
        old_page = old_specs.index(spec) if spec in old_specs else None
        new_page = new_specs.index(spec) if spec in new_specs else None
        if old_page is None or new_page is None:
            status: SheetStatus = "added" if old_page is None else "removed"
            expected.append(ExpectedSheet(spec.number, spec.title, old_page, new_page, status))
            continue
        changes = tuple(_mapped(c, new_m[spec]) for c in design_changes[spec])
        alignment = as_affine(~old_m[spec] * new_m[spec])
        status = "modified" if changes else "unchanged"
        matched_by = "single_page" if plan.untitled_old and len(old_specs) == len(new_specs) == 1 else None
        expected.append(
            ExpectedSheet(spec.number, spec.title, old_page, new_page, status, changes, alignment, matched_by)
        )
    old_image, new_image = (r is not None for r in rasters)
    truth = Truth(
        old_path.name, new_path.name, len(old_specs), len(new_specs), old_image, new_image, tuple(expected), seed
    )
    truth.save(truth_path)
    return RevisionPair(old_path, new_path, truth_path, truth)
